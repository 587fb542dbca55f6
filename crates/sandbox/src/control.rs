//! Test-only endpoints under `/_sandbox/` (stats, faults, revoke, approve). Loopback clients only:
//! the emulator binds 127.0.0.1, and the guard below refuses any other peer regardless.

use super::faults::Fault;
use super::state::Shared;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/stats/reset", post(reset))
        .route(
            "/_sandbox/faults",
            post(add_faults).get(list_faults).delete(clear_faults),
        )
        .route("/_sandbox/revoke", post(revoke))
        .route("/_sandbox/approve", post(approve))
        .layer(axum::middleware::from_fn(loopback_only))
        .with_state(state)
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if !ip.is_loopback() => (
            StatusCode::FORBIDDEN,
            "test endpoints answer loopback clients only",
        )
            .into_response(),
        _ => next.run(request).await,
    }
}

fn bad_request(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({"error": message})),
    )
        .into_response()
}

async fn stats(State(state): State<Shared>) -> Json<serde_json::Value> {
    Json(state.stats.snapshot())
}

async fn reset(State(state): State<Shared>) -> StatusCode {
    state.stats.reset();
    StatusCode::NO_CONTENT
}

/// One fault object or an array of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum FaultBody {
    One(Fault),
    Many(Vec<Fault>),
}

async fn add_faults(State(state): State<Shared>, body: axum::body::Bytes) -> Response {
    let faults = match serde_json::from_slice::<FaultBody>(&body) {
        Ok(FaultBody::One(f)) => vec![f],
        Ok(FaultBody::Many(v)) => v,
        Err(e) => {
            return bad_request(format!(
                "expected {{\"endpoint\":\"token|devicecode|keys|discovery|graph|imds\",\"count\":N,...}}: {e}"
            ));
        }
    };
    for f in faults {
        state.faults.add(f);
    }
    (
        StatusCode::OK,
        Json(serde_json::json!(state.faults.pending())),
    )
        .into_response()
}

async fn list_faults(State(state): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!(state.faults.pending()))
}

async fn clear_faults(State(state): State<Shared>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct RevokeBody {
    upn: String,
}

async fn revoke(State(state): State<Shared>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<RevokeBody>(&body) else {
        return bad_request("expected {\"upn\":\"user@contoso.com\"}".to_string());
    };
    match state.revoke(&req.upn) {
        Some(n) => Json(serde_json::json!({"upn": req.upn, "revoked": n})).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(
                serde_json::json!({"error": format!("no user {} in the sandbox tenant", req.upn)}),
            ),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct ApproveBody {
    user_code: String,
    upn: String,
    #[serde(default)]
    decline: bool,
}

async fn approve(State(state): State<Shared>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<ApproveBody>(&body) else {
        return bad_request(
            "expected {\"user_code\":\"ABCD1234X\",\"upn\":\"aksdev@contoso.com\",\"decline\":false}"
                .to_string(),
        );
    };
    match state.approve(&req.user_code, &req.upn, None, req.decline) {
        Ok(a) => Json(serde_json::json!({
            "upn": a.upn, "client_id": a.client_id, "declined": a.declined,
        }))
        .into_response(),
        Err(e) => bad_request(e.to_string()),
    }
}
