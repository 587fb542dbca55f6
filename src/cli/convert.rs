//! convert-kubeconfig: move kubeconfig users from kubelogin or the azure auth-provider to kubectl-entra.

use clap::Args;
use std::path::PathBuf;

/// Flags whose values go into the new exec entry's `get-token` arguments.
const SIGN_IN: &str = "Sign-in written into the exec entry";

#[derive(Debug, Clone, Args)]
pub struct ConvertKubeconfigArgs {
    /// Kubeconfig file to rewrite (default: every file of $KUBECONFIG, each user in the file that
    /// defines it, else ~/.kube/config)
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath, help_heading = "Kubeconfig")]
    pub kubeconfig: Option<PathBuf>,

    /// Convert only the user of this context (default: every azure or kubelogin user)
    #[arg(long, value_name = "NAME", help_heading = "Kubeconfig")]
    pub context: Option<String>,

    /// Login mode for every converted user: devicecode, interactive, azurecli, spn,
    /// workloadidentity, msi or azurepipelines (default: each user keeps its own)
    #[arg(short = 'l', long, value_name = "MODE", help_heading = SIGN_IN)]
    pub login: Option<String>,

    /// Tenant for the users that name none (never replaces a user's own)
    #[arg(short = 't', long, value_name = "TENANT", help_heading = SIGN_IN)]
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

    /// Certificate file to write for spn users (PEM with its key, or PFX)
    #[arg(long, value_name = "FILE", help_heading = SIGN_IN)]
    pub client_certificate: Option<String>,

    /// Federated token file to write for workloadidentity users
    #[arg(long, value_name = "FILE", help_heading = SIGN_IN)]
    pub federated_token_file: Option<String>,

    /// Managed identity resource id to write for msi users
    #[arg(long, value_name = "ID", help_heading = SIGN_IN)]
    pub identity_resource_id: Option<String>,

    /// Azure CLI subscription to write for azurecli users
    #[arg(short = 's', long, value_name = "ID", help_heading = SIGN_IN)]
    pub subscription: Option<String>,

    /// Azure Pipelines service connection id to write for azurepipelines users
    #[arg(long, value_name = "ID", help_heading = SIGN_IN)]
    pub azure_pipelines_service_connection_id: Option<String>,

    /// Print the converted kubeconfig on stdout and change nothing
    #[arg(long, help_heading = "Kubeconfig")]
    pub dry_run: bool,
}
