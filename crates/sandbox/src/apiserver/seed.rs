//! What a fresh cluster holds: the standard namespaces and the bootstrap RBAC policy
//! (cluster-admin/admin/edit/view with aggregation, system:basic-user, system:discovery,
//! system:public-info-viewer and their bindings), close to kube-apiserver's bootstrap policy.

use super::store::{CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES, NAMESPACES, SERVICE_ACCOUNTS};
use serde_json::{Value, json};

const RBAC_V1: &str = "rbac.authorization.k8s.io/v1";
const AGG: &str = "rbac.authorization.k8s.io/aggregate-to-";
const RW: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
const RO: &[&str] = &["get", "list", "watch"];

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

fn bootstrap_meta(name: &str, labels: Value) -> Value {
    let mut l = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    if let (Some(l), Some(extra)) = (l.as_object_mut(), labels.as_object()) {
        for (k, v) in extra {
            l.insert(k.clone(), v.clone());
        }
    }
    json!({
        "name": name,
        "labels": l,
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    })
}

fn cluster_role(
    name: &str,
    labels: Value,
    rules: Vec<Value>,
    aggregate_from: Option<&str>,
) -> Value {
    let mut cr = json!({
        "apiVersion": RBAC_V1,
        "kind": "ClusterRole",
        "metadata": bootstrap_meta(name, labels),
        "rules": rules,
    });
    if let Some(target) = aggregate_from {
        cr["aggregationRule"] =
            json!({"clusterRoleSelectors": [{"matchLabels": {format!("{AGG}{target}"): "true"}}]});
    }
    cr
}

fn binding(name: &str, role: &str, groups: &[&str]) -> Value {
    let subjects: Vec<Value> = groups
        .iter()
        .map(|g| json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g}))
        .collect();
    json!({
        "apiVersion": RBAC_V1,
        "kind": "ClusterRoleBinding",
        "metadata": bootstrap_meta(name, json!({})),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    })
}

fn namespace(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    })
}

/// The `default` ServiceAccount the service account controller puts in every namespace.
pub fn default_service_account(namespace: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "default", "namespace": namespace},
    })
}

fn cluster_roles() -> Vec<Value> {
    let t = |s: &str| json!({format!("{AGG}{s}"): "true"});
    vec![
        cluster_role(
            "cluster-admin",
            json!({}),
            vec![
                rule(&["*"], &["*"], &["*"]),
                json!({"nonResourceURLs": ["*"], "verbs": ["*"]}),
            ],
            None,
        ),
        cluster_role("admin", json!({}), vec![], Some("admin")),
        cluster_role("edit", t("admin"), vec![], Some("edit")),
        cluster_role("view", t("edit"), vec![], Some("view")),
        cluster_role(
            "system:aggregate-to-admin",
            t("admin"),
            vec![
                rule(
                    &["authorization.k8s.io"],
                    &["localsubjectaccessreviews"],
                    &["create"],
                ),
                rule(
                    &["rbac.authorization.k8s.io"],
                    &["rolebindings", "roles"],
                    &[
                        "create",
                        "delete",
                        "deletecollection",
                        "get",
                        "list",
                        "patch",
                        "update",
                        "watch",
                    ],
                ),
            ],
            None,
        ),
        cluster_role(
            "system:aggregate-to-edit",
            t("edit"),
            vec![
                rule(
                    &[""],
                    &[
                        "pods/attach",
                        "pods/exec",
                        "pods/portforward",
                        "pods/proxy",
                        "secrets",
                        "services/proxy",
                    ],
                    RO,
                ),
                rule(&[""], &["serviceaccounts"], &["impersonate"]),
                rule(
                    &[""],
                    &[
                        "pods",
                        "pods/attach",
                        "pods/exec",
                        "pods/portforward",
                        "pods/proxy",
                    ],
                    RW,
                ),
                rule(&[""], &["pods/eviction"], &["create"]),
                rule(
                    &[""],
                    &[
                        "configmaps",
                        "events",
                        "persistentvolumeclaims",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "secrets",
                        "serviceaccounts",
                        "services",
                        "services/proxy",
                    ],
                    RW,
                ),
                rule(&[""], &["serviceaccounts/token"], &["create"]),
                rule(
                    &["apps"],
                    &[
                        "daemonsets",
                        "deployments",
                        "deployments/rollback",
                        "deployments/scale",
                        "replicasets",
                        "replicasets/scale",
                        "statefulsets",
                        "statefulsets/scale",
                    ],
                    RW,
                ),
                rule(&["autoscaling"], &["horizontalpodautoscalers"], RW),
                rule(&["batch"], &["cronjobs", "jobs"], RW),
                rule(
                    &["networking.k8s.io"],
                    &["ingresses", "networkpolicies"],
                    RW,
                ),
                rule(&["policy"], &["poddisruptionbudgets"], RW),
            ],
            None,
        ),
        cluster_role(
            "system:aggregate-to-view",
            t("view"),
            vec![
                rule(
                    &[""],
                    &[
                        "configmaps",
                        "endpoints",
                        "persistentvolumeclaims",
                        "persistentvolumeclaims/status",
                        "pods",
                        "replicationcontrollers",
                        "replicationcontrollers/scale",
                        "serviceaccounts",
                        "services",
                        "services/status",
                    ],
                    RO,
                ),
                rule(
                    &[""],
                    &[
                        "bindings",
                        "events",
                        "limitranges",
                        "namespaces/status",
                        "pods/log",
                        "pods/status",
                        "replicationcontrollers/status",
                        "resourcequotas",
                        "resourcequotas/status",
                    ],
                    RO,
                ),
                rule(&[""], &["namespaces"], RO),
                rule(
                    &["apps"],
                    &[
                        "controllerrevisions",
                        "daemonsets",
                        "daemonsets/status",
                        "deployments",
                        "deployments/scale",
                        "deployments/status",
                        "replicasets",
                        "replicasets/scale",
                        "replicasets/status",
                        "statefulsets",
                        "statefulsets/scale",
                        "statefulsets/status",
                    ],
                    RO,
                ),
                rule(
                    &["autoscaling"],
                    &[
                        "horizontalpodautoscalers",
                        "horizontalpodautoscalers/status",
                    ],
                    RO,
                ),
                rule(
                    &["batch"],
                    &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
                    RO,
                ),
                rule(
                    &["networking.k8s.io"],
                    &["ingresses", "ingresses/status", "networkpolicies"],
                    RO,
                ),
                rule(
                    &["policy"],
                    &["poddisruptionbudgets", "poddisruptionbudgets/status"],
                    RO,
                ),
            ],
            None,
        ),
        cluster_role(
            "system:basic-user",
            json!({}),
            vec![
                rule(
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                    &["create"],
                ),
                rule(
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                    &["create"],
                ),
            ],
            None,
        ),
        cluster_role(
            "system:discovery",
            json!({}),
            vec![json!({
                "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"],
                "verbs": ["get"],
            })],
            None,
        ),
        cluster_role(
            "system:public-info-viewer",
            json!({}),
            vec![json!({
                "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"],
                "verbs": ["get"],
            })],
            None,
        ),
    ]
}

/// Every seed object with its store key.
pub fn objects(cluster_admin_groups: &[String]) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        out.push((NAMESPACES, namespace(ns)));
        out.push((SERVICE_ACCOUNTS, default_service_account(ns)));
    }
    for cr in cluster_roles() {
        out.push((CLUSTER_ROLES, cr));
    }
    out.push((
        CLUSTER_ROLE_BINDINGS,
        binding("cluster-admin", "cluster-admin", &["system:masters"]),
    ));
    if !cluster_admin_groups.is_empty() {
        let groups: Vec<&str> = cluster_admin_groups.iter().map(String::as_str).collect();
        let mut aks = binding("aks-cluster-admin-binding-aad", "cluster-admin", &groups);
        // Not part of Kubernetes' bootstrap policy: AKS creates it for its admin groups.
        aks["metadata"] = json!({"name": "aks-cluster-admin-binding-aad"});
        out.push((CLUSTER_ROLE_BINDINGS, aks));
    }
    out.push((
        CLUSTER_ROLE_BINDINGS,
        binding(
            "system:basic-user",
            "system:basic-user",
            &["system:authenticated"],
        ),
    ));
    out.push((
        CLUSTER_ROLE_BINDINGS,
        binding(
            "system:discovery",
            "system:discovery",
            &["system:authenticated"],
        ),
    ));
    out.push((
        CLUSTER_ROLE_BINDINGS,
        binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            &["system:authenticated", "system:unauthenticated"],
        ),
    ));
    out
}
