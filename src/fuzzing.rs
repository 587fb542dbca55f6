//! Entry points for `fuzz/` (cargo-fuzz) and the property tests below: each feeds untrusted
//! input to one crate-internal parser and asserts the invariants that matter, panicking on a
//! violation so libFuzzer and proptest report it. Not an API: hidden from the docs.
//!
//! The invariants: no panic on any input; error texts and Debug output never carry a token,
//! refresh token or device code; text from the network is shown without control characters;
//! what is parsed keeps its meaning (round trips hold).

use crate::cache::entry::{AccountRecord, FORMAT_VERSION, TokenEntry, decode};
use crate::credential::{ApiVersion, V1, V1BETA1, parse_exec_info};
use crate::entra::EntraError;
use crate::entra::wire::{DeviceCodeResponse, TokenResponse};
use crate::kubeconfig::{ConvertOptions, convert_users, parse_document};
use serde_json::Value;

/// True when `text` shows a terminal control character raw (ESC, BEL, CR, LF, ...).
fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// `KUBERNETES_EXEC_INFO`: what we accept is exactly what kubectl sends; errors name the
/// variable.
pub fn exec_info(input: &str) {
    match parse_exec_info(Some(input)) {
        Ok(info) => {
            let trimmed = input.trim();
            if trimmed.is_empty() {
                assert_eq!(info.api_version, ApiVersion::V1);
                return;
            }
            let v: Value = serde_json::from_str(trimmed).expect("accepted input is JSON");
            let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let expected = match api {
                "" | V1 => ApiVersion::V1,
                V1BETA1 => ApiVersion::V1Beta1,
                other => panic!("accepted apiVersion {other:?}"),
            };
            assert_eq!(info.api_version, expected);
            let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
            assert!(kind.is_empty() || kind == "ExecCredential", "kind {kind:?}");
            if let Some(b) = v.pointer("/spec/interactive").and_then(Value::as_bool) {
                assert_eq!(info.interactive, Some(b));
            }
        }
        Err(e) => {
            let text = format!("{e:#}");
            assert!(text.starts_with("KUBERNETES_EXEC_INFO"), "{text}");
            // serde quotes values with Debug escapes, and so do we.
            assert!(!has_control(&text), "control character in {text:?}");
        }
    }
}

/// The secret string values anywhere in a JSON document under one of `keys`.
#[cfg(test)]
fn secrets_in(body: &[u8], keys: &[&str]) -> Vec<String> {
    fn walk(v: &Value, keys: &[&str], out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if let Value::String(s) = v
                        && keys.contains(&k.as_str())
                    {
                        out.push(s.clone());
                    }
                    walk(v, keys, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, keys, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        walk(&v, keys, &mut out);
    }
    out
}

/// The text shown for a success body that does not parse: a location, never a quote.
fn assert_quotes_nothing(text: &str) {
    let rest = [
        "malformed JSON",
        "JSON of another shape",
        "truncated JSON",
        "unreadable",
    ]
    .iter()
    .find_map(|k| text.strip_prefix(k))
    .unwrap_or_else(|| panic!("unexpected error text {text:?}"));
    let rest = rest.strip_prefix(" at line ").expect("location");
    let (line, column) = rest.split_once(" column ").expect("column");
    assert!(
        line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok(),
        "{text:?}"
    );
}

/// A 2xx `/token` body as the flows read it (`entra::http`).
pub fn token_response(body: &[u8]) {
    match serde_json::from_slice::<TokenResponse>(body) {
        Ok(r) => {
            // Debug must not depend on the secrets at all.
            let mut blind = r.clone();
            blind.access_token = "x".into();
            blind.refresh_token = blind.refresh_token.map(|_| "x".into());
            blind.id_token = blind.id_token.map(|_| "x".into());
            assert_eq!(format!("{r:?}"), format!("{blind:?}"));
        }
        Err(e) => {
            // Only a fixed kind plus line and column numbers: nothing of the body can be in it.
            // (A substring search for the secrets would flag a "secret" that the fuzzer made
            // equal to part of the fixed wording, as it did.)
            let text = crate::entra::http::describe_json_error(&e);
            assert_quotes_nothing(&text);
        }
    }
}

/// A 2xx `/devicecode` body: the device code never shows, the prompt drives no terminal.
pub fn device_code_response(body: &[u8]) {
    match serde_json::from_slice::<DeviceCodeResponse>(body) {
        Ok(r) => {
            let mut blind = r.clone();
            blind.device_code = "x".into();
            assert_eq!(format!("{r:?}"), format!("{blind:?}"));
            let prompt = r.prompt();
            if r.message.as_deref().is_some_and(|m| !m.trim().is_empty()) {
                assert!(
                    !prompt.chars().any(|c| c != '\n' && c.is_control()),
                    "control character in {prompt:?}"
                );
            } else {
                // Built from user_code and verification_uri: shown made printable.
                assert!(!has_control(&prompt), "control character in {prompt:?}");
            }
            // The prompt does not depend on the device code at all.
            assert_eq!(prompt, blind.prompt(), "device code in prompt");
            let interval = r.poll_interval();
            assert!(interval.as_millis() >= 250 && interval.as_secs() <= 60);
            assert!((1..=3600).contains(&r.expires_seconds()));
        }
        Err(e) => assert_quotes_nothing(&crate::entra::http::describe_json_error(&e)),
    }
}

/// An OAuth error body with any status: None unless it names an error; Display is one line.
pub fn entra_error(status: u16, body: &[u8]) {
    let Some(err) = EntraError::parse(status, body) else {
        return;
    };
    assert!(!err.error.trim().is_empty());
    assert_eq!(err.status, status);
    let text = err.to_string();
    assert!(text.contains(&format!("(HTTP {status})")), "{text}");
    if let Some(code) = err.aadsts() {
        assert!(text.contains(&code), "{text}");
    }
    // Issue 9, finding 7: nothing the server sent reaches the terminal raw.
    assert!(!has_control(&text), "control character in {text:?}");
}

/// JWT payload decoding (claims are read unverified for the account and `exp`).
pub fn jwt_payload(token: &str) {
    use crate::entra::claims;
    let payload = claims::payload(token);
    if let Some(p) = &payload {
        assert!(p.is_object());
    }
    let account = claims::account(token);
    assert!(account.is_none() || payload.is_some());
    if let Some(exp) = claims::expiry(token) {
        let p = payload.as_ref().expect("exp without a payload");
        assert_eq!(p.get("exp").and_then(Value::as_i64), Some(exp));
    }
}

/// Any JSON object encoded as a JWT payload decodes back to itself.
pub fn jwt_round_trip(object: &serde_json::Map<String, Value>) {
    use base64::Engine as _;
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let body = serde_json::to_vec(object).expect("a JSON object serializes");
    let token = format!(
        "{}.{}.sig",
        enc.encode(br#"{"alg":"RS256"}"#),
        enc.encode(&body)
    );
    // Compared with serde_json's own reading of the same bytes: without its
    // `float_roundtrip` feature the last digit of a float may differ, which no claim we read
    // (`exp` is an integer) cares about.
    let expected: Value = serde_json::from_slice(&body).expect("JSON we wrote parses");
    assert_eq!(crate::entra::claims::payload(&token), Some(expected));
    jwt_payload(&token);
}

/// Stored cache bytes: only the current version decodes, a decoded entry round-trips, and
/// Debug never depends on the tokens.
pub fn cache_entry(bytes: &[u8]) {
    if let Some(entry) = decode::<TokenEntry>(bytes) {
        assert_eq!(entry.version, FORMAT_VERSION);
        let again = serde_json::to_vec(&entry).expect("an entry serializes");
        let back: TokenEntry = decode(&again).expect("an encoded entry decodes");
        assert_eq!(back.access_token, entry.access_token);
        assert_eq!(back.refresh_token, entry.refresh_token);
        assert_eq!(back.expires_on, entry.expires_on);
        assert_eq!(back.account, entry.account);
        let mut blind = entry.clone();
        blind.access_token = "x".into();
        blind.refresh_token = blind.refresh_token.map(|_| "x".into());
        assert_eq!(format!("{entry:?}"), format!("{blind:?}"));
        let _ = entry.seconds_left(i64::MIN);
        let _ = entry.seconds_left(i64::MAX);
        for now in [0, entry.expires_on, i64::MIN, i64::MAX, 1_735_732_800] {
            exec_credential(&entry.access_token, entry.expires_on, now);
        }
    }
    if let Some(record) = decode::<AccountRecord>(bytes) {
        assert_eq!(record.version, FORMAT_VERSION);
        let again = serde_json::to_vec(&record).expect("a record serializes");
        let back: AccountRecord = decode(&again).expect("an encoded record decodes");
        assert_eq!(back.refresh_token, record.refresh_token);
        assert_eq!(back.account, record.account);
        let mut blind = record.clone();
        blind.refresh_token = "x".into();
        assert_eq!(format!("{record:?}"), format!("{blind:?}"));
    }
}

/// The ExecCredential printed for a cached token: one JSON line that carries exactly the
/// token and an RFC 3339 expiry no later than the token's.
fn exec_credential(token: &str, expires_on: i64, now: i64) {
    use crate::credential::{render, rfc3339};
    for api in [ApiVersion::V1, ApiVersion::V1Beta1] {
        let text = render(api, token, expires_on, now);
        let line = text.strip_suffix('\n').expect("newline-terminated");
        assert!(!line.contains('\n'), "one line");
        let doc: Value = serde_json::from_str(line).expect("the credential is JSON");
        assert_eq!(doc["apiVersion"].as_str(), Some(api.as_str()));
        assert_eq!(doc["status"]["token"].as_str(), Some(token));
        let when = doc["status"]["expirationTimestamp"]
            .as_str()
            .expect("expiry");
        let when: jiff::Timestamp = when.parse().expect("RFC 3339 expiry");
        let real: jiff::Timestamp = rfc3339(expires_on).parse().expect("RFC 3339");
        assert!(when <= real, "reported {when} after the real expiry {real}");
    }
}

/// Kubeconfig text through `convert-kubeconfig` (with `tenant` as `--tenant-id`, if any):
/// converted users hold only the new exec entry, the result serializes and re-parses, and a
/// second conversion changes nothing.
pub fn kubeconfig_convert(text: &str, tenant: Option<&str>, context: Option<&str>) {
    let path = std::path::Path::new("kubeconfig");
    let Ok(mut doc) = parse_document(text, path) else {
        return;
    };
    let opts = ConvertOptions {
        default_client_id: "80faf920-1908-4b52-b5ef-a8e7bedfc67a".into(),
        default_server_id: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
        context: context.map(str::to_owned),
        login: None,
        tenant_id: tenant.map(str::to_owned),
        client_id: None,
        server_id: None,
        environment: None,
        authority_host: None,
        ..ConvertOptions::default()
    };
    let Ok(converted) = convert_users(&mut doc, &opts) else {
        return;
    };
    for c in &converted {
        // Names may repeat (the converter rewrites every convertible user of that name): look at
        // the one that now runs kubectl-entra.
        let user = doc
            .auth_infos
            .iter()
            .filter(|u| u.name == c.user)
            .filter_map(|u| u.auth_info.as_ref())
            .find(|u| u.exec.as_ref().and_then(|e| e.command.as_deref()) == Some("kubectl-entra"))
            .expect("a converted user runs kubectl-entra");
        assert!(
            user.auth_provider.is_none(),
            "auth-provider kept for {:?}",
            c.user
        );
        assert!(user.token.is_none(), "token kept for {:?}", c.user);
        let exec = user.exec.as_ref().expect("exec entry");
        let args: Vec<&str> = exec.args.iter().flatten().map(String::as_str).collect();
        assert_eq!(args.first(), Some(&"get-token"));
        // A value written as its own argument must not read as a flag: `--tenant-id
        // --authority-host=https://elsewhere` would make get-token send tokens elsewhere.
        for (i, arg) in args.iter().enumerate().skip(1) {
            let previous_is_flag = args[i - 1].starts_with("--") && !args[i - 1].contains('=');
            if previous_is_flag {
                assert!(!arg.starts_with('-'), "value {arg:?} reads as a flag");
            }
        }
    }
    let out = crate::kubeconfig::render(&doc).expect("the result serializes");
    let mut again = parse_document(&out, path).expect("the result re-parses");
    let second = convert_users(&mut again, &opts).expect("the result converts again");
    assert!(second.is_empty(), "converted twice: {second:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// JSON values that are wrong in the ways servers get them wrong.
    fn odd_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null)),
            Just(Value::from("1e400")),
            Just(Value::from("99999999999999999999999")),
            "[0-9]{1,25}".prop_map(Value::from),
            "\\PC{0,40}".prop_map(Value::from),
            "[\\x00-\\x1f\\x7f\\u{9b}]{1,10}".prop_map(Value::from),
            Just(Value::from("x".repeat(10_000))),
            Just(serde_json::json!([1, "2", null])),
            Just(serde_json::json!({"nested": {"access_token": "AT-secret-nested"}})),
        ]
    }

    /// An object with some of `keys` (each maybe missing) set to odd values or real strings.
    fn object_of(keys: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            (
                proptest::sample::select(keys),
                prop_oneof![
                    odd_value(),
                    "SECRET-[a-zA-Z0-9._-]{8,40}".prop_map(Value::from)
                ],
            ),
            0..keys.len() + 2,
        )
        .prop_map(|pairs| {
            let m: serde_json::Map<String, Value> =
                pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            serde_json::to_vec(&m).unwrap_or_default()
        })
    }

    const TOKEN_KEYS: &[&str] = &[
        "access_token",
        "refresh_token",
        "id_token",
        "token_type",
        "expires_in",
        "expires_on",
        "ext_expires_in",
    ];
    const DEVICE_KEYS: &[&str] = &[
        "user_code",
        "device_code",
        "verification_uri",
        "verification_url",
        "expires_in",
        "interval",
        "message",
    ];
    const ERROR_KEYS: &[&str] = &[
        "error",
        "error_description",
        "error_codes",
        "correlation_id",
        "trace_id",
        "suberror",
        "timestamp",
    ];
    const ENTRY_KEYS: &[&str] = &[
        "version",
        "access_token",
        "expires_on",
        "refresh_token",
        "account",
    ];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn exec_info_any_text(s in "\\PC{0,80}") {
            exec_info(&s);
        }

        #[test]
        fn exec_info_shaped(
            api in prop_oneof![Just(V1.to_string()), Just(V1BETA1.to_string()), "\\PC{0,20}"],
            kind in prop_oneof![Just("ExecCredential".to_string()), "\\PC{0,12}"],
            interactive in any::<Option<bool>>(),
        ) {
            let doc = serde_json::json!({"apiVersion": api, "kind": kind,
                "spec": {"interactive": interactive}});
            exec_info(&doc.to_string());
        }

        #[test]
        fn token_responses(body in object_of(TOKEN_KEYS)) {
            token_response(&body);
        }

        #[test]
        fn token_response_bytes(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            token_response(&body);
            device_code_response(&body);
            entra_error(400, &body);
            cache_entry(&body);
        }

        #[test]
        fn device_code_responses(body in object_of(DEVICE_KEYS)) {
            device_code_response(&body);
        }

        #[test]
        fn entra_errors(status in any::<u16>(), body in object_of(ERROR_KEYS)) {
            entra_error(status, &body);
        }

        #[test]
        fn jwt_any_text(s in "[A-Za-z0-9_=.-]{0,120}") {
            jwt_payload(&s);
        }

        #[test]
        fn jwt_objects_round_trip(
            claims in proptest::collection::btree_map("\\PC{0,10}", odd_value(), 0..6)
        ) {
            jwt_round_trip(&claims.into_iter().collect());
        }

        #[test]
        fn cache_entries(body in object_of(ENTRY_KEYS), version in 0u32..3) {
            cache_entry(&body);
            let mut v: Value = serde_json::from_slice(&body).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.insert("version".into(), version.into());
            }
            cache_entry(&serde_json::to_vec(&v).unwrap_or_default());
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..config() })]
        #[test]
        fn kubeconfigs(
            provider in prop_oneof![Just("azure"), Just("oidc")],
            tenant in "\\PC{0,12}",
            command in prop_oneof![Just("kubelogin"), Just("/bin/kubelogin.exe"), Just("x")],
            args in proptest::collection::vec(
                prop_oneof![Just("get-token".to_string()), Just("--tenant-id".to_string()),
                    Just("-t".to_string()), "--[a-z-]{1,12}=?\\PC{0,6}", "\\PC{0,8}"], 0..8),
            flag in proptest::option::of("[a-z-]{1,8}"),
        ) {
            let doc = serde_json::json!({
                "apiVersion": "v1", "kind": "Config",
                "contexts": [{"name": "c", "context": {"user": "a"}}],
                "users": [
                    {"name": "a", "user": {"auth-provider": {"name": provider,
                        "config": {"tenant-id": tenant, "access-token": "SECRET-AT"}}}},
                    {"name": "b", "user": {"exec": {"command": command, "args": args}}},
                ],
            });
            let text = serde_yaml::to_string(&doc).unwrap_or_default();
            kubeconfig_convert(&text, flag.as_deref(), None);
            kubeconfig_convert(&text, Some("t"), Some("c"));
        }
    }

    // Open findings (issue 9): each fails today; un-ignore it with the fix.

    #[test]
    fn entra_error_display_escapes_control_characters() {
        let body = br#"{"error":"invalid_grant\u001b[2J","error_description":"AADSTS1: x\u0007","correlation_id":"\u001b]0;title\u0007"}"#;
        let text = EntraError::parse(400, body)
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            text.contains("invalid_grant") && !has_control(&text),
            "{text:?}"
        );
    }

    #[test]
    fn device_code_prompt_without_message_escapes_control_characters() {
        let r: DeviceCodeResponse = serde_json::from_slice(
            br#"{"user_code":"QX7\u001b[2J","device_code":"d","verification_uri":"https://x\u001b]0;t\u0007"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let prompt = r.prompt();
        assert!(!has_control(&prompt), "{prompt:?}");
    }

    #[test]
    fn converted_values_never_read_as_flags() {
        let text = "users:\n- name: u\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token, --tenant-id, t, --server-id, --authority-host=https://elsewhere.example]\n";
        let mut doc = parse_document(text, std::path::Path::new("k")).expect("parses");
        let opts = ConvertOptions {
            default_client_id: "c".into(),
            default_server_id: "s".into(),
            context: None,
            login: None,
            tenant_id: None,
            client_id: None,
            server_id: None,
            environment: None,
            authority_host: None,
            ..ConvertOptions::default()
        };
        assert_eq!(convert_users(&mut doc, &opts).map(|c| c.len()), Ok(1));
        // The entry point asserts it for every converted user.
        kubeconfig_convert(text, None, None);
    }

    #[test]
    fn secrets_are_found_where_they_hide() {
        let found = secrets_in(
            br#"{"a":[{"refresh_token":"R"}],"access_token":"A","x":"y"}"#,
            &["access_token", "refresh_token"],
        );
        assert_eq!(found, vec!["R".to_string(), "A".to_string()]);
    }

    #[test]
    #[should_panic(expected = "unexpected error text")]
    fn the_quote_check_can_fail() {
        assert_quotes_nothing("invalid type: string \"eyJ-secret\"");
    }
}
