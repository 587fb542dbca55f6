//! `--login azurepipelines`: inside an Azure Pipelines job, the OIDC token Azure DevOps issues
//! for a service connection (workload identity federation) exchanged as a client assertion for
//! the connection's application. No refresh token; a new OIDC token for every token request.
//!
//! As kubelogin (azidentity's `AzurePipelinesCredential`): `POST $SYSTEM_OIDCREQUESTURI
//! ?api-version=7.1&serviceConnectionId=ID` with `Authorization: Bearer $SYSTEM_ACCESSTOKEN`,
//! answered `{"oidcToken": "..."}`. The token's issuer is `https://vstoken.dev.azure.com/<org
//! id>` and its subject `sc://<org>/<project>/<service connection>`, which the application's
//! federated identity credential must name. `X-TFS-FedAuthRedirect: Suppress` makes Azure
//! DevOps answer a bad job token with 401 instead of a sign-in page.
//!
//! The variables come through the settings (`cli/settings.rs`): the job's `SYSTEM_*` pair is
//! read even with `--disable-environment-override` (it is the job's ambient credential, as a
//! projected token file is a pod's), the `AZURESUBSCRIPTION_*` set only fills in flags.

use super::authority::{BoxFuture, Grant};
use super::settings::Settings;
use super::sign_in::{SignIn, SignInContext};
use super::spn::{check_app_identity, redeem};
use super::wire::TokenResponse;
use super::workload_identity::{ci_token_field, send_ci_request};
use crate::sink::printable;

pub struct AzurePipelines;

impl SignIn for AzurePipelines {
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

pub const OIDC_REQUEST_URI: &str = "SYSTEM_OIDCREQUESTURI";
pub const ACCESS_TOKEN: &str = "SYSTEM_ACCESSTOKEN";
pub const SERVICE_CONNECTION_VARIABLE: &str = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID";
/// The Azure DevOps REST API version of the OIDC token request (as the Azure SDKs send it).
const API_VERSION: &str = "7.1";
/// How the pipeline hands its job token to a script step.
const MAP_ACCESS_TOKEN: &str =
    "map it in the step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`";

/// What the request needs, checked before anything is sent.
struct Request<'a> {
    uri: url::Url,
    access_token: &'a str,
    connection: &'a str,
}

fn request(s: &Settings) -> anyhow::Result<Request<'_>> {
    if matches!(
        s.tenant.to_ascii_lowercase().as_str(),
        "organizations" | "common" | "consumers"
    ) {
        anyhow::bail!(
            "--login azurepipelines needs the service connection's tenant: pass --tenant-id or run in an AzureCLI@2 task, which sets AZURESUBSCRIPTION_TENANT_ID"
        );
    }
    check_app_identity(
        s,
        "azurepipelines",
        "AZURESUBSCRIPTION_CLIENT_ID, which an AzureCLI@2 task sets",
    )?;
    let c = &s.credentials;
    let connection = c
        .service_connection_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--login azurepipelines needs the service connection: pass --azure-pipelines-service-connection-id or run in an AzureCLI@2 task, which sets {SERVICE_CONNECTION_VARIABLE}"
            )
        })?;
    let uri = c
        .pipelines_oidc_request_uri
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "{OIDC_REQUEST_URI} is not set: --login azurepipelines runs inside an Azure Pipelines job, which sets it (in a script step, map it: `env: SYSTEM_OIDCREQUESTURI: $(System.OidcRequestUri)`)"
            )
        })?;
    let access_token = c
        .pipelines_access_token
        .as_ref()
        .map(|t| t.expose().trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| anyhow::anyhow!("{ACCESS_TOKEN} is not set; {MAP_ACCESS_TOKEN}"))?;
    let mut uri = url::Url::parse(uri).map_err(|e| {
        anyhow::anyhow!(
            "{OIDC_REQUEST_URI} {:?} is not a URL ({e}); it is set by Azure Pipelines, unset it elsewhere",
            printable(uri)
        )
    })?;
    crate::net::ensure_secret_url(&uri, "the Azure Pipelines OIDC token request")?;
    uri.query_pairs_mut()
        .append_pair("api-version", API_VERSION)
        .append_pair("serviceConnectionId", connection);
    Ok(Request {
        uri,
        access_token,
        connection,
    })
}

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    let r = request(s)?;
    let oidc = oidc_token(&r, s).await?;
    let what = format!(
        "the Azure Pipelines OIDC token of service connection {}",
        printable(r.connection)
    );
    redeem(cx, Grant::ClientAssertion(&oidc), &what).await
}

/// Azure DevOps' OIDC token for the service connection.
async fn oidc_token(r: &Request<'_>, s: &Settings) -> anyhow::Result<String> {
    let what = "the Azure Pipelines OIDC token request";
    tracing::debug!(
        "POST {} (serviceConnectionId {})",
        r.uri.path(),
        r.connection
    );
    let request = crate::net::client_with_ca(s.timeout, s.ca_file.as_deref())?
        .post(r.uri.clone())
        .bearer_auth(r.access_token)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .body("");
    let fix = format!("check that the job can reach {}", endpoint(&r.uri));
    let answer = send_ci_request(request, what, &fix).await?;
    tracing::debug!(
        "Azure DevOps: HTTP {} ({} bytes)",
        answer.status,
        answer.body.len()
    );
    if (200..300).contains(&answer.status) {
        return ci_token_field(
            &answer.body,
            "oidcToken",
            what,
            &format!("the job token is probably not valid; {MAP_ACCESS_TOKEN}"),
        );
    }
    Err(refusal(&answer, r))
}

fn endpoint(uri: &url::Url) -> String {
    let host = uri.host_str().unwrap_or("?");
    printable(&match uri.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    })
    .into_owned()
}

/// Azure DevOps' refusal in one line, with what to fix.
fn refusal(answer: &super::workload_identity::CiAnswer, r: &Request<'_>) -> anyhow::Error {
    #[derive(serde::Deserialize, Default)]
    struct DevOpsError {
        #[serde(default)]
        message: Option<String>,
    }
    let said = serde_json::from_slice::<DevOpsError>(&answer.body)
        .unwrap_or_default()
        .message
        .unwrap_or_default()
        .replace(r.access_token, "<redacted>");
    let said: String = said.chars().take(300).collect();
    let said = printable(said.trim()).into_owned();
    let said = if said.is_empty() {
        String::new()
    } else {
        format!(": {said}")
    };
    let e2e = answer
        .headers
        .get("x-vss-e2eid")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let v: String = v.chars().take(64).collect();
            format!(", x-vss-e2eid {}", printable(&v))
        })
        .unwrap_or_default();
    let status = answer.status;
    let connection = printable(r.connection);
    let hint = match status {
        // Azure DevOps sends an unauthenticated caller to its sign-in page.
        401 | 300..=399 => format!(
            "the job's access token was refused, so SYSTEM_ACCESSTOKEN is not the job's System.AccessToken; {MAP_ACCESS_TOKEN}"
        ),
        403 => format!(
            "this pipeline may not use service connection {connection}; authorize it in the service connection's Security settings (Pipeline permissions)"
        ),
        400 | 404 => format!(
            "check that {connection} is the id of an Azure Resource Manager service connection with workload identity federation in this project (--azure-pipelines-service-connection-id / {SERVICE_CONNECTION_VARIABLE})"
        ),
        _ => "Azure DevOps could not issue the token; try the job again".to_string(),
    };
    anyhow::anyhow!(
        "Azure DevOps refused the OIDC token request for service connection {connection} (HTTP {status}{said}{e2e}); {hint}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::StoreMode;
    use crate::entra::{AppCredentials, LoginMode, Secret};
    use std::time::Duration;

    const CONNECTION: &str = "5c000000-0000-4000-8000-000000000001";

    fn settings(uri: Option<&str>, token: Option<&str>, connection: Option<&str>) -> Settings {
        Settings {
            authority: url::Url::parse("https://login.microsoftonline.com/").unwrap(),
            tenant: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            client_id: "a9900000-0000-4000-8000-000000000003".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: LoginMode::AzurePipelines,
            timeout: Duration::from_secs(5),
            store: StoreMode::File,
            cache_dir: "/tmp/x".into(),
            credentials: AppCredentials {
                service_connection_id: connection.map(str::to_string),
                pipelines_oidc_request_uri: uri.map(str::to_string),
                pipelines_access_token: token.map(Secret::new),
                ..Default::default()
            },
            ca_file: None,
            interactive: Default::default(),
        }
    }

    /// A loopback stand-in for Azure DevOps' OIDC endpoint: checks the method, the bearer, the
    /// api-version and the connection; `x-vss-e2eid` on every answer.
    async fn devops() -> String {
        use axum::extract::Query;
        use axum::http::{HeaderMap, StatusCode};
        use std::collections::HashMap;
        let app = axum::Router::new().route(
            "/org/_apis/oidctoken",
            axum::routing::post(
                |headers: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
                    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
                    let e2e = [("x-vss-e2eid", "e2e-1")];
                    if header("authorization") != Some("Bearer job-secret")
                        || header("x-tfs-fedauthredirect") != Some("Suppress")
                    {
                        return (StatusCode::UNAUTHORIZED, e2e, String::new());
                    }
                    if q.get("api-version").map(String::as_str) != Some("7.1") {
                        return (StatusCode::BAD_REQUEST, e2e, "{}".into());
                    }
                    match q.get("serviceConnectionId").map(String::as_str) {
                        Some(CONNECTION) => (
                            StatusCode::OK,
                            e2e,
                            r#"{"oidcToken":"ado.oidc.token"}"#.into(),
                        ),
                        Some("empty") => (StatusCode::OK, e2e, r#"{"oidcToken":""}"#.into()),
                        Some("forbidden") => (StatusCode::FORBIDDEN, e2e, "{}".into()),
                        _ => (
                            StatusCode::NOT_FOUND,
                            e2e,
                            r#"{"message":"Service connection \u001b[2J not found; token job-secret","typeKey":"ServiceEndpointNotFoundException"}"#.into(),
                        ),
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/org/_apis/oidctoken")
    }

    async fn token(s: &Settings) -> anyhow::Result<String> {
        let r = request(s)?;
        oidc_token(&r, s).await
    }

    #[tokio::test]
    async fn the_service_connections_oidc_token_comes_back() {
        let uri = devops().await;
        let s = settings(Some(&uri), Some("job-secret"), Some(CONNECTION));
        assert_eq!(token(&s).await.unwrap(), "ado.oidc.token");
    }

    #[tokio::test]
    async fn refusals_say_what_to_fix_and_never_show_the_job_token() {
        let uri = devops().await;
        let e = token(&settings(Some(&uri), Some("wrong"), Some(CONNECTION)))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("HTTP 401") && e.contains("$(System.AccessToken)") && e.contains("e2e-1"),
            "{e}"
        );
        assert!(!e.contains("wrong"), "{e}");
        let e = token(&settings(Some(&uri), Some("job-secret"), Some("nope")))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("HTTP 404")
                && e.contains("not found")
                && e.contains("--azure-pipelines-service-connection-id"),
            "{e}"
        );
        assert!(!e.contains("job-secret") && !e.contains('\u{1b}'), "{e}");
        let e = token(&settings(Some(&uri), Some("job-secret"), Some("forbidden")))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("Pipeline permissions"), "{e}");
        let e = token(&settings(Some(&uri), Some("job-secret"), Some("empty")))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty token") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn missing_settings_are_named_before_any_request() {
        let uri = "https://dev.azure.com/org/_apis/oidctoken";
        let e = request(&settings(None, Some("t"), Some(CONNECTION)))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("SYSTEM_OIDCREQUESTURI is not set"), "{e}");
        let e = request(&settings(Some(uri), None, Some(CONNECTION)))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("SYSTEM_ACCESSTOKEN is not set")
                && e.contains("env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)"),
            "{e}"
        );
        let e = request(&settings(Some(uri), Some("t"), None))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("--azure-pipelines-service-connection-id")
                && e.contains(SERVICE_CONNECTION_VARIABLE),
            "{e}"
        );
        let mut s = settings(Some(uri), Some("t"), Some(CONNECTION));
        s.tenant = "organizations".into();
        let e = request(&s).err().unwrap().to_string();
        assert!(e.contains("AZURESUBSCRIPTION_TENANT_ID"), "{e}");
        let mut s = settings(Some(uri), Some("t"), Some(CONNECTION));
        s.client_id = "80faf920-1908-4b52-b5ef-a8e7bedfc67a".into();
        let e = request(&s).err().unwrap().to_string();
        assert!(e.contains("AZURESUBSCRIPTION_CLIENT_ID"), "{e}");
        // Credentials go over https only (or to loopback).
        let s = settings(Some("http://dev.azure.com/o"), Some("t"), Some(CONNECTION));
        let e = request(&s).err().unwrap().to_string();
        assert!(e.contains("refusing"), "{e}");
        let s = settings(Some(uri), Some("t"), Some(CONNECTION));
        let r = request(&s).unwrap();
        assert_eq!(
            r.uri.as_str(),
            format!("{uri}?api-version=7.1&serviceConnectionId={CONNECTION}")
        );
    }
}
