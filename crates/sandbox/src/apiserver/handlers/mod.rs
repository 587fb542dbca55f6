//! The single entry point: authenticate, count, authorize, then route by path shape to
//! discovery or to the resource handlers.

mod read;
mod scale;
pub(crate) mod write;

use super::AppState;
use super::request_info::{self, RequestInfo};
use super::resources::{self, ResourceDef, Storage};
use super::status::{ApiError, ApiResult, json_response};
use super::{authz, discovery, impersonation, openapi};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rbac::UserInfo;
use std::collections::HashMap;
use std::sync::Arc;

/// A resource request after authentication and authorization.
pub(crate) struct Req {
    pub st: Arc<AppState>,
    pub user: UserInfo,
    pub info: RequestInfo,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    pub res: &'static ResourceDef,
}

impl Req {
    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|d| d == "All")
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn accept(&self) -> &str {
        self.header(header::ACCEPT).unwrap_or("application/json")
    }
}

pub async fn entry(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(parts.uri.query().unwrap_or_default()).unwrap_or_default();
    let info = request_info::parse(parts.method.as_str(), parts.uri.path(), &query);
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(user) = st.authn.authenticate(authorization) else {
        return ApiError::unauthorized().into_response();
    };
    let key = if info.is_resource {
        format!("{} {}", info.verb, info.resource_with_sub())
    } else {
        format!("{} {}", info.verb, info.path)
    };
    st.stats.incr("api", &key);
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or_default();
    let user = match impersonation::effective_user(&st.store(), user, &parts.headers, uri) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let decision = authz::authorize(&st.store(), &user, &info.attributes());
    if !decision.allowed {
        return authz::forbidden(&user, &info, &decision.reason).into_response();
    }
    let result = if info.is_resource {
        resource(st, user, info, query, parts.headers, body).await
    } else {
        non_resource(&st, &info)
    };
    result.unwrap_or_else(|e| e.into_response())
}

fn ok_json(v: &serde_json::Value) -> Response {
    json_response(StatusCode::OK, v)
}

fn non_resource(st: &AppState, info: &RequestInfo) -> ApiResult<Response> {
    if info.verb != "get" && info.verb != "head" {
        return Err(ApiError::method_not_allowed(
            &info.verb.to_ascii_uppercase(),
        ));
    }
    let parts: Vec<&str> = info.path.trim_end_matches('/').split('/').skip(1).collect();
    let found = match parts.as_slice() {
        ["version"] => Some(discovery::version()),
        ["api"] => Some(discovery::api_versions(&st.server_address)),
        ["api", v] => discovery::resource_list("", v),
        ["apis"] => Some(discovery::api_group_list()),
        ["apis", g] => discovery::api_group(g),
        ["apis", g, v] => discovery::resource_list(g, v),
        ["healthz" | "livez" | "readyz"] => {
            return Ok(
                (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], "ok").into_response(),
            );
        }
        ["openapi", "v3"] => Some(openapi::root()),
        ["openapi", "v3", rest @ ..] => openapi::group_version(&rest.join("/")),
        _ => None,
    };
    found
        .map(|v| ok_json(&v))
        .ok_or_else(ApiError::path_not_found)
}

async fn resource(
    st: Arc<AppState>,
    user: UserInfo,
    info: RequestInfo,
    query: HashMap<String, String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ApiResult<Response> {
    let res = resources::find(&info.group, &info.version, &info.resource)
        .ok_or_else(ApiError::path_not_found)?;
    if !info.subresource.is_empty() && !res.subresources.contains(&info.subresource.as_str()) {
        return Err(ApiError::path_not_found());
    }
    // Cluster-scoped resources have no namespaced path (namespaces name themselves).
    if !res.namespaced && !info.namespace.is_empty() && res.plural != "namespaces" {
        return Err(ApiError::path_not_found());
    }
    let req = Req {
        st,
        user,
        info,
        query,
        headers,
        res,
    };
    if res.namespaced
        && req.info.namespace.is_empty()
        && !matches!(req.info.verb.as_str(), "list" | "watch")
    {
        return Err(ApiError::path_not_found());
    }
    if res.storage == Storage::Review {
        if req.info.verb != "create" || !req.info.name.is_empty() {
            return Err(ApiError::method_not_allowed(&req.info.verb));
        }
        let bytes = super::body::read(body).await?;
        let media = super::body::media_type(req.header(header::CONTENT_TYPE));
        let obj = super::body::decode_object(&bytes, &media)?;
        let out = super::reviews::answer(res, &req.st.store(), &req.user, &obj)?;
        return Ok(json_response(StatusCode::CREATED, &out));
    }
    if req.info.subresource == "scale" {
        let bytes = super::body::read(body).await?;
        return scale::handle(&req, &bytes);
    }
    match req.info.verb.as_str() {
        "get" => read::get(&req),
        "list" => read::list(&req),
        "watch" => read::watch(&req),
        "create" | "update" | "patch" | "delete" | "deletecollection" => {
            let bytes = super::body::read(body).await?;
            write::write(&req, &bytes)
        }
        other => Err(ApiError::method_not_allowed(other)),
    }
}
