//! A Graph client from what a connection needs: where Graph is (an explicit endpoint, the
//! sandbox's when the authority is loopback, else the cloud's) and a source of access tokens.
//! Which tenant and client sign in is the caller's business (see `cli::graph`).

use super::client::GraphClient;
use super::endpoint::{base_url, token_resource};
use crate::entra::AccessToken;
use anyhow::Context as _;
use std::future::Future;
use std::pin::Pin;

/// Gets an access token for a resource (Graph's, here), signing in if it must.
pub trait TokenSource: Send + Sync {
    fn token<'a>(
        &'a self,
        resource: &'a str,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<AccessToken>> + Send + 'a>>;
}

/// Everything a Graph connection needs.
pub struct GraphAccess {
    /// An explicit Graph endpoint (`--graph-endpoint`); wins over the others.
    pub endpoint: Option<String>,
    /// The Azure cloud: picks the Graph host and the token's resource.
    pub environment: String,
    /// The authority the tokens come from; a loopback one means the sandbox's Graph.
    pub authority_host: Option<String>,
    pub tokens: Box<dyn TokenSource>,
}

impl std::fmt::Debug for GraphAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphAccess")
            .field("endpoint", &self.endpoint)
            .field("environment", &self.environment)
            .field("authority_host", &self.authority_host)
            .finish_non_exhaustive()
    }
}

impl GraphAccess {
    /// The Graph base URL this connection talks to.
    pub fn base_url(&self) -> anyhow::Result<String> {
        let endpoint = self
            .endpoint
            .clone()
            .or_else(|| sandbox_graph(self.authority_host.as_deref()));
        base_url(endpoint.as_deref(), &self.environment)
    }

    /// Gets a Graph token (silently when the cache allows) and returns a client.
    pub async fn connect(&self) -> anyhow::Result<GraphClient> {
        let base = self.base_url()?;
        let token = self
            .tokens
            .token(token_resource(&self.environment))
            .await
            .context("cannot get a Microsoft Graph token")?;
        GraphClient::new(&base, token)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    struct NoTokens;
    impl TokenSource for NoTokens {
        fn token<'a>(
            &'a self,
            _resource: &'a str,
        ) -> Pin<Box<dyn Future<Output = anyhow::Result<AccessToken>> + Send + 'a>> {
            Box::pin(async { anyhow::bail!("no tokens here") })
        }
    }

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

    #[test]
    fn an_explicit_endpoint_wins_over_the_sandbox_and_the_cloud() {
        let mut access = GraphAccess {
            endpoint: None,
            environment: "AzureChinaCloud".into(),
            authority_host: Some("http://127.0.0.1:4000".into()),
            tokens: Box::new(NoTokens),
        };
        assert_eq!(access.base_url().unwrap(), "http://127.0.0.1:4000/v1.0");
        access.authority_host = None;
        assert_eq!(
            access.base_url().unwrap(),
            "https://microsoftgraph.chinacloudapi.cn/v1.0"
        );
        access.endpoint = Some("https://graph.example.com".into());
        assert_eq!(access.base_url().unwrap(), "https://graph.example.com/v1.0");
        assert!(!format!("{access:?}").contains("NoTokens"));
    }
}
