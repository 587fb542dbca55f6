//! The token path against a scripted authority, on a clock that does not wait: refresh,
//! refusal and fallback to a sign-in, failures inside the refresh window, expiry edges, and
//! several flows racing for one lock.

use super::authority::{Authority, BoxFuture, Grant, TokenRequest};
use super::device_code::DeviceCode;
use super::error::EntraError;
use super::flow::{Flow, Outcome, Source};
use super::http::Reply;
use super::settings::{LoginMode, Settings};
use super::token_answer::tests::jwt;
use super::wire::{DeviceCodeResponse, TokenResponse};
use crate::cache::{Account, AccountRecord, FORMAT_VERSION, StoreMode, TokenCache, TokenEntry};
use crate::net::{Clock, ManualClock, PausedClock};
use crate::sink::Recorder;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const NOW: i64 = 1_700_000_000;

/// One scripted answer of the token endpoint.
enum Step {
    Token(i64),
    Oauth(&'static str, u16),
    Fail(&'static str),
}

#[derive(Default)]
struct FakeAuthority {
    steps: Mutex<VecDeque<Step>>,
    calls: Mutex<Vec<&'static str>>,
    /// While set, a refresh waits (yielding) until `go` is true.
    hold: AtomicBool,
    go: AtomicBool,
    /// Unix seconds the fake mints tokens at (the clock of the test).
    mint_at: std::sync::atomic::AtomicI64,
}

impl FakeAuthority {
    fn new(steps: Vec<Step>) -> FakeAuthority {
        FakeAuthority {
            steps: Mutex::new(steps.into()),
            mint_at: NOW.into(),
            ..Default::default()
        }
    }

    fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap().clone()
    }
}

/// A token answer like Entra's: a JWT with iat/exp, `expires_in`, a new refresh token.
fn answer(now: i64, lifetime: i64) -> TokenResponse {
    TokenResponse {
        access_token: jwt(&format!(
            r#"{{"iat":{now},"exp":{},"upn":"dev@contoso.com"}}"#,
            now + lifetime
        )),
        token_type: Some("Bearer".into()),
        expires_in: Some(lifetime),
        expires_on: None,
        refresh_token: Some(format!("RT-{now}")),
        id_token: None,
    }
}

impl Authority for FakeAuthority {
    fn device_code<'a>(
        &'a self,
        _client_id: &'a str,
        _scope: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>> {
        self.calls.lock().unwrap().push("devicecode");
        let code = serde_json::from_str(
            r#"{"user_code":"QX7\u001b[2J","device_code":"DC","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5}"#,
        )
        .map(Reply::Ok)
        .map_err(anyhow::Error::from);
        Box::pin(std::future::ready(code))
    }

    fn token<'a>(
        &'a self,
        request: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>> {
        Box::pin(async move {
            let kind = match request.grant {
                Grant::RefreshToken(_) => "refresh",
                Grant::DeviceCode(_) => "poll",
                Grant::AuthorizationCode { .. } => "code",
                Grant::ClientSecret(_) | Grant::ClientAssertion(_) => "client",
            };
            self.calls.lock().unwrap().push(kind);
            while self.hold.load(Ordering::SeqCst) && !self.go.load(Ordering::SeqCst) {
                tokio::task::yield_now().await;
            }
            let step = self.steps.lock().unwrap().pop_front();
            let now = self.mint_at.load(Ordering::SeqCst);
            match step {
                Some(Step::Token(lifetime)) => Ok(Reply::Ok(answer(now, lifetime))),
                Some(Step::Oauth(error, status)) => {
                    let body = format!(
                        r#"{{"error":"{error}","error_description":"AADSTS70000: no.","error_codes":[70000],"correlation_id":"c-1"}}"#
                    );
                    Ok(Reply::Oauth(
                        EntraError::parse(status, body.as_bytes()).unwrap(),
                    ))
                }
                Some(Step::Fail(why)) => Err(anyhow::anyhow!("{why}")),
                None => Err(anyhow::anyhow!("the fake authority has no more answers")),
            }
        })
    }
}

struct World {
    _dir: tempfile::TempDir,
    settings: Settings,
    cache: TokenCache,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            authority: url::Url::parse("https://login.microsoftonline.com/").unwrap(),
            tenant: "organizations".into(),
            client_id: "client".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: LoginMode::DeviceCode,
            credentials: Default::default(),
            interactive: Default::default(),
            timeout: Duration::from_secs(60),
            store: StoreMode::File,
            cache_dir: dir.path().join("cache"),
            ca_file: None,
        };
        let cache = TokenCache::open(StoreMode::File, settings.cache_dir.clone());
        World {
            _dir: dir,
            settings,
            cache,
        }
    }

    /// A cached token issued `lifetime` seconds before it ends, `left` seconds from `NOW`.
    fn cache_token(&self, lifetime: i64, left: i64) -> TokenEntry {
        let exp = NOW + left;
        let entry = TokenEntry {
            version: FORMAT_VERSION,
            access_token: jwt(&format!(r#"{{"iat":{},"exp":{exp}}}"#, exp - lifetime)),
            expires_on: exp,
            refresh_token: Some("RT-old".into()),
            account: Account {
                upn: Some("dev@contoso.com".into()),
                ..Default::default()
            },
        };
        self.cache
            .write_token(&self.settings.token_key(), &entry)
            .unwrap();
        self.cache
            .write_account(
                &self.settings.account_key(),
                &AccountRecord {
                    version: FORMAT_VERSION,
                    refresh_token: "RT-old".into(),
                    account: entry.account.clone(),
                    token_keys: vec![],
                },
            )
            .unwrap();
        entry
    }

    fn cached(&self) -> Option<TokenEntry> {
        self.cache.read_token(&self.settings.token_key())
    }

    async fn run(
        &self,
        authority: &dyn Authority,
        clock: &dyn Clock,
        sink: &Recorder,
    ) -> anyhow::Result<Outcome> {
        Flow {
            settings: &self.settings,
            cache: &self.cache,
            authority,
            sign_in: &DeviceCode,
            clock,
            sink,
        }
        .acquire()
        .await
    }
}

#[tokio::test]
async fn a_token_in_its_refresh_window_is_refreshed() {
    let w = World::new();
    w.cache_token(3600, 100);
    let fake = FakeAuthority::new(vec![Step::Token(3600)]);
    let sink = Recorder::default();
    let out = w.run(&fake, &ManualClock::at(NOW), &sink).await.unwrap();
    assert_eq!(out.source, Source::Refreshed);
    assert_eq!(fake.calls(), ["refresh"]);
    assert_eq!(out.entry.expires_on, NOW + 3600);
    assert_eq!(w.cached().unwrap().access_token, out.entry.access_token);
    assert!(sink.lines().is_empty(), "{:?}", sink.lines());
}

#[tokio::test(start_paused = true)]
async fn a_refused_refresh_signs_in_with_a_device_code_and_says_why_once() {
    for refusal in ["invalid_grant", "interaction_required"] {
        let w = World::new();
        w.cache_token(3600, 100);
        // Refused (token entry's and account's refresh tokens are the same), then two polls.
        let fake = FakeAuthority::new(vec![
            Step::Oauth(refusal, 400),
            Step::Oauth("authorization_pending", 400),
            Step::Token(3600),
        ]);
        let sink = Recorder::default();
        let clock = PausedClock::at(NOW);
        let out = w.run(&fake, &clock, &sink).await.unwrap();
        assert_eq!(out.source, Source::SignedIn);
        assert_eq!(fake.calls(), ["refresh", "devicecode", "poll", "poll"]);
        assert_eq!(clock.now(), NOW + 10, "two polls 5 s apart, on paused time");
        let lines = sink.lines();
        let why: Vec<_> = lines
            .iter()
            .filter(|l| l.contains("can no longer be refreshed"))
            .collect();
        assert_eq!(why.len(), 1, "{lines:?}");
        assert!(
            why[0].contains(refusal) && why[0].contains("AADSTS70000"),
            "{lines:?}"
        );
        // The prompt is shown, and the user code's escape sequence is not sent to the terminal.
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].contains("QX7\\u{1b}[2J"), "{lines:?}");
    }
}

#[tokio::test]
async fn a_failed_refresh_keeps_a_still_valid_token_with_one_warning() {
    for failure in [
        Step::Fail("the token refresh: login.microsoftonline.com answered HTTP 503"),
        Step::Fail("the token refresh: no answer from login.microsoftonline.com within 60s"),
        Step::Fail(
            "the token refresh: cannot reach login.microsoftonline.com (connection refused)",
        ),
        Step::Oauth("temporarily_unavailable", 503),
    ] {
        let w = World::new();
        let before = w.cache_token(3600, 240);
        let fake = FakeAuthority::new(vec![failure]);
        let sink = Recorder::default();
        let out = w.run(&fake, &ManualClock::at(NOW), &sink).await.unwrap();
        assert_eq!(out.source, Source::Cache);
        assert_eq!(out.entry.access_token, before.access_token);
        assert_eq!(fake.calls(), ["refresh"], "no device code");
        let lines = sink.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("warning: "), "{lines:?}");
        assert!(lines[0].contains("still valid for 240 s"), "{lines:?}");
        assert_eq!(w.cached().unwrap().access_token, before.access_token);
    }
}

#[tokio::test]
async fn a_failed_refresh_of_an_expired_token_is_the_error() {
    for (failure, words) in [
        (Step::Fail("the token refresh: HTTP 503"), "HTTP 503"),
        (
            Step::Oauth("temporarily_unavailable", 503),
            "refreshing the token failed: temporarily_unavailable",
        ),
    ] {
        let w = World::new();
        w.cache_token(3600, 0);
        let fake = FakeAuthority::new(vec![failure]);
        let sink = Recorder::default();
        let err = w
            .run(&fake, &ManualClock::at(NOW), &sink)
            .await
            .unwrap_err();
        assert!(format!("{err:#}").contains(words), "{err:#}");
        assert_eq!(fake.calls(), ["refresh"], "no device code");
        assert!(sink.lines().is_empty(), "{:?}", sink.lines());
    }
}

#[tokio::test]
async fn a_bad_refresh_answer_is_not_cached() {
    // The authority answers with a token that already expired: refused, the valid one stays.
    let w = World::new();
    let before = w.cache_token(3600, 200);
    let fake = FakeAuthority::new(vec![Step::Token(0)]);
    let sink = Recorder::default();
    let out = w.run(&fake, &ManualClock::at(NOW), &sink).await.unwrap();
    assert_eq!(out.entry.access_token, before.access_token);
    assert!(
        sink.lines()[0].contains("already expired"),
        "{:?}",
        sink.lines()
    );
    assert_eq!(w.cached().unwrap().access_token, before.access_token);
}

#[tokio::test]
async fn expiry_edges_of_the_refresh_window() {
    // An hour-long token: the window is 300 s. At 301 s left: cache; at 300 and 299: refresh.
    for (left, refreshed) in [(301, false), (300, true), (299, true), (1, true), (0, true)] {
        let w = World::new();
        w.cache_token(3600, left);
        let fake = FakeAuthority::new(vec![Step::Token(3600)]);
        let out = w
            .run(&fake, &ManualClock::at(NOW), &Recorder::default())
            .await
            .unwrap();
        let expected = if refreshed {
            Source::Refreshed
        } else {
            Source::Cache
        };
        assert_eq!(out.source, expected, "{left} s left");
    }
}

#[tokio::test]
async fn two_flows_racing_make_one_refresh() {
    let w = World::new();
    w.cache_token(3600, 100);
    let fake = FakeAuthority::new(vec![Step::Token(3600), Step::Token(3600)]);
    fake.hold.store(true, Ordering::SeqCst);
    let clock = ManualClock::at(NOW);
    let (s1, s2) = (Recorder::default(), Recorder::default());
    let first = w.run(&fake, &clock, &s1);
    let second = async {
        // Let the first flow take the lock and start its refresh, then race it.
        while fake.calls().is_empty() {
            tokio::task::yield_now().await;
        }
        fake.go.store(true, Ordering::SeqCst);
        w.run(&fake, &clock, &s2).await
    };
    let (a, b) = tokio::join!(first, second);
    let mut sources = [a.unwrap().source, b.unwrap().source];
    sources.sort_by_key(|s| *s as u8);
    assert_eq!(sources, [Source::Cache, Source::Refreshed]);
    assert_eq!(fake.calls(), ["refresh"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_calls_with_five_minute_tokens_refresh_once() {
    let w = std::sync::Arc::new(World::new());
    // A 5-minute token with 60 s left (inside its 75 s window).
    w.cache_token(300, 60);
    let fake = std::sync::Arc::new(FakeAuthority::new(
        (0..32).map(|_| Step::Token(300)).collect(),
    ));
    let clock = std::sync::Arc::new(ManualClock::at(NOW));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (w, fake, clock) = (w.clone(), fake.clone(), clock.clone());
        tasks.push(tokio::spawn(async move {
            w.run(fake.as_ref(), clock.as_ref(), &Recorder::default())
                .await
                .map(|o| o.source)
        }));
    }
    let mut refreshed = 0;
    for t in tasks {
        if t.await.unwrap().unwrap() == Source::Refreshed {
            refreshed += 1;
        }
    }
    assert_eq!(refreshed, 1);
    assert_eq!(fake.calls(), ["refresh"]);
    // And the new 5-minute token is served from the cache, not refreshed on every call.
    let out = w
        .run(fake.as_ref(), clock.as_ref(), &Recorder::default())
        .await
        .unwrap();
    assert_eq!(out.source, Source::Cache);
}
