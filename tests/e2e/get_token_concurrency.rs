//! Many get-token processes at once: one refresh, or one device code, for all of them.

use crate::support::get_token as get_token_support;
use get_token_support::*;
use std::process::Stdio;

const N: usize = 16;

#[tokio::test]
async fn sixteen_processes_with_an_expired_token_refresh_once() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    client.set_expiry(now() - 10);
    let before = sandbox.stats().await;
    let children: Vec<_> = (0..N)
        .map(|_| {
            client
                .command("get-token", &[])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let tokens: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            credential_token(&String::from_utf8(out.stdout).unwrap())
        })
        .collect();
    let after = sandbox.stats().await;
    assert_eq!(
        count(&after, "token", "refresh_token") - count(&before, "token", "refresh_token"),
        1,
        "{after}"
    );
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "all print the one new token"
    );
}

#[tokio::test]
async fn sixteen_processes_without_a_token_show_one_device_code() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let mut running: Vec<Running> = (0..N).map(|_| client.spawn("get-token", &[])).collect();
    // Exactly one of them asks (it holds the lock while the others wait).
    let user_code = read_any_user_code(&mut running);
    client.approve(&user_code, DEV, false);
    let mut tokens = Vec::new();
    let mut prompts = 0;
    for r in running {
        let done = r.finish();
        prompts += done.stderr.matches("To sign in").count();
        tokens.push(done.token());
    }
    assert_eq!(prompts, 1, "exactly one device code is shown");
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_eq!(count(&sandbox.stats().await, "devicecode", "requests"), 1);
}

/// Only the lock holder prints a prompt; poll every child's stderr until one does.
fn read_any_user_code(running: &mut [Running]) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        for r in running.iter_mut() {
            if let Some(code) = r.try_user_code() {
                return code;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no prompt from any process"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
