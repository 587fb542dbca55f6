//! `--login msi`: a managed identity's token from the machine's identity endpoint, no secret.
//!
//! Two endpoint shapes, chosen from the environment the platform sets:
//! - App Service / Functions / Container Apps: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`,
//!   `GET {endpoint}?api-version=2019-08-01&resource=R[&client_id=C|&mi_res_id=ID]` with the
//!   header value in `X-IDENTITY-HEADER`.
//! - Everywhere else (VMs, scale sets, AKS nodes): IMDS, `GET http://169.254.169.254/metadata/
//!   identity/oauth2/token?api-version=2018-02-01&resource=R[&client_id=C|&msi_res_id=ID]` with
//!   `Metadata: true`. `AZURE_POD_IDENTITY_AUTHORITY_HOST` replaces the host, as azidentity (and
//!   so kubelogin) reads it for aad-pod-identity; it is also how the tests reach the sandbox.
//!   Only loopback or the IMDS address are accepted there: the answer is a credential.
//!
//! IMDS asks clients to retry 404, 410, 429 and 5xx with backoff; here at most
//! [`ATTEMPTS`] attempts, honouring `Retry-After` up to [`MAX_WAIT`]. Connecting is bounded by
//! [`CONNECT_TIMEOUT`]: off Azure nothing answers at 169.254.169.254, and that should be a
//! clear error in two seconds, not a hang until `--timeout`.

use super::authority::BoxFuture;
use super::settings::Settings;
use super::sign_in::{SignIn, SignInContext};
use super::wire::{TokenResponse, flexible_i64};
use crate::net::{self, RetryPolicy, TooLong};
use crate::sink::printable;
use serde::Deserialize;
use std::time::Duration;
use url::Url;

pub struct ManagedIdentity;

impl SignIn for ManagedIdentity {
    fn returns_refresh_token(&self) -> bool {
        false
    }

    fn sign_in<'a>(
        &'a self,
        cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>> {
        Box::pin(sign_in(cx))
    }
}

/// The public client `az aks get-credentials` writes into kubeconfigs: it names no managed
/// identity, so with it the request asks for the system-assigned one.
pub const AKS_DEFAULT_CLIENT_ID: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

const IMDS_HOST: &str = "169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
/// Set by aad-pod-identity setups; read by azidentity and MSAL as the IMDS host.
pub const IMDS_HOST_VARIABLE: &str = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

pub const ATTEMPTS: u32 = 4;
pub const MAX_WAIT: Duration = Duration::from_secs(10);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Which identity to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// The machine's system-assigned identity (or its only user-assigned one).
    Default,
    ClientId(String),
    ResourceId(String),
}

impl Identity {
    fn from_settings(s: &Settings) -> anyhow::Result<Identity> {
        let client = s.client_id.trim();
        let client = (!client.is_empty() && !client.eq_ignore_ascii_case(AKS_DEFAULT_CLIENT_ID))
            .then(|| client.to_string());
        let resource = s
            .credentials
            .identity_resource_id
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        match (client, resource) {
            (Some(_), Some(_)) => anyhow::bail!(
                "--login msi takes one of --client-id and --identity-resource-id, not both; keep the one that names the managed identity"
            ),
            (Some(c), None) => Ok(Identity::ClientId(c)),
            (None, Some(r)) => Ok(Identity::ResourceId(r)),
            (None, None) => Ok(Identity::Default),
        }
    }

    fn describe(&self) -> String {
        match self {
            Identity::Default => "the system-assigned managed identity".into(),
            Identity::ClientId(c) => format!("the managed identity with client id {c}"),
            Identity::ResourceId(r) => format!("the managed identity {r}"),
        }
    }
}

/// Where the token is asked for.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Imds(Url),
    /// App Service's endpoint and its header value (a secret: Debug hides it).
    AppService(Url, String),
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Imds(u) => write!(f, "Imds({u})"),
            Endpoint::AppService(u, _) => write!(f, "AppService({u}, <redacted>)"),
        }
    }
}

impl Endpoint {
    /// From the platform's variables (`env` looks one up; empty counts as unset).
    pub(crate) fn from_env(env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Endpoint> {
        let var = |n: &str| {
            env(n)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        match (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
            (Some(endpoint), Some(header)) => {
                let url = Url::parse(&endpoint).map_err(|e| {
                    anyhow::anyhow!(
                        "IDENTITY_ENDPOINT {:?} is not a URL ({e}); it is set by App Service, unset it elsewhere",
                        printable(&endpoint)
                    )
                })?;
                check_app_service_url(&url)?;
                return Ok(Endpoint::AppService(url, header));
            }
            (Some(_), None) if var("IMDS_ENDPOINT").is_some() => anyhow::bail!(
                "IDENTITY_ENDPOINT and IMDS_ENDPOINT are set (Azure Arc), whose managed identity kubectl-entra does not support yet; use --login azurecli, spn or workloadidentity on this machine"
            ),
            _ => {}
        }
        let base = match var(IMDS_HOST_VARIABLE) {
            Some(host) => {
                let url = Url::parse(&host).map_err(|e| {
                    anyhow::anyhow!(
                        "{IMDS_HOST_VARIABLE} {:?} is not a URL ({e}); give e.g. http://127.0.0.1:8080",
                        printable(&host)
                    )
                })?;
                check_imds_url(&url)?;
                url
            }
            None => Url::parse(&format!("http://{IMDS_HOST}")).map_err(anyhow::Error::from)?,
        };
        let mut url = base;
        let path = format!("{}{IMDS_PATH}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_query(None);
        Ok(Endpoint::Imds(url))
    }

    /// The request URL with its query for `resource` and `identity`.
    fn request_url(&self, resource: &str, identity: &Identity) -> Url {
        let (mut url, version, resource_key) = match self {
            Endpoint::Imds(u) => (u.clone(), "2018-02-01", "msi_res_id"),
            Endpoint::AppService(u, _) => (u.clone(), "2019-08-01", "mi_res_id"),
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("api-version", version)
                .append_pair("resource", resource);
            match identity {
                Identity::Default => {}
                Identity::ClientId(c) => {
                    q.append_pair("client_id", c);
                }
                Identity::ResourceId(r) => {
                    q.append_pair(resource_key, r);
                }
            }
        }
        url
    }

    fn host(&self) -> String {
        let u = match self {
            Endpoint::Imds(u) | Endpoint::AppService(u, _) => u,
        };
        let host = u.host_str().unwrap_or("?");
        printable(&match u.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        })
        .into_owned()
    }

    fn name(&self) -> &'static str {
        match self {
            Endpoint::Imds(_) => "the managed identity endpoint (IMDS)",
            Endpoint::AppService(..) => "the App Service identity endpoint (IDENTITY_ENDPOINT)",
        }
    }
}

/// IMDS itself, or a loopback stand-in (the sandbox, a local proxy); http or https.
fn check_imds_url(url: &Url) -> anyhow::Result<()> {
    let imds = url.host_str() == Some(IMDS_HOST);
    if matches!(url.scheme(), "http" | "https") && (imds || net::is_loopback(url)) {
        return Ok(());
    }
    anyhow::bail!(
        "{IMDS_HOST_VARIABLE} must name http://{IMDS_HOST} or a loopback address (127.0.0.1, localhost), not {}; a managed identity token is not fetched from elsewhere",
        printable(url.host_str().unwrap_or(url.as_str()))
    )
}

/// App Service points at a local or private address over http; https goes anywhere.
fn check_app_service_url(url: &Url) -> anyhow::Result<()> {
    let private = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if private => Ok(()),
        _ => anyhow::bail!(
            "IDENTITY_ENDPOINT must be https, or http to a local or private address, not {}; it is set by App Service, unset it elsewhere",
            printable(url.host_str().unwrap_or(url.as_str()))
        ),
    }
}

/// A token answer from IMDS or App Service: numbers as strings (IMDS) or numbers (others).
#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default, deserialize_with = "flexible_i64")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "flexible_i64")]
    expires_on: Option<i64>,
}

/// An error answer: `{"error":"invalid_request","error_description":"Identity not found"}`.
#[derive(Deserialize, Default)]
struct RawError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

pub(crate) fn parse_token(body: &[u8]) -> anyhow::Result<TokenResponse> {
    let raw: RawToken = serde_json::from_slice(body).map_err(|e| {
        anyhow::anyhow!(
            "the managed identity endpoint answered with a body that is not its token JSON ({})",
            super::http::describe_json_error(&e)
        )
    })?;
    Ok(TokenResponse {
        access_token: raw.access_token,
        token_type: raw.token_type,
        expires_in: raw.expires_in,
        expires_on: raw.expires_on,
        refresh_token: None,
        id_token: None,
    })
}

/// 404 and 410 (IMDS updating), 429 and 5xx: retried, as IMDS documents.
fn retriable(status: u16) -> bool {
    matches!(status, 404 | 410 | 429) || (500..=599).contains(&status)
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: ATTEMPTS,
        max_wait: MAX_WAIT,
        backoff_without_header: true,
        too_long: TooLong::Refuse,
    }
}

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    let identity = Identity::from_settings(s)?;
    let endpoint = Endpoint::from_env(&|name| std::env::var(name).ok())?;
    fetch(&endpoint, &identity, s, cx).await
}

async fn fetch(
    endpoint: &Endpoint,
    identity: &Identity,
    s: &Settings,
    cx: &SignInContext<'_>,
) -> anyhow::Result<TokenResponse> {
    let url = endpoint.request_url(&s.resource, identity);
    let host = endpoint.host();
    let what = endpoint.name();
    let client = net::client_builder(s.timeout, s.ca_file.as_deref())?
        .connect_timeout(CONNECT_TIMEOUT.min(s.timeout))
        // A link-local or loopback address is never reached through a proxy.
        .no_proxy()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot set up HTTP: {e}"))?;
    let policy = policy();
    let mut attempt = 1;
    loop {
        tracing::debug!("GET {} ({what}, attempt {attempt})", url.path());
        let mut request = client.get(url.clone());
        request = match endpoint {
            Endpoint::Imds(_) => request.header("Metadata", "true"),
            Endpoint::AppService(_, secret) => request.header("X-IDENTITY-HEADER", secret),
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport_error(&e, what, &host, s.timeout)),
        };
        let status = response.status().as_u16();
        if let Some(target) = net::redirect_target(&response) {
            return Err(net::redirect_error(what, &host, status, &target));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| net::parse_retry_after(v, cx.clock.now()));
        let body = net::read_capped(response, net::ENTRA_BODY_LIMIT)
            .await
            .map_err(|e| match e {
                net::BodyError::Transport(e) => transport_error(&e, what, &host, s.timeout),
                other => anyhow::anyhow!("{what}: {other}"),
            })?;
        tracing::debug!("{what}: HTTP {status} ({} bytes)", body.len());
        if (200..300).contains(&status) {
            return parse_token(&body);
        }
        if retriable(status)
            && let Some(wait) = policy.wait(attempt, retry_after)
        {
            cx.sink.info(&format!(
                "{host} answered HTTP {status} to the managed identity token request; retrying in {} s ({attempt} of {}).",
                wait.as_secs(),
                policy.max_attempts - 1
            ));
            cx.clock.sleep(wait).await;
            attempt += 1;
            continue;
        }
        return Err(refusal(status, &body, identity, what, &host, attempt));
    }
}

fn transport_error(e: &reqwest::Error, what: &str, host: &str, timeout: Duration) -> anyhow::Error {
    if e.is_connect() {
        anyhow::anyhow!(
            "{what} at {host} cannot be reached ({}); --login msi works on Azure machines with a managed identity (VMs, scale sets, AKS nodes, App Service). Elsewhere use --login azurecli, spn or workloadidentity, or point {IMDS_HOST_VARIABLE} at a local endpoint",
            net::describe_transport(e)
        )
    } else if e.is_timeout() {
        anyhow::anyhow!(
            "{what} at {host} did not answer within {}s (--timeout); try again, or raise --timeout",
            timeout.as_secs_f64().ceil() as u64
        )
    } else {
        anyhow::anyhow!("{what} at {host} failed ({})", net::describe_transport(e))
    }
}

/// A final error answer in one line: IMDS's error and description, printable and shortened.
fn refusal(
    status: u16,
    body: &[u8],
    identity: &Identity,
    what: &str,
    host: &str,
    attempts: u32,
) -> anyhow::Error {
    let raw: RawError = serde_json::from_slice(body).unwrap_or_default();
    let said = match (&raw.error, &raw.error_description) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => "no error body".into(),
    };
    let said: String = said.chars().take(300).collect();
    let said = printable(&said).into_owned();
    let retried = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let lower = said.to_ascii_lowercase();
    let hint = if lower.contains("identity not found") || lower.contains("no managed identity") {
        match identity {
            Identity::Default => "this machine has no system-assigned managed identity; enable one, or name a user-assigned one with --client-id or --identity-resource-id".to_string(),
            other => format!("{} is not assigned to this machine; check --client-id / --identity-resource-id", other.describe()),
        }
    } else if lower.contains("multiple user assigned") {
        "name the identity with --client-id or --identity-resource-id".to_string()
    } else if lower.contains("aadsts500011") || lower.contains("invalid_resource") {
        "check --server-id".to_string()
    } else if retriable(status) {
        "the endpoint is busy or updating; try again in a minute".to_string()
    } else {
        format!(
            "check --client-id / --identity-resource-id and that {} may get tokens",
            identity.describe()
        )
    };
    anyhow::anyhow!("{what} at {host} answered HTTP {status}{retried} ({said}); {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::StoreMode;
    use crate::entra::{AppCredentials, LoginMode};
    use std::collections::HashMap;

    fn settings(client_id: &str, resource_id: Option<&str>) -> Settings {
        Settings {
            ca_file: None,
            interactive: Default::default(),
            authority: Url::parse("https://login.microsoftonline.com/").unwrap(),
            tenant: "organizations".into(),
            client_id: client_id.into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: LoginMode::Msi,
            timeout: Duration::from_secs(5),
            store: StoreMode::File,
            cache_dir: std::path::PathBuf::from("/tmp/x"),
            credentials: AppCredentials {
                identity_resource_id: resource_id.map(str::to_string),
                ..Default::default()
            },
        }
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn imds_responses_with_strings_or_numbers() {
        let t = parse_token(br#"{"access_token":"eyJ.a.b","client_id":"c","expires_in":"86399","expires_on":"1740028277","ext_expires_in":"86399","not_before":"1739941577","resource":"6dae","token_type":"Bearer"}"#).unwrap();
        assert_eq!(t.expires_on, Some(1_740_028_277));
        assert_eq!(t.expires_in, Some(86399));
        let t = parse_token(br#"{"access_token":"x","expires_on":1740028277,"expires_in":3600}"#)
            .unwrap();
        assert_eq!(t.expires_on, Some(1_740_028_277));
        assert!(t.refresh_token.is_none());
        for bad in [
            &b""[..],
            b"{",
            br#"{"expires_on":"1"}"#,
            br#"{"access_token":"eyJ-secret","expires_on":"09/14/2017 00:00:00 PM +00:00"}"#,
        ] {
            let e = parse_token(bad).unwrap_err().to_string();
            assert!(
                e.contains("not its token JSON") && !e.contains("secret"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_identity_comes_from_client_id_or_resource_id() {
        let s = settings(AKS_DEFAULT_CLIENT_ID, None);
        assert_eq!(Identity::from_settings(&s).unwrap(), Identity::Default);
        let s = settings("11111111-0000-4000-8000-000000000001", None);
        assert_eq!(
            Identity::from_settings(&s).unwrap(),
            Identity::ClientId("11111111-0000-4000-8000-000000000001".into())
        );
        let s = settings(AKS_DEFAULT_CLIENT_ID, Some("/subscriptions/s/x"));
        assert_eq!(
            Identity::from_settings(&s).unwrap(),
            Identity::ResourceId("/subscriptions/s/x".into())
        );
        let s = settings("c", Some("/subscriptions/s/x"));
        assert!(Identity::from_settings(&s).is_err());
    }

    #[test]
    fn imds_by_default_and_its_queries() {
        let e = Endpoint::from_env(&env(&[])).unwrap();
        let url = e.request_url("6dae", &Identity::Default);
        assert_eq!(
            url.as_str(),
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=6dae"
        );
        let url = e.request_url("6dae", &Identity::ResourceId("/sub/a b".into()));
        assert!(url.as_str().ends_with("&msi_res_id=%2Fsub%2Fa+b"), "{url}");
        let url = e.request_url("6dae", &Identity::ClientId("c1".into()));
        assert!(url.as_str().ends_with("&client_id=c1"), "{url}");
    }

    #[test]
    fn app_service_variables_win_and_hide_the_header() {
        let e = Endpoint::from_env(&env(&[
            ("IDENTITY_ENDPOINT", "http://172.16.0.4:8081/msi/token"),
            ("IDENTITY_HEADER", "hdr-secret"),
            (IMDS_HOST_VARIABLE, "http://127.0.0.1:9"),
        ]))
        .unwrap();
        assert!(!format!("{e:?}").contains("hdr-secret"));
        let url = e.request_url("6dae", &Identity::ResourceId("/r".into()));
        assert_eq!(
            url.as_str(),
            "http://172.16.0.4:8081/msi/token?api-version=2019-08-01&resource=6dae&mi_res_id=%2Fr"
        );
        let bad = Endpoint::from_env(&env(&[
            ("IDENTITY_ENDPOINT", "http://evil.example/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ]));
        assert!(bad.unwrap_err().to_string().contains("IDENTITY_ENDPOINT"));
        let arc = Endpoint::from_env(&env(&[
            (
                "IDENTITY_ENDPOINT",
                "http://localhost:40342/metadata/identity/oauth2/token",
            ),
            ("IMDS_ENDPOINT", "http://localhost:40342"),
        ]));
        assert!(arc.unwrap_err().to_string().contains("Arc"));
    }

    #[test]
    fn the_imds_host_may_move_to_loopback_only() {
        let e =
            Endpoint::from_env(&env(&[(IMDS_HOST_VARIABLE, "http://127.0.0.1:8080/")])).unwrap();
        assert_eq!(
            e,
            Endpoint::Imds(
                Url::parse("http://127.0.0.1:8080/metadata/identity/oauth2/token").unwrap()
            )
        );
        assert!(
            Endpoint::from_env(&env(&[(IMDS_HOST_VARIABLE, "http://169.254.169.254")])).is_ok()
        );
        for bad in [
            "http://10.0.0.1",
            "https://evil.example",
            "file:///etc/passwd",
            "nonsense",
        ] {
            let e = Endpoint::from_env(&env(&[(IMDS_HOST_VARIABLE, bad)]));
            assert!(
                e.unwrap_err().to_string().contains(IMDS_HOST_VARIABLE),
                "{bad}"
            );
        }
    }

    #[test]
    fn retries_follow_imds_guidance_and_stay_bounded() {
        for s in [404, 410, 429, 500, 503] {
            assert!(retriable(s), "{s}");
        }
        for s in [400, 401, 403] {
            assert!(!retriable(s), "{s}");
        }
        let p = policy();
        assert_eq!(p.wait(1, None), Some(Duration::from_secs(1)));
        assert_eq!(p.wait(3, None), Some(Duration::from_secs(4)));
        assert_eq!(p.wait(ATTEMPTS, None), None);
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(60))),
            None,
            "too long: said"
        );
    }

    #[test]
    fn refusals_say_what_to_fix() {
        let e = refusal(
            400,
            br#"{"error":"invalid_request","error_description":"Identity not found"}"#,
            &Identity::Default,
            "IMDS",
            "h",
            1,
        )
        .to_string();
        assert!(
            e.contains("no system-assigned") && e.contains("HTTP 400"),
            "{e}"
        );
        let e = refusal(
            400,
            br#"{"error":"invalid_request","error_description":"Identity not found"}"#,
            &Identity::ClientId("c9".into()),
            "IMDS",
            "h",
            1,
        )
        .to_string();
        assert!(e.contains("c9") && e.contains("--client-id"), "{e}");
        let e = refusal(503, b"\x1b[2J", &Identity::Default, "IMDS", "h", 4).to_string();
        assert!(
            e.contains("after 4 attempts") && !e.contains('\u{1b}'),
            "{e}"
        );
    }
}
