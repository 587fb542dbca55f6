//! The object store: JSON objects by resource key, namespace and name, with a global
//! resourceVersion counter. It is also the RBAC source the authorizer reads.
//!
//! Persistence is incremental, so a write costs the same with 10 or 10,000 objects stored:
//! - `objects.json` is a snapshot (the whole store, written atomically through
//!   [`crate::files::write_private`]);
//! - `journal.jsonl` gets one JSON line per mutation (`{"rv":N,"put":KEY,"object":{..}}` or
//!   `{"rv":N,"del":KEY,"namespace":NS,"name":NAME}`), appended by [`Store::persist`] in one
//!   `write` per request.
//!
//! At start the snapshot is loaded and the journal replayed, then both are compacted into a new
//! snapshot and an empty journal; at run time the journal is compacted when it holds more than
//! `COMPACT_SLACK + 2 ×` the live objects, so compaction is amortised O(1) per write.
//! A torn last line (the process killed mid-append) is dropped at load.
//! fsync policy: the journal is never fsynced. The sandbox is a test tool; a killed process
//! loses nothing (the lines are in the page cache), a machine crash may lose the last writes.
//! Snapshots are fsynced before the rename. Both files are 0600 in the 0700 state dir.

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

/// Journal records allowed beyond twice the live object count before a compaction.
const COMPACT_SLACK: usize = 1000;

type Objects = BTreeMap<(String, String), Value>;

pub struct Store {
    dir: PathBuf,
    resource_version: u64,
    objects: BTreeMap<String, Objects>,
    /// Journal lines not yet written (flushed by [`Store::persist`]).
    pending: Vec<u8>,
    /// Records in the journal file.
    journal_records: usize,
    journal: Option<std::fs::File>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Persisted {
    resource_version: u64,
    objects: BTreeMap<String, Vec<Value>>,
}

/// One journal line.
#[derive(Serialize, Deserialize)]
struct Record {
    rv: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    put: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    object: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    del: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

fn object_key(obj: &Value) -> (String, String) {
    (
        meta_str(obj, "namespace").to_string(),
        meta_str(obj, "name").to_string(),
    )
}

/// Opens the journal for appending; created 0600.
fn open_journal(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .with_context(|| format!("opening {}", path.display()))
}

impl Store {
    /// Loads the snapshot and replays the journal in `dir`, or seeds a fresh cluster when
    /// there is neither.
    pub fn open(dir: &Path, cluster_admin_groups: &[String]) -> anyhow::Result<Store> {
        let mut store = Store {
            dir: dir.to_path_buf(),
            resource_version: 0,
            objects: BTreeMap::new(),
            pending: Vec::new(),
            journal_records: 0,
            journal: None,
        };
        let snapshot = store.snapshot_path();
        let journal = store.journal_path();
        if snapshot.is_file() {
            store.load_snapshot(&snapshot)?;
        }
        if journal.is_file() {
            store.replay(&journal)?;
        }
        if !snapshot.is_file() && store.objects.is_empty() {
            for (key, obj) in super::seed::objects(cluster_admin_groups) {
                store.insert_new(key, obj);
            }
            store.reaggregate();
        }
        store.compact()?;
        Ok(store)
    }

    fn snapshot_path(&self) -> PathBuf {
        self.dir.join("objects.json")
    }

    fn journal_path(&self) -> PathBuf {
        self.dir.join("journal.jsonl")
    }

    fn load_snapshot(&mut self, path: &Path) -> anyhow::Result<()> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let p: Persisted = serde_json::from_str(&text).with_context(|| {
            format!(
                "parsing {} (delete it to start from a fresh cluster)",
                path.display()
            )
        })?;
        self.resource_version = p.resource_version;
        for (key, items) in p.objects {
            let map = self.objects.entry(key).or_default();
            for o in items {
                map.insert(object_key(&o), o);
            }
        }
        Ok(())
    }

    fn replay(&mut self, path: &Path) -> anyhow::Result<()> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        for (i, line) in lines.iter().enumerate() {
            let record: Record = match serde_json::from_str(line) {
                Ok(r) => r,
                // A torn last line: the process died mid-append; the write was never answered.
                Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "parsing line {} of {} (delete the state dir to start from a fresh cluster)",
                            i + 1,
                            path.display()
                        )
                    });
                }
            };
            self.resource_version = self.resource_version.max(record.rv);
            match (record.put, record.object, record.del) {
                (Some(key), Some(obj), _) => {
                    self.objects
                        .entry(key)
                        .or_default()
                        .insert(object_key(&obj), obj);
                }
                (_, _, Some(key)) => {
                    let k = (
                        record.namespace.unwrap_or_default(),
                        record.name.unwrap_or_default(),
                    );
                    if let Some(m) = self.objects.get_mut(&key) {
                        m.remove(&k);
                    }
                }
                _ => anyhow::bail!(
                    "line {} of {} is not a journal record",
                    i + 1,
                    path.display()
                ),
            }
        }
        Ok(())
    }

    /// Writes the whole store as the snapshot and empties the journal.
    fn compact(&mut self) -> anyhow::Result<()> {
        let p = Persisted {
            resource_version: self.resource_version,
            objects: self
                .objects
                .iter()
                .map(|(k, m)| (k.clone(), m.values().cloned().collect()))
                .collect(),
        };
        crate::files::write_private(&self.snapshot_path(), &serde_json::to_vec(&p)?)?;
        // The snapshot holds everything the journal did: start an empty one. (A crash between
        // the two leaves a journal whose replay is idempotent.)
        let journal = self.journal_path();
        self.journal = None;
        crate::files::write_private(&journal, b"")?;
        self.journal = Some(open_journal(&journal)?);
        self.pending.clear();
        self.journal_records = 0;
        Ok(())
    }

    /// Appends the mutations since the last call to the journal (one write), compacting when
    /// the journal has grown well past the live objects.
    pub fn persist(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let live: usize = self.objects.values().map(|m| m.len()).sum();
        if self.journal_records > COMPACT_SLACK + 2 * live {
            return self.compact();
        }
        let path = self.journal_path();
        if self.journal.is_none() {
            self.journal = Some(open_journal(&path)?);
        }
        if let Some(file) = self.journal.as_mut() {
            file.write_all(&self.pending)
                .with_context(|| format!("appending to {}", path.display()))?;
        }
        self.pending.clear();
        Ok(())
    }

    fn record(&mut self, record: &Record) {
        if serde_json::to_writer(&mut self.pending, record).is_ok() {
            self.pending.push(b'\n');
            self.journal_records += 1;
        }
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
        self.record(&Record {
            rv: self.resource_version,
            put: Some(key.to_string()),
            object: Some(obj.clone()),
            del: None,
            namespace: None,
            name: None,
        });
        self.objects
            .entry(key.to_string())
            .or_default()
            .insert(object_key(&obj), obj.clone());
        obj
    }

    /// Stores a seed object with uid and timestamps filled in.
    fn insert_new(&mut self, key: &str, mut obj: Value) {
        super::objects::fill_new_metadata(&mut obj);
        self.put(key, obj);
    }

    pub fn remove(&mut self, key: &str, ns: &str, name: &str) -> Option<Value> {
        let old = self
            .objects
            .get_mut(key)
            .and_then(|m| m.remove(&(ns.to_string(), name.to_string())))?;
        self.record_delete(key, ns, name);
        Some(old)
    }

    fn record_delete(&mut self, key: &str, ns: &str, name: &str) {
        self.record(&Record {
            rv: self.resource_version,
            put: None,
            object: None,
            del: Some(key.to_string()),
            namespace: Some(ns.to_string()),
            name: Some(name.to_string()),
        });
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
        for (key, v) in &out {
            self.record_delete(key, ns, meta_str(v, "name"));
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rb(ns: &str, name: &str) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}})
    }

    fn snapshot(s: &Store) -> (u64, BTreeMap<String, Objects>) {
        (s.resource_version, s.objects.clone())
    }

    #[test]
    fn reload_gives_the_same_state() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(dir.path(), &["g1".into()]).expect("open");
        let seeded = s.list(CLUSTER_ROLES, None).len();
        assert!(seeded > 0, "a fresh store is seeded");
        for i in 0..50 {
            s.put(ROLE_BINDINGS, rb("dev", &format!("rb-{i}")));
        }
        s.persist().expect("persist");
        s.remove(ROLE_BINDINGS, "dev", "rb-7");
        let mut changed = rb("dev", "rb-8");
        changed["subjects"] = json!([{"kind": "User", "name": "a"}]);
        s.put(ROLE_BINDINGS, changed);
        s.put(ROLE_BINDINGS, rb("ops", "rb-x"));
        s.remove_namespace_contents("ops");
        s.persist().expect("persist");
        let want = snapshot(&s);
        drop(s);
        // The journal holds the writes since the start-up compaction.
        let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).expect("journal");
        assert_eq!(journal.lines().count(), 54);

        let s = Store::open(dir.path(), &[]).expect("reopen");
        assert_eq!(snapshot(&s), want);
        assert!(s.get(ROLE_BINDINGS, "dev", "rb-7").is_none());
        assert!(
            s.get(ROLE_BINDINGS, "dev", "rb-8")
                .is_some_and(|o| o["subjects"][0]["name"] == "a")
        );
        // Reopening compacted: the journal is empty, the snapshot has everything.
        let journal = std::fs::read_to_string(dir.path().join("journal.jsonl")).expect("journal");
        assert!(journal.is_empty());
        drop(s);
        let s = Store::open(dir.path(), &[]).expect("reopen twice");
        assert_eq!(snapshot(&s), want);
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_a_bad_middle_line_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(dir.path(), &[]).expect("open");
        s.put(ROLE_BINDINGS, rb("dev", "kept"));
        s.persist().expect("persist");
        let want = snapshot(&s);
        drop(s);
        let path = dir.path().join("journal.jsonl");
        let mut text = std::fs::read_to_string(&path).expect("journal");
        text.push_str("{\"rv\":99,\"put\":\"rolebind");
        std::fs::write(&path, &text).expect("tear");
        let s = Store::open(dir.path(), &[]).expect("open with a torn line");
        assert_eq!(snapshot(&s), want);
        drop(s);
        std::fs::write(&path, "nonsense\n{\"rv\":1,\"del\":\"x\",\"name\":\"y\"}\n")
            .expect("write");
        let err = Store::open(dir.path(), &[])
            .err()
            .expect("a corrupt journal is an error");
        assert!(format!("{err:#}").contains("line 1"), "{err:#}");
    }

    #[test]
    fn the_journal_is_compacted_when_it_outgrows_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(dir.path(), &[]).expect("open");
        let live: usize = s.objects.values().map(|m| m.len()).sum();
        for i in 0..(COMPACT_SLACK + 2 * live + 5) {
            let mut o = rb("dev", "same");
            o["subjects"] = json!([{"kind": "User", "name": i.to_string()}]);
            s.put(ROLE_BINDINGS, o);
            s.persist().expect("persist");
        }
        let lines = std::fs::read_to_string(dir.path().join("journal.jsonl"))
            .expect("journal")
            .lines()
            .count();
        assert!(lines < COMPACT_SLACK, "compacted: {lines} lines");
        let want = snapshot(&s);
        drop(s);
        assert_eq!(
            snapshot(&Store::open(dir.path(), &[]).expect("reopen")),
            want
        );
    }

    #[cfg(unix)]
    #[test]
    fn state_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Store::open(dir.path(), &[]).expect("open");
        s.put(ROLE_BINDINGS, rb("dev", "x"));
        s.persist().expect("persist");
        for f in ["objects.json", "journal.jsonl"] {
            let mode = std::fs::metadata(dir.path().join(f))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
}
