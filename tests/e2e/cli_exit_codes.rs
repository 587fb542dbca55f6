//! Usage errors exit 1 as kubectl's do (not clap's 2); can-i keeps 0 yes / 1 no and answers
//! every error, usage errors included, with 2, as its help says.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .args(args)
        .env("HOME", dir.path())
        .env("KUBECONFIG", dir.path().join("missing"))
        .output()
        .expect("run kubectl-entra")
}

#[test]
fn usage_errors_exit_1_like_kubectl() {
    for args in [
        &["bindings", "--no-such-flag"][..],
        &["bind", "--group", "g"],
        &["unbind", "--dry-run=maybe", "--group", "g", "-n", "dev"],
        &["whoami", "-o", "wide"],
        &["login", "--token-cache", "nowhere"],
        &["no-such-command"],
        &["-v", "3", "bindings", "--request-timeout", "soon"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    // Help is not an error.
    assert_eq!(run(&["bindings", "--help"]).status.code(), Some(0));
}

#[test]
fn can_i_errors_exit_2_and_its_help_says_so() {
    for args in [
        &["can-i"][..],
        &["can-i", "--list", "--matrix"],
        &["--v", "2", "can-i", "get", "pods", "--no-such-flag"],
        // Not a usage error: the kubeconfig is missing. Still 2, never the 1 of "no".
        &["can-i", "get", "pods"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let help = String::from_utf8_lossy(&run(&["can-i", "--help"]).stdout).into_owned();
    assert!(
        help.contains("exit 0 for yes, 1 for no, 2 for an error"),
        "{help}"
    );
}
