//! The Kubernetes API stand-in: HTTPS on loopback, AKS-style token authentication, RBAC
//! authorization, in-memory objects persisted in the state dir.
//!
//! Simplifications (kubectl does not notice them): legacy discovery only (kubectl falls back
//! from aggregated discovery), a generated OpenAPI v3 stub that only says which PATCH query
//! parameters are supported, server-side apply field ownership with every list atomic (see
//! `managed`), strategic merge patch as a JSON merge patch, pods stored but never run (phase
//! `Pending`); groups overage tokens get their groups from the sandbox directory, in-process.

mod apply;
mod authn;
mod authz;
pub(crate) mod body;
mod discovery;
mod handlers;
mod impersonation;
mod managed;
mod objects;
mod openapi;
mod patch;
pub(crate) mod protobuf;
mod request_info;
mod resources;
mod reviews;
mod seed;
mod selectors;
mod status;
mod store;
mod table;
pub(crate) mod tls;
mod validate;
mod watch;

use super::stats::Stats;
use anyhow::Context;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct ApiServerConfig {
    /// The server keeps its CA, certificates and objects under `state_dir/apiserver/`.
    pub state_dir: PathBuf,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Accepted token issuer, e.g. `https://sts.windows.net/{tid}/` (exact match).
    pub issuer: String,
    /// Accepted audience: the server application id.
    pub audience: String,
    /// The emulator's signing keys, `{"keys":[{kty,kid,n,e,...}]}` (RS256).
    pub jwks: serde_json::Value,
    /// A static bearer token for the admin kubeconfig: user `sandbox-admin`, group `system:masters`.
    pub admin_token: String,
    /// Entra group object ids bound to `cluster-admin` when the cluster is first created, as
    /// AKS does for `--aad-admin-group-object-ids` (ClusterRoleBinding `aks-cluster-admin-binding-aad`).
    pub cluster_admin_groups: Vec<String>,
    pub stats: Arc<Stats>,
    /// `POST /_sandbox/faults` with `"endpoint":"api"`: delays or failures of API requests.
    pub faults: Option<Arc<super::faults::Faults>>,
    /// The directory overage tokens' groups are looked up in (AKS asks Microsoft Graph).
    pub directory: Option<Arc<crate::tenant::Tenant>>,
}

/// A running API server. Dropping it does not stop it; it lives as long as the runtime.
pub struct ApiServer {
    /// `https://127.0.0.1:PORT`
    pub url: String,
    /// PEM of the CA that signed the serving certificate.
    pub ca_pem: String,
    pub ca_file: PathBuf,
}

/// Shared by every request.
pub(crate) struct AppState {
    store: Mutex<store::Store>,
    authn: authn::Authenticator,
    stats: Arc<Stats>,
    events: tokio::sync::broadcast::Sender<watch::Event>,
    server_address: String,
}

impl AppState {
    fn store(&self) -> std::sync::MutexGuard<'_, store::Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The next queued `api` fault: its delay, then its status as a Kubernetes Status (or the
/// request as usual when it only delays).
async fn api_faults(
    axum::extract::State(faults): axum::extract::State<Arc<super::faults::Faults>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let Some(fault) = faults.take(super::faults::FaultEndpoint::Api) else {
        return next.run(request).await;
    };
    if let Some(ms) = fault.delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    let Some(status) = fault
        .status
        .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
    else {
        return next.run(request).await;
    };
    let body = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Injected by the sandbox fault.", "code": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

/// Starts serving; returns once the port is bound.
pub async fn start(cfg: ApiServerConfig) -> anyhow::Result<ApiServer> {
    let dir = cfg.state_dir.join("apiserver");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
    }
    let certs = tls::load_or_create(&dir)?;
    let store = store::Store::open(&dir, &cfg.cluster_admin_groups)?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", cfg.port))
        .with_context(|| format!("binding 127.0.0.1:{}", cfg.port))?;
    let addr = listener.local_addr()?;
    let (events, _) = tokio::sync::broadcast::channel(1024);
    let state = Arc::new(AppState {
        store: Mutex::new(store),
        authn: authn::Authenticator::new(&cfg.issuer, &cfg.audience, &cfg.jwks, &cfg.admin_token)
            .with_directory(cfg.directory.clone()),
        stats: cfg.stats.clone(),
        events,
        server_address: addr.to_string(),
    });
    let faults = cfg.faults.clone().unwrap_or_default();
    let app = axum::Router::new()
        .fallback(handlers::entry)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(faults, api_faults));
    let server = axum_server::from_tcp_rustls(listener, tls::rustls_config(&certs)?)?;
    tokio::spawn(async move {
        if let Err(e) = server.serve(app.into_make_service()).await {
            tracing::error!("API server stopped: {e}");
        }
    });
    Ok(ApiServer {
        url: format!("https://{addr}"),
        ca_pem: certs.ca_pem,
        ca_file: certs.ca_file,
    })
}
