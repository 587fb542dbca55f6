//! The sandbox binary's command line. (This test also makes `cargo test --workspace` build the
//! binary that the plugin's end-to-end tests start.)

use std::process::Command;

fn sandbox() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubectl-entra-sandbox"))
}

#[test]
fn help_names_the_command_users_type() {
    let out = sandbox().arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kubectl entra sandbox"), "{text}");
    assert!(text.contains("--state-dir"), "{text}");
    assert!(text.contains("approve"), "{text}");
}

#[test]
fn approve_without_a_sandbox_says_how_to_find_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sandbox()
        .args([
            "approve",
            "ABCD1234",
            "--user",
            "aksdev@contoso.com",
            "--port-file",
        ])
        .arg(dir.path().join("missing.json"))
        .env("HOME", dir.path())
        .env("XDG_RUNTIME_DIR", dir.path())
        .env_remove("KUBECTL_ENTRA_SANDBOX")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.starts_with("error: "), "{text}");
}
