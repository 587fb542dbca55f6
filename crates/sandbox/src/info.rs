//! The port file: where a running sandbox serves what. Tests and `sandbox approve` read it.

use super::files::write_private;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxInfo {
    /// `http://127.0.0.1:PORT`: pass as `--authority-host`.
    pub authority_host: String,
    pub tenant_id: String,
    pub tenant_domain: String,
    /// Issuer of access tokens, `https://sts.windows.net/{tid}/`.
    pub issuer: String,
    pub client_id: String,
    pub server_id: String,
    pub discovery_url: String,
    pub devicecode_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub verification_uri: String,
    /// Microsoft Graph subset base, `{authority_host}/v1.0`.
    pub graph_endpoint: String,
    pub stats_url: String,
    pub faults_url: String,
    pub revoke_url: String,
    pub approve_url: String,
    pub state_dir: PathBuf,
    pub pid: u32,
    /// upn -> object id
    pub users: BTreeMap<String, String>,
    /// display name -> object id, for the article's groups (appdev, opssre, aks-admins)
    pub groups: BTreeMap<String, String>,
    /// Managed identities: set `AZURE_POD_IDENTITY_AUTHORITY_HOST` to `imds_endpoint` (IMDS
    /// shape), or `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` (App Service shape), and `--login msi`.
    #[serde(default)]
    pub imds_endpoint: String,
    #[serde(default)]
    pub identity_endpoint: String,
    #[serde(default)]
    pub identity_header: String,
    /// The Azure Arc agent's shape: set `IDENTITY_ENDPOINT` to it and `IMDS_ENDPOINT` to
    /// `imds_endpoint` (its challenge names a key file in the state dir, which kubectl-entra
    /// refuses: the real agent's keys are in /var/opt/azcmagent/tokens).
    #[serde(default)]
    pub arc_identity_endpoint: String,
    /// name (`system`, `sandbox-uami`) -> client id, object id, resource id
    #[serde(default)]
    pub managed_identities: BTreeMap<String, super::idp::imds::ManagedIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_kubeconfig: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_kubeconfig: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// The service principals and workload identity, with the files that sign them in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apps: Option<crate::apps::AppsInfo>,
    /// An Azure Pipelines job's variables (`SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN`, the
    /// service connection) for `--login azurepipelines`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_pipelines: Option<super::idp::pipelines::PipelinesInfo>,
    /// With `--tls`: the CA (PEM) that issued the emulator's certificate; pass it as
    /// `--authority-ca-file` (or trust it otherwise) to sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_ca_file: Option<PathBuf>,
}

impl SandboxInfo {
    pub fn read(path: &Path) -> anyhow::Result<SandboxInfo> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the sandbox port file {}; is `kubectl entra sandbox` running?",
                path.display()
            )
        })?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a sandbox port file", path.display()))
    }

    /// Atomic write (temp file + rename, 0600) so readers never see half a file.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_private(path, text.as_bytes())
    }
}

/// Where the last started sandbox's port-file path is remembered.
pub fn last_sandbox_pointer() -> PathBuf {
    dirs::runtime_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("kubectl-entra")
        .join("last-sandbox")
}
