//! The object store: JSON objects by resource key, namespace and name, with a global
//! resourceVersion counter, written atomically to `state_dir/apiserver/objects.json` after every
//! mutation and reloaded at start. It is also the RBAC source the authorizer reads.

use anyhow::Context;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const ROLES: &str = "roles.rbac.authorization.k8s.io";
pub const ROLE_BINDINGS: &str = "rolebindings.rbac.authorization.k8s.io";
pub const CLUSTER_ROLES: &str = "clusterroles.rbac.authorization.k8s.io";
pub const CLUSTER_ROLE_BINDINGS: &str = "clusterrolebindings.rbac.authorization.k8s.io";
pub const NAMESPACES: &str = "namespaces";
pub const SERVICE_ACCOUNTS: &str = "serviceaccounts";

type Objects = BTreeMap<(String, String), Value>;

pub struct Store {
    path: PathBuf,
    resource_version: u64,
    objects: BTreeMap<String, Objects>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Persisted {
    resource_version: u64,
    objects: BTreeMap<String, Vec<Value>>,
}

/// Writes `bytes` to `path` atomically (temp file + rename) with mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

impl Store {
    /// Loads `dir/objects.json`, or seeds a fresh cluster when there is none.
    pub fn open(dir: &Path, cluster_admin_groups: &[String]) -> anyhow::Result<Store> {
        let path = dir.join("objects.json");
        let mut store = Store {
            path: path.clone(),
            resource_version: 0,
            objects: BTreeMap::new(),
        };
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let p: Persisted = serde_json::from_str(&text).with_context(|| {
                format!(
                    "parsing {} (delete it to start from a fresh cluster)",
                    path.display()
                )
            })?;
            store.resource_version = p.resource_version;
            for (key, items) in p.objects {
                let map = store.objects.entry(key).or_default();
                for o in items {
                    let k = (
                        meta_str(&o, "namespace").to_string(),
                        meta_str(&o, "name").to_string(),
                    );
                    map.insert(k, o);
                }
            }
        } else {
            for (key, obj) in super::seed::objects(cluster_admin_groups) {
                store.insert_new(key, obj);
            }
            store.reaggregate();
            store.persist()?;
        }
        Ok(store)
    }

    pub fn persist(&self) -> anyhow::Result<()> {
        let p = Persisted {
            resource_version: self.resource_version,
            objects: self
                .objects
                .iter()
                .map(|(k, m)| (k.clone(), m.values().cloned().collect()))
                .collect(),
        };
        write_private(&self.path, &serde_json::to_vec_pretty(&p)?)
    }

    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    pub fn next_resource_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    pub fn get(&self, key: &str, ns: &str, name: &str) -> Option<&Value> {
        self.objects
            .get(key)
            .and_then(|m| m.get(&(ns.to_string(), name.to_string())))
    }

    /// Objects of one resource, in one namespace (`Some`) or all.
    pub fn list(&self, key: &str, ns: Option<&str>) -> Vec<&Value> {
        self.objects
            .get(key)
            .map(|m| {
                m.iter()
                    .filter(|((n, _), _)| ns.is_none_or(|want| want == n))
                    .map(|(_, v)| v)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Stores `obj` with a fresh resourceVersion; returns the stored object.
    pub fn put(&mut self, key: &str, mut obj: Value) -> Value {
        let rv = self.next_resource_version();
        if let Some(m) = obj.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert("resourceVersion".into(), Value::String(rv));
        }
        let k = (
            meta_str(&obj, "namespace").to_string(),
            meta_str(&obj, "name").to_string(),
        );
        self.objects
            .entry(key.to_string())
            .or_default()
            .insert(k, obj.clone());
        obj
    }

    /// Stores a seed object with uid and timestamps filled in.
    fn insert_new(&mut self, key: &str, mut obj: Value) {
        super::objects::fill_new_metadata(&mut obj);
        self.put(key, obj);
    }

    pub fn remove(&mut self, key: &str, ns: &str, name: &str) -> Option<Value> {
        self.objects
            .get_mut(key)
            .and_then(|m| m.remove(&(ns.to_string(), name.to_string())))
    }

    /// Removes every namespaced object in `ns`; returns (key, object) pairs removed.
    pub fn remove_namespace_contents(&mut self, ns: &str) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (key, m) in self.objects.iter_mut() {
            if key == NAMESPACES {
                continue;
            }
            let names: Vec<_> = m.keys().filter(|(n, _)| n == ns).cloned().collect();
            for k in names {
                if let Some(v) = m.remove(&k) {
                    out.push((key.clone(), v));
                }
            }
        }
        out
    }

    /// Recomputes the rules of aggregated ClusterRoles (as the aggregation controller does)
    /// until nothing changes; returns the ClusterRoles it rewrote.
    pub fn reaggregate(&mut self) -> Vec<Value> {
        let mut changed = Vec::new();
        // Aggregation can chain (view -> edit -> admin); a few passes reach the fixpoint.
        for _ in 0..8 {
            let all = rbac::RbacSource::cluster_roles(self);
            let mut updates = Vec::new();
            for cr in &all {
                if cr.aggregation_rule.is_none() {
                    continue;
                }
                let rules = rbac::aggregate(cr, &all);
                if cr.rules.as_deref().unwrap_or_default() != rules.as_slice() {
                    updates.push((cr.metadata.name.clone().unwrap_or_default(), rules));
                }
            }
            if updates.is_empty() {
                break;
            }
            for (name, rules) in updates {
                if let Some(mut obj) = self.get(CLUSTER_ROLES, "", &name).cloned() {
                    obj["rules"] = serde_json::to_value(&rules).unwrap_or(Value::Array(vec![]));
                    let stored = self.put(CLUSTER_ROLES, obj);
                    changed.retain(|c: &Value| meta_str(c, "name") != name);
                    changed.push(stored);
                }
            }
        }
        changed
    }

    fn typed<T: serde::de::DeserializeOwned>(&self, key: &str, ns: Option<&str>) -> Vec<T> {
        self.list(key, ns)
            .into_iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect()
    }
}

impl rbac::RbacSource for Store {
    fn roles(&self, namespace: &str) -> Vec<Role> {
        self.typed(ROLES, Some(namespace))
    }
    fn role(&self, namespace: &str, name: &str) -> Option<Role> {
        self.get(ROLES, namespace, name)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
    fn cluster_roles(&self) -> Vec<ClusterRole> {
        self.typed(CLUSTER_ROLES, None)
    }
    fn cluster_role(&self, name: &str) -> Option<ClusterRole> {
        self.get(CLUSTER_ROLES, "", name)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
    fn role_bindings(&self, namespace: &str) -> Vec<RoleBinding> {
        self.typed(ROLE_BINDINGS, Some(namespace))
    }
    fn cluster_role_bindings(&self) -> Vec<ClusterRoleBinding> {
        self.typed(CLUSTER_ROLE_BINDINGS, None)
    }
}
