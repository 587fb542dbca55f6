//! When a cached token is fresh enough to hand out without asking the authority.
//!
//! Refresh when less than min(5 min, a quarter of the token's lifetime) is left. A fixed five
//! minutes made every call refresh tokens that live five minutes or less (32 parallel kubectl
//! calls, 32 refreshes); a quarter keeps a 2-minute token in the cache for 90 s, and an
//! hour-long one refreshes 5 minutes before it ends, as before.

use super::claims;
use crate::cache::TokenEntry;

/// The most time left at which we refresh.
pub const REFRESH_BEFORE_SECONDS: i64 = 300;

/// Seconds before expiry at which `entry` is refreshed. The lifetime is the token's `exp - iat`
/// (both on the issuer's clock, so local clock skew does not change it); a token that does not
/// say gets the full five minutes.
pub fn refresh_window(entry: &TokenEntry) -> i64 {
    match lifetime(entry) {
        Some(lifetime) if lifetime > 0 => (lifetime / 4).min(REFRESH_BEFORE_SECONDS),
        _ => REFRESH_BEFORE_SECONDS,
    }
}

/// True when `entry` can be handed out at `now` without a refresh. Decoding the token is only
/// needed for entries near their end, so the warm path stays a file read.
pub fn is_fresh(entry: &TokenEntry, now: i64) -> bool {
    let left = entry.seconds_left(now);
    left > REFRESH_BEFORE_SECONDS || left > refresh_window(entry)
}

fn lifetime(entry: &TokenEntry) -> Option<i64> {
    let payload = claims::payload(&entry.access_token)?;
    let iat = payload.get("iat")?.as_i64()?;
    let exp = payload
        .get("exp")
        .and_then(|e| e.as_i64())
        .unwrap_or(entry.expires_on);
    Some(exp.saturating_sub(iat))
}

#[cfg(test)]
mod tests {
    use super::super::token_answer::tests::jwt;
    use super::*;
    use crate::cache::{Account, FORMAT_VERSION};

    pub(crate) fn entry(token: String, expires_on: i64) -> TokenEntry {
        TokenEntry {
            version: FORMAT_VERSION,
            access_token: token,
            expires_on,
            refresh_token: None,
            account: Account::default(),
        }
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn an_hour_long_token_refreshes_five_minutes_before_its_end() {
        let exp = NOW + 3600;
        let e = entry(jwt(&format!(r#"{{"iat":{NOW},"exp":{exp}}}"#)), exp);
        assert_eq!(refresh_window(&e), 300);
        // Exactly at the window: refresh. One second before it: fresh. One after: refresh.
        assert!(!is_fresh(&e, exp - 300));
        assert!(is_fresh(&e, exp - 301));
        assert!(!is_fresh(&e, exp - 299));
        assert!(!is_fresh(&e, exp));
        assert!(!is_fresh(&e, exp + 1));
    }

    #[test]
    fn short_tokens_are_served_for_three_quarters_of_their_life() {
        for lifetime in [120, 300] {
            let exp = NOW + lifetime;
            let e = entry(jwt(&format!(r#"{{"iat":{NOW},"exp":{exp}}}"#)), exp);
            let window = lifetime / 4;
            assert_eq!(refresh_window(&e), window);
            assert!(
                is_fresh(&e, NOW),
                "a new {lifetime} s token is served from the cache"
            );
            assert!(is_fresh(&e, exp - window - 1));
            assert!(!is_fresh(&e, exp - window));
            assert!(!is_fresh(&e, exp - window + 1));
        }
    }

    #[test]
    fn tokens_without_iat_keep_five_minutes() {
        let exp = NOW + 200;
        for token in [jwt(&format!(r#"{{"exp":{exp}}}"#)), "opaque".to_string()] {
            let e = entry(token, exp);
            assert_eq!(refresh_window(&e), 300);
            assert!(!is_fresh(&e, NOW));
        }
        // A lying iat (after exp) does not make the window negative.
        let e = entry(jwt(&format!(r#"{{"iat":{},"exp":{exp}}}"#, exp + 50)), exp);
        assert_eq!(refresh_window(&e), 300);
    }
}
