//! The served resource table: what discovery advertises and what the handlers accept.

/// How `metadata.name` is validated (the real server's per-type rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    Dns1123Label,
    Dns1123Subdomain,
    Dns1035Label,
    /// RBAC objects: any path segment (`ValidatePathSegmentName`).
    PathSegment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Stored objects with CRUD.
    Stored,
    /// Listed as empty (events).
    EmptyList,
    /// Create-only reviews answered from the request (never stored).
    Review,
}

#[derive(Debug)]
pub struct ResourceDef {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub verbs: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// Subresources served (`status`, `log`).
    pub subresources: &'static [&'static str],
    pub names: NameRule,
    pub storage: Storage,
}

impl ResourceDef {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Key in the store: `pods`, `roles.rbac.authorization.k8s.io`.
    pub fn key(&self) -> String {
        super::status::qualified(self.group, self.plural)
    }

    pub fn has_status(&self) -> bool {
        self.subresources.contains(&"status")
    }

    /// Whether the real registry keeps `metadata.generation` (its strategy sets it to 1 on
    /// create and bumps it on spec changes): workloads and pods (since 1.33), not RBAC objects,
    /// namespaces, config maps, secrets, service accounts or services.
    pub fn tracks_generation(&self) -> bool {
        matches!(
            (self.group, self.plural),
            ("apps" | "batch", _)
                | ("", "pods" | "replicationcontrollers")
                | ("networking.k8s.io", "ingresses" | "networkpolicies")
                | ("policy", "poddisruptionbudgets")
        )
    }
}

const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const NS_VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const CREATE: &[&str] = &["create"];
const ALL: &[&str] = &["all"];

macro_rules! res {
    ($g:expr, $v:expr, $p:expr, $s:expr, $k:expr, $ns:expr, $short:expr, $verbs:expr, $cat:expr, $sub:expr, $names:expr, $st:expr) => {
        ResourceDef {
            group: $g,
            version: $v,
            plural: $p,
            singular: $s,
            kind: $k,
            namespaced: $ns,
            short_names: $short,
            verbs: $verbs,
            categories: $cat,
            subresources: $sub,
            names: $names,
            storage: $st,
        }
    };
}

use NameRule::*;
use Storage::*;

pub static RESOURCES: &[ResourceDef] = &[
    res!(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        false,
        &["ns"],
        NS_VERBS,
        &[],
        &["status"],
        Dns1123Label,
        Stored
    ),
    res!(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        true,
        &["po"],
        RW,
        ALL,
        &["status", "log"],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        &["svc"],
        NS_VERBS,
        ALL,
        &["status"],
        Dns1035Label,
        Stored
    ),
    res!(
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        RW,
        &[],
        &[],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "",
        "v1",
        "secrets",
        "secret",
        "Secret",
        true,
        &[],
        RW,
        &[],
        &[],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
        RW,
        &[],
        &[],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "",
        "v1",
        "events",
        "event",
        "Event",
        true,
        &["ev"],
        RW,
        &[],
        &[],
        Dns1123Subdomain,
        EmptyList
    ),
    res!(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        true,
        &["deploy"],
        RW,
        ALL,
        &["status", "scale"],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        true,
        &["rs"],
        RW,
        ALL,
        &["status", "scale"],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "batch",
        "v1",
        "jobs",
        "job",
        "Job",
        true,
        &[],
        RW,
        ALL,
        &["status"],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        true,
        &["cj"],
        RW,
        ALL,
        &["status"],
        Dns1123Subdomain,
        Stored
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        &[],
        RW,
        &[],
        &[],
        PathSegment,
        Stored
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        &[],
        RW,
        &[],
        &[],
        PathSegment,
        Stored
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        &[],
        RW,
        &[],
        &[],
        PathSegment,
        Stored
    ),
    res!(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        &[],
        RW,
        &[],
        &[],
        PathSegment,
        Stored
    ),
    res!(
        "authentication.k8s.io",
        "v1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        &[],
        CREATE,
        &[],
        &[],
        PathSegment,
        Review
    ),
    res!(
        "authentication.k8s.io",
        "v1beta1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        &[],
        CREATE,
        &[],
        &[],
        PathSegment,
        Review
    ),
    res!(
        "authentication.k8s.io",
        "v1alpha1",
        "selfsubjectreviews",
        "selfsubjectreview",
        "SelfSubjectReview",
        false,
        &[],
        CREATE,
        &[],
        &[],
        PathSegment,
        Review
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        "SelfSubjectAccessReview",
        false,
        &[],
        CREATE,
        &[],
        &[],
        PathSegment,
        Review
    ),
    res!(
        "authorization.k8s.io",
        "v1",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        "SelfSubjectRulesReview",
        false,
        &[],
        CREATE,
        &[],
        &[],
        PathSegment,
        Review
    ),
];

/// The resource served at `group/version/plural`.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceDef> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Group names in discovery order, each with its versions (preferred first).
pub fn groups() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for r in RESOURCES.iter().filter(|r| !r.group.is_empty()) {
        match out.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, vs)) => {
                if !vs.contains(&r.version) {
                    vs.push(r.version)
                }
            }
            None => out.push((r.group, vec![r.version])),
        }
    }
    out
}

pub fn in_group_version(group: &str, version: &str) -> Vec<&'static ResourceDef> {
    RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(find("", "v1", "pods").map(|r| r.kind), Some("Pod"));
        assert!(find("apps", "v1", "pods").is_none());
        let g = groups();
        let authn = g.iter().find(|(n, _)| *n == "authentication.k8s.io");
        assert_eq!(authn.map(|(_, v)| v.len()), Some(3));
    }
}
