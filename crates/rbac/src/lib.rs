//! Kubernetes RBAC semantics, shared by the sandbox's API server (to authorize) and by
//! `can-i --why` / `--matrix` (to explain and to evaluate rules locally). No I/O.

mod aggregation;
mod authorizer;
mod escalation;
mod memory;
mod reason;
mod resolver;
mod rule;
mod rules_review;
mod subject;
#[cfg(test)]
mod tests;
mod who_can;

pub use aggregation::{aggregate_all, selector_matches};
pub use authorizer::{PRIVILEGED_GROUP, find_allowing_rule, is_privileged};
pub use escalation::{
    EscalationDenied, breakdown_rule, check_binding_write, check_role_write, compact_rules,
    confirm_no_escalation, covers,
};
pub use memory::MemorySource;
pub use reason::{RuleSource, allowed_reason, compact_string, describe_subject};
pub use resolver::{bindings_for, role_ref_rules};
pub use rule::{
    api_group_matches, non_resource_url_matches, resource_matches, resource_name_matches,
    verb_matches,
};
pub use rules_review::{full_authority, raw_rules_for};
pub use subject::{service_account_username, subject_matches};
pub use who_can::{Grant, Ignored, Scope as WhoCanScope, WhoCan, who_can};

use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use std::collections::BTreeMap;

/// An authenticated user as the API server sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserInfo {
    pub name: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

/// What a request asks to do (the API server's authorizer.Attributes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    /// Empty for cluster-scoped requests.
    pub namespace: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// Set for non-resource requests (`/healthz`, `/logs/foo`); then the resource fields are empty.
    pub path: Option<String>,
}

/// The answer, with the API server's RBAC wording in `reason`, e.g.
/// `RBAC: allowed by RoleBinding "dev-user-access/dev" of Role "dev-user-full-access" to Group "<oid>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// Read access to the RBAC objects of a cluster (a store, or a snapshot taken by a client).
pub trait RbacSource {
    fn roles(&self, namespace: &str) -> Vec<Role>;
    fn role(&self, namespace: &str, name: &str) -> Option<Role>;
    fn cluster_roles(&self) -> Vec<ClusterRole>;
    fn cluster_role(&self, name: &str) -> Option<ClusterRole>;
    fn role_bindings(&self, namespace: &str) -> Vec<RoleBinding>;
    fn cluster_role_bindings(&self) -> Vec<ClusterRoleBinding>;
}

/// The rules a user holds in a namespace (a SelfSubjectRulesReview's content).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSet {
    pub resource_rules: Vec<PolicyRule>,
    pub non_resource_rules: Vec<PolicyRule>,
    pub incomplete: bool,
    pub evaluation_error: String,
}

/// Authorizes a request. Members of `system:masters` are always allowed (with an empty reason,
/// as the API server's privileged-group authorizer answers); see [`authorizer::authorize`].
pub fn authorize(src: &dyn RbacSource, user: &UserInfo, attrs: &Attributes) -> Decision {
    authorizer::authorize(src, user, attrs)
}

/// Every rule that applies to `user` in `namespace` (cluster-wide rules included).
pub fn rules_for(src: &dyn RbacSource, user: &UserInfo, namespace: &str) -> RuleSet {
    rules_review::rules_for(src, user, namespace)
}

/// Whether one rule allows the request.
pub fn rule_allows(rule: &PolicyRule, attrs: &Attributes) -> bool {
    rule::rule_allows(rule, attrs)
}

/// Whether any of `rules` allows the request (used to evaluate a rules review locally).
pub fn rules_allow(rules: &[PolicyRule], attrs: &Attributes) -> bool {
    rules.iter().any(|r| rule_allows(r, attrs))
}

/// Escalation check for creating/updating a Role/ClusterRole: the rules `owner` does not already
/// hold, as atomic verb × group × resource (× name) or verb × URL pieces (empty means no
/// escalation). Callers also allow it when the user has the `escalate` verb: see
/// [`check_role_write`] and [`check_binding_write`], which do the whole API server check.
pub fn uncovered_rules(owner: &[PolicyRule], requested: &[PolicyRule]) -> Vec<PolicyRule> {
    escalation::uncovered_rules(owner, requested)
}

/// The ClusterRole's effective rules after aggregation (`aggregationRule` label selectors).
pub fn aggregate(target: &ClusterRole, all: &[ClusterRole]) -> Vec<PolicyRule> {
    aggregation::aggregate(target, all)
}
