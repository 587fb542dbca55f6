//! Getting a token, written once for every sign-in mode: the cache, else (under the per-key
//! lock, after a second look) a silent refresh, else the mode's sign-in; then the answer is
//! checked and stored. The authority, the mode, the clock and the message sink are passed in.

use super::authority::{Authority, Grant, TokenRequest};
use super::claims;
use super::http::Reply;
use super::settings::Settings;
use super::sign_in::{SignIn, SignInContext};
use super::token_answer::checked_expiry;
use super::window::is_fresh;
use super::wire::TokenResponse;
use crate::cache::{Account, AccountRecord, FORMAT_VERSION, TokenCache, TokenEntry};
use crate::net::Clock;
use crate::sink::Sink;

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

/// The hot path: a cached token outside its refresh window. No lock, no runtime, no network.
pub fn cached_fresh(s: &Settings, cache: &TokenCache, now: i64) -> Option<TokenEntry> {
    let entry = cache.read_token(&s.token_key())?;
    is_fresh(&entry, now).then_some(entry)
}

/// How long to wait for another process's sign-in: it may be showing a device code, which
/// Entra keeps valid for 15 minutes, or refreshing, which each network call bounds.
fn lock_wait(s: &Settings) -> std::time::Duration {
    s.timeout
        .max(std::time::Duration::from_secs(15 * 60))
        .max(s.interactive.browser_timeout)
}

/// One run of the token path with its collaborators.
pub struct Flow<'a> {
    pub settings: &'a Settings,
    pub cache: &'a TokenCache,
    pub authority: &'a dyn Authority,
    pub sign_in: &'a dyn SignIn,
    pub clock: &'a dyn Clock,
    pub sink: &'a dyn Sink,
}

impl Flow<'_> {
    /// Takes the per-key lock on a blocking thread; after about a second of waiting, says once
    /// that another kubectl-entra is signing in (the lock's wait is bounded by [`lock_wait`]).
    async fn lock(&self, key: &crate::cache::CacheKey) -> anyhow::Result<crate::cache::KeyLock> {
        let cache = self.cache.clone();
        let key = key.clone();
        let max_wait = lock_wait(self.settings);
        let (waiting_tx, mut waiting_rx) = tokio::sync::oneshot::channel::<()>();
        let mut waiting_tx = Some(waiting_tx);
        let mut task = tokio::task::spawn_blocking(move || {
            tracing::debug!("waiting for the cache lock {}", key.name());
            cache.lock(&key, max_wait, &mut || {
                if let Some(tx) = waiting_tx.take() {
                    let _ = tx.send(());
                }
            })
        });
        tokio::select! {
            done = &mut task => return done?,
            notified = &mut waiting_rx => {
                if notified.is_ok() {
                    self.sink.info(&format!(
                        "another kubectl-entra is signing in; waiting for it (up to {}s) ...",
                        max_wait.as_secs()
                    ));
                }
            }
        }
        task.await?
    }

    /// The whole path. Safe to run from many processes at once: one of them refreshes or signs
    /// in, the others wait on the lock and then find the new token in the cache.
    pub async fn acquire(&self) -> anyhow::Result<Outcome> {
        let (s, cache) = (self.settings, self.cache);
        if let Some(entry) = cached_fresh(s, cache, self.clock.now()) {
            tracing::debug!("token cache hit");
            return Ok(cached(entry));
        }
        let key = s.token_key();
        let _lock = self.lock(&key).await?;
        // Another process may have refreshed while we waited.
        if let Some(entry) = cached_fresh(s, cache, self.clock.now()) {
            tracing::debug!("token cache hit after the lock");
            return Ok(cached(entry));
        }
        let existing = cache.read_token(&key);
        // Modes without a refresh token (azurecli, msi, spn...) keep no account record and
        // must not take a user's from one.
        let record = if self.sign_in.returns_refresh_token() {
            cache.read_account(&s.account_key())
        } else {
            None
        };
        let previous_account = existing
            .as_ref()
            .map(|e| e.account.clone())
            .or_else(|| record.as_ref().map(|r| r.account.clone()));

        let mut candidates: Vec<String> = Vec::new();
        if self.sign_in.returns_refresh_token() {
            if let Some(rt) = existing.as_ref().and_then(|e| e.refresh_token.clone()) {
                candidates.push(rt);
            }
            if let Some(r) = &record
                && !candidates.contains(&r.refresh_token)
            {
                candidates.push(r.refresh_token.clone());
            }
        }
        let scope = s.scope();
        let mut refused = None;
        for rt in &candidates {
            tracing::debug!("refreshing with a cached refresh token");
            let request = TokenRequest {
                client_id: &s.client_id,
                scope: &scope,
                grant: Grant::RefreshToken(rt),
            };
            let failure = match self.authority.token(request).await {
                Ok(Reply::Ok(response)) => {
                    match self.store(
                        response,
                        previous_account.clone(),
                        Some(rt),
                        record.is_some(),
                    ) {
                        Ok(entry) => {
                            return Ok(Outcome {
                                entry,
                                source: Source::Refreshed,
                            });
                        }
                        Err(e) => e,
                    }
                }
                Ok(Reply::Oauth(e)) if e.needs_new_sign_in() => {
                    refused = Some(e);
                    continue;
                }
                Ok(Reply::Oauth(e)) => anyhow::anyhow!(
                    "refreshing the token failed: {e}; run `kubectl entra logout` and sign in again if it persists"
                ),
                Err(e) => e,
            };
            return self.keep_valid_token(existing, failure);
        }
        if let Some(e) = refused {
            let correlation = e
                .correlation_id
                .as_deref()
                .map(|c| format!(", correlation id {c}"))
                .unwrap_or_default();
            self.sink.info(&format!(
                "the saved sign-in can no longer be refreshed silently ({}{correlation}); signing in again.",
                e.short()
            ));
        }
        let cx = SignInContext {
            settings: s,
            authority: self.authority,
            clock: self.clock,
            sink: self.sink,
        };
        let response = match self.sign_in.sign_in(&cx).await {
            Ok(response) => response,
            // A mode without a refresh token (service principal, workload identity) asks again
            // in the refresh window; until the token ends, a failed ask keeps it, as MSAL does.
            Err(e) if !self.sign_in.returns_refresh_token() => {
                return self.keep_valid_token(existing, e);
            }
            Err(e) => return Err(e),
        };
        let entry = self.store(response, previous_account, None, false)?;
        Ok(Outcome {
            entry,
            source: Source::SignedIn,
        })
    }

    /// A refresh failed for a reason a new sign-in would not fix (the authority is down, slow,
    /// throttling, or answered nonsense). A token that is still valid is handed out with one
    /// warning, as MSAL does; only an expired one makes the failure the answer.
    fn keep_valid_token(
        &self,
        existing: Option<TokenEntry>,
        failure: anyhow::Error,
    ) -> anyhow::Result<Outcome> {
        let now = self.clock.now();
        match existing.filter(|e| e.seconds_left(now) > 0) {
            Some(entry) => {
                self.sink.warn(&format!(
                    "{failure:#}; using the cached token, which is still valid for {} s",
                    entry.seconds_left(now)
                ));
                Ok(cached(entry))
            }
            None => Err(failure),
        }
    }

    /// Checks a token answer, turns it into cache entries and writes them. A failed write is
    /// reported but does not cost the user the token they just got.
    fn store(
        &self,
        response: TokenResponse,
        previous: Option<Account>,
        old_refresh_token: Option<&str>,
        had_account_record: bool,
    ) -> anyhow::Result<TokenEntry> {
        let s = self.settings;
        let expires_on = checked_expiry(&response, self.clock.now(), s.expects_jwt())?;
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
        let refresh_token = if self.sign_in.returns_refresh_token() {
            response
                .refresh_token
                .clone()
                .or_else(|| old_refresh_token.map(str::to_string))
        } else {
            None
        };
        let entry = TokenEntry {
            version: FORMAT_VERSION,
            access_token: response.access_token,
            expires_on,
            refresh_token: refresh_token.clone(),
            account: account.clone(),
        };
        if let Err(e) = self.cache.write_token(&s.token_key(), &entry) {
            self.sink.warn(&format!("the token was not cached: {e:#}"));
        }
        if let Some(refresh_token) = refresh_token {
            let record = AccountRecord {
                version: FORMAT_VERSION,
                refresh_token,
                account,
                token_keys: vec![s.token_key().name().to_string()],
            };
            self.store_account(&record, had_account_record);
        }
        Ok(entry)
    }

    /// Writes the account record under its own lock (held briefly by writers and by `logout`,
    /// always after a token key's lock). A refresh that started from a record which is gone now
    /// raced a `logout`: the record is not written back, so logout keeps its word.
    fn store_account(&self, record: &AccountRecord, had_account_record: bool) {
        let key = self.settings.account_key();
        let _lock = match self
            .cache
            .lock(&key, std::time::Duration::from_secs(10), &mut || {})
        {
            Ok(lock) => lock,
            Err(e) => {
                self.sink
                    .warn(&format!("the refresh token was not cached: {e:#}"));
                return;
            }
        };
        let current = self.cache.read_account(&key);
        if had_account_record && current.is_none() {
            tracing::debug!(
                "the account record was removed (logout) during the refresh; not writing it back"
            );
            return;
        }
        // Keep the other server ids this sign-in holds tokens for, so logout finds them all.
        let mut record = record.clone();
        if let Some(current) = current {
            let mine = std::mem::replace(&mut record.token_keys, current.token_keys);
            for key in &mine {
                record.remember(key);
            }
        }
        if let Err(e) = self.cache.write_account(&key, &record) {
            self.sink
                .warn(&format!("the refresh token was not cached: {e:#}"));
        }
    }
}

fn cached(entry: TokenEntry) -> Outcome {
    Outcome {
        entry,
        source: Source::Cache,
    }
}
