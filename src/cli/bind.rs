//! bind, unbind and bindings: Entra groups and users bound to namespaces.

use super::{GraphArgs, KubeconfigArgs, OutputFormat};
use clap::{Args, ValueEnum};

/// Who is bound. At least one is required for bind and unbind.
#[derive(Debug, Clone, Default, Args)]
pub struct SubjectArgs {
    /// Entra group by display name, resolved through Microsoft Graph (repeatable)
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,

    /// Entra group by object id; no Graph lookup (repeatable)
    #[arg(long = "group-id", value_name = "OBJECT_ID")]
    pub group_ids: Vec<String>,

    /// A member's UPN, or the object id of a guest or service principal (repeatable)
    #[arg(long = "user", value_name = "UPN|OBJECT_ID")]
    pub users: Vec<String>,

    /// A Kubernetes service account as NAMESPACE:NAME (repeatable)
    #[arg(long = "service-account", value_name = "NS:NAME")]
    pub service_accounts: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

#[derive(Debug, Clone, Args)]
pub struct BindArgs {
    #[command(flatten)]
    pub subjects: SubjectArgs,

    /// Namespace to grant access in
    #[arg(
        short = 'n',
        long,
        value_name = "NS",
        required_unless_present = "cluster_wide"
    )]
    pub namespace: Option<String>,

    /// full-access (the AKS article's Role), admin, edit, view, or the name of an existing Role/ClusterRole
    #[arg(long, default_value = "full-access", value_name = "ROLE")]
    pub role: String,

    /// Create the namespace when it does not exist
    #[arg(long)]
    pub create_namespace: bool,

    /// Bind with a ClusterRoleBinding, granting the role in every namespace (needs --yes-cluster-wide)
    #[arg(long)]
    pub cluster_wide: bool,

    /// Confirm that a cluster-wide grant is intended
    #[arg(long, requires = "cluster_wide")]
    pub yes_cluster_wide: bool,

    /// none, client (print the manifests, touch nothing) or server (validate on the API server)
    #[arg(long, value_enum, default_value_t = DryRun::None, num_args = 0..=1, default_missing_value = "client", require_equals = true)]
    pub dry_run: DryRun,

    /// Output format for the manifests (yaml by default with --dry-run=client)
    #[arg(short = 'o', long = "output", value_enum)]
    pub output: Option<OutputFormat>,

    #[command(flatten)]
    pub kube: KubeconfigArgs,

    #[command(flatten)]
    pub graph: GraphArgs,
}

#[derive(Debug, Clone, Args)]
pub struct UnbindArgs {
    #[command(flatten)]
    pub subjects: SubjectArgs,

    /// Namespace to remove the binding from
    #[arg(
        short = 'n',
        long,
        value_name = "NS",
        required_unless_present = "cluster_wide"
    )]
    pub namespace: Option<String>,

    /// Only the bindings to this role (default: every role kubectl-entra bound the subject to)
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,

    /// Remove the ClusterRoleBinding made with bind --cluster-wide
    #[arg(long)]
    pub cluster_wide: bool,

    /// Also delete these bindings although kubectl-entra did not create them (repeatable)
    #[arg(long, value_name = "BINDING")]
    pub force: Vec<String>,

    /// none, client or server
    #[arg(long, value_enum, default_value_t = DryRun::None, num_args = 0..=1, default_missing_value = "client", require_equals = true)]
    pub dry_run: DryRun,

    #[command(flatten)]
    pub kube: KubeconfigArgs,

    #[command(flatten)]
    pub graph: GraphArgs,
}

#[derive(Debug, Clone, Args)]
pub struct BindingsArgs {
    /// Namespace to list (default: the context's namespace)
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,

    /// List every namespace, and ClusterRoleBindings
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Omit table headers
    #[arg(long)]
    pub no_headers: bool,

    #[command(flatten)]
    pub kube: KubeconfigArgs,

    #[command(flatten)]
    pub graph: GraphArgs,
}
