//! Groups overage (more than 200 groups: the token carries `_claim_names`/`_claim_sources`
//! instead of `groups`). AKS resolves such a user's groups through Microsoft Graph
//! (ENTRA-PROTOCOL §3.4); we ask Graph the same question so whoami, can-i --why and who-can can
//! say what the cluster will see.

use crate::graph::GraphAccess;

/// Whether decoded access-token claims carry the overage markers in place of `groups`.
pub fn is_overage(claims: &serde_json::Value) -> bool {
    claims.get("groups").is_none() && claims.pointer("/_claim_names/groups").is_some()
}

/// The user's groups from Graph `getMemberObjects` (as AKS's guard asks it).
pub async fn resolve_groups(graph: &GraphAccess, user: &str) -> anyhow::Result<Vec<String>> {
    let client = graph.connect().await?;
    Ok(client.member_objects(user).await?)
}

/// The note shown beside the cluster's view: how many groups Graph lists, and whether the
/// cluster sees the same ones.
pub fn overage_note(resolved: &[String], cluster_groups: &[String]) -> String {
    let seen = resolved
        .iter()
        .filter(|g| cluster_groups.iter().any(|c| c.eq_ignore_ascii_case(g)))
        .count();
    let agreement = if seen == resolved.len() {
        "the cluster sees all of them, as AKS resolves overage tokens through Graph too".to_string()
    } else {
        format!(
            "the cluster sees {seen} of them: AKS resolves overage tokens through Microsoft Graph, so a cluster that does not (plain OIDC) sees none; bind the user directly there"
        )
    };
    format!(
        "your token carries no groups claim (overage: more than 200 groups); Microsoft Graph getMemberObjects lists {} groups for you, and {agreement}",
        resolved.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overage_markers_and_note() {
        let c = serde_json::json!({"_claim_names": {"groups": "src1"}, "_claim_sources": {}});
        assert!(is_overage(&c));
        assert!(!is_overage(&serde_json::json!({"groups": []})));
        let resolved = vec!["a".to_string(), "b".to_string()];
        let all = overage_note(
            &resolved,
            &["A".into(), "b".into(), "system:authenticated".into()],
        );
        assert!(
            all.contains("lists 2 groups") && all.contains("sees all of them"),
            "{all}"
        );
        let some = overage_note(&resolved, &["a".into()]);
        assert!(some.contains("sees 1 of them"), "{some}");
    }
}
