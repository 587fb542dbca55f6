//! `POST /{tenant}/oauth2/v2.0/token`: device-code polls (both `grant_type` spellings),
//! refresh-token redemption, and authorization codes (`authorize.rs`).

use super::directory::{Client, check_consent, check_tenant, client, parse_scope, resource_app_id};
use super::form;
use super::inject;
use super::issue::{IssueRequest, issue};
use super::response::{OAuthError, client_request_id, json};
use crate::faults::FaultEndpoint;
use crate::state::{DeviceStatus, IdpState, OidcScopes, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use std::time::Instant;

const DEVICE_CODE_URN: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub async fn token(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = client_request_id(&headers);
    let form = form::parse(&body);
    let grant_type = form.get("grant_type").map(String::as_str).unwrap_or("");
    let stat_key = match grant_type {
        DEVICE_CODE_URN | "device_code" => "device_code",
        "" => "missing",
        "refresh_token" => "refresh_token",
        "client_credentials" => "client_credentials",
        "authorization_code" => "authorization_code",
        _ => "other",
    };
    state.stats.incr("token", stat_key);
    // A tenant whose Conditional Access blocks device code answers the device-code poll.
    if stat_key == "device_code"
        && let Some(r) =
            inject::apply(&state, FaultEndpoint::Devicepoll, request_id.as_deref()).await
    {
        return r;
    }
    if let Some(r) = inject::apply(&state, FaultEndpoint::Token, request_id.as_deref()).await {
        return r;
    }
    match redeem(&state, &tenant, &form) {
        Ok(body) => json(StatusCode::OK, &body, request_id.as_deref()),
        Err(e) => e.into_response_for(request_id.as_deref()),
    }
}

fn redeem(
    state: &IdpState,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, OAuthError> {
    check_tenant(&state.tenant, tenant)?;
    let grant_type = form
        .get("grant_type")
        .ok_or_else(|| OAuthError::missing("grant_type"))?;
    // A confidential client (service principal, workload identity): see client_credentials.rs.
    if grant_type == "client_credentials" {
        return super::client_credentials::redeem(state, tenant, form);
    }
    if form.contains_key("client_secret") || form.contains_key("client_assertion") {
        return Err(OAuthError::new(
            "invalid_request",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        ));
    }
    let client_id = form
        .get("client_id")
        .ok_or_else(|| OAuthError::missing("client_id"))?;
    let client = client(client_id)?;
    let client_info = form.get("client_info").is_some_and(|v| v == "1");
    match grant_type.as_str() {
        DEVICE_CODE_URN | "device_code" => device_code(state, client, form, client_info),
        "refresh_token" => refresh(state, client, form, client_info),
        "authorization_code" => super::authorize::redeem(state, client, form, client_info),
        other => Err(OAuthError::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn device_code(
    state: &IdpState,
    client: &'static Client,
    form: &HashMap<String, String>,
    client_info: bool,
) -> Result<serde_json::Value, OAuthError> {
    // MSAL Python also sends the code as `code`.
    let code = form
        .get("device_code")
        .or_else(|| form.get("code"))
        .ok_or_else(|| OAuthError::missing("device_code"))?;
    let (grant, user_oid) = {
        let mut grants = state.grants();
        let Some(grant) = grants.device.get_mut(code) else {
            return Err(OAuthError::new(
                "bad_verification_code",
                70018,
                "The provided value for the input parameter 'device_code' is not valid. The device code was not recognised.",
            ));
        };
        let corr = grant.correlation_id.clone();
        if !grant.client_id.eq_ignore_ascii_case(client.id) {
            return Err(OAuthError::new(
                "invalid_grant",
                70000,
                "The provided value for the input parameter 'device_code' is not valid. It was issued to a different client.",
            )
            .correlation(&corr));
        }
        if grant.status == DeviceStatus::Redeemed {
            return Err(already_redeemed().correlation(&corr));
        }
        if Instant::now() >= grant.expires_at {
            return Err(OAuthError::new(
                "expired_token",
                70020,
                "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            )
            .correlation(&corr));
        }
        match &grant.status {
            DeviceStatus::Pending => {
                return Err(OAuthError::new(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
                .correlation(&corr));
            }
            DeviceStatus::Declined => {
                return Err(OAuthError::new(
                    "authorization_declined",
                    70000,
                    "The user declined the sign-in request.",
                )
                .correlation(&corr));
            }
            DeviceStatus::Redeemed => return Err(already_redeemed().correlation(&corr)),
            DeviceStatus::Approved { user_oid } => {
                let user_oid = user_oid.clone();
                grant.status = DeviceStatus::Redeemed;
                (grant.clone(), user_oid)
            }
        }
    };
    let user = state.user(&user_oid).ok_or_else(user_gone)?;
    let app_id = resource_app_id(&grant.resource, &state.tenant)?;
    issue(
        state,
        &IssueRequest {
            user,
            client,
            resource: &grant.resource,
            app_id,
            oidc: grant.oidc,
            client_info,
            force_refresh_token: false,
        },
    )
    .map_err(|e| server_error(&e))
}

fn already_redeemed() -> OAuthError {
    OAuthError::new(
        "invalid_grant",
        54005,
        "OAuth2 device code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    )
}

fn refresh(
    state: &IdpState,
    client: &'static Client,
    form: &HashMap<String, String>,
    client_info: bool,
) -> Result<serde_json::Value, OAuthError> {
    let rt = form
        .get("refresh_token")
        .ok_or_else(|| OAuthError::missing("refresh_token"))?;
    let grant = state.grants().refresh.get(rt).cloned().ok_or_else(|| {
        OAuthError::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid. The refresh token was not recognised.",
        )
    })?;
    if grant.revoked {
        return Err(OAuthError::new(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        ));
    }
    if !grant.client_id.eq_ignore_ascii_case(client.id) {
        return Err(OAuthError::new(
            "invalid_grant",
            70000,
            "Provided grant is invalid or malformed. The refresh token was issued to a different client.",
        ));
    }
    let user = state.user(&grant.user_oid).ok_or_else(user_gone)?;
    let (resource, oidc) = match form.get("scope").filter(|s| !s.trim().is_empty()) {
        Some(scope) => {
            let req = parse_scope(scope)?;
            (req.resource.unwrap_or(grant.resource.clone()), req.oidc)
        }
        None => (grant.resource.clone(), grant.oidc),
    };
    let app_id = resource_app_id(&resource, &state.tenant)?;
    check_consent(client, app_id, Some(&user.upn))?;
    issue(
        state,
        &IssueRequest {
            user,
            client,
            resource: &resource,
            app_id,
            oidc: OidcScopes {
                offline_access: true,
                ..oidc
            },
            client_info,
            force_refresh_token: true,
        },
    )
    .map_err(|e| server_error(&e))
}

fn user_gone() -> OAuthError {
    OAuthError::new(
        "invalid_grant",
        50057,
        "The user account is disabled or no longer exists.",
    )
}

fn server_error(e: &anyhow::Error) -> OAuthError {
    OAuthError::new(
        "server_error",
        50000,
        format!("There was an error issuing a token: {e}"),
    )
    .status(StatusCode::INTERNAL_SERVER_ERROR)
}
