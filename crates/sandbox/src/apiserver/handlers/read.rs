//! GET one, LIST (label and field selectors, Tables), WATCH, and the pod log stub.

use super::Req;
use crate::apiserver::resources::Storage;
use crate::apiserver::selectors::Selector;
use crate::apiserver::status::{ApiError, ApiResult, json_response};
use crate::apiserver::{table, watch};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn include(req: &Req) -> String {
    req.query
        .get("includeObject")
        .cloned()
        .unwrap_or_else(|| "Metadata".into())
}

pub fn get(req: &Req) -> ApiResult<Response> {
    let res = req.res;
    let store = req.st.store();
    let obj = store
        .get(
            &res.key(),
            if res.namespaced {
                &req.info.namespace
            } else {
                ""
            },
            &req.info.name,
        )
        .cloned()
        .ok_or_else(|| ApiError::not_found(res.group, res.plural, &req.info.name))?;
    if req.info.subresource == "log" {
        return Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "").into_response());
    }
    if table::wants_table(req.accept()) {
        let rv = store.resource_version().to_string();
        return Ok(json_response(
            StatusCode::OK,
            &table::table(res, &[obj], &rv, &include(req)),
        ));
    }
    Ok(json_response(StatusCode::OK, &obj))
}

fn selectors(req: &Req) -> ApiResult<(Selector, Selector)> {
    let labels = match req.query.get("labelSelector") {
        Some(s) => Selector::parse_labels(s)?,
        None => Selector::default(),
    };
    let fields = match req.query.get("fieldSelector") {
        Some(s) => Selector::parse_fields(s, req.res.kind)?,
        None => Selector::default(),
    };
    Ok((labels, fields))
}

fn namespace_filter(req: &Req) -> Option<String> {
    (req.res.namespaced && !req.info.namespace.is_empty()).then(|| req.info.namespace.clone())
}

/// The objects a list or watch selects, with the store's current resourceVersion.
fn select(req: &Req, labels: &Selector, fields: &Selector) -> (Vec<Value>, String) {
    let store = req.st.store();
    let rv = store.resource_version().to_string();
    if req.res.storage == Storage::EmptyList {
        return (Vec::new(), rv);
    }
    let ns = namespace_filter(req);
    let items = store
        .list(&req.res.key(), ns.as_deref())
        .into_iter()
        .filter(|o| labels.matches_labels(o) && fields.matches_fields(o))
        .cloned()
        .collect();
    (items, rv)
}

pub fn list(req: &Req) -> ApiResult<Response> {
    let (labels, fields) = selectors(req)?;
    let (items, rv) = select(req, &labels, &fields);
    if table::wants_table(req.accept()) {
        return Ok(json_response(
            StatusCode::OK,
            &table::table(req.res, &items, &rv, &include(req)),
        ));
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

pub fn watch(req: &Req) -> ApiResult<Response> {
    let (labels, mut fields) = selectors(req)?;
    if !req.info.name.is_empty() {
        fields = Selector::parse_fields(&format!("metadata.name={}", req.info.name), req.res.kind)?;
    }
    // Subscribe before taking the snapshot so no change falls between the two.
    let rx = req.st.events.subscribe();
    let since = req
        .query
        .get("resourceVersion")
        .filter(|rv| !rv.is_empty() && *rv != "0")
        .is_some();
    let initial = if since {
        Vec::new()
    } else {
        select(req, &labels, &fields).0
    };
    let timeout = req
        .query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800);
    let as_table = table::wants_table(req.accept()).then(|| include(req));
    Ok(watch::stream(
        watch::Filter {
            res: req.res,
            namespace: namespace_filter(req),
            labels,
            fields,
            as_table,
        },
        initial,
        rx,
        std::time::Duration::from_secs(timeout),
    ))
}
