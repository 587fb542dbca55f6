//! The Azure Arc agent's identity endpoint (himds), as a client on an Arc-enabled server meets
//! it (`IDENTITY_ENDPOINT` and `IMDS_ENDPOINT` set): `GET {endpoint}?api-version=2020-06-01
//! &resource=R` with `Metadata: true` is answered `401` with `WWW-Authenticate: Basic
//! realm=<key file>`; the same request with `Authorization: Basic <the file's content>` gets
//! the machine's system-assigned identity's token (Arc has no user-assigned ones).
//!
//! The sandbox writes each challenge's key file under the state dir (0600); the real agent's
//! directory is `/var/opt/azcmagent/tokens/` (Windows: `%ProgramData%\AzureConnectedMachineAgent\
//! Tokens\`), and kubectl-entra reads keys only from there, so against the sandbox it refuses the
//! challenge: this endpoint shows that refusal and lets other clients (or `curl`) walk the
//! protocol. A key is `<file id>.<digest of the signing key id and file id>`, so it is checked
//! without remembering it; its file is removed once it is used.

use super::imds;
use crate::faults::FaultEndpoint;
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub const ARC_PATH: &str = "/arc/metadata/identity/oauth2/token";
pub const API_VERSION: &str = "2020-06-01";

fn digest(state: &crate::state::IdpState, file_id: &str) -> String {
    let d = Sha256::digest(format!("arc-key|{}|{file_id}", state.keys.kid()).as_bytes());
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The file id of a valid key.
fn check_key(state: &crate::state::IdpState, key: &str) -> Option<String> {
    let (id, given) = key.split_once('.')?;
    let ok = uuid::Uuid::parse_str(id).is_ok()
        && Sha256::digest(given.as_bytes()) == Sha256::digest(digest(state, id).as_bytes());
    ok.then(|| id.to_string())
}

pub async fn arc_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    state.stats.incr("imds", "arc");
    if let Some(r) = super::inject::apply(&state, FaultEndpoint::Imds, None).await {
        return r;
    }
    let Some(dir) = state.config.arc_key_dir.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let metadata = headers
        .get("metadata")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if !metadata {
        return imds::error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(str::trim);
    match given.and_then(|k| check_key(&state, k)) {
        Some(id) => {
            state.stats.incr("imds", "arc_token");
            let _ = std::fs::remove_file(dir.join(format!("{id}.key")));
            let mut q = query.clone();
            for user_assigned in ["client_id", "msi_res_id", "object_id"] {
                if q.remove(user_assigned).is_some() {
                    return imds::error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "Azure Arc supports only the system-assigned managed identity.",
                    );
                }
            }
            imds::answer(&state, &q, API_VERSION, "msi_res_id")
        }
        None => {
            state.stats.incr("imds", "arc_challenge");
            let id = uuid::Uuid::new_v4().to_string();
            let path = dir.join(format!("{id}.key"));
            let key = format!("{id}.{}", digest(&state, &id));
            if let Err(e) = crate::files::write_private(&path, key.as_bytes()) {
                return imds::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    format!("cannot write the key file: {e:#}"),
                );
            }
            let mut response = StatusCode::UNAUTHORIZED.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("Basic realm={}", path.display())) {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            response
        }
    }
}
