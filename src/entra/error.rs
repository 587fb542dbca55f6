//! Entra's OAuth error bodies: `error`, `error_description`, `error_codes`, `correlation_id`,
//! `trace_id`, `suberror`. The description is shown as is and never parsed.

use super::wire::flexible_i64;
use crate::sink::printable;
use serde::{Deserialize, Serialize};

/// An OAuth error answered by the authority.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct EntraError {
    /// The HTTP status it came with (filled in by the caller).
    #[serde(skip)]
    pub status: u16,
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
    #[serde(default, deserialize_with = "codes")]
    pub error_codes: Vec<i64>,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default)]
    pub suberror: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    /// The `Retry-After` header it came with, if any (filled in by the caller).
    #[serde(skip)]
    pub retry_after: Option<String>,
    /// How many times the call was repeated before this answer (filled in by the caller).
    #[serde(skip)]
    pub retries: u32,
}

/// `error_codes` as integers or strings (v1 endpoints send strings).
fn codes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Code(#[serde(deserialize_with = "flexible_i64")] Option<i64>);
    let raw: Option<Vec<Code>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.0)
        .collect())
}

impl EntraError {
    /// Parses an error body; None when it is not one (no `error` field, not JSON).
    pub fn parse(status: u16, body: &[u8]) -> Option<EntraError> {
        let mut err: EntraError = serde_json::from_slice(body).ok()?;
        if err.error.trim().is_empty() {
            return None;
        }
        err.status = status;
        Some(err)
    }

    /// `AADSTS70016`, when Entra said which.
    pub fn aadsts(&self) -> Option<String> {
        self.error_codes.first().map(|c| format!("AADSTS{c}"))
    }

    /// `invalid_grant, AADSTS50173` — the short form for one-line messages (printable).
    pub fn short(&self) -> String {
        let error = printable(&self.error);
        match self.aadsts() {
            Some(code) => format!("{error}, {code}"),
            None => error.into_owned(),
        }
    }

    /// True when only a new interactive sign-in can fix it (expired, revoked, MFA, consent).
    pub fn needs_new_sign_in(&self) -> bool {
        matches!(
            self.error.as_str(),
            "invalid_grant" | "interaction_required"
        )
    }

    /// True when Conditional Access refused the sign-in for a reason a browser sign-in on this
    /// machine can satisfy: the policy blocks the device-code flow (AADSTS53003, what Microsoft's
    /// "Block device code flow" policy answers) or wants a registered, compliant or joined
    /// device, which a device-code sign-in never presents (AADSTS50097, 53000, 53001).
    pub fn blocks_device_code(&self) -> bool {
        const CONDITIONAL_ACCESS: [i64; 4] = [53003, 53000, 53001, 50097];
        self.error_codes
            .iter()
            .any(|c| CONDITIONAL_ACCESS.contains(c))
    }
}

/// oauth2 parses Entra's error bodies into this type, so a refused code redemption, refresh or
/// client-credentials request keeps its AADSTS code, correlation id and suberror.
impl oauth2::ErrorResponse for EntraError {}

impl std::fmt::Display for EntraError {
    /// Every field came from the network: shown through `printable`, so an escape sequence in
    /// a description or id cannot drive the terminal that reads the `error: ...` line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {})", printable(&self.short()), self.status)?;
        if let Some(d) = self.error_description.as_deref().filter(|d| !d.is_empty()) {
            // Older responses put the trace tail after \r\n; `printable` keeps it on one line.
            write!(f, ": {}", printable(d.trim()))?;
        }
        if let Some(sub) = self.suberror.as_deref() {
            write!(f, " [suberror: {}]", printable(sub))?;
        }
        if let Some(id) = self.correlation_id.as_deref() {
            write!(f, " [correlation id: {}]", printable(id))?;
        }
        if let Some(id) = self.trace_id.as_deref() {
            write!(f, " [trace id: {}]", printable(id))?;
        }
        if self.retries > 0 {
            write!(f, " (after {} retries)", self.retries)?;
        }
        if let Some(secs) = self.retry_after.as_deref() {
            write!(
                f,
                "; the authority asks to retry after {} s",
                printable(secs)
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for EntraError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_entra_body() {
        let body = br#"{"error":"interaction_required","error_description":"AADSTS50076: MFA.\r\nTrace ID: t\r\nCorrelation ID: c","error_codes":[50076],"timestamp":"2025-01-01 12:00:00Z","trace_id":"t-1","correlation_id":"c-1","error_uri":"https://x","suberror":"basic_action"}"#;
        let e = EntraError::parse(400, body).unwrap();
        assert_eq!(e.error, "interaction_required");
        assert_eq!(e.aadsts().as_deref(), Some("AADSTS50076"));
        assert!(e.needs_new_sign_in());
        let text = e.to_string();
        assert!(
            text.contains("interaction_required, AADSTS50076 (HTTP 400)"),
            "{text}"
        );
        assert!(text.contains("correlation id: c-1") && text.contains("trace id: t-1"));
        assert!(text.contains("basic_action"));
        assert!(!text.contains('\n') && !text.contains('\r'));
    }

    #[test]
    fn codes_as_strings_and_missing_fields() {
        let e = EntraError::parse(400, br#"{"error":"invalid_grant","error_codes":["70008"]}"#)
            .unwrap();
        assert_eq!(e.error_codes, vec![70008]);
        assert_eq!(e.short(), "invalid_grant, AADSTS70008");
        let e = EntraError::parse(401, br#"{"error":"invalid_client"}"#).unwrap();
        assert_eq!(e.aadsts(), None);
        assert!(!e.needs_new_sign_in());
        assert_eq!(e.to_string(), "invalid_client (HTTP 401)");
    }

    #[test]
    fn escape_sequences_from_the_server_are_shown_not_sent() {
        let body = br#"{"error":"invalid_grant\u001b[2J","error_description":"AADSTS1: x\u001b]0;owned\u0007 y","error_codes":[1],"correlation_id":"c\u001b[31m","trace_id":"t\u009b1m","suberror":"s\u001b"}"#;
        let e = EntraError::parse(400, body).unwrap();
        let text = e.to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.contains("\\u{1b}]0;owned"), "{text}");
        assert!(!e.short().chars().any(char::is_control));
    }

    #[test]
    fn conditional_access_refusals_of_device_code() {
        for code in [53003, 53000, 53001, 50097] {
            let body = format!(r#"{{"error":"invalid_grant","error_codes":[{code}]}}"#);
            assert!(
                EntraError::parse(400, body.as_bytes())
                    .unwrap()
                    .blocks_device_code()
            );
        }
        for body in [
            r#"{"error":"invalid_grant","error_codes":[50173]}"#,
            r#"{"error":"authorization_pending","error_codes":[70016]}"#,
            r#"{"error":"invalid_grant"}"#,
        ] {
            assert!(
                !EntraError::parse(400, body.as_bytes())
                    .unwrap()
                    .blocks_device_code()
            );
        }
    }

    #[test]
    fn non_errors_are_none() {
        assert!(EntraError::parse(500, b"<html>oops</html>").is_none());
        assert!(EntraError::parse(400, br#"{"message":"x"}"#).is_none());
        assert!(EntraError::parse(400, br#"{"error":""}"#).is_none());
        assert!(EntraError::parse(400, br#"{"error":"x","error_codes":"nope"}"#).is_none());
    }
}
