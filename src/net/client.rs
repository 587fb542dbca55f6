//! Building the HTTP client, and the rules for where a secret may go.

use std::path::Path;
use std::time::Duration;
use url::{Host, Url};

/// The client for Entra and Graph: our user agent, `timeout` on connecting and on each whole
/// call, rustls trusting the bundled and OS roots (see `tls`), the proxy from `HTTPS_PROXY` /
/// `HTTP_PROXY` / `NO_PROXY` (reqwest's default, CONNECT for https), and no redirects. Every
/// request we make carries a secret (a refresh token, a device code, a bearer token), and a
/// redirect would re-send it to wherever the answer points.
///
/// Callers without sign-in settings (Graph, IMDS) get the CA file from `KUBECTL_ENTRA_CA_FILE`,
/// the variable behind `--authority-ca-file`.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    let from_env = std::env::var_os(super::CA_FILE_ENV).filter(|v| !v.is_empty());
    client_with_ca(timeout, from_env.as_deref().map(Path::new))
}

/// [`client`], also trusting the CA certificates in `ca_file` (PEM; `--authority-ca-file`).
pub fn client_with_ca(
    timeout: Duration,
    ca_file: Option<&Path>,
) -> anyhow::Result<reqwest::Client> {
    client_builder(timeout, ca_file)?
        .build()
        .map_err(|e| anyhow::anyhow!("cannot set up HTTPS: {e}"))
}

/// [`client_with_ca`]'s settings, for a caller that adds its own (the managed identity
/// endpoint: a shorter connect timeout, no proxy).
pub fn client_builder(
    timeout: Duration,
    ca_file: Option<&Path>,
) -> anyhow::Result<reqwest::ClientBuilder> {
    Ok(reqwest::Client::builder()
        .use_preconfigured_tls(super::tls::client_config(ca_file)?)
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("kubectl-entra/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none()))
}

/// 127.0.0.0/8, ::1 or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A secret may be sent over https, or over http to a loopback host (the sandbox), never else.
pub fn ensure_secret_url(url: &Url, what: &str) -> anyhow::Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        scheme => anyhow::bail!(
            "{what}: refusing to send credentials to {}://{} (only https, or http to a loopback host, may carry them)",
            scheme,
            crate::sink::printable(url.host_str().unwrap_or("?"))
        ),
    }
}

/// For a 3xx answer, where it pointed (the Location's host, or the raw value when it is not a
/// URL), made printable. None for any other status.
pub fn redirect_target(response: &reqwest::Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let host = response
        .url()
        .join(location)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "(no Location)".to_string());
    Some(crate::sink::printable(&host).into_owned())
}

/// The message for a redirect we did not follow.
pub fn redirect_error(what: &str, host: &str, status: u16, target: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{what}: {host} answered HTTP {status}, a redirect to {target}; it was not followed, because the request carries a credential. Check the URL (--authority-host / --graph-endpoint) or the proxy in between"
    )
}

/// A transport failure in words, one line: for a certificate the server presented that we do
/// not trust, what to do about it (see [`super::certificate_problem`]); else reqwest's error and
/// its causes.
pub fn describe_transport(e: &reqwest::Error) -> String {
    if let Some(problem) = super::tls::certificate_problem(e) {
        return problem;
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    crate::sink::printable(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_go_over_https_or_to_loopback_only() {
        let ok = |u: &str| ensure_secret_url(&Url::parse(u).unwrap(), "x").is_ok();
        assert!(ok("https://login.microsoftonline.com/t/oauth2/v2.0/token"));
        assert!(ok("http://127.0.0.1:9/t"));
        assert!(ok("http://[::1]:9/t"));
        assert!(ok("http://LOCALHOST/t"));
        assert!(!ok("http://graph.microsoft.com/v1.0"));
        assert!(!ok("http://127.0.0.1.nip.io/"));
        assert!(!ok("ftp://127.0.0.1/"));
    }

    #[tokio::test]
    async fn redirects_are_not_followed_and_name_the_target() {
        let url = super::super::body::tests::endless_server(
            "HTTP/1.1 307 Temporary Redirect\r\nlocation: https://evil.example/steal\r\ncontent-length: 0\r\n\r\n",
            Some(0),
        )
        .await;
        let http = client(Duration::from_secs(5)).unwrap();
        let resp = http
            .post(&url)
            .form(&[("refresh_token", "RT")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 307, "not followed");
        assert_eq!(redirect_target(&resp).as_deref(), Some("evil.example"));
        let text =
            redirect_error("the token refresh", "127.0.0.1", 307, "evil.example").to_string();
        assert!(
            text.contains("evil.example") && text.contains("not followed"),
            "{text}"
        );
    }
}
