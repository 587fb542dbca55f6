//! whoami and can-i: read-only questions about the signed-in identity.

use super::{GraphArgs, KubeconfigArgs, OutputFormat};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct WhoamiArgs {
    #[command(flatten, next_help_heading = "Kubeconfig")]
    pub kube: KubeconfigArgs,

    #[command(flatten, next_help_heading = "Microsoft Graph (Entra group names)")]
    pub graph: GraphArgs,

    /// Output format: a table, or one json / yaml document with both views for scripts
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value_t = OutputFormat::Table,
        help_heading = "Output"
    )]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Args)]
pub struct CanIArgs {
    /// The verb (get, list, watch, create, update, patch, delete, deletecollection, or any other)
    #[arg(value_name = "VERB", required_unless_present_any = ["list", "matrix"])]
    pub verb: Option<String>,

    /// TYPE[.GROUP][/NAME], or a non-resource URL such as /logs/*
    #[arg(value_name = "RESOURCE", required_unless_present_any = ["list", "matrix"])]
    pub resource: Option<String>,

    /// Namespace to check in (default: the context's namespace; never sent for cluster-scoped
    /// resources, so a RoleBinding cannot give a false yes)
    #[arg(short = 'n', long, value_name = "NS", help_heading = "Question")]
    pub namespace: Option<String>,

    /// Check across all namespaces
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

    /// Print nothing: exit 0 for yes, 1 for no (2 for an error, as always)
    #[arg(short = 'q', long, help_heading = "Question")]
    pub quiet: bool,

    /// Explain which binding allows it (with Entra group names), or which bindings apply and
    /// what is missing; printed on stdout after the yes/no line
    #[arg(long, help_heading = "Question")]
    pub why: bool,

    /// List everything you may do in the namespace
    #[arg(long, conflicts_with = "matrix", help_heading = "List and matrix")]
    pub list: bool,

    /// Print an access matrix (resources x verbs; namespaces x verbs for one resource with -A)
    /// from one rules review per namespace: coloured ✔/✖ on a terminal, yes/no when piped
    #[arg(long, help_heading = "List and matrix")]
    pub matrix: bool,

    /// Verbs for --matrix (default: get list watch create update patch delete)
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "VERB,...",
        help_heading = "List and matrix"
    )]
    pub verbs: Vec<String>,

    /// Omit table headers (--list, --matrix)
    #[arg(long, help_heading = "Output")]
    pub no_headers: bool,

    /// Impersonate this user (admins checking someone else)
    #[arg(long = "as", value_name = "USER", help_heading = "Impersonation")]
    pub as_user: Option<String>,

    /// Impersonate this group, e.g. an Entra group's object id (repeatable; needs --as)
    #[arg(
        long = "as-group",
        value_name = "GROUP",
        help_heading = "Impersonation"
    )]
    pub as_group: Vec<String>,

    /// Impersonate an Entra group given by display name (resolved to its object id through
    /// Microsoft Graph; repeatable; needs --as)
    #[arg(
        long = "as-entra-group",
        value_name = "NAME",
        help_heading = "Impersonation"
    )]
    pub as_entra_group: Vec<String>,

    /// Output format: table, or json / yaml for scripts (the answer with its reason, the
    /// --list rules, or the --matrix)
    #[arg(short = 'o', long = "output", value_enum, help_heading = "Output")]
    pub output: Option<OutputFormat>,

    #[command(flatten, next_help_heading = "Kubeconfig")]
    pub kube: KubeconfigArgs,

    #[command(flatten, next_help_heading = "Microsoft Graph (Entra group names)")]
    pub graph: GraphArgs,
}
