//! An in-memory `RbacSource`: for tests, and for evaluating a snapshot of a cluster's RBAC
//! objects locally.

use super::RbacSource;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};

/// RBAC objects held in vectors, returned in insertion order.
#[derive(Debug, Clone, Default)]
pub struct MemorySource {
    pub roles: Vec<Role>,
    pub cluster_roles: Vec<ClusterRole>,
    pub role_bindings: Vec<RoleBinding>,
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
}

impl MemorySource {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses a multi-document YAML (or a single JSON) stream of Role, ClusterRole, RoleBinding,
    /// ClusterRoleBinding objects and `List`s of them; other kinds are skipped.
    pub fn from_yaml(text: &str) -> anyhow::Result<Self> {
        use serde::Deserialize as _;
        let mut src = Self::new();
        for document in serde_yaml::Deserializer::from_str(text) {
            let value = serde_yaml::Value::deserialize(document)?;
            src.add_value(value)?;
        }
        Ok(src)
    }

    fn add_value(&mut self, value: serde_yaml::Value) -> anyhow::Result<()> {
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        match kind {
            "Role" => self.roles.push(serde_yaml::from_value(value)?),
            "ClusterRole" => self.cluster_roles.push(serde_yaml::from_value(value)?),
            "RoleBinding" => self.role_bindings.push(serde_yaml::from_value(value)?),
            "ClusterRoleBinding" => self
                .cluster_role_bindings
                .push(serde_yaml::from_value(value)?),
            k if k.ends_with("List") => {
                let items = value
                    .get("items")
                    .and_then(|i| i.as_sequence())
                    .cloned()
                    .unwrap_or_default();
                for item in items {
                    self.add_value(item)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn in_namespace(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    ns: &str,
) -> bool {
    meta.namespace.as_deref().unwrap_or("") == ns
}

impl RbacSource for MemorySource {
    fn roles(&self, namespace: &str) -> Vec<Role> {
        self.roles
            .iter()
            .filter(|r| in_namespace(&r.metadata, namespace))
            .cloned()
            .collect()
    }

    fn role(&self, namespace: &str, name: &str) -> Option<Role> {
        self.roles
            .iter()
            .find(|r| {
                in_namespace(&r.metadata, namespace) && r.metadata.name.as_deref() == Some(name)
            })
            .cloned()
    }

    fn cluster_roles(&self) -> Vec<ClusterRole> {
        self.cluster_roles.clone()
    }

    fn cluster_role(&self, name: &str) -> Option<ClusterRole> {
        self.cluster_roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name))
            .cloned()
    }

    fn role_bindings(&self, namespace: &str) -> Vec<RoleBinding> {
        self.role_bindings
            .iter()
            .filter(|b| in_namespace(&b.metadata, namespace))
            .cloned()
            .collect()
    }

    fn cluster_role_bindings(&self) -> Vec<ClusterRoleBinding> {
        self.cluster_role_bindings.clone()
    }
}
