//! The overage note shared by whoami and can-i --why: when the context's cached token has no
//! groups claim, ask Graph for the user's groups as AKS does and compare with the cluster's.

use crate::access::overage::{is_overage, overage_note, resolve_groups};
use crate::cli::{GraphArgs, context_auth_args};
use crate::k8s::client::ContextInfo;
use crate::output::error_chain;

/// The signed-in user's object id (or UPN) when the context's cached token is an overage token.
pub(super) fn overage_user(info: &ContextInfo) -> Option<String> {
    let auth = context_auth_args(info)?;
    let view = crate::entra::Settings::try_from(&auth)
        .and_then(|s| crate::entra::peek(&s))
        .ok()??;
    if !is_overage(&view.claims) {
        return None;
    }
    view.oid.or(view.upn)
}

/// What to tell an overage user: the groups Graph lists, beside the cluster's `cluster_groups`.
pub(super) async fn note(
    info: &ContextInfo,
    graph: &GraphArgs,
    user: &str,
    cluster_groups: &[String],
) -> String {
    let access = match graph.access_for_names(info) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return "your token carries no groups claim (overage: more than 200 groups); AKS resolves them through Microsoft Graph (run without --no-graph to see them here)".to_string();
        }
        Err(e) => {
            return format!(
                "your token carries no groups claim (overage: more than 200 groups), and Microsoft Graph cannot be used: {}",
                error_chain(&e)
            );
        }
    };
    match resolve_groups(&access, user).await {
        Ok(groups) => overage_note(&groups, cluster_groups),
        Err(e) => format!(
            "your token carries no groups claim (overage: more than 200 groups) and Microsoft Graph could not list them: {}",
            error_chain(&e)
        ),
    }
}
