//! `POST /{tenant}/oauth2/v2.0/devicecode`: starts a device-code sign-in.

use super::directory::{check_consent, check_tenant, client, parse_scope, resource_app_id};
use super::form;
use super::inject;
use super::issue::opaque;
use super::response::{OAuthError, client_request_id, json};
use crate::faults::FaultEndpoint;
use crate::state::{DeviceGrant, DeviceStatus, Shared, normalize_user_code};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rand::Rng;
use std::time::{Duration, Instant};

pub async fn devicecode(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = client_request_id(&headers);
    state.stats.incr("devicecode", "requests");
    if let Some(r) = inject::apply(&state, FaultEndpoint::Devicecode, request_id.as_deref()).await {
        return r;
    }
    match start(&state, &tenant, &form::parse(&body), request_id.as_deref()) {
        Ok(body) => json(StatusCode::OK, &body, request_id.as_deref()),
        Err(e) => e.into_response_for(request_id.as_deref()),
    }
}

fn start(
    state: &Shared,
    tenant: &str,
    form: &std::collections::HashMap<String, String>,
    request_id: Option<&str>,
) -> Result<serde_json::Value, OAuthError> {
    check_tenant(&state.tenant, tenant)?;
    let client_id = form
        .get("client_id")
        .ok_or_else(|| OAuthError::missing("client_id"))?;
    let client = client(client_id)?;
    let scope = form
        .get("scope")
        .ok_or_else(|| OAuthError::missing("scope"))?;
    let request = parse_scope(scope)?;
    let resource = request.resource.ok_or_else(|| {
        OAuthError::new(
            "invalid_scope",
            70011,
            format!("The provided value for the input parameter 'scope' is not valid. Ask for '<resource>/.default'. Scope: '{scope}'."),
        )
    })?;
    let app_id = resource_app_id(&resource, &state.tenant)?;
    check_consent(client, app_id, None)?;

    let user_code = new_user_code();
    let device_code = format!("DAQABIQEAAAB{}", opaque(96));
    let correlation_id = request_id
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let lifetime = state.config.device_code_lifetime;
    let mut status = DeviceStatus::Pending;
    if let Some(upn) = &state.config.auto_approve
        && let Some(user) = state.tenant.user_by_upn(upn)
    {
        status = DeviceStatus::Approved {
            user_oid: user.object_id.clone(),
        };
    }
    {
        let mut grants = state.grants();
        grants
            .user_codes
            .insert(normalize_user_code(&user_code), device_code.clone());
        grants.device.insert(
            device_code.clone(),
            DeviceGrant {
                user_code: user_code.clone(),
                client_id: client.id.to_string(),
                resource,
                oidc: request.oidc,
                expires_at: Instant::now() + Duration::from_secs(lifetime),
                status,
                correlation_id,
            },
        );
    }
    let uri = state.verification_uri();
    Ok(serde_json::json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": lifetime,
        "interval": state.config.poll_interval,
        "message": format!(
            "To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."
        ),
    }))
}

/// 9 upper-case letters and digits, like Entra's (`BL6XB575V`); no 0/O/1/I to ease typing.
fn new_user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..9)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_codes_look_like_entra() {
        let c = super::new_user_code();
        assert_eq!(c.len(), 9);
        assert!(
            c.chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit())
        );
    }
}
