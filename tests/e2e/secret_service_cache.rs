//! `--token-cache auto` on Linux against a real Secret Service: gnome-keyring-daemon on a
//! private session bus per test (see `support::secret_service`).

use crate::support::get_token as get_token_support;
use crate::support::secret_service::SecretServiceBus;
use get_token_support::*;
use std::process::Stdio;

const NOTICE: &str = "the Secret Service is not available";

/// A client on `bus` with `--token-cache auto` and no display to prompt on.
fn on_bus(sandbox: &Sandbox, address: &str) -> Client {
    Client::new(sandbox)
        .env("KUBECTL_ENTRA_TOKEN_CACHE", "auto")
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
}

fn entry_files(client: &Client) -> Vec<String> {
    client
        .cache_files()
        .into_iter()
        .filter(|n| n.ends_with(".json"))
        .collect()
}

fn notices(stderr: &str) -> usize {
    stderr.lines().filter(|l| l.contains(NOTICE)).count()
}

#[test]
fn tokens_live_in_the_secret_service_labelled_and_are_read_by_the_next_process() {
    let bus = SecretServiceBus::start();
    let sandbox = Sandbox::start(&[]);
    let client = on_bus(&sandbox, &bus.address);
    let first = client.sign_in(DEV, &[]);
    assert_eq!(notices(&first.stderr), 0, "{}", first.stderr);
    let token = first.token();
    assert!(
        entry_files(&client).is_empty(),
        "{:?}",
        client.cache_files()
    );

    let items = bus.items();
    let tid = sandbox.tid();
    let dir = client.cache_dir.canonicalize().unwrap();
    let token_item = items
        .iter()
        .find(|(_, a, _)| a.get("cache-key").is_some_and(|k| k.starts_with("token-")))
        .expect("a token item");
    assert_eq!(
        token_item.0,
        format!("kubectl-entra token for {AKS_SERVER} ({tid})")
    );
    assert_eq!(token_item.1["tenant"], tid);
    assert_eq!(token_item.1["server"], AKS_SERVER);
    assert_eq!(token_item.1["cache-dir"], dir.to_string_lossy());
    assert!(
        items
            .iter()
            .any(|(label, _, _)| label.starts_with("kubectl-entra sign-in for ")),
        "the account record: {:?}",
        items.iter().map(|i| &i.0).collect::<Vec<_>>()
    );
    // The next process reads it: no prompt, the same token.
    let out = client.run("get-token", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        credential_token(&String::from_utf8_lossy(&out.stdout)),
        token
    );
}

#[test]
fn two_cache_directories_on_one_keyring_do_not_see_each_other() {
    let bus = SecretServiceBus::start();
    let sandbox = Sandbox::start(&[]);
    let a = on_bus(&sandbox, &bus.address);
    a.sign_in(DEV, &[]).token();
    // Another HOME, the same tenant, client and server: it must sign in itself.
    let b = on_bus(&sandbox, &bus.address);
    let mut running = b.spawn("get-token", &[]);
    let code = running.user_code();
    b.approve(&code, SRE, false);
    let finished = running.finish();
    assert!(finished.status.success(), "{}", finished.stderr);
    let a_out = a.run("get-token", &[]);
    assert_ne!(
        credential_token(&String::from_utf8_lossy(&a_out.stdout)),
        finished.token()
    );
    let dirs: std::collections::BTreeSet<String> = bus
        .items()
        .into_iter()
        .filter_map(|(_, a, _)| a.get("cache-dir").cloned())
        .collect();
    assert_eq!(dirs.len(), 2, "{dirs:?}");
}

#[test]
fn logout_removes_the_secret_service_entries() {
    let bus = SecretServiceBus::start();
    let sandbox = Sandbox::start(&[]);
    let client = on_bus(&sandbox, &bus.address);
    client.sign_in(DEV, &[]).token();
    assert!(!bus.items().is_empty());
    let out = client.run("logout", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(bus.items().is_empty(), "{:?}", bus.items());
}

#[test]
fn a_locked_keyring_without_a_desktop_falls_back_to_files_with_one_line() {
    let bus = SecretServiceBus::start();
    bus.lock();
    let sandbox = Sandbox::start(&[]);
    let client = on_bus(&sandbox, &bus.address);
    let first = client.sign_in(DEV, &[]);
    first.token();
    assert_eq!(notices(&first.stderr), 1, "{}", first.stderr);
    let line = first
        .stderr
        .lines()
        .find(|l| l.contains(NOTICE))
        .unwrap_or_default();
    assert!(line.contains("locked") && line.contains("0600"), "{line}");
    assert!(!entry_files(&client).is_empty(), "the token went to files");
    assert!(bus.items().iter().all(|(_, _, secret)| secret.is_empty()));
    // Said once: the next process reads the files quietly.
    let out = client.run("get-token", &[]);
    assert!(out.status.success());
    assert_eq!(notices(&String::from_utf8_lossy(&out.stderr)), 0);
}

#[test]
fn no_secret_service_on_the_bus_or_no_bus_falls_back_to_files_with_one_line() {
    let bus = SecretServiceBus::bus_only();
    let sandbox = Sandbox::start(&[]);
    for address in [bus.address.clone(), bus.nowhere()] {
        let client = on_bus(&sandbox, &address);
        let first = client.sign_in(DEV, &[]);
        first.token();
        assert_eq!(notices(&first.stderr), 1, "{address}: {}", first.stderr);
        assert!(!entry_files(&client).is_empty());
    }
}

#[test]
fn entries_of_the_file_cache_of_an_earlier_version_move_in_without_a_sign_in() {
    let bus = SecretServiceBus::start();
    let sandbox = Sandbox::start(&[]);
    // The earlier version, or a session without the keyring: files.
    let client = on_bus(&sandbox, &bus.address).env("KUBECTL_ENTRA_TOKEN_CACHE", "file");
    let token = client.sign_in(DEV, &[]).token();
    assert!(!entry_files(&client).is_empty());
    // The same HOME, now with the Secret Service.
    let client = client.env("KUBECTL_ENTRA_TOKEN_CACHE", "auto");
    let out = client.run("get-token", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        credential_token(&String::from_utf8_lossy(&out.stdout)),
        token
    );
    // The token moved now; the account record moves when a refresh first reads it.
    assert!(
        !entry_files(&client).iter().any(|n| n.starts_with("token-")),
        "{:?}",
        client.cache_files()
    );
    assert!(!bus.items().is_empty(), "the token moved in");
}

#[test]
fn sixteen_processes_on_the_secret_service_refresh_once() {
    let bus = SecretServiceBus::start();
    let sandbox = Sandbox::start(&[]);
    let client = on_bus(&sandbox, &bus.address);
    client.sign_in(DEV, &[]).token();
    bus.edit_tokens(|v| v["expires_on"] = serde_json::json!(now() - 10));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = rt.block_on(sandbox.stats());
    let children: Vec<_> = (0..16)
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
            credential_token(&String::from_utf8_lossy(&out.stdout))
        })
        .collect();
    let after = rt.block_on(sandbox.stats());
    assert_eq!(
        count(&after, "token", "refresh_token") - count(&before, "token", "refresh_token"),
        1,
        "{after}"
    );
    assert!(tokens.iter().all(|t| t == &tokens[0]));
}
