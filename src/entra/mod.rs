//! Microsoft Entra ID: clouds and authority hosts, device-code and refresh flows, token claims.

pub(crate) mod claims;
mod cloud;
mod device_code;
mod error;
mod flow;
pub(crate) mod http;
mod interrupt;
mod refresh;
mod settings;
pub(crate) mod wire;

pub use claims::{account as account_from_jwt, payload as jwt_payload};
pub use cloud::{Cloud, parse_authority};
pub use error::EntraError;
pub use flow::{Outcome, REFRESH_BEFORE_SECONDS, Source, acquire, cached_fresh, now};
pub use interrupt::{Interrupted, until_interrupted};
pub use settings::{DEFAULT_ENVIRONMENT, LoginMode, Settings, parse_timeout};

use crate::cli::AuthArgs;

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
/// with `args` (same authority, tenant and client): from the cache, else silently with the cached
/// refresh token, else a device-code sign-in (prompt on stderr).
pub async fn token_for_resource(args: &AuthArgs, resource: &str) -> anyhow::Result<AccessToken> {
    let settings = Settings::from_args(args)?.for_resource(resource);
    let cache = settings.open_cache();
    let outcome = acquire(&settings, &cache).await?;
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

/// The cached token of the sign-in `args` selects (server id included), or None. No network,
/// no lock, no device code; the token may be expired (compare `expires_on`).
pub fn peek(args: &AuthArgs) -> anyhow::Result<Option<CachedView>> {
    let settings = Settings::from_args(args)?;
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
