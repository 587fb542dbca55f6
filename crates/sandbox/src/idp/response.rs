//! Entra's response framing: JSON with no-cache headers and the echoed `client-request-id`, and
//! the OAuth error body (`error_codes`, `trace_id`, `correlation_id`, space-separated timestamp).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The `client-request-id` header of a request, when it is a sane value.
pub fn client_request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 100)
        .map(str::to_string)
}

/// A JSON answer with the headers Entra's token endpoints send.
pub fn json(status: StatusCode, body: &serde_json::Value, request_id: Option<&str>) -> Response {
    raw_json(status, body.to_string(), request_id)
}

/// Like `json`, for a body that is deliberately not valid JSON (fault injection).
pub fn raw_json(status: StatusCode, body: String, request_id: Option<&str>) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::EXPIRES, HeaderValue::from_static("-1"));
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        h.insert("client-request-id", id);
    }
    response
}

/// `YYYY-MM-DD hh:mm:ssZ`, with a space: Entra's error timestamp (not RFC 3339).
pub fn entra_timestamp() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M:%SZ")
        .to_string()
}

/// An Entra OAuth error (token and devicecode endpoints).
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: String,
    pub aadsts: u32,
    /// The text after `AADSTSnnnnn: `.
    pub message: String,
    /// Rarely set fields, boxed to keep `Result<_, OAuthError>` small.
    pub extra: Box<ErrorExtra>,
}

#[derive(Debug, Clone, Default)]
pub struct ErrorExtra {
    pub suberror: Option<String>,
    pub claims: Option<String>,
    /// Overrides the correlation id (device-code polls repeat the devicecode request's id).
    pub correlation_id: Option<String>,
    pub retry_after: Option<u64>,
}

impl OAuthError {
    pub fn new(error: &str, aadsts: u32, message: impl Into<String>) -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error: error.to_string(),
            aadsts,
            message: message.into(),
            extra: Box::default(),
        }
    }

    pub fn status(mut self, status: StatusCode) -> OAuthError {
        self.status = status;
        self
    }

    pub fn correlation(mut self, id: &str) -> OAuthError {
        self.extra.correlation_id = Some(id.to_string());
        self
    }

    /// `AADSTS900144`: a required form field is missing.
    pub fn missing(field: &str) -> OAuthError {
        OAuthError::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{field}'."),
        )
    }

    pub fn body(&self, correlation_id: &str, trace_id: &str) -> serde_json::Value {
        let timestamp = entra_timestamp();
        let mut body = serde_json::json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}",
                self.aadsts, self.message
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.aadsts),
        });
        if let Some(s) = &self.extra.suberror {
            body["suberror"] = serde_json::json!(s);
        }
        if let Some(c) = &self.extra.claims {
            body["claims"] = serde_json::json!(c);
        }
        body
    }

    /// The full HTTP answer; `request_id` is this request's `client-request-id`.
    pub fn into_response_for(self, request_id: Option<&str>) -> Response {
        let correlation = self
            .extra
            .correlation_id
            .clone()
            .or_else(|| request_id.map(str::to_string))
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let trace = uuid::Uuid::new_v4().to_string();
        let body = self.body(&correlation, &trace);
        let mut response = json(self.status, &body, request_id);
        if let Some(secs) = self.extra.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_entra_fields() {
        let e = OAuthError::new(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        );
        let body = e.body("corr", "trace");
        assert_eq!(body["error_codes"][0], 70016);
        let desc = body["error_description"].as_str().expect("desc");
        assert!(desc.starts_with("AADSTS70016: OAuth 2.0"));
        assert!(desc.contains("Correlation ID: corr"));
        let ts = body["timestamp"].as_str().expect("ts");
        assert_eq!(ts.len(), "2025-01-01 12:00:00Z".len());
        assert_eq!(&ts[10..11], " ");
        assert!(ts.ends_with('Z'));
        assert_eq!(
            body["error_uri"],
            "https://login.microsoftonline.com/error?code=70016"
        );
        assert!(body.get("suberror").is_none());
    }
}
