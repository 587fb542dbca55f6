//! convert-kubeconfig: move kubeconfig users from kubelogin or the azure auth-provider to kubectl-entra.

use clap::Args;
use std::path::PathBuf;

/// Flags whose values go into the new exec entry's `get-token` arguments.
const SIGN_IN: &str = "Sign-in written into the exec entry";

#[derive(Debug, Clone, Args)]
pub struct ConvertKubeconfigArgs {
    /// Kubeconfig file to rewrite (default: $KUBECONFIG's first file, then ~/.kube/config)
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath, help_heading = "Kubeconfig")]
    pub kubeconfig: Option<PathBuf>,

    /// Convert only the user of this context (default: every azure or kubelogin user)
    #[arg(long, value_name = "NAME", help_heading = "Kubeconfig")]
    pub context: Option<String>,

    /// Login mode to write into the exec entry (the old entry's mode is not kept)
    #[arg(short = 'l', long, default_value = "devicecode", value_name = "MODE", help_heading = SIGN_IN)]
    pub login: String,

    /// Tenant to write (default: read from the old entry)
    #[arg(long, value_name = "TENANT", help_heading = SIGN_IN)]
    pub tenant_id: Option<String>,

    /// Client id to write (default: read from the old entry, else the AKS client)
    #[arg(long, value_name = "ID", help_heading = SIGN_IN)]
    pub client_id: Option<String>,

    /// Server id to write (default: read from the old entry, else the AKS server)
    #[arg(long, value_name = "ID", help_heading = SIGN_IN)]
    pub server_id: Option<String>,

    /// Azure cloud to write (default: read from the old entry)
    #[arg(short = 'e', long, value_name = "NAME", help_heading = SIGN_IN)]
    pub environment: Option<String>,

    /// Authority host to write (default: read from the old entry; none for Entra's own)
    #[arg(long, value_name = "URL", help_heading = SIGN_IN)]
    pub authority_host: Option<String>,

    /// Print the converted kubeconfig on stdout and change nothing
    #[arg(long, help_heading = "Kubeconfig")]
    pub dry_run: bool,
}
