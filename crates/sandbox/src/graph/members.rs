//! Membership routes: a user's groups as AKS asks for them on an overage token
//! (`getMemberObjects`, `checkMemberGroups`), and a group's members (`transitiveMembers`).
// A ready Response is the natural error of a handler step; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use super::GraphState;
use super::handlers::{
    admit, base, context_suffix, graph_error, not_found, paged, param, query_pairs, select,
    user_json,
};
use crate::tenant::User;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

pub(super) fn routes() -> axum::Router<GraphState> {
    axum::Router::new()
        .route("/users/{id}/getMemberObjects", post(get_member_objects))
        .route("/users/{id}/checkMemberGroups", post(check_member_groups))
        .route("/groups/{id}/transitiveMembers", get(transitive_members))
        .route("/users/{id}", get(get_user))
}

fn user<'a>(state: &'a GraphState, id: &str) -> Result<&'a User, Response> {
    state
        .tenant
        .user_by_id(id)
        .or_else(|| state.tenant.user_by_upn(id))
        .ok_or_else(|| not_found(id))
}

fn ids_response(headers: &HeaderMap, ids: Vec<String>) -> Response {
    Json(json!({
        "@odata.context": format!("{}/$metadata#Collection(Edm.String)", base(headers)),
        "value": ids,
    }))
    .into_response()
}

fn bad_body(expected: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        "Request_BadRequest",
        &format!("Invalid request body: expected {expected}."),
    )
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct MemberObjects {
    /// Required by Graph; every sandbox group is a security group, so it changes nothing.
    #[allow(dead_code)]
    security_enabled_only: bool,
}

async fn get_member_objects(
    State(state): State<GraphState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "POST /users/{id}/getMemberObjects") {
        return resp;
    }
    if serde_json::from_slice::<MemberObjects>(&body).is_err() {
        return bad_body("{\"securityEnabledOnly\": true|false}");
    }
    let user = match user(&state, &id) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let ids = state
        .tenant
        .groups_of(&user.object_id)
        .into_iter()
        .map(|g| g.object_id.clone())
        .collect();
    ids_response(&headers, ids)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckMemberGroups {
    group_ids: Vec<String>,
}

async fn check_member_groups(
    State(state): State<GraphState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "POST /users/{id}/checkMemberGroups") {
        return resp;
    }
    let Ok(req) = serde_json::from_slice::<CheckMemberGroups>(&body) else {
        return bad_body("{\"groupIds\": [...]}");
    };
    if req.group_ids.is_empty() || req.group_ids.len() > 20 {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "The groupIds collection must hold between 1 and 20 ids.",
        );
    }
    let user = match user(&state, &id) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let mine = state.tenant.groups_of(&user.object_id);
    let ids = req
        .group_ids
        .into_iter()
        .filter(|g| mine.iter().any(|m| m.object_id.eq_ignore_ascii_case(g)))
        .collect();
    ids_response(&headers, ids)
}

async fn transitive_members(
    State(state): State<GraphState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "GET /groups/{id}/transitiveMembers") {
        return resp;
    }
    let pairs = match query_pairs(&raw) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Some(group) = state.tenant.group_by_id(&id) else {
        return not_found(&id);
    };
    let fields = param(&pairs, "$select");
    let items = group
        .members
        .iter()
        .filter_map(|m| state.tenant.user_by_id(m))
        .map(|u| select(user_json(u, true), fields))
        .collect();
    paged(
        &headers,
        &format!("/groups/{id}/transitiveMembers"),
        &pairs,
        &context_suffix("directoryObjects", fields),
        items,
    )
}

async fn get_user(
    State(state): State<GraphState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "GET /users/{id}") {
        return resp;
    }
    let pairs = match query_pairs(&raw) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let user = match user(&state, &id) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let fields = param(&pairs, "$select");
    let mut body = select(user_json(user, false), fields);
    body["@odata.context"] = json!(format!(
        "{}/$metadata#{}/$entity",
        base(&headers),
        context_suffix("users", fields)
    ));
    Json(body).into_response()
}
