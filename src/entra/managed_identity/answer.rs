//! What the identity endpoint answers: the token (numbers as strings or numbers), and its
//! refusals in one line with the fix; which statuses are retried.

use super::endpoint::Identity;
use super::{ATTEMPTS, MAX_WAIT};
use crate::entra::wire::{TokenResponse, flexible_i64};
use crate::net::{RetryPolicy, TooLong};
use crate::sink::printable;
use serde::Deserialize;

/// A token answer from IMDS or App Service: numbers as strings (IMDS) or numbers (others).
#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default, deserialize_with = "flexible_i64")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "flexible_i64")]
    expires_on: Option<i64>,
}

/// An error answer: `{"error":"invalid_request","error_description":"Identity not found"}`.
#[derive(Deserialize, Default)]
struct RawError {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

pub(super) fn parse_token(body: &[u8]) -> anyhow::Result<TokenResponse> {
    let raw: RawToken = serde_json::from_slice(body).map_err(|e| {
        anyhow::anyhow!(
            "the managed identity endpoint answered with a body that is not its token JSON ({})",
            crate::entra::http::describe_json_error(&e)
        )
    })?;
    Ok(TokenResponse {
        access_token: raw.access_token,
        token_type: raw.token_type,
        expires_in: raw.expires_in,
        expires_on: raw.expires_on,
        refresh_token: None,
        id_token: None,
    })
}

/// 404 and 410 (IMDS updating), 429 and 5xx: retried, as IMDS documents.
pub(super) fn retriable(status: u16) -> bool {
    matches!(status, 404 | 410 | 429) || (500..=599).contains(&status)
}

pub(super) fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: ATTEMPTS,
        max_wait: MAX_WAIT,
        backoff_without_header: true,
        too_long: TooLong::Refuse,
    }
}

/// A final error answer in one line: IMDS's error and description, printable and shortened.
pub(super) fn refusal(
    status: u16,
    body: &[u8],
    identity: &Identity,
    what: &str,
    host: &str,
    attempts: u32,
) -> anyhow::Error {
    let raw: RawError = serde_json::from_slice(body).unwrap_or_default();
    let said = match (&raw.error, &raw.error_description) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => "no error body".into(),
    };
    let said: String = said.chars().take(300).collect();
    let said = printable(&said).into_owned();
    let retried = if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    };
    let lower = said.to_ascii_lowercase();
    let hint = if lower.contains("identity not found") || lower.contains("no managed identity") {
        match identity {
            Identity::Default => "this machine has no system-assigned managed identity; enable one, or name a user-assigned one with --client-id or --identity-resource-id".to_string(),
            other => format!("{} is not assigned to this machine; check --client-id / --identity-resource-id", other.describe()),
        }
    } else if lower.contains("multiple user assigned") {
        "name the identity with --client-id or --identity-resource-id".to_string()
    } else if lower.contains("aadsts500011") || lower.contains("invalid_resource") {
        "check --server-id".to_string()
    } else if retriable(status) {
        "the endpoint is busy or updating; try again in a minute".to_string()
    } else {
        format!(
            "check --client-id / --identity-resource-id and that {} may get tokens",
            identity.describe()
        )
    };
    anyhow::anyhow!("{what} at {host} answered HTTP {status}{retried} ({said}); {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn imds_responses_with_strings_or_numbers() {
        let t = parse_token(br#"{"access_token":"eyJ.a.b","client_id":"c","expires_in":"86399","expires_on":"1740028277","ext_expires_in":"86399","not_before":"1739941577","resource":"6dae","token_type":"Bearer"}"#).unwrap();
        assert_eq!(t.expires_on, Some(1_740_028_277));
        assert_eq!(t.expires_in, Some(86399));
        let t = parse_token(br#"{"access_token":"x","expires_on":1740028277,"expires_in":3600}"#)
            .unwrap();
        assert_eq!(t.expires_on, Some(1_740_028_277));
        assert!(t.refresh_token.is_none());
        for bad in [
            &b""[..],
            b"{",
            br#"{"expires_on":"1"}"#,
            br#"{"access_token":"eyJ-secret","expires_on":"09/14/2017 00:00:00 PM +00:00"}"#,
        ] {
            let e = parse_token(bad).unwrap_err().to_string();
            assert!(
                e.contains("not its token JSON") && !e.contains("secret"),
                "{e}"
            );
        }
    }

    #[test]
    fn retries_follow_imds_guidance_and_stay_bounded() {
        for s in [404, 410, 429, 500, 503] {
            assert!(retriable(s), "{s}");
        }
        for s in [400, 401, 403] {
            assert!(!retriable(s), "{s}");
        }
        let p = policy();
        assert_eq!(p.wait(1, None), Some(Duration::from_secs(1)));
        assert_eq!(p.wait(3, None), Some(Duration::from_secs(4)));
        assert_eq!(p.wait(ATTEMPTS, None), None);
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(60))),
            None,
            "too long: said"
        );
    }

    #[test]
    fn refusals_say_what_to_fix() {
        let e = refusal(
            400,
            br#"{"error":"invalid_request","error_description":"Identity not found"}"#,
            &Identity::Default,
            "IMDS",
            "h",
            1,
        )
        .to_string();
        assert!(
            e.contains("no system-assigned") && e.contains("HTTP 400"),
            "{e}"
        );
        let e = refusal(
            400,
            br#"{"error":"invalid_request","error_description":"Identity not found"}"#,
            &Identity::ClientId("c9".into()),
            "IMDS",
            "h",
            1,
        )
        .to_string();
        assert!(e.contains("c9") && e.contains("--client-id"), "{e}");
        let e = refusal(503, b"\x1b[2J", &Identity::Default, "IMDS", "h", 4).to_string();
        assert!(
            e.contains("after 4 attempts") && !e.contains('\u{1b}'),
            "{e}"
        );
    }
}
