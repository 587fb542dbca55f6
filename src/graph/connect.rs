//! A Graph client for the kubeconfig context the user works with: the same tenant and client
//! as its kubectl-entra exec entry, or `--graph-tenant-id` for any other context.

use super::client::GraphClient;
use super::endpoint::{base_url, token_resource};
use crate::cli::{AuthArgs, GraphArgs};
use crate::k8s::client::{ContextInfo, entra_auth_args};
use anyhow::Context as _;
use clap::Parser;

#[derive(Parser)]
#[command(no_binary_name = true)]
struct Defaults {
    #[command(flatten)]
    auth: AuthArgs,
}

/// The sign-in settings for the Graph token, or an error telling the user what to pass.
pub fn graph_auth_args(graph: &GraphArgs, info: &ContextInfo) -> anyhow::Result<AuthArgs> {
    let mut auth = match entra_auth_args(info) {
        Some(auth) => auth,
        None => {
            if graph.tenant_id.is_none() {
                anyhow::bail!(
                    "the kubeconfig context {:?} does not sign in with kubectl-entra, so the Entra tenant for Microsoft Graph is unknown; pass --graph-tenant-id TENANT, or use --group-id OBJECT_ID / --no-graph to avoid Graph",
                    info.context
                );
            }
            // Defaults plus the environment (AZURE_AUTHORITY_HOST, AZURE_CLIENT_ID, ...).
            Defaults::try_parse_from(Vec::<String>::new())
                .context("cannot read the sign-in settings from the environment")?
                .auth
        }
    };
    if let Some(tenant) = &graph.tenant_id {
        auth.tenant_id = tenant.clone();
    }
    Ok(auth)
}

/// A loopback authority host is the kubectl-entra sandbox, which serves its Graph subset on the
/// same address; a real Entra authority never is, so real clouds keep their Graph host.
fn sandbox_graph(authority_host: Option<&str>) -> Option<String> {
    let url = url::Url::parse(authority_host?).ok()?;
    let loopback = match url.host()? {
        url::Host::Domain(d) => d == "localhost",
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    loopback.then(|| format!("{}/v1.0", url.as_str().trim_end_matches('/')))
}

/// Signs in for Graph (silently when the cache allows) and returns a client.
pub async fn connect(graph: &GraphArgs, info: &ContextInfo) -> anyhow::Result<GraphClient> {
    let auth = graph_auth_args(graph, info)?;
    let endpoint = graph
        .graph_endpoint
        .clone()
        .or_else(|| sandbox_graph(auth.authority_host.as_deref()));
    let base = base_url(endpoint.as_deref(), &auth.environment)?;
    let settings = crate::entra::Settings::try_from(&auth)?;
    let token = crate::entra::token_for_resource(
        &settings,
        token_resource(&auth.environment),
        &crate::sink::Stderr,
    )
    .await
    .context("cannot get a Microsoft Graph token")?;
    GraphClient::new(&base, token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_authority_means_the_sandbox_graph() {
        assert_eq!(
            sandbox_graph(Some("http://127.0.0.1:4000")).as_deref(),
            Some("http://127.0.0.1:4000/v1.0")
        );
        assert_eq!(
            sandbox_graph(Some("https://login.microsoftonline.com")),
            None
        );
        assert_eq!(sandbox_graph(None), None);
    }
}
