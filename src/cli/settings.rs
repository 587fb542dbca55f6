//! Flags become sign-in settings here, so the layers below never see clap.

use super::{AuthArgs, TokenCacheKind};
use crate::cache::StoreMode;
use crate::entra::{
    AppCredentials, Cloud, DEFAULT_ENVIRONMENT, InteractiveSettings, LoginMode, Secret, Settings,
    parse_authority,
};
use clap::parser::ValueSource;

impl TryFrom<&AuthArgs> for Settings {
    type Error = anyhow::Error;

    /// Validates every flag before any request is made. A flag wins over its variable.
    fn try_from(args: &AuthArgs) -> anyhow::Result<Settings> {
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
        let tenant = crate::entra::validate_tenant(&args.tenant_id)?;
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
            timeout: crate::entra::parse_timeout(&args.timeout)?,
            store: match args.token_cache {
                TokenCacheKind::Auto => StoreMode::Auto,
                TokenCacheKind::Keyring => StoreMode::Keyring,
                TokenCacheKind::File => StoreMode::File,
            },
            cache_dir,
            credentials: AppCredentials {
                client_secret: args.client_secret.clone().map(Secret::new),
                client_certificate: args.client_certificate.clone(),
                client_certificate_password: args
                    .client_certificate_password
                    .clone()
                    .map(Secret::new),
                federated_token_file: args.federated_token_file.clone(),
                identity_resource_id: args.identity_resource_id.clone(),
                subscription: args.subscription.clone(),
            },
            interactive: interactive_settings(args)?,
        })
    }
}

/// The browser sign-in's flags.
fn interactive_settings(args: &AuthArgs) -> anyhow::Result<InteractiveSettings> {
    fn non_empty(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
    Ok(InteractiveSettings {
        redirect_url: non_empty(&args.redirect_url)
            .map(InteractiveSettings::parse_redirect_url)
            .transpose()?,
        login_hint: non_empty(&args.login_hint).map(str::to_string),
        prompt: non_empty(&args.prompt)
            .map(InteractiveSettings::parse_prompt)
            .transpose()?,
        browser_timeout: crate::entra::parse_timeout(&args.browser_timeout).map_err(|_| {
            anyhow::anyhow!(
                "--browser-timeout {:?} is not a positive duration; use e.g. 90s or 5m",
                args.browser_timeout
            )
        })?,
    })
}

/// The authority host to use instead of the cloud's, if any.
///
/// `--authority-host` and `--environment` both choose the authority, so an `--environment`
/// flag (say, in a kubeconfig's exec args) must win over `AZURE_AUTHORITY_HOST` in the
/// environment, as every flag wins over every variable. Where each value came from is clap's
/// `value_source` ([`super::ArgSources`]). Args built by hand carry no sources; then the origin
/// is inferred: the environment name came from the command line when it differs from what
/// `AZURE_ENVIRONMENT` (or the default) would have given, and the authority host came from the
/// environment when it equals `AZURE_AUTHORITY_HOST`.
fn authority_choice<'a>(
    args: &'a AuthArgs,
    env_authority_host: Option<&str>,
    env_environment: Option<&str>,
) -> Option<&'a str> {
    let host = args
        .authority_host
        .as_deref()
        .filter(|h| !h.trim().is_empty())?;
    let host_from_env = match args.sources.authority_host {
        Some(source) => source == ValueSource::EnvVariable,
        None => env_authority_host == Some(host),
    };
    let environment_from_flag = match args.sources.environment {
        Some(source) => source == ValueSource::CommandLine,
        None => {
            let implied = env_environment.unwrap_or(DEFAULT_ENVIRONMENT).trim();
            !args.environment.trim().eq_ignore_ascii_case(implied)
        }
    };
    if host_from_env && environment_from_flag {
        tracing::debug!(
            "--environment {} wins over AZURE_AUTHORITY_HOST from the environment",
            args.environment
        );
        return None;
    }
    Some(host)
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
    fn scope_and_endpoints() {
        let s = Settings::try_from(&args(&["--server-id", "6dae/", "--tenant-id", "t1"])).unwrap();
        assert_eq!(s.scope(), "6dae/.default offline_access openid profile");
        assert_eq!(
            s.token_endpoint().unwrap().as_str(),
            "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
        );
    }

    #[test]
    fn browser_sign_in_flags() {
        let s = Settings::try_from(&args(&[])).unwrap();
        assert_eq!(s.interactive.browser_timeout.as_secs(), 300);
        assert!(s.interactive.redirect_url.is_none() && s.interactive.prompt.is_none());
        let s = Settings::try_from(&args(&[
            "-l",
            "interactive",
            "--redirect-url",
            "http://localhost:8400/",
            "--login-hint",
            "dev@contoso.com",
            "--prompt",
            "select_account",
            "--browser-timeout",
            "90s",
        ]))
        .unwrap();
        assert_eq!(s.login, LoginMode::Interactive);
        let i = &s.interactive;
        assert_eq!(i.redirect_url.as_ref().unwrap().port(), Some(8400));
        assert_eq!(i.login_hint.as_deref(), Some("dev@contoso.com"));
        assert_eq!(i.prompt.as_deref(), Some("select_account"));
        assert_eq!(i.browser_timeout.as_secs(), 90);
    }

    #[test]
    fn keys_differ_per_cloud_tenant_and_client() {
        let base = Settings::try_from(&args(&[])).unwrap();
        for other in [
            args(&["-e", "AzureChinaCloud"]),
            args(&["--tenant-id", "other"]),
            args(&["--client-id", "other"]),
            args(&["--authority-host", "http://127.0.0.1:1/"]),
        ] {
            let other = Settings::try_from(&other).unwrap();
            assert_ne!(other.token_key(), base.token_key());
            assert_ne!(other.account_key(), base.account_key());
        }
    }

    /// As if built by hand: no value sources, so the origin is inferred.
    fn inferred(extra: &[&str]) -> AuthArgs {
        AuthArgs {
            sources: Default::default(),
            ..args(extra)
        }
    }

    #[test]
    fn value_sources_tell_a_flag_from_its_variable() {
        let a = args(&[
            "--authority-host",
            "http://127.0.0.1:9/",
            "-e",
            "AzureChinaCloud",
        ]);
        assert_eq!(a.sources.environment, Some(ValueSource::CommandLine));
        assert_eq!(a.sources.authority_host, Some(ValueSource::CommandLine));
        assert_eq!(
            args(&[]).sources.environment,
            Some(ValueSource::DefaultValue)
        );
        // A flag that repeats its variable's value is still a flag.
        assert_eq!(
            authority_choice(&a, Some("http://127.0.0.1:9/"), None),
            Some("http://127.0.0.1:9/")
        );
        let mut from_env = a.clone();
        from_env.sources.authority_host = Some(ValueSource::EnvVariable);
        assert_eq!(authority_choice(&from_env, None, None), None);
        from_env.sources.environment = Some(ValueSource::EnvVariable);
        assert_eq!(
            authority_choice(&from_env, None, None),
            Some("http://127.0.0.1:9/")
        );
    }

    #[test]
    fn an_environment_flag_wins_over_the_authority_host_variable() {
        let args = inferred;
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
        let huge = "x".repeat(100 * 1024);
        for bad in [
            &["--tenant-id", "a/b"][..],
            &["--tenant-id", ""],
            &["--tenant-id", "."],
            &["--tenant-id", ".."],
            &["--tenant-id", "a%2F.."],
            &["--tenant-id", &huge],
            &["-e", "Mars"],
            &["--authority-host", "http://example.com"],
            &["--timeout", "soon"],
            &["-l", "ropc"],
            &["--redirect-url", "https://localhost:8400/"],
            &["--browser-timeout", "never"],
        ] {
            assert!(Settings::try_from(&args(bad)).is_err(), "{:.40?}", bad);
        }
    }
}
