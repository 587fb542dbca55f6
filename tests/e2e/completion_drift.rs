//! The checked-in completion scripts must equal what the binary generates today.

use std::path::Path;
use std::process::Command;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "kubectl-entra.bash"),
    ("zsh", "_kubectl-entra"),
    ("fish", "kubectl-entra.fish"),
    ("powershell", "kubectl-entra.ps1"),
    ("kubectl-plugin", "kubectl_complete-entra"),
];

#[test]
fn checked_in_completion_scripts_match_the_generator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let mut drifted = Vec::new();
    for (shell, file) in SCRIPTS {
        let out = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
            .args(["completion", shell])
            .output()
            .expect("run kubectl-entra completion");
        assert!(out.status.success(), "completion {shell} failed: {out:?}");
        assert!(!out.stdout.is_empty(), "completion {shell} printed nothing");
        let checked_in = std::fs::read(dir.join(file)).unwrap_or_default();
        if checked_in != out.stdout {
            drifted.push(format!("completions/{file}"));
        }
    }
    assert!(
        drifted.is_empty(),
        "{} differ from `kubectl-entra completion <shell>`; regenerate them with \
         `scripts/gen-completions.sh` and commit the result",
        drifted.join(", ")
    );
}

#[cfg(unix)]
#[test]
fn kubectl_plugin_completion_helper_is_executable() {
    use std::os::unix::fs::PermissionsExt;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl_complete-entra");
    let mode = std::fs::metadata(&path)
        .expect("helper exists")
        .permissions()
        .mode();
    assert_ne!(mode & 0o111, 0, "{} must be executable", path.display());
}
