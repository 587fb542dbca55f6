//! Command-line definitions, clap only: one args struct per command, shared flag groups here.
//! Flags follow kubectl (`-n`, `-A`, `--context`, `--kubeconfig`, `-o`, `--dry-run`) and Azure
//! kubelogin (`--tenant-id`, `--client-id`, `--server-id`, `--environment`, `AZURE_*`).
//! The variables kubelogin lets override the kubeconfig's flags (`AAD_LOGIN_METHOD`,
//! `AZURE_TENANT_ID`, a service principal's ...) do so here too (`environment.rs`); the others
//! only fill in a flag that is not given (clap's order: flag, env, default).

mod access;
mod auth;
mod bind;
mod cluster;
mod context_sign_in;
mod convert;
pub mod environment;
mod login_context;
mod settings;
mod who_can;

pub use access::{CanIArgs, WhoamiArgs};
pub use auth::{ArgSources, AuthArgs, LoginArgs, LogoutArgs, TokenCacheKind};
pub use bind::{
    BindArgs, BindingsArgs, BindingsFormat, DryRun, ManifestFormat, SubjectArgs, UnbindArgs,
};
pub use context_sign_in::{SignIn, context_auth_args};
pub use convert::ConvertKubeconfigArgs;
pub use login_context::{ContextSignIn, GivenAuthFlags, context_sign_in};
pub use settings::settings_with_env;
pub use who_can::{AuditArgs, WhoCanArgs};

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The AKS Entra client (public client used by kubelogin for device-code sign-in).
pub const AKS_CLIENT_ID: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
/// The AKS Entra server application: the audience of AKS user tokens in every cloud.
pub const AKS_SERVER_ID: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

#[derive(Debug, Parser)]
#[command(
    name = "kubectl-entra",
    bin_name = "kubectl entra",
    version,
    about = "Sign in to Kubernetes with Microsoft Entra ID, and manage who may do what",
    long_about = "kubectl-entra signs kubectl in to clusters that use Microsoft Entra ID (AKS with \
Entra integration), keeps the tokens in a safe local cache, binds Entra groups to namespaces, \
and tells you who the cluster thinks you are and why you may (or may not) do something.",
    after_help = "Examples:
  # Use as the exec credential plugin of a kubeconfig user (kubectl runs this for you)
  kubectl entra get-token --tenant-id <tenant> --server-id 6dae42f8-4368-4678-94ff-3960e28e3630

  # Give the Entra group appdev full access to the namespace dev
  kubectl entra bind --group appdev -n dev --create-namespace

  # Who am I, and may I create pods in dev? Why?
  kubectl entra whoami
  kubectl entra can-i create pods -n dev --why

  # Try the whole AKS article offline
  kubectl entra sandbox"
)]
pub struct Cli {
    /// Log verbosity, as kubectl's -v (0 quiet .. 9 trace). Tokens are never logged.
    #[arg(
        short = 'v',
        long = "v",
        global = true,
        default_value_t = 0,
        value_name = "LEVEL"
    )]
    pub verbosity: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print an ExecCredential for kubectl (the exec credential plugin entry point)
    #[command(
        name = "get-token",
        after_help = "kubectl runs this command from a kubeconfig user's exec entry; it prints one \
ExecCredential JSON document on stdout. Sign-in prompts go to stderr.

Examples:
  kubectl entra get-token --tenant-id contoso.onmicrosoft.com
  kubectl entra get-token --tenant-id <tenant> --client-id <client> --server-id <server> --login devicecode"
    )]
    GetToken(AuthArgs),

    /// Sign in now and cache the tokens (shows who signed in, never the token)
    #[command(
        after_help = "The sign-in settings are those of the kubeconfig context's `kubectl-entra \
get-token` entry (--context, else the current context when it uses kubectl-entra); flags given \
here win over the entry's.

Examples:
  # Sign in before a CI job, exactly as kubectl's calls for this context will
  kubectl entra login --context aks-dev

  # Without a kubeconfig entry
  kubectl entra login --tenant-id <tenant>"
    )]
    Login(LoginArgs),

    /// Remove cached tokens (of one tenant/client/server, or --all)
    #[command(
        after_help = "Which tokens: those of the kubeconfig context's `kubectl-entra get-token` \
entry (--context, else the current context when it uses kubectl-entra), as login.

Examples:
  kubectl entra logout
  kubectl entra logout --context aks-dev
  kubectl entra logout --tenant-id <tenant>
  kubectl entra logout --all"
    )]
    Logout(LogoutArgs),

    /// Show who the cluster thinks you are, beside what your Entra token says
    #[command(after_help = "Examples:
  kubectl entra whoami
  kubectl entra whoami --context aks-dev -o yaml")]
    Whoami(WhoamiArgs),

    /// Check whether you may do something, and why
    #[command(
        name = "can-i",
        after_help = "Examples:
  # May I create pods in dev? (exit 0 for yes, 1 for no, 2 for an error of any kind)
  kubectl entra can-i create pods -n dev

  # Which binding allows it, or what is missing?
  kubectl entra can-i create pods -n sre --why

  # Everything I may do in dev, and a matrix across namespaces
  kubectl entra can-i --list -n dev
  kubectl entra can-i --matrix -A

  # As an admin, check on behalf of an Entra group
  kubectl entra can-i list pods -n dev --as-entra-group appdev --as someone"
    )]
    CanI(CanIArgs),

    /// Bind Entra groups, users or service accounts to a namespace with a role
    #[command(after_help = "Examples:
  # The AKS article's steps in one command per team
  kubectl entra bind --group appdev -n dev --create-namespace
  kubectl entra bind --group opssre -n sre --create-namespace

  # By object id (no Microsoft Graph lookup), read-only
  kubectl entra bind --group-id 00000000-0000-0000-0000-000000000000 -n dev --role view

  # Print the manifests for GitOps instead of applying them
  kubectl entra bind --group appdev -n dev --dry-run=client -o yaml")]
    Bind(BindArgs),

    /// Remove bindings that `kubectl entra bind` created
    #[command(after_help = "Examples:
  # Undo `kubectl entra bind --group appdev -n dev` (the Role goes when no binding uses it)
  kubectl entra unbind --group appdev -n dev

  # Also delete the article's hand-made binding of that group
  kubectl entra unbind --group appdev -n dev --force dev-user-access

  # Undo a cluster-wide bind, showing first what would go
  kubectl entra unbind --group opssre --cluster-wide --dry-run")]
    Unbind(UnbindArgs),

    /// List who is bound to what, with Entra group names
    #[command(after_help = "Examples:
  # Who may do what in dev (RoleBindings there, and ClusterRoleBindings), with group names
  kubectl entra bindings -n dev

  # Everything, for a script; or without Microsoft Graph (object ids only)
  kubectl entra bindings -A -o json
  kubectl entra bindings -A --no-graph")]
    Bindings(BindingsArgs),

    /// List every subject that may do something, through which binding and role, with Entra names
    #[command(
        name = "who-can",
        after_help = "Examples:
  # Who may create pods in dev? (groups with their Entra names)
  kubectl entra who-can create pods -n dev

  # In any namespace, with the members of each Entra group
  kubectl entra who-can create pods -A --members

  # One object, a subresource, a non-resource URL
  kubectl entra who-can get secrets db-password -n dev
  kubectl entra who-can get pods --subresource log -n dev
  kubectl entra who-can get /healthz

Reads Roles, ClusterRoles and their bindings with list calls: run it as someone who may list them."
    )]
    WhoCan(WhoCanArgs),

    /// Find bindings that cannot work on an Entra-integrated cluster, with the commands that fix them
    #[command(after_help = "Examples:
  # The namespace dev (and the ClusterRoleBindings); exit 1 when something is found
  kubectl entra audit -n dev

  # Everything, for a pipeline
  kubectl entra audit -A -o json

Finds Group subjects that are display names, guest UPNs and member object ids in User subjects,
object ids Entra no longer knows, bindings to roles that do not exist, namespaces on Group/User
subjects, and objects of kubectl-entra edited by hand.")]
    Audit(AuditArgs),

    /// Rewrite kubeconfig users (azure auth-provider or kubelogin) to use kubectl-entra
    #[command(
        name = "convert-kubeconfig",
        after_help = "Examples:
  # After az aks get-credentials, switch its users to kubectl-entra (the original is backed up)
  az aks get-credentials --resource-group myResourceGroup --name myAKSCluster
  kubectl entra convert-kubeconfig

  # Only the user of one context, printed instead of written
  kubectl entra convert-kubeconfig --context myAKSCluster --dry-run

  # Another file
  kubectl entra convert-kubeconfig --kubeconfig ./aks.kubeconfig"
    )]
    ConvertKubeconfig(ConvertKubeconfigArgs),

    /// Print a shell completion script
    #[command(after_help = "Examples:
  # Complete `kubectl-entra <TAB>` in this bash session, or in every zsh session
  source <(kubectl-entra completion bash)
  kubectl-entra completion zsh > \"${fpath[1]}/_kubectl-entra\"

  # Complete `kubectl entra <TAB>` (kubectl 1.26+): the helper kubectl runs, on PATH
  kubectl entra completion kubectl-plugin > ~/.local/bin/kubectl_complete-entra
  chmod +x ~/.local/bin/kubectl_complete-entra")]
    Completion(CompletionArgs),

    /// Run a local Entra tenant emulator and Kubernetes API on loopback
    #[command(after_help = "Examples:
  # Start it and follow the walkthrough it prints
  kubectl entra sandbox

  # Approve a device code from a script
  kubectl entra sandbox approve ABCD1234 --user aksdev@contoso.com

The sandbox is its own binary, kubectl-entra-sandbox; this forwards every argument to it.")]
    Sandbox(SandboxArgs),
}

/// Everything after `sandbox`, handed unparsed to `kubectl-entra-sandbox` (its own `--help`
/// included).
#[derive(Debug, Clone, clap::Args)]
#[command(disable_help_flag = true)]
pub struct SandboxArgs {
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<std::ffi::OsString>,
}

/// `get-token` alone, for the hot path: the same flags as `Command::GetToken` and `-v`, without
/// building every other command. Help and errors come from the full `Cli`.
#[derive(Debug, Parser)]
#[command(
    name = "get-token",
    disable_help_flag = true,
    disable_version_flag = true
)]
pub struct GetTokenOnly {
    #[arg(short = 'v', long = "v", default_value_t = 0)]
    pub verbosity: u8,

    #[command(flatten)]
    pub auth: AuthArgs,
}

/// Where the cluster is: kubectl's kubeconfig flags.
#[derive(Debug, Clone, Default, Args)]
pub struct KubeconfigArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use (default: the current context)
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// How long to wait for each request to the API server, e.g. 10s or 1m; 0 (the default)
    /// waits as long as it takes (kubectl's --request-timeout)
    #[arg(long, value_name = "DURATION", value_parser = parse_request_timeout)]
    pub request_timeout: Option<std::time::Duration>,
}

/// kubectl's `--request-timeout`: a duration with its unit (`30s`, `1m30s`), or a whole
/// number of seconds; 0 means no limit.
pub fn parse_request_timeout(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(seconds));
    }
    text.parse::<jiff::SignedDuration>()
        .ok()
        .filter(|d| !d.is_negative())
        .and_then(|d| std::time::Duration::try_from(d).ok())
        .ok_or_else(|| format!("{text:?} is not a duration; use e.g. 30s, 2m or 0 for no limit"))
}

/// Microsoft Graph access for commands that turn group names into object ids and back.
/// Unset values come from the kubeconfig user's kubectl-entra exec entry.
#[derive(Debug, Clone, Default, Args)]
pub struct GraphArgs {
    /// Microsoft Graph endpoint (default: follows --environment)
    #[arg(long, value_name = "URL", env = "KUBECTL_ENTRA_GRAPH_ENDPOINT")]
    pub graph_endpoint: Option<String>,

    /// Entra tenant for the Graph token (default: the context's --tenant-id)
    #[arg(long = "graph-tenant-id", value_name = "TENANT")]
    pub tenant_id: Option<String>,

    /// Do not call Microsoft Graph; show object ids only
    #[arg(long)]
    pub no_graph: bool,
}

/// Output formats for commands that print documents or tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Yaml,
}

impl OutputFormat {
    /// The document format, or None for a table.
    pub fn document(self) -> Option<crate::output::DocumentFormat> {
        match self {
            OutputFormat::Table => None,
            OutputFormat::Json => Some(crate::output::DocumentFormat::Json),
            OutputFormat::Yaml => Some(crate::output::DocumentFormat::Yaml),
        }
    }
}

/// Shells clap_complete can generate for, and kubectl's plugin completion helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    /// `kubectl_complete-entra`, the executable kubectl (1.26+) runs for `kubectl entra <TAB>`
    #[value(name = "kubectl-plugin")]
    KubectlPlugin,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to print a completion script for, or kubectl-plugin for the
    /// kubectl_complete-entra helper
    #[arg(value_enum)]
    pub shell: Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn request_timeouts_as_kubectl_reads_them() {
        use std::time::Duration;
        assert_eq!(parse_request_timeout("0"), Ok(Duration::ZERO));
        assert_eq!(parse_request_timeout("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_request_timeout("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(
            parse_request_timeout("250ms"),
            Ok(Duration::from_millis(250))
        );
        assert!(parse_request_timeout("soon").is_err());
        assert!(parse_request_timeout("-1s").is_err());
    }
}
