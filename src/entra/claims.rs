//! Claims of id and access tokens, read without verifying the signature.
//!
// Hand-written (base64 + serde) because the token came straight from the authority over TLS and
// only its payload is wanted; jsonwebtoken's insecure decode still insists on a known algorithm
// and header shape, which would turn an odd header into a failed sign-in for no security gain.

use crate::cache::Account;
use base64::Engine as _;
use serde::Deserialize;

/// The JSON payload of a JWT, or None if it is not one.
pub fn payload(jwt: &str) -> Option<serde_json::Value> {
    let middle = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.is_object().then_some(value)
}

#[derive(Deserialize, Default)]
struct AccountClaims {
    #[serde(default)]
    upn: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    unique_name: Option<String>,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    tid: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// The account named by a token (upn, else preferred_username, else unique_name).
pub fn account(jwt: &str) -> Option<Account> {
    let claims: AccountClaims = serde_json::from_value(payload(jwt)?).ok()?;
    Some(Account {
        upn: claims
            .upn
            .or(claims.preferred_username)
            .or(claims.unique_name),
        oid: claims.oid,
        tid: claims.tid,
        name: claims.name,
    })
}

/// The `exp` claim (unix seconds).
pub fn expiry(jwt: &str) -> Option<i64> {
    payload(jwt)?.get("exp")?.as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            enc.encode(r#"{"alg":"RS256"}"#),
            enc.encode(payload)
        )
    }

    #[test]
    fn reads_account_claims() {
        let t =
            jwt(r#"{"preferred_username":"a@contoso.com","oid":"o","tid":"t","name":"A","exp":5}"#);
        let a = account(&t).unwrap();
        assert_eq!(a.upn.as_deref(), Some("a@contoso.com"));
        assert_eq!((a.oid.as_deref(), a.tid.as_deref()), (Some("o"), Some("t")));
        assert_eq!(expiry(&t), Some(5));
        let t = jwt(r#"{"upn":"u@x","preferred_username":"p@x"}"#);
        assert_eq!(account(&t).unwrap().upn.as_deref(), Some("u@x"));
    }

    #[test]
    fn garbage_is_none() {
        assert!(account("not-a-jwt").is_none());
        assert!(account("a.!!!.c").is_none());
        assert!(payload(&jwt("[1]")).is_none());
        assert!(expiry(&jwt(r#"{"exp":"x"}"#)).is_none());
    }
}
