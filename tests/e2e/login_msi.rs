//! `--login msi` end to end: the real kubectl runs the built binary, which asks the sandbox's
//! IMDS-shaped endpoint (through `AZURE_POD_IDENTITY_AUTHORITY_HOST`) or its App Service shape
//! (`IDENTITY_ENDPOINT`/`IDENTITY_HEADER`) for a managed identity's token; the API stand-in
//! names the identity by object id, as AKS does. Errors: unreachable, slow, busy, unknown
//! identity; parallel calls share one IMDS request.

use crate::support::can_i::{Sandbox, text};
use crate::support::get_token::{AKS_SERVER, claims, credential_token};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const UPN: &str = "aksdev@contoso.com";

fn identity(sb: &Sandbox, name: &str, field: &str) -> String {
    sb.info["managed_identities"][name][field]
        .as_str()
        .unwrap_or_else(|| panic!("{name}.{field} in the port file: {}", sb.info))
        .to_string()
}

fn imds_count(sb: &Sandbox) -> u64 {
    let stats = sb.stats();
    stats["imds_total"].as_u64().unwrap_or(0)
}

/// `kubectl-entra get-token --login msi ...` with this test's cache and the given variables.
fn get_token(sb: &Sandbox, cache: &Path, extra: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(crate::support::plugin_bin());
    cmd.args(["get-token", "--login", "msi", "--server-id", AKS_SERVER])
        .args(["--authority-host", &sb.s("authority_host")])
        .args(["--tenant-id", &sb.s("tenant_id")])
        .args(["--token-cache", "file", "--token-cache-dir"])
        .arg(cache)
        .args(extra)
        .env("HOME", sb.dir.path())
        .env_remove("KUBERNETES_EXEC_INFO")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AAD_LOGIN_METHOD")
        .env_remove("IDENTITY_ENDPOINT")
        .env_remove("IDENTITY_HEADER")
        .env_remove("IMDS_ENDPOINT")
        .env_remove("AZURE_POD_IDENTITY_AUTHORITY_HOST")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("run kubectl-entra")
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// One line on stderr, naming the problem.
fn one_line_error(out: &Output, needle: &str) -> String {
    assert!(!out.status.success(), "must fail: {}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "no credential on failure");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} not in: {err}");
    assert!(!err.contains("eyJ"), "no token in errors: {err}");
    err
}

#[test]
fn msi_through_kubectl_system_then_user_assigned_cached_per_identity() {
    let sb = Sandbox::start(UPN, &[]);
    let system_oid = identity(&sb, "system", "object_id");
    let uami_oid = identity(&sb, "sandbox-uami", "object_id");
    let uami_client = identity(&sb, "sandbox-uami", "client_id");
    sb.admin(&[
        "create",
        "clusterrolebinding",
        "msi-view",
        "--clusterrole",
        "view",
        "--user",
        &system_oid,
    ]);
    let base = sb.s("authority_host");
    let tid = sb.s("tenant_id");
    let cache = sb.dir.path().join("msi-cache");
    let cache_s = cache.to_str().expect("utf-8");
    let args = |client: &str| -> Vec<String> {
        [
            "get-token",
            "--login",
            "msi",
            "--server-id",
            AKS_SERVER,
            "--client-id",
            client,
            "--authority-host",
            &base,
            "--tenant-id",
            &tid,
            "--token-cache",
            "file",
            "--token-cache-dir",
            cache_s,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let imds = sb.s("imds_endpoint");
    let env = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.as_str())];
    let system_args = args("80faf920-1908-4b52-b5ef-a8e7bedfc67a");
    let system_args: Vec<&str> = system_args.iter().map(String::as_str).collect();
    let kc = sb.exec_kubeconfig("msi-system", &system_args, &env);

    let who = sb.kubectl_with(&kc, &["auth", "whoami", "-o", "json"]);
    assert!(who.status.success(), "{}", text(&who.stderr));
    let review: serde_json::Value = serde_json::from_slice(&who.stdout).expect("json");
    assert_eq!(
        review["status"]["userInfo"]["username"],
        system_oid.as_str()
    );
    let pods = sb.kubectl_with(&kc, &["get", "pods", "-n", "default"]);
    assert!(
        pods.status.success(),
        "view binding: {}",
        text(&pods.stderr)
    );
    assert_eq!(imds_count(&sb), 1, "kubectl ran get-token twice, IMDS once");

    // The user-assigned identity by client id: its own cache entry, its own object id; it has
    // no binding, so reading pods is forbidden while whoami names it.
    let uami_args = args(&uami_client);
    let uami_args: Vec<&str> = uami_args.iter().map(String::as_str).collect();
    let kc = sb.exec_kubeconfig("msi-uami", &uami_args, &env);
    let who = sb.kubectl_with(&kc, &["auth", "whoami", "-o", "json"]);
    assert!(who.status.success(), "{}", text(&who.stderr));
    let review: serde_json::Value = serde_json::from_slice(&who.stdout).expect("json");
    assert_eq!(review["status"]["userInfo"]["username"], uami_oid.as_str());
    let pods = sb.kubectl_with(&kc, &["get", "pods", "-n", "default"]);
    assert!(!pods.status.success());
    assert!(
        text(&pods.stderr).contains("Forbidden"),
        "{}",
        text(&pods.stderr)
    );
    assert_eq!(imds_count(&sb), 2);

    let names = files(&cache);
    assert_eq!(names.len(), 2, "two token entries, no account: {names:?}");
    assert!(names.iter().all(|n| n.starts_with("token-")), "{names:?}");
    for n in &names {
        let entry: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(cache.join(n)).expect("read"))
                .expect("json");
        assert!(entry["refresh_token"].is_null(), "no refresh token: {n}");
    }
}

#[test]
fn msi_by_resource_id_and_through_the_app_service_endpoint() {
    let sb = Sandbox::start(UPN, &[]);
    let uami_oid = identity(&sb, "sandbox-uami", "object_id");
    let uami_rid = identity(&sb, "sandbox-uami", "resource_id");
    let system_oid = identity(&sb, "system", "object_id");
    let cache = tempfile::tempdir().expect("cache");
    let imds = sb.s("imds_endpoint");

    let out = run(get_token(
        &sb,
        cache.path(),
        &["--identity-resource-id", &uami_rid],
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", &imds)],
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = credential_token(&text(&out.stdout));
    let c = claims(&token);
    assert_eq!(c["oid"], uami_oid.as_str());
    assert_eq!(c["aud"], AKS_SERVER);
    assert!(c.get("upn").is_none(), "an app token has no upn: {c}");

    // App Service's variables win over IMDS.
    let endpoint = sb.s("identity_endpoint");
    let header = sb.s("identity_header");
    let cache2 = tempfile::tempdir().expect("cache");
    let out = run(get_token(
        &sb,
        cache2.path(),
        &[],
        &[
            ("IDENTITY_ENDPOINT", &endpoint),
            ("IDENTITY_HEADER", &header),
            ("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1"),
        ],
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        claims(&credential_token(&text(&out.stdout)))["oid"],
        system_oid.as_str()
    );
    assert_eq!(sb.stats()["imds"]["app_service"], 1);

    // A wrong header is refused; the secret is not echoed.
    let cache3 = tempfile::tempdir().expect("cache");
    let out = run(get_token(
        &sb,
        cache3.path(),
        &[],
        &[
            ("IDENTITY_ENDPOINT", &endpoint),
            ("IDENTITY_HEADER", "wrong-header-value"),
        ],
    ));
    let err = one_line_error(&out, "HTTP 401");
    assert!(!err.contains("wrong-header-value"), "{err}");
    assert!(files(cache3.path()).is_empty());
}

#[test]
fn msi_errors_are_one_line_with_the_fix_and_nothing_is_cached() {
    let sb = Sandbox::start(UPN, &[]);
    let imds = sb.s("imds_endpoint");
    let env = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.as_str())];
    let cache = tempfile::tempdir().expect("cache");

    // Unreachable: nothing listens on the port.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let started = std::time::Instant::now();
    let out = run(get_token(
        &sb,
        cache.path(),
        &[],
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", &closed)],
    ));
    one_line_error(&out, "cannot be reached");
    assert!(text(&out.stderr).contains("--login azurecli"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "no retries on a refused connection"
    );

    // A host that is neither loopback nor IMDS is refused before any request.
    let out = run(get_token(
        &sb,
        cache.path(),
        &[],
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://10.1.2.3")],
    ));
    one_line_error(&out, "AZURE_POD_IDENTITY_AUTHORITY_HOST must name");

    // Slow: the answer comes after --timeout.
    sb.post_fault(serde_json::json!({"endpoint": "imds", "delay_ms": 4000}));
    let out = run(get_token(&sb, cache.path(), &["--timeout", "1s"], &env));
    one_line_error(&out, "did not answer within 1s");

    // An identity the machine does not have.
    let out = run(get_token(
        &sb,
        cache.path(),
        &["--client-id", "99999999-0000-4000-8000-000000000009"],
        &env,
    ));
    one_line_error(&out, "is not assigned to this machine");
    assert!(files(cache.path()).is_empty(), "nothing half-written");

    // Busy for longer than the retries: said, with the attempts.
    sb.post_fault(
        serde_json::json!({"endpoint": "imds", "count": 4, "status": 503, "retry_after": 0}),
    );
    let out = run(get_token(&sb, cache.path(), &[], &env));
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("HTTP 503 after 4 attempts"), "{err}");
    assert!(files(cache.path()).is_empty(), "nothing half-written");

    // 500, then 429 with Retry-After, then the token: retried, one line each on stderr.
    let before = imds_count(&sb);
    sb.post_fault(serde_json::json!([
        {"endpoint": "imds", "status": 500},
        {"endpoint": "imds", "status": 429, "retry_after": 1}
    ]));
    let out = run(get_token(&sb, cache.path(), &[], &env));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("HTTP 500") && err.contains("HTTP 429") && err.contains("retrying"),
        "{err}"
    );
    assert_eq!(imds_count(&sb) - before, 3);
    assert_eq!(files(cache.path()).len(), 1);

    // Through kubectl, a failure reaches the user as our one line.
    let kc = sb.exec_kubeconfig(
        "msi-broken",
        &[
            "get-token",
            "--login",
            "msi",
            "--token-cache-dir",
            sb.dir.path().join("other-cache").to_str().expect("utf-8"),
        ],
        &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", &closed)],
    );
    let out = sb.kubectl_with(&kc, &["get", "pods"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cannot be reached"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn msi_parallel_calls_make_one_imds_request() {
    let sb = Sandbox::start(UPN, &[]);
    let imds = sb.s("imds_endpoint");
    let cache = tempfile::tempdir().expect("cache");
    // Slow enough that all sixteen are waiting while the first one asks.
    sb.post_fault(serde_json::json!({"endpoint": "imds", "delay_ms": 1500}));
    let children: Vec<_> = (0..16)
        .map(|_| {
            get_token(
                &sb,
                cache.path(),
                &[],
                &[("AZURE_POD_IDENTITY_AUTHORITY_HOST", &imds)],
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
        })
        .collect();
    let tokens: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            assert!(out.status.success(), "{}", text(&out.stderr));
            credential_token(&text(&out.stdout))
        })
        .collect();
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "one token for all");
    assert_eq!(imds_count(&sb), 1, "sixteen calls, one IMDS request");
}
