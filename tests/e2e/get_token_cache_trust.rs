//! The token cache in hostile directories, through the binary: shared or foreign directories are
//! refused and left alone, planted entries (other readers, FIFOs, devices) are ignored without
//! blocking, the lock wait is announced and bounded, logout waits for a refresh in flight, and
//! temp files orphaned by kill -9 are swept.

use crate::support::get_token as get_token_support;
use get_token_support::*;
use std::fs::File;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Runs `cmd` to completion, failing the test (and killing the process) if it takes a minute:
/// a FIFO or a lock must never hang it.
fn output_within_a_minute(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "still running after a minute; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A shared directory like /tmp: world-writable and sticky.
fn shared_dir(root: &Path) -> PathBuf {
    let dir = root.join("x");
    std::fs::create_dir(&dir).unwrap();
    chmod(&dir, 0o1777);
    dir
}

#[test]
fn a_shared_token_cache_dir_is_refused_in_one_line_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let shared = shared_dir(root.path());
    let mut cmd = Command::new(crate::support::plugin_bin());
    cmd.args(["get-token", "--token-cache", "file", "--token-cache-dir"])
        .arg(&shared)
        .args(["--tenant-id", "contoso.onmicrosoft.com", "--timeout", "5s"])
        .env("HOME", root.path())
        .env_remove("KUBERNETES_EXEC_INFO");
    let out = output_within_a_minute(cmd);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let text = stderr(&out);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {text}");
    assert!(lines[0].contains("refusing to keep tokens in"), "{text}");
    assert!(
        lines[0].contains("writable by other users (mode 1777)"),
        "{text}"
    );
    assert!(
        lines[0].contains(&format!(
            "such as {} or pass --token-cache-dir",
            shared.join("kubectl-entra").display()
        )),
        "{text}"
    );
    assert_eq!(mode(&shared), 0o1777, "never chmod-ed");
    assert_eq!(
        std::fs::read_dir(&shared).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn a_shared_sandbox_state_dir_is_refused_and_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let shared = shared_dir(root.path());
    let mut cmd = Command::new(crate::support::get_token::sandbox_support::bin());
    cmd.args(["sandbox", "--state-dir"])
        .arg(&shared)
        .arg("--port-file")
        .arg(root.path().join("p.json"))
        .env("HOME", root.path())
        .env("XDG_RUNTIME_DIR", root.path());
    let out = output_within_a_minute(cmd);
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(text.contains("refusing the state directory"), "{text}");
    assert!(text.contains("mode 1777"), "{text}");
    assert_eq!(mode(&shared), 0o1777, "never chmod-ed");
}

/// The cache dir is world-writable and holds a valid-looking entry: get-token must not print it
/// (before, the fast path did) and must not write there.
#[tokio::test]
async fn a_token_in_a_writable_cache_dir_is_never_printed() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let signed_in = client.sign_in(DEV, &[]).token();
    chmod(&client.cache_dir, 0o777);
    let out = output_within_a_minute(client.command("get-token", &[]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "the cached token must not be printed"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&signed_in));
    assert!(stderr(&out).contains("writable by other users (mode 0777)"));
    assert_eq!(mode(&client.cache_dir), 0o777, "never chmod-ed");
}

/// An entry others can read, or owned by another user, is a miss with one warning: get-token
/// signs in silently with the refresh token instead and replaces it.
#[tokio::test]
async fn a_planted_entry_is_ignored_with_one_warning() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let name = token_entry_name(&client);
    let path = client.cache_dir.join(&name);
    let mut planted = client.token_entry();
    planted["access_token"] = serde_json::json!("planted-token-from-someone-else");
    planted["expires_on"] = serde_json::json!(now() + 3600);
    std::fs::write(&path, planted.to_string()).unwrap();
    chmod(&path, 0o644);

    let out = output_within_a_minute(client.command("get-token", &[]));
    let text = stderr(&out);
    assert!(out.status.success(), "{text}");
    let token = credential_token(&String::from_utf8(out.stdout).unwrap());
    assert_ne!(token, "planted-token-from-someone-else");
    assert_eq!(
        text.matches("ignoring the cached entry").count(),
        1,
        "{text}"
    );
    assert!(text.contains("mode 0644"), "{text}");
    assert_eq!(mode(&path), 0o600, "replaced by our own entry");

    // Owned by another user (root can give it away).
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
        let out = output_within_a_minute(client.command("get-token", &[]));
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stderr(&out).contains("belongs to another user (uid 4242)"));
    }
}

fn token_entry_name(client: &Client) -> String {
    client
        .cache_files()
        .into_iter()
        .find(|n| n.starts_with("token-") && n.ends_with(".json"))
        .expect("a token entry")
}

/// A FIFO (nobody writing) or a symlink to /dev/zero in the entry's place: no hang, no 2 GB read.
#[tokio::test]
async fn a_fifo_or_device_entry_neither_blocks_nor_is_read() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let name = token_entry_name(&client);
    let path = client.cache_dir.join(&name);
    for plant in ["fifo", "zero"] {
        std::fs::remove_file(&path).unwrap();
        match plant {
            "fifo" => rustix::fs::mknodat(
                rustix::fs::CWD,
                &path,
                rustix::fs::FileType::Fifo,
                rustix::fs::Mode::from_raw_mode(0o600),
                0,
            )
            .unwrap(),
            _ => std::os::unix::fs::symlink("/dev/zero", &path).unwrap(),
        }
        let out = output_within_a_minute(client.command("get-token", &[]));
        let text = stderr(&out);
        assert!(out.status.success(), "{plant}: {text}");
        credential_token(&String::from_utf8(out.stdout).unwrap());
        assert!(
            text.contains("ignoring the cached entry"),
            "{plant}: {text}"
        );
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file(), "{plant}: replaced by a regular entry");
    }
}

/// Waits (up to a minute) for a stderr line containing `text`.
fn wait_for_line(running: &mut Running, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    // try_user_code drains the lines that have arrived into `seen`.
    while {
        running.try_user_code();
        !running.seen.iter().any(|l| l.contains(text))
    } {
        assert!(
            Instant::now() < deadline,
            "no {text:?} on stderr: {:?}",
            running.seen
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Holds a key's lock the way another kubectl-entra would.
fn hold_lock(client: &Client, prefix: &str) -> File {
    let name = client
        .cache_files()
        .into_iter()
        .find(|n| n.starts_with(prefix) && n.ends_with(".lock"))
        .unwrap_or_else(|| format!("{prefix}missing.lock"));
    let file = File::options()
        .write(true)
        .open(client.cache_dir.join(name))
        .expect("lock file");
    file.lock().unwrap();
    file
}

/// Finding 9: a waiting get-token says so after about a second, and carries on once the holder
/// lets go.
#[tokio::test]
async fn a_waiting_get_token_says_so_and_continues_when_the_lock_is_free() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    client.set_expiry(now() - 10);
    let held = hold_lock(&client, "token-");
    let mut running = client.spawn("get-token", &[]);
    wait_for_line(&mut running, "another kubectl-entra is signing in");
    drop(held);
    let done = running.finish();
    done.token();
    assert_eq!(
        done.stderr.matches("is signing in").count(),
        1,
        "{}",
        done.stderr
    );
}

/// Finding 9: the wait is bounded; the error names the lock file and what to do.
#[tokio::test]
async fn a_lock_held_too_long_is_given_up_with_a_clear_error() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let _held = hold_lock(&client, "token-");
    let out = output_within_a_minute(client.command("logout", &["--timeout", "2s"]));
    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains("another kubectl-entra process has held the token cache lock"),
        "{text}"
    );
    assert!(text.contains(".lock for 2s"), "{text}");
    assert!(
        client
            .cache_files()
            .iter()
            .any(|n| n.starts_with("token-") && n.ends_with(".json"))
    );
}

/// Finding 8: a refresh in flight holds the lock and writes its token just before letting go;
/// logout waits for it and removes what it wrote, for one key and for --all.
#[tokio::test]
async fn logout_waits_for_a_refresh_in_flight() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    for args in [&[][..], &["--all"][..]] {
        client.sign_in(DEV, &[]).token();
        let written = client.snapshot();
        let held = hold_lock(&client, "token-");
        let mut running = client.spawn("logout", args);
        wait_for_line(&mut running, "another kubectl-entra is signing in");
        // The "refresh" finishes: it writes its entries, then unlocks.
        for (name, bytes) in &written {
            std::fs::write(client.cache_dir.join(name), bytes).unwrap();
        }
        drop(held);
        let done = running.finish();
        assert!(done.status.success(), "{args:?}: {}", done.stderr);
        let left: Vec<_> = client
            .cache_files()
            .into_iter()
            .filter(|n| n.ends_with(".json"))
            .collect();
        assert!(left.is_empty(), "{args:?}: logout was overtaken: {left:?}");
    }
}

/// Finding 10: temp files left by kill -9 (they hold refresh tokens) go on the next write and
/// on logout; a live writer's fresh temp file is never touched.
#[tokio::test]
async fn orphaned_temp_files_are_swept_by_the_next_write_and_by_logout() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let plant = |name: &str, age: Duration| {
        let path = client.cache_dir.join(name);
        let file = File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        chmod(&path, 0o600);
    };
    plant(".tmp-orphan1.partial", Duration::from_secs(600));
    plant(".tmp-fresh.partial", Duration::ZERO);
    client.set_expiry(now() - 10);
    let out = client.run("get-token", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = client.cache_files();
    assert!(
        !files.contains(&".tmp-orphan1.partial".to_string()),
        "{files:?}"
    );
    assert!(
        files.contains(&".tmp-fresh.partial".to_string()),
        "{files:?}"
    );

    plant(".tmp-orphan2.partial", Duration::ZERO);
    let out = client.run("logout", &["--all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = client.cache_files();
    assert!(files.iter().all(|n| n.ends_with(".lock")), "{files:?}");
}
