//! The token and device-code answers as the flows and the cache see them (Debug redacts every
//! secret). The `oauth2` crate reads Entra's answers (`authority.rs` fills these from them); the
//! device-code poll's answers are read here directly.
//!
// What stays hand-written, and the Entra response that forces it: the device-code poll. While
// the user has not finished, and when Conditional Access refuses the sign-in, Entra answers the
// poll with `{"error":"invalid_grant","error_codes":[53003],"correlation_id":...}` (or 70016
// pending, 50097/53000/53001 device state). oauth2 v5's device-token poll parses those answers
// as `StandardErrorResponse<DeviceCodeErrorResponseType>`, whatever the client's error type,
// which keeps `error`, `error_description` and `error_uri` only: `error_codes` (which tell a
// tenant that blocks device code, AADSTS53003, from any other `invalid_grant`), the
// correlation and trace ids and `suberror` would be lost. Its loop also sleeps on its own
// timer, not on our clock. So the poll is one form POST through `http.rs`, parsed by the
// structs below with numbers as integers or strings (v1 endpoints send strings).

use serde::{Deserialize, Deserializer};

/// An optional integer given as a JSON number or a string of digits.
pub fn flexible_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        Int(i64),
        Float(f64),
        Text(String),
    }
    Ok(match Option::<Num>::deserialize(d)? {
        None => None,
        Some(Num::Int(i)) => Some(i),
        Some(Num::Float(f)) if f.is_finite() => Some(f as i64),
        Some(Num::Float(_)) => None,
        Some(Num::Text(s)) => match s.trim().parse::<i64>() {
            Ok(i) => Some(i),
            // The value itself is not echoed: a misplaced field could hold a token.
            Err(_) => return Err(serde::de::Error::custom("a string that is not a number")),
        },
    })
}

/// `POST /devicecode` answer. Debug hides the device code (it redeems the sign-in).
#[derive(Clone, Deserialize)]
pub struct DeviceCodeResponse {
    pub user_code: String,
    /// Opaque but sensitive while valid: never printed.
    pub device_code: String,
    #[serde(default)]
    pub verification_uri: Option<String>,
    #[serde(default)]
    pub verification_url: Option<String>,
    #[serde(default, deserialize_with = "flexible_i64")]
    pub expires_in: Option<i64>,
    #[serde(default, deserialize_with = "flexible_i64")]
    pub interval: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
}

impl std::fmt::Debug for DeviceCodeResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeResponse")
            .field("user_code", &self.user_code)
            .field("device_code", &"<redacted>")
            .field("verification_uri", &self.verification())
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish()
    }
}

impl DeviceCodeResponse {
    pub fn verification(&self) -> Option<&str> {
        self.verification_uri
            .as_deref()
            .or(self.verification_url.as_deref())
    }

    /// Entra's ready-made sentence as it sent it (localized with `mkt`), or one built from the
    /// fields. Control characters are dropped so an authority cannot drive the terminal.
    pub fn prompt(&self) -> String {
        match self.message.as_deref().filter(|m| !m.trim().is_empty()) {
            Some(m) => m
                .chars()
                .filter(|c| *c == '\n' || !c.is_control())
                .collect(),
            None => format!(
                "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
                crate::sink::printable(
                    self.verification().unwrap_or("(the authority did not say)")
                ),
                crate::sink::printable(&self.user_code)
            ),
        }
    }

    /// Polling interval (default 5 s). An interval of 0 (test authorities) still waits a
    /// quarter second between polls rather than spinning.
    pub fn poll_interval(&self) -> std::time::Duration {
        match self.interval.unwrap_or(5).clamp(0, 60) {
            0 => std::time::Duration::from_millis(250),
            secs => std::time::Duration::from_secs(secs as u64),
        }
    }

    /// Seconds until the device code expires (default 900).
    pub fn expires_seconds(&self) -> u64 {
        self.expires_in.unwrap_or(900).clamp(1, 3600) as u64
    }
}

/// `POST /token` success answer. Debug redacts every token.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default, deserialize_with = "flexible_i64")]
    pub expires_in: Option<i64>,
    #[serde(default, deserialize_with = "flexible_i64")]
    pub expires_on: Option<i64>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_response_v2_integers() {
        let r: DeviceCodeResponse = serde_json::from_str(
            r#"{"user_code":"QX7PLM2KD","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, go."}"#,
        )
        .unwrap();
        assert_eq!(r.poll_interval().as_secs(), 5);
        assert_eq!(r.expires_seconds(), 900);
        assert_eq!(r.prompt(), "To sign in, go.");
    }

    #[test]
    fn device_response_debug_hides_the_device_code_and_prompt_drops_escapes() {
        let r: DeviceCodeResponse = serde_json::from_str(
            r#"{"user_code":"QX7","device_code":"DC-secret","message":"Open \u001b[2Jhttps://x and enter QX7.\u0007"}"#,
        )
        .unwrap();
        let text = format!("{r:?}");
        assert!(
            !text.contains("DC-secret") && text.contains("QX7"),
            "{text}"
        );
        assert_eq!(r.prompt(), "Open [2Jhttps://x and enter QX7.");
    }

    #[test]
    fn number_errors_do_not_echo_the_value() {
        let err = serde_json::from_str::<TokenResponse>(
            r#"{"access_token":"a","expires_in":"eyJ-secret-looking"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn device_response_v1_strings_and_url_spelling() {
        let r: DeviceCodeResponse = serde_json::from_str(
            r#"{"user_code":"ABC","device_code":"d","verification_url":"https://microsoft.com/devicelogin","expires_in":"900","interval":"3"}"#,
        )
        .unwrap();
        assert_eq!(r.poll_interval().as_secs(), 3);
        assert_eq!(r.expires_seconds(), 900);
        assert_eq!(r.verification(), Some("https://microsoft.com/devicelogin"));
        assert!(r.prompt().contains("ABC") && r.prompt().contains("devicelogin"));
        let bad = serde_json::from_str::<DeviceCodeResponse>(
            r#"{"user_code":"A","device_code":"d","interval":"soon"}"#,
        );
        assert!(bad.is_err());
    }

    #[test]
    fn token_response_numbers_and_redaction() {
        let r: TokenResponse = serde_json::from_str(
            r#"{"token_type":"Bearer","expires_in":"3599","access_token":"AT-secret","refresh_token":"RT-secret","id_token":"ID-secret"}"#,
        )
        .unwrap();
        assert_eq!(r.expires_in, Some(3599));
        let text = format!("{r:?}");
        assert!(!text.contains("secret"), "{text}");
    }
}
