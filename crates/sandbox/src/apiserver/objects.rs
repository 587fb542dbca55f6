//! Server-set object fields: uid, timestamps, generation, and the defaults the real API server
//! (or its controllers) would add, such as a Pending pod phase and an Active namespace.

use super::resources::ResourceDef;
use serde_json::{Map, Value, json};

pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.get("metadata").is_some_and(|m| m.is_object()) {
        obj["metadata"] = json!({});
    }
    match obj.get_mut("metadata") {
        Some(Value::Object(m)) => m,
        _ => unreachable!("metadata was just made an object"),
    }
}

/// Sets uid and creationTimestamp on a new object; drops client-set server fields.
pub fn fill_new_metadata(obj: &mut Value) {
    if !obj.is_object() {
        *obj = json!({});
    }
    let m = meta_mut(obj);
    m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    m.insert("creationTimestamp".into(), json!(now_rfc3339()));
    m.remove("generation");
    m.remove("resourceVersion");
    m.remove("deletionTimestamp");
    m.remove("selfLink");
}

/// Type-specific defaults on create.
pub fn apply_defaults(res: &ResourceDef, obj: &mut Value) {
    let name = super::store::meta_str(obj, "name").to_string();
    if res.tracks_generation() {
        meta_mut(obj).insert("generation".into(), json!(1));
    }
    match (res.group, res.plural) {
        ("", "pods") => {
            obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
            if let Some(spec) = obj.get_mut("spec").and_then(|s| s.as_object_mut()) {
                spec.entry("restartPolicy").or_insert(json!("Always"));
                spec.entry("dnsPolicy").or_insert(json!("ClusterFirst"));
                spec.entry("schedulerName")
                    .or_insert(json!("default-scheduler"));
                spec.entry("serviceAccountName").or_insert(json!("default"));
            }
        }
        ("", "namespaces") => {
            let m = meta_mut(obj);
            let labels = m.entry("labels").or_insert(json!({}));
            if let Some(l) = labels.as_object_mut() {
                l.insert("kubernetes.io/metadata.name".into(), json!(name));
            }
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "secrets") if obj.get("type").is_none() => {
            obj["type"] = json!("Opaque");
        }
        ("", "services") => {
            if let Some(spec) = obj.get_mut("spec").and_then(|s| s.as_object_mut()) {
                spec.entry("type").or_insert(json!("ClusterIP"));
                let n = rand::random::<u8>().max(1);
                spec.entry("clusterIP")
                    .or_insert(json!(format!("10.0.{}.{}", n / 16, n)));
            }
        }
        _ => {}
    }
}

/// Whether anything outside metadata and status changed (bumps `metadata.generation`).
pub fn spec_changed(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        v
    };
    strip(old) != strip(new)
}

/// Carries server-owned metadata from the stored object onto an update.
pub fn carry_metadata(old: &Value, new: &mut Value, res: &ResourceDef) {
    let om = old.get("metadata").cloned().unwrap_or(json!({}));
    let gen_bump = res.tracks_generation() && spec_changed(old, new);
    let m = meta_mut(new);
    for f in [
        "uid",
        "creationTimestamp",
        "generation",
        "deletionTimestamp",
    ] {
        match om.get(f) {
            Some(v) => m.insert(f.into(), v.clone()),
            None => m.remove(f),
        };
    }
    if gen_bump {
        let g = om.get("generation").and_then(|g| g.as_i64()).unwrap_or(1);
        m.insert("generation".into(), json!(g + 1));
    }
    if res.has_status() {
        match old.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                if let Some(o) = new.as_object_mut() {
                    o.remove("status");
                }
            }
        }
    }
}

/// `metadata.creationTimestamp` age as `kubectl get` shows it.
pub fn age(obj: &Value) -> String {
    let created = super::store::meta_str(obj, "creationTimestamp");
    match created.parse::<jiff::Timestamp>() {
        Ok(t) => {
            let secs = jiff::Timestamp::now().as_second() - t.as_second();
            human_duration(secs)
        }
        Err(_) => "<unknown>".into(),
    }
}

/// apimachinery's `duration.HumanDuration` rounding, re-expressed.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let d = (hours / 24) % 365;
        return if d == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{d}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(125), "2m5s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(50 * 3600), "2d2h");
    }

    #[test]
    fn new_metadata() {
        let mut o = json!({"metadata":{"name":"x","resourceVersion":"9"}});
        fill_new_metadata(&mut o);
        assert!(o["metadata"]["uid"].is_string());
        assert!(o["metadata"].get("resourceVersion").is_none());
        assert!(o["metadata"].get("generation").is_none());
    }

    fn res(group: &str, version: &str, plural: &str) -> &'static ResourceDef {
        super::super::resources::find(group, version, plural).expect("resource")
    }

    #[test]
    fn generation_only_where_the_real_server_keeps_one() {
        let rbs = res("rbac.authorization.k8s.io", "v1", "rolebindings");
        let mut rb = json!({"metadata":{"name":"x"},"subjects":[]});
        fill_new_metadata(&mut rb);
        apply_defaults(rbs, &mut rb);
        assert!(rb["metadata"].get("generation").is_none());
        let mut changed = rb.clone();
        changed["subjects"] = json!([{"kind":"User","name":"a"}]);
        carry_metadata(&rb, &mut changed, rbs);
        assert!(changed["metadata"].get("generation").is_none());

        let deployments = res("apps", "v1", "deployments");
        let mut d = json!({"metadata":{"name":"x"},"spec":{"replicas":1}});
        fill_new_metadata(&mut d);
        apply_defaults(deployments, &mut d);
        assert_eq!(d["metadata"]["generation"], 1);
        let mut same = d.clone();
        same["metadata"]["labels"] = json!({"a":"b"});
        carry_metadata(&d, &mut same, deployments);
        assert_eq!(
            same["metadata"]["generation"], 1,
            "metadata changes keep the generation"
        );
        let mut scaled = d.clone();
        scaled["spec"]["replicas"] = json!(3);
        carry_metadata(&d, &mut scaled, deployments);
        assert_eq!(scaled["metadata"]["generation"], 2);
    }
}
