//! get-token's failures against the Entra emulator: every polling error, expiry of the device
//! code, and 5xx / timeout / garbage answers, each a clear error with a non-zero exit and the
//! cache left as it was.

use crate::support::get_token as get_token_support;
use get_token_support::*;
use std::time::{Duration, Instant};

/// Starts a sign-in whose first poll meets `fault`; returns the failed run.
async fn poll_fails_with(fault: serde_json::Value) -> (Finished, Client, Sandbox) {
    let sandbox = Sandbox::start(&[]);
    sandbox.fault(fault).await;
    let client = Client::new(&sandbox);
    let mut running = client.spawn("get-token", &[]);
    running.user_code();
    let done = running.finish();
    assert!(!done.status.success(), "must fail: {}", done.stderr);
    assert!(done.stdout.is_empty(), "nothing on stdout: {}", done.stdout);
    assert!(
        !client.cache_files().iter().any(|n| n.ends_with(".json")),
        "nothing cached: {:?}",
        client.cache_files()
    );
    (done, client, sandbox)
}

#[tokio::test]
async fn every_polling_error_is_clear_with_code_and_correlation_id() {
    let cases = [
        ("authorization_declined", None, "declined"),
        ("expired_token", Some(70020), "expired"),
        ("code_expired", Some(70019), "expired"),
        ("bad_verification_code", Some(70018), "did not recognize"),
        ("invalid_client", Some(7000218), "--client-id"),
        ("invalid_request", Some(900144), "sign-in failed"),
    ];
    for (error, aadsts, words) in cases {
        let mut fault = serde_json::json!({"endpoint": "token", "error": error});
        if let Some(code) = aadsts {
            fault["aadsts"] = serde_json::json!(code);
        }
        if error == "invalid_client" {
            fault["status"] = serde_json::json!(401);
        }
        let (done, _client, _sandbox) = poll_fails_with(fault).await;
        assert!(done.stderr.contains(error), "{error}: {}", done.stderr);
        assert!(done.stderr.contains(words), "{error}: {}", done.stderr);
        assert!(
            done.stderr.contains("correlation id"),
            "{error}: {}",
            done.stderr
        );
        if let Some(code) = aadsts {
            assert!(
                done.stderr.contains(&format!("AADSTS{code}")),
                "{}",
                done.stderr
            );
        }
    }
}

#[tokio::test]
async fn declining_on_the_sandbox_page_is_reported() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    client.approve(&code, DEV, true);
    let done = running.finish();
    assert!(!done.status.success());
    assert!(
        done.stderr.contains("authorization_declined"),
        "{}",
        done.stderr
    );
}

#[tokio::test]
async fn slow_down_adds_five_seconds_and_pending_keeps_waiting() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .fault(serde_json::json!({"endpoint": "token", "error": "slow_down"}))
        .await;
    let client = Client::new(&sandbox);
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    let started = Instant::now();
    client.approve(&code, DEV, false);
    let done = running.finish();
    assert_eq!(claims(&done.token())["upn"], DEV);
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "slow_down must add 5 s"
    );
    // One slow_down answer, then one successful poll after the longer interval.
    assert_eq!(count(&sandbox.stats().await, "token", "device_code"), 2);
}

#[tokio::test]
async fn gives_up_when_the_device_code_expires() {
    let sandbox = Sandbox::start(&["--device-code-lifetime", "1"]);
    let client = Client::new(&sandbox);
    let mut running = client.spawn("get-token", &[]);
    running.user_code();
    let done = running.finish();
    assert!(!done.status.success());
    assert!(done.stderr.contains("expired"), "{}", done.stderr);
    assert!(
        done.stderr.contains("run the command again"),
        "{}",
        done.stderr
    );
}

/// Signs in, expires the token, applies `fault`, and checks that get-token fails cleanly
/// without touching the cache.
async fn refresh_fails_cleanly(fault: serde_json::Value, extra: &[&str], words: &str) {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    client.set_expiry(now() - 10);
    let before = client.snapshot();
    sandbox.fault(fault).await;
    let out = client.run("get-token", extra);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "must fail: {stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains(words), "{stderr}");
    assert!(
        !stderr.contains("To sign in"),
        "no device code on a server error: {stderr}"
    );
    assert_eq!(client.snapshot(), before, "the cache is untouched");
}

#[tokio::test]
async fn server_error_during_refresh() {
    refresh_fails_cleanly(
        serde_json::json!({"endpoint":"token","status":503}),
        &[],
        "HTTP 503",
    )
    .await;
}

#[tokio::test]
async fn garbage_during_refresh() {
    refresh_fails_cleanly(
        serde_json::json!({"endpoint":"token","malformed":true}),
        &[],
        "not the expected JSON",
    )
    .await;
}

#[tokio::test]
async fn timeout_during_refresh() {
    refresh_fails_cleanly(
        serde_json::json!({"endpoint":"token","delay_ms":4000}),
        &["--timeout", "1s"],
        "--timeout",
    )
    .await;
}

#[tokio::test]
async fn other_refresh_errors_are_not_hidden_behind_a_device_code() {
    refresh_fails_cleanly(
        serde_json::json!({"endpoint":"token","error":"temporarily_unavailable","aadsts":50196}),
        &[],
        "AADSTS50196",
    )
    .await;
}

#[tokio::test]
async fn devicecode_endpoint_failures() {
    for (fault, words) in [
        (
            serde_json::json!({"endpoint":"devicecode","status":500}),
            "HTTP 500",
        ),
        (
            serde_json::json!({"endpoint":"devicecode","malformed":true}),
            "not the expected JSON",
        ),
        (
            serde_json::json!({"endpoint":"devicecode","error":"invalid_scope","aadsts":70011}),
            "AADSTS70011",
        ),
    ] {
        let sandbox = Sandbox::start(&[]);
        sandbox.fault(fault).await;
        let client = Client::new(&sandbox);
        let out = client.run("get-token", &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains(words), "{stderr}");
        assert!(client.snapshot().is_empty());
    }
}

#[test]
fn bad_flags_are_clear_errors() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(sandbox_support::bin())
            .arg("get-token")
            .args(args)
            .env("HOME", home.path())
            .env_remove("KUBERNETES_EXEC_INFO")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["-e", "AzureMoon"]).contains("AzureUSGovernment"));
    assert!(run(&["-l", "ropc"]).contains("devicecode"));
    assert!(run(&["--authority-host", "http://login.example.com"]).contains("loopback"));
    assert!(run(&["--timeout", "later"]).contains("1m30s"));
    let out = std::process::Command::new(sandbox_support::bin())
        .arg("get-token")
        .env("HOME", home.path())
        .env(
            "KUBERNETES_EXEC_INFO",
            r#"{"apiVersion":"client.authentication.k8s.io/v2"}"#,
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/v2"));
}

#[tokio::test]
async fn throttling_with_retry_after_is_retried_a_bounded_number_of_times() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    client.set_expiry(now() - 10);
    // Twice throttled, then answered: two waits of one second, one token.
    sandbox
        .fault(serde_json::json!({"endpoint":"token","status":429,"retry_after":1,"count":2}))
        .await;
    let out = client.run("get-token", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("retry after 1 s"), "{stderr}");
    assert_eq!(stderr.matches("retrying").count(), 2, "{stderr}");
    assert_eq!(count(&sandbox.stats().await, "token", "refresh_token"), 3);
}

#[tokio::test]
async fn throttling_beyond_the_retry_budget_is_a_clear_error() {
    // Three throttled answers: two retries, then the error, cache untouched.
    refresh_fails_cleanly(
        serde_json::json!({"endpoint":"token","status":503,"retry_after":1,"count":3}),
        &[],
        "after 2 retries",
    )
    .await;
    // A pause longer than kubectl should wait is not waited for.
    refresh_fails_cleanly(
        serde_json::json!({"endpoint":"token","status":429,"retry_after":3600}),
        &[],
        "retry after 3600 s",
    )
    .await;
}

#[tokio::test]
async fn a_failed_early_refresh_returns_the_still_valid_token_with_one_warning() {
    // Four minutes left (inside the refresh window) and the authority answers 503: the cached
    // token still works for four minutes, so kubectl gets it, with one warning on stderr.
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let token = client.sign_in(DEV, &[]).token();
    client.set_expiry(now() + 240);
    sandbox
        .fault(serde_json::json!({"endpoint":"token","status":503}))
        .await;
    let out = client.run("get-token", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        credential_token(&String::from_utf8_lossy(&out.stdout)),
        token
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("warning") && stderr.contains("HTTP 503"),
        "{stderr}"
    );
    assert_eq!(count(&sandbox.stats().await, "token", "refresh_token"), 1);
}
