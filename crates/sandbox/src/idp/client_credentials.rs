//! `grant_type=client_credentials` at the token endpoint: a service principal proves itself with
//! its client secret, with an assertion signed by a registered certificate (found by `x5t`), or
//! with a federated token (a service-account token whose issuer, subject and audience match a
//! federated identity credential). The answer is an app-only v1 token: `oid` = `sub` = the
//! service principal's object id, `appid`, `idtyp: app`, no `upn`, no refresh or id token.
//!
//! Error codes as Entra documents them (AADSTS7000215 wrong secret, 7000218 no credential,
//! 700016 unknown app, 700027 signature/key, 700024 time range, 70021/700211-700213 no
//! matching federated credential, 1002012 a scope without `/.default`). Which code Entra gives
//! an assertion with a wrong `aud` is unverified; the sandbox answers 700027.

use super::directory::{check_tenant, resource_app_id};
use super::issue::opaque;
use super::response::OAuthError;
use crate::apps::{
    AppCertificate, ServicePrincipal, TOKEN_EXCHANGE_AUDIENCE, service_account_issuer,
};
use crate::state::IdpState;
use axum::http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// `iat`/`nbf` are back-dated like Entra's.
const BACKDATE_SECS: i64 = 300;
/// Clock skew allowed on assertions' `nbf`/`exp`.
const SKEW_SECS: i64 = 60;

/// How the client proved itself (`appidacr`: 1 secret, 2 certificate or federated token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    Secret,
    Assertion,
}

pub fn redeem(
    state: &IdpState,
    tenant: &str,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, OAuthError> {
    check_tenant(&state.tenant, tenant)?;
    let client_id = form
        .get("client_id")
        .ok_or_else(|| OAuthError::missing("client_id"))?;
    let sp = state.tenant.service_principal(client_id).ok_or_else(|| {
        OAuthError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                state.tenant.domain
            ),
        )
    })?;
    let proof = match (form.get("client_secret"), form.get("client_assertion")) {
        (Some(secret), None) => {
            check_secret(sp, secret)?;
            Proof::Secret
        }
        (None, Some(assertion)) => {
            if form.get("client_assertion_type").map(String::as_str) != Some(ASSERTION_TYPE) {
                return Err(OAuthError::new(
                    "invalid_request",
                    50027,
                    format!("The client_assertion_type must be '{ASSERTION_TYPE}'."),
                ));
            }
            check_assertion(state, tenant, sp, assertion)?;
            Proof::Assertion
        }
        (Some(_), Some(_)) => {
            return Err(OAuthError::new(
                "invalid_request",
                90015,
                "Only one client credential may be presented: 'client_secret' or 'client_assertion'.",
            ));
        }
        (None, None) => {
            return Err(OAuthError::new(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
            .status(StatusCode::UNAUTHORIZED));
        }
    };
    let scope = form
        .get("scope")
        .ok_or_else(|| OAuthError::missing("scope"))?;
    let resource = default_scope_resource(scope)?;
    let app_id = resource_app_id(resource, &state.tenant)?;
    app_token(state, sp, app_id, proof).map_err(|e| {
        OAuthError::new(
            "server_error",
            50000,
            format!("There was an error issuing a token: {e}"),
        )
        .status(StatusCode::INTERNAL_SERVER_ERROR)
    })
}

/// Compared through digests so the time taken does not depend on where they differ.
fn check_secret(sp: &ServicePrincipal, presented: &str) -> Result<(), OAuthError> {
    let digest = |s: &str| Sha256::digest(s.as_bytes());
    match &sp.secret {
        Some(secret) if digest(secret) == digest(presented) => Ok(()),
        _ => Err(OAuthError::new(
            "invalid_client",
            7000215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                sp.app_id
            ),
        )
        .status(StatusCode::UNAUTHORIZED)),
    }
}

/// The resource of a client-credentials scope: exactly one `<resource>/.default`.
fn default_scope_resource(scope: &str) -> Result<&str, OAuthError> {
    let mut scopes = scope.split_whitespace();
    match (scopes.next(), scopes.next()) {
        (Some(only), None) if only.len() > "/.default".len() && only.ends_with("/.default") => {
            Ok(&only[..only.len() - "/.default".len()])
        }
        _ => Err(OAuthError::new(
            "invalid_scope",
            1002012,
            format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        )),
    }
}

fn invalid_client(code: u32, message: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_client", code, message).status(StatusCode::UNAUTHORIZED)
}

/// A certificate assertion (`iss` = the client) or a federated token (any other issuer).
fn check_assertion(
    state: &IdpState,
    tenant: &str,
    sp: &ServicePrincipal,
    assertion: &str,
) -> Result<(), OAuthError> {
    let malformed = || {
        OAuthError::new(
            "invalid_request",
            50027,
            "JWT token is invalid or malformed.",
        )
    };
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| malformed())?;
    let claims = unverified_claims(assertion).ok_or_else(malformed)?;
    let iss = claims.get("iss").and_then(|v| v.as_str()).unwrap_or("");
    if iss.eq_ignore_ascii_case(&sp.app_id) {
        let x5t = header.x5t.clone().unwrap_or_default();
        let cert = sp.certificates.iter().find(|c| c.x5t == x5t).ok_or_else(|| {
            invalid_client(
                700027,
                format!(
                    "Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '{x5t}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{}'.]",
                    sp.app_id
                ),
            )
        })?;
        let claims = verify(assertion, &cert_key(cert)?)?;
        let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or("");
        if !sub.eq_ignore_ascii_case(&sp.app_id) {
            return Err(invalid_client(
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.",
            ));
        }
        let aud = claims.get("aud").and_then(|v| v.as_str()).unwrap_or("");
        let expected = format!("{}/{tenant}/oauth2/v2.0/token", state.config.base_url);
        let expected_by_id = format!(
            "{}/{}/oauth2/v2.0/token",
            state.config.base_url, state.tenant.id
        );
        if aud != expected && aud != expected_by_id {
            return Err(invalid_client(
                700027,
                format!(
                    "Client assertion failed validation. [Reason - The audience '{aud}' is not the token endpoint '{expected}'.]"
                ),
            ));
        }
        check_time(&claims)?;
        return Ok(());
    }
    // A federated token: its issuer must be one of the application's federated credentials.
    let matching: Vec<_> = sp.federated.iter().filter(|f| f.issuer == iss).collect();
    if matching.is_empty() {
        return Err(OAuthError::new(
            "invalid_request",
            700211,
            format!(
                "No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    }
    // The sandbox's service-account issuer and its Azure DevOps sign with the sandbox key.
    if iss != service_account_issuer(&state.tenant.id) && iss != super::pipelines::issuer() {
        return Err(invalid_client(
            700027,
            "Client assertion failed signature validation. [Reason - The key used to sign the assertion was not found at the issuer.]",
        ));
    }
    let claims = verify(assertion, &sandbox_key(state, header.kid.as_deref())?)?;
    check_time(&claims)?;
    let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or("");
    let auds: Vec<&str> = match claims.get("aud") {
        Some(serde_json::Value::String(a)) => vec![a.as_str()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    };
    let Some(credential) = matching.iter().find(|f| f.subject == sub) else {
        return Err(OAuthError::new(
            "invalid_request",
            700213,
            format!(
                "No matching federated identity record found for presented assertion subject '{sub}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
            ),
        ));
    };
    if !auds
        .iter()
        .any(|a| credential.audiences.iter().any(|c| c == a))
    {
        return Err(OAuthError::new(
            "invalid_request",
            700212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'. The audience must be '{TOKEN_EXCHANGE_AUDIENCE}'.",
                auds.join(" ")
            ),
        ));
    }
    Ok(())
}

/// The claims of a JWT, before its signature is checked (to decide how to check it).
pub fn unverified_claims(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn cert_key(cert: &AppCertificate) -> Result<DecodingKey, OAuthError> {
    DecodingKey::from_rsa_components(&cert.n, &cert.e)
        .map_err(|_| invalid_client(700027, "The registered certificate has no usable key."))
}

fn sandbox_key(state: &IdpState, kid: Option<&str>) -> Result<DecodingKey, OAuthError> {
    let jwks = state.keys.jwks();
    let key = jwks["keys"]
        .as_array()
        .and_then(|keys| {
            keys.iter()
                .find(|k| kid.is_none() || k["kid"].as_str() == kid)
        })
        .and_then(|k| Some((k["n"].as_str()?, k["e"].as_str()?)))
        .and_then(|(n, e)| DecodingKey::from_rsa_components(n, e).ok());
    key.ok_or_else(|| {
        invalid_client(
            700027,
            "Client assertion failed signature validation. [Reason - The key was not found.]",
        )
    })
}

/// RS256 signature only: time and audience are checked by hand, with Entra's wording.
fn verify(
    jwt: &str,
    key: &DecodingKey,
) -> Result<serde_json::Map<String, serde_json::Value>, OAuthError> {
    let mut v = Validation::new(Algorithm::RS256);
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(jwt, key, &v)
        .map(|d| d.claims)
        .map_err(|_| {
            invalid_client(
                700027,
                "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
            )
        })
}

fn check_time(claims: &serde_json::Map<String, serde_json::Value>) -> Result<(), OAuthError> {
    let now = jiff::Timestamp::now().as_second();
    let get = |k: &str| claims.get(k).and_then(serde_json::Value::as_i64);
    let Some(exp) = get("exp") else {
        return Err(invalid_client(
            700024,
            "Client assertion contains no expiry time (exp).",
        ));
    };
    let nbf = get("nbf").unwrap_or(i64::MIN);
    if exp + SKEW_SECS <= now || nbf - SKEW_SECS > now {
        return Err(invalid_client(
            700024,
            format!(
                "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}."
            ),
        ));
    }
    Ok(())
}

/// The app-only v1 access token claims (ENTRA-PROTOCOL.md §3.2 without the user's claims).
pub fn app_token_claims(
    state: &IdpState,
    sp: &ServicePrincipal,
    app_id: &str,
    appidacr: &str,
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
        "appid": sp.app_id,
        "appidacr": appidacr,
        "idp": state.v1_issuer(),
        "idtyp": "app",
        "oid": sp.object_id,
        "rh": opaque(32),
        "sub": sp.object_id,
        "tid": state.tenant.id,
        "uti": opaque(16),
        "ver": "1.0",
    });
    let groups: Vec<&str> = state
        .tenant
        .groups_of(&sp.object_id)
        .iter()
        .map(|g| g.object_id.as_str())
        .collect();
    if !groups.is_empty() {
        c["groups"] = serde_json::json!(groups);
    }
    c
}

fn app_token(
    state: &IdpState,
    sp: &ServicePrincipal,
    app_id: &str,
    proof: Proof,
) -> anyhow::Result<serde_json::Value> {
    let now = jiff::Timestamp::now().as_second();
    let expires_in = match state.config.token_lifetime {
        Some(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4).max(1),
        None => 3599,
    };
    let appidacr = match proof {
        Proof::Secret => "1",
        Proof::Assertion => "2",
    };
    let access = state.keys.sign(
        &app_token_claims(state, sp, app_id, appidacr, now, expires_in),
        true,
    )?;
    Ok(serde_json::json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access,
    }))
}

#[cfg(test)]
#[path = "client_credentials_tests.rs"]
mod tests;
