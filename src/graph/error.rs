//! Graph failures, decided by `error.code` (never by the message), each with the next step.

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error(
        "Microsoft Graph refused to {action} ({code}): the signed-in account or app lacks the delegated permission {permission}. Ask a tenant admin to grant it, or {hint}"
    )]
    Forbidden {
        action: String,
        code: String,
        permission: &'static str,
        /// The way around the lookup for this call (e.g. `--group-id`).
        hint: &'static str,
    },
    #[error("Microsoft Graph has no {what} (Request_ResourceNotFound)")]
    NotFound { what: String },
    #[error(
        "Microsoft Graph rejected the access token (InvalidAuthenticationToken: {message}); sign in again with `kubectl entra login`"
    )]
    InvalidToken { message: String },
    #[error(
        "Microsoft Graph is still busy after {attempts} attempts to {action} (HTTP {status} {code}); try again in a minute"
    )]
    Throttled {
        action: String,
        attempts: u32,
        status: u16,
        code: String,
    },
    #[error("Microsoft Graph failed to {action}: HTTP {status} {code}: {message}")]
    Other {
        action: String,
        status: u16,
        code: String,
        message: String,
    },
    /// One line: an untrusted certificate says who issued it and how to trust the CA, other
    /// failures keep reqwest's causes (`net::describe_transport`).
    #[error("cannot reach Microsoft Graph to {action}: {detail}")]
    Transport { action: String, detail: String },
    #[error("Microsoft Graph answered {action} with an unexpected body: {detail}")]
    BadResponse { action: String, detail: String },
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    error: ErrorDetail,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// `(code, message)` of a Graph error body; empty strings when the body is not Graph's shape.
pub(crate) fn parse_error_body(body: &[u8]) -> (String, String) {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    (parsed.error.code, parsed.error.message)
}

/// Maps a non-success response to the error the user should see.
pub(crate) fn classify(
    action: &str,
    permission: &'static str,
    hint: &'static str,
    what: &str,
    status: u16,
    code: String,
    message: String,
) -> GraphError {
    match (status, code.as_str()) {
        (_, "Authorization_RequestDenied") | (_, "Authorization_IdentityNotFound") | (403, _) => {
            GraphError::Forbidden {
                action: action.to_string(),
                code: if code.is_empty() {
                    "HTTP 403".to_string()
                } else {
                    code
                },
                permission,
                hint,
            }
        }
        (_, "Request_ResourceNotFound") | (404, _) => GraphError::NotFound {
            what: what.to_string(),
        },
        (_, "InvalidAuthenticationToken") | (401, _) => GraphError::InvalidToken {
            message: if message.is_empty() {
                format!("HTTP {status}")
            } else {
                message
            },
        },
        _ => GraphError::Other {
            action: action.to_string(),
            status,
            code,
            message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_on_code() {
        let body = br#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"x"}}}"#;
        let (code, message) = parse_error_body(body);
        let err = classify(
            "look up groups",
            "Group.Read.All",
            "pass the object id with --group-id to skip the lookup",
            "group",
            403,
            code,
            message,
        );
        let text = err.to_string();
        assert!(text.contains("Group.Read.All"), "{text}");
        assert!(text.contains("--group-id"), "{text}");
        let (code, message) = parse_error_body(b"not json");
        assert!(code.is_empty() && message.is_empty());
        assert!(matches!(
            classify(
                "a",
                "p",
                "h",
                "group x",
                404,
                "Request_ResourceNotFound".into(),
                String::new()
            ),
            GraphError::NotFound { .. }
        ));
        assert!(matches!(
            classify(
                "a",
                "p",
                "h",
                "w",
                401,
                "InvalidAuthenticationToken".into(),
                "expired".into()
            ),
            GraphError::InvalidToken { .. }
        ));
        assert!(matches!(
            classify(
                "a",
                "p",
                "h",
                "w",
                400,
                "Request_UnsupportedQuery".into(),
                "bad".into()
            ),
            GraphError::Other { status: 400, .. }
        ));
    }
}
