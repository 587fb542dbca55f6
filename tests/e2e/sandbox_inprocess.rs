//! The library entry point `kubectl_entra_sandbox::run`, for tests that want a sandbox inside
//! their own process (no child process, no port file polling).

use kubectl_entra_sandbox::{SandboxOptions, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_until_shutdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = run(SandboxOptions {
        state_dir: Some(dir.path().join("state")),
        port_file: Some(dir.path().join("p.json")),
        auto_approve: Some("aksdev@contoso.com".to_string()),
        poll_interval: 0,
        remember: false,
        ..SandboxOptions::default()
    })
    .await
    .expect("sandbox starts");
    let info = sandbox.info.clone();
    assert_eq!(
        kubectl_entra_sandbox::SandboxInfo::read(&dir.path().join("p.json")).expect("port file"),
        info
    );
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let dc: serde_json::Value = http
        .post(&info.devicecode_endpoint)
        .form(&[
            ("client_id", info.client_id.as_str()),
            (
                "scope",
                &format!("{}/.default offline_access", info.server_id),
            ),
        ])
        .send()
        .await
        .expect("devicecode")
        .json()
        .await
        .expect("json");
    let r = http
        .post(&info.token_endpoint)
        .form(&[
            ("grant_type", "device_code"),
            ("client_id", info.client_id.as_str()),
            ("device_code", dc["device_code"].as_str().expect("dc")),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), 200);
    assert_eq!(sandbox.state.stats.get("token", "device_code"), 1);

    let base = info.authority_host.clone();
    sandbox.shutdown().await.expect("clean shutdown");
    assert!(
        http.get(format!("{base}/_sandbox/stats"))
            .send()
            .await
            .is_err()
    );
}
