//! Bearer token verification for the Graph subset: RS256 against the emulator's JWKS, the
//! emulator's issuer, and a Graph audience.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

const GRAPH_AUDIENCES: [&str; 2] = [
    "00000003-0000-0000-c000-000000000000",
    "https://graph.microsoft.com",
];

/// The claims the handlers use.
#[derive(Debug, Clone, Deserialize)]
pub struct Caller {
    #[serde(default)]
    pub oid: Option<String>,
    #[serde(default)]
    pub upn: Option<String>,
}

/// Verifies `Authorization: Bearer ...`; the Err is Graph's 401 message.
pub fn verify(
    authorization: Option<&str>,
    jwks: &serde_json::Value,
    issuer: &str,
) -> Result<Caller, &'static str> {
    let token = authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or("Access token is empty.")?;
    let header = decode_header(token).map_err(|_| "Invalid JWT token. The token is malformed.")?;
    let set: JwkSet =
        serde_json::from_value(jwks.clone()).map_err(|_| "Access token validation failure.")?;
    let jwk = match &header.kid {
        Some(kid) => set.find(kid),
        None => set.keys.first(),
    }
    .ok_or("Access token validation failure. Invalid signing key.")?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| "Access token validation failure.")?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&GRAPH_AUDIENCES);
    validation.leeway = 0;
    decode::<Caller>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                "Access token validation failure. Invalid audience."
            }
            jsonwebtoken::errors::ErrorKind::ExpiredSignature
            | jsonwebtoken::errors::ErrorKind::ImmatureSignature => {
                "Access token has expired or is not yet valid."
            }
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => {
                "Access token validation failure. Invalid issuer."
            }
            _ => "Access token validation failure.",
        })
}
