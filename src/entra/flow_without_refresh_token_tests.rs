//! The shared token path for modes without a refresh token (azurecli, msi): the sign-in is the
//! refresh, no account record is read or written, and a failing endpoint in the refresh window
//! does not cost a token that is still valid.

use super::authority::{Authority, BoxFuture, TokenRequest};
use super::flow::{Flow, Source};
use super::http::Reply;
use super::settings::{LoginMode, Settings};
use super::sign_in::{SignIn, SignInContext};
use super::token_answer::tests::jwt;
use super::wire::{DeviceCodeResponse, TokenResponse};
use crate::cache::{Account, AccountRecord, FORMAT_VERSION, StoreMode, TokenCache, TokenEntry};
use crate::net::ManualClock;
use crate::sink::Recorder;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const NOW: i64 = 1_700_000_000;

/// These modes never talk to the authority.
struct NoAuthority;

impl Authority for NoAuthority {
    fn device_code<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>> {
        Box::pin(std::future::ready(Err(anyhow::anyhow!("no device code"))))
    }

    fn token<'a>(
        &'a self,
        _: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>> {
        Box::pin(std::future::ready(Err(anyhow::anyhow!(
            "no token endpoint"
        ))))
    }
}

/// A managed identity or `az`: answers with an app token, or fails.
struct Scripted {
    fail: bool,
    calls: AtomicUsize,
}

impl SignIn for Scripted {
    fn returns_refresh_token(&self) -> bool {
        false
    }

    fn sign_in<'a>(
        &'a self,
        _cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let result = if self.fail {
            Err(anyhow::anyhow!("IMDS is down"))
        } else {
            Ok(TokenResponse {
                access_token: jwt(&format!(
                    r#"{{"iat":{NOW},"exp":{},"oid":"mi-oid"}}"#,
                    NOW + 86_400
                )),
                token_type: Some("Bearer".into()),
                expires_in: Some(86_399),
                expires_on: None,
                refresh_token: Some("ignored".into()),
                id_token: None,
            })
        };
        Box::pin(std::future::ready(result))
    }
}

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        ca_file: None,
        interactive: Default::default(),
        authority: url::Url::parse("https://login.microsoftonline.com/").unwrap(),
        tenant: "organizations".into(),
        client_id: "80faf920-1908-4b52-b5ef-a8e7bedfc67a".into(),
        resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
        login: LoginMode::Msi,
        credentials: Default::default(),
        timeout: Duration::from_secs(60),
        store: StoreMode::File,
        cache_dir: dir.join("cache"),
    }
}

async fn run(
    s: &Settings,
    cache: &TokenCache,
    mode: &Scripted,
    sink: &Recorder,
) -> anyhow::Result<super::flow::Outcome> {
    Flow {
        settings: s,
        cache,
        authority: &NoAuthority,
        sign_in: mode,
        clock: &ManualClock::at(NOW),
        sink,
    }
    .acquire()
    .await
}

#[tokio::test]
async fn signs_in_once_then_serves_the_cache_and_keeps_no_account() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let cache = s.open_cache();
    // A user's record for the same authority, tenant and client (a device-code sign-in).
    cache
        .write_account(
            &s.account_key(),
            &AccountRecord {
                version: FORMAT_VERSION,
                refresh_token: "RT-user".into(),
                account: Account {
                    upn: Some("dev@contoso.com".into()),
                    ..Default::default()
                },
                token_keys: vec![],
            },
        )
        .unwrap();
    let mode = Scripted {
        fail: false,
        calls: AtomicUsize::new(0),
    };
    let sink = Recorder::default();
    let out = run(&s, &cache, &mode, &sink).await.unwrap();
    assert_eq!(out.source, Source::SignedIn);
    assert_eq!(out.entry.account.upn, None, "not the user's upn");
    assert_eq!(out.entry.account.oid.as_deref(), Some("mi-oid"));
    assert_eq!(out.entry.refresh_token, None, "never kept");
    let again = run(&s, &cache, &mode, &sink).await.unwrap();
    assert_eq!(again.source, Source::Cache);
    assert_eq!(mode.calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        cache.read_account(&s.account_key()).unwrap().refresh_token,
        "RT-user",
        "the user's record is left alone"
    );
    assert!(sink.lines().is_empty(), "{:?}", sink.lines());
}

#[tokio::test]
async fn a_failure_in_the_refresh_window_keeps_a_valid_token_and_an_expired_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path());
    let cache = s.open_cache();
    let put = |left: i64| {
        let entry = TokenEntry {
            version: FORMAT_VERSION,
            access_token: jwt(&format!(r#"{{"iat":{},"exp":{}}}"#, NOW - 3600, NOW + left)),
            expires_on: NOW + left,
            refresh_token: None,
            account: Account::default(),
        };
        cache.write_token(&s.token_key(), &entry).unwrap();
    };
    let down = Scripted {
        fail: true,
        calls: AtomicUsize::new(0),
    };
    put(100);
    let sink = Recorder::default();
    let out = run(&s, &cache, &down, &sink).await.unwrap();
    assert_eq!(out.source, Source::Cache);
    let lines = sink.lines();
    assert!(
        lines.len() == 1 && lines[0].contains("IMDS is down") && lines[0].contains("100 s"),
        "{lines:?}"
    );
    put(-1);
    let err = run(&s, &cache, &down, &Recorder::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("IMDS is down"), "{err}");
    assert_eq!(
        cache.read_token(&s.token_key()).unwrap().expires_on,
        NOW - 1,
        "untouched"
    );
}
