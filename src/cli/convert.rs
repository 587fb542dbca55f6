//! convert-kubeconfig: move kubeconfig users from kubelogin or the azure auth-provider to kubectl-entra.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct ConvertKubeconfigArgs {
    /// Kubeconfig file to rewrite (default: $KUBECONFIG's first file, then ~/.kube/config)
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Convert only the user of this context
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Login mode to write into the exec entry
    #[arg(short = 'l', long, default_value = "devicecode", value_name = "MODE")]
    pub login: String,

    /// Tenant to write (default: read from the old entry)
    #[arg(long, value_name = "TENANT")]
    pub tenant_id: Option<String>,

    /// Client id to write (default: read from the old entry)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,

    /// Server id to write (default: read from the old entry)
    #[arg(long, value_name = "ID")]
    pub server_id: Option<String>,

    /// Azure cloud to write (default: read from the old entry)
    #[arg(short = 'e', long, value_name = "NAME")]
    pub environment: Option<String>,

    /// Authority host to write
    #[arg(long, value_name = "URL")]
    pub authority_host: Option<String>,

    /// Print the converted kubeconfig instead of writing it
    #[arg(long)]
    pub dry_run: bool,
}
