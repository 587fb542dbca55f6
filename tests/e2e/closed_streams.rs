//! Streams a parent may close or leave: a closed stderr (`2>&-`), a reader that went away
//! (`| head`), a pipe instead of a terminal for `-v` logs. None of them may panic (exit 101)
//! or put colour escapes where no terminal reads them.

use crate::support::plugin_bin;
use std::process::{Command, Stdio};

/// Runs the plugin with stderr a pipe whose reader is gone (kubectl or a `2>&1 | head` went
/// away): every write to it fails with EPIPE. (A stderr closed with `2>&-` is reopened on
/// /dev/null by Rust's runtime before `main`.)
fn with_stderr_gone(args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    Command::new(plugin_bin())
        .args(args)
        .env("HOME", std::env::temp_dir())
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .stderr(writer)
        .output()
        .expect("run kubectl-entra")
}

#[test]
fn a_closed_stderr_is_an_exit_code_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing-kubeconfig");
    let missing = missing.to_str().expect("utf-8 path");
    // The error line.
    let out = with_stderr_gone(&["whoami", "--kubeconfig", missing]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    // Messages on a path that succeeds.
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    auth-provider:\n      name: azure\n      config: {tenant-id: t, apiserver-id: s, client-id: c, config-mode: \"1\"}\n",
    )
    .expect("write kubeconfig");
    let out = with_stderr_gone(&[
        "convert-kubeconfig",
        "--dry-run",
        "--kubeconfig",
        kubeconfig.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("kubectl-entra"),
        "{out:?}"
    );
    // Logs (`-v`) go to the same stderr.
    let out = with_stderr_gone(&["whoami", "-v", "9", "--kubeconfig", missing]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn a_reader_that_went_away_ends_the_command_quietly() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(plugin_bin())
        .args(["completion", "bash"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run kubectl-entra");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn verbose_logs_to_a_pipe_have_no_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing-kubeconfig");
    for no_color in [None, Some("1")] {
        let mut cmd = Command::new(plugin_bin());
        cmd.args(["whoami", "-v", "9", "--kubeconfig"])
            .arg(&missing)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().expect("run kubectl-entra");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("reading the kubeconfig"), "{stderr}");
        assert!(stderr.contains("DEBUG"), "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    }
}
