//! A local copy of the RBAC objects that matter for one namespace, read only after access
//! reviews say the caller may list them (so a developer gets a plain "you may not read them"
//! instead of a 403 in the middle of an explanation).

use crate::k8s::review::{AccessQuery, access_review};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, ListParams};
use rbac::MemorySource;

/// Which RBAC kinds the caller could read (and therefore which the snapshot holds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RbacReadAccess {
    pub roles: bool,
    pub role_bindings: bool,
    pub cluster_roles: bool,
    pub cluster_role_bindings: bool,
}

impl RbacReadAccess {
    pub fn all(&self) -> bool {
        self.roles && self.role_bindings && self.cluster_roles && self.cluster_role_bindings
    }

    /// `list rolebindings in "sre", list clusterroles`: what could not be read.
    pub fn missing(&self, namespace: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !namespace.is_empty() {
            if !self.role_bindings {
                out.push(format!("list rolebindings in {namespace:?}"));
            }
            if !self.roles {
                out.push(format!("list roles in {namespace:?}"));
            }
        }
        if !self.cluster_role_bindings {
            out.push("list clusterrolebindings".to_string());
        }
        if !self.cluster_roles {
            out.push("list clusterroles".to_string());
        }
        out
    }
}

async fn may_list(client: &kube::Client, resource: &str, namespace: &str) -> bool {
    let query = AccessQuery {
        verb: "list".into(),
        namespace: namespace.to_string(),
        group: "rbac.authorization.k8s.io".into(),
        resource: resource.to_string(),
        ..Default::default()
    };
    access_review(client, &query)
        .await
        .map(|a| a.allowed)
        .unwrap_or(false)
}

/// Reads the Roles and RoleBindings of `namespace` ("" for none) and the cluster-wide ones,
/// each kind only when an access review allows listing it.
pub async fn read_rbac(
    client: &kube::Client,
    namespace: &str,
) -> anyhow::Result<(MemorySource, RbacReadAccess)> {
    let mut access = RbacReadAccess {
        cluster_roles: may_list(client, "clusterroles", "").await,
        cluster_role_bindings: may_list(client, "clusterrolebindings", "").await,
        ..Default::default()
    };
    if !namespace.is_empty() {
        access.roles = may_list(client, "roles", namespace).await;
        access.role_bindings = may_list(client, "rolebindings", namespace).await;
    }
    let mut src = MemorySource::new();
    let lp = ListParams::default();
    if access.roles {
        src.roles = Api::<Role>::namespaced(client.clone(), namespace)
            .list(&lp)
            .await
            .map_err(crate::k8s::error::readable)?
            .items;
    }
    if access.role_bindings {
        src.role_bindings = Api::<RoleBinding>::namespaced(client.clone(), namespace)
            .list(&lp)
            .await
            .map_err(crate::k8s::error::readable)?
            .items;
    }
    if access.cluster_roles {
        src.cluster_roles = Api::<ClusterRole>::all(client.clone())
            .list(&lp)
            .await
            .map_err(crate::k8s::error::readable)?
            .items;
    }
    if access.cluster_role_bindings {
        src.cluster_role_bindings = Api::<ClusterRoleBinding>::all(client.clone())
            .list(&lp)
            .await
            .map_err(crate::k8s::error::readable)?
            .items;
    }
    Ok((src, access))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_names_what_could_not_be_read() {
        let a = RbacReadAccess {
            cluster_roles: true,
            ..Default::default()
        };
        assert_eq!(
            a.missing("sre"),
            [
                "list rolebindings in \"sre\"",
                "list roles in \"sre\"",
                "list clusterrolebindings"
            ]
        );
        assert_eq!(a.missing(""), ["list clusterrolebindings"]);
        assert!(!a.all());
    }
}
