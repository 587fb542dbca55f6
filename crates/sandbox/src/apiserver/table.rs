//! `meta.k8s.io/v1 Table` answers for `kubectl get`, with the columns the real server prints
//! for the common types and `NAME AGE` otherwise.

use super::objects::age;
use super::resources::ResourceDef;
use super::store::meta_str;
use serde_json::{Value, json};

/// Whether the Accept header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept.split(',').any(|a| {
        let a = a.replace(' ', "");
        a.contains("as=Table") && a.contains("g=meta.k8s.io")
    })
}

fn col(name: &str, ty: &str, format: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": name, "priority": priority})
}

fn name_col() -> Value {
    json!({
        "name": "Name", "type": "string", "format": "name", "priority": 0,
        "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    })
}

fn age_col() -> Value {
    col("Age", "string", "", 0)
}

fn s(v: &Value, p: &str) -> String {
    v.pointer(p)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_string()
}

fn count(v: &Value, p: &str) -> usize {
    match v.pointer(p) {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

fn subjects(o: &Value, kind: &str) -> String {
    o.get("subjects")
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter(|x| x["kind"] == kind)
                .map(|x| {
                    let n = s(x, "/name");
                    match x.get("namespace").and_then(|n| n.as_str()) {
                        Some(ns) if kind == "ServiceAccount" => format!("{ns}/{n}"),
                        _ => n,
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Builds the cells of one row.
type RowFn = fn(&Value) -> Vec<Value>;

/// Columns and a row builder per type.
fn layout(res: &ResourceDef) -> (Vec<Value>, RowFn) {
    match (res.group, res.plural) {
        ("", "pods") => (
            vec![
                name_col(),
                col("Ready", "string", "", 0),
                col("Status", "string", "", 0),
                col("Restarts", "string", "", 0),
                age_col(),
                col("IP", "string", "", 1),
                col("Node", "string", "", 1),
                col("Nominated Node", "string", "", 1),
                col("Readiness Gates", "string", "", 1),
            ],
            |o| {
                let containers = count(o, "/spec/containers");
                let none = |v: String| {
                    if v.is_empty() {
                        "<none>".to_string()
                    } else {
                        v
                    }
                };
                vec![
                    json!(meta_str(o, "name")),
                    json!(format!("0/{containers}")),
                    json!(none(s(o, "/status/phase"))),
                    json!("0"),
                    json!(age(o)),
                    json!(none(s(o, "/status/podIP"))),
                    json!(none(s(o, "/spec/nodeName"))),
                    json!(none(s(o, "/status/nominatedNodeName"))),
                    json!(match count(o, "/spec/readinessGates") {
                        0 => "<none>".to_string(),
                        // Pods never run here, so no gate is ever met.
                        n => format!("0/{n}"),
                    }),
                ]
            },
        ),
        ("", "namespaces") => (
            vec![name_col(), col("Status", "string", "", 0), age_col()],
            |o| {
                vec![
                    json!(meta_str(o, "name")),
                    json!(s(o, "/status/phase")),
                    json!(age(o)),
                ]
            },
        ),
        ("", "configmaps") => (
            vec![name_col(), col("Data", "integer", "", 0), age_col()],
            |o| {
                let n = count(o, "/data") + count(o, "/binaryData");
                vec![json!(meta_str(o, "name")), json!(n), json!(age(o))]
            },
        ),
        ("", "secrets") => (
            vec![
                name_col(),
                col("Type", "string", "", 0),
                col("Data", "integer", "", 0),
                age_col(),
            ],
            |o| {
                let n = count(o, "/data") + count(o, "/stringData");
                vec![
                    json!(meta_str(o, "name")),
                    json!(s(o, "/type")),
                    json!(n),
                    json!(age(o)),
                ]
            },
        ),
        ("", "services") => (
            vec![
                name_col(),
                col("Type", "string", "", 0),
                col("Cluster-IP", "string", "", 0),
                col("External-IP", "string", "", 0),
                col("Port(s)", "string", "", 0),
                age_col(),
            ],
            |o| {
                let ports = o
                    .pointer("/spec/ports")
                    .and_then(|p| p.as_array())
                    .map(|a| {
                        a.iter()
                            .map(|p| {
                                let proto = p["protocol"].as_str().unwrap_or("TCP");
                                format!("{}/{proto}", p["port"])
                            })
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "<none>".into());
                vec![
                    json!(meta_str(o, "name")),
                    json!(s(o, "/spec/type")),
                    json!(s(o, "/spec/clusterIP")),
                    json!("<none>"),
                    json!(ports),
                    json!(age(o)),
                ]
            },
        ),
        ("apps", "deployments") => (
            vec![
                name_col(),
                col("Ready", "string", "", 0),
                col("Up-to-date", "integer", "", 0),
                col("Available", "integer", "", 0),
                age_col(),
            ],
            |o| {
                let want = o
                    .pointer("/spec/replicas")
                    .and_then(|r| r.as_i64())
                    .unwrap_or(1);
                vec![
                    json!(meta_str(o, "name")),
                    json!(format!("0/{want}")),
                    json!(0),
                    json!(0),
                    json!(age(o)),
                ]
            },
        ),
        ("", "serviceaccounts") => (
            vec![name_col(), col("Secrets", "string", "", 0), age_col()],
            |o| {
                vec![
                    json!(meta_str(o, "name")),
                    json!(count(o, "/secrets")),
                    json!(age(o)),
                ]
            },
        ),
        ("apps", "replicasets") => (
            vec![
                name_col(),
                col("Desired", "integer", "", 0),
                col("Current", "integer", "", 0),
                col("Ready", "integer", "", 0),
                age_col(),
            ],
            |o| {
                let want = o
                    .pointer("/spec/replicas")
                    .and_then(|r| r.as_i64())
                    .unwrap_or(1);
                vec![
                    json!(meta_str(o, "name")),
                    json!(want),
                    json!(0),
                    json!(0),
                    json!(age(o)),
                ]
            },
        ),
        ("batch", "jobs") => (
            vec![
                name_col(),
                col("Status", "string", "", 0),
                col("Completions", "string", "", 0),
                col("Duration", "string", "", 0),
                age_col(),
            ],
            |o| {
                let completions = o
                    .pointer("/spec/completions")
                    .and_then(|r| r.as_i64())
                    .unwrap_or(1);
                let succeeded = o
                    .pointer("/status/succeeded")
                    .and_then(|r| r.as_i64())
                    .unwrap_or(0);
                let suspended = o.pointer("/spec/suspend") == Some(&json!(true));
                vec![
                    json!(meta_str(o, "name")),
                    json!(if suspended { "Suspended" } else { "Running" }),
                    json!(format!("{succeeded}/{completions}")),
                    json!(""),
                    json!(age(o)),
                ]
            },
        ),
        ("batch", "cronjobs") => (
            vec![
                name_col(),
                col("Schedule", "string", "", 0),
                col("Timezone", "string", "", 0),
                col("Suspend", "boolean", "", 0),
                col("Active", "integer", "", 0),
                col("Last Schedule", "string", "", 0),
                age_col(),
            ],
            |o| {
                let tz = s(o, "/spec/timeZone");
                let suspend = o.pointer("/spec/suspend") == Some(&json!(true));
                vec![
                    json!(meta_str(o, "name")),
                    json!(s(o, "/spec/schedule")),
                    json!(if tz.is_empty() {
                        "<none>".to_string()
                    } else {
                        tz
                    }),
                    json!(if suspend { "True" } else { "False" }),
                    json!(count(o, "/status/active")),
                    json!("<none>"),
                    json!(age(o)),
                ]
            },
        ),
        ("rbac.authorization.k8s.io", "roles" | "clusterroles") => {
            (vec![name_col(), col("Created At", "date", "", 0)], |o| {
                vec![
                    json!(meta_str(o, "name")),
                    json!(meta_str(o, "creationTimestamp")),
                ]
            })
        }
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => (
            vec![
                name_col(),
                col("Role", "string", "", 0),
                age_col(),
                col("Users", "string", "", 1),
                col("Groups", "string", "", 1),
                col("ServiceAccounts", "string", "", 1),
            ],
            |o| {
                vec![
                    json!(meta_str(o, "name")),
                    json!(format!(
                        "{}/{}",
                        s(o, "/roleRef/kind"),
                        s(o, "/roleRef/name")
                    )),
                    json!(age(o)),
                    json!(subjects(o, "User")),
                    json!(subjects(o, "Group")),
                    json!(subjects(o, "ServiceAccount")),
                ]
            },
        ),
        _ => (vec![name_col(), age_col()], |o| {
            vec![json!(meta_str(o, "name")), json!(age(o))]
        }),
    }
}

/// A Table of `objs`; `include` is the `includeObject` parameter (None, Metadata, Object).
pub fn table(res: &ResourceDef, objs: &[Value], resource_version: &str, include: &str) -> Value {
    let (columns, row) = layout(res);
    let rows: Vec<Value> = objs
        .iter()
        .map(|o| {
            let mut r = json!({"cells": row(o)});
            match include {
                "None" => {}
                "Object" => r["object"] = o.clone(),
                _ => {
                    r["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": o.get("metadata").cloned().unwrap_or(json!({})),
                    })
                }
            }
            r
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_row() {
        let res = super::super::resources::find("", "v1", "pods");
        let pod = json!({"metadata":{"name":"nginx","creationTimestamp":"2020-01-01T00:00:00Z"},
            "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Pending"}});
        let t = res
            .map(|r| table(r, &[pod], "5", "Metadata"))
            .unwrap_or_default();
        assert_eq!(t["rows"][0]["cells"][1], "0/1");
        assert_eq!(t["rows"][0]["cells"][2], "Pending");
        // `-o wide` has the real server's four extra columns.
        let wide: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .map(|c| c.iter().filter_map(|c| c["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            wide[5..],
            ["IP", "Node", "Nominated Node", "Readiness Gates"]
        );
        assert_eq!(t["rows"][0]["cells"][8], "<none>");
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }

    fn headers(group: &str, plural: &str) -> Vec<String> {
        let res = super::super::resources::find(group, "v1", plural);
        let t = res.map(|r| table(r, &[], "1", "None")).unwrap_or_default();
        t["columnDefinitions"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn workload_columns_are_the_real_servers() {
        assert_eq!(
            headers("batch", "jobs"),
            ["Name", "Status", "Completions", "Duration", "Age"]
        );
        assert_eq!(
            headers("batch", "cronjobs"),
            [
                "Name",
                "Schedule",
                "Timezone",
                "Suspend",
                "Active",
                "Last Schedule",
                "Age"
            ]
        );
        assert_eq!(
            headers("apps", "replicasets"),
            ["Name", "Desired", "Current", "Ready", "Age"]
        );
        assert_eq!(headers("", "serviceaccounts"), ["Name", "Secrets", "Age"]);
    }
}
