//! The browser sign-in (`--login interactive`) end to end in a real browser: headless Chromium,
//! driven by `tests/browser/driver.js` (BROWSER points at it), through the sandbox's authorize
//! page to kubectl-entra's loopback listener. Also the failure paths (another state, declined,
//! no answer in time, no browser), the emulator's PKCE, redirect and code rules, the device-login
//! page in the same browser, a tenant that blocks device code, and the real kubectl.
//!
//! These tests need `chromium` and `npm ci` in tests/browser (`.ci/run` installs both); they
//! fail, never skip, when either is missing.

use crate::support::get_token as get_token_support;
use get_token_support::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The driver, after checking that it can run.
fn driver() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        PathBuf::from(&chromium).exists(),
        "{chromium} is missing: apt-get install chromium (.ci/run does it)"
    );
    assert!(
        dir.join("node_modules/puppeteer-core").exists(),
        "the driver's packages are missing: (cd tests/browser && npm ci) (.ci/run does it)"
    );
    dir.join("driver.js").to_string_lossy().into_owned()
}

/// What the driver did (one JSON line per event).
struct Browser {
    dir: tempfile::TempDir,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("driver.jsonl")
    }

    fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("driver log line"))
            .collect()
    }

    fn count(&self, event: &str) -> usize {
        self.events().iter().filter(|e| e["event"] == event).count()
    }

    fn results(&self) -> Vec<serde_json::Value> {
        self.events()
            .into_iter()
            .filter(|e| e["event"] == "result")
            .collect()
    }

    /// Points a command's BROWSER at the driver with `action` and (optionally) the account.
    fn apply(&self, cmd: &mut Command, action: &str, user: Option<&str>) {
        cmd.env("BROWSER", driver())
            .env("ENTRA_DRIVER_LOG", self.log())
            .env("ENTRA_DRIVER_ACTION", action);
        match user {
            Some(u) => cmd.env("ENTRA_DRIVER_USER", u),
            None => cmd.env_remove("ENTRA_DRIVER_USER"),
        };
    }
}

/// `get-token --login interactive EXTRA` with the driver doing `action`.
fn interactive(
    client: &Client,
    browser: &Browser,
    action: &str,
    user: Option<&str>,
    extra: &[&str],
) -> Output {
    // Bounded well below the default so a broken driver fails fast.
    let mut args = vec!["--login", "interactive"];
    if !extra.contains(&"--browser-timeout") {
        args.extend(["--browser-timeout", "90s"]);
    }
    args.extend_from_slice(extra);
    let mut cmd = client.command("get-token", &args);
    browser.apply(&mut cmd, action, user);
    cmd.output().expect("run get-token")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_browser_sign_in_then_silent_calls_from_the_shared_cache_and_logout() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let browser = Browser::new();
    let out = interactive(&client, &browser, "accept", None, &["--login-hint", SRE]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("/oauth2/v2.0/authorize?") && stderr.contains("code_challenge_method=S256"),
        "the page is printed: {stderr}"
    );
    let token = credential_token(&text(&out.stdout));
    assert_eq!(
        claims(&token)["upn"],
        SRE,
        "the hinted account was preselected"
    );
    let events = browser.events();
    let page = events
        .iter()
        .find(|e| e["event"] == "signin-page")
        .expect("sign-in page");
    assert_eq!(page["selected"], SRE);
    let results = browser.results();
    assert_eq!(results.len(), 1, "{events:?}");
    assert_eq!(results[0]["status"], 200);
    assert!(
        results[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("close this tab"),
        "{results:?}"
    );
    let stats = sb.stats().await;
    assert_eq!(count(&stats, "token", "authorization_code"), 1, "{stats}");

    // Silent from the cache, in either mode: one key for both.
    for mode in ["interactive", "devicecode"] {
        let mut cmd = client.command("get-token", &["--login", mode]);
        browser.apply(&mut cmd, "accept", None);
        let again = cmd.output().expect("get-token");
        assert!(again.status.success(), "{}", text(&again.stderr));
        assert_eq!(credential_token(&text(&again.stdout)), token);
    }
    assert_eq!(browser.count("invoked"), 1, "no second browser tab");

    // An expired token is refreshed silently with the browser sign-in's refresh token.
    client.set_expiry(now() - 10);
    let refreshed = interactive(&client, &browser, "accept", None, &[]);
    assert!(refreshed.status.success(), "{}", text(&refreshed.stderr));
    assert_ne!(credential_token(&text(&refreshed.stdout)), token);
    assert_eq!(browser.count("invoked"), 1, "refreshed without the browser");
    let stats = sb.stats().await;
    assert_eq!(count(&stats, "token", "refresh_token"), 1, "{stats}");

    let out = client.run("logout", &["--login", "interactive"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let left: Vec<String> = client
        .cache_files()
        .into_iter()
        .filter(|f| f.ends_with(".json"))
        .collect();
    assert!(left.is_empty(), "logout removes the tokens: {left:?}");
}

#[test]
fn a_redirect_replayed_with_another_state_gets_an_error_page_and_does_not_finish() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let browser = Browser::new();
    let out = interactive(&client, &browser, "wrong-state", Some(DEV), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let results = browser.results();
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[0]["attempt"], "wrong-state");
    assert_eq!(results[0]["status"], 400);
    assert!(
        results[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("state does not match"),
        "{results:?}"
    );
    assert_eq!(
        results[1]["status"], 200,
        "the real redirect still finishes it"
    );
    assert_eq!(claims(&credential_token(&text(&out.stdout)))["upn"], DEV);
}

#[test]
fn declining_in_the_browser_is_a_clear_error_on_both_sides() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let browser = Browser::new();
    let out = interactive(&client, &browser, "decline", None, &[]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("declined")
            && stderr.contains("AADSTS65004")
            && stderr.contains("run the command again"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    let results = browser.results();
    assert!(
        results[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("access_denied"),
        "{results:?}"
    );
    assert!(
        client.cache_files().iter().all(|f| !f.ends_with(".json")),
        "nothing cached: {:?}",
        client.cache_files()
    );
}

#[test]
fn no_answer_within_the_browser_timeout_is_a_clear_error() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let browser = Browser::new();
    // The "browser" opens nothing: the bound ends the wait.
    let out = interactive(
        &client,
        &browser,
        "ignore",
        None,
        &["--browser-timeout", "2s"],
    );
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("no browser sign-in arrived")
            && stderr.contains("within 2s (--browser-timeout)"),
        "{stderr}"
    );
    assert_eq!(browser.count("invoked"), 1);
}

#[test]
fn without_a_browser_the_page_is_printed_and_the_user_is_told() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let out = client
        .command(
            "get-token",
            &["--login", "interactive", "--browser-timeout", "1s"],
        )
        .env_remove("BROWSER")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("get-token");
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("/oauth2/v2.0/authorize?"), "{stderr}");
    if cfg!(target_os = "linux") {
        assert!(stderr.contains("no browser is available"), "{stderr}");
    }
}

#[tokio::test]
async fn a_tenant_that_blocks_device_code_names_the_browser_sign_in() {
    let sb = Sandbox::start(&[]);
    sb.fault(serde_json::json!({
        "endpoint": "devicepoll", "error": "invalid_grant", "aadsts": 53003, "count": 100
    }))
    .await;
    let client = Client::new(&sb);
    let out = client.run("get-token", &[]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("blocks device-code sign-in") && stderr.contains("AADSTS53003"),
        "{stderr}"
    );
    assert!(stderr.contains("`--login interactive`"), "{stderr}");
    assert!(
        stderr.contains("`kubectl entra convert-kubeconfig --login interactive`"),
        "{stderr}"
    );
    // The way out works in that tenant: the browser sign-in is not a device-code poll.
    let browser = Browser::new();
    let out = interactive(&client, &browser, "accept", Some(DEV), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn the_device_login_page_in_a_real_browser() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let browser = Browser::new();
    let mut running = client.spawn("get-token", &[]);
    let code = running.user_code();
    let mut cmd = Command::new(driver());
    cmd.args(["--device", &sb.s("verification_uri"), &code])
        .stdout(Stdio::null());
    browser.apply(&mut cmd, "approve", Some(DEV));
    let status = cmd.status().expect("driver");
    assert!(status.success());
    let done = running.finish();
    assert!(done.status.success(), "{}", done.stderr);
    assert_eq!(claims(&done.token())["upn"], DEV);
    let results = browser.results();
    assert!(
        results[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("signed in"),
        "{results:?}"
    );
}

/// The emulator's rules, over HTTP without a browser.
#[tokio::test]
async fn the_emulator_checks_redirects_pkce_and_single_use_codes() {
    let sb = Sandbox::start(&[]);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let authorize = format!("{}/{}/oauth2/v2.0/authorize", sb.base(), sb.tid());
    let client_id = sb.s("client_id");
    let scope = format!("{AKS_SERVER}/.default offline_access openid profile");
    let verifier = "v".repeat(43);
    let challenge = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(verifier.as_bytes()))
    };
    let params = |redirect: &str| {
        vec![
            ("client_id", client_id.clone()),
            ("response_type", "code".to_string()),
            ("redirect_uri", redirect.to_string()),
            ("scope", scope.clone()),
            ("state", "st-1".to_string()),
            ("code_challenge", challenge.clone()),
            ("code_challenge_method", "S256".to_string()),
        ]
    };
    // A redirect off loopback is an error page, never a redirect.
    let r = http
        .get(&authorize)
        .query(&params("https://evil.example/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("AADSTS50011"));
    // The page lists the accounts and preselects the hint.
    let mut hinted = params("http://localhost:1234/");
    hinted.push(("login_hint", SRE.to_string()));
    let page = http
        .get(&authorize)
        .query(&hinted)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("<option value=\"{SRE}\" selected>")),
        "{page}"
    );
    assert!(page.contains(DEV));

    let sign_in = |redirect: &'static str, action: &'static str| {
        let mut form = params(redirect);
        form.push(("user", DEV.to_string()));
        form.push(("action", action.to_string()));
        let http = http.clone();
        let authorize = authorize.clone();
        async move {
            let r = http.post(&authorize).form(&form).send().await.unwrap();
            assert_eq!(r.status(), 302);
            let location = r.headers()["location"].to_str().unwrap().to_string();
            let url = url::Url::parse(&location).unwrap();
            let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
            assert_eq!(
                q.get("state").map(String::as_str),
                Some("st-1"),
                "{location}"
            );
            q
        }
    };
    let declined = sign_in("http://127.0.0.1:4321/", "decline").await;
    assert_eq!(declined["error"], "access_denied");
    assert!(declined["error_description"].contains("AADSTS65004"));

    let q = sign_in("http://127.0.0.1:4321/", "accept").await;
    let code = q["code"].clone();
    let redeem = |verifier: Option<String>, redirect: &'static str| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("client_id", client_id.clone()),
            ("code", code.clone()),
            ("redirect_uri", redirect.to_string()),
            ("scope", scope.clone()),
        ];
        if let Some(v) = verifier {
            form.push(("code_verifier", v));
        }
        let http = http.clone();
        let url = sb.s("token_endpoint");
        async move {
            let r = http.post(&url).form(&form).send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (s, body) = redeem(Some("w".repeat(43)), "http://127.0.0.1:4321/").await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{body}"
    );
    assert_eq!(body["error_codes"][0], 501481, "{body}");
    let (_, body) = redeem(None, "http://127.0.0.1:4321/").await;
    assert_eq!(body["error_codes"][0], 501481, "a missing verifier: {body}");
    let (_, body) = redeem(Some(verifier.clone()), "http://127.0.0.1:9999/").await;
    assert_eq!(body["error_codes"][0], 500112, "another redirect: {body}");
    let (s, body) = redeem(Some(verifier.clone()), "http://127.0.0.1:4321/").await;
    assert_eq!(s, 200, "{body}");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["upn"], DEV);
    assert_eq!(
        claims(token)["ver"],
        "1.0",
        "the same v1 AKS token as device code"
    );
    let (_, body) = redeem(Some(verifier.clone()), "http://127.0.0.1:4321/").await;
    assert_eq!(
        body["error_codes"][0], 54005,
        "codes are single-use: {body}"
    );
}

#[test]
fn kubectl_with_an_interactive_exec_entry_opens_one_browser_tab_for_parallel_calls() {
    let sb = Sandbox::start(&[]);
    let browser = Browser::new();
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = std::fs::read_to_string(sb.s("user_kubeconfig")).expect("user kubeconfig");
    let with_login = kubeconfig.replacen(
        "      - --authority-host\n",
        "      - --login\n      - interactive\n      - --authority-host\n",
        1,
    );
    assert_ne!(with_login, kubeconfig, "the exec args were found");
    let path = home.path().join("kubeconfig");
    std::fs::write(&path, with_login).unwrap();
    let kubectl = || {
        let mut cmd = Command::new("kubectl");
        cmd.args([
            "auth",
            "whoami",
            "-o",
            "jsonpath={.status.userInfo.username}",
        ])
        .env("KUBECONFIG", &path)
        .env("HOME", home.path())
        .env("KUBECACHEDIR", home.path().join("kubecache"))
        .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
        .env_remove("AZURE_AUTHORITY_HOST")
        .env_remove("AAD_LOGIN_METHOD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        browser.apply(&mut cmd, "accept", Some(DEV));
        cmd
    };
    let parallel: Vec<_> = (0..4)
        .map(|_| kubectl().spawn().expect("kubectl"))
        .collect();
    for child in parallel {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains(DEV), "{}", text(&out.stdout));
    }
    assert_eq!(
        browser.count("invoked"),
        1,
        "one browser tab for four kubectl calls"
    );
    for _ in 0..2 {
        let out = kubectl().output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    assert_eq!(browser.count("invoked"), 1, "later calls are silent");
}
