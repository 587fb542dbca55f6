//! Getting a token: the cache, else (under the per-key lock) a silent refresh, else a
//! device-code sign-in; then the new tokens are stored.

use super::http::{Http, Reply};
use super::settings::Settings;
use super::wire::TokenResponse;
use super::{claims, device_code, refresh};
use crate::cache::{Account, AccountRecord, FORMAT_VERSION, TokenCache, TokenEntry};

/// Refresh when less than this is left (seconds).
pub const REFRESH_BEFORE_SECONDS: i64 = 300;

/// Where the token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cache,
    Refreshed,
    SignedIn,
}

#[derive(Debug)]
pub struct Outcome {
    pub entry: TokenEntry,
    pub source: Source,
}

pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The hot path: a cached token with more than five minutes left. No lock, no runtime, no
/// network.
pub fn cached_fresh(s: &Settings, cache: &TokenCache) -> Option<TokenEntry> {
    let entry = cache.read_token(&s.token_key())?;
    (entry.seconds_left(now()) > REFRESH_BEFORE_SECONDS).then_some(entry)
}

/// How long to wait for another process's sign-in: it may be showing a device code, which
/// Entra keeps valid for 15 minutes, or refreshing, which each network call bounds.
fn lock_wait(s: &Settings) -> std::time::Duration {
    s.timeout.max(std::time::Duration::from_secs(15 * 60))
}

/// The whole path. Safe to run from many processes at once: one of them refreshes or signs in,
/// the others wait on the lock and then find the new token in the cache.
pub async fn acquire(s: &Settings, cache: &TokenCache) -> anyhow::Result<Outcome> {
    if let Some(entry) = cached_fresh(s, cache) {
        tracing::debug!("token cache hit");
        return Ok(Outcome {
            entry,
            source: Source::Cache,
        });
    }
    let key = s.token_key();
    let _lock = {
        let cache = cache.clone();
        let key = key.clone();
        let max_wait = lock_wait(s);
        tokio::task::spawn_blocking(move || {
            tracing::debug!("waiting for the cache lock {}", key.name());
            cache.lock(&key, max_wait, &mut || {
                crate::say!(
                    "kubectl-entra: another kubectl-entra is signing in; waiting for it (up to {}s) ...",
                    max_wait.as_secs()
                )
            })
        })
        .await??
    };
    // Another process may have refreshed while we waited.
    if let Some(entry) = cached_fresh(s, cache) {
        tracing::debug!("token cache hit after the lock");
        return Ok(Outcome {
            entry,
            source: Source::Cache,
        });
    }
    let http = Http::new(s.timeout)?;
    let existing = cache.read_token(&key);
    let record = cache.read_account(&s.account_key());
    let previous_account = existing
        .as_ref()
        .map(|e| e.account.clone())
        .or_else(|| record.as_ref().map(|r| r.account.clone()));

    let mut candidates: Vec<String> = Vec::new();
    if let Some(rt) = existing.as_ref().and_then(|e| e.refresh_token.clone()) {
        candidates.push(rt);
    }
    if let Some(r) = &record
        && !candidates.contains(&r.refresh_token)
    {
        candidates.push(r.refresh_token.clone());
    }
    let mut refused = None;
    for rt in &candidates {
        tracing::debug!("refreshing with a cached refresh token");
        match refresh::redeem(&http, s, rt).await? {
            Reply::Ok(response) => {
                let entry = store(s, cache, response, previous_account, Some(rt))?;
                return Ok(Outcome {
                    entry,
                    source: Source::Refreshed,
                });
            }
            Reply::Oauth(e) if e.needs_new_sign_in() => refused = Some(e),
            Reply::Oauth(e) => anyhow::bail!(
                "refreshing the token failed: {e}; run `kubectl entra logout` and sign in again if it persists"
            ),
        }
    }
    if let Some(e) = refused {
        let correlation = e
            .correlation_id
            .as_deref()
            .map(|c| format!(", correlation id {c}"))
            .unwrap_or_default();
        eprintln!(
            "kubectl-entra: the saved sign-in can no longer be refreshed silently ({}{correlation}); signing in again with a device code.",
            e.short()
        );
    }
    let response = device_code::sign_in(&http, s).await?;
    let entry = store(s, cache, response, previous_account, None)?;
    Ok(Outcome {
        entry,
        source: Source::SignedIn,
    })
}

/// Turns a token response into cache entries and writes them. A failed write is reported on
/// stderr but does not cost the user the token they just got.
fn store(
    s: &Settings,
    cache: &TokenCache,
    response: TokenResponse,
    previous: Option<Account>,
    old_refresh_token: Option<&str>,
) -> anyhow::Result<TokenEntry> {
    let now = now();
    let expires_on = response
        .expires_in
        .map(|secs| now.saturating_add(secs))
        .or(response.expires_on)
        .or_else(|| claims::expiry(&response.access_token))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the authority's token answer has no expiry (expires_in); cannot cache it"
            )
        })?;
    let mut account = response
        .id_token
        .as_deref()
        .and_then(claims::account)
        .or_else(|| claims::account(&response.access_token))
        .unwrap_or_default();
    if let Some(prev) = previous {
        account.upn = account.upn.or(prev.upn);
        account.oid = account.oid.or(prev.oid);
        account.tid = account.tid.or(prev.tid);
        account.name = account.name.or(prev.name);
    }
    let refresh_token = response
        .refresh_token
        .clone()
        .or_else(|| old_refresh_token.map(str::to_string));
    let entry = TokenEntry {
        version: FORMAT_VERSION,
        access_token: response.access_token,
        expires_on,
        refresh_token: refresh_token.clone(),
        account: account.clone(),
    };
    if let Err(e) = cache.write_token(&s.token_key(), &entry) {
        eprintln!("kubectl-entra: warning: the token was not cached: {e:#}");
    }
    if let Some(refresh_token) = refresh_token {
        let record = AccountRecord {
            version: FORMAT_VERSION,
            refresh_token,
            account,
        };
        if let Err(e) = cache.write_account(&s.account_key(), &record) {
            eprintln!("kubectl-entra: warning: the refresh token was not cached: {e:#}");
        }
    }
    Ok(entry)
}
