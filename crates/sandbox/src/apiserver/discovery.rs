//! Legacy (unaggregated) discovery: `/version`, `/api`, `/api/v1`, `/apis`, `/apis/{g}`,
//! `/apis/{g}/{v}`. kubectl asks for aggregated discovery first and falls back to these when
//! the answer is plain `application/json`.

use super::resources::{self, ResourceDef};
use serde_json::{Value, json};

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "gitVersion": "v1.33.0-kubectl-entra-sandbox",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-04-23T00:00:00Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_entry(name: &str, versions: &[&str]) -> Value {
    let vs: Vec<Value> = versions
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    json!({
        "name": name,
        "versions": vs,
        "preferredVersion": vs.first().cloned().unwrap_or(Value::Null),
    })
}

pub fn api_group_list() -> Value {
    let groups: Vec<Value> = resources::groups()
        .iter()
        .map(|(g, vs)| group_entry(g, vs))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn api_group(group: &str) -> Option<Value> {
    let (g, vs) = resources::groups().into_iter().find(|(g, _)| *g == group)?;
    let mut v = group_entry(g, &vs);
    v["kind"] = json!("APIGroup");
    v["apiVersion"] = json!("v1");
    Some(v)
}

fn resource_entry(r: &ResourceDef) -> Vec<Value> {
    let mut main = json!({
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": r.verbs,
    });
    if !r.short_names.is_empty() {
        main["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        main["categories"] = json!(r.categories);
    }
    let mut out = vec![main];
    for sub in r.subresources {
        let (kind, verbs): (&str, &[&str]) = match *sub {
            "log" => ("Pod", &["get"]),
            "scale" => ("Scale", &["get", "patch", "update"]),
            _ => (r.kind, &["get", "patch", "update"]),
        };
        let mut entry = json!({
            "name": format!("{}/{sub}", r.plural),
            "singularName": "",
            "namespaced": r.namespaced,
            "kind": kind,
            "verbs": verbs,
        });
        if *sub == "scale" {
            entry["group"] = json!("autoscaling");
            entry["version"] = json!("v1");
        }
        out.push(entry);
    }
    out
}

/// `APIResourceList` for a served group/version.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let defs = resources::in_group_version(group, version);
    if defs.is_empty() {
        return None;
    }
    let gv = defs[0].api_version();
    let list: Vec<Value> = defs.into_iter().flat_map(resource_entry).collect();
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": list,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_list_has_pods_with_short_names() {
        let l = resource_list("", "v1").unwrap_or_default();
        let pods = l["resources"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["name"] == "pods").cloned())
            .unwrap_or_default();
        assert_eq!(pods["shortNames"][0], "po");
        assert_eq!(pods["namespaced"], true);
        assert!(resource_list("nope", "v1").is_none());
        assert!(
            api_group_list()["groups"]
                .as_array()
                .is_some_and(|g| g.len() == 5)
        );
    }
}
