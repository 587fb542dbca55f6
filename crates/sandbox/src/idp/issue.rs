//! Minting a token response: a v1 access token shaped like Entra's AKS tokens, a v2 id token,
//! `client_info`, and a new refresh token recorded in the grants.

use super::directory::{Client, GRAPH_APP_ID};
use crate::state::{IdpState, OidcScopes, RefreshGrant};
use crate::tenant::{GROUPS_CLAIM_LIMIT, User, UserType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// Home tenant of guests (the guest account is a personal Microsoft account).
pub const MSA_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";
/// `iat`/`nbf` are back-dated like Entra's.
const BACKDATE_SECS: i64 = 300;

/// What the caller asked for.
pub struct IssueRequest<'a> {
    pub user: &'a User,
    pub client: &'a Client,
    /// As the client wrote it, for the `scope` echo.
    pub resource: &'a str,
    /// The `aud` of the access token.
    pub app_id: &'a str,
    pub oidc: OidcScopes,
    pub client_info: bool,
    /// A refresh grant always returns a new refresh token.
    pub force_refresh_token: bool,
}

/// Random opaque value, base64url.
pub fn opaque(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// `partner_fabrikam.com#EXT#@contoso.com` -> `partner@fabrikam.com`.
pub fn guest_email(upn: &str) -> String {
    let local = upn.split("#EXT#").next().unwrap_or(upn);
    match local.rsplit_once('_') {
        Some((name, domain)) => format!("{name}@{domain}"),
        None => local.to_string(),
    }
}

fn home_tenant<'a>(user: &User, tid: &'a str) -> &'a str {
    match user.user_type {
        UserType::Member => tid,
        UserType::Guest => MSA_TENANT_ID,
    }
}

/// Pairwise `sub`: stable per user and application, different across applications.
fn pairwise_sub(oid: &str, app: &str) -> String {
    let digest = Sha256::digest(format!("{oid}|{app}").as_bytes());
    URL_SAFE_NO_PAD.encode(digest)
}

/// The v1 access token claims (§3.1/3.2 of ENTRA-PROTOCOL.md).
pub fn access_token_claims(
    state: &IdpState,
    req: &IssueRequest<'_>,
    now: i64,
    expires_in: i64,
) -> serde_json::Value {
    let tid = &state.tenant.id;
    let user = req.user;
    let mut c = serde_json::json!({
        "aud": req.app_id,
        "iss": state.v1_issuer(),
        "iat": now - BACKDATE_SECS,
        "nbf": now - BACKDATE_SECS,
        "exp": now + expires_in,
        "acr": "1",
        "aio": opaque(48),
        "amr": ["pwd"],
        "appid": req.client.id,
        "appidacr": "0",
        "family_name": user.family_name,
        "given_name": user.given_name,
        "ipaddr": "127.0.0.1",
        "name": user.display_name,
        "oid": user.object_id,
        "rh": opaque(32),
        "scp": if req.app_id == GRAPH_APP_ID { "openid profile User.Read email" } else { "user.read" },
        "sub": pairwise_sub(&user.object_id, req.app_id),
        "tid": tid,
        "uti": opaque(16),
        "ver": "1.0",
    });
    match user.user_type {
        UserType::Member => {
            c["upn"] = serde_json::json!(user.upn);
            c["unique_name"] = serde_json::json!(user.upn);
        }
        UserType::Guest => {
            c["unique_name"] = serde_json::json!(format!("live.com#{}", guest_email(&user.upn)));
            c["idp"] = serde_json::json!("live.com");
            c["acct"] = serde_json::json!(1);
            c["email"] = serde_json::json!(guest_email(&user.upn));
        }
    }
    let groups: Vec<&str> = state
        .tenant
        .groups_of(&user.object_id)
        .iter()
        .map(|g| g.object_id.as_str())
        .collect();
    if groups.len() > GROUPS_CLAIM_LIMIT {
        c["_claim_names"] = serde_json::json!({"groups": "src1"});
        c["_claim_sources"] = serde_json::json!({"src1": {"endpoint": format!(
            "https://graph.windows.net/{tid}/users/{}/getMemberObjects",
            user.object_id
        )}});
    } else if !groups.is_empty() {
        c["groups"] = serde_json::json!(groups);
    }
    c
}

/// The v2 id token claims (audience: the client).
pub fn id_token_claims(state: &IdpState, req: &IssueRequest<'_>, now: i64) -> serde_json::Value {
    let user = req.user;
    let preferred = match user.user_type {
        UserType::Member => user.upn.clone(),
        UserType::Guest => guest_email(&user.upn),
    };
    serde_json::json!({
        "aud": req.client.id,
        "iss": state.v2_issuer(),
        "iat": now - BACKDATE_SECS,
        "nbf": now - BACKDATE_SECS,
        "exp": now + 3600,
        "aio": opaque(48),
        "name": user.display_name,
        "oid": user.object_id,
        "preferred_username": preferred,
        "rh": opaque(32),
        "sub": pairwise_sub(&user.object_id, req.client.id),
        "tid": state.tenant.id,
        "uti": opaque(16),
        "ver": "2.0",
    })
}

/// Builds the token response and records the new refresh token.
pub fn issue(state: &IdpState, req: &IssueRequest<'_>) -> anyhow::Result<serde_json::Value> {
    let now = jiff::Timestamp::now().as_second();
    let expires_in = match state.config.token_lifetime {
        Some(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4).max(1),
        None => rand::rng().random_range(3600..=5400),
    };
    let access = state
        .keys
        .sign(&access_token_claims(state, req, now, expires_in), true)?;
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "scope": format!("{0}/user.read {0}/.default", req.resource),
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access,
    });
    if req.oidc.offline_access || req.force_refresh_token {
        let rt = format!("1.{}", opaque(96));
        state.grants().refresh.insert(
            rt.clone(),
            RefreshGrant {
                client_id: req.client.id.to_string(),
                user_oid: req.user.object_id.clone(),
                resource: req.resource.to_string(),
                oidc: req.oidc,
                revoked: false,
            },
        );
        body["refresh_token"] = serde_json::json!(rt);
    }
    if req.oidc.openid {
        body["id_token"] =
            serde_json::json!(state.keys.sign(&id_token_claims(state, req, now), false)?);
    }
    if req.client_info {
        let info = serde_json::json!({
            "uid": req.user.object_id,
            "utid": home_tenant(req.user, &state.tenant.id),
        });
        body["client_info"] = serde_json::json!(URL_SAFE_NO_PAD.encode(info.to_string()));
    }
    if req.client.foci {
        body["foci"] = serde_json::json!("1");
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_email_from_ext_upn() {
        assert_eq!(
            guest_email("partner_fabrikam.com#EXT#@contoso.com"),
            "partner@fabrikam.com"
        );
    }
}
