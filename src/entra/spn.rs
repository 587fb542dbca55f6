//! `--login spn`: client credentials of a service principal, proven by its client secret or by
//! an assertion signed with its certificate ([`super::client_assertion`]). No user, no refresh
//! token: the flow caches the access token and asks again in the refresh window.
//!
//! With both a certificate and a secret the certificate is used, as in kubelogin.

use super::authority::{BoxFuture, Grant, TokenRequest};
use super::client_assertion::ClientCertificate;
use super::error::EntraError;
use super::http::Reply;
use super::sign_in::{SignIn, SignInContext};
use super::wire::TokenResponse;

pub struct ServicePrincipal;

impl SignIn for ServicePrincipal {
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

/// The public AKS client kubelogin and we default to; a service principal is never it.
const AKS_PUBLIC_CLIENT: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    check_app_identity(
        s,
        "spn",
        "AAD_SERVICE_PRINCIPAL_CLIENT_ID or AZURE_CLIENT_ID",
    )?;
    let c = &s.credentials;
    if let Some(path) = &c.client_certificate {
        let cert = ClientCertificate::load(path, c.client_certificate_password.as_ref())?;
        tracing::debug!(
            "client assertion signed with the certificate x5t={}",
            cert.x5t()
        );
        let audience = s.token_endpoint()?;
        let assertion = cert.assertion(&s.client_id, audience.as_str(), cx.clock.now())?;
        let what = format!("the certificate {} (x5t {})", path.display(), cert.x5t());
        return redeem(cx, Grant::ClientAssertion(&assertion), &what).await;
    }
    let Some(secret) = c.client_secret.as_ref().filter(|s| !s.expose().is_empty()) else {
        anyhow::bail!(
            "--login spn needs the service principal's secret or certificate: pass --client-secret (or set AAD_SERVICE_PRINCIPAL_CLIENT_SECRET / AZURE_CLIENT_SECRET) or --client-certificate (AZURE_CLIENT_CERTIFICATE_PATH)"
        );
    };
    redeem(
        cx,
        Grant::ClientSecret(secret.expose()),
        "the client secret",
    )
    .await
}

/// Client credentials name one application in one tenant: not the public AKS client, and not
/// `organizations`/`common` (Entra has no tenant to look the application up in).
pub(super) fn check_app_identity(
    s: &super::settings::Settings,
    mode: &str,
    client_variables: &str,
) -> anyhow::Result<()> {
    if s.client_id.eq_ignore_ascii_case(AKS_PUBLIC_CLIENT) {
        anyhow::bail!(
            "--login {mode} needs the application's own --client-id (or {client_variables}); {AKS_PUBLIC_CLIENT} is the public AKS client, which has no credentials"
        );
    }
    if matches!(
        s.tenant.to_ascii_lowercase().as_str(),
        "organizations" | "common" | "consumers"
    ) {
        anyhow::bail!(
            "--login {mode} needs the application's tenant: pass --tenant-id (or set AZURE_TENANT_ID) to its tenant id instead of {}",
            s.tenant
        );
    }
    Ok(())
}

/// One client-credentials request and its refusals in words. `what` names the credential
/// (never its value).
pub(super) async fn redeem(
    cx: &SignInContext<'_>,
    grant: Grant<'_>,
    what: &str,
) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    let scope = s.app_scope();
    let request = TokenRequest {
        client_id: &s.client_id,
        scope: &scope,
        grant,
    };
    match cx.authority.token(request).await? {
        Reply::Ok(token) => Ok(token),
        Reply::Oauth(e) => Err(refusal(&e, s, what)),
    }
}

/// The subject a federated credential names for the token `what` describes.
fn federated_subject(what: &str) -> &'static str {
    if what.contains("Azure Pipelines") {
        "sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION"
    } else if what.contains("GitHub") {
        "repo:OWNER/REPO:environment:NAME or :ref:refs/heads/BRANCH"
    } else {
        "system:serviceaccount:NAMESPACE:NAME"
    }
}

/// The fix for each refusal Entra gives client credentials.
fn refusal(e: &EntraError, s: &super::settings::Settings, what: &str) -> anyhow::Error {
    let code = e.error_codes.first().copied().unwrap_or_default();
    let (client, tenant) = (&s.client_id, &s.tenant);
    match code {
        7000215 => anyhow::anyhow!(
            "the client secret of {client} was refused ({e}); use the secret's value (not its id) from the app registration, and check it has not expired"
        ),
        7000222 => anyhow::anyhow!(
            "the client secret of {client} has expired ({e}); create a new secret in the app registration and pass it with --client-secret"
        ),
        700027 | 700023 => anyhow::anyhow!(
            "{what} was refused for {client} ({e}); upload this certificate to the app registration (Certificates & secrets) or use the one that is"
        ),
        700024 => anyhow::anyhow!(
            "the assertion from {what} is not within its valid time range ({e}); check this machine's clock and that the token is fresh"
        ),
        70021 | 700211 | 700212 | 700213 => anyhow::anyhow!(
            "no federated identity credential of {client} matches {what} ({e}); check the credential's issuer, subject ({}) and audience (api://AzureADTokenExchange)",
            federated_subject(what)
        ),
        700016 => anyhow::anyhow!(
            "application {client} was not found in tenant {tenant} ({e}); check --client-id and --tenant-id"
        ),
        7000218 => anyhow::anyhow!(
            "tenant {tenant} wants a credential for {client} that was not sent ({e}); pass --client-secret or --client-certificate"
        ),
        90002 => anyhow::anyhow!("tenant {tenant} was not found ({e}); check --tenant-id"),
        1002012 | 70011 | 500011 => anyhow::anyhow!(
            "the resource {} cannot be asked for with client credentials ({e}); check --server-id",
            s.resource
        ),
        _ => anyhow::anyhow!("the client credentials request failed with {what}: {e}"),
    }
}
