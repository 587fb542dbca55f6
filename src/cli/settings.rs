//! Flags become sign-in settings here, so the layers below never see clap.

use super::environment::{self, Env, Origin, ProcessEnv, WithExecEnv};
use super::{AuthArgs, TokenCacheKind};
use crate::cache::StoreMode;
use crate::entra::{
    AppCredentials, Cloud, DEFAULT_ENVIRONMENT, InteractiveSettings, LoginMode, Secret, Settings,
    parse_authority,
};
use anyhow::Context as _;
use clap::parser::ValueSource;

impl TryFrom<&AuthArgs> for Settings {
    type Error = anyhow::Error;

    /// Validates every flag before any request is made. The variables that override the
    /// kubeconfig's flags (kubelogin's rules, `cli/environment.rs`) are read from this process's
    /// environment under the exec entry's `env:` the args came with.
    fn try_from(args: &AuthArgs) -> anyhow::Result<Settings> {
        let process = ProcessEnv;
        let env = WithExecEnv {
            exec: &args.exec_env,
            below: &process,
        };
        settings_with_env(args, &env)
    }
}

/// [`Settings`] from the flags and the environment `env` (the seam for tests).
pub fn settings_with_env(args: &AuthArgs, env: &dyn Env) -> anyhow::Result<Settings> {
    let effective = environment::apply(args, env);
    effective.log_origins();
    // Check the environment name even when --authority-host overrides it: a typo is a typo.
    let cloud = Cloud::from_name(&args.environment)?;
    let var = |name: &str| env.var(name).filter(|v| !v.trim().is_empty());
    let authority = match &effective.authority_host {
        // workloadidentity's AZURE_AUTHORITY_HOST wins over both flags, as in kubelogin.
        Some(host) => named(parse_authority(&host.value), host.origin)?,
        None => match authority_choice(
            args,
            var("AZURE_AUTHORITY_HOST").as_deref(),
            var("AZURE_ENVIRONMENT").as_deref(),
        ) {
            Some(host) => parse_authority(host)?,
            None => parse_authority(cloud.authority_host())?,
        },
    };
    let tenant = named(
        crate::entra::validate_tenant(&effective.tenant_id.value),
        effective.tenant_id.origin,
    )?;
    let client_id = effective.client_id.value.trim().to_string();
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
    let login = named(
        LoginMode::parse(&effective.login.value),
        effective.login.origin,
    )?;
    Ok(Settings {
        authority,
        tenant,
        client_id,
        resource,
        login,
        timeout: named(
            crate::entra::parse_timeout(&effective.timeout.value),
            effective.timeout.origin,
        )?,
        store: match args.token_cache {
            TokenCacheKind::Auto => StoreMode::Auto,
            TokenCacheKind::Keyring => StoreMode::Keyring,
            TokenCacheKind::File => StoreMode::File,
            TokenCacheKind::KeyringKernel => StoreMode::KernelKeyring,
        },
        cache_dir,
        ca_file: args
            .authority_ca_file
            .clone()
            .filter(|p| !p.as_os_str().is_empty()),
        credentials: AppCredentials {
            client_secret: value(&effective.client_secret),
            client_certificate: value(&effective.client_certificate),
            client_certificate_password: value(&effective.client_certificate_password),
            federated_token_file: value(&effective.federated_token_file),
            identity_resource_id: args.identity_resource_id.clone(),
            subscription: args.subscription.clone(),
            service_connection_id: value(&effective.service_connection_id),
            // The job's ambient credential: read whatever --disable-environment-override says,
            // as kubelogin (azidentity) reads it.
            pipelines_oidc_request_uri: (login == LoginMode::AzurePipelines)
                .then(|| var(crate::entra::PIPELINES_OIDC_REQUEST_URI))
                .flatten(),
            pipelines_access_token: (login == LoginMode::AzurePipelines)
                .then(|| var(crate::entra::PIPELINES_ACCESS_TOKEN).map(Secret::new))
                .flatten(),
        },
        interactive: if login == LoginMode::Interactive {
            interactive_settings(args)?
        } else {
            // As kubelogin: the browser's flags mean nothing to the other modes.
            InteractiveSettings::default()
        },
    })
}

fn value<T: Clone>(s: &Option<environment::Sourced<T>>) -> Option<T> {
    s.as_ref().map(|s| s.value.clone())
}

/// An invalid value that came from a variable says which one, and how to get past it.
fn named<T>(result: anyhow::Result<T>, origin: Origin) -> anyhow::Result<T> {
    match origin {
        Origin::Variable(name) => result.with_context(|| {
            format!(
                "from the variable {name}, which overrides the kubeconfig's flag (fix or unset it, or pass --disable-environment-override)"
            )
        }),
        _ => result,
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

    fn with_env(extra: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Settings> {
        settings_with_env(&args(extra), &env)
    }

    #[test]
    fn variables_reach_the_settings() {
        let env = [
            ("AAD_LOGIN_METHOD", "spn"),
            ("AZURE_CLIENT_ID", "sp"),
            ("AZURE_CLIENT_SECRET", "s3cret"),
            ("AZURE_TENANT_ID", "t2"),
            ("AZURE_CLI_TIMEOUT", "5s"),
        ];
        let s = with_env(&["--tenant-id", "t1"], &env).unwrap();
        assert_eq!(s.login, LoginMode::Spn);
        assert_eq!((s.tenant.as_str(), s.client_id.as_str()), ("t2", "sp"));
        assert_eq!(
            s.credentials.client_secret.as_ref().unwrap().expose(),
            "s3cret"
        );
        assert_eq!(s.timeout, std::time::Duration::from_secs(5));
        assert!(!format!("{s:?}").contains("s3cret"));
        let s = with_env(&["--disable-environment-override"], &env).unwrap();
        assert_eq!(s.login, LoginMode::DeviceCode);
        assert!(s.credentials.client_secret.is_none());
    }

    #[test]
    fn azure_pipelines_reads_the_jobs_variables_even_without_overrides() {
        let env = [
            (
                "SYSTEM_OIDCREQUESTURI",
                "https://dev.azure.com/o/p/_apis/oidc",
            ),
            ("SYSTEM_ACCESSTOKEN", "job-secret"),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "sc-id"),
        ];
        let s = with_env(&["-l", "azurepipelines"], &env).unwrap();
        assert_eq!(s.login, LoginMode::AzurePipelines);
        let c = &s.credentials;
        assert_eq!(c.service_connection_id.as_deref(), Some("sc-id"));
        assert_eq!(
            c.pipelines_oidc_request_uri.as_deref(),
            Some("https://dev.azure.com/o/p/_apis/oidc")
        );
        assert_eq!(
            c.pipelines_access_token.as_ref().unwrap().expose(),
            "job-secret"
        );
        assert!(!format!("{s:?}").contains("job-secret"));
        let s = with_env(
            &["-l", "azurepipelines", "--disable-environment-override"],
            &env,
        )
        .unwrap();
        assert!(s.credentials.pipelines_access_token.is_some());
        assert!(s.credentials.service_connection_id.is_none());
        // Other modes never hold the job token.
        let s = with_env(&["-l", "spn"], &env).unwrap();
        assert!(s.credentials.pipelines_access_token.is_none());
    }

    #[test]
    fn workload_identitys_authority_host_wins_over_both_flags() {
        let env = [
            ("AAD_LOGIN_METHOD", "workloadidentity"),
            ("AZURE_AUTHORITY_HOST", "http://127.0.0.1:7/"),
        ];
        let flags = [
            "-e",
            "AzureChinaCloud",
            "--authority-host",
            "http://127.0.0.1:8/",
        ];
        let s = with_env(&flags, &env).unwrap();
        assert_eq!(s.authority.as_str(), "http://127.0.0.1:7/");
        // Other modes keep the flags' choice.
        let s = with_env(&flags, &env[1..]).unwrap();
        assert_eq!(s.authority.as_str(), "http://127.0.0.1:8/");
    }

    #[test]
    fn a_bad_value_from_a_variable_names_it() {
        for (name, value) in [("AAD_LOGIN_METHOD", "ropc"), ("AZURE_TENANT_ID", "a/b")] {
            let err = with_env(&[], &[(name, value)]).unwrap_err();
            let text = crate::output::error_chain(&err);
            assert!(
                text.contains(name) && text.contains("--disable-environment-override"),
                "{text}"
            );
        }
        let env = [
            ("AAD_LOGIN_METHOD", "workloadidentity"),
            ("AZURE_AUTHORITY_HOST", "http://example.com/"),
        ];
        let text = crate::output::error_chain(&with_env(&[], &env).unwrap_err());
        assert!(text.contains("AZURE_AUTHORITY_HOST"), "{text}");
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
            &[
                "-l",
                "interactive",
                "--redirect-url",
                "https://localhost:8400/",
            ],
            &["-l", "interactive", "--browser-timeout", "never"],
        ] {
            assert!(Settings::try_from(&args(bad)).is_err(), "{:.40?}", bad);
        }
    }
}
