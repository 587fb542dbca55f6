//! POST create (generateName), PUT update (resourceVersion preconditions), PATCH (merge,
//! strategic, JSON patch, server-side apply), DELETE (namespace cascade) and deletecollection,
//! all honouring `dryRun=All` after validation and authorization.

use super::Req;
use crate::apiserver::objects::{apply_defaults, carry_metadata, fill_new_metadata};
use crate::apiserver::selectors::Selector;
use crate::apiserver::status::{ApiError, ApiResult, FieldError, json_response};
use crate::apiserver::store::{CLUSTER_ROLES, NAMESPACES, SERVICE_ACCOUNTS, Store, meta_str};
use crate::apiserver::watch::Event;
use crate::apiserver::{apply, authz, body, managed, patch, validate};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::MutexGuard;

/// Namespaces the real API server refuses to delete.
const UNDELETABLE: &[&str] = &["default", "kube-public", "kube-system"];

pub fn write(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    match req.info.verb.as_str() {
        "create" => create(req, bytes),
        "update" => update(req, bytes),
        "patch" => patch_object(req, bytes),
        "delete" => delete(req, bytes),
        _ => delete_collection(req, bytes),
    }
}

/// The namespace key objects of this resource are stored under.
pub fn ns_of(req: &Req) -> &str {
    if req.res.namespaced {
        &req.info.namespace
    } else {
        ""
    }
}

/// Checks apiVersion/kind against the endpoint (filling them when absent) and the namespace.
pub fn check_type(req: &Req, obj: &mut Value) -> ApiResult<()> {
    let res = req.res;
    let want_av = res.api_version();
    match obj.get("apiVersion").and_then(|v| v.as_str()) {
        Some(av) if !av.is_empty() && av != want_av => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({want_av})"
            )));
        }
        _ => obj["apiVersion"] = json!(want_av),
    }
    match obj.get("kind").and_then(|v| v.as_str()) {
        Some(k) if !k.is_empty() && k != res.kind => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                res.kind
            )));
        }
        _ => obj["kind"] = json!(res.kind),
    }
    if !obj.get("metadata").is_some_and(|m| m.is_object()) {
        obj["metadata"] = json!({});
    }
    if res.namespaced {
        let body_ns = meta_str(obj, "namespace");
        if !body_ns.is_empty() && body_ns != req.info.namespace {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        obj["metadata"]["namespace"] = json!(req.info.namespace);
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("namespace");
    }
    Ok(())
}

/// The body's name must be the URL's (it is filled in when absent).
pub fn check_name_matches_url(req: &Req, obj: &mut Value) -> ApiResult<()> {
    let body_name = meta_str(obj, "name").to_string();
    if body_name.is_empty() {
        obj["metadata"]["name"] = json!(req.info.name);
    } else if body_name != req.info.name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({})",
            req.info.name
        )));
    }
    Ok(())
}

fn generate_name(obj: &mut Value) {
    use rand::Rng;
    if !meta_str(obj, "name").is_empty() {
        return;
    }
    let prefix = meta_str(obj, "generateName").to_string();
    if prefix.is_empty() {
        return;
    }
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    let suffix: String = (0..5)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    obj["metadata"]["name"] = json!(format!("{prefix}{suffix}"));
}

/// Checks a new object (name rules, namespace exists, not already there) and fills it in.
pub fn prepare_new(req: &Req, store: &Store, obj: &mut Value) -> ApiResult<()> {
    let res = req.res;
    let name = meta_str(obj, "name").to_string();
    let mut errors = validate::name_errors(res.names, &name);
    errors.extend(binding_errors(req, obj));
    if !errors.is_empty() {
        return Err(ApiError::invalid(res.group, res.kind, &name, &errors));
    }
    if res.namespaced && store.get(NAMESPACES, "", &req.info.namespace).is_none() {
        return Err(ApiError::not_found("", "namespaces", &req.info.namespace));
    }
    if store.get(&res.key(), ns_of(req), &name).is_some() {
        return Err(ApiError::already_exists(res.group, res.plural, &name));
    }
    fill_new_metadata(obj);
    apply_defaults(res, obj);
    Ok(())
}

/// roleRef checks of RoleBindings and ClusterRoleBindings.
fn binding_errors(req: &Req, obj: &Value) -> Vec<FieldError> {
    let supported: &[&str] = match req.res.plural {
        "rolebindings" => &["Role", "ClusterRole"],
        "clusterrolebindings" => &["ClusterRole"],
        _ => return Vec::new(),
    };
    let s = |p: &str| obj.pointer(p).and_then(|v| v.as_str()).unwrap_or_default();
    let mut errs = Vec::new();
    if s("/roleRef/apiGroup") != "rbac.authorization.k8s.io" {
        errs.push(FieldError::not_supported(
            "roleRef.apiGroup",
            s("/roleRef/apiGroup"),
            &["rbac.authorization.k8s.io"],
        ));
    }
    if !supported.contains(&s("/roleRef/kind")) {
        errs.push(FieldError::not_supported(
            "roleRef.kind",
            s("/roleRef/kind"),
            supported,
        ));
    }
    if s("/roleRef/name").is_empty() {
        errs.push(FieldError::required("roleRef.name", ""));
    }
    errs
}

fn role_ref_unchanged(req: &Req, old: &Value, new: &Value) -> ApiResult<()> {
    if matches!(req.res.plural, "rolebindings" | "clusterrolebindings")
        && old.get("roleRef") != new.get("roleRef")
    {
        let name = meta_str(new, "name");
        let shown = serde_json::to_string(&new.get("roleRef")).unwrap_or_default();
        return Err(ApiError::invalid(
            req.res.group,
            req.res.kind,
            name,
            &[FieldError::invalid(
                "roleRef",
                &shown,
                "cannot change roleRef",
            )],
        ));
    }
    Ok(())
}

/// The Update manager of a write: `fieldManager`, else the user agent's program name, as the
/// real server derives it.
fn manager_of(req: &Req) -> Option<String> {
    match req.query.get("fieldManager") {
        Some(m) if !m.is_empty() => Some(m.clone()),
        _ => req.header(header::USER_AGENT).map(|ua| {
            ua.split('/')
                .next()
                .unwrap_or_default()
                .chars()
                .take(128)
                .collect()
        }),
    }
}

/// Records the fields this write added or changed as its manager's (operation Update).
fn record_update(req: &Req, old: Option<&Value>, new: &mut Value) {
    if let Some(manager) = manager_of(req) {
        managed::record_update(req.res, &manager, old, new);
    }
}

/// Escalation check, then store (unless dry run), re-aggregate, persist and notify watchers.
pub fn finish(
    req: &Req,
    store: MutexGuard<'_, Store>,
    kind: &'static str,
    obj: Value,
    code: StatusCode,
) -> ApiResult<Response> {
    let stored = store_object(req, store, kind, obj)?;
    Ok(json_response(code, &stored))
}

/// [`finish`] without the response: the object as stored (or as it would be, on a dry run).
pub fn store_object(
    req: &Req,
    mut store: MutexGuard<'_, Store>,
    kind: &'static str,
    obj: Value,
) -> ApiResult<Value> {
    authz::check_escalation(&store, &req.user, req.res.plural, ns_of(req), &obj)?;
    let key = req.res.key();
    let name = meta_str(&obj, "name").to_string();
    // A write that changes nothing (managedFields times aside) is not one: the stored object,
    // same resourceVersion, nothing persisted, no watch event, as kube-apiserver does.
    if kind == "MODIFIED"
        && let Some(current) = store.get(&key, ns_of(req), &name)
        && managed::without_server_churn(current) == managed::without_server_churn(&obj)
    {
        return Ok(current.clone());
    }
    if req.dry_run() {
        return Ok(obj);
    }
    let stored = store.put(&key, obj);
    let mut events = vec![Event {
        kind,
        key: key.clone(),
        object: stored.clone(),
    }];
    if key == CLUSTER_ROLES {
        events.extend(store.reaggregate().into_iter().map(|o| Event {
            kind: "MODIFIED",
            key: CLUSTER_ROLES.into(),
            object: o,
        }));
    }
    // The service account controller's part: every new namespace gets `default`.
    if key == NAMESPACES
        && kind == "ADDED"
        && store.get(SERVICE_ACCOUNTS, &name, "default").is_none()
    {
        let mut sa = crate::apiserver::seed::default_service_account(&name);
        fill_new_metadata(&mut sa);
        let object = store.put(SERVICE_ACCOUNTS, sa);
        events.push(Event {
            kind: "ADDED",
            key: SERVICE_ACCOUNTS.into(),
            object,
        });
    }
    store
        .persist()
        .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    let latest = store
        .get(&key, ns_of(req), &name)
        .cloned()
        .unwrap_or(stored);
    drop(store);
    for ev in events {
        let _ = req.st.events.send(ev);
    }
    Ok(latest)
}

fn create(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    if !req.info.name.is_empty() {
        return Err(ApiError::method_not_allowed("POST"));
    }
    let media = body::media_type(req.header(header::CONTENT_TYPE));
    let mut obj = body::decode_object(bytes, &media)?;
    check_type(req, &mut obj)?;
    generate_name(&mut obj);
    let store = req.st.store();
    prepare_new(req, &store, &mut obj)?;
    record_update(req, None, &mut obj);
    finish(req, store, "ADDED", obj, StatusCode::CREATED)
}

fn precondition(req: &Req, old: &Value, new: &Value) -> ApiResult<()> {
    let want = meta_str(new, "resourceVersion");
    if !want.is_empty() && want != meta_str(old, "resourceVersion") {
        return Err(ApiError::conflict(
            req.res.group,
            req.res.plural,
            &req.info.name,
        ));
    }
    Ok(())
}

fn update(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    let media = body::media_type(req.header(header::CONTENT_TYPE));
    let mut obj = body::decode_object(bytes, &media)?;
    check_type(req, &mut obj)?;
    check_name_matches_url(req, &mut obj)?;
    let store = req.st.store();
    let Some(old) = store
        .get(&req.res.key(), ns_of(req), &req.info.name)
        .cloned()
    else {
        // RBAC objects allow create-on-update, as in the real registry.
        if req.res.group == "rbac.authorization.k8s.io" && req.info.subresource.is_empty() {
            prepare_new(req, &store, &mut obj)?;
            record_update(req, None, &mut obj);
            return finish(req, store, "ADDED", obj, StatusCode::CREATED);
        }
        return Err(ApiError::not_found(
            req.res.group,
            req.res.plural,
            &req.info.name,
        ));
    };
    precondition(req, &old, &obj)?;
    let new = if req.info.subresource == "status" {
        let mut n = old.clone();
        n["status"] = obj.get("status").cloned().unwrap_or(json!({}));
        n
    } else {
        carry_metadata(&old, &mut obj, req.res);
        role_ref_unchanged(req, &old, &obj)?;
        // A body without managedFields keeps the stored ones; an explicit list replaces them.
        if obj
            .pointer("/metadata/managedFields")
            .is_none_or(Value::is_null)
        {
            obj["metadata"]["managedFields"] = old
                .pointer("/metadata/managedFields")
                .cloned()
                .unwrap_or(json!([]));
        }
        record_update(req, Some(&old), &mut obj);
        obj
    };
    finish(req, store, "MODIFIED", new, StatusCode::OK)
}

fn patch_object(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    let media = body::media_type(req.header(header::CONTENT_TYPE));
    let store = req.st.store();
    let old = store
        .get(&req.res.key(), ns_of(req), &req.info.name)
        .cloned();
    if media == "application/apply-patch+yaml" {
        let (kind, obj, code) = apply::apply(req, &store, old, bytes)?;
        return finish(req, store, kind, obj, code);
    }
    let old =
        old.ok_or_else(|| ApiError::not_found(req.res.group, req.res.plural, &req.info.name))?;
    let mut new = old.clone();
    match media.as_str() {
        "application/merge-patch+json" => {
            patch::merge_patch(&mut new, &body::decode_object(bytes, &media)?)
        }
        "application/strategic-merge-patch+json" => {
            patch::strategic_merge_patch(&mut new, &body::decode_object(bytes, &media)?)
        }
        "application/json-patch+json" => {
            patch::json_patch(&mut new, &body::decode(bytes, &media)?)?
        }
        other => return Err(ApiError::unsupported_media(other)),
    }
    if !new.is_object() {
        return Err(ApiError::bad_request(
            "the patch turned the object into a non-object",
        ));
    }
    precondition(req, &old, &new)?;
    // Identity fields are not patchable.
    new["apiVersion"] = old["apiVersion"].clone();
    new["kind"] = old["kind"].clone();
    if !new.get("metadata").is_some_and(|m| m.is_object()) {
        new["metadata"] = json!({});
    }
    new["metadata"]["name"] = json!(req.info.name);
    if req.res.namespaced {
        new["metadata"]["namespace"] = json!(req.info.namespace);
    }
    let new = if req.info.subresource == "status" {
        let mut n = old.clone();
        n["status"] = new.get("status").cloned().unwrap_or(json!({}));
        n
    } else {
        carry_metadata(&old, &mut new, req.res);
        role_ref_unchanged(req, &old, &new)?;
        record_update(req, Some(&old), &mut new);
        new
    };
    finish(req, store, "MODIFIED", new, StatusCode::OK)
}

fn dry_run_in_body(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes)
        .ok()
        .and_then(|v| v.get("dryRun").cloned())
        .and_then(|d| d.as_array().cloned())
        .is_some_and(|a| a.iter().any(|x| x == "All"))
}

/// Removes one object (and a namespace's contents); returns the events to send.
fn remove_one(req: &Req, store: &mut Store, name: &str) -> ApiResult<(Value, Vec<Event>)> {
    let key = req.res.key();
    let old = store
        .remove(&key, ns_of(req), name)
        .ok_or_else(|| ApiError::not_found(req.res.group, req.res.plural, name))?;
    let mut events = vec![Event {
        kind: "DELETED",
        key: key.clone(),
        object: old.clone(),
    }];
    if key == NAMESPACES {
        events.extend(
            store
                .remove_namespace_contents(name)
                .into_iter()
                .map(|(key, object)| Event {
                    kind: "DELETED",
                    key,
                    object,
                }),
        );
    }
    if key == CLUSTER_ROLES {
        events.extend(store.reaggregate().into_iter().map(|o| Event {
            kind: "MODIFIED",
            key: CLUSTER_ROLES.into(),
            object: o,
        }));
    }
    Ok((old, events))
}

fn delete(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    if !req.info.subresource.is_empty() {
        return Err(ApiError::method_not_allowed("DELETE"));
    }
    let name = req.info.name.clone();
    if req.res.plural == "namespaces" && UNDELETABLE.contains(&name.as_str()) {
        return Err(ApiError::forbidden(
            "",
            "namespaces",
            &name,
            "this namespace may not be deleted",
        ));
    }
    let mut store = req.st.store();
    if req.dry_run() || dry_run_in_body(bytes) {
        let obj = store
            .get(&req.res.key(), ns_of(req), &name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(req.res.group, req.res.plural, &name))?;
        return Ok(json_response(StatusCode::OK, &obj));
    }
    let (mut old, events) = remove_one(req, &mut store, &name)?;
    store
        .persist()
        .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    drop(store);
    for ev in events {
        let _ = req.st.events.send(ev);
    }
    if req.res.plural == "namespaces" {
        old["metadata"]["deletionTimestamp"] = json!(crate::apiserver::objects::now_rfc3339());
        old["status"] = json!({"phase": "Terminating"});
    }
    Ok(json_response(StatusCode::OK, &old))
}

fn delete_collection(req: &Req, bytes: &[u8]) -> ApiResult<Response> {
    let labels = match req.query.get("labelSelector") {
        Some(s) => Selector::parse_labels(s)?,
        None => Selector::default(),
    };
    let fields = match req.query.get("fieldSelector") {
        Some(s) => Selector::parse_fields(s, req.res.kind)?,
        None => Selector::default(),
    };
    let mut store = req.st.store();
    let key = req.res.key();
    let ns =
        (req.res.namespaced && !req.info.namespace.is_empty()).then(|| req.info.namespace.clone());
    let names: Vec<String> = store
        .list(&key, ns.as_deref())
        .into_iter()
        .filter(|o| labels.matches_labels(o) && fields.matches_fields(o))
        .map(|o| meta_str(o, "name").to_string())
        .filter(|n| !(key == NAMESPACES && UNDELETABLE.contains(&n.as_str())))
        .collect();
    let mut items = Vec::new();
    let mut events = Vec::new();
    let dry = req.dry_run() || dry_run_in_body(bytes);
    for n in names {
        if dry {
            if let Some(o) = store.get(&key, ns_of(req), &n) {
                items.push(o.clone());
            }
            continue;
        }
        let (old, evs) = remove_one(req, &mut store, &n)?;
        items.push(old);
        events.extend(evs);
    }
    if !dry {
        store
            .persist()
            .map_err(|e| ApiError::internal(format!("{e:#}")))?;
    }
    let rv = store.resource_version().to_string();
    drop(store);
    for ev in events {
        let _ = req.st.events.send(ev);
    }
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "kind": format!("{}List", req.res.kind),
            "apiVersion": req.res.api_version(),
            "metadata": {"resourceVersion": rv},
            "items": items,
        }),
    ))
}
