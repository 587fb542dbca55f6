//! Sign-in settings, validated: authority, tenant, client, scope, mode, timeout, cache. Built
//! from the flags in `cli/settings.rs`; this layer never sees clap.

use crate::cache::{CacheKey, StoreMode, TokenCache};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Login modes, named as Azure kubelogin's `--login` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMode {
    DeviceCode,
    /// Authorization code + PKCE in the system browser.
    Interactive,
    /// The Azure CLI's signed-in session.
    AzureCli,
    /// A service principal: client secret or certificate.
    Spn,
    /// A federated token (AKS workload identity, CI OIDC) exchanged as a client assertion.
    WorkloadIdentity,
    /// Managed identity through IMDS or the App Service/Arc identity endpoint.
    Msi,
    /// An Azure Pipelines service connection's OIDC token exchanged as a client assertion.
    AzurePipelines,
}

const SUPPORTED_MODES: &str =
    "devicecode, interactive, azurecli, spn, workloadidentity, msi, azurepipelines";

impl LoginMode {
    pub fn parse(name: &str) -> anyhow::Result<LoginMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "devicecode" => Ok(LoginMode::DeviceCode),
            "interactive" => Ok(LoginMode::Interactive),
            "azurecli" => Ok(LoginMode::AzureCli),
            "spn" => Ok(LoginMode::Spn),
            "workloadidentity" => Ok(LoginMode::WorkloadIdentity),
            "msi" => Ok(LoginMode::Msi),
            "azurepipelines" => Ok(LoginMode::AzurePipelines),
            known @ ("ropc" | "azd") => anyhow::bail!(
                "--login {known} is not supported by kubectl-entra; supported: {SUPPORTED_MODES}"
            ),
            other => anyhow::bail!("unknown --login {other:?}; supported: {SUPPORTED_MODES}"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LoginMode::DeviceCode => "devicecode",
            LoginMode::Interactive => "interactive",
            LoginMode::AzureCli => "azurecli",
            LoginMode::Spn => "spn",
            LoginMode::WorkloadIdentity => "workloadidentity",
            LoginMode::Msi => "msi",
            LoginMode::AzurePipelines => "azurepipelines",
        }
    }

    /// A user signs in (device code, browser): the answer has a refresh token and an account.
    pub fn is_user_sign_in(self) -> bool {
        matches!(self, LoginMode::DeviceCode | LoginMode::Interactive)
    }
}

/// A secret from a flag, a variable or a file. Debug and Display never show it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What the non-interactive modes prove themselves with (spn, workload identity, msi, azurecli).
#[derive(Debug, Clone, Default)]
pub struct AppCredentials {
    pub client_secret: Option<Secret>,
    /// PEM (certificate and key) or PFX/PKCS#12.
    pub client_certificate: Option<PathBuf>,
    pub client_certificate_password: Option<Secret>,
    /// Re-read on every token request: the workload identity webhook rotates it.
    pub federated_token_file: Option<PathBuf>,
    /// A user-assigned managed identity by ARM resource id (msi).
    pub identity_resource_id: Option<String>,
    /// The Azure CLI subscription (azurecli).
    pub subscription: Option<String>,
    // Azure Pipelines (azurepipelines).
    /// The service connection whose federated credential signs in
    /// (`--azure-pipelines-service-connection-id`, `AZURESUBSCRIPTION_SERVICE_CONNECTION_ID`).
    pub service_connection_id: Option<String>,
    /// The job's OIDC token endpoint (`SYSTEM_OIDCREQUESTURI`, set by Azure Pipelines).
    pub pipelines_oidc_request_uri: Option<String>,
    /// The job's access token (`SYSTEM_ACCESSTOKEN`, mapped from `$(System.AccessToken)`).
    pub pipelines_access_token: Option<Secret>,
}

/// Everything a sign-in needs, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Authority host, ending with `/`.
    pub authority: Url,
    pub tenant: String,
    pub client_id: String,
    /// The resource (server id or URL) without a trailing `/`.
    pub resource: String,
    pub login: LoginMode,
    /// Bound on each network call (not on the wait for the user).
    pub timeout: Duration,
    pub store: StoreMode,
    pub cache_dir: PathBuf,
    pub credentials: AppCredentials,
    /// Extra CA certificates (PEM) trusted for the authority, Graph and IMDS, besides the OS
    /// store and the bundled roots (`--authority-ca-file`).
    pub ca_file: Option<PathBuf>,
    /// The browser sign-in's options (`--login interactive`).
    pub interactive: InteractiveSettings,
}

/// `--prompt` values Entra's authorize endpoint takes.
pub const PROMPTS: [&str; 4] = ["select_account", "login", "consent", "none"];

/// How long the browser sign-in waits for the redirect by default.
pub const DEFAULT_BROWSER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The browser sign-in (authorization code + PKCE): where the redirect lands, what is passed to
/// the authorize endpoint, and how long we wait for the browser.
#[derive(Debug, Clone)]
pub struct InteractiveSettings {
    /// `--redirect-url`: a pinned loopback redirect (`http://localhost:PORT/PATH`); None = a free
    /// port on `http://localhost:<port>/`.
    pub redirect_url: Option<Url>,
    pub login_hint: Option<String>,
    /// One of [`PROMPTS`].
    pub prompt: Option<String>,
    /// Bound on the wait for the browser's redirect (`--browser-timeout`).
    pub browser_timeout: Duration,
}

impl Default for InteractiveSettings {
    fn default() -> Self {
        InteractiveSettings {
            redirect_url: None,
            login_hint: None,
            prompt: None,
            browser_timeout: DEFAULT_BROWSER_TIMEOUT,
        }
    }
}

impl InteractiveSettings {
    /// Validates `--redirect-url`: Entra takes `http` redirects for public clients only on
    /// loopback, and we listen on 127.0.0.1 only, so the host must be `localhost` or `127.0.0.1`.
    pub fn parse_redirect_url(text: &str) -> anyhow::Result<Url> {
        let url = Url::parse(text.trim()).map_err(|e| {
            anyhow::anyhow!(
                "--redirect-url {text:?} is not a URL ({e}); use e.g. http://localhost:8400/"
            )
        })?;
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1"));
        if url.scheme() != "http" || !loopback || url.query().is_some() || url.fragment().is_some()
        {
            anyhow::bail!(
                "--redirect-url {text:?} must be http://localhost:PORT/ or http://127.0.0.1:PORT/ (with an optional path, no query): the sign-in listens on 127.0.0.1 only"
            );
        }
        Ok(url)
    }

    pub fn parse_prompt(text: &str) -> anyhow::Result<String> {
        let p = text.trim().to_ascii_lowercase();
        if PROMPTS.contains(&p.as_str()) {
            Ok(p)
        } else {
            anyhow::bail!("--prompt {text:?} is not one of {}", PROMPTS.join(", "))
        }
    }
}

impl Settings {
    /// The same sign-in, for another resource (cross-resource refresh).
    pub fn for_resource(&self, resource: &str) -> Settings {
        Settings {
            resource: resource.trim().trim_end_matches('/').to_string(),
            ..self.clone()
        }
    }

    /// `<resource>/.default offline_access openid profile`, as MSAL decorates it.
    pub fn scope(&self) -> String {
        format!("{}/.default offline_access openid profile", self.resource)
    }

    /// `<resource>/.default`: client credentials (service principal, workload identity) ask
    /// for the app's permissions only; no refresh token, id token or profile comes back.
    pub fn app_scope(&self) -> String {
        format!("{}/.default", self.resource)
    }

    /// A user's sign-in is cached under one key whichever way it was made (device code or
    /// browser): the tokens are the same, and one lock must cover both.
    pub fn token_key(&self) -> CacheKey {
        let mode = if self.login.is_user_sign_in() {
            LoginMode::DeviceCode.as_str()
        } else {
            self.login.as_str()
        };
        CacheKey::token(
            self.authority.as_str(),
            &self.tenant,
            &self.client_id,
            &self.scope(),
            mode,
        )
    }

    pub fn account_key(&self) -> CacheKey {
        CacheKey::account(self.authority.as_str(), &self.tenant, &self.client_id)
    }

    pub fn open_cache(&self) -> TokenCache {
        TokenCache::open(self.store, self.cache_dir.clone())
    }

    fn endpoint(&self, leaf: &str) -> anyhow::Result<Url> {
        Ok(self
            .authority
            .join(&format!("{}/oauth2/v2.0/{leaf}", self.tenant))?)
    }

    pub fn devicecode_endpoint(&self) -> anyhow::Result<Url> {
        self.endpoint("devicecode")
    }

    pub fn token_endpoint(&self) -> anyhow::Result<Url> {
        self.endpoint("token")
    }

    pub fn authorize_endpoint(&self) -> anyhow::Result<Url> {
        self.endpoint("authorize")
    }

    /// AKS (and every API server id, a GUID or `api://` URI) takes JWT access tokens only, so
    /// anything else is a broken answer. Microsoft Graph's tokens are opaque to clients by
    /// Microsoft's rule, so they are not inspected.
    pub fn expects_jwt(&self) -> bool {
        let r = self.resource.to_ascii_lowercase();
        !(r.starts_with("https://graph.")
            || r.starts_with("https://microsoftgraph.")
            || r.starts_with("http://"))
    }
}

/// `--environment`'s default (keep in step with `cli::AuthArgs`).
pub const DEFAULT_ENVIRONMENT: &str = "AzurePublicCloud";

/// Go-style durations as kubelogin takes them: `30s`, `2m`, `1m30s`, `1h`, `500ms`.
/// Parsed by jiff's "friendly" duration format, which reads the same compact spelling.
pub fn parse_timeout(text: &str) -> anyhow::Result<Duration> {
    let trimmed = text.trim();
    let parsed: Result<jiff::SignedDuration, _> = trimmed.parse();
    let duration = parsed
        .ok()
        .filter(|d| d.is_positive())
        .and_then(|d| Duration::try_from(d).ok())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--timeout {text:?} is not a positive duration; use e.g. 30s, 2m or 1m30s"
            )
        })?;
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(resource: &str) -> Settings {
        Settings {
            authority: Url::parse("https://login.microsoftonline.com/").unwrap(),
            tenant: "t1".into(),
            client_id: "c".into(),
            resource: resource.into(),
            login: LoginMode::DeviceCode,
            timeout: Duration::from_secs(60),
            store: StoreMode::File,
            cache_dir: PathBuf::from("/tmp/x"),
            credentials: AppCredentials::default(),
            ca_file: None,
            interactive: InteractiveSettings::default(),
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_timeout("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_timeout("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_timeout("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_timeout("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_timeout("500ms").unwrap(), Duration::from_millis(500));
        for bad in ["", "abc", "0s", "-5s", "10"] {
            assert!(parse_timeout(bad).is_err(), "{bad:?} must be rejected");
        }
    }

    #[test]
    fn login_modes() {
        assert_eq!(
            LoginMode::parse("DeviceCode").unwrap(),
            LoginMode::DeviceCode
        );
        assert_eq!(LoginMode::parse("SPN").unwrap(), LoginMode::Spn);
        let p = LoginMode::parse("AzurePipelines").unwrap();
        assert_eq!(
            (p, p.as_str()),
            (LoginMode::AzurePipelines, "azurepipelines")
        );
        assert!(!p.is_user_sign_in());
        let err = LoginMode::parse("ropc").unwrap_err().to_string();
        assert!(err.contains("devicecode"), "{err}");
        let err = LoginMode::parse("magic").unwrap_err().to_string();
        assert!(err.contains("magic") && err.contains("devicecode"), "{err}");
    }

    #[test]
    fn scope_and_endpoints() {
        let s = settings("6dae");
        assert_eq!(s.scope(), "6dae/.default offline_access openid profile");
        assert_eq!(
            s.token_endpoint().unwrap().as_str(),
            "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
        );
        let g = s.for_resource("https://graph.microsoft.com/");
        assert_eq!(
            g.scope(),
            "https://graph.microsoft.com/.default offline_access openid profile"
        );
        assert_ne!(g.token_key(), s.token_key());
        assert_eq!(g.account_key(), s.account_key());
        assert!(s.expects_jwt() && !g.expects_jwt());
        assert_eq!(
            s.authorize_endpoint().unwrap().as_str(),
            "https://login.microsoftonline.com/t1/oauth2/v2.0/authorize"
        );
    }

    #[test]
    fn device_code_and_browser_share_the_cache_key() {
        let d = settings("6dae");
        let i = Settings {
            login: LoginMode::Interactive,
            ..d.clone()
        };
        assert_eq!(d.token_key(), i.token_key());
        let spn = Settings {
            login: LoginMode::Spn,
            ..d.clone()
        };
        assert_ne!(d.token_key(), spn.token_key());
    }

    #[test]
    fn redirect_urls_and_prompts() {
        for good in [
            "http://localhost:8400/",
            "http://127.0.0.1:1234/cb",
            "http://localhost/",
        ] {
            assert!(
                InteractiveSettings::parse_redirect_url(good).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "https://localhost:8400/",
            "http://example.com:8400/",
            "http://[::1]:8400/",
            "http://localhost:8400/?x=1",
            "localhost:8400",
        ] {
            assert!(
                InteractiveSettings::parse_redirect_url(bad).is_err(),
                "{bad}"
            );
        }
        assert_eq!(InteractiveSettings::parse_prompt("Login").unwrap(), "login");
        assert!(InteractiveSettings::parse_prompt("always").is_err());
    }
}
