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
}

const SUPPORTED_MODES: &str = "devicecode, interactive, azurecli, spn, workloadidentity, msi";

impl LoginMode {
    pub fn parse(name: &str) -> anyhow::Result<LoginMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "devicecode" => Ok(LoginMode::DeviceCode),
            "interactive" => Ok(LoginMode::Interactive),
            "azurecli" => Ok(LoginMode::AzureCli),
            "spn" => Ok(LoginMode::Spn),
            "workloadidentity" => Ok(LoginMode::WorkloadIdentity),
            "msi" => Ok(LoginMode::Msi),
            known @ ("ropc" | "azd" | "azurepipelines") => anyhow::bail!(
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

    pub fn token_key(&self) -> CacheKey {
        CacheKey::token(
            self.authority.as_str(),
            &self.tenant,
            &self.client_id,
            &self.scope(),
            self.login.as_str(),
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
    }
}
