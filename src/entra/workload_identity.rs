//! `--login workloadidentity`: a federated token (a Kubernetes service-account token from the
//! AKS workload identity webhook's projected volume, or GitHub Actions' OIDC token) exchanged as
//! a client assertion for the application's token. No refresh token.
//!
//! The token file is read again on every token request: the kubelet rotates it (hourly by
//! default), so a copy kept from an earlier request may have expired. As in kubelogin, when
//! GitHub's runner variables `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN`
//! are both set, the token comes from GitHub instead of a file. (Azure Pipelines is kubelogin's
//! separate `azurepipelines` mode, [`super::azure_pipelines`], which shares the request helpers
//! here.)

use super::authority::{BoxFuture, Grant};
use super::sign_in::{SignIn, SignInContext};
use super::spn::{check_app_identity, redeem};
use super::wire::TokenResponse;
use std::path::Path;

pub struct WorkloadIdentity;

impl SignIn for WorkloadIdentity {
    fn returns_refresh_token(&self) -> bool {
        false
    }

    fn sign_in<'a>(
        &'a self,
        cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>> {
        Box::pin(sign_in(cx))
    }
}

/// Service-account tokens are about 1-2 KB; this bounds a wrong path pointing at a big file.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// The audience Entra requires of federated tokens.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

const GITHUB_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
const GITHUB_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    check_app_identity(s, "workloadidentity", "AZURE_CLIENT_ID")?;
    // The runner's variables, read here rather than in the settings: they are the runner's
    // ambient credential (like a projected volume), not settings a kubeconfig could name.
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let (Some(url), Some(token)) = (var(GITHUB_URL), var(GITHUB_TOKEN)) {
        let federated = github_token(&url, &token, s.timeout).await?;
        return redeem(
            cx,
            Grant::ClientAssertion(&federated),
            "the GitHub Actions OIDC token",
        )
        .await;
    }
    let Some(path) = s.credentials.federated_token_file.as_deref() else {
        anyhow::bail!(
            "--login workloadidentity needs a federated token: set AZURE_FEDERATED_TOKEN_FILE (the AKS workload identity webhook sets it in the pod) or pass --federated-token-file"
        );
    };
    let federated = read_token_file(path, cx.clock.now())?;
    let what = format!("the federated token in {}", path.display());
    redeem(cx, Grant::ClientAssertion(&federated), &what).await
}

/// The token in `path`, checked before it is sent: readable, a JWT, not expired.
pub fn read_token_file(path: &Path, now: i64) -> anyhow::Result<String> {
    use std::io::Read as _;
    let shown = path.display();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot read the federated token file {shown}: {e}; check AZURE_FEDERATED_TOKEN_FILE / --federated-token-file (in a pod: the azure-identity-token volume and the azure.workload.identity/use label)"
            )
        })?;
    if bytes.len() as u64 > MAX_TOKEN_FILE {
        anyhow::bail!(
            "the federated token file {shown} is larger than {MAX_TOKEN_FILE} bytes, so it is not a token; check AZURE_FEDERATED_TOKEN_FILE / --federated-token-file"
        );
    }
    let token = String::from_utf8(bytes)
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    if token.is_empty() || token.split('.').count() != 3 {
        anyhow::bail!(
            "the federated token file {shown} does not hold a JWT; check AZURE_FEDERATED_TOKEN_FILE / --federated-token-file"
        );
    }
    let payload = super::claims::payload(&token).ok_or_else(|| {
        anyhow::anyhow!(
            "the federated token file {shown} does not hold a JWT (its payload is not JSON); check AZURE_FEDERATED_TOKEN_FILE / --federated-token-file"
        )
    })?;
    if let Some(exp) = payload.get("exp").and_then(serde_json::Value::as_i64)
        && exp <= now
    {
        let at = jiff::Timestamp::from_second(exp)
            .map(|t| t.to_string())
            .unwrap_or_else(|_| exp.to_string());
        anyhow::bail!(
            "the federated token in {shown} expired at {at} ({} s ago); the kubelet rotates it, so check that the projected token volume is still mounted and refreshed (or write a fresh token there)",
            now - exp
        );
    }
    Ok(token)
}

/// GitHub's OIDC token for Entra's audience (`GET $URL&audience=...` with the runner's bearer).
async fn github_token(
    url: &str,
    bearer: &str,
    timeout: std::time::Duration,
) -> anyhow::Result<String> {
    let mut url = url::Url::parse(url).map_err(|e| {
        anyhow::anyhow!("{GITHUB_URL} is not a URL ({e}); unset it outside GitHub Actions")
    })?;
    crate::net::ensure_secret_url(&url, "the GitHub Actions OIDC token request")?;
    url.query_pairs_mut()
        .append_pair("audience", TOKEN_EXCHANGE_AUDIENCE);
    let request = crate::net::client(timeout)?
        .get(url.clone())
        .bearer_auth(bearer)
        .header("Accept", "application/json; api-version=2.0");
    let what = "the GitHub Actions OIDC token request";
    let fix = "check that the job has `permissions: id-token: write`";
    let answer = send_ci_request(request, what, fix).await?;
    if !(200..300).contains(&answer.status) {
        anyhow::bail!(
            "GitHub refused the OIDC token request (HTTP {}); {fix}",
            answer.status
        );
    }
    ci_token_field(
        &answer.body,
        "value",
        what,
        &format!("unset {GITHUB_URL} outside GitHub Actions"),
    )
}

/// What a CI system's OIDC token endpoint answered (GitHub Actions, Azure Pipelines).
pub(super) struct CiAnswer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// At most [`MAX_TOKEN_FILE`] bytes.
    pub body: Vec<u8>,
}

/// Sends a CI system's OIDC token request and reads the answer, bounded. `what` names the
/// request in errors (never its bearer), `fix` says what to check when it cannot be sent.
pub(super) async fn send_ci_request(
    request: reqwest::RequestBuilder,
    what: &str,
    fix: &str,
) -> anyhow::Result<CiAnswer> {
    let response = request.send().await.map_err(|e| {
        anyhow::anyhow!(
            "{what} failed: {}; {fix}",
            crate::net::describe_transport(&e)
        )
    })?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = crate::net::read_capped(response, MAX_TOKEN_FILE as usize)
        .await
        .map_err(|e| anyhow::anyhow!("the answer to {what}: {e}"))?;
    Ok(CiAnswer {
        status,
        headers,
        body,
    })
}

/// The federated token in `field` of a CI system's JSON answer.
pub(super) fn ci_token_field(
    body: &[u8],
    field: &str,
    what: &str,
    fix: &str,
) -> anyhow::Result<String> {
    let answer: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let Some(token) = answer.get(field).and_then(serde_json::Value::as_str) else {
        anyhow::bail!("the answer to {what} has no `{field}`; {fix}");
    };
    let token = token.trim();
    if token.is_empty() {
        anyhow::bail!("the answer to {what} holds an empty token; try the job again");
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn jwt(payload: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.c2ln",
            enc.encode(r#"{"alg":"RS256","kid":"k"}"#),
            enc.encode(payload)
        )
    }

    const NOW: i64 = 1_700_000_000;

    /// A loopback stand-in for GitHub's token service: checks the bearer and the audience.
    async fn github(status: u16) -> String {
        use axum::extract::Query;
        use axum::http::{HeaderMap, StatusCode};
        let app = axum::Router::new().route(
            "/token",
            axum::routing::get(
                move |headers: HeaderMap,
                      Query(q): Query<std::collections::HashMap<String, String>>| async move {
                    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
                    let ok = bearer == Some("Bearer runner-secret")
                        && q.get("audience").map(String::as_str) == Some(TOKEN_EXCHANGE_AUDIENCE);
                    let status = StatusCode::from_u16(status).unwrap();
                    if ok {
                        (status, r#"{"value":"gh.oidc.token"}"#)
                    } else {
                        (StatusCode::UNAUTHORIZED, "{}")
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/token?api-version=2.0")
    }

    #[tokio::test]
    async fn github_actions_gives_its_oidc_token_for_entra() {
        let timeout = std::time::Duration::from_secs(5);
        let url = github(200).await;
        assert_eq!(
            github_token(&url, "runner-secret", timeout).await.unwrap(),
            "gh.oidc.token"
        );
        let e = github_token(&url, "wrong", timeout)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("HTTP 401") && e.contains("id-token: write"),
            "{e}"
        );
        assert!(!e.contains("wrong"), "{e}");
        let e = github_token("http://example.com/token", "runner-secret", timeout)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("refusing"), "{e}");
    }

    #[test]
    fn the_file_is_read_and_checked_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        let first = jwt(&format!(r#"{{"exp":{}}}"#, NOW + 3600));
        std::fs::write(&path, format!("{first}\n")).unwrap();
        assert_eq!(read_token_file(&path, NOW).unwrap(), first);
        // Rotated: the next request sends the new token.
        let second = jwt(&format!(r#"{{"exp":{},"n":2}}"#, NOW + 7200));
        std::fs::write(&path, &second).unwrap();
        assert_eq!(read_token_file(&path, NOW).unwrap(), second);
    }

    #[test]
    fn expired_missing_and_garbage_files_are_one_line_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, jwt(&format!(r#"{{"exp":{}}}"#, NOW - 5))).unwrap();
        let e = read_token_file(&path, NOW).unwrap_err().to_string();
        assert!(e.contains("expired") && e.contains("5 s ago"), "{e}");
        let e = read_token_file(&dir.path().join("nope"), NOW)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cannot read") && e.contains("AZURE_FEDERATED_TOKEN_FILE"),
            "{e}"
        );
        for garbage in ["", "not a token", "a.b", "a.!!!.c"] {
            std::fs::write(&path, garbage).unwrap();
            let e = read_token_file(&path, NOW).unwrap_err().to_string();
            assert!(e.contains("does not hold a JWT"), "{garbage:?}: {e}");
            assert!(!e.contains('\n'));
        }
        std::fs::write(&path, vec![b'a'; MAX_TOKEN_FILE as usize + 10]).unwrap();
        let e = read_token_file(&path, NOW).unwrap_err().to_string();
        assert!(e.contains("larger than"), "{e}");
    }
}
