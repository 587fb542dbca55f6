//! Managed identities behind the two endpoint shapes Azure gives a machine:
//! - IMDS: `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=R
//!   [&client_id=C|&msi_res_id=ID|&object_id=O]` with `Metadata: true` (clients point
//!   `AZURE_POD_IDENTITY_AUTHORITY_HOST` at the sandbox's base URL);
//! - App Service: `GET /msi/token?api-version=2019-08-01&resource=R[&client_id=C|&mi_res_id=ID]`
//!   with `X-IDENTITY-HEADER` (clients set `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`).
//!
//! The "machine" has a system-assigned identity and one user-assigned identity, each a service
//! principal with an object id. Their tokens are v1 app tokens like Entra's for managed
//! identities: `oid` = `sub` = the object id, `appid` = the client id, no `upn` and no `scp`, so
//! the API stand-in names them by object id as AKS does. Answers use IMDS's shape (numbers as
//! strings) and its error bodies (`{"error","error_description"}`); faults queued for `imds`
//! apply to both shapes.

use super::directory::resource_app_id;
use super::inject;
use super::issue::opaque;
use crate::faults::FaultEndpoint;
use crate::state::{IdpState, Shared};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
pub const APP_SERVICE_PATH: &str = "/msi/token";
/// Managed identity tokens live a day (Entra caches them for 24 h).
const LIFETIME_SECS: i64 = 86_399;
const BACKDATE_SECS: i64 = 300;

/// A managed identity of the sandbox machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ManagedIdentity {
    pub client_id: String,
    pub object_id: String,
    /// ARM resource id (user-assigned only; the system-assigned one is the VM's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub system_assigned: bool,
}

pub const SYSTEM: &str = "system";
pub const USER_ASSIGNED: &str = "sandbox-uami";

fn id(kind: u32, n: u32) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// The machine's identities by name: `system` and `sandbox-uami`. Stable ids.
pub fn identities() -> BTreeMap<String, ManagedIdentity> {
    let mut out = BTreeMap::new();
    out.insert(
        SYSTEM.to_string(),
        ManagedIdentity {
            client_id: id(0x3333_1000, 1),
            object_id: id(0x3333_0000, 1),
            resource_id: None,
            system_assigned: true,
        },
    );
    out.insert(
        USER_ASSIGNED.to_string(),
        ManagedIdentity {
            client_id: id(0x3333_1000, 2),
            object_id: id(0x3333_0000, 2),
            resource_id: Some(format!(
                "/subscriptions/{}/resourceGroups/sandbox-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{USER_ASSIGNED}",
                id(0x5ab5_0000, 1)
            )),
            system_assigned: false,
        },
    );
    out
}

/// The `IDENTITY_HEADER` value: derived from the signing key, so it is stable for a state dir
/// and unknown to anyone who cannot read it.
pub fn identity_header(state: &IdpState) -> String {
    let digest = Sha256::digest(format!("identity-header|{}", state.keys.kid()).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

pub(super) fn error(status: StatusCode, error: &str, description: impl Into<String>) -> Response {
    super::response::json(
        status,
        &serde_json::json!({"error": error, "error_description": description.into()}),
        None,
    )
}

/// IMDS: `Metadata: true` is required (it keeps browsers' cross-site requests out).
pub async fn imds_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    state.stats.incr("imds", "imds");
    if let Some(r) = inject::apply(&state, FaultEndpoint::Imds, None).await {
        return r;
    }
    let metadata = headers
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !metadata {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    answer(&state, &query, "2018-02-01", "msi_res_id")
}

/// App Service: the header must carry the `IDENTITY_HEADER` secret.
pub async fn app_service_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    state.stats.incr("imds", "app_service");
    if let Some(r) = inject::apply(&state, FaultEndpoint::Imds, None).await {
        return r;
    }
    let given = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let digest = |s: &str| -> [u8; 32] { Sha256::digest(s.as_bytes()).into() };
    if digest(given) != digest(&identity_header(&state)) {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "The X-IDENTITY-HEADER header is missing or wrong.",
        );
    }
    answer(&state, &query, "2019-08-01", "mi_res_id")
}

pub(super) fn answer(
    state: &IdpState,
    query: &HashMap<String, String>,
    api_version: &str,
    resource_id_key: &str,
) -> Response {
    let q = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if q("api-version") != Some(api_version) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            format!("Invalid or missing api-version; this endpoint takes {api_version}."),
        );
    }
    let Some(resource) = q("resource") else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    let resource = resource.trim_end_matches('/');
    let app_id = match resource_app_id(resource, &state.tenant) {
        Ok(a) => a,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_resource",
                format!("AADSTS{}: {}", e.aadsts, e.message),
            );
        }
    };
    let all = identities();
    let found = if let Some(c) = q("client_id") {
        all.values().find(|m| m.client_id.eq_ignore_ascii_case(c))
    } else if let Some(r) = q(resource_id_key) {
        all.values().find(|m| {
            m.resource_id
                .as_deref()
                .is_some_and(|id| id.eq_ignore_ascii_case(r))
        })
    } else if let Some(o) = q("object_id").or(q("principal_id")) {
        all.values().find(|m| m.object_id.eq_ignore_ascii_case(o))
    } else {
        all.values().find(|m| m.system_assigned)
    };
    let Some(identity) = found else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Identity not found",
        );
    };
    match issue(state, identity, app_id, resource) {
        Ok(body) => super::response::json(StatusCode::OK, &body, None),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            format!("cannot sign: {e:#}"),
        ),
    }
}

/// The claims of a managed identity's v1 access token.
pub fn claims(
    state: &IdpState,
    identity: &ManagedIdentity,
    app_id: &str,
    now: i64,
    expires_in: i64,
) -> serde_json::Value {
    let mut c = serde_json::json!({
        "aud": app_id,
        "iss": state.v1_issuer(),
        "iat": now - BACKDATE_SECS,
        "nbf": now - BACKDATE_SECS,
        "exp": now + expires_in,
        "aio": opaque(48),
        "appid": identity.client_id,
        "appidacr": "2",
        "idp": state.v1_issuer(),
        "oid": identity.object_id,
        "rh": opaque(32),
        "sub": identity.object_id,
        "tid": state.tenant.id,
        "uti": opaque(16),
        "ver": "1.0",
    });
    if let Some(rid) = &identity.resource_id {
        c["xms_mirid"] = serde_json::json!(rid);
    }
    c
}

fn issue(
    state: &IdpState,
    identity: &ManagedIdentity,
    app_id: &str,
    resource: &str,
) -> anyhow::Result<serde_json::Value> {
    let now = jiff::Timestamp::now().as_second();
    let expires_in = match state.config.token_lifetime {
        Some(d) => i64::try_from(d.as_secs()).unwrap_or(LIFETIME_SECS).max(1),
        None => LIFETIME_SECS,
    };
    let token = state
        .keys
        .sign(&claims(state, identity, app_id, now, expires_in), true)?;
    Ok(serde_json::json!({
        "access_token": token,
        "client_id": identity.client_id,
        "expires_in": expires_in.to_string(),
        "expires_on": (now + expires_in).to_string(),
        "ext_expires_in": expires_in.to_string(),
        "not_before": (now - BACKDATE_SECS).to_string(),
        "resource": resource,
        "token_type": "Bearer",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_distinct_and_one_is_system_assigned() {
        let all = identities();
        assert_eq!(all.values().filter(|m| m.system_assigned).count(), 1);
        let mut ids: Vec<&str> = all
            .values()
            .flat_map(|m| [m.client_id.as_str(), m.object_id.as_str()])
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 2 * all.len());
        assert!(all[USER_ASSIGNED].resource_id.is_some());
    }
}
