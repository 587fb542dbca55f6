//! The shared token path with the sign-ins that have no user (service principal, workload
//! identity): the app token is cached under its own key, asked for again (never refreshed) in
//! the refresh window, no account or refresh-token record is written, refusals are one line with
//! the fix, and nothing is cached when the answer is a refusal.

use super::EntraError;
use super::authority::{Authority, BoxFuture, Grant, TokenRequest};
use super::flow::{Flow, Outcome, Source};
use super::http::Reply;
use super::settings::{AppCredentials, LoginMode, Secret, Settings};
use super::sign_in::for_mode;
use super::token_answer::tests::jwt;
use super::wire::{DeviceCodeResponse, TokenResponse};
use crate::cache::{StoreMode, TokenCache};
use crate::net::ManualClock;
use crate::sink::Recorder;
use std::sync::Mutex;
use std::time::Duration;

const NOW: i64 = 1_700_000_000;
const SECRET: &str = "s3cret-value-never-shown";

/// Answers every client-credentials request with an app token, or with `refusal`; records
/// what was presented (the grant kind and, for assertions, the assertion).
#[derive(Default)]
struct AppAuthority {
    refusal: Option<&'static str>,
    fail: bool,
    calls: Mutex<Vec<String>>,
    scopes: Mutex<Vec<String>>,
    mint_at: std::sync::atomic::AtomicI64,
}

impl AppAuthority {
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl Authority for AppAuthority {
    fn device_code<'a>(
        &'a self,
        _: &'a str,
        _: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>> {
        self.calls.lock().unwrap().push("devicecode".into());
        Box::pin(std::future::ready(Err(anyhow::anyhow!(
            "no device code here"
        ))))
    }

    fn token<'a>(
        &'a self,
        request: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>> {
        let call = match request.grant {
            Grant::ClientSecret(s) if s == SECRET => "secret".to_string(),
            Grant::ClientSecret(_) => "wrong secret".to_string(),
            Grant::ClientAssertion(a) => format!("assertion:{a}"),
            other => format!("{other:?}"),
        };
        self.calls.lock().unwrap().push(call);
        self.scopes.lock().unwrap().push(request.scope.to_string());
        let now = self.mint_at.load(std::sync::atomic::Ordering::SeqCst);
        let reply = if self.fail {
            Err(anyhow::anyhow!(
                "the client credentials request: connection refused"
            ))
        } else if let Some(refusal) = self.refusal {
            Ok(Reply::Oauth(
                EntraError::parse(401, refusal.as_bytes()).unwrap(),
            ))
        } else {
            Ok(Reply::Ok(TokenResponse {
                access_token: jwt(&format!(
                    r#"{{"iat":{now},"exp":{},"oid":"sp-oid","idtyp":"app","appid":"app"}}"#,
                    now + 3600
                )),
                token_type: Some("Bearer".into()),
                expires_in: Some(3600),
                expires_on: None,
                refresh_token: None,
                id_token: None,
            }))
        };
        Box::pin(std::future::ready(reply))
    }
}

struct World {
    dir: tempfile::TempDir,
    settings: Settings,
    cache: TokenCache,
}

impl World {
    fn new(login: LoginMode, credentials: AppCredentials) -> World {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            authority: url::Url::parse("https://login.microsoftonline.com/").unwrap(),
            tenant: "c0ffee00-0000-4000-8000-00000000aa01".into(),
            client_id: "app".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login,
            credentials,
            timeout: Duration::from_secs(60),
            store: StoreMode::File,
            cache_dir: dir.path().join("cache"),
            ca_file: None,
            interactive: Default::default(),
        };
        let cache = TokenCache::open(StoreMode::File, settings.cache_dir.clone());
        World {
            dir,
            settings,
            cache,
        }
    }

    fn spn() -> World {
        World::new(
            LoginMode::Spn,
            AppCredentials {
                client_secret: Some(Secret::new(SECRET)),
                ..Default::default()
            },
        )
    }

    async fn run(
        &self,
        authority: &dyn Authority,
        now: i64,
        sink: &Recorder,
    ) -> anyhow::Result<Outcome> {
        let sign_in = for_mode(self.settings.login)?;
        Flow {
            settings: &self.settings,
            cache: &self.cache,
            authority,
            sign_in: sign_in.as_ref(),
            clock: &ManualClock::at(now),
            sink,
        }
        .acquire()
        .await
    }

    fn files(&self) -> Vec<String> {
        std::fs::read_dir(&self.settings.cache_dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.ends_with(".lock"))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn authority() -> AppAuthority {
    AppAuthority {
        mint_at: NOW.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn app_tokens_are_cached_and_asked_for_again_in_the_refresh_window() {
    let w = World::spn();
    let fake = authority();
    let sink = Recorder::default();
    let first = w.run(&fake, NOW, &sink).await.unwrap();
    assert_eq!(first.source, Source::SignedIn);
    assert_eq!(fake.calls(), ["secret"]);
    assert_eq!(
        *fake.scopes.lock().unwrap(),
        [format!("{}/.default", w.settings.resource)],
        "client credentials ask for <resource>/.default only"
    );
    assert!(first.entry.refresh_token.is_none());
    assert_eq!(first.entry.account.oid.as_deref(), Some("sp-oid"));
    assert!(w.cache.read_account(&w.settings.account_key()).is_none());
    assert_eq!(w.files().len(), 1, "{:?}", w.files());

    // Warm: from the cache, no request.
    let warm = w.run(&fake, NOW + 60, &sink).await.unwrap();
    assert_eq!(warm.source, Source::Cache);
    assert_eq!(fake.calls().len(), 1);

    // In the refresh window: a new client-credentials request (there is no refresh token).
    fake.mint_at
        .store(NOW + 3500, std::sync::atomic::Ordering::SeqCst);
    let again = w.run(&fake, NOW + 3500, &sink).await.unwrap();
    assert_eq!(again.source, Source::SignedIn);
    assert_eq!(fake.calls(), ["secret", "secret"]);
    assert!(w.cache.read_account(&w.settings.account_key()).is_none());
    assert!(sink.lines().is_empty(), "{:?}", sink.lines());
}

#[tokio::test]
async fn a_refused_secret_is_one_line_with_the_fix_and_nothing_is_cached() {
    let w = World::spn();
    let fake = AppAuthority {
        refusal: Some(
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#,
        ),
        ..authority()
    };
    let e = format!(
        "{:#}",
        w.run(&fake, NOW, &Recorder::default()).await.unwrap_err()
    );
    assert!(
        e.contains("AADSTS7000215") && e.contains("client secret of app"),
        "{e}"
    );
    assert!(e.contains("secret's value"), "{e}");
    assert!(!e.contains(SECRET) && !e.contains('\n'), "{e}");
    assert!(w.files().is_empty(), "{:?}", w.files());
}

#[tokio::test]
async fn a_failed_request_in_the_refresh_window_keeps_the_valid_token() {
    let w = World::spn();
    let sink = Recorder::default();
    let first = w.run(&authority(), NOW, &sink).await.unwrap();
    let down = AppAuthority {
        fail: true,
        ..authority()
    };
    let kept = w.run(&down, NOW + 3500, &sink).await.unwrap();
    assert_eq!(kept.source, Source::Cache);
    assert_eq!(kept.entry.access_token, first.entry.access_token);
    assert_eq!(sink.lines().len(), 1, "{:?}", sink.lines());
    // Once it has expired, the failure is the answer.
    let e = w.run(&down, NOW + 3700, &sink).await.unwrap_err();
    assert!(format!("{e:#}").contains("connection refused"), "{e:#}");
}

#[tokio::test]
async fn missing_credentials_or_identity_fail_before_any_request() {
    let fake = authority();
    let none = World::new(LoginMode::Spn, AppCredentials::default());
    let e = none
        .run(&fake, NOW, &Recorder::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--client-secret") && e.contains("--client-certificate"),
        "{e}"
    );
    let mut public = World::spn();
    public.settings.client_id = "80faf920-1908-4b52-b5ef-a8e7bedfc67a".into();
    let e = public
        .run(&fake, NOW, &Recorder::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("own --client-id"), "{e}");
    let mut orgs = World::spn();
    orgs.settings.tenant = "organizations".into();
    let e = orgs
        .run(&fake, NOW, &Recorder::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("--tenant-id"), "{e}");
    let wi = World::new(LoginMode::WorkloadIdentity, AppCredentials::default());
    let e = wi
        .run(&fake, NOW, &Recorder::default())
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("AZURE_FEDERATED_TOKEN_FILE"), "{e}");
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}

#[tokio::test]
async fn the_federated_token_file_is_sent_as_it_is_at_each_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let w = World::new(
        LoginMode::WorkloadIdentity,
        AppCredentials {
            federated_token_file: Some(file.clone()),
            ..Default::default()
        },
    );
    let first = jwt(&format!(r#"{{"exp":{},"n":1}}"#, NOW + 3600));
    std::fs::write(&file, &first).unwrap();
    let fake = authority();
    w.run(&fake, NOW, &Recorder::default()).await.unwrap();
    let rotated = jwt(&format!(r#"{{"exp":{},"n":2}}"#, NOW + 7200));
    std::fs::write(&file, &rotated).unwrap();
    fake.mint_at
        .store(NOW + 3500, std::sync::atomic::Ordering::SeqCst);
    w.run(&fake, NOW + 3500, &Recorder::default())
        .await
        .unwrap();
    assert_eq!(
        fake.calls(),
        [format!("assertion:{first}"), format!("assertion:{rotated}")]
    );
    // The spn and workload identity tokens of one client are cached apart.
    assert_ne!(w.settings.token_key(), World::spn().settings.token_key());
    drop(w.dir);
}
