//! The sandbox's command line: `kubectl entra sandbox [OPTIONS]` and `... sandbox approve`.
//!
//! kubectl runs `kubectl-entra-sandbox` for `kubectl entra sandbox` when it is on PATH, and
//! `kubectl-entra sandbox` forwards to it, so the name users see is `kubectl entra sandbox`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "kubectl entra sandbox",
    bin_name = "kubectl entra sandbox",
    version,
    about = "A local Entra tenant and Kubernetes API stand-in on loopback, to try kubectl-entra offline",
    args_conflicts_with_subcommands = true
)]
pub struct SandboxArgs {
    #[command(subcommand)]
    pub command: Option<SandboxCommand>,

    /// Log verbosity on stderr, as kubectl-entra's and kubectl's -v (0 quiet .. 9 trace)
    #[arg(
        short = 'v',
        long = "v",
        global = true,
        default_value_t = 0,
        value_name = "LEVEL"
    )]
    pub verbosity: u8,

    /// Directory for the sandbox's keys, CA, kubeconfigs and cluster state (default: a new temp dir)
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// Port of the Entra emulator on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Port of the Kubernetes API stand-in on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub api_port: u16,

    /// Write a JSON file with the sandbox's URLs and paths once it is ready
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,

    /// Approve every device code at once as this user
    #[arg(long, value_name = "UPN")]
    pub auto_approve: Option<String>,

    /// Lifetime of issued access tokens, e.g. 90s or 75m (default: random 60-90 minutes, like Entra)
    #[arg(long, value_name = "DURATION")]
    pub token_lifetime: Option<String>,

    /// Device-code polling interval in seconds (tests use 0 or 1)
    #[arg(long, value_name = "SECS", default_value_t = 5, hide = true)]
    pub poll_interval: u64,

    /// Device-code lifetime in seconds (tests use 0 to get expired codes)
    #[arg(long, value_name = "SECS", default_value_t = 900, hide = true)]
    pub device_code_lifetime: u64,

    /// The kubectl-entra binary the user kubeconfig's exec entry runs (default: the one beside
    /// this binary, else `kubectl-entra` from PATH)
    #[arg(long, value_name = "PATH")]
    pub plugin_command: Option<PathBuf>,

    /// Serve the Entra emulator over HTTPS with its own CA (its path is `authority_ca_file` in
    /// the port file), to try --authority-ca-file and the OS trust store
    #[arg(long)]
    pub tls: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SandboxCommand {
    /// Approve (or decline) a pending device code as a sandbox user
    Approve(SandboxApproveArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SandboxApproveArgs {
    /// The user code shown by the device-code prompt
    #[arg(value_name = "USER_CODE")]
    pub user_code: String,

    /// The sandbox user who signs in, e.g. aksdev@contoso.com
    #[arg(long, value_name = "UPN")]
    pub user: String,

    /// Decline instead of approving
    #[arg(long)]
    pub decline: bool,

    /// The sandbox's port file (default: $KUBECTL_ENTRA_SANDBOX, else the last sandbox started)
    #[arg(long, value_name = "FILE", env = "KUBECTL_ENTRA_SANDBOX")]
    pub port_file: Option<PathBuf>,

    /// The emulator's URL, instead of a port file
    #[arg(long, value_name = "URL", conflicts_with = "port_file")]
    pub url: Option<String>,

    /// The sandbox's --state-dir (its sandbox.json); without any of these flags: the sandbox
    /// the current kubeconfig context signs in against, else the last one started
    #[arg(long, value_name = "DIR", conflicts_with_all = ["port_file", "url"])]
    pub state_dir: Option<PathBuf>,
}
