//! can-i and whoami argument handling that needs no cluster: usage errors and their exit codes.

use std::process::{Command, Output};

fn run(args: &[&str], kubeconfig: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", kubeconfig.parent().expect("dir"))
        .output()
        .expect("run")
}

fn kubeconfig() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config");
    // A server nobody listens on: these checks must fail before any request.
    std::fs::write(
        &path,
        "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:9\"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user: {token: t}\n",
    )
    .expect("write");
    (dir, path)
}

#[test]
fn usage_errors_exit_2_never_1_which_means_no() {
    let (_dir, path) = kubeconfig();
    let out = run(&["can-i"], &path);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["can-i", "get"], &path);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["can-i", "--list", "--matrix"], &path);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["can-i", "get", "pods", "-n", "dev", "-A"], &path);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_combinations_say_what_to_do() {
    let (_dir, path) = kubeconfig();
    let out = run(&["can-i", "get", "pods", "--as-group", "g"], &path);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-group needs --as"));
    let out = run(&["can-i", "get", "/logs", "--subresource", "log"], &path);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--subresource can not be used with NonResourceURL")
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unreachable_cluster_is_an_error_not_a_no() {
    let (_dir, path) = kubeconfig();
    let out = run(&["can-i", "get", "/healthz"], &path);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an error, never the 1 of \"no\""
    );
    assert!(out.stdout.is_empty(), "no yes/no answer on stdout");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error:"));
    let out = run(&["whoami"], &path);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
