//! ExecCredential (client.authentication.k8s.io v1 and v1beta1) and KUBERNETES_EXEC_INFO.
//!
//! `spec.interactive` is read but, like Azure kubelogin, does not stop a device-code sign-in:
//! the prompt goes to stderr and the user finishes it in a browser on any device, so it needs no
//! stdin. Refusing when `interactive` is false would break `kubectl apply -f -` and CI jobs whose
//! user can still see stderr; the wait is bounded by the code's `expires_in` either way.

use serde::{Deserialize, Serialize};

pub const V1: &str = "client.authentication.k8s.io/v1";
pub const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// How much earlier than the token's real expiry we tell client-go it expires. client-go
/// compares `expirationTimestamp` with no skew, so a token it thinks valid could expire while a
/// request is in flight; one minute covers that and clock drift between us and the API server.
pub const REPORTED_EXPIRY_MARGIN_SECONDS: i64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    V1Beta1,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => V1,
            ApiVersion::V1Beta1 => V1BETA1,
        }
    }
}

/// What kubectl told us through `KUBERNETES_EXEC_INFO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecInfo {
    pub api_version: ApiVersion,
    /// `spec.interactive`; None when kubectl did not say (variable unset).
    pub interactive: Option<bool>,
}

#[derive(Deserialize)]
struct RawExecInfo {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    spec: Option<RawSpec>,
}

#[derive(Deserialize)]
struct RawSpec {
    #[serde(default)]
    interactive: Option<bool>,
}

/// Reads `KUBERNETES_EXEC_INFO` from the environment.
pub fn exec_info_from_env() -> anyhow::Result<ExecInfo> {
    let value = std::env::var("KUBERNETES_EXEC_INFO").ok();
    parse_exec_info(value.as_deref())
}

/// Unset or empty means v1 (run by hand); an empty apiVersion inside also means v1.
pub fn parse_exec_info(value: Option<&str>) -> anyhow::Result<ExecInfo> {
    let value = value.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Ok(ExecInfo {
            api_version: ApiVersion::V1,
            interactive: None,
        });
    }
    let raw: RawExecInfo = serde_json::from_str(value).map_err(|e| {
        anyhow::anyhow!(
            "KUBERNETES_EXEC_INFO is not a valid ExecCredential JSON document ({e}); it is set by kubectl, unset it when running get-token by hand"
        )
    })?;
    if let Some(kind) = raw.kind.as_deref()
        && !kind.is_empty()
        && kind != "ExecCredential"
    {
        anyhow::bail!("KUBERNETES_EXEC_INFO has kind {kind:?}; expected ExecCredential");
    }
    let api_version = match raw.api_version.as_str() {
        "" | V1 => ApiVersion::V1,
        V1BETA1 => ApiVersion::V1Beta1,
        other => anyhow::bail!(
            "KUBERNETES_EXEC_INFO asks for apiVersion {other:?}, which kubectl-entra does not support; set the kubeconfig exec apiVersion to {V1} or {V1BETA1}"
        ),
    };
    Ok(ExecInfo {
        api_version,
        interactive: raw.spec.and_then(|s| s.interactive),
    })
}

#[derive(Serialize)]
struct ExecCredential<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    status: Status<'a>,
}

#[derive(Serialize)]
struct Status<'a> {
    token: &'a str,
    #[serde(rename = "expirationTimestamp")]
    expiration_timestamp: String,
}

/// The expiry we report for a token expiring at `expires_on` (unix seconds), seen at `now`:
/// one minute early, but never more than half the remaining life early, so a short-lived token
/// is not reported as already expired.
pub fn reported_expiry(expires_on: i64, now: i64) -> i64 {
    let left = expires_on.saturating_sub(now).max(0);
    expires_on - REPORTED_EXPIRY_MARGIN_SECONDS.min(left / 2)
}

/// Renders an RFC 3339 UTC timestamp (`2025-01-01T13:25:00Z`) from unix seconds.
pub fn rfc3339(unix_seconds: i64) -> String {
    jiff::Timestamp::from_second(unix_seconds)
        .unwrap_or(jiff::Timestamp::MAX)
        .to_string()
}

/// The ExecCredential document for stdout (one line, newline-terminated).
pub fn render(api: ApiVersion, token: &str, expires_on: i64, now: i64) -> String {
    let doc = ExecCredential {
        api_version: api.as_str(),
        kind: "ExecCredential",
        status: Status {
            token,
            expiration_timestamp: rfc3339(reported_expiry(expires_on, now)),
        },
    };
    // Serialising plain strings cannot fail.
    let mut text = serde_json::to_string(&doc).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_empty_exec_info_means_v1() {
        assert_eq!(parse_exec_info(None).unwrap().api_version, ApiVersion::V1);
        assert_eq!(
            parse_exec_info(Some("  ")).unwrap().api_version,
            ApiVersion::V1
        );
        let empty_version =
            r#"{"kind":"ExecCredential","apiVersion":"","spec":{"interactive":false}}"#;
        let info = parse_exec_info(Some(empty_version)).unwrap();
        assert_eq!(info.api_version, ApiVersion::V1);
        assert_eq!(info.interactive, Some(false));
    }

    #[test]
    fn both_versions_and_cluster_info_parse() {
        let v1 = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}"#;
        let info = parse_exec_info(Some(v1)).unwrap();
        assert_eq!(info.api_version, ApiVersion::V1);
        assert_eq!(info.interactive, Some(true));
        let beta = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1",
            "spec":{"cluster":{"server":"https://203.0.113.5:443","config":{"a":1}},"interactive":false}}"#;
        let info = parse_exec_info(Some(beta)).unwrap();
        assert_eq!(info.api_version, ApiVersion::V1Beta1);
        assert_eq!(info.interactive, Some(false));
    }

    #[test]
    fn other_versions_and_bad_json_are_clear_errors() {
        let alpha = r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1","spec":{}}"#;
        let err = parse_exec_info(Some(alpha)).unwrap_err().to_string();
        assert!(err.contains("v1alpha1") && err.contains(V1), "{err}");
        let err = parse_exec_info(Some("{not json")).unwrap_err().to_string();
        assert!(err.contains("KUBERNETES_EXEC_INFO"), "{err}");
        let err = parse_exec_info(Some(r#"{"kind":"Pod","apiVersion":"v1"}"#)).unwrap_err();
        assert!(err.to_string().contains("Pod"));
    }

    #[test]
    fn renders_both_versions() {
        for api in [ApiVersion::V1, ApiVersion::V1Beta1] {
            let text = render(api, "tok", 1_735_737_900, 1_735_732_800);
            assert!(text.ends_with('\n'));
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(doc["apiVersion"], api.as_str());
            assert_eq!(doc["kind"], "ExecCredential");
            assert_eq!(doc["status"]["token"], "tok");
            // exp 2025-01-01T13:25:00Z, reported one minute earlier.
            assert_eq!(doc["status"]["expirationTimestamp"], "2025-01-01T13:24:00Z");
        }
    }

    #[test]
    fn reported_expiry_is_early_but_not_in_the_past() {
        assert_eq!(reported_expiry(1000, 0), 940);
        assert_eq!(reported_expiry(1000, 960), 980);
        assert_eq!(reported_expiry(1000, 1000), 1000);
        assert_eq!(reported_expiry(1000, 2000), 1000);
        assert!(reported_expiry(1000, 900) > 900);
    }
}
