//! Request bodies: the 3 MiB limit of the real API server, and JSON or YAML decoding.

use super::status::{ApiError, ApiResult};
use serde_json::Value;

/// kube-apiserver's maximum request body size.
pub const LIMIT: usize = 3 * 1024 * 1024;

pub async fn read(body: axum::body::Body) -> ApiResult<axum::body::Bytes> {
    axum::body::to_bytes(body, LIMIT)
        .await
        .map_err(|_| ApiError::too_large(LIMIT))
}

/// The media type without parameters, lowercased.
pub fn media_type(content_type: Option<&str>) -> String {
    content_type
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn parse_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
}

/// Decodes a JSON or YAML body into an object.
pub fn decode(bytes: &[u8], media: &str) -> ApiResult<Value> {
    let v: Value = match media {
        // serde-saphyr's default budget caps nodes, depth and alias expansion, so a small
        // body cannot unfold into gigabytes (`a: &a [..]` + `b: [*a, *a, ...]`), as
        // kube-apiserver refuses excessive aliasing.
        "application/yaml" | "application/apply-patch+yaml" | "text/yaml" => {
            serde_saphyr::from_slice(bytes).map_err(parse_error)?
        }
        "application/json"
        | "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "application/json-patch+json"
        | "" => serde_json::from_slice(bytes).map_err(parse_error)?,
        "application/vnd.kubernetes.protobuf" => super::protobuf::decode(bytes)?,
        other => return Err(ApiError::unsupported_media(other)),
    };
    Ok(v)
}

pub fn decode_object(bytes: &[u8], media: &str) -> ApiResult<Value> {
    let v = decode(bytes, media)?;
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "couldn't get version/kind; json parse error: the body is not a JSON object",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert!(decode_object(b"{\"a\":1}", "application/json").is_ok());
        assert_eq!(
            decode_object(b"{nope", "application/json")
                .map_err(|e| e.code)
                .err(),
            Some(400)
        );
        assert!(decode_object(b"a: 1\n", "application/apply-patch+yaml").is_ok());
        assert_eq!(
            decode_object(b"[1]", "application/json")
                .map_err(|e| e.code)
                .err(),
            Some(400)
        );
        assert_eq!(
            decode(b"x", "text/plain").map_err(|e| e.code).err(),
            Some(415)
        );
        assert_eq!(
            media_type(Some("application/json; charset=utf-8")),
            "application/json"
        );
    }

    #[test]
    fn yaml_alias_bombs_are_refused_not_expanded() {
        let n = 2_000;
        let items = vec!["x"; n].join(",");
        let aliases = vec!["*a"; n].join(",");
        let body = format!("a: &a [{items}]\nb: [{aliases}]\n");
        let err = decode(body.as_bytes(), "application/apply-patch+yaml")
            .expect_err("n*n values must not be built");
        assert_eq!(err.code, 400);
        // An ordinary anchor is still fine.
        let ok = decode(b"a: &x 1\nb: *x\n", "application/yaml").expect("plain alias");
        assert_eq!(ok["b"], 1);
    }
}
