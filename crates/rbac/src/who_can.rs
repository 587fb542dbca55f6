//! The reverse question: every subject some binding lets do a request, with the binding and the
//! role it came through, on a snapshot of RBAC objects. Same matching as the authorizer
//! (`rule_allows`, `subject_matches`'s defaults) and the same traps:
//! - cluster-scoped and non-resource requests are granted by ClusterRoleBindings only;
//! - a ServiceAccount subject without a namespace means the RoleBinding's namespace, and in a
//!   ClusterRoleBinding it matches nobody;
//! - `*` as a subject name is not a wildcard (it names a user or group literally called `*`);
//! - unknown subject kinds match nobody; a binding whose role is missing grants nothing;
//! - `system:masters` may do everything without any binding (privileged-group authorizer).

use super::MemorySource;
use super::aggregation::aggregate_all;
use super::reason::role_not_found;
use super::rule::rule_allows;
use super::{Attributes, PRIVILEGED_GROUP};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use std::collections::HashMap;

/// Where a grant comes from. `binding_namespace` is empty for a ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Grant {
    /// `User`, `Group` or `ServiceAccount`.
    pub subject_kind: String,
    pub subject_name: String,
    /// ServiceAccounts only: the namespace (defaulted to the RoleBinding's as the API server does).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject_namespace: String,
    /// The namespace the grant holds in; empty: every namespace / cluster-wide.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `ClusterRoleBinding` or `RoleBinding`; empty for the privileged group.
    pub binding_kind: String,
    pub binding_name: String,
    pub role_kind: String,
    pub role_name: String,
}

/// A subject that looks like it is bound but can never match, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ignored {
    pub binding_kind: String,
    pub binding_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub subject_kind: String,
    pub subject_name: String,
    pub reason: String,
}

/// Every grant (sorted), the subjects that cannot match, and the bindings whose role is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WhoCan {
    pub grants: Vec<Grant>,
    pub ignored: Vec<Ignored>,
    /// `RoleBinding "x" in "dev": role.rbac.authorization.k8s.io "y" not found`.
    pub errors: Vec<String>,
}

/// Which namespaces' RoleBindings count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `attrs.namespace` only (empty: ClusterRoleBindings only).
    Request,
    /// Every RoleBinding in the snapshot, each in its own namespace (`who-can -A`), unless the
    /// request is cluster-scoped (`namespaced == false`) or non-resource.
    AllNamespaces { namespaced: bool },
}

/// Who may do `attrs`. ClusterRoles are aggregated first (as the controller would have done).
pub fn who_can(src: &MemorySource, attrs: &Attributes, scope: Scope) -> WhoCan {
    let cluster_roles: HashMap<String, Vec<PolicyRule>> = aggregate_all(&src.cluster_roles)
        .into_iter()
        .filter_map(|cr| Some((cr.metadata.name?, cr.rules.unwrap_or_default())))
        .collect();
    let roles: HashMap<(String, String), Vec<PolicyRule>> = src
        .roles
        .iter()
        .filter_map(|r| {
            Some((
                (
                    r.metadata.namespace.clone().unwrap_or_default(),
                    r.metadata.name.clone()?,
                ),
                r.rules.clone().unwrap_or_default(),
            ))
        })
        .collect();
    // Whether a role allows the request does not depend on which binding refers to it.
    let mut verdicts: HashMap<(String, String, String), Result<bool, String>> = HashMap::new();
    let mut allows = |role_ref: &RoleRef, namespace: &str| -> Result<bool, String> {
        let ns = if role_ref.kind == "Role" {
            namespace
        } else {
            ""
        };
        let key = (role_ref.kind.clone(), ns.to_string(), role_ref.name.clone());
        verdicts
            .entry(key)
            .or_insert_with(|| {
                let rules = match role_ref.kind.as_str() {
                    "ClusterRole" => cluster_roles.get(&role_ref.name),
                    "Role" => roles.get(&(ns.to_string(), role_ref.name.clone())),
                    _ => None,
                };
                match rules {
                    Some(rules) => Ok(rules.iter().any(|r| rule_allows(r, attrs))),
                    None => Err(role_not_found(&role_ref.kind, &role_ref.name)),
                }
            })
            .clone()
    };

    let mut out = WhoCan::default();
    out.grants.push(Grant {
        subject_kind: "Group".into(),
        subject_name: PRIVILEGED_GROUP.into(),
        subject_namespace: String::new(),
        namespace: String::new(),
        binding_kind: String::new(),
        binding_name: String::new(),
        role_kind: String::new(),
        role_name: String::new(),
    });
    for b in &src.cluster_role_bindings {
        let name = b.metadata.name.clone().unwrap_or_default();
        match allows(&b.role_ref, "") {
            Ok(true) => add_subjects(
                &mut out,
                "ClusterRoleBinding",
                &name,
                "",
                &b.role_ref,
                b.subjects.as_deref().unwrap_or(&[]),
            ),
            Ok(false) => {}
            Err(e) => out.errors.push(format!("ClusterRoleBinding {name:?}: {e}")),
        }
    }
    let request_is_namespaced = attrs.path.is_none() && !attrs.namespace.is_empty();
    let wanted = |ns: &str| match scope {
        Scope::Request => request_is_namespaced && ns == attrs.namespace,
        Scope::AllNamespaces { namespaced } => attrs.path.is_none() && namespaced,
    };
    for b in &src.role_bindings {
        let ns = b.metadata.namespace.as_deref().unwrap_or("");
        if ns.is_empty() || !wanted(ns) {
            continue;
        }
        let name = b.metadata.name.clone().unwrap_or_default();
        match allows(&b.role_ref, ns) {
            Ok(true) => add_subjects(
                &mut out,
                "RoleBinding",
                &name,
                ns,
                &b.role_ref,
                b.subjects.as_deref().unwrap_or(&[]),
            ),
            Ok(false) => {}
            Err(e) => out
                .errors
                .push(format!("RoleBinding {name:?} in {ns:?}: {e}")),
        }
    }
    out.grants.sort();
    out.grants.dedup();
    out.ignored.sort();
    out.errors.sort();
    out.errors.dedup();
    out
}

fn add_subjects(
    out: &mut WhoCan,
    binding_kind: &str,
    binding_name: &str,
    namespace: &str,
    role_ref: &RoleRef,
    subjects: &[Subject],
) {
    for s in subjects {
        let ignore = |reason: &str| Ignored {
            binding_kind: binding_kind.into(),
            binding_name: binding_name.into(),
            namespace: namespace.into(),
            subject_kind: s.kind.clone(),
            subject_name: s.name.clone(),
            reason: reason.into(),
        };
        let subject_namespace = match s.kind.as_str() {
            "User" | "Group" => String::new(),
            "ServiceAccount" => match s.namespace.as_deref() {
                Some(ns) if !ns.is_empty() => ns.to_string(),
                _ if !namespace.is_empty() => namespace.to_string(),
                _ => {
                    out.ignored.push(ignore(
                        "a ServiceAccount subject of a ClusterRoleBinding needs a namespace; without one it matches nobody",
                    ));
                    continue;
                }
            },
            other => {
                out.ignored.push(ignore(&format!(
                    "subject kind {other:?} is not User, Group or ServiceAccount; it matches nobody"
                )));
                continue;
            }
        };
        out.grants.push(Grant {
            subject_kind: s.kind.clone(),
            subject_name: s.name.clone(),
            subject_namespace,
            namespace: namespace.into(),
            binding_kind: binding_kind.into(),
            binding_name: binding_name.into(),
            role_kind: role_ref.kind.clone(),
            role_name: role_ref.name.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{UserInfo, authorize, service_account_username};

    const YAML: &str = r#"
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: pod-creator, labels: {agg: "yes"}}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: aggregated}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: named-only}
rules: [{apiGroups: [""], resources: [pods], verbs: [get], resourceNames: [web]}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: healthz}
rules: [{nonResourceURLs: ["/healthz"], verbs: [get]}]
---
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: pods-all, namespace: dev}
rules: [{apiGroups: [""], resources: ["*"], verbs: ["*"]}]
---
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: pods-all, namespace: sre}
rules: [{apiGroups: [""], resources: [pods], verbs: ["*"]}]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: agg-binding}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregated}
subjects:
- {kind: Group, name: g-agg, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: no-ns}
- {kind: Robot, name: r2d2}
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: health}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: healthz}
subjects: [{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: dev-all, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-all}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: builder}
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: sre-all, namespace: sre}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-all}
subjects: [{kind: User, name: bob, apiGroup: rbac.authorization.k8s.io}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: named, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: named-only}
subjects: [{kind: User, name: carol, apiGroup: rbac.authorization.k8s.io}]
"#;

    fn attrs(verb: &str, ns: &str, resource: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            namespace: ns.into(),
            resource: resource.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    fn subjects(w: &WhoCan) -> Vec<String> {
        w.grants
            .iter()
            .map(|g| format!("{}:{}@{}", g.subject_kind, g.subject_name, g.namespace))
            .collect()
    }

    #[test]
    fn namespace_question_sees_cluster_and_namespace_bindings() {
        let src = MemorySource::from_yaml(YAML).expect("yaml");
        let w = who_can(&src, &attrs("create", "dev", "pods", ""), Scope::Request);
        assert_eq!(
            subjects(&w),
            [
                "Group:g-agg@",
                "Group:system:masters@",
                "ServiceAccount:builder@dev",
                "User:alice@dev"
            ]
        );
        let sa = w
            .grants
            .iter()
            .find(|g| g.subject_kind == "ServiceAccount")
            .expect("sa");
        assert_eq!(sa.subject_namespace, "dev", "defaults to the binding's");
        assert_eq!(w.ignored.len(), 2, "{:?}", w.ignored);
        assert!(w.ignored.iter().any(|i| i.subject_name == "no-ns"));
        assert!(w.ignored.iter().any(|i| i.subject_kind == "Robot"));
    }

    #[test]
    fn all_namespaces_and_resource_names() {
        let src = MemorySource::from_yaml(YAML).expect("yaml");
        let all = Scope::AllNamespaces { namespaced: true };
        let w = who_can(&src, &attrs("delete", "", "pods", ""), all);
        assert_eq!(
            subjects(&w),
            [
                "Group:system:masters@",
                "ServiceAccount:builder@dev",
                "User:alice@dev",
                "User:bob@sre"
            ]
        );
        // resourceNames: only with the name
        let w = who_can(&src, &attrs("get", "dev", "pods", ""), Scope::Request);
        assert!(!subjects(&w).contains(&"User:carol@dev".to_string()));
        let w = who_can(&src, &attrs("get", "dev", "pods", "web"), Scope::Request);
        assert!(subjects(&w).contains(&"User:carol@dev".to_string()));
        // cluster-scoped: RoleBindings never count
        let cluster = Scope::AllNamespaces { namespaced: false };
        let w = who_can(&src, &attrs("create", "", "pods", ""), cluster);
        assert_eq!(subjects(&w), ["Group:g-agg@", "Group:system:masters@"]);
    }

    #[test]
    fn non_resource_urls_and_missing_roles() {
        let mut src = MemorySource::from_yaml(YAML).expect("yaml");
        let a = Attributes {
            verb: "get".into(),
            path: Some("/healthz".into()),
            ..Default::default()
        };
        let w = who_can(&src, &a, Scope::AllNamespaces { namespaced: true });
        assert_eq!(
            subjects(&w),
            ["Group:system:authenticated@", "Group:system:masters@"]
        );
        src.role_bindings[0].role_ref.name = "gone".into();
        let w = who_can(&src, &attrs("create", "dev", "pods", ""), Scope::Request);
        assert_eq!(
            w.errors,
            [
                "RoleBinding \"dev-all\" in \"dev\": role.rbac.authorization.k8s.io \"gone\" not found"
            ]
        );
    }

    /// Every grant is one the authorizer allows for that subject, and every subject the
    /// authorizer allows (of those bound anywhere) is listed.
    #[test]
    fn agrees_with_the_authorizer() {
        let mut src = MemorySource::from_yaml(YAML).expect("yaml");
        // What the store holds once the aggregation controller ran.
        src.cluster_roles = aggregate_all(&src.cluster_roles);
        let users = [
            ("alice", vec![]),
            ("bob", vec![]),
            ("carol", vec![]),
            ("x", vec!["g-agg".to_string()]),
            ("y", vec!["system:authenticated".to_string()]),
            (
                service_account_username("dev", "builder").leak() as &str,
                vec![],
            ),
        ];
        for (verb, res, name) in [
            ("create", "pods", ""),
            ("get", "pods", "web"),
            ("list", "secrets", ""),
        ] {
            for ns in ["dev", "sre"] {
                let a = attrs(verb, ns, res, name);
                let w = who_can(&src, &a, Scope::Request);
                for (user, groups) in &users {
                    let u = UserInfo {
                        name: user.to_string(),
                        groups: groups.clone(),
                        ..Default::default()
                    };
                    let listed = w.grants.iter().any(|g| match g.subject_kind.as_str() {
                        "User" => g.subject_name == *user,
                        "Group" => groups.contains(&g.subject_name),
                        _ => {
                            service_account_username(&g.subject_namespace, &g.subject_name) == *user
                        }
                    });
                    assert_eq!(listed, authorize(&src, &u, &a).allowed, "{user} {a:?}");
                }
            }
        }
    }
}
