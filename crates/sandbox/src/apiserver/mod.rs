//! The Kubernetes API stand-in: HTTPS on loopback, AKS-style token authentication, RBAC
//! authorization, in-memory objects persisted in the state dir.
//!
//! Simplifications (kubectl does not notice them): legacy discovery only (kubectl falls back
//! from aggregated discovery), a generated OpenAPI v3 stub that only says which PATCH query
//! parameters are supported, server-side apply field ownership with every list atomic (see
//! `managed`), strategic merge patch as a JSON merge patch, pods stored but never run (phase
//! `Pending`), groups overage tokens authenticated without group lookup.

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
        authn: authn::Authenticator::new(&cfg.issuer, &cfg.audience, &cfg.jwks, &cfg.admin_token),
        stats: cfg.stats.clone(),
        events,
        server_address: addr.to_string(),
    });
    let app = axum::Router::new()
        .fallback(handlers::entry)
        .with_state(state);
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
