//! Kubernetes RBAC semantics, shared by the sandbox's API server (to authorize) and by
//! `can-i --why` / `--matrix` (to explain and to evaluate rules locally).
//!
//! INTERFACE CONTRACT (other modules build against these names; keep them stable).

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

/// Authorizes a request. Members of `system:masters` are always allowed.
pub fn authorize(_src: &dyn RbacSource, _user: &UserInfo, _attrs: &Attributes) -> Decision {
    todo!("rbac helper")
}

/// Every rule that applies to `user` in `namespace` (cluster-wide rules included).
pub fn rules_for(_src: &dyn RbacSource, _user: &UserInfo, _namespace: &str) -> RuleSet {
    todo!("rbac helper")
}

/// Whether one rule allows the request.
pub fn rule_allows(_rule: &PolicyRule, _attrs: &Attributes) -> bool {
    todo!("rbac helper")
}

/// Whether any of `rules` allows the request (used to evaluate a rules review locally).
pub fn rules_allow(rules: &[PolicyRule], attrs: &Attributes) -> bool {
    rules.iter().any(|r| rule_allows(r, attrs))
}

/// Escalation check for creating/updating a Role/ClusterRole: the rules `owner` does not already
/// hold (empty means no escalation). Callers also allow it when the user has the `escalate` verb.
pub fn uncovered_rules(_owner: &[PolicyRule], _requested: &[PolicyRule]) -> Vec<PolicyRule> {
    todo!("rbac helper")
}

/// The ClusterRole's effective rules after aggregation (`aggregationRule` label selectors).
pub fn aggregate(_target: &ClusterRole, _all: &[ClusterRole]) -> Vec<PolicyRule> {
    todo!("rbac helper")
}
