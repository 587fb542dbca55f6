//! bind, unbind and bindings: Entra groups and users bound to namespaces.

use super::{GraphArgs, KubeconfigArgs};
use clap::{Args, ValueEnum};

/// Who is bound. At least one is required for bind and unbind.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Subjects (at least one, each repeatable)")]
pub struct SubjectArgs {
    /// Entra group by display name (bind looks it up in Microsoft Graph; unbind also matches
    /// the name bind recorded)
    #[arg(long = "group", value_name = "NAME")]
    pub groups: Vec<String>,

    /// Entra group by object id; no Graph lookup
    #[arg(long = "group-id", value_name = "OBJECT_ID")]
    pub group_ids: Vec<String>,

    /// A member's UPN, or the object id of a guest or service principal (AKS names those by
    /// object id)
    #[arg(long = "user", value_name = "UPN|OBJECT_ID")]
    pub users: Vec<String>,

    /// A Kubernetes service account as NAMESPACE:NAME
    #[arg(long = "service-account", value_name = "NS:NAME")]
    pub service_accounts: Vec<String>,
}

/// `--dry-run`, as kubectl spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

/// What `bind` prints with `-o`: manifests only, so no table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ManifestFormat {
    Yaml,
    Json,
}

impl From<ManifestFormat> for crate::output::DocumentFormat {
    fn from(format: ManifestFormat) -> Self {
        match format {
            ManifestFormat::Yaml => crate::output::DocumentFormat::Yaml,
            ManifestFormat::Json => crate::output::DocumentFormat::Json,
        }
    }
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
        required_unless_present = "cluster_wide",
        help_heading = "Where and what"
    )]
    pub namespace: Option<String>,

    /// full-access (the AKS article's Role), admin, edit, view, or the name of an existing
    /// Role/ClusterRole
    #[arg(
        long,
        default_value = "full-access",
        value_name = "ROLE",
        help_heading = "Where and what"
    )]
    pub role: String,

    /// Create the namespace when it does not exist
    #[arg(long, help_heading = "Where and what")]
    pub create_namespace: bool,

    /// Bind with a ClusterRoleBinding, granting the role in every namespace (needs
    /// --yes-cluster-wide)
    #[arg(long, help_heading = "Where and what")]
    pub cluster_wide: bool,

    /// Confirm that a cluster-wide grant is intended
    #[arg(long, requires = "cluster_wide", help_heading = "Where and what")]
    pub yes_cluster_wide: bool,

    /// none, client (print the manifests, touch nothing) or server (validate on the API server)
    #[arg(long, value_enum, default_value_t = DryRun::None, num_args = 0..=1, default_missing_value = "client", require_equals = true, help_heading = "Output")]
    pub dry_run: DryRun,

    /// Print the manifests (yaml by default with --dry-run=client) instead of result lines
    #[arg(short = 'o', long = "output", value_enum, help_heading = "Output")]
    pub output: Option<ManifestFormat>,

    #[command(flatten, next_help_heading = "Cluster")]
    pub kube: KubeconfigArgs,

    #[command(flatten, next_help_heading = "Microsoft Graph")]
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
        required_unless_present = "cluster_wide",
        help_heading = "Where and what"
    )]
    pub namespace: Option<String>,

    /// Only the bindings to this role (default: every role kubectl-entra bound the subject to)
    #[arg(long, value_name = "ROLE", help_heading = "Where and what")]
    pub role: Option<String>,

    /// Remove the ClusterRoleBinding made with bind --cluster-wide
    #[arg(long, help_heading = "Where and what")]
    pub cluster_wide: bool,

    /// Also delete this binding although kubectl-entra did not create it (repeatable)
    #[arg(long, value_name = "BINDING", help_heading = "Where and what")]
    pub force: Vec<String>,

    /// Show every object the real run would delete (client and server both ask the API
    /// server with dryRun)
    #[arg(long, value_enum, default_value_t = DryRun::None, num_args = 0..=1, default_missing_value = "client", require_equals = true, help_heading = "Output")]
    pub dry_run: DryRun,

    /// Nothing to delete (or a --force binding that does not exist) is not an error, as
    /// kubectl delete --ignore-not-found
    #[arg(long, help_heading = "Where and what")]
    pub ignore_not_found: bool,

    #[command(flatten, next_help_heading = "Cluster")]
    pub kube: KubeconfigArgs,

    #[command(flatten, next_help_heading = "Microsoft Graph")]
    pub graph: GraphArgs,
}

/// `bindings -o`: kubectl get's formats that fit a list of bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum BindingsFormat {
    #[default]
    Table,
    Wide,
    Name,
    Json,
    Yaml,
}

impl BindingsFormat {
    /// The document format, or None for the table, wide and name outputs.
    pub fn document(self) -> Option<crate::output::DocumentFormat> {
        match self {
            BindingsFormat::Json => Some(crate::output::DocumentFormat::Json),
            BindingsFormat::Yaml => Some(crate::output::DocumentFormat::Yaml),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct BindingsArgs {
    /// Namespace to list, with the ClusterRoleBindings that apply there too (default: the
    /// context's namespace)
    #[arg(short = 'n', long, value_name = "NS", help_heading = "Where")]
    pub namespace: Option<String>,

    /// List every namespace, and ClusterRoleBindings
    #[arg(
        short = 'A',
        long,
        conflicts_with = "namespace",
        help_heading = "Where"
    )]
    pub all_namespaces: bool,

    /// Output format: a table, wide (with the binding kind, the subject's object id and
    /// Entra name in their own columns), name (`rolebinding.rbac.authorization.k8s.io/NAME`,
    /// as kubectl get -o name), json or yaml
    #[arg(short = 'o', long = "output", value_enum, default_value_t = BindingsFormat::Table, help_heading = "Output")]
    pub output: BindingsFormat,

    /// Omit table headers
    #[arg(long, help_heading = "Output")]
    pub no_headers: bool,

    #[command(flatten, next_help_heading = "Cluster")]
    pub kube: KubeconfigArgs,

    #[command(flatten, next_help_heading = "Microsoft Graph")]
    pub graph: GraphArgs,
}
