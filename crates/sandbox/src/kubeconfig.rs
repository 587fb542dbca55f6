//! The two kubeconfigs the sandbox writes: an admin one (static bearer token, `system:masters`)
//! and a user one whose exec entry runs `kubectl-entra get-token` against the emulator.

use super::files::write_private;
use super::idp::directory::{AKS_CLIENT_ID, AKS_SERVER_ID};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;

pub const CLUSTER: &str = "sandbox";
pub const ADMIN_CONTEXT: &str = "sandbox-admin";
pub const USER_CONTEXT: &str = "sandbox";

fn cluster(server: &str, ca_pem: &str) -> serde_json::Value {
    serde_json::json!({
        "name": CLUSTER,
        "cluster": {
            "server": server,
            "certificate-authority-data": STANDARD.encode(ca_pem),
        }
    })
}

pub fn admin(server: &str, ca_pem: &str, token: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster(server, ca_pem)],
        "users": [{"name": "sandbox-admin", "user": {"token": token}}],
        "contexts": [{"name": ADMIN_CONTEXT, "context": {"cluster": CLUSTER, "user": "sandbox-admin"}}],
        "current-context": ADMIN_CONTEXT,
        "preferences": {},
    })
}

pub fn user(
    server: &str,
    ca_pem: &str,
    plugin: &Path,
    tenant_id: &str,
    authority_host: &str,
) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster(server, ca_pem)],
        "users": [{"name": "sandbox-user", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": plugin.to_string_lossy(),
            "args": [
                "get-token",
                "--tenant-id", tenant_id,
                "--client-id", AKS_CLIENT_ID,
                "--server-id", AKS_SERVER_ID,
                "--authority-host", authority_host,
            ],
            "env": null,
            "interactiveMode": "IfAvailable",
            "provideClusterInfo": false,
            "installHint": "kubectl-entra is the credential plugin of this kubeconfig. Install it (cargo install --path . in the kubectl-entra repository, or krew install entra) and put it on PATH.",
        }}}],
        "contexts": [{"name": USER_CONTEXT, "context": {"cluster": CLUSTER, "user": "sandbox-user"}}],
        "current-context": USER_CONTEXT,
        "preferences": {},
    })
}

/// Writes a kubeconfig as YAML, 0600, atomically.
pub fn write(path: &Path, config: &serde_json::Value) -> anyhow::Result<()> {
    let text = serde_yaml::to_string(config)?;
    write_private(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_kubeconfig_runs_get_token() {
        let k = user(
            "https://127.0.0.1:1",
            "PEM",
            Path::new("/bin/kubectl-entra"),
            "tid",
            "http://127.0.0.1:2",
        );
        let exec = &k["users"][0]["user"]["exec"];
        assert_eq!(exec["apiVersion"], "client.authentication.k8s.io/v1");
        assert_eq!(exec["command"], "/bin/kubectl-entra");
        assert_eq!(exec["args"][0], "get-token");
        assert_eq!(exec["args"][8], "http://127.0.0.1:2");
        assert_eq!(exec["interactiveMode"], "IfAvailable");
        assert_eq!(k["current-context"], USER_CONTEXT);
        let a = admin("https://127.0.0.1:1", "PEM", "tok");
        assert_eq!(a["users"][0]["user"]["token"], "tok");
        assert_eq!(
            a["clusters"][0]["cluster"]["certificate-authority-data"],
            STANDARD.encode("PEM")
        );
    }
}
