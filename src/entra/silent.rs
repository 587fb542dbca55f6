//! A token without any sign-in, for shell completion: the cache, else a silent refresh with a
//! cached refresh token (another resource's sign-in counts), else nothing. A TAB must never
//! show a device code or open a browser, and must stay quiet.

use super::authority::{BoxFuture, EntraAuthority};
use super::flow::Flow;
use super::settings::Settings;
use super::sign_in::{SignIn, SignInContext, for_mode};
use super::wire::TokenResponse;
use super::{AccessToken, SystemClock};
use crate::sink::Sink;

/// Stands in for the mode's sign-in: refuses, so the flow ends after the cache and the refresh.
struct NoSignIn {
    returns_refresh_token: bool,
}

impl SignIn for NoSignIn {
    fn returns_refresh_token(&self) -> bool {
        self.returns_refresh_token
    }

    fn sign_in<'a>(
        &'a self,
        _cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>> {
        Box::pin(async { anyhow::bail!("a sign-in is needed, and none is made silently") })
    }
}

/// Says nothing: completion output is the candidates alone.
struct Quiet;

impl Sink for Quiet {
    fn info(&self, _line: &str) {}
    fn warn(&self, _line: &str) {}
}

/// A token for `resource` for the account `settings` signs in, from the cache or a silent
/// refresh; an error when only a sign-in would get one.
pub async fn token_for_resource_silently(
    settings: &Settings,
    resource: &str,
) -> anyhow::Result<AccessToken> {
    let settings = settings.for_resource(resource);
    let cache = settings.open_cache();
    let clock = SystemClock;
    let authority = EntraAuthority::new(&settings, &clock, &Quiet)?;
    let sign_in = NoSignIn {
        returns_refresh_token: for_mode(settings.login)?.returns_refresh_token(),
    };
    let outcome = Flow {
        settings: &settings,
        cache: &cache,
        authority: &authority,
        sign_in: &sign_in,
        clock: &clock,
        sink: &Quiet,
    }
    .acquire()
    .await?;
    Ok(AccessToken {
        secret: outcome.entry.access_token,
        expires_on: jiff::Timestamp::from_second(outcome.entry.expires_on)
            .unwrap_or(jiff::Timestamp::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::StoreMode;
    use crate::entra::LoginMode;

    #[tokio::test]
    async fn an_empty_cache_is_an_error_without_a_prompt_or_a_network_call() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            // Nothing listens there: a network call would fail differently.
            authority: url::Url::parse("http://127.0.0.1:9/").unwrap(),
            tenant: "organizations".into(),
            client_id: "client".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: LoginMode::DeviceCode,
            credentials: Default::default(),
            interactive: Default::default(),
            timeout: std::time::Duration::from_secs(60),
            store: StoreMode::File,
            cache_dir: dir.path().join("cache"),
            ca_file: None,
        };
        let err = token_for_resource_silently(&settings, "https://graph.microsoft.com")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("none is made silently"), "{err:#}");
    }
}
