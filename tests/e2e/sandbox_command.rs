//! `kubectl entra sandbox` as a command: `sandbox approve`, restarts, signals, and the files it
//! writes.

use crate::support::sandbox as support;

use std::process::Command;
use support::*;

fn approve(args: &[&str], runtime_dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(bin())
        .args(["sandbox", "approve"])
        .args(args)
        .env("XDG_RUNTIME_DIR", runtime_dir)
        .env_remove("KUBECTL_ENTRA_SANDBOX")
        .output()
        .expect("run approve");
    assert!(out.stdout.is_empty(), "approve prints nothing on stdout");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn approve_command_submits_the_page() {
    let sb = Sandbox::start(&[]);
    let pf = sb.port_file.to_string_lossy().into_owned();
    let dc = sb.aks_devicecode().await;
    let uc = dc["user_code"].as_str().expect("uc");
    let (code, err) = approve(
        &[uc, "--user", "aksdev@contoso.com", "--port-file", &pf],
        sb.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("as aksdev@contoso.com"), "{err}");
    let (s, tok) = sb.poll(dc["device_code"].as_str().expect("dc")).await;
    assert_eq!(s, 200, "{tok}");
    // A used code fails with exit 1 and says why.
    let (code, err) = approve(
        &[uc, "--user", "aksdev@contoso.com", "--port-file", &pf],
        sb.dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("already been used"), "{err}");

    // --decline, found through the remembered last sandbox (no flags).
    let dc = sb.aks_devicecode().await;
    let uc = dc["user_code"].as_str().expect("uc");
    let (code, err) = approve(
        &[uc, "--user", "akssre@contoso.com", "--decline"],
        sb.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let (s, e) = sb.poll(dc["device_code"].as_str().expect("dc")).await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "authorization_declined");

    // --url, an unknown user, and an unknown code.
    let dc = sb.aks_devicecode().await;
    let uc = dc["user_code"].as_str().expect("uc");
    let base = sb.base();
    let (code, err) = approve(
        &[uc, "--user", "nobody@contoso.com", "--url", &base],
        sb.dir.path(),
    );
    assert_eq!(code, 1);
    assert!(err.contains("no such user"), "{err}");
    let (code, _) = approve(
        &["ZZZZZZZZZ", "--user", "aksdev@contoso.com", "--url", &base],
        sb.dir.path(),
    );
    assert_eq!(code, 1);
    let (code, err) = approve(
        &[uc, "--user", "aksdev@contoso.com", "--url", &base],
        sb.dir.path(),
    );
    assert_eq!(code, 0, "{err}");
}

#[cfg(unix)] // kill -TERM
#[tokio::test]
async fn restart_keeps_keys_and_sigterm_exits_cleanly() {
    let sb = Sandbox::start(&[]);
    let (_, jwks1) = sb.get_json(&sb.s("jwks_uri")).await;
    let state = sb.state_dir();
    let token1 = std::fs::read_to_string(state.join("admin-token")).expect("admin token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["signing-key.pem", "admin-token", "sandbox.json"] {
            let mode = std::fs::metadata(state.join(f))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        let mode = std::fs::metadata(&state)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let own: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("sandbox.json")).expect("own"))
            .expect("json");
    assert_eq!(own, sb.info);
    for key in [
        "authority_host",
        "tenant_id",
        "issuer",
        "client_id",
        "server_id",
        "devicecode_endpoint",
        "token_endpoint",
        "jwks_uri",
        "verification_uri",
        "graph_endpoint",
        "stats_url",
        "faults_url",
        "state_dir",
    ] {
        assert!(sb.info[key].is_string(), "{key} in the port file");
    }
    assert_eq!(sb.s("graph_endpoint"), format!("{}/v1.0", sb.base()));

    // SIGTERM: the sandbox stops and exits 0.
    let mut sb = sb;
    let pid = sb.child.id().to_string();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = sb.child.wait().expect("wait");
    assert_eq!(exit.code(), Some(0), "{}", sb.stderr());
    assert!(sb.stderr().contains("Stopping the sandbox"));

    // Restart on the same state dir: same signing key and admin token.
    let dir = std::mem::replace(&mut sb.dir, tempfile::tempdir().expect("tmp"));
    drop(sb);
    let sb2 = Sandbox::start_in(dir, &[]);
    let (_, jwks2) = sb2.get_json(&sb2.s("jwks_uri")).await;
    assert_eq!(jwks1, jwks2);
    let token2 = std::fs::read_to_string(sb2.state_dir().join("admin-token")).expect("admin token");
    assert_eq!(token1, token2);
}

#[test]
fn walkthrough_names_the_groups_and_the_steps() {
    let sb = Sandbox::start(&[]);
    let appdev = sb.info["groups"]["appdev"]
        .as_str()
        .expect("appdev")
        .to_string();
    let opssre = sb.info["groups"]["opssre"]
        .as_str()
        .expect("opssre")
        .to_string();
    // The command prints the walkthrough right after writing the port file, ending with its path.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !sb.stderr().contains("Port file:") {
        assert!(std::time::Instant::now() < deadline, "{}", sb.stderr());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let err = sb.stderr();
    assert!(err.contains(&appdev) && err.contains(&opssre), "{err}");
    assert!(err.contains(&sb.s("verification_uri")));
    let dev =
        std::fs::read_to_string(sb.state_dir().join("walkthrough/dev.yaml")).expect("dev.yaml");
    assert!(dev.contains(&appdev) && dev.contains("dev-user-full-access"));
    let sre =
        std::fs::read_to_string(sb.state_dir().join("walkthrough/sre.yaml")).expect("sre.yaml");
    assert!(sre.contains(&opssre));
    if sb.info.get("api_server").is_some() {
        assert!(err.contains("kubectl get pods --namespace dev"));
        assert!(err.contains("aksdev@contoso.com"));
        let user = std::fs::read_to_string(sb.s("user_kubeconfig")).expect("user kubeconfig");
        assert!(user.contains("get-token") && user.contains(&sb.base()));
    }
}
