//! The authority as the flows see it: start a device-code sign-in, redeem a grant at the token
//! endpoint. One implementation talks HTTP to Entra ([`EntraAuthority`]); tests script a fake.
//!
//! Each grant (refresh token, device code, authorization code + PKCE, client credentials with a
//! secret or an assertion) is one [`Grant`] variant and its form fields in [`EntraAuthority::token`].

use super::http::{EntraHttp, Reply};
use super::settings::Settings;
use super::wire::{DeviceCodeResponse, TokenResponse};
use crate::net::Clock;
use crate::sink::Sink;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// RFC 8628's grant type (Entra also accepts the bare `device_code` that MSAL sends).
const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 7523's assertion type for client authentication with a JWT.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What is traded for a token. Debug never shows the secret.
#[derive(Clone, Copy)]
pub enum Grant<'a> {
    /// A refresh token (public client: no secret). The scope may name another resource.
    RefreshToken(&'a str),
    /// A device code being polled.
    DeviceCode(&'a str),
    /// An authorization code from the browser redirect, with its PKCE verifier and the exact
    /// redirect URI the authorize request named (Entra compares them).
    AuthorizationCode {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    /// Client credentials of a confidential client (service principal) with its secret.
    ClientSecret(&'a str),
    /// Client credentials proven by a signed JWT: a certificate-signed assertion or a federated
    /// (workload identity) token.
    ClientAssertion(&'a str),
}

impl Grant<'_> {
    /// For messages: "the token refresh", "the sign-in poll".
    pub fn what(&self) -> &'static str {
        match self {
            Grant::RefreshToken(_) => "the token refresh",
            Grant::DeviceCode(_) => "the sign-in poll",
            Grant::AuthorizationCode { .. } => "the authorization code redemption",
            Grant::ClientSecret(_) | Grant::ClientAssertion(_) => "the client credentials request",
        }
    }
}

impl std::fmt::Debug for Grant<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Grant::RefreshToken(_) => "RefreshToken",
            Grant::DeviceCode(_) => "DeviceCode",
            Grant::AuthorizationCode { .. } => "AuthorizationCode",
            Grant::ClientSecret(_) => "ClientSecret",
            Grant::ClientAssertion(_) => "ClientAssertion",
        };
        write!(f, "{name}(<redacted>)")
    }
}

/// One call to the token endpoint.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    pub client_id: &'a str,
    pub scope: &'a str,
    pub grant: Grant<'a>,
}

/// The operations the sign-in modes need. `Err` is a failure to get an answer at all
/// (transport, timeout, an answer too large, a redirect, throttling beyond the retries);
/// `Ok(Reply::Oauth)` is the authority saying no.
pub trait Authority: Send + Sync {
    fn device_code<'a>(
        &'a self,
        client_id: &'a str,
        scope: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>>;

    fn token<'a>(
        &'a self,
        request: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>>;
}

/// Entra's v2.0 endpoints under the settings' authority and tenant.
pub struct EntraAuthority<'a> {
    http: EntraHttp<'a>,
    devicecode: url::Url,
    token: url::Url,
}

impl<'a> EntraAuthority<'a> {
    pub fn new(
        s: &Settings,
        clock: &'a dyn Clock,
        sink: &'a dyn Sink,
    ) -> anyhow::Result<EntraAuthority<'a>> {
        Ok(EntraAuthority {
            http: EntraHttp::new(s.timeout, clock, sink)?.with_ca_file(s.ca_file.as_deref())?,
            devicecode: s.devicecode_endpoint()?,
            token: s.token_endpoint()?,
        })
    }
}

impl Authority for EntraAuthority<'_> {
    fn device_code<'a>(
        &'a self,
        client_id: &'a str,
        scope: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>> {
        Box::pin(self.http.post_form(
            &self.devicecode,
            vec![("client_id", client_id), ("scope", scope)],
            "the device code request",
        ))
    }

    fn token<'a>(
        &'a self,
        r: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>> {
        let mut form = vec![("client_id", r.client_id), ("scope", r.scope)];
        match r.grant {
            Grant::RefreshToken(rt) => {
                form.extend([("grant_type", "refresh_token"), ("refresh_token", rt)])
            }
            Grant::DeviceCode(code) => {
                form.extend([("grant_type", GRANT_DEVICE_CODE), ("device_code", code)])
            }
            Grant::AuthorizationCode {
                code,
                verifier,
                redirect_uri,
            } => form.extend([
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", verifier),
                ("redirect_uri", redirect_uri),
            ]),
            Grant::ClientSecret(secret) => form.extend([
                ("grant_type", "client_credentials"),
                ("client_secret", secret),
            ]),
            Grant::ClientAssertion(assertion) => form.extend([
                ("grant_type", "client_credentials"),
                ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                ("client_assertion", assertion),
            ]),
        }
        // As MSAL sends it: the account's home ids come back with the tokens.
        form.push(("client_info", "1"));
        Box::pin(self.http.post_form(&self.token, form, r.grant.what()))
    }
}
