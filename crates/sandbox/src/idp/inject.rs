//! Applies a queued fault to one call of an IdP endpoint.

use super::response::{OAuthError, raw_json};
use crate::faults::{Fault, FaultEndpoint};
use crate::state::IdpState;
use axum::http::StatusCode;
use axum::response::Response;

/// Takes the next fault for `endpoint`, sleeps its delay, and returns the faulty answer if the
/// fault replaces the normal one.
pub async fn apply(
    state: &IdpState,
    endpoint: FaultEndpoint,
    request_id: Option<&str>,
) -> Option<Response> {
    let fault = state.faults.take(endpoint)?;
    if let Some(ms) = fault.delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    fault_response(&fault, request_id)
}

/// The answer a fault stands for, or `None` for a delay-only fault.
pub fn fault_response(fault: &Fault, request_id: Option<&str>) -> Option<Response> {
    if !fault.alters_response() {
        return None;
    }
    if fault.malformed {
        let status = fault
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK);
        return Some(raw_json(
            status,
            "{\"token_type\":\"Bearer\",\"access_tok".to_string(),
            request_id,
        ));
    }
    let status = fault
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_REQUEST);
    let transient = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
    let error = fault.error.clone().unwrap_or_else(|| {
        if transient {
            "temporarily_unavailable".to_string()
        } else {
            "invalid_request".to_string()
        }
    });
    let aadsts = fault.aadsts.unwrap_or(match error.as_str() {
        "authorization_pending" => 70016,
        "expired_token" => 70020,
        "invalid_grant" => 70000,
        "interaction_required" => 50076,
        _ if transient => 90033,
        _ => 50000,
    });
    let mut e = OAuthError::new(
        &error,
        aadsts,
        format!("Injected by the sandbox fault '{error}'."),
    )
    .status(status);
    e.extra.suberror = fault.suberror.clone();
    e.extra.claims = fault.claims.clone();
    e.extra.retry_after = fault.retry_after;
    Some(e.into_response_for(request_id))
}
