//! The `scale` subresource of deployments and replicasets (`kubectl scale`): an
//! `autoscaling/v1 Scale` view of `spec.replicas`. Nothing runs, so `status.replicas` stays as
//! stored (0 for a new object), as on a cluster whose pods never start.

use super::Req;
use super::write::{ns_of, store_object};
use crate::apiserver::status::{ApiError, ApiResult, FieldError, json_response};
use crate::apiserver::store::meta_str;
use crate::apiserver::{body, patch};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

/// `spec.selector.matchLabels` (and simple matchExpressions) as a selector string.
fn selector_string(obj: &Value) -> String {
    let mut parts: Vec<String> = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(|m| m.as_object())
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(exprs) = obj
        .pointer("/spec/selector/matchExpressions")
        .and_then(|e| e.as_array())
    {
        for e in exprs {
            let key = e["key"].as_str().unwrap_or_default();
            let values: Vec<&str> = e["values"]
                .as_array()
                .map(|v| v.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            match e["operator"].as_str().unwrap_or_default() {
                "In" => parts.push(format!("{key} in ({})", values.join(","))),
                "NotIn" => parts.push(format!("{key} notin ({})", values.join(","))),
                "Exists" => parts.push(key.to_string()),
                "DoesNotExist" => parts.push(format!("!{key}")),
                _ => {}
            }
        }
    }
    parts.join(",")
}

/// The Scale the real registry derives from a workload.
pub fn scale_of(obj: &Value) -> Value {
    let mut meta = serde_json::Map::new();
    for f in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = obj.pointer(&format!("/metadata/{f}")) {
            meta.insert(f.into(), v.clone());
        }
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": meta,
        "spec": {"replicas": obj.pointer("/spec/replicas").and_then(|r| r.as_i64()).unwrap_or(1)},
        "status": {
            "replicas": obj.pointer("/status/replicas").and_then(|r| r.as_i64()).unwrap_or(0),
            "selector": selector_string(obj),
        },
    })
}

pub fn handle(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    let store = req.st.store();
    let old = store
        .get(&req.res.key(), ns_of(req), &req.info.name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(req.res.group, req.res.plural, &req.info.name))?;
    let current = scale_of(&old);
    let media = body::media_type(req.header(header::CONTENT_TYPE));
    let wanted = match req.info.verb.as_str() {
        "get" => return Ok(json_response(StatusCode::OK, &current)),
        "update" => body::decode_object(bytes, &media)?,
        "patch" => {
            let mut s = current.clone();
            match media.as_str() {
                "application/merge-patch+json" => {
                    patch::merge_patch(&mut s, &body::decode_object(bytes, &media)?)
                }
                "application/strategic-merge-patch+json" => {
                    patch::strategic_merge_patch(&mut s, &body::decode_object(bytes, &media)?)
                }
                "application/json-patch+json" => {
                    patch::json_patch(&mut s, &body::decode(bytes, &media)?)?
                }
                other => return Err(ApiError::unsupported_media(other)),
            }
            s
        }
        other => return Err(ApiError::method_not_allowed(other)),
    };
    let want_rv = meta_str(&wanted, "resourceVersion");
    if !want_rv.is_empty() && want_rv != meta_str(&old, "resourceVersion") {
        return Err(ApiError::conflict(
            req.res.group,
            req.res.plural,
            &req.info.name,
        ));
    }
    let replicas = match wanted.pointer("/spec/replicas") {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_i64().ok_or_else(|| {
            ApiError::bad_request(format!("spec.replicas must be an integer, got {v}"))
        })?,
    };
    if replicas < 0 {
        let mut e = FieldError::invalid("spec.replicas", "", "must be greater than or equal to 0");
        e.value = Some(replicas.to_string());
        return Err(ApiError::invalid(
            "autoscaling",
            "Scale",
            &req.info.name,
            &[e],
        ));
    }
    let mut new = old.clone();
    // A stored spec that is not an object (nothing validates it) must not make this panic.
    if !new.get("spec").is_some_and(|s| s.is_object()) {
        new["spec"] = json!({});
    }
    new["spec"]["replicas"] = json!(replicas);
    if old.pointer("/spec/replicas") != new.pointer("/spec/replicas") {
        let g = old
            .pointer("/metadata/generation")
            .and_then(|g| g.as_i64())
            .unwrap_or(1);
        new["metadata"]["generation"] = json!(g + 1);
    }
    let stored = store_object(req, store, "MODIFIED", new)?;
    Ok(json_response(StatusCode::OK, &scale_of(&stored)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_view() {
        let d = json!({"metadata":{"name":"web","namespace":"dev","resourceVersion":"7","uid":"u","labels":{"x":"y"}},
            "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"},
                "matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]}}});
        let s = scale_of(&d);
        assert_eq!(s["spec"]["replicas"], 2);
        assert_eq!(s["status"]["replicas"], 0);
        assert_eq!(s["status"]["selector"], "app=web,tier in (a,b)");
        assert_eq!(s["metadata"]["resourceVersion"], "7");
        assert!(s["metadata"].get("labels").is_none());
    }
}
