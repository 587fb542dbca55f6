//! Microsoft Entra ID: clouds and authority hosts, device-code and refresh flows, token claims.
//!
//! INTERFACE CONTRACT (graph/bind/whoami call these; keep the signatures stable).

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
pub async fn token_for_resource(_args: &AuthArgs, _resource: &str) -> anyhow::Result<AccessToken> {
    anyhow::bail!("signing in for another resource is not available in this build yet")
}
