//! whoami: the cluster's view (SelfSubjectReview) beside the Entra token's, the warnings that
//! explain a mismatch, and the readable rendering.

use super::group_names::{GroupName, GroupNames};
use super::token::{TokenView, human_duration};
use crate::graph::is_object_id;
use crate::output::Table;
use rbac::UserInfo;
use serde::Serialize;
use std::collections::BTreeMap;

/// A token this close to expiry gets a warning.
pub const EXPIRY_WARNING_SECONDS: i64 = 300;

/// What the API server says about the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClusterView {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

impl From<UserInfo> for ClusterView {
    fn from(u: UserInfo) -> Self {
        ClusterView {
            username: u.name,
            uid: u.uid,
            groups: u.groups,
            extra: u.extra,
        }
    }
}

/// The whole answer: `-o json|yaml` prints it as one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WhoamiReport {
    pub cluster: ClusterView,
    pub token: Option<TokenView>,
    pub groups: Vec<GroupName>,
    pub warnings: Vec<String>,
}

/// Puts both views together and works out the warnings (each with its next step).
pub fn build_report(
    cluster: ClusterView,
    token: Option<TokenView>,
    names: &GroupNames,
) -> WhoamiReport {
    let mut all_ids = cluster.groups.clone();
    if let Some(t) = &token {
        for g in &t.groups {
            if !all_ids.iter().any(|c| c.eq_ignore_ascii_case(g)) {
                all_ids.push(g.clone());
            }
        }
    }
    let groups = names.describe(&all_ids);
    let warnings = warnings(&cluster, token.as_ref(), names);
    WhoamiReport {
        cluster,
        token,
        groups,
        warnings,
    }
}

fn warnings(cluster: &ClusterView, token: Option<&TokenView>, names: &GroupNames) -> Vec<String> {
    let mut out = Vec::new();
    if is_object_id(&cluster.username) {
        out.push(format!(
            "the cluster knows you by your object id {id}, not a UPN (a guest account or a service principal: its token has no upn claim); RoleBindings must name User \"{id}\", e.g. `kubectl entra bind --user {id} -n NAMESPACE`",
            id = cluster.username
        ));
    }
    let Some(token) = token else {
        return out;
    };
    if token.groups_overage {
        out.push(
            "your token carries no groups: you are in more than 200 groups, so Entra put the overage markers (_claim_names) in their place and the cluster must ask Microsoft Graph for them; if groups are missing below, ask your Entra admin to emit only the groups assigned to the AKS server application (groupMembershipClaims: ApplicationGroup) or bind your user directly".to_string(),
        );
    }
    if let Some(expected) = token.expected_username()
        && !expected.eq_ignore_ascii_case(&cluster.username)
    {
        out.push(format!(
            "the cluster sees you as {:?} but your cached token is for {:?}: the context may point at another cluster or tenant, or the cache holds another account; run `kubectl entra logout` and sign in again",
            cluster.username, expected
        ));
    }
    let unseen: Vec<String> = token
        .groups
        .iter()
        .filter(|g| !cluster.groups.iter().any(|c| c.eq_ignore_ascii_case(g)))
        .map(|g| names.label(g))
        .collect();
    if !unseen.is_empty() {
        out.push(format!(
            "your token lists groups the cluster does not see: {}; the cluster may use an older token (run `kubectl entra logout` and retry) or drop them",
            unseen.join(", ")
        ));
    }
    if token.expires_in_seconds <= EXPIRY_WARNING_SECONDS {
        let when = if token.expires_in_seconds < 0 {
            // human_duration says "expired 2m0s ago"
            format!("your token {}", human_duration(token.expires_in_seconds))
        } else {
            format!(
                "your token expires in {}",
                human_duration(token.expires_in_seconds)
            )
        };
        out.push(format!(
            "{when}; kubectl refreshes it on the next request, or run `kubectl entra login` now"
        ));
    }
    out
}

/// The readable form: kubectl's ATTRIBUTE/VALUE table, with an ENTRA TOKEN column when a token
/// view exists. Groups and extra values get one row each.
pub fn render_report(report: &WhoamiReport, names: &GroupNames) -> String {
    let c = &report.cluster;
    let Some(t) = &report.token else {
        let mut table = Table::new(&["ATTRIBUTE", "VALUE"]);
        table.row(["Username".to_string(), c.username.clone()]);
        if !c.uid.is_empty() {
            table.row(["UID".to_string(), c.uid.clone()]);
        }
        for (i, g) in c.groups.iter().enumerate() {
            let label = if i == 0 { "Groups" } else { "" };
            table.row([label.to_string(), names.label(g)]);
        }
        for (key, values) in &c.extra {
            table.row([format!("Extra: {key}"), values.join(", ")]);
        }
        return trim_lines(&table.render(true));
    };
    let mut table = Table::new(&["ATTRIBUTE", "CLUSTER", "ENTRA TOKEN"]);
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let token_user = match (&t.upn, &t.oid) {
        (Some(upn), _) => upn.clone(),
        (None, Some(oid)) => format!("{oid} (no upn: object id)"),
        _ => String::new(),
    };
    table.row(["Username".to_string(), c.username.clone(), token_user]);
    if !c.uid.is_empty() {
        table.row(["UID".to_string(), c.uid.clone(), String::new()]);
    }
    let token_groups: Vec<String> = if t.groups_overage {
        vec!["(overage: not in the token)".to_string()]
    } else {
        t.groups.clone()
    };
    let rows = c.groups.len().max(token_groups.len());
    for i in 0..rows {
        let label = if i == 0 { "Groups" } else { "" };
        let cell = |list: &[String], label: bool| match list.get(i) {
            Some(g) if label => names.label(g),
            Some(g) => g.clone(),
            None => String::new(),
        };
        table.row([
            label.to_string(),
            cell(&c.groups, true),
            cell(&token_groups, !t.groups_overage),
        ]);
    }
    for (key, values) in &c.extra {
        table.row([format!("Extra: {key}"), values.join(", "), String::new()]);
    }
    let left = if t.expires_in_seconds < 0 {
        human_duration(t.expires_in_seconds)
    } else {
        format!("{} left", human_duration(t.expires_in_seconds))
    };
    for (label, value) in [
        ("Display name", opt(&t.name)),
        ("Object id", opt(&t.oid)),
        ("Tenant", opt(&t.tenant)),
        ("Client", opt(&t.client)),
        ("Audience", opt(&t.audience)),
        ("Expires", format!("{} ({left})", t.expires)),
        ("Cache", format!("{}: {}", t.cache_store, t.cache_location)),
    ] {
        if value.is_empty() {
            continue;
        }
        table.row([label.to_string(), String::new(), value]);
    }
    trim_lines(&table.render(true))
}

/// Rows with an empty last cell end without padding, as kubectl's tables do.
fn trim_lines(text: &str) -> String {
    text.lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPDEV: &str = "cccccccc-0000-4000-8000-000000000010";
    const GUEST: &str = "aaaaaaaa-0000-4000-8000-000000000009";

    fn cluster(user: &str, groups: &[&str]) -> ClusterView {
        ClusterView {
            username: user.into(),
            uid: String::new(),
            groups: groups.iter().map(|s| s.to_string()).collect(),
            extra: BTreeMap::from([("oid".to_string(), vec!["o1".to_string()])]),
        }
    }

    fn token(upn: Option<&str>, groups: &[&str], left: i64) -> TokenView {
        TokenView {
            upn: upn.map(str::to_string),
            oid: Some(GUEST.into()),
            groups: groups.iter().map(|s| s.to_string()).collect(),
            expires: "2026-01-01T00:00:00Z".into(),
            expires_in_seconds: left,
            cache_store: "file".into(),
            cache_location: "/c".into(),
            ..Default::default()
        }
    }

    fn names() -> GroupNames {
        let mut n = GroupNames::default();
        n.insert(APPDEV, "appdev");
        n
    }

    #[test]
    fn agreeing_views_have_no_warnings_and_render_side_by_side() {
        let report = build_report(
            cluster("aksdev@contoso.com", &[APPDEV, "system:authenticated"]),
            Some(token(Some("aksdev@contoso.com"), &[APPDEV], 3600)),
            &names(),
        );
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        assert_eq!(report.groups[0].name.as_deref(), Some("appdev"));
        let text = render_report(&report, &names());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("ATTRIBUTE"), "{text}");
        assert!(lines[1].contains("aksdev@contoso.com"), "{text}");
        assert!(text.contains(&format!("appdev ({APPDEV})")), "{text}");
        assert!(text.contains("system:authenticated"));
        assert!(text.contains("1h0m left"), "{text}");
        assert!(text.lines().all(|l| l == l.trim_end()), "padding: {text:?}");
        assert!(
            !text.contains("Tenant"),
            "claims the token lacks get no row: {text}"
        );
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["cluster"]["username"], "aksdev@contoso.com");
        assert_eq!(json["groups"][0]["name"], "appdev");
        assert_eq!(json["token"]["expiresInSeconds"], 3600);
    }

    #[test]
    fn warns_about_guests_overage_mismatch_and_expiry() {
        let mut t = token(None, &[], 120);
        t.groups_overage = true;
        let report = build_report(cluster(GUEST, &["system:authenticated"]), Some(t), &names());
        let all = report.warnings.join("\n");
        assert!(all.contains("object id"), "{all}");
        assert!(all.contains(&format!("--user {GUEST}")), "{all}");
        assert!(all.contains("more than 200 groups"), "{all}");
        assert!(all.contains("expires in 2m0s"), "{all}");
        assert_eq!(report.warnings.len(), 3, "{all}");
        // "within 5 minutes" includes exactly 5 minutes; a minute more is quiet
        let at = |left| {
            build_report(
                cluster("aksdev@contoso.com", &[]),
                Some(token(Some("aksdev@contoso.com"), &[], left)),
                &names(),
            )
            .warnings
        };
        assert_eq!(at(300).len(), 1, "{:?}", at(300));
        assert!(at(300)[0].contains("expires in 5m0s"), "{:?}", at(300));
        assert!(at(360).is_empty(), "{:?}", at(360));
        assert!(
            at(-60)[0].contains("expires expired 1m0s ago")
                || at(-60)[0].contains("expired 1m0s ago")
        );

        let report = build_report(
            cluster("someone@contoso.com", &[]),
            Some(token(Some("aksdev@contoso.com"), &[APPDEV], 3600)),
            &names(),
        );
        let all = report.warnings.join("\n");
        assert!(
            all.contains("cached token is for \"aksdev@contoso.com\""),
            "{all}"
        );
        assert!(all.contains(&format!("appdev ({APPDEV})")), "{all}");
    }

    #[test]
    fn cluster_only_renders_like_kubectl() {
        let report = build_report(cluster("admin", &["system:masters"]), None, &names());
        let text = render_report(&report, &names());
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "ATTRIBUTE    VALUE",
                "Username     admin",
                "Groups       system:masters",
                "Extra: oid   o1"
            ]
        );
        let json = serde_json::to_value(&report).expect("json");
        assert!(json["token"].is_null());
    }
}
