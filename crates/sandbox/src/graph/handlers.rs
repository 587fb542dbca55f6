//! The Graph routes: each counts the call, verifies the token, then answers from the sandbox
//! tenant.
// A ready Response is the natural error of a handler step; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use super::GraphState;
use super::auth::{Caller, verify};
use super::paging::{decode_skiptoken, encode_skiptoken, page_size};
use crate::tenant::{Group, User};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

pub(super) fn routes() -> axum::Router<GraphState> {
    axum::Router::new()
        .route("/groups", get(list_groups))
        .route("/groups/{id}", get(get_group))
        .route("/directoryObjects/getByIds", post(get_by_ids))
        .route("/me/transitiveMemberOf", get(my_member_of))
        .route(
            "/me/transitiveMemberOf/microsoft.graph.group",
            get(my_groups),
        )
        .route("/users/{id}/getMemberGroups", post(get_member_groups))
        .merge(super::members::routes())
}

/// Graph's error body (§7.5).
pub(super) fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": id,
                "client-request-id": id,
            }
        }
    });
    (status, Json(body)).into_response()
}

fn bad_query(message: &str) -> Response {
    graph_error(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
}

pub(super) fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

fn eventual(headers: &HeaderMap) -> bool {
    headers
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"))
}

/// Directory objects answer `$search`, `$count` and `$orderby` only as advanced queries, with
/// `ConsistencyLevel: eventual` (a plain `displayName eq` filter needs no header).
fn advanced_query_needs_eventual(
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<(), Response> {
    if eventual(headers) {
        return Ok(());
    }
    if param(pairs, "$search").is_some() {
        return Err(bad_query(
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        ));
    }
    if param(pairs, "$count").is_some_and(|c| c.eq_ignore_ascii_case("true"))
        || param(pairs, "$orderby").is_some()
    {
        return Err(bad_query(
            "$count and $orderby on directory objects are advanced queries: send the header 'ConsistencyLevel: eventual'.",
        ));
    }
    Ok(())
}

/// Counter, then token check: what every route does first.
pub(super) fn admit(
    state: &GraphState,
    headers: &HeaderMap,
    route: &str,
) -> Result<Caller, Response> {
    state.stats.incr("graph", route);
    let auth = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = verify(auth, &state.jwks, &state.issuer).map_err(|message| {
        let mut resp = graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        resp.headers_mut().insert(
            http::header::WWW_AUTHENTICATE,
            http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        resp
    })?;
    Ok(caller)
}

/// `http://host:port/v1.0`, for `@odata.context` and `@odata.nextLink`.
pub(super) fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/v1.0")
}

pub(super) fn query_pairs(raw: &Option<String>) -> Result<Vec<(String, String)>, Response> {
    serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|_| {
        graph_error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Invalid query.",
        )
    })
}

pub(super) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The value of `displayName eq '...'` with doubled quotes undone; None for any other filter.
pub(crate) fn parse_display_name_filter(filter: &str) -> Option<String> {
    let mut words = filter.trim().splitn(3, ' ');
    let (property, op, rest) = (words.next()?, words.next()?, words.next()?.trim());
    if !property.eq_ignore_ascii_case("displayName") || !op.eq_ignore_ascii_case("eq") {
        return None;
    }
    string_literal(rest)
}

/// The prefix of `startswith(displayName,'...')` with doubled quotes undone (Graph allows
/// spaces around the arguments); None for any other filter.
pub(crate) fn parse_display_name_prefix_filter(filter: &str) -> Option<String> {
    let call = filter.trim();
    let (function, args) = call.split_once('(')?;
    if !function.trim_end().eq_ignore_ascii_case("startswith") {
        return None;
    }
    let (property, literal) = args.strip_suffix(')')?.split_once(',')?;
    if !property.trim().eq_ignore_ascii_case("displayName") {
        return None;
    }
    string_literal(literal.trim())
}

/// An OData string literal `'...'`: the body with `''` undone; None when a lone quote is inside.
fn string_literal(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // A quote inside the literal must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

pub(super) fn group_json(g: &Group, typed: bool) -> Value {
    let mut v = json!({
        "id": g.object_id,
        "displayName": g.display_name,
        "description": g.description,
        "groupTypes": [],
        "mail": null,
        "mailEnabled": false,
        "mailNickname": g.display_name.replace(|c: char| !c.is_ascii_alphanumeric(), ""),
        "securityEnabled": true,
        "visibility": null,
    });
    if typed {
        v["@odata.type"] = json!("#microsoft.graph.group");
    }
    v
}

pub(super) fn user_json(u: &User, typed: bool) -> Value {
    let mut v = json!({
        "id": u.object_id,
        "displayName": u.display_name,
        "givenName": u.given_name,
        "surname": u.family_name,
        "userPrincipalName": u.upn,
        "mail": null,
        "jobTitle": null,
        "businessPhones": [],
    });
    if typed {
        v["@odata.type"] = json!("#microsoft.graph.user");
    }
    v
}

/// Keeps only `$select`ed properties (and `@odata.type`).
pub(super) fn select(value: Value, fields: Option<&str>) -> Value {
    let (Some(fields), Value::Object(map)) = (fields, &value) else {
        return value;
    };
    let wanted: Vec<&str> = fields.split(',').map(str::trim).collect();
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| {
            k.as_str() == "@odata.type" || wanted.iter().any(|w| w.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

pub(super) fn context_suffix(entity_set: &str, fields: Option<&str>) -> String {
    match fields {
        Some(f) => format!("{entity_set}({f})"),
        None => entity_set.to_string(),
    }
}

/// One page of `items` with `@odata.context`, `@odata.count` (with `$count=true`) and
/// `@odata.nextLink` (the same query plus `$skiptoken`).
pub(super) fn paged(
    headers: &HeaderMap,
    path: &str,
    pairs: &[(String, String)],
    context: &str,
    items: Vec<Value>,
) -> Response {
    let Some(size) = page_size(param(pairs, "$top")) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Invalid page size specified: '$top'. Must be between 1 and 999 inclusive.",
        );
    };
    let start = match param(pairs, "$skiptoken") {
        None => 0,
        Some(t) => match decode_skiptoken(t) {
            Some(n) => n,
            None => {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    "Directory_ExpiredPageToken",
                    "The specified page token value has expired and can no longer be included in your request.",
                );
            }
        },
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let base = base(headers);
    let mut body = json!({ "@odata.context": format!("{base}/$metadata#{context}") });
    if param(pairs, "$count").is_some_and(|c| c.eq_ignore_ascii_case("true")) {
        body["@odata.count"] = json!(total);
    }
    body["value"] = Value::Array(page);
    if start + size < total {
        let mut next: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
            .cloned()
            .collect();
        next.push(("$skiptoken".to_string(), encode_skiptoken(start + size)));
        let query = serde_urlencoded::to_string(&next).unwrap_or_default();
        body["@odata.nextLink"] = json!(format!("{base}{path}?{query}"));
    }
    Json(body).into_response()
}

async fn list_groups(
    State(state): State<GraphState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "GET /groups") {
        return resp;
    }
    let pairs = match query_pairs(&raw) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if let Err(resp) = advanced_query_needs_eventual(&headers, &pairs) {
        return resp;
    }
    let fields = param(&pairs, "$select");
    let groups: Vec<&Group> = match param(&pairs, "$filter") {
        None => state.tenant.groups.iter().collect(),
        Some(filter) => {
            if let Some(name) = parse_display_name_filter(filter) {
                state.tenant.groups_named(&name)
            } else if let Some(prefix) = parse_display_name_prefix_filter(filter) {
                state.tenant.groups_starting_with(&prefix)
            } else {
                return bad_query(
                    "Unsupported query. The sandbox supports only $filter=displayName eq '...' and $filter=startswith(displayName,'...').",
                );
            }
        }
    };
    let items = groups
        .into_iter()
        .map(|g| select(group_json(g, false), fields))
        .collect();
    paged(
        &headers,
        "/groups",
        &pairs,
        &context_suffix("groups", fields),
        items,
    )
}

async fn get_group(
    State(state): State<GraphState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "GET /groups/{id}") {
        return resp;
    }
    let pairs = match query_pairs(&raw) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if uuid::Uuid::try_parse(&id).is_err() {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            &format!("Invalid object identifier '{id}'."),
        );
    }
    let Some(group) = state.tenant.group_by_id(&id) else {
        return not_found(&id);
    };
    let fields = param(&pairs, "$select");
    let mut body = select(group_json(group, false), fields);
    body["@odata.context"] = json!(format!(
        "{}/$metadata#{}/$entity",
        base(&headers),
        context_suffix("groups", fields)
    ));
    Json(body).into_response()
}

#[derive(serde::Deserialize)]
struct GetByIds {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    types: Vec<String>,
}

async fn get_by_ids(
    State(state): State<GraphState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "POST /directoryObjects/getByIds") {
        return resp;
    }
    let Ok(req) = serde_json::from_slice::<GetByIds>(&body) else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "Invalid request body: expected {\"ids\":[...],\"types\":[...]}.",
        );
    };
    if req.ids.is_empty() || req.ids.len() > 1000 {
        return graph_error(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "The ids collection must hold between 1 and 1000 ids.",
        );
    }
    let wants =
        |t: &str| req.types.is_empty() || req.types.iter().any(|x| x.eq_ignore_ascii_case(t));
    let mut value = Vec::new();
    for id in &req.ids {
        if wants("group")
            && let Some(g) = state.tenant.group_by_id(id)
        {
            value.push(group_json(g, true));
        } else if wants("user")
            && let Some(u) = state.tenant.user_by_id(id)
        {
            value.push(user_json(u, true));
        }
    }
    Json(json!({
        "@odata.context": format!("{}/$metadata#directoryObjects", base(&headers)),
        "value": value,
    }))
    .into_response()
}

/// The signed-in user of a delegated token.
fn me<'a>(state: &'a GraphState, caller: &Caller) -> Result<&'a User, Response> {
    let user = caller
        .oid
        .as_deref()
        .and_then(|oid| state.tenant.user_by_id(oid))
        .or_else(|| {
            caller
                .upn
                .as_deref()
                .and_then(|u| state.tenant.user_by_upn(u))
        });
    user.ok_or_else(|| {
        graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        )
    })
}

async fn my_member_of(
    State(state): State<GraphState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    member_of(state, headers, raw, false).await
}

async fn my_groups(
    State(state): State<GraphState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    member_of(state, headers, raw, true).await
}

async fn member_of(
    state: GraphState,
    headers: HeaderMap,
    raw: Option<String>,
    cast: bool,
) -> Response {
    let (route, path) = if cast {
        (
            "GET /me/transitiveMemberOf/microsoft.graph.group",
            "/me/transitiveMemberOf/microsoft.graph.group",
        )
    } else {
        ("GET /me/transitiveMemberOf", "/me/transitiveMemberOf")
    };
    let caller = match admit(&state, &headers, route) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let pairs = match query_pairs(&raw) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if cast {
        let counted = param(&pairs, "$count").is_some_and(|c| c.eq_ignore_ascii_case("true"));
        if !eventual(&headers) || !counted {
            return bad_query(
                "Request with OData cast requires the ConsistencyLevel: eventual header and $count=true.",
            );
        }
    }
    if param(&pairs, "$filter").is_some() || param(&pairs, "$search").is_some() {
        return bad_query("Unsupported query. The sandbox does not filter memberships.");
    }
    let user = match me(&state, &caller) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    let fields = param(&pairs, "$select");
    let items = state
        .tenant
        .groups_of(&user.object_id)
        .into_iter()
        .map(|g| select(group_json(g, true), fields))
        .collect();
    let context = if cast { "groups" } else { "directoryObjects" };
    paged(
        &headers,
        path,
        &pairs,
        &context_suffix(context, fields),
        items,
    )
}

async fn get_member_groups(
    State(state): State<GraphState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(resp) = admit(&state, &headers, "POST /users/{id}/getMemberGroups") {
        return resp;
    }
    let Some(user) = state
        .tenant
        .user_by_id(&id)
        .or_else(|| state.tenant.user_by_upn(&id))
    else {
        return not_found(&id);
    };
    let ids: Vec<&str> = state
        .tenant
        .groups_of(&user.object_id)
        .into_iter()
        .map(|g| g.object_id.as_str())
        .collect();
    Json(json!({
        "@odata.context": format!("{}/$metadata#Collection(Edm.String)", base(&headers)),
        "value": ids,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parsing_unescapes_quotes() {
        assert_eq!(
            parse_display_name_filter("displayName eq 'o''brien-team'").as_deref(),
            Some("o'brien-team")
        );
        assert_eq!(
            parse_display_name_filter("displayName eq 'appdev'").as_deref(),
            Some("appdev")
        );
        assert_eq!(parse_display_name_filter("displayName eq 'o'brien'"), None);
        assert_eq!(
            parse_display_name_filter("startswith(displayName,'a')"),
            None
        );
        assert_eq!(parse_display_name_filter("mail eq 'a'"), None);
        assert_eq!(parse_display_name_filter("displayName ne 'a'"), None);
    }

    #[test]
    fn prefix_filters_parse_as_graph_writes_them() {
        let p = parse_display_name_prefix_filter;
        assert_eq!(p("startswith(displayName,'a')").as_deref(), Some("a"));
        assert_eq!(p("startsWith(displayName, 'o''b')").as_deref(), Some("o'b"));
        assert_eq!(p("startswith(displayName,'')").as_deref(), Some(""));
        assert_eq!(p("startswith(displayName,'o'b')"), None);
        assert_eq!(p("startswith(mail,'a')"), None);
        assert_eq!(p("endswith(displayName,'a')"), None);
        assert_eq!(p("displayName eq 'a'"), None);
    }

    #[test]
    fn select_keeps_only_asked_fields() {
        let v = json!({"id": "1", "displayName": "x", "mail": null, "@odata.type": "#g"});
        let s = select(v, Some("id,displayName"));
        assert_eq!(
            s,
            json!({"id": "1", "displayName": "x", "@odata.type": "#g"})
        );
    }
}
