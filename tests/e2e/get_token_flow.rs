//! get-token, login and logout against the Entra emulator: first sign-in, cache hit, refresh,
//! fallback to device code, permissions.

use crate::support::get_token as get_token_support;
use get_token_support::*;

#[tokio::test]
async fn first_sign_in_then_cache_hit_without_any_request() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let first = client.sign_in(DEV, &[]);
    let token = first.token();
    let claims = claims(&token);
    assert_eq!(claims["upn"], DEV);
    assert_eq!(claims["aud"], AKS_SERVER);
    assert_eq!(claims["tid"], sandbox.tid().as_str());
    assert!(first.stderr.contains("To sign in"), "{}", first.stderr);

    // The reported expiry is RFC 3339 UTC and a little before the token's exp.
    let doc: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(doc["apiVersion"], "client.authentication.k8s.io/v1");
    let reported: jiff::Timestamp = doc["status"]["expirationTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let exp = claims["exp"].as_i64().unwrap();
    assert!(reported.as_second() < exp && reported.as_second() >= exp - 120);

    let before = sandbox.stats().await;
    let second = client
        .command("get-token", &[])
        .env(
            "KUBERNETES_EXEC_INFO",
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}"#,
        )
        .output()
        .unwrap();
    assert!(second.status.success());
    assert!(
        second.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let stdout = String::from_utf8(second.stdout).unwrap();
    assert_eq!(credential_token(&stdout), token);
    assert!(stdout.contains("client.authentication.k8s.io/v1beta1"));
    assert_eq!(
        sandbox.stats().await,
        before,
        "a cache hit makes no request"
    );

    // Permissions: 0700 directory, 0600 files (unix modes; Windows relies on the profile's ACLs).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&client.cache_dir), 0o700);
        for name in client.cache_files() {
            assert_eq!(mode(&client.cache_dir.join(&name)), 0o600, "{name}");
        }
    }
    let entry = client.token_entry();
    assert_eq!(entry["account"]["upn"], DEV);
    assert_eq!(entry["account"]["tid"], sandbox.tid().as_str());
}

#[tokio::test]
async fn refresh_after_expiry_stores_the_rotated_refresh_token() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let first = client.sign_in(DEV, &[]).token();
    let old_rt = client.token_entry()["refresh_token"].clone();
    client.set_expiry(now() - 10);
    let out = client.run("get-token", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second = credential_token(&String::from_utf8(out.stdout).unwrap());
    assert_ne!(second, first);
    assert_eq!(claims(&second)["upn"], DEV);
    let stats = sandbox.stats().await;
    assert_eq!(count(&stats, "token", "refresh_token"), 1);
    assert_eq!(count(&stats, "devicecode", "requests"), 1);
    let entry = client.token_entry();
    assert_ne!(
        entry["refresh_token"], old_rt,
        "the rotated refresh token is stored"
    );
    assert!(entry["expires_on"].as_i64().unwrap() > now() + 300);
}

#[tokio::test]
async fn short_lived_tokens_are_served_until_a_quarter_of_their_life_is_left() {
    // A 200 s token: the refresh window is 50 s (a quarter), not five minutes, so a fresh one is
    // served from the cache instead of being refreshed on every call.
    let sandbox = Sandbox::start(&["--token-lifetime", "200s"]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let out = client.run("get-token", &[]);
    assert!(out.status.success());
    assert_eq!(count(&sandbox.stats().await, "token", "refresh_token"), 0);
    // With 40 s left it is inside its window and refreshed.
    client.set_expiry(now() + 40);
    let out = client.run("get-token", &[]);
    assert!(out.status.success());
    assert_eq!(count(&sandbox.stats().await, "token", "refresh_token"), 1);
}

#[tokio::test]
async fn revoked_refresh_token_falls_back_to_device_code_with_one_line() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let (status, _) = sandbox
        .post_json(&sandbox.s("revoke_url"), serde_json::json!({"upn": DEV}))
        .await;
    assert_eq!(status, 200);
    client.set_expiry(now() - 10);
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    client.approve(&code, SRE, false);
    let done = running.finish();
    assert_eq!(claims(&done.token())["upn"], SRE);
    let why: Vec<&str> = done
        .stderr
        .lines()
        .filter(|l| l.contains("can no longer be refreshed"))
        .collect();
    assert_eq!(why.len(), 1, "{}", done.stderr);
    assert!(
        why[0].contains("invalid_grant") && why[0].contains("AADSTS"),
        "{}",
        why[0]
    );
}

#[tokio::test]
async fn interaction_required_also_falls_back() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    sandbox
        .fault(serde_json::json!({"endpoint":"token","error":"interaction_required","aadsts":50076,"suberror":"basic_action"}))
        .await;
    client.set_expiry(now() - 10);
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    client.approve(&code, DEV, false);
    let done = running.finish();
    done.token();
    assert!(
        done.stderr.contains("interaction_required, AADSTS50076"),
        "{}",
        done.stderr
    );
}

#[tokio::test]
async fn cross_resource_refresh_uses_the_account_refresh_token() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    // Another server id of the same tenant and client: no second device code.
    let out = client.run("get-token", &["--server-id", sandbox_support::GRAPH]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = credential_token(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(claims(&token)["aud"], sandbox_support::GRAPH);
    let stats = sandbox.stats().await;
    assert_eq!(count(&stats, "devicecode", "requests"), 1);
    assert_eq!(count(&stats, "token", "refresh_token"), 1);
}

#[tokio::test]
async fn login_says_who_and_logout_forgets() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let mut running = client.spawn("login", &[]);
    let code = running.user_code();
    client.approve(&code, DEV, false);
    let done = running.finish();
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stdout.is_empty(), "login prints nothing on stdout");
    assert!(
        done.stderr.contains(&format!("Signed in as {DEV}")),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains(&sandbox.tid()), "{}", done.stderr);
    let until = done
        .stderr
        .split("valid until ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .unwrap_or_default();
    assert!(
        until.parse::<jiff::Timestamp>().is_ok(),
        "login names the expiry in RFC 3339: {}",
        done.stderr
    );
    let at = client.token_entry()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!done.stderr.contains(&at));

    let again = client.run("login", &[]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("Already signed in"));

    let out = client.run("logout", &[]);
    assert!(out.status.success());
    assert!(
        !client.cache_files().iter().any(|n| n.ends_with(".json")),
        "{:?}",
        client.cache_files()
    );

    client.sign_in(DEV, &[]).token();
    let out = client.run("logout", &["--all"]);
    assert!(out.status.success());
    assert!(!client.cache_files().iter().any(|n| n.ends_with(".json")));
}

#[tokio::test]
async fn corrupt_cache_entry_is_a_miss_and_is_replaced() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    for name in client.cache_files() {
        if name.ends_with(".json") {
            std::fs::write(client.cache_dir.join(name), b"{\"version\":1,\"acc").unwrap();
        }
    }
    let done = client.sign_in(DEV, &[]);
    done.token();
    assert_eq!(client.token_entry()["version"], 1);
}
