//! Completion as users meet it: bash sourcing the generated script, and kubectl 1.26+ calling
//! `kubectl_complete-entra` for `kubectl entra <TAB>`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the built binary first (and `extra` before it), as an installed plugin would be.
fn path_with_binary(extra: Option<&Path>) -> std::ffi::OsString {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .parent()
        .expect("binary dir")
        .to_path_buf();
    let mut dirs: Vec<PathBuf> = extra.into_iter().map(Path::to_path_buf).collect();
    dirs.push(bin_dir);
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("join PATH")
}

fn lines(out: &std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "failed: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completion_offers_bind_for_bi() {
    let script = repo().join("completions/kubectl-entra.bash");
    let out = Command::new("bash")
        .arg("-c")
        .arg(
            r#"source "$1" || exit 3
COMP_WORDS=(kubectl-entra bi); COMP_CWORD=1; COMP_LINE="kubectl-entra bi"; COMP_POINT=${#COMP_LINE}
_kubectl__entra kubectl-entra bi kubectl-entra
printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(&script)
        .output()
        .expect("run bash");
    let got = lines(&out);
    assert!(got.contains(&"bind".to_owned()), "got {got:?}");
    assert!(!got.iter().any(|c| c == "whoami"), "got {got:?}");
}

#[test]
fn kubectl_complete_entra_answers_for_b() {
    let out = Command::new(repo().join("completions/kubectl_complete-entra"))
        .arg("b")
        .env("PATH", path_with_binary(None))
        .output()
        .expect("run kubectl_complete-entra");
    assert_eq!(lines(&out), ["bind", "bindings", ":4"]);
}

#[test]
fn kubectl_complete_entra_completes_flag_values() {
    let out = Command::new(repo().join("completions/kubectl_complete-entra"))
        .args(["bindings", "-o", ""])
        .env("PATH", path_with_binary(None))
        .output()
        .expect("run kubectl_complete-entra");
    assert_eq!(lines(&out), ["table", "wide", "name", "json", "yaml", ":4"]);
}

/// The real kubectl finds the helper on PATH and passes the words through.
#[test]
fn real_kubectl_uses_the_plugin_completion_helper() {
    let helper_dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        repo().join("completions/kubectl_complete-entra"),
        helper_dir.path().join("kubectl_complete-entra"),
    )
    .expect("copy helper");
    let home = tempfile::tempdir().expect("temp home");
    let out = Command::new("kubectl")
        .args(["__complete", "entra", "b"])
        .env("PATH", path_with_binary(Some(helper_dir.path())))
        .env("HOME", home.path())
        .env("KUBECONFIG", home.path().join("none"))
        .output()
        .expect("run kubectl (needed by the end-to-end tests)");
    let got = lines(&out);
    assert!(got.contains(&"bind".to_owned()), "got {got:?}");
    assert!(got.contains(&"bindings".to_owned()), "got {got:?}");
}
