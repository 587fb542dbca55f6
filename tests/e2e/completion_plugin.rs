//! `kubectl entra completion kubectl-plugin` prints the `kubectl_complete-entra` helper; run
//! the way kubectl runs it (its name, the words after `entra`, the plugin on PATH), it
//! completes flags, values and the cluster's namespaces.

use crate::support::can_i::{Sandbox, text};
use std::path::Path;
use std::process::{Command, Output};

fn install_helper(dir: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .args(["completion", "kubectl-plugin"])
        .output()
        .expect("completion kubectl-plugin");
    assert!(out.status.success());
    let helper = dir.join("kubectl_complete-entra");
    std::fs::write(&helper, &out.stdout).expect("write helper");
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    helper
}

/// kubectl's call: `kubectl_complete-entra WORDS...` with the plugin on PATH.
fn complete(helper: &Path, kubeconfig: &Path, words: &[&str]) -> Output {
    let plugin_dir = Path::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .parent()
        .expect("bin dir");
    let path = std::env::join_paths([helper.parent().expect("dir"), plugin_dir]).expect("PATH");
    Command::new("kubectl_complete-entra")
        .args(words)
        .env("PATH", path)
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("run kubectl_complete-entra")
}

#[test]
fn the_printed_helper_completes_like_kubectl_calls_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let helper = install_helper(dir.path());
    let checked_in = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl_complete-entra"),
    )
    .expect("checked-in helper");
    assert_eq!(std::fs::read(&helper).expect("helper"), checked_in);
    let missing = dir.path().join("no-kubeconfig");
    let out = complete(&helper, &missing, &["bind", "--ro"]);
    assert_eq!(text(&out.stdout), "--role\n:4\n", "{}", text(&out.stderr));
    let out = complete(&helper, &missing, &["completion", "ku"]);
    assert_eq!(text(&out.stdout), "kubectl-plugin\n:4\n");
    // No cluster: no namespaces, and no error either.
    let out = complete(&helper, &missing, &["bindings", "-n", ""]);
    assert_eq!(text(&out.stdout), ":4\n");
}

#[test]
fn namespaces_complete_from_the_cluster() {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    sb.article();
    let dir = tempfile::tempdir().expect("tempdir");
    let helper = install_helper(dir.path());
    let out = complete(&helper, &sb.admin_kubeconfig(), &["bindings", "-n", "d"]);
    let got = text(&out.stdout);
    assert!(
        got.lines().any(|l| l == "dev"),
        "{got} {}",
        text(&out.stderr)
    );
    assert!(!got.lines().any(|l| l == "sre"), "{got}");
    let out = complete(&helper, &sb.admin_kubeconfig(), &["can-i", "--namespace=s"]);
    assert!(
        text(&out.stdout).lines().any(|l| l == "--namespace=sre"),
        "{}",
        text(&out.stdout)
    );
    // A user with no cached token is never asked to sign in by a TAB: nothing is offered.
    let out = complete(&helper, &sb.user_kubeconfig(), &["bindings", "-n", ""]);
    assert_eq!(text(&out.stdout), ":4\n", "{}", text(&out.stderr));
}
