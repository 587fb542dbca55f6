//! Walks the rules a user holds for a namespace, in the API server's order: every matching
//! ClusterRoleBinding first, then (for a non-empty namespace) the namespace's RoleBindings.
//! Shared by the authorizer (stops at the first allowing rule) and the rules review (takes all).

use super::reason::{RuleSource, role_not_found};
use super::subject::applies_to;
use super::{RbacSource, UserInfo};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef};
use std::ops::ControlFlow;

/// What the walk hands to its visitor.
pub enum Visit<'a> {
    Rule(&'a RuleSource, &'a PolicyRule),
    /// A binding applies but its role cannot be resolved (the API server records and moves on).
    Error(String),
}

/// The rules of the role a binding refers to. `namespace` is the binding's ("" for cluster).
pub fn role_ref_rules(
    src: &dyn RbacSource,
    role_ref: &RoleRef,
    namespace: &str,
) -> Result<Vec<PolicyRule>, String> {
    let rules = match role_ref.kind.as_str() {
        "Role" => src.role(namespace, &role_ref.name).map(|r| r.rules),
        "ClusterRole" => src.cluster_role(&role_ref.name).map(|r| r.rules),
        _ => return Err(role_not_found(&role_ref.kind, &role_ref.name)),
    };
    match rules {
        Some(rules) => Ok(rules.unwrap_or_default()),
        None => Err(role_not_found(&role_ref.kind, &role_ref.name)),
    }
}

/// Calls `visit` for every rule (or resolution error) that applies to `user` in `namespace`,
/// until it returns `Break`.
pub fn visit_rules_for(
    src: &dyn RbacSource,
    user: &UserInfo,
    namespace: &str,
    visit: &mut dyn FnMut(Visit<'_>) -> ControlFlow<()>,
) {
    for source in bindings_for(src, user, namespace) {
        if walk(src, &source, visit).is_break() {
            return;
        }
    }
}

fn walk(
    src: &dyn RbacSource,
    source: &RuleSource,
    visit: &mut dyn FnMut(Visit<'_>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let role_ref = RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: source.role_kind.clone(),
        name: source.role_name.clone(),
    };
    match role_ref_rules(src, &role_ref, &source.binding_namespace) {
        Ok(rules) => {
            for rule in &rules {
                visit(Visit::Rule(source, rule))?;
            }
            ControlFlow::Continue(())
        }
        Err(e) => visit(Visit::Error(e)),
    }
}

/// The bindings that apply to `user` in `namespace` (cluster-wide first), whether or not their
/// role exists: what `can-i --why` lists when the answer is no.
pub fn bindings_for(src: &dyn RbacSource, user: &UserInfo, namespace: &str) -> Vec<RuleSource> {
    let mut out = Vec::new();
    for b in src.cluster_role_bindings() {
        if let Some(s) = applies_to(user, b.subjects.as_deref().unwrap_or(&[]), "") {
            out.push(RuleSource {
                binding_kind: "ClusterRoleBinding".into(),
                binding_name: b.metadata.name.clone().unwrap_or_default(),
                binding_namespace: String::new(),
                role_kind: b.role_ref.kind.clone(),
                role_name: b.role_ref.name.clone(),
                subject: s.clone(),
            });
        }
    }
    if !namespace.is_empty() {
        for b in src.role_bindings(namespace) {
            if let Some(s) = applies_to(user, b.subjects.as_deref().unwrap_or(&[]), namespace) {
                out.push(RuleSource {
                    binding_kind: "RoleBinding".into(),
                    binding_name: b.metadata.name.clone().unwrap_or_default(),
                    binding_namespace: namespace.to_string(),
                    role_kind: b.role_ref.kind.clone(),
                    role_name: b.role_ref.name.clone(),
                    subject: s.clone(),
                });
            }
        }
    }
    out
}
