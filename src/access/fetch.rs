//! The network side of can-i, shared by the command, the tests and the benchmark: `--why`'s
//! context, the access reviews that complete an incomplete `--list`, the matrix from one rules
//! review per namespace, and (for comparison only) the same matrix from one access review per
//! cell, the way rakkess builds it.

use super::answer::ResolvedTarget;
use super::explain::{explain_no, explain_yes};
use super::group_names::names_for;
use super::list::{fill_incomplete, unanswered};
use super::matrix::{Matrix, MatrixRow, evaluate_namespaces};
use super::reason::parse_allowed_reason;
use super::snapshot::read_rbac;
use crate::graph::GraphAccess;
use crate::k8s::error::readable;
use crate::k8s::review::{AccessQuery, access_review, rules_review, self_subject_review};
use anyhow::Context as _;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};
use rbac::{Attributes, RuleSet};
use std::sync::Arc;

/// How many reviews are in flight at once (kubectl's default QPS is 5 with bursts of 10).
pub const CONCURRENCY: usize = 8;

/// Every namespace name, sorted (one list request).
pub async fn namespace_names(client: &kube::Client) -> anyhow::Result<Vec<String>> {
    let list = match Api::<Namespace>::all(client.clone())
        .list(&ListParams::default())
        .await
    {
        Ok(list) => list,
        Err(kube::Error::Api(status)) if status.code == 403 => anyhow::bail!(
            "{}; the access matrix across namespaces needs `list namespaces`: ask with -n NAMESPACE instead",
            status.message
        ),
        Err(e) => return Err(readable(e)).context("cannot list namespaces"),
    };
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    names.sort();
    Ok(names)
}

/// One SelfSubjectRulesReview per namespace, `CONCURRENCY` at a time, in the given order.
pub async fn rules_reviews(
    client: &kube::Client,
    namespaces: &[String],
) -> anyhow::Result<Vec<(String, RuleSet)>> {
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, ns) in namespaces.iter().enumerate() {
        let client = client.clone();
        let ns = ns.clone();
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, rules_review(&client, &ns).await.map(|set| (ns, set)))
        });
    }
    let mut out: Vec<Option<(String, RuleSet)>> = vec![None; namespaces.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.context("a rules review task failed")?;
        out[i] = Some(result?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// Namespaces × verbs for one resource: one rules review per namespace, evaluated locally.
pub async fn namespace_matrix(
    client: &kube::Client,
    namespaces: &[String],
    target: &ResolvedTarget,
    verbs: &[String],
) -> anyhow::Result<Matrix> {
    let sets = rules_reviews(client, namespaces).await?;
    Ok(evaluate_namespaces(&sets, target, verbs))
}

/// The same matrix from one SelfSubjectAccessReview per cell (rakkess's way), `CONCURRENCY`
/// at a time. Only for comparison in tests and the benchmark.
pub async fn namespace_matrix_cell_by_cell(
    client: &kube::Client,
    namespaces: &[String],
    target: &ResolvedTarget,
    verbs: &[String],
) -> anyhow::Result<Matrix> {
    let (group, resource) = match target {
        ResolvedTarget::Resource {
            group, resource, ..
        } => (group.clone(), resource.clone()),
        ResolvedTarget::NonResource { path } => (String::new(), path.clone()),
    };
    let (resource, subresource) = match resource.split_once('/') {
        Some((r, s)) => (r.to_string(), s.to_string()),
        None => (resource, String::new()),
    };
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (row, ns) in namespaces.iter().enumerate() {
        for (col, verb) in verbs.iter().enumerate() {
            let query = AccessQuery {
                verb: verb.clone(),
                namespace: ns.clone(),
                group: group.clone(),
                resource: resource.clone(),
                subresource: subresource.clone(),
                ..Default::default()
            };
            let client = client.clone();
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (
                    row,
                    col,
                    access_review(&client, &query).await.map(|a| a.allowed),
                )
            });
        }
    }
    let mut cells = vec![vec![false; verbs.len()]; namespaces.len()];
    while let Some(joined) = tasks.join_next().await {
        let (row, col, allowed) = joined.context("an access review task failed")?;
        cells[row][col] = allowed?;
    }
    let rows = namespaces
        .iter()
        .zip(cells)
        .map(|(ns, row)| MatrixRow {
            name: ns.clone(),
            access: verbs
                .iter()
                .cloned()
                .zip(row.into_iter().map(Some))
                .collect(),
        })
        .collect();
    Ok(Matrix {
        rows_are: "namespaces".into(),
        namespace: None,
        resource: Some(target.display()),
        verbs: verbs.to_vec(),
        rows,
        incomplete: Vec::new(),
    })
}

fn attributes(q: &AccessQuery) -> Attributes {
    Attributes {
        verb: q.verb.clone(),
        namespace: q.namespace.clone(),
        api_group: q.group.clone(),
        resource: q.resource.clone(),
        subresource: q.subresource.clone(),
        name: q.name.clone(),
        path: q.path.clone(),
    }
}

/// `--why`'s report, and what went wrong while gathering it (the command shows those as
/// warnings).
#[derive(Debug, Clone, Default)]
pub struct Explanation {
    pub lines: Vec<String>,
    pub warnings: Vec<String>,
}

/// The `--why` lines: who the cluster says you are, group names, and (for a no) the RBAC
/// objects you may read. Failures to gather context become warnings: the answer stands anyway.
/// `client` asks as the subject in question (impersonated with `--as`); `rbac_reader` reads
/// RBAC objects as the caller, so an admin checking someone else sees their bindings.
pub async fn explain(
    client: &kube::Client,
    rbac_reader: &kube::Client,
    graph: Option<&GraphAccess>,
    query: &AccessQuery,
    reason: &str,
    allowed: bool,
) -> Explanation {
    let mut warnings = Vec::new();
    let user = match self_subject_review(client).await {
        Ok(u) => Some(u),
        Err(e) => {
            warnings.push(format!(
                "cannot ask the cluster who you are: {}",
                crate::output::error_chain(&e)
            ));
            None
        }
    };
    let mut ids: Vec<String> = user.as_ref().map(|u| u.groups.clone()).unwrap_or_default();
    if let Some(by) = parse_allowed_reason(reason) {
        ids.push(by.subject_name);
    }
    let attrs = attributes(query);
    let snapshot = if allowed || user.is_none() {
        None
    } else {
        match read_rbac(rbac_reader, &attrs.namespace).await {
            Ok((src, access)) => Some((src, access)),
            Err(e) => {
                warnings.push(format!(
                    "cannot read RBAC objects: {}",
                    crate::output::error_chain(&e)
                ));
                None
            }
        }
    };
    if let Some((src, _)) = &snapshot {
        use rbac::RbacSource as _;
        for b in src.role_bindings(&attrs.namespace) {
            ids.extend(b.subjects.unwrap_or_default().into_iter().map(|s| s.name));
        }
        for b in src.cluster_role_bindings() {
            ids.extend(b.subjects.unwrap_or_default().into_iter().map(|s| s.name));
        }
    }
    let (names, warning) = names_for(graph, &ids).await;
    warnings.extend(warning);
    let lines = if allowed {
        explain_yes(reason, user.as_ref(), &names)
    } else if let Some(user) = user {
        let readable = snapshot
            .as_ref()
            .filter(|(_, a)| a.role_bindings || a.cluster_role_bindings)
            .map(|(s, a)| (s, a));
        explain_no(&attrs, &user, &names, readable)
    } else {
        vec![
            "cannot explain further: the cluster did not say who you are (see the warning above)"
                .to_string(),
        ]
    };
    Explanation { lines, warnings }
}

/// Asks the common questions a rules review left open (`incomplete`, e.g. a webhook
/// authorizer) with access reviews, `CONCURRENCY` at a time, and adds the allowed ones to `set`.
/// Returns (questions asked, rules added).
pub async fn complete_with_access_reviews(
    client: &kube::Client,
    set: &mut RuleSet,
    namespace: &str,
) -> anyhow::Result<(usize, usize)> {
    let open = unanswered(set, namespace);
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, attrs) in open.iter().enumerate() {
        let client = client.clone();
        let query = AccessQuery::from(attrs);
        let limit = limit.clone();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, access_review(&client, &query).await.map(|a| a.allowed))
        });
    }
    let mut allowed_at = vec![false; open.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, allowed) = joined.context("an access review task failed")?;
        allowed_at[i] = allowed?;
    }
    let allowed: Vec<Attributes> = open
        .iter()
        .zip(allowed_at)
        .filter(|(_, yes)| *yes)
        .map(|(a, _)| a.clone())
        .collect();
    fill_incomplete(set, &allowed);
    Ok((open.len(), allowed.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::mock_api::{Mock, start};

    #[tokio::test]
    async fn incomplete_rules_are_completed_with_access_reviews() {
        // The mock's rules review is incomplete and covers "" and apps; its access reviews
        // allow everything in dev only.
        let (client, mock) = start(Mock::default()).await;
        let mut set = rules_review(&client, "dev").await.expect("review");
        assert!(set.incomplete);
        let (asked, added) = complete_with_access_reviews(&client, &mut set, "dev")
            .await
            .expect("complete");
        assert_eq!(
            (asked, added),
            (14, 14),
            "batch jobs and ingresses x 7 verbs"
        );
        assert_eq!(mock.bodies.lock().expect("lock").len(), 1 + 14);
        let table = crate::access::list_table(&set, true);
        assert!(table.contains("jobs.batch"), "{table}");
        assert!(table.contains("ingresses.networking.k8s.io"), "{table}");

        let mut set = rules_review(&client, "sre").await.expect("review");
        let (asked, added) = complete_with_access_reviews(&client, &mut set, "sre")
            .await
            .expect("complete");
        assert_eq!((asked, added), (14, 0));
    }

    #[tokio::test]
    async fn one_rules_review_per_namespace_in_order() {
        let (client, mock) = start(Mock::default()).await;
        let namespaces: Vec<String> = (0..20).map(|i| format!("ns-{i:02}")).collect();
        let target = ResolvedTarget::Resource {
            group: "apps".into(),
            resource: "deployments".into(),
            name: String::new(),
            namespaced: true,
        };
        let verbs = vec!["get".to_string(), "delete".to_string()];
        let m = namespace_matrix(&client, &namespaces, &target, &verbs)
            .await
            .expect("matrix");
        let names: Vec<&str> = m.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            namespaces.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert!(m.rows.iter().all(|r| r.access["delete"] == Some(true)));
        assert_eq!(m.incomplete.len(), 20);
        let bodies = mock.bodies.lock().expect("lock");
        assert_eq!(bodies.len(), 20);
        assert!(bodies.iter().all(|b| b["kind"] == "SelfSubjectRulesReview"));
    }

    #[tokio::test]
    async fn why_gathers_identity_and_says_when_rbac_is_unreadable() {
        let (client, _) = start(Mock {
            review_versions: vec!["v1"],
            ..Default::default()
        })
        .await;
        let yes = AccessQuery {
            verb: "create".into(),
            namespace: "dev".into(),
            resource: "pods".into(),
            ..Default::default()
        };
        let answer = access_review(&client, &yes).await.expect("review");
        let why = explain(&client, &client, None, &yes, &answer.reason, answer.allowed).await;
        assert!(why.warnings.is_empty(), "{:?}", why.warnings);
        let lines = why.lines;
        assert_eq!(
            lines[0],
            "allowed by RoleBinding \"dev-user-access\" in namespace \"dev\""
        );
        assert_eq!(lines[2], "  subject: Group \"appdev-oid\"");
        let no = AccessQuery {
            namespace: "sre".into(),
            ..yes
        };
        let why = explain(&client, &client, None, &no, "", false).await;
        let lines = why.lines.join("\n");
        assert!(lines.contains("User \"aksdev@contoso.com\""), "{lines}");
        assert!(
            lines.contains("you may not read the RBAC bindings"),
            "{lines}"
        );
        assert!(
            lines.contains("kubectl entra bind --group-id appdev-oid -n sre --role edit"),
            "{lines}"
        );
    }
}
