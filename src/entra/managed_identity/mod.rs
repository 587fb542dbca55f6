//! `--login msi`: a managed identity's token from the machine's identity endpoint, no secret.
//!
//! Three endpoint shapes, chosen from the environment the platform sets ([`endpoint`]):
//! - App Service / Functions / Container Apps: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`,
//!   `GET {endpoint}?api-version=2019-08-01&resource=R[&client_id=C|&mi_res_id=ID]` with the
//!   header value in `X-IDENTITY-HEADER`.
//! - Azure Arc-enabled servers: `IDENTITY_ENDPOINT` + `IMDS_ENDPOINT` (no header), `GET
//!   {endpoint}?api-version=2020-06-01&resource=R` with `Metadata: true`, answered by a
//!   challenge naming a key file that proves the caller may read the agent's keys ([`arc`]).
//!   System-assigned identity only.
//! - Everywhere else (VMs, scale sets, AKS nodes): IMDS, `GET http://169.254.169.254/metadata/
//!   identity/oauth2/token?api-version=2018-02-01&resource=R[&client_id=C|&msi_res_id=ID]` with
//!   `Metadata: true`. `AZURE_POD_IDENTITY_AUTHORITY_HOST` replaces the host, as azidentity (and
//!   so kubelogin) reads it for aad-pod-identity; it is also how the tests reach the sandbox.
//!   Only loopback or the IMDS address are accepted there: the answer is a credential.
//!
//! IMDS asks clients to retry 404, 410, 429 and 5xx with backoff; here at most
//! [`ATTEMPTS`] attempts, honouring `Retry-After` up to [`MAX_WAIT`]. Connecting is bounded by
//! [`CONNECT_TIMEOUT`]: off Azure nothing answers at 169.254.169.254, and that should be a
//! clear error in two seconds, not a hang until `--timeout`.

mod answer;
mod arc;
mod endpoint;

use super::authority::BoxFuture;
use super::settings::{Secret, Settings};
use super::sign_in::{SignIn, SignInContext};
use super::wire::TokenResponse;
use crate::net::{self, Clock};
use crate::sink::Sink;
use answer::{parse_token, policy, refusal, retriable};
use endpoint::{Endpoint, Identity};
use std::path::Path;
use std::time::Duration;

pub struct ManagedIdentity;

impl SignIn for ManagedIdentity {
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

/// The public client `az aks get-credentials` writes into kubeconfigs: it names no managed
/// identity, so with it the request asks for the system-assigned one.
pub const AKS_DEFAULT_CLIENT_ID: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/// Set by aad-pod-identity setups; read by azidentity and MSAL as the IMDS host.
pub const IMDS_HOST_VARIABLE: &str = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

pub const ATTEMPTS: u32 = 4;
pub const MAX_WAIT: Duration = Duration::from_secs(10);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    let identity = Identity::from_settings(s)?;
    let endpoint = Endpoint::from_env(&|name| std::env::var(name).ok())?;
    let arc_keys = match endpoint {
        Endpoint::Arc(_) => {
            arc::check_identity(&identity)?;
            Some(arc::platform_key_dir()?)
        }
        _ => None,
    };
    fetch(
        &endpoint,
        &identity,
        s,
        cx.clock,
        cx.sink,
        arc_keys.as_deref(),
    )
    .await
}

/// The token request with IMDS's retries. `arc_keys` is where Azure Arc's key files must be
/// (the platform's directory; a temporary one in tests).
async fn fetch(
    endpoint: &Endpoint,
    identity: &Identity,
    s: &Settings,
    clock: &dyn Clock,
    sink: &dyn Sink,
    arc_keys: Option<&Path>,
) -> anyhow::Result<TokenResponse> {
    let url = endpoint.request_url(&s.resource, identity);
    let host = endpoint.host();
    let what = endpoint.name();
    let client = net::client_builder(s.timeout, s.ca_file.as_deref())?
        .connect_timeout(CONNECT_TIMEOUT.min(s.timeout))
        // A link-local or loopback address is never reached through a proxy.
        .no_proxy()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot set up HTTP: {e}"))?;
    let policy = policy();
    let mut attempt = 1;
    // Arc: the key the agent's challenge pointed at, sent from then on.
    let mut arc_key: Option<Secret> = None;
    loop {
        tracing::debug!("GET {} ({what}, attempt {attempt})", url.path());
        let mut request = client.get(url.clone());
        request = match endpoint {
            Endpoint::Imds(_) => request.header("Metadata", "true"),
            Endpoint::AppService(_, secret) => request.header("X-IDENTITY-HEADER", secret),
            Endpoint::Arc(_) => match &arc_key {
                Some(key) => request
                    .header("Metadata", "true")
                    .header("Authorization", format!("Basic {}", key.expose())),
                None => request.header("Metadata", "true"),
            },
        };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport_error(&e, what, &host, s.timeout)),
        };
        let status = response.status().as_u16();
        if let Some(target) = net::redirect_target(&response) {
            return Err(net::redirect_error(what, &host, status, &target));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| net::parse_retry_after(v, clock.now()));
        let challenge = response
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = net::read_capped(response, net::ENTRA_BODY_LIMIT)
            .await
            .map_err(|e| match e {
                net::BodyError::Transport(e) => transport_error(&e, what, &host, s.timeout),
                other => anyhow::anyhow!("{what}: {other}"),
            })?;
        tracing::debug!("{what}: HTTP {status} ({} bytes)", body.len());
        if (200..300).contains(&status) {
            return parse_token(&body);
        }
        if let (Endpoint::Arc(_), 401, Some(dir)) = (endpoint, status, arc_keys) {
            if arc_key.is_some() {
                anyhow::bail!(
                    "{what} at {host} refused the key from its own challenge (HTTP 401); try again (the agent renews its keys), and check `azcmagent show` says the agent is connected"
                );
            }
            arc_key = Some(arc::read_key(challenge.as_deref(), dir)?);
            tracing::debug!("{what}: answering the agent's challenge with its key file");
            continue;
        }
        if retriable(status)
            && let Some(wait) = policy.wait(attempt, retry_after)
        {
            sink.info(&format!(
                "{host} answered HTTP {status} to the managed identity token request; retrying in {} s ({attempt} of {}).",
                wait.as_secs(),
                policy.max_attempts - 1
            ));
            clock.sleep(wait).await;
            attempt += 1;
            continue;
        }
        return Err(refusal(status, &body, identity, what, &host, attempt));
    }
}

fn transport_error(e: &reqwest::Error, what: &str, host: &str, timeout: Duration) -> anyhow::Error {
    if e.is_connect() {
        anyhow::anyhow!(
            "{what} at {host} cannot be reached ({}); --login msi works on Azure machines with a managed identity (VMs, scale sets, AKS nodes, App Service, Arc-enabled servers). Elsewhere use --login azurecli, spn or workloadidentity, or point {IMDS_HOST_VARIABLE} at a local endpoint",
            net::describe_transport(e)
        )
    } else if e.is_timeout() {
        anyhow::anyhow!(
            "{what} at {host} did not answer within {}s (--timeout); try again, or raise --timeout",
            timeout.as_secs_f64().ceil() as u64
        )
    } else {
        anyhow::anyhow!("{what} at {host} failed ({})", net::describe_transport(e))
    }
}
