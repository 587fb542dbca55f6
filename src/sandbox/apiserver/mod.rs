//! The Kubernetes API stand-in: HTTPS on loopback, AKS-style token authentication, RBAC
//! authorization, in-memory objects persisted in the state dir.
//!
//! INTERFACE CONTRACT (the sandbox orchestrator calls `start`; keep it stable).

use super::stats::Stats;
use std::path::PathBuf;
use std::sync::Arc;

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

/// Starts serving; returns once the port is bound.
pub async fn start(_cfg: ApiServerConfig) -> anyhow::Result<ApiServer> {
    anyhow::bail!("the Kubernetes API stand-in is not available in this build yet")
}
