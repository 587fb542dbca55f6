//! Before anything is written: may the caller create and patch every object of the plan?
//! One SelfSubjectAccessReview per object kind and verb, so a refusal names what is missing.

use super::manifests::{ManagedObject, Plan};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

/// (API group, resource, namespace) a plan object needs rights on.
fn target(obj: &ManagedObject) -> (&'static str, &'static str, Option<String>) {
    let ns = obj.meta().namespace.clone();
    match obj {
        ManagedObject::Namespace(_) => ("", "namespaces", None),
        ManagedObject::Role(_) => ("rbac.authorization.k8s.io", "roles", ns),
        ManagedObject::ClusterRole(_) => ("rbac.authorization.k8s.io", "clusterroles", None),
        ManagedObject::RoleBinding(_) => ("rbac.authorization.k8s.io", "rolebindings", ns),
        ManagedObject::ClusterRoleBinding(_) => {
            ("rbac.authorization.k8s.io", "clusterrolebindings", None)
        }
    }
}

/// Ok when every review allows; an error listing each missing permission otherwise. A cluster
/// that cannot answer reviews gives `Ok(Some(warning))`, and the apply itself decides.
pub async fn check_permissions(
    client: &kube::Client,
    plan: &Plan,
) -> anyhow::Result<Option<String>> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let mut seen = Vec::new();
    let mut missing = Vec::new();
    for obj in &plan.objects {
        let (group, resource, namespace) = target(obj);
        for verb in ["create", "patch"] {
            let key = (group, resource, namespace.clone(), verb);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        group: Some(group.to_string()),
                        resource: Some(resource.to_string()),
                        namespace: namespace.clone(),
                        verb: Some(verb.to_string()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                ..Default::default()
            };
            match api.create(&PostParams::default(), &review).await {
                Ok(answer) => {
                    let allowed = answer.status.as_ref().is_some_and(|s| s.allowed);
                    if !allowed {
                        let full = if group.is_empty() {
                            resource.to_string()
                        } else {
                            format!("{resource}.{group}")
                        };
                        let place = match &namespace {
                            Some(ns) => format!("in the namespace {ns:?}"),
                            None => "at the cluster scope".to_string(),
                        };
                        missing.push(format!("{verb} {full} {place}"));
                    }
                }
                Err(e) => {
                    return Ok(Some(format!(
                        "cannot check permissions in advance ({}); applying and rolling back on failure",
                        crate::k8s::error::readable(e)
                    )));
                }
            }
        }
    }
    if missing.is_empty() {
        return Ok(None);
    }
    anyhow::bail!(
        "you may not {}; nothing was created. Ask a cluster administrator for these permissions (for example with a Role granting create and patch on roles and rolebindings in that namespace), or ask them to run this command",
        missing.join(", ")
    )
}
