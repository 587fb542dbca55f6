//! `can-i --why -o json|yaml`: the explanation as data for scripts (who the cluster says you
//! are, the binding that allows it, the bindings that apply with their roles and rules, the
//! rule that is missing), not the display lines of the table output.

use crate::access::group_names::names_for;
use crate::access::parse_allowed_reason;
use crate::access::snapshot::read_rbac;
use crate::graph::GraphAccess;
use crate::k8s::review::{AccessQuery, self_subject_review};
use crate::output::error_chain;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhyData {
    /// The subject the cluster evaluated (the impersonated one with --as).
    pub user: Option<WhyUser>,
    /// From the API server's reason on a yes.
    pub allowed_by: Option<crate::access::AllowedBy>,
    /// The bindings that apply to the user where the question was asked (RBAC objects the
    /// caller may read; empty when they may not, see `rbacReadable`).
    pub bindings: Vec<WhyBinding>,
    pub rbac_readable: bool,
    /// On a no: the rule a role would need.
    pub needed_rule: Option<PolicyRule>,
    pub namespace: String,
    /// What could not be gathered (the answer stands anyway).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhyUser {
    pub username: String,
    pub groups: Vec<WhySubject>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhySubject {
    pub kind: String,
    pub name: String,
    /// The Entra display name of a group or user object id, when Graph gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhyBinding {
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub role: RoleRef,
    /// The subject through which it applies to the user.
    pub subject: WhySubject,
    /// The role's rules; None when the role does not exist (the binding grants nothing).
    pub rules: Option<Vec<PolicyRule>>,
}

/// Gathers the data. `client` asks as the subject; `reader` reads RBAC objects as the caller.
pub async fn gather(
    client: &kube::Client,
    reader: &kube::Client,
    graph: Option<&GraphAccess>,
    query: &AccessQuery,
    reason: &str,
    allowed: bool,
) -> WhyData {
    let mut data = WhyData {
        allowed_by: parse_allowed_reason(reason),
        namespace: query.namespace.clone(),
        ..Default::default()
    };
    let user = match self_subject_review(client).await {
        Ok(u) => Some(u),
        Err(e) => {
            data.warnings.push(format!(
                "cannot ask the cluster who you are: {}",
                error_chain(&e)
            ));
            None
        }
    };
    let mut sources = Vec::new();
    let mut rbac = None;
    if let Some(user) = &user {
        match read_rbac(reader, &query.namespace).await {
            Ok((src, access)) => {
                data.rbac_readable = access.role_bindings || access.cluster_role_bindings;
                sources = rbac::bindings_for(&src, user, &query.namespace);
                rbac = Some(src);
            }
            Err(e) => data
                .warnings
                .push(format!("cannot read RBAC objects: {}", error_chain(&e))),
        }
    }
    let mut ids: Vec<String> = user.as_ref().map(|u| u.groups.clone()).unwrap_or_default();
    ids.extend(sources.iter().map(|s| s.subject.name.clone()));
    if let Some(by) = &data.allowed_by {
        ids.push(by.subject_name.clone());
    }
    let (names, warning) = names_for(graph, &ids).await;
    data.warnings.extend(warning);
    let subject = |kind: &str, name: &str, namespace: Option<String>| WhySubject {
        kind: kind.to_string(),
        name: name.to_string(),
        display_name: names.name(name).map(str::to_string),
        namespace,
    };
    if let Some(user) = &user {
        data.user = Some(WhyUser {
            username: user.name.clone(),
            groups: user
                .groups
                .iter()
                .map(|g| subject("Group", g, None))
                .collect(),
        });
    }
    if let Some(src) = &rbac {
        for s in &sources {
            let role = RoleRef {
                api_group: "rbac.authorization.k8s.io".into(),
                kind: s.role_kind.clone(),
                name: s.role_name.clone(),
            };
            let rules = rbac::role_ref_rules(src, &role, &s.binding_namespace).ok();
            data.bindings.push(WhyBinding {
                kind: s.binding_kind.clone(),
                name: s.binding_name.clone(),
                namespace: s.binding_namespace.clone(),
                subject: subject(
                    &s.subject.kind,
                    &s.subject.name,
                    s.subject.namespace.clone(),
                ),
                role,
                rules,
            });
        }
    }
    if !allowed {
        data.needed_rule = Some(needed_rule(query));
    }
    data
}

/// The smallest rule that allows `query`.
fn needed_rule(q: &AccessQuery) -> PolicyRule {
    match &q.path {
        Some(path) => PolicyRule {
            verbs: vec![q.verb.clone()],
            non_resource_urls: Some(vec![path.clone()]),
            ..Default::default()
        },
        None => PolicyRule {
            verbs: vec![q.verb.clone()],
            api_groups: Some(vec![q.group.clone()]),
            resources: Some(vec![if q.subresource.is_empty() {
                q.resource.clone()
            } else {
                format!("{}/{}", q.resource, q.subresource)
            }]),
            resource_names: (!q.name.is_empty()).then(|| vec![q.name.clone()]),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_needed_rule_names_the_subresource_and_the_name() {
        let q = AccessQuery {
            verb: "get".into(),
            resource: "pods".into(),
            subresource: "log".into(),
            name: "web".into(),
            ..Default::default()
        };
        let rule = serde_json::to_value(needed_rule(&q)).expect("json");
        assert_eq!(
            rule,
            serde_json::json!({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"], "resourceNames": ["web"]})
        );
        let q = AccessQuery {
            verb: "get".into(),
            path: Some("/logs/*".into()),
            ..Default::default()
        };
        let rule = serde_json::to_value(needed_rule(&q)).expect("json");
        assert_eq!(
            rule,
            serde_json::json!({"verbs": ["get"], "nonResourceURLs": ["/logs/*"]})
        );
    }
}
