//! Which managed identity to ask for, and where: IMDS, App Service or Azure Arc, chosen from the
//! variables the platform sets.

use super::{AKS_DEFAULT_CLIENT_ID, IMDS_HOST_VARIABLE};
use crate::entra::settings::Settings;
use crate::net;
use crate::sink::printable;
use url::Url;

const IMDS_HOST: &str = "169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

/// Which identity to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Identity {
    /// The machine's system-assigned identity (or its only user-assigned one).
    Default,
    ClientId(String),
    ResourceId(String),
}

impl Identity {
    pub(super) fn from_settings(s: &Settings) -> anyhow::Result<Identity> {
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

    pub(super) fn describe(&self) -> String {
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
    /// Azure Arc's agent (himds) on this machine: answers a first request with a challenge
    /// naming a key file ([`super::arc`]).
    Arc(Url),
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Imds(u) => write!(f, "Imds({u})"),
            Endpoint::AppService(u, _) => write!(f, "AppService({u}, <redacted>)"),
            Endpoint::Arc(u) => write!(f, "Arc({u})"),
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
            // Azure Arc sets these two (and no header), as azidentity detects it.
            (Some(endpoint), None) if var("IMDS_ENDPOINT").is_some() => {
                let url = Url::parse(&endpoint).map_err(|e| {
                    anyhow::anyhow!(
                        "IDENTITY_ENDPOINT {:?} is not a URL ({e}); it is set by the Azure Arc agent, unset it elsewhere",
                        printable(&endpoint)
                    )
                })?;
                super::arc::check_url(&url)?;
                return Ok(Endpoint::Arc(url));
            }
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
    pub(super) fn request_url(&self, resource: &str, identity: &Identity) -> Url {
        let (mut url, version, resource_key) = match self {
            Endpoint::Imds(u) => (u.clone(), "2018-02-01", "msi_res_id"),
            Endpoint::AppService(u, _) => (u.clone(), "2019-08-01", "mi_res_id"),
            // Arc has the system-assigned identity only (checked before: `sign_in`).
            Endpoint::Arc(u) => (u.clone(), super::arc::API_VERSION, "msi_res_id"),
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

    pub(super) fn host(&self) -> String {
        let u = match self {
            Endpoint::Imds(u) | Endpoint::AppService(u, _) | Endpoint::Arc(u) => u,
        };
        let host = u.host_str().unwrap_or("?");
        printable(&match u.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        })
        .into_owned()
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            Endpoint::Imds(_) => "the managed identity endpoint (IMDS)",
            Endpoint::AppService(..) => "the App Service identity endpoint (IDENTITY_ENDPOINT)",
            Endpoint::Arc(_) => "the Azure Arc identity endpoint (IDENTITY_ENDPOINT)",
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::cache::StoreMode;
    use crate::entra::{AppCredentials, LoginMode};
    use std::collections::HashMap;
    use std::time::Duration;

    pub(in crate::entra::managed_identity) fn settings(
        client_id: &str,
        resource_id: Option<&str>,
    ) -> Settings {
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

    pub(in crate::entra::managed_identity) fn env(
        pairs: &[(&str, &str)],
    ) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
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
        // Azure Arc: the endpoint and IMDS_ENDPOINT, no header; loopback only (the key goes there).
        let arc = Endpoint::from_env(&env(&[
            (
                "IDENTITY_ENDPOINT",
                "http://localhost:40342/metadata/identity/oauth2/token",
            ),
            ("IMDS_ENDPOINT", "http://localhost:40342"),
        ]))
        .unwrap();
        assert_eq!(
            arc.request_url("6dae", &Identity::Default).as_str(),
            "http://localhost:40342/metadata/identity/oauth2/token?api-version=2020-06-01&resource=6dae"
        );
        let far = Endpoint::from_env(&env(&[
            ("IDENTITY_ENDPOINT", "http://10.0.0.5:40342/token"),
            ("IMDS_ENDPOINT", "http://10.0.0.5:40342"),
        ]));
        assert!(far.unwrap_err().to_string().contains("loopback"));
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
}
