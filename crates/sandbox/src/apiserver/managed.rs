//! Field ownership (`metadata.managedFields`), as kube-apiserver's field manager keeps it with
//! structured-merge-diff, for what our commands and kubectl send.
//!
//! Every write records who set which fields: an Update (create, PUT, merge/strategic/JSON
//! patch) gives its manager the fields it added or changed and takes them from the others; an
//! Apply (server-side apply) gives its manager exactly the fields of its applied configuration,
//! removes the fields it stopped applying (unless another manager owns them), and is refused
//! with 409 when it would change a field another manager owns, unless `force=true`, which
//! takes the field over. Applying a value equal to the live one shares ownership, no conflict.
//!
//! Simplifications, deliberate (the real server uses the OpenAPI schema of every type):
//! - every list is atomic: a list is one field, owned whole (true of the RBAC lists —
//!   `subjects`, `rules` and every list inside a PolicyRule are `listType=atomic` — and of
//!   finalizers as far as ownership goes; not of e.g. a pod's `containers`, which the real
//!   server merges by name);
//! - objects are granular (one field per key, labels and annotations included), except the
//!   `structType=atomic` ones of the RBAC schema: `roleRef` (Subject is atomic too, but it only
//!   appears inside the atomic `subjects` list);
//! - a field set is the set of leaf paths; `fieldsV1` is written in the real nested
//!   `{"f:name":{}}` shape, and read back tolerating `k:`/`v:`/`i:` keys and `.` markers;
//! - server-managed metadata (name, namespace, uid, resourceVersion, generation,
//!   creationTimestamp, managedFields...), apiVersion, kind and, where there is a status
//!   subresource, status are never owned;
//! - managers are told apart by name and operation (and subresource, not modelled).

use super::resources::ResourceDef;
use super::status::ApiError;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A field path: `["metadata", "labels", "team"]`.
pub type Path = Vec<String>;
pub type FieldSet = BTreeSet<Path>;

const SERVER_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "selfLink",
    "managedFields",
];

fn is_ignored(res: &ResourceDef, path: &[&str]) -> bool {
    match path {
        ["apiVersion" | "kind"] => true,
        ["status"] => res.has_status(),
        ["metadata", f] => SERVER_METADATA.contains(f),
        _ => false,
    }
}

fn is_atomic_struct(res: &ResourceDef, path: &[&str]) -> bool {
    matches!(
        (res.plural, path),
        ("rolebindings" | "clusterrolebindings", ["roleRef"])
    )
}

/// The fields `obj` sets, as leaf paths.
pub fn fields_of(res: &ResourceDef, obj: &Value) -> FieldSet {
    fn walk(res: &ResourceDef, v: &Value, path: &mut Vec<String>, out: &mut FieldSet) {
        let as_str: Vec<&str> = path.iter().map(String::as_str).collect();
        if is_ignored(res, &as_str) {
            return;
        }
        match v {
            Value::Object(m) if !path.is_empty() && is_atomic_struct(res, &as_str) => {
                if !m.is_empty() {
                    out.insert(path.clone());
                }
            }
            Value::Object(m) => {
                for (k, child) in m {
                    path.push(k.clone());
                    walk(res, child, path, out);
                    path.pop();
                }
            }
            Value::Null => {}
            _ => {
                out.insert(path.clone());
            }
        }
    }
    let mut out = FieldSet::new();
    walk(res, obj, &mut Vec::new(), &mut out);
    out
}

/// The value at `path`, if any.
pub fn get<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(obj, |v, k| v.get(k))
}

/// Removes the field at `path` and the objects it leaves empty (below the top level).
fn remove(obj: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    if let Some(Value::Object(m)) = parents.iter().try_fold(&mut *obj, |v, k| v.get_mut(k)) {
        m.remove(last);
    }
    if parents.len() > 1
        && get(obj, parents).is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
    {
        remove(obj, parents);
    }
}

/// Whether two paths overlap (one is a prefix of the other).
fn overlaps(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// structured-merge-diff's `Path.String()` for field names: `.metadata.labels.team`.
pub fn path_string(path: &[String]) -> String {
    path.iter().map(|p| format!(".{p}")).collect()
}

/// `fieldsV1`: `{"f:metadata":{"f:labels":{"f:team":{}}},"f:roleRef":{}}`.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut node = &mut root;
        for (i, p) in path.iter().enumerate() {
            let entry = node.entry(format!("f:{p}")).or_insert_with(|| json!({}));
            if !entry.is_object() {
                *entry = json!({});
            }
            let Value::Object(child) = entry else {
                break;
            };
            node = child;
            // A path that is also a prefix of another is marked with ".".
            if i + 1 == path.len()
                && set
                    .range(path.clone()..)
                    .nth(1)
                    .is_some_and(|n| n.starts_with(path))
            {
                node.insert(".".into(), json!({}));
            }
        }
    }
    Value::Object(root)
}

/// Reads `fieldsV1` back; `.` marks its parent, other keys are path elements (`f:` dropped).
pub fn from_fields_v1(v: &Value) -> FieldSet {
    fn walk(v: &Value, path: &mut Vec<String>, out: &mut FieldSet) {
        let Some(m) = v.as_object() else {
            return;
        };
        if (m.is_empty() || m.contains_key(".")) && !path.is_empty() {
            out.insert(path.clone());
        }
        for (k, child) in m {
            if k == "." {
                continue;
            }
            path.push(k.strip_prefix("f:").unwrap_or(k).to_string());
            walk(child, path, out);
            path.pop();
        }
    }
    let mut out = FieldSet::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: Option<String>,
    pub fields: FieldSet,
}

impl Entry {
    fn is(&self, manager: &str, operation: &str) -> bool {
        self.manager == manager && self.operation == operation
    }

    /// `printManager` of apimachinery's conflict.go: Update managers show their apiVersion.
    fn printed(&self) -> String {
        if self.operation == "Update" {
            format!("{:?} using {}", self.manager, self.api_version)
        } else {
            format!("{:?}", self.manager)
        }
    }
}

pub fn read(obj: &Value) -> Vec<Entry> {
    let Some(list) = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|e| {
            let s = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Entry {
                manager: s("manager"),
                operation: s("operation"),
                api_version: s("apiVersion"),
                time: e.get("time").and_then(Value::as_str).map(str::to_string),
                fields: e.get("fieldsV1").map(from_fields_v1).unwrap_or_default(),
            }
        })
        .collect()
}

/// Stores `entries` (those owning nothing are dropped, as the real server does).
pub fn write(obj: &mut Value, entries: Vec<Entry>) {
    let list: Vec<Value> = entries
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut v = json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
            });
            if let Some(t) = e.time {
                v["time"] = json!(t);
            }
            v["fieldsType"] = json!("FieldsV1");
            v["fieldsV1"] = to_fields_v1(&e.fields);
            v
        })
        .collect();
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    if list.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

/// Fields of `new` that are not in `old` with the same value, and fields of `old` gone in `new`.
fn changed(res: &ResourceDef, old: Option<&Value>, new: &Value) -> FieldSet {
    let new_fields = fields_of(res, new);
    let mut out: FieldSet = new_fields
        .iter()
        .filter(|p| old.and_then(|o| get(o, p)) != get(new, p))
        .cloned()
        .collect();
    if let Some(old) = old {
        out.extend(fields_of(res, old).difference(&new_fields).cloned());
    }
    out
}

/// Drops owned fields that no longer exist in `obj`.
fn prune(entries: &mut [Entry], obj: &Value) {
    for e in entries {
        e.fields.retain(|p| get(obj, p).is_some());
    }
}

/// An Update by `manager` (create, PUT, non-apply PATCH) that turned `old` into `new`: the
/// manager takes the fields it added or changed. `new` carries the entries to start from.
pub fn record_update(res: &ResourceDef, manager: &str, old: Option<&Value>, new: &mut Value) {
    let mut entries = read(new);
    let taken = changed(res, old, new);
    prune(&mut entries, new);
    for e in entries.iter_mut().filter(|e| !e.is(manager, "Update")) {
        e.fields.retain(|p| !taken.iter().any(|t| overlaps(p, t)));
    }
    let mine: FieldSet = taken
        .into_iter()
        .filter(|p| get(new, p).is_some())
        .collect();
    if !mine.is_empty() {
        let now = super::objects::now_rfc3339();
        match entries.iter_mut().find(|e| e.is(manager, "Update")) {
            Some(e) => {
                e.fields.extend(mine);
                e.api_version = res.api_version();
                e.time = Some(now);
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: res.api_version(),
                time: Some(now),
                fields: mine,
            }),
        }
    }
    write(new, entries);
}

/// Merges an applied configuration into an object: objects key by key, anything else
/// (scalars, lists, atomic structs) replaced whole.
fn merge_applied(res: &ResourceDef, target: &mut Value, applied: &Value, path: &mut Vec<String>) {
    let as_str: Vec<&str> = path.iter().map(String::as_str).collect();
    match (target, applied) {
        (Value::Object(t), Value::Object(a)) if !is_atomic_struct(res, &as_str) => {
            for (k, v) in a {
                if v.is_null() {
                    continue;
                }
                path.push(k.clone());
                merge_applied(res, t.entry(k.clone()).or_insert(Value::Null), v, path);
                path.pop();
            }
        }
        (t, a) => *t = a.clone(),
    }
}

/// `NewConflictError` of apimachinery's managedfields: 409 with one cause per conflict.
fn conflict_error(conflicts: &[(String, Path)]) -> ApiError {
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(m, p)| {
            json!({"reason": "FieldManagerConflict", "message": format!("conflict with {m}"), "field": path_string(p)})
        })
        .collect();
    let message = if let [(m, p)] = conflicts {
        format!(
            "Apply failed with 1 conflict: conflict with {m}: {}",
            path_string(p)
        )
    } else {
        let mut managers: Vec<&String> = conflicts.iter().map(|(m, _)| m).collect();
        managers.sort();
        managers.dedup();
        let mut lines = Vec::new();
        for m in managers {
            lines.push(format!("conflicts with {m}:"));
            for (_, p) in conflicts.iter().filter(|(cm, _)| cm == m) {
                lines.push(format!("- {}", path_string(p)));
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    ApiError::apply_conflict(message, causes)
}

/// Server-side apply of `applied` by `manager` onto `live` (the live object, `{}` when there is
/// none); returns the new object with its `managedFields`.
pub fn apply(
    res: &ResourceDef,
    manager: &str,
    force: bool,
    live: &Value,
    applied: &Value,
) -> Result<Value, ApiError> {
    let mut entries = read(live);
    let applied_fields = fields_of(res, applied);
    let previous = entries
        .iter()
        .find(|e| e.is(manager, "Apply"))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let owned_by_others = |p: &Path, entries: &[Entry]| {
        entries
            .iter()
            .any(|e| !e.is(manager, "Apply") && e.fields.iter().any(|o| overlaps(o, p)))
    };

    let mut new = live.clone();
    // Fields this manager applied before and no longer does go, unless someone else owns them.
    for p in previous.difference(&applied_fields) {
        if !owned_by_others(p, &entries) {
            remove(&mut new, p);
        }
    }
    merge_applied(res, &mut new, applied, &mut Vec::new());

    let mut conflicts = Vec::new();
    for p in &applied_fields {
        if get(live, p) == get(&new, p) {
            continue;
        }
        for e in entries.iter().filter(|e| !e.is(manager, "Apply")) {
            if e.fields.iter().any(|o| overlaps(o, p)) {
                conflicts.push((e.printed(), p.clone()));
            }
        }
    }
    if !conflicts.is_empty() {
        if !force {
            return Err(conflict_error(&conflicts));
        }
        let taken: FieldSet = conflicts.into_iter().map(|(_, p)| p).collect();
        for e in entries.iter_mut().filter(|e| !e.is(manager, "Apply")) {
            e.fields.retain(|o| !taken.iter().any(|p| overlaps(o, p)));
        }
    }
    prune(&mut entries, &new);
    let now = super::objects::now_rfc3339();
    match entries.iter_mut().find(|e| e.is(manager, "Apply")) {
        Some(e) => {
            e.fields = applied_fields;
            e.api_version = res.api_version();
            e.time = Some(now);
        }
        None => entries.push(Entry {
            manager: manager.to_string(),
            operation: "Apply".into(),
            api_version: res.api_version(),
            time: Some(now),
            fields: applied_fields,
        }),
    }
    write(&mut new, entries);
    Ok(new)
}

/// `obj` as compared for a no-op write: without resourceVersion and managedFields times, which
/// the real server does not count as changes.
pub fn without_server_churn(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
        if let Some(Value::Array(list)) = meta.get_mut("managedFields") {
            for e in list.iter_mut().filter_map(Value::as_object_mut) {
                e.remove("time");
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rbs() -> &'static ResourceDef {
        super::super::resources::find("rbac.authorization.k8s.io", "v1", "rolebindings")
            .expect("rolebindings")
    }

    fn binding(subject: &str, role: &str) -> Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "dev", "labels": {"app.kubernetes.io/managed-by": "kubectl-entra"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "Group", "name": subject, "apiGroup": "rbac.authorization.k8s.io"}]})
    }

    fn p(s: &str) -> Path {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn field_sets_treat_rbac_lists_and_role_ref_as_atomic() {
        let set = fields_of(rbs(), &binding("g", "view"));
        let want: FieldSet = [
            p("metadata.labels.app.kubernetes.io/managed-by"),
            p("roleRef"),
            p("subjects"),
        ]
        .into_iter()
        .map(|mut v| {
            // The label key has dots of its own.
            if v.len() > 3 {
                let key = v.split_off(2).join(".");
                v.push(key);
            }
            v
        })
        .collect();
        assert_eq!(set, want);
        let v1 = to_fields_v1(&set);
        assert_eq!(
            v1,
            json!({"f:metadata": {"f:labels": {"f:app.kubernetes.io/managed-by": {}}}, "f:roleRef": {}, "f:subjects": {}})
        );
        assert_eq!(from_fields_v1(&v1), set);
        // Real-server shapes read back: "." marks the node, k: keys are opaque elements.
        let real =
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"a\"}": {".": {}, "f:image": {}}}}});
        assert_eq!(from_fields_v1(&real).len(), 2);
    }

    #[test]
    fn apply_conflicts_with_another_manager_unless_forced() {
        let live = apply(
            rbs(),
            "kubectl-entra",
            false,
            &json!({}),
            &binding("g", "view"),
        )
        .expect("first apply");
        assert_eq!(
            live["metadata"]["managedFields"][0]["manager"],
            "kubectl-entra"
        );
        assert_eq!(live["metadata"]["managedFields"][0]["operation"], "Apply");
        assert_eq!(
            live["metadata"]["managedFields"][0]["fieldsType"],
            "FieldsV1"
        );

        // Same values from another manager: shared ownership, no conflict.
        let shared = apply(rbs(), "other", false, &live, &binding("g", "view")).expect("shared");
        assert_eq!(read(&shared).len(), 2);

        // A different subject list from another manager: conflict on .subjects.
        let err = apply(rbs(), "other", false, &live, &binding("h", "view")).expect_err("conflict");
        assert_eq!(err.code, 409);
        assert_eq!(err.reason, "Conflict");
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-entra\": .subjects"
        );
        let details = err.details.expect("details");
        assert_eq!(details["causes"][0]["reason"], "FieldManagerConflict");
        assert_eq!(details["causes"][0]["field"], ".subjects");

        // Forced: the field changes hands.
        let forced = apply(rbs(), "other", true, &live, &binding("h", "view")).expect("forced");
        let entries = read(&forced);
        let ours = entries
            .iter()
            .find(|e| e.manager == "kubectl-entra")
            .expect("ours");
        assert!(!ours.fields.contains(&p("subjects")));
        let theirs = entries
            .iter()
            .find(|e| e.manager == "other")
            .expect("theirs");
        assert!(theirs.fields.contains(&p("subjects")));
        assert_eq!(forced["subjects"][0]["name"], "h");
    }

    #[test]
    fn conflicts_with_an_updater_name_its_api_version_and_several_are_grouped() {
        let mut live = binding("g", "view");
        record_update(rbs(), "kubectl-edit", None, &mut live);
        let mut other = binding("h", "edit");
        other["metadata"]["labels"] = json!({"team": "x"});
        let err = apply(rbs(), "kubectl-entra", false, &live, &other).expect_err("conflict");
        assert_eq!(
            err.message,
            "Apply failed with 2 conflicts: conflicts with \"kubectl-edit\" using rbac.authorization.k8s.io/v1:\n- .roleRef\n- .subjects"
        );
    }

    #[test]
    fn fields_no_longer_applied_are_removed_unless_owned_by_another() {
        let mut cfg = binding("g", "view");
        cfg["metadata"]["labels"]["team"] = json!("a");
        let live = apply(rbs(), "m", false, &json!({}), &cfg).expect("apply");
        let mut live2 = live.clone();
        live2["metadata"]["annotations"] = json!({"note": "x"});
        record_update(rbs(), "kubectl-annotate", Some(&live), &mut live2);
        let entries = read(&live2);
        assert_eq!(entries[1].fields, [p("metadata.annotations.note")].into());
        // Stop applying the team label: it goes; the annotation stays (not ours).
        let after = apply(rbs(), "m", false, &live2, &binding("g", "view")).expect("apply");
        assert!(after["metadata"]["labels"].get("team").is_none());
        assert_eq!(after["metadata"]["annotations"]["note"], "x");
    }

    #[test]
    fn updates_take_the_fields_they_change() {
        let live = apply(
            rbs(),
            "kubectl-entra",
            false,
            &json!({}),
            &binding("g", "view"),
        )
        .expect("apply");
        let mut new = live.clone();
        new["subjects"] = json!([]);
        record_update(rbs(), "kubectl-edit", Some(&live), &mut new);
        let entries = read(&new);
        let ours = entries
            .iter()
            .find(|e| e.manager == "kubectl-entra")
            .expect("ours");
        assert!(!ours.fields.contains(&p("subjects")));
        let edit = entries
            .iter()
            .find(|e| e.manager == "kubectl-edit")
            .expect("edit");
        assert_eq!(edit.fields, [p("subjects")].into());
        assert_eq!(edit.operation, "Update");
        // No change, no entry.
        let mut same = live.clone();
        record_update(rbs(), "kubectl-label", Some(&live), &mut same);
        assert_eq!(read(&same).len(), 1);
    }
}
