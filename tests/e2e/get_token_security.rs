//! Tokens never reach stderr, even at -v 9; signals during the wait leave nothing behind.

use crate::support::get_token as get_token_support;
use get_token_support::*;

#[tokio::test]
async fn no_token_on_stderr_with_verbose_logging() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let mut stderr = String::new();

    let first = client.sign_in(DEV, &["-v", "9"]);
    first.token();
    stderr.push_str(&first.stderr);
    let mut secrets = vec![];
    let entry = client.token_entry();
    secrets.push(entry["access_token"].as_str().unwrap().to_string());
    secrets.push(entry["refresh_token"].as_str().unwrap().to_string());

    client.set_expiry(now() - 10);
    let refreshed = client.run("get-token", &["-v", "9"]);
    assert!(refreshed.status.success());
    stderr.push_str(&String::from_utf8_lossy(&refreshed.stderr));
    let entry = client.token_entry();
    secrets.push(entry["access_token"].as_str().unwrap().to_string());
    secrets.push(entry["refresh_token"].as_str().unwrap().to_string());

    let hit = client.run("get-token", &["-v", "9"]);
    stderr.push_str(&String::from_utf8_lossy(&hit.stderr));
    let login = client.run("login", &["-v", "9"]);
    stderr.push_str(&String::from_utf8_lossy(&login.stderr));

    // A failing refresh must not echo the refresh token either.
    client.set_expiry(now() - 10);
    sandbox
        .fault(serde_json::json!({"endpoint":"token","status":500}))
        .await;
    let failed = client.run("get-token", &["-v", "9"]);
    assert!(!failed.status.success());
    stderr.push_str(&String::from_utf8_lossy(&failed.stderr));

    assert!(stderr.contains("POST"), "verbose logging is on: {stderr}");
    for secret in &secrets {
        assert!(secret.len() > 20);
        assert!(
            !stderr.contains(secret.as_str()),
            "a token leaked to stderr"
        );
    }
}

#[cfg(unix)]
fn signal(pid: u32, sig: &str) {
    let status = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[cfg(unix)] // kill(1) and POSIX signals
#[tokio::test]
async fn sigterm_and_ctrl_c_during_the_wait_leave_no_lock_temp_file_or_entry() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    for (sig, code) in [("-TERM", 143), ("-INT", 130)] {
        let mut running = client.spawn("get-token", &[]);
        running.user_code();
        signal(running.pid(), sig);
        let done = running.finish();
        assert_eq!(done.status.code(), Some(code), "{}", done.stderr);
        assert!(done.stdout.is_empty());
        let files = client.cache_files();
        assert!(
            files.iter().all(|n| n.ends_with(".lock")),
            "only the (unlocked) lock file may remain: {files:?}"
        );
        // The lock is free: a new run gets to its own prompt and can finish.
        let done = client.sign_in(DEV, &[]);
        done.token();
        let out = client.run("logout", &[]);
        assert!(out.status.success());
    }
}
