//! Server-side apply (`PATCH` with `application/apply-patch+yaml`), simplified: the applied
//! configuration is merged into the live object (or creates it), and the field manager gets one
//! `managedFields` entry with operation `Apply`. Field ownership, conflict detection (`force`)
//! and removal of fields a manager stopped applying are not modelled.

use super::handlers::Req;
use super::handlers::write::{check_name_matches_url, check_type, prepare_new, record_manager};
use super::objects::carry_metadata;
use super::status::{ApiError, ApiResult};
use super::store::Store;
use super::{body, patch};
use axum::http::StatusCode;
use serde_json::Value;

/// The object to store, its watch event type and the response code.
pub fn apply(
    req: &Req,
    store: &Store,
    old: Option<Value>,
    bytes: &[u8],
) -> ApiResult<(&'static str, Value, StatusCode)> {
    if req.query.get("fieldManager").is_none_or(|m| m.is_empty()) {
        return Err(ApiError::bad_request(
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        ));
    }
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
            prepare_new(req, store, &mut applied)?;
            record_manager(req, &mut applied, "Apply");
            Ok(("ADDED", applied, StatusCode::CREATED))
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
            let mut new = old.clone();
            patch::merge_patch(&mut new, &applied);
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
            record_manager(req, &mut new, "Apply");
            Ok(("MODIFIED", new, StatusCode::OK))
        }
    }
}
