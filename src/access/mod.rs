//! whoami and can-i as library code: who the cluster and the Entra token say you are, what you
//! may do and why. The commands in `commands::{whoami, can_i}` only fetch and print; everything
//! that can be decided or formatted without a network lives here, with its tests.

pub mod answer;
pub mod audit;
pub mod explain;
pub mod fetch;
pub mod group_names;
pub mod list;
pub mod matrix;
pub mod overage;
pub mod reason;
pub mod snapshot;
pub mod token;
pub mod verbs;
pub mod who_can;
pub mod whoami;

pub use answer::{
    EXIT_NO, EXIT_YES, NamespaceMode, ResolvedTarget, answer_line, build_query, exit_code,
    resolve_target, scope_warning,
};
pub use explain::{describe_request, explain_no, explain_yes, subject_label, suggest_role};
pub use group_names::{GroupName, GroupNames, ids_to_resolve, resolve_with_graph};
pub use list::{fill_incomplete, list_table, sorted_compact_rules, unanswered};
pub use matrix::{Matrix, MatrixRow, Style, evaluate, evaluate_namespaces, render_matrix};
pub use reason::{AllowedBy, parse_allowed_reason};
pub use snapshot::{RbacReadAccess, read_rbac};
pub use token::{CachedToken, TokenView};
pub use verbs::{EVERYDAY_VERBS, is_known_verb};
pub use whoami::{ClusterView, WhoamiReport, build_report, render_report};
