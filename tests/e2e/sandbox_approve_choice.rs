//! With two sandboxes running, `sandbox approve` goes to the one named by --state-dir, else the
//! one the calling kubeconfig signs in against, not merely the last started; and says which.

use crate::support::get_token::{Client, DEV, Sandbox};
use std::process::{Command, Output};

fn approve(code: &str, env: &[(&str, &std::ffi::OsStr)], extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"));
    cmd.args(["sandbox", "approve", code, "--user", DEV])
        .args(extra)
        .env_remove("KUBECTL_ENTRA_SANDBOX");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("sandbox approve")
}

#[test]
fn approve_prefers_the_named_or_calling_sandbox_over_the_last_started() {
    let a = Sandbox::start(&[]);
    let b = Sandbox::start(&[]);
    let home = tempfile::tempdir().expect("home");
    let user_b = b.info["user_kubeconfig"]
        .as_str()
        .expect("user kubeconfig")
        .to_string();
    let user_a = a.info["user_kubeconfig"]
        .as_str()
        .expect("user kubeconfig")
        .to_string();
    // "Last started" points at A (its runtime dir), the kubeconfig at B.
    let runtime_a = a.dir.path().as_os_str();

    let client = Client::new(&b);
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    let out = approve(
        &code,
        &[
            ("XDG_RUNTIME_DIR", runtime_a),
            ("KUBECONFIG", user_b.as_ref()),
            ("HOME", home.path().as_os_str()),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&b.base()),
        "names the sandbox it talked to: {err}"
    );
    assert!(err.contains("current context"), "and why: {err}");
    assert!(running.finish().status.success());

    // --state-dir wins over the kubeconfig (which now points at A); a fresh client, so a new
    // device code.
    let client = Client::new(&b);
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    let state_b = b.state_dir();
    let out = approve(
        &code,
        &[
            ("XDG_RUNTIME_DIR", runtime_a),
            ("KUBECONFIG", user_a.as_ref()),
            ("HOME", home.path().as_os_str()),
        ],
        &["--state-dir", state_b.to_str().expect("utf-8 path")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("state directory"), "{err}");
    assert!(running.finish().status.success());
}
