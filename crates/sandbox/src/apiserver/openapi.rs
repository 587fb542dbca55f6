//! A minimal OpenAPI v3 surface. kubectl (`apply`, `create`, `run` with the default
//! `--validate=strict`) reads `/openapi/v3` to learn whether the server validates fields
//! itself (`fieldValidation` query parameter on PATCH); without it kubectl would need full
//! schemas to validate on the client. So each group-version document lists the resource paths
//! with their operations, the `x-kubernetes-group-version-kind` and the `fieldValidation`
//! parameter, and no schemas (kubectl then falls back to its built-in patch metadata).

use super::resources::{RESOURCES, ResourceDef};
use serde_json::{Map, Value, json};

fn gv_path(r: &ResourceDef) -> String {
    if r.group.is_empty() {
        format!("api/{}", r.version)
    } else {
        format!("apis/{}/{}", r.group, r.version)
    }
}

pub fn root() -> Value {
    let mut paths = Map::new();
    for r in RESOURCES {
        let p = gv_path(r);
        paths.insert(
            p.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=0")}),
        );
    }
    json!({"paths": paths})
}

fn operation(r: &ResourceDef, action: &str) -> Value {
    json!({
        "operationId": format!("{action}{}", r.kind),
        "parameters": [
            {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
        ],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
    })
}

/// The document for `api/v1` or `apis/{group}/{version}`.
pub fn group_version(path: &str) -> Option<Value> {
    let defs: Vec<&ResourceDef> = RESOURCES.iter().filter(|r| gv_path(r) == path).collect();
    if defs.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    for r in defs {
        let base = format!("/{}", gv_path(r));
        let scope = if r.namespaced {
            format!("{base}/namespaces/{{namespace}}/{}", r.plural)
        } else {
            format!("{base}/{}", r.plural)
        };
        paths.insert(scope.clone(), json!({"post": operation(r, "post")}));
        paths.insert(
            format!("{scope}/{{name}}"),
            json!({
                "get": operation(r, "get"),
                "put": operation(r, "put"),
                "patch": operation(r, "patch"),
                "delete": operation(r, "delete"),
            }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
