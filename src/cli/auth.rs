//! Sign-in flags shared by get-token, login and logout (named as in Azure kubelogin).

use super::{AKS_CLIENT_ID, AKS_SERVER_ID};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches, ValueEnum};
use std::path::PathBuf;

/// Help headings, so `--help` groups the flags the way kubectl's option groups read.
const SIGN_IN: &str = "Sign-in (as Azure kubelogin's flags)";
const CACHE: &str = "Token cache";
const NETWORK: &str = "Network";

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    // Where `--environment` and `--authority-host` came from (flag, variable or default), as
    // clap's `ArgMatches::value_source` says; empty when the args were built by hand. First,
    // because the derived parser takes each value out of the matches as it reads it.
    #[command(flatten)]
    pub sources: ArgSources,

    /// Entra tenant: a tenant GUID, a verified domain, or `organizations` (AZURE_TENANT_ID overrides it)
    #[arg(
        long,
        default_value = "organizations",
        value_name = "TENANT",
        help_heading = SIGN_IN
    )]
    pub tenant_id: String,

    /// Client application: the public client a user signs in with, or the service principal or
    /// identity of spn, workloadidentity and msi (whose AZURE_CLIENT_ID overrides it)
    #[arg(long, default_value = AKS_CLIENT_ID, value_name = "ID", help_heading = SIGN_IN)]
    pub client_id: String,

    /// Server application (the token audience); AKS uses the same id in every cloud
    #[arg(long, default_value = AKS_SERVER_ID, value_name = "ID", help_heading = SIGN_IN)]
    pub server_id: String,

    /// Login mode: devicecode, interactive, azurecli, spn, workloadidentity, msi or azurepipelines (AAD_LOGIN_METHOD overrides it)
    #[arg(
        short = 'l',
        long,
        default_value = "devicecode",
        value_name = "MODE",
        help_heading = SIGN_IN
    )]
    pub login: String,

    /// Azure cloud: AzurePublicCloud, AzureChinaCloud or AzureUSGovernment (case-insensitive)
    #[arg(
        short = 'e',
        long,
        env = "AZURE_ENVIRONMENT",
        default_value = crate::entra::DEFAULT_ENVIRONMENT,
        value_name = "NAME",
        help_heading = SIGN_IN
    )]
    pub environment: String,

    /// Authority host URL, overriding --environment (https; http only for loopback). An
    /// --environment flag wins over this variable
    #[arg(long, env = "AZURE_AUTHORITY_HOST", value_name = "URL", help_heading = SIGN_IN)]
    pub authority_host: Option<String>,

    // Credentials of the non-interactive modes (names as Azure kubelogin's; the environment
    // variables that override them are applied in `cli/environment.rs`).
    /// Client secret of the service principal (spn)
    #[arg(long, value_name = "SECRET", hide_env_values = true, help_heading = SIGN_IN)]
    pub client_secret: Option<String>,

    /// Service principal certificate: PEM with its key, or PFX/PKCS#12 (spn)
    #[arg(long, value_name = "FILE", help_heading = SIGN_IN)]
    pub client_certificate: Option<PathBuf>,

    /// Password of a PFX certificate (spn)
    #[arg(long, value_name = "PASSWORD", hide_env_values = true, help_heading = SIGN_IN)]
    pub client_certificate_password: Option<String>,

    /// Federated token file (workloadidentity; AZURE_FEDERATED_TOKEN_FILE overrides it)
    #[arg(long, value_name = "FILE", help_heading = SIGN_IN)]
    pub federated_token_file: Option<PathBuf>,

    /// ARM resource id of a user-assigned managed identity (msi; asked of IMDS, or of
    /// $AZURE_POD_IDENTITY_AUTHORITY_HOST on loopback, or of App Service's $IDENTITY_ENDPOINT)
    #[arg(long, value_name = "ID", help_heading = SIGN_IN)]
    pub identity_resource_id: Option<String>,

    /// Azure CLI subscription id or name (azurecli)
    #[arg(long, short = 's', value_name = "ID", help_heading = SIGN_IN)]
    pub subscription: Option<String>,

    /// Read the Terraform AzureRM provider's ARM_* variables instead of AZURE_*/AAD_*
    #[arg(long, help_heading = SIGN_IN)]
    pub use_azurerm_env_vars: bool,

    /// Ignore the AAD_*/AZURE_*/ARM_* variables that would override the flags
    #[arg(long, help_heading = SIGN_IN)]
    pub disable_environment_override: bool,

    // Azure Pipelines (--login azurepipelines).
    /// Id of the Azure Resource Manager service connection whose federated credential signs in
    /// (azurepipelines; AZURESUBSCRIPTION_SERVICE_CONNECTION_ID fills it in)
    #[arg(long, value_name = "ID", help_heading = SIGN_IN)]
    pub azure_pipelines_service_connection_id: Option<String>,

    // The `env:` of the kubeconfig exec entry these flags were read from, which kubectl sets
    // over its own environment when it runs the plugin (empty for a real command line).
    #[arg(skip)]
    pub exec_env: super::environment::ExecEnv,
    // Browser sign-in (--login interactive).
    /// Redirect URL of the browser sign-in, a loopback http URL such as http://localhost:8400/
    /// (default: http://localhost:<free port>/) (interactive)
    #[arg(long, value_name = "URL", help_heading = SIGN_IN)]
    pub redirect_url: Option<String>,

    /// Account to preselect on the sign-in page, e.g. user@contoso.com (interactive)
    #[arg(long, value_name = "UPN", help_heading = SIGN_IN)]
    pub login_hint: Option<String>,

    /// What the sign-in page asks: select_account, login, consent or none (interactive)
    #[arg(long, value_name = "PROMPT", value_parser = ["select_account", "login", "consent", "none"], help_heading = SIGN_IN)]
    pub prompt: Option<String>,

    /// How long to wait for the browser sign-in to finish, e.g. 5m (interactive; --timeout bounds
    /// each network call instead)
    #[arg(long, default_value = "5m", value_name = "DURATION", help_heading = SIGN_IN)]
    pub browser_timeout: String,

    /// Token cache directory (default: $KUBECACHEDIR/kubectl-entra, else ~/.kube/cache/kubectl-entra)
    #[arg(long, value_name = "DIR", help_heading = CACHE)]
    pub token_cache_dir: Option<PathBuf>,

    /// Where tokens are kept: auto = the OS keyring when one answers (on Linux the Secret
    /// Service), else files; keyring-kernel = the Linux kernel keyring (volatile: emptied at reboot)
    #[arg(long, value_enum, env = "KUBECTL_ENTRA_TOKEN_CACHE", default_value_t = TokenCacheKind::Auto, help_heading = CACHE)]
    pub token_cache: TokenCacheKind,

    /// Time limit for each network call, e.g. 30s or 2m (the wait for you to sign in is not limited by it)
    #[arg(long, default_value = "60s", value_name = "DURATION", help_heading = NETWORK)]
    pub timeout: String,

    // Issue 13: trust for the sign-in side.
    /// Also trust the CA certificates in this PEM file for Entra, Graph and managed identity
    /// (e.g. the CA of a TLS-inspecting proxy); the OS trust store and SSL_CERT_FILE/SSL_CERT_DIR are always used
    #[arg(long, env = "KUBECTL_ENTRA_CA_FILE", value_name = "FILE", help_heading = NETWORK)]
    pub authority_ca_file: Option<PathBuf>,
}

/// The origin of the values whose precedence depends on it. Adds no flags: it reads the
/// matches of the flags above (a flattened group sees the same `ArgMatches`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArgSources {
    pub environment: Option<ValueSource>,
    pub authority_host: Option<ValueSource>,
    // For `-v 1`'s "where each setting came from" (see `cli/environment.rs`).
    pub tenant_id: Option<ValueSource>,
    pub client_id: Option<ValueSource>,
    pub login: Option<ValueSource>,
    pub timeout: Option<ValueSource>,
}

impl FromArgMatches for ArgSources {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let source = |id: &str| m.value_source(id);
        Ok(ArgSources {
            environment: source("environment"),
            authority_host: source("authority_host"),
            tenant_id: source("tenant_id"),
            client_id: source("client_id"),
            login: source("login"),
            timeout: source("timeout"),
        })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = ArgSources::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for ArgSources {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TokenCacheKind {
    #[default]
    Auto,
    Keyring,
    File,
    /// The Linux kernel keyring (keyutils): volatile, emptied at reboot; only when asked for.
    KeyringKernel,
}

#[derive(Debug, Clone, Args)]
pub struct LoginArgs {
    // The flags typed (before `auth`, which takes its values out of the matches).
    #[command(flatten)]
    pub given: super::login_context::GivenAuthFlags,

    #[command(flatten)]
    pub auth: AuthArgs,

    // The context whose exec entry gives the sign-in settings (flags given here win).
    #[command(
        flatten,
        next_help_heading = "Kubeconfig (the context's get-token entry)"
    )]
    pub kube: super::KubeconfigArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    // The flags typed (before `auth`, which takes its values out of the matches).
    #[command(flatten)]
    pub given: super::login_context::GivenAuthFlags,

    #[command(flatten)]
    pub auth: AuthArgs,

    // The context whose exec entry gives the sign-in settings (flags given here win).
    #[command(
        flatten,
        next_help_heading = "Kubeconfig (the context's get-token entry)"
    )]
    pub kube: super::KubeconfigArgs,

    /// Remove every cached token, of every tenant, client and server
    #[arg(long)]
    pub all: bool,
}
