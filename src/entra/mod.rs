//! Microsoft Entra ID: clouds and authority hosts, the token path and its sign-in modes, token
//! claims.
//!
//! Seams: the authority ([`Authority`]), the sign-in mode ([`SignIn`]), the clock
//! ([`Clock`]) and the message sink ([`Sink`]) are passed in; [`acquire`] wires the real ones.

mod authority;
mod azure_cli;
mod azure_pipelines;
mod browser;
pub(crate) mod claims;
mod client_assertion;
mod cloud;
mod device_code;
mod error;
mod flow;
pub(crate) mod http;
mod interactive;
mod interrupt;
mod loopback;
mod managed_identity;
mod settings;
mod sign_in;
mod silent;
mod spn;
mod tenant;
mod token_answer;
mod window;
pub(crate) mod wire;
mod workload_identity;

#[cfg(test)]
mod app_flow_tests;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod flow_without_refresh_token_tests;

pub use authority::{Authority, BoxFuture, EntraAuthority, Grant, TokenRequest};
pub use azure_pipelines::{
    ACCESS_TOKEN as PIPELINES_ACCESS_TOKEN, OIDC_REQUEST_URI as PIPELINES_OIDC_REQUEST_URI,
};
pub use claims::{account as account_from_jwt, payload as jwt_payload};
pub use client_assertion::ClientCertificate;
pub use cloud::{Cloud, parse_authority};
pub use error::EntraError;
pub use flow::{Flow, Outcome, Source, cached_fresh};
pub use http::Reply;
pub use interrupt::{Interrupted, until_interrupted};
pub use settings::{
    AppCredentials, DEFAULT_BROWSER_TIMEOUT, DEFAULT_ENVIRONMENT, InteractiveSettings, LoginMode,
    PROMPTS, Secret, Settings, parse_timeout,
};
pub use sign_in::{SignIn, SignInContext, for_mode};
pub use silent::token_for_resource_silently;
pub use tenant::validate_tenant;
pub use token_answer::MAX_LIFETIME_SECONDS;
pub use window::{REFRESH_BEFORE_SECONDS, is_fresh, refresh_window};
pub use wire::{DeviceCodeResponse, TokenResponse};

pub use crate::net::{Clock, SystemClock};
use crate::sink::Sink;

/// The token path with the real authority (Entra over HTTPS), the settings' sign-in mode and
/// the system clock. The HTTP client is only built when the cache cannot answer.
pub async fn acquire(
    s: &Settings,
    cache: &crate::cache::TokenCache,
    sink: &dyn Sink,
) -> anyhow::Result<Outcome> {
    let clock = SystemClock;
    if let Some(entry) = cached_fresh(s, cache, clock.now()) {
        return Ok(Outcome {
            entry,
            source: Source::Cache,
        });
    }
    let authority = EntraAuthority::new(s, &clock, sink)?;
    let sign_in = for_mode(s.login)?;
    Flow {
        settings: s,
        cache,
        authority: &authority,
        sign_in: sign_in.as_ref(),
        clock: &clock,
        sink,
    }
    .acquire()
    .await
}

/// An access token with its expiry. Debug never shows the token.
#[derive(Clone)]
pub struct AccessToken {
    pub secret: String,
    pub expires_on: jiff::Timestamp,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// A token for another resource (e.g. `https://graph.microsoft.com`) for the account signed in
/// with `settings` (same authority, tenant and client): from the cache, else silently with the
/// cached refresh token, else a sign-in (prompt through `sink`).
pub async fn token_for_resource(
    settings: &Settings,
    resource: &str,
    sink: &dyn Sink,
) -> anyhow::Result<AccessToken> {
    let settings = settings.for_resource(resource);
    let cache = settings.open_cache();
    let outcome = acquire(&settings, &cache, sink).await?;
    Ok(AccessToken {
        secret: outcome.entry.access_token,
        expires_on: jiff::Timestamp::from_second(outcome.entry.expires_on)
            .unwrap_or(jiff::Timestamp::MAX),
    })
}

/// What the cache holds for a sign-in, without the tokens and without any network call.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CachedView {
    pub upn: Option<String>,
    pub oid: Option<String>,
    pub tid: Option<String>,
    pub name: Option<String>,
    pub expires_on: jiff::Timestamp,
    /// The access token's claims (decoded, not verified); never the token itself.
    pub claims: serde_json::Value,
    /// `keyring` or `file`.
    pub store: &'static str,
    /// A file path, or the keyring service and entry.
    pub location: String,
}

/// The cached token of the sign-in `settings` selects (server id included), or None. No
/// network, no lock, no sign-in; the token may be expired (compare `expires_on`).
pub fn peek(settings: &Settings) -> anyhow::Result<Option<CachedView>> {
    let cache = settings.open_cache();
    let key = settings.token_key();
    let Some(entry) = cache.read_token(&key) else {
        return Ok(None);
    };
    Ok(Some(CachedView {
        upn: entry.account.upn.clone(),
        oid: entry.account.oid.clone(),
        tid: entry.account.tid.clone(),
        name: entry.account.name.clone(),
        expires_on: jiff::Timestamp::from_second(entry.expires_on).unwrap_or(jiff::Timestamp::MAX),
        claims: claims::payload(&entry.access_token).unwrap_or(serde_json::Value::Null),
        store: cache.backend().as_str(),
        location: cache.location(&key),
    }))
}
