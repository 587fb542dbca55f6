//! End to end with the real kubectl: a kubeconfig user whose exec entry runs the built
//! kubectl-entra, against a loopback HTTPS stand-in for the API server that records the bearer
//! token it receives. The token must be the emulator's token for the approved user.

use crate::support::get_token as get_token_support;
use axum::http::HeaderMap;
use base64::Engine as _;
use get_token_support::*;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// An HTTPS server on 127.0.0.1 with a self-signed certificate; records every bearer token.
struct StandIn {
    url: String,
    ca_pem: String,
    tokens: Arc<Mutex<Vec<String>>>,
}

async fn start_stand_in() -> StandIn {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let ca_pem = cert.cert.pem();
    let key_pem = cert.signing_key.serialize_pem();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(
        ca_pem.clone().into_bytes(),
        key_pem.into_bytes(),
    )
    .await
    .unwrap();
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let recorded = tokens.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let recorded = recorded.clone();
        async move {
            if let Some(token) = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
            {
                recorded.lock().unwrap().push(token.to_string());
            }
            axum::Json(
                serde_json::json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-standin"}),
            )
        }
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = axum_server::from_tcp_rustls(listener, config).unwrap();
    tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    StandIn {
        url: format!("https://127.0.0.1:{port}"),
        ca_pem,
        tokens,
    }
}

fn kubeconfig(client: &Client, stand_in: &StandIn) -> std::path::PathBuf {
    let ca = base64::engine::general_purpose::STANDARD.encode(&stand_in.ca_pem);
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "standin", "cluster": {"server": stand_in.url, "certificate-authority-data": ca}}],
        "users": [{"name": "entra", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sandbox_support::bin(),
            "args": ["get-token",
                "--authority-host", client.authority,
                "--tenant-id", client.tenant,
                "--server-id", AKS_SERVER,
                "--token-cache", "file",
                "--token-cache-dir", client.cache_dir.to_str().unwrap()],
            "interactiveMode": "IfAvailable",
        }}}],
        "contexts": [{"name": "standin", "context": {"cluster": "standin", "user": "entra"}}],
        "current-context": "standin",
    });
    let path = client.home.path().join("kubeconfig");
    std::fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
    path
}

fn kubectl(client: &Client, kubeconfig: &std::path::Path) -> Command {
    let mut cmd = Command::new("kubectl");
    cmd.args(["get", "--raw", "/version"])
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", client.home.path())
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_AUTHORITY_HOST")
        .env_remove("KUBECTL_ENTRA_TOKEN_CACHE")
        .stdin(Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_kubectl_sends_the_emulator_token_of_the_approved_user() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let stand_in = start_stand_in().await;
    let config = kubeconfig(&client, &stand_in);

    // First call: kubectl runs the plugin, which shows a device code on kubectl's stderr.
    let mut child = kubectl(&client, &config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl on PATH");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let code = loop {
        let line = lines
            .next()
            .expect("kubectl ended without a device-code prompt")
            .unwrap();
        if let Some(rest) = line.split("enter the code ").nth(1) {
            break rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>();
        }
    };
    client.approve(&code, DEV, false);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "kubectl failed");
    assert!(String::from_utf8_lossy(&out.stdout).contains("v1.33.0-standin"));

    let token = stand_in
        .tokens
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("a bearer token");
    let (_, claims) = sandbox
        .verify(&token, AKS_SERVER, &sandbox.s("issuer"))
        .await;
    assert_eq!(claims["upn"], DEV);
    assert_eq!(claims["tid"], sandbox.tid().as_str());

    // Second kubectl: the plugin answers from its cache, no request to the emulator.
    let before = sandbox.stats().await;
    let cfg = config.clone();
    let client_home = client.home.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("kubectl")
            .args(["get", "--raw", "/version"])
            .env("KUBECONFIG", &cfg)
            .env("HOME", &client_home)
            .stdin(Stdio::null())
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stand_in.tokens.lock().unwrap().last(), Some(&token));
    assert_eq!(sandbox.stats().await, before);
}
