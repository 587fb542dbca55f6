//! An Azure DevOps job's OIDC token endpoint, as Azure Pipelines offers it to a step through
//! `SYSTEM_OIDCREQUESTURI`: `POST {uri}?api-version=7.1&serviceConnectionId=ID` with
//! `Authorization: Bearer $(System.AccessToken)`, answered `{"oidcToken": "<jwt>"}`.
//!
//! The token is what Azure DevOps issues for a service connection with workload identity
//! federation: issuer `https://vstoken.dev.azure.com/<organization id>`, subject
//! `sc://<organization>/<project>/<service connection name>`, audience
//! `api://AzureADTokenExchange`, signed with the sandbox key. The sandbox tenant's
//! `ado-pipeline` application trusts exactly that issuer and subject
//! ([`crate::apps`]). Refusals as Azure DevOps gives them: 401 with no body for a wrong job
//! token (the client sends `X-TFS-FedAuthRedirect: Suppress`), and a JSON `message` for a
//! service connection that is not there.

use crate::state::{IdpState, Shared};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub const ORGANIZATION: &str = "sandbox-org";
pub const ORGANIZATION_ID: &str = "0a000000-0000-4000-8000-00000000000a";
pub const PROJECT: &str = "sandbox-project";
pub const PROJECT_ID: &str = "0b000000-0000-4000-8000-00000000000b";
pub const SERVICE_CONNECTION_NAME: &str = "sandbox-aks-connection";
pub const SERVICE_CONNECTION_ID: &str = "5c000000-0000-4000-8000-000000000001";
/// The job's OIDC endpoint, shaped like Azure DevOps' (one plan, one job).
pub const OIDC_PATH: &str = "/sandbox-org/0b000000-0000-4000-8000-00000000000b/_apis/distributedtask/hubs/build/plans/0c000000-0000-4000-8000-00000000000c/jobs/0d000000-0000-4000-8000-00000000000d/oidctoken";
/// Azure DevOps' OIDC tokens are short-lived.
const LIFETIME_SECS: i64 = 600;

pub fn issuer() -> String {
    format!("https://vstoken.dev.azure.com/{ORGANIZATION_ID}")
}

pub fn subject() -> String {
    format!("sc://{ORGANIZATION}/{PROJECT}/{SERVICE_CONNECTION_NAME}")
}

/// The job's `System.AccessToken`: derived from the signing key, so it is stable for a state
/// dir and unknown to anyone who cannot read it.
pub fn access_token(state: &IdpState) -> String {
    let digest = Sha256::digest(format!("system-access-token|{}", state.keys.kid()).as_bytes());
    digest.iter().take(24).map(|b| format!("{b:02x}")).collect()
}

/// What the port file says about the pipeline (the variables a job step would have).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelinesInfo {
    /// `SYSTEM_OIDCREQUESTURI`.
    pub oidc_request_uri: String,
    /// `SYSTEM_ACCESSTOKEN` (sandbox only: printed so the walkthrough can be followed).
    pub access_token: String,
    /// `AZURESUBSCRIPTION_SERVICE_CONNECTION_ID`.
    pub service_connection_id: String,
    pub service_connection_name: String,
    /// `AZURESUBSCRIPTION_CLIENT_ID`: the application the service connection signs in as.
    pub client_id: String,
    pub object_id: String,
    pub issuer: String,
    pub subject: String,
}

pub fn info(state: &IdpState, base: &str) -> PipelinesInfo {
    PipelinesInfo {
        oidc_request_uri: format!("{base}{OIDC_PATH}"),
        access_token: access_token(state),
        service_connection_id: SERVICE_CONNECTION_ID.into(),
        service_connection_name: SERVICE_CONNECTION_NAME.into(),
        client_id: crate::apps::PIPELINES_APP_ID.into(),
        object_id: crate::apps::PIPELINES_OBJECT_ID.into(),
        issuer: issuer(),
        subject: subject(),
    }
}

/// Azure DevOps' error shape (the fields a client reads).
fn devops_error(status: StatusCode, type_key: &str, message: String) -> Response {
    super::response::json(
        status,
        &serde_json::json!({
            "$id": "1",
            "innerException": null,
            "message": message,
            "typeName": format!("Microsoft.TeamFoundation.DistributedTask.WebApi.{type_key}, Microsoft.TeamFoundation.DistributedTask.WebApi"),
            "typeKey": type_key,
            "errorCode": 0,
            "eventId": 3000,
        }),
        None,
    )
}

pub async fn oidc_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    state.stats.incr("azure_devops", "oidctoken");
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let digest = |s: &str| -> [u8; 32] { Sha256::digest(s.as_bytes()).into() };
    if digest(given) != digest(&access_token(&state)) {
        state.stats.incr("azure_devops", "unauthorized");
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let q = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if q("api-version") != Some("7.1") {
        return devops_error(
            StatusCode::BAD_REQUEST,
            "VssVersionNotSpecifiedException",
            "The requested REST API version is not supported; use api-version=7.1.".into(),
        );
    }
    let Some(connection) = q("serviceConnectionId") else {
        return devops_error(
            StatusCode::BAD_REQUEST,
            "ArgumentNullException",
            "Value cannot be null. Parameter name: serviceConnectionId".into(),
        );
    };
    if !connection.eq_ignore_ascii_case(SERVICE_CONNECTION_ID) {
        state.stats.incr("azure_devops", "not_found");
        return devops_error(
            StatusCode::NOT_FOUND,
            "ServiceEndpointNotFoundException",
            format!(
                "Service connection {connection} was not found, or this pipeline is not authorized to use it."
            ),
        );
    }
    match token(&state) {
        Ok(t) => super::response::json(StatusCode::OK, &serde_json::json!({"oidcToken": t}), None),
        Err(e) => devops_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerErrorException",
            format!("cannot sign: {e:#}"),
        ),
    }
}

fn token(state: &IdpState) -> anyhow::Result<String> {
    let now = jiff::Timestamp::now().as_second();
    let claims = serde_json::json!({
        "aud": crate::apps::TOKEN_EXCHANGE_AUDIENCE,
        "iss": issuer(),
        "sub": subject(),
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME_SECS,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    state.keys.sign(&claims, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_and_subject_are_azure_devops_shaped() {
        assert!(issuer().starts_with("https://vstoken.dev.azure.com/"));
        assert_eq!(
            subject(),
            "sc://sandbox-org/sandbox-project/sandbox-aks-connection"
        );
        assert!(OIDC_PATH.ends_with("/oidctoken") && OIDC_PATH.contains(PROJECT_ID));
    }
}
