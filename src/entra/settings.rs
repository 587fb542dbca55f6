//! Sign-in settings resolved from the flags: authority, tenant, client, scope, mode, timeout.

use super::cloud::{Cloud, parse_authority};
use crate::cache::{CacheKey, StoreMode, TokenCache};
use crate::cli::{AuthArgs, TokenCacheKind};
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

/// Login modes; only device code exists today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginMode {
    DeviceCode,
}

const SUPPORTED_MODES: &str = "devicecode";

impl LoginMode {
    pub fn parse(name: &str) -> anyhow::Result<LoginMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "devicecode" => Ok(LoginMode::DeviceCode),
            known @ ("interactive" | "spn" | "ropc" | "msi" | "azurecli" | "azd"
            | "workloadidentity" | "azurepipelines") => anyhow::bail!(
                "--login {known} is not supported by kubectl-entra yet; supported: {SUPPORTED_MODES}"
            ),
            other => anyhow::bail!("unknown --login {other:?}; supported: {SUPPORTED_MODES}"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LoginMode::DeviceCode => "devicecode",
        }
    }
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
}

impl Settings {
    pub fn from_args(args: &AuthArgs) -> anyhow::Result<Settings> {
        // Check the environment name even when --authority-host overrides it: a typo is a typo.
        let cloud = Cloud::from_name(&args.environment)?;
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let authority = match authority_choice(
            args,
            env("AZURE_AUTHORITY_HOST").as_deref(),
            env("AZURE_ENVIRONMENT").as_deref(),
        ) {
            Some(host) => parse_authority(host)?,
            None => parse_authority(cloud.authority_host())?,
        };
        let tenant = args.tenant_id.trim().to_string();
        if tenant.is_empty()
            || !tenant
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            anyhow::bail!(
                "--tenant-id {:?} is not a tenant id, domain or alias (organizations, common)",
                args.tenant_id
            );
        }
        let client_id = args.client_id.trim().to_string();
        if client_id.is_empty() {
            anyhow::bail!("--client-id must not be empty");
        }
        let resource = args.server_id.trim().trim_end_matches('/').to_string();
        if resource.is_empty() {
            anyhow::bail!("--server-id must not be empty");
        }
        let cache_dir = match &args.token_cache_dir {
            Some(dir) => dir.clone(),
            None => crate::cache::default_dir()?,
        };
        Ok(Settings {
            authority,
            tenant,
            client_id,
            resource,
            login: LoginMode::parse(&args.login)?,
            timeout: parse_timeout(&args.timeout)?,
            store: match args.token_cache {
                TokenCacheKind::Auto => StoreMode::Auto,
                TokenCacheKind::Keyring => StoreMode::Keyring,
                TokenCacheKind::File => StoreMode::File,
            },
            cache_dir,
        })
    }

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
}

/// The authority host to use instead of the cloud's, if any.
///
/// `--authority-host` and `--environment` both choose the authority, so an `--environment`
/// flag (say, in a kubeconfig's exec args) must win over `AZURE_AUTHORITY_HOST` in the
/// environment, as every flag wins over every variable. clap hands us values, not where they
/// came from; the environment name came from the command line when it differs from what
/// `AZURE_ENVIRONMENT` (or the default) would have given, and the authority host came from the
/// environment when it equals `AZURE_AUTHORITY_HOST`. (A flag that repeats its variable's value
/// cannot be told apart, and then it makes no difference.)
fn authority_choice<'a>(
    args: &'a AuthArgs,
    env_authority_host: Option<&str>,
    env_environment: Option<&str>,
) -> Option<&'a str> {
    let host = args
        .authority_host
        .as_deref()
        .filter(|h| !h.trim().is_empty())?;
    let host_from_env = env_authority_host == Some(host);
    let implied_environment = env_environment.unwrap_or(DEFAULT_ENVIRONMENT).trim();
    let environment_from_flag = !args
        .environment
        .trim()
        .eq_ignore_ascii_case(implied_environment);
    if host_from_env && environment_from_flag {
        tracing::debug!(
            "--environment {} wins over AZURE_AUTHORITY_HOST from the environment",
            args.environment
        );
        return None;
    }
    Some(host)
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
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        auth: AuthArgs,
    }

    fn args(extra: &[&str]) -> AuthArgs {
        let mut argv = vec!["t", "--token-cache-dir", "/tmp/x"];
        argv.extend_from_slice(extra);
        T::try_parse_from(argv).unwrap().auth
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
        let err = LoginMode::parse("spn").unwrap_err().to_string();
        assert!(err.contains("devicecode"), "{err}");
        let err = LoginMode::parse("magic").unwrap_err().to_string();
        assert!(err.contains("magic") && err.contains("devicecode"), "{err}");
    }

    #[test]
    fn scope_and_endpoints() {
        let s = Settings::from_args(&args(&["--server-id", "6dae/", "--tenant-id", "t1"])).unwrap();
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
    }

    #[test]
    fn keys_differ_per_cloud_tenant_and_client() {
        let base = Settings::from_args(&args(&[])).unwrap();
        for other in [
            args(&["-e", "AzureChinaCloud"]),
            args(&["--tenant-id", "other"]),
            args(&["--client-id", "other"]),
            args(&["--authority-host", "http://127.0.0.1:1/"]),
        ] {
            let other = Settings::from_args(&other).unwrap();
            assert_ne!(other.token_key(), base.token_key());
            assert_ne!(other.account_key(), base.account_key());
        }
    }

    #[test]
    fn an_environment_flag_wins_over_the_authority_host_variable() {
        let h = "http://127.0.0.1:9/";
        // AZURE_AUTHORITY_HOST only (clap put it into --authority-host): it is used.
        let a = args(&["--authority-host", h]);
        assert_eq!(authority_choice(&a, Some(h), None), Some(h));
        // -e from the kubeconfig names another cloud than AZURE_ENVIRONMENT / the default.
        let a = args(&["--authority-host", h, "-e", "AzureChinaCloud"]);
        assert_eq!(authority_choice(&a, Some(h), None), None);
        assert_eq!(
            authority_choice(&a, Some(h), Some("AzureUSGovernment")),
            None
        );
        // The same name came from AZURE_ENVIRONMENT: both are variables, the host is more precise.
        assert_eq!(
            authority_choice(&a, Some(h), Some("azurechinacloud")),
            Some(h)
        );
        // --authority-host as a flag (not the variable's value) always wins.
        assert_eq!(authority_choice(&a, Some("https://other/"), None), Some(h));
        assert_eq!(authority_choice(&a, None, None), Some(h));
        assert_eq!(authority_choice(&args(&[]), Some(h), None), None);
    }

    #[test]
    fn invalid_inputs_are_errors() {
        for bad in [
            &["--tenant-id", "a/b"][..],
            &["--tenant-id", ""],
            &["-e", "Mars"],
            &["--authority-host", "http://example.com"],
            &["--timeout", "soon"],
            &["-l", "interactive"],
        ] {
            assert!(Settings::from_args(&args(bad)).is_err(), "{bad:?}");
        }
    }
}
