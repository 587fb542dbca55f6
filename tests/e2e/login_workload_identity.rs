//! `--login workloadidentity` end to end, as in an AKS pod: the kubeconfig names only the mode
//! and the server; the webhook's variables (AZURE_CLIENT_ID, AZURE_TENANT_ID,
//! AZURE_AUTHORITY_HOST, AZURE_FEDERATED_TOKEN_FILE) say the rest, and the sandbox exchanges its
//! service-account token through the federated identity credential. Expired or unreadable token
//! files are one line with the fix, no request and nothing cached.

use crate::login_spn::{app, cached, whoami};
use crate::support::get_token::{AKS_SERVER, Client, Sandbox, count};
use base64::Engine as _;
use std::path::{Path, PathBuf};

/// A kubeconfig whose exec entry gets everything else from the webhook's variables.
fn pod_kubeconfig(sb: &Sandbox, home: &Path, token_file: &Path) -> PathBuf {
    let cache = home.join("cache");
    let args = [
        "get-token",
        "--login",
        "workloadidentity",
        "--server-id",
        AKS_SERVER,
        "--token-cache",
        "file",
        "--token-cache-dir",
        cache.to_str().expect("utf-8"),
    ];
    let (client, tenant, authority) = (app(sb, "workload_client_id"), sb.tid(), sb.base());
    let file = token_file.to_str().expect("utf-8").to_string();
    let env = [
        ("AZURE_CLIENT_ID", client.as_str()),
        ("AZURE_TENANT_ID", tenant.as_str()),
        ("AZURE_AUTHORITY_HOST", authority.as_str()),
        ("AZURE_FEDERATED_TOKEN_FILE", file.as_str()),
    ];
    sb.exec_kubeconfig(&home.join("pod.kubeconfig"), &args, &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_signs_in_with_its_service_account_token() {
    let sb = Sandbox::start(&[]);
    let home = tempfile::tempdir().expect("home");
    let token_file = PathBuf::from(app(&sb, "federated_token_file"));
    let config = pod_kubeconfig(&sb, home.path(), &token_file);
    assert_eq!(whoami(&config, home.path()), app(&sb, "workload_object_id"));
    assert_eq!(whoami(&config, home.path()), app(&sb, "workload_object_id"));
    assert_eq!(
        count(&sb.stats().await, "token", "client_credentials"),
        1,
        "the second kubectl call is answered from the cache"
    );
    assert_eq!(cached(&home.path().join("cache")).len(), 1);
}

/// An unsigned JWT with these claims (the plugin checks `exp` before sending it).
fn token_with(claims: serde_json::Value) -> String {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2ln",
        enc.encode(r#"{"alg":"RS256","kid":"k"}"#),
        enc.encode(claims.to_string())
    )
}

fn failure(sb: &Sandbox, client: &Client, token_file: &Path) -> String {
    let out = client.run(
        "get-token",
        &[
            "--server-id",
            AKS_SERVER,
            "--login",
            "workloadidentity",
            "--client-id",
            &app(sb, "workload_client_id"),
            "--federated-token-file",
            token_file.to_str().expect("utf-8"),
        ],
    );
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        cached(&client.cache_dir)
            .iter()
            .all(|n| !n.starts_with("token-")),
        "{:?}",
        cached(&client.cache_dir)
    );
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_unreadable_or_untrusted_token_files_are_one_line_with_the_fix() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let dir = tempfile::tempdir().expect("dir");

    let expired = dir.path().join("expired");
    let now = jiff::Timestamp::now().as_second();
    std::fs::write(&expired, token_with(serde_json::json!({"exp": now - 120}))).expect("write");
    let e = failure(&sb, &client, &expired);
    assert!(
        e.contains("expired") && e.contains("projected token volume"),
        "{e}"
    );

    let e = failure(&sb, &client, &dir.path().join("missing"));
    assert!(e.contains("cannot read the federated token file"), "{e}");
    assert!(e.contains("AZURE_FEDERATED_TOKEN_FILE"), "{e}");
    // Neither was sent.
    assert_eq!(count(&sb.stats().await, "token", "client_credentials"), 0);

    // A token the application does not trust (forged, another issuer): Entra's refusal, with
    // what to check.
    let forged = dir.path().join("forged");
    std::fs::write(
        &forged,
        token_with(serde_json::json!({
            "iss": "https://token.actions.githubusercontent.com",
            "sub": "repo:contoso/app:ref:refs/heads/main",
            "aud": ["api://AzureADTokenExchange"],
            "exp": now + 600,
        })),
    )
    .expect("write");
    let e = failure(&sb, &client, &forged);
    assert!(
        e.contains("AADSTS700211") && e.contains("federated identity credential"),
        "{e}"
    );
}
