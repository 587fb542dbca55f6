//! who-can and audit: questions about every subject, answered from the RBAC objects.

use super::{GraphArgs, KubeconfigArgs, OutputFormat};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct WhoCanArgs {
    /// The verb (get, list, watch, create, update, patch, delete, deletecollection, or any other)
    #[arg(value_name = "VERB")]
    pub verb: String,

    /// TYPE[.GROUP][/NAME], or a non-resource URL such as /healthz
    #[arg(value_name = "RESOURCE")]
    pub resource: String,

    /// The object's name (the same as TYPE/NAME): rules limited to resourceNames count then
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Namespace to ask about (default: the context's namespace)
    #[arg(short = 'n', long, value_name = "NS", help_heading = "Question")]
    pub namespace: Option<String>,

    /// Every namespace: RoleBindings anywhere, with the namespace they hold in
    #[arg(
        short = 'A',
        long,
        conflicts_with = "namespace",
        help_heading = "Question"
    )]
    pub all_namespaces: bool,

    /// Subresource, such as log or status
    #[arg(long, value_name = "NAME", help_heading = "Question")]
    pub subresource: Option<String>,

    /// Also list the members of each bound Entra group (transitively, through Microsoft Graph)
    #[arg(long, help_heading = "Entra")]
    pub members: bool,

    /// Only what gives this Entra user the access: bindings naming them (as AKS names them:
    /// the UPN, a guest's object id), the bound Entra groups they are in (transitively, asked
    /// with Microsoft Graph checkMemberGroups, as AKS does for a user in more than 200
    /// groups), and system:authenticated
    #[arg(
        long = "user",
        value_name = "UPN|OBJECT_ID",
        conflicts_with = "members",
        help_heading = "Entra"
    )]
    pub user: Option<String>,

    /// Most members listed per group with --members
    #[arg(long, value_name = "N", default_value_t = 100, help_heading = "Entra")]
    pub members_limit: usize,

    /// Output format: a table, or json / yaml for scripts
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value_t = OutputFormat::Table,
        help_heading = "Output"
    )]
    pub output: OutputFormat,

    /// Omit table headers
    #[arg(long, help_heading = "Output")]
    pub no_headers: bool,

    #[command(flatten, next_help_heading = "Kubeconfig")]
    pub kube: KubeconfigArgs,

    #[command(flatten, next_help_heading = "Microsoft Graph (Entra names)")]
    pub graph: GraphArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Namespace to audit, with the ClusterRoleBindings (default: the context's namespace)
    #[arg(short = 'n', long, value_name = "NS", help_heading = "Where")]
    pub namespace: Option<String>,

    /// Audit every namespace and the ClusterRoleBindings
    #[arg(
        short = 'A',
        long,
        conflicts_with = "namespace",
        help_heading = "Where"
    )]
    pub all_namespaces: bool,

    /// Output format: a table, or json / yaml for scripts
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value_t = OutputFormat::Table,
        help_heading = "Output"
    )]
    pub output: OutputFormat,

    /// Omit table headers
    #[arg(long, help_heading = "Output")]
    pub no_headers: bool,

    #[command(flatten, next_help_heading = "Kubeconfig")]
    pub kube: KubeconfigArgs,

    #[command(
        flatten,
        next_help_heading = "Microsoft Graph (object ids that no longer exist)"
    )]
    pub graph: GraphArgs,
}
