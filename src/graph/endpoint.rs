//! Which Graph host a cloud uses (ENTRA-PROTOCOL.md §4.4).

/// The cloud's Graph host, from kubelogin-style environment names (case-insensitive; anything
/// unknown is the public cloud, as kubelogin does).
fn cloud_host(environment: &str) -> &'static str {
    match environment.to_ascii_lowercase().as_str() {
        "azureusgovernment" | "azureusgovernmentcloud" => "https://graph.microsoft.us",
        "azurechinacloud" => "https://microsoftgraph.chinacloudapi.cn",
        _ => "https://graph.microsoft.com",
    }
}

/// `{endpoint}` (an explicit endpoint wins; `/v1.0` is appended when it lacks a version), else
/// the cloud's host + `/v1.0`. Endpoints must be https, except on loopback (the sandbox).
pub fn base_url(endpoint: Option<&str>, environment: &str) -> anyhow::Result<String> {
    let Some(endpoint) = endpoint.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(format!("{}/v1.0", cloud_host(environment)));
    };
    let url = url::Url::parse(endpoint).map_err(|e| {
        anyhow::anyhow!("invalid --graph-endpoint {endpoint:?}: {e} (expected e.g. https://graph.microsoft.com/v1.0)")
    })?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        anyhow::bail!(
            "--graph-endpoint {endpoint:?} must use https (plain http is only allowed for loopback hosts)"
        );
    }
    let trimmed = endpoint.trim_end_matches('/');
    if trimmed.ends_with("/v1.0") || trimmed.ends_with("/beta") {
        Ok(trimmed.to_string())
    } else {
        Ok(format!("{trimmed}/v1.0"))
    }
}

/// The resource to ask Entra a Graph token for. It follows the cloud, not `--graph-endpoint`,
/// so that a test endpoint still receives a token whose audience is Graph.
pub fn token_resource(environment: &str) -> &'static str {
    cloud_host(environment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_by_cloud_and_endpoint() {
        assert_eq!(
            base_url(None, "AzurePublicCloud").unwrap(),
            "https://graph.microsoft.com/v1.0"
        );
        assert_eq!(
            base_url(None, "azureusgovernment").unwrap(),
            "https://graph.microsoft.us/v1.0"
        );
        assert_eq!(
            base_url(None, "AzureChinaCloud").unwrap(),
            "https://microsoftgraph.chinacloudapi.cn/v1.0"
        );
        assert_eq!(
            base_url(Some("http://127.0.0.1:8080/v1.0/"), "x").unwrap(),
            "http://127.0.0.1:8080/v1.0"
        );
        assert_eq!(
            base_url(Some("https://graph.example"), "x").unwrap(),
            "https://graph.example/v1.0"
        );
        assert!(base_url(Some("http://graph.example"), "x").is_err());
        assert!(base_url(Some("not a url"), "x").is_err());
        assert_eq!(
            token_resource("AzureChinaCloud"),
            "https://microsoftgraph.chinacloudapi.cn"
        );
    }
}
