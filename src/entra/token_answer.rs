//! Checking a token answer before it is cached: a broken answer cached once breaks every
//! kubectl call until it expires (an empty token was once cached for an hour).

use super::claims;
use super::wire::TokenResponse;

/// The longest lifetime we believe. Entra's configurable token lifetime tops out at one day
/// (defaults are 60-90 minutes); a little more absorbs clock skew. Anything longer is an answer
/// we would rather ask again about than trust for years.
pub const MAX_LIFETIME_SECONDS: i64 = 24 * 3600 + 10 * 60;

/// The expiry (unix seconds) to cache and to give kubectl: the earliest of `expires_in`,
/// `expires_on` and the JWT's `exp`, at most [`MAX_LIFETIME_SECONDS`] from `now`. An answer with
/// an empty token, a non-JWT token where one is required, no expiry, or an expiry not in the
/// future is an error.
pub fn checked_expiry(
    response: &TokenResponse,
    now: i64,
    expects_jwt: bool,
) -> anyhow::Result<i64> {
    let token = response.access_token.trim();
    if token.is_empty() {
        anyhow::bail!(
            "the authority answered without an access token; nothing was cached, try again (if it persists, check --authority-host)"
        );
    }
    let jwt_exp = if expects_jwt {
        if token.split('.').count() != 3 || claims::payload(token).is_none() {
            anyhow::bail!(
                "the authority's access token is not a JWT (three base64url parts with a JSON payload), which the cluster needs; nothing was cached, check --server-id and --authority-host"
            );
        }
        claims::expiry(token)
    } else {
        claims::expiry(token)
    };
    let expires_on = [
        response.expires_in.map(|secs| now.saturating_add(secs)),
        response.expires_on,
        jwt_exp,
    ]
    .into_iter()
    .flatten()
    .min()
    .ok_or_else(|| {
        anyhow::anyhow!("the authority's token answer has no expiry (expires_in); cannot cache it")
    })?;
    if expires_on <= now {
        anyhow::bail!(
            "the authority's token is already expired (by {} s) when it arrives; check this machine's clock, then try again",
            now - expires_on
        );
    }
    Ok(expires_on.min(now.saturating_add(MAX_LIFETIME_SECONDS)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine as _;

    pub(crate) fn jwt(payload: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            enc.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
            enc.encode(payload)
        )
    }

    fn answer(token: &str, expires_in: Option<i64>, expires_on: Option<i64>) -> TokenResponse {
        TokenResponse {
            access_token: token.into(),
            token_type: Some("Bearer".into()),
            expires_in,
            expires_on,
            refresh_token: None,
            id_token: None,
        }
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn the_earliest_expiry_wins() {
        let t = jwt(&format!(r#"{{"exp":{}}}"#, NOW + 3600));
        // A 10-year expires_in against a 1-hour JWT: the JWT wins.
        assert_eq!(
            checked_expiry(&answer(&t, Some(10 * 365 * 86400), None), NOW, true).unwrap(),
            NOW + 3600
        );
        assert_eq!(
            checked_expiry(&answer(&t, Some(600), Some(NOW + 900)), NOW, true).unwrap(),
            NOW + 600
        );
        assert_eq!(
            checked_expiry(&answer(&t, None, Some(NOW + 900)), NOW, true).unwrap(),
            NOW + 900
        );
    }

    #[test]
    fn lifetimes_are_clamped_and_never_year_9999() {
        let t = jwt(r#"{"exp":253402300799}"#);
        let e = checked_expiry(&answer(&t, Some(i64::MAX), None), NOW, true).unwrap();
        assert_eq!(e, NOW + MAX_LIFETIME_SECONDS);
        let opaque = answer("opaque-graph-token", Some(i64::MAX), None);
        assert_eq!(
            checked_expiry(&opaque, NOW, false).unwrap(),
            NOW + MAX_LIFETIME_SECONDS
        );
    }

    #[test]
    fn broken_answers_are_refused() {
        let err = |r: TokenResponse, jwt_needed: bool| {
            checked_expiry(&r, NOW, jwt_needed).unwrap_err().to_string()
        };
        assert!(err(answer("", Some(3600), None), true).contains("without an access token"));
        assert!(err(answer("  ", Some(3600), None), false).contains("without an access token"));
        assert!(err(answer("opaque", Some(3600), None), true).contains("not a JWT"));
        assert!(err(answer("a.b", Some(3600), None), true).contains("not a JWT"));
        assert!(
            err(answer(&format!("{}.x", jwt("{}")), Some(3600), None), true).contains("not a JWT")
        );
        assert!(err(answer(&jwt("[1]"), Some(3600), None), true).contains("not a JWT"));
        let fine = jwt("{}");
        assert!(err(answer(&fine, None, None), true).contains("no expiry"));
        assert!(err(answer(&fine, Some(0), None), true).contains("already expired"));
        assert!(err(answer(&fine, Some(-5), None), true).contains("already expired"));
        let old = jwt(&format!(r#"{{"exp":{}}}"#, NOW - 1));
        assert!(err(answer(&old, Some(3600), None), true).contains("already expired"));
        assert!(checked_expiry(&answer("opaque", Some(3600), None), NOW, false).is_ok());
    }
}
