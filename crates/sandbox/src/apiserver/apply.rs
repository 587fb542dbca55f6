//! Server-side apply (`PATCH` with `application/apply-patch+yaml`): the applied configuration
//! is merged into the live object (or creates it) with field ownership and conflicts as
//! [`super::managed`] keeps them; `force=true` takes conflicting fields over.

use super::handlers::Req;
use super::handlers::write::{check_name_matches_url, check_type, prepare_new};
use super::objects::carry_metadata;
use super::status::{ApiError, ApiResult};
use super::store::Store;
use super::{body, managed};
use axum::http::StatusCode;
use serde_json::{Value, json};

/// The object to store, its watch event type and the response code.
pub fn apply(
    req: &Req,
    store: &Store,
    old: Option<Value>,
    bytes: &[u8],
) -> ApiResult<(&'static str, Value, StatusCode)> {
    let manager = match req.query.get("fieldManager") {
        Some(m) if !m.is_empty() => m.clone(),
        _ => {
            return Err(ApiError::bad_request(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            ));
        }
    };
    let force = req.query.get("force").is_some_and(|f| f == "true");
    if !req.info.subresource.is_empty() {
        return Err(ApiError::method_not_allowed("PATCH"));
    }
    let mut applied = body::decode_object(bytes, "application/apply-patch+yaml")?;
    for field in ["apiVersion", "kind"] {
        if applied
            .get(field)
            .and_then(|v| v.as_str())
            .is_none_or(|v| v.is_empty())
        {
            return Err(ApiError::bad_request(format!(
                "invalid object: {field} must be set for apply"
            )));
        }
    }
    check_type(req, &mut applied)?;
    check_name_matches_url(req, &mut applied)?;
    if let Some(m) = applied["metadata"].as_object_mut() {
        m.remove("managedFields");
    }
    match old {
        None => {
            let mut new = managed::apply(req.res, &manager, force, &json!({}), &applied)?;
            prepare_new(req, store, &mut new)?;
            Ok(("ADDED", new, StatusCode::CREATED))
        }
        Some(old) => {
            let want = super::store::meta_str(&applied, "resourceVersion");
            if !want.is_empty() && want != super::store::meta_str(&old, "resourceVersion") {
                return Err(ApiError::conflict(
                    req.res.group,
                    req.res.plural,
                    &req.info.name,
                ));
            }
            let mut new = managed::apply(req.res, &manager, force, &old, &applied)?;
            carry_metadata(&old, &mut new, req.res);
            if matches!(req.res.plural, "rolebindings" | "clusterrolebindings")
                && old.get("roleRef") != new.get("roleRef")
            {
                return Err(ApiError::invalid(
                    req.res.group,
                    req.res.kind,
                    &req.info.name,
                    &[super::status::FieldError::invalid(
                        "roleRef",
                        &serde_json::to_string(&new.get("roleRef")).unwrap_or_default(),
                        "cannot change roleRef",
                    )],
                ));
            }
            Ok(("MODIFIED", new, StatusCode::OK))
        }
    }
}
