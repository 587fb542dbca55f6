//! `--login azurecli` end to end with a fake `az` on PATH: a bash script that answers like
//! `az account get-access-token --output json` (or fails like it), records each run, and hands
//! out a token the sandbox issued to a signed-in user. Through the real kubectl, the API
//! stand-in names the user; warm calls never start `az`; sixteen parallel calls start it once.

use crate::support::can_i::{Sandbox, text};
use crate::support::get_token::{AKS_SERVER, claims, credential_token};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const UPN: &str = "aksdev@contoso.com";
const TID: &str = "c0ffee00-0000-4000-8000-00000000aa01";

/// A directory with the fake `az`. The script's behaviour is set by files beside it:
/// `answer.json` is printed; `stderr.txt` (with `exit.txt`) makes it fail; `delay.txt` sleeps
/// first. Every run appends its arguments to `calls.txt`.
struct FakeAz {
    dir: tempfile::TempDir,
}

impl FakeAz {
    fn new() -> FakeAz {
        let dir = tempfile::tempdir().expect("fake az dir");
        let script = r#"#!/bin/bash
here="$(cd "$(dirname "$0")" && pwd)"
echo "$*" >> "$here/calls.txt"
if [ -f "$here/delay.txt" ]; then sleep "$(cat "$here/delay.txt")"; fi
if [ -f "$here/stderr.txt" ]; then
  cat "$here/stderr.txt" >&2
  exit "$(cat "$here/exit.txt" 2>/dev/null || echo 1)"
fi
cat "$here/answer.json"
"#;
        let path = dir.path().join("az");
        std::fs::write(&path, script).expect("write az");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        FakeAz { dir }
    }

    fn bin_dir(&self) -> &Path {
        self.dir.path()
    }

    /// PATH with the fake first (bash, cat and sleep still come from the system).
    fn path_var(&self) -> String {
        format!("{}:/usr/bin:/bin", self.bin_dir().display())
    }

    /// az's answer for `token`: the newer shape (epoch and local time) or the older one.
    fn answer(&self, token: &str, tenant: &str, with_epoch: bool) {
        let exp = claims(token)["exp"].as_i64().expect("exp");
        let local = jiff::Timestamp::from_second(exp)
            .expect("ts")
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M:%S.000000")
            .to_string();
        let mut v = serde_json::json!({
            "accessToken": token,
            "expiresOn": local,
            "subscription": "00000000-0000-4000-8000-0000000000aa",
            "tenant": tenant,
            "tokenType": "Bearer",
        });
        if with_epoch {
            v["expires_on"] = serde_json::json!(exp);
        }
        std::fs::write(
            self.dir.path().join("answer.json"),
            serde_json::to_string_pretty(&v).expect("json"),
        )
        .expect("write answer");
        let _ = std::fs::remove_file(self.dir.path().join("stderr.txt"));
    }

    fn fail(&self, stderr: &str, code: i32) {
        std::fs::write(self.dir.path().join("stderr.txt"), stderr).expect("stderr");
        std::fs::write(self.dir.path().join("exit.txt"), code.to_string()).expect("exit");
    }

    fn delay(&self, secs: &str) {
        std::fs::write(self.dir.path().join("delay.txt"), secs).expect("delay");
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

/// A JWT shaped like the AKS token az hands out (not signed: get-token does not verify it).
fn unsigned_token(exp_in: i64) -> String {
    use base64::Engine as _;
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let exp = jiff::Timestamp::now().as_second() + exp_in;
    format!(
        "{}.{}.{}",
        enc.encode(r#"{"typ":"JWT","alg":"RS256"}"#),
        enc.encode(format!(
            r#"{{"aud":"{AKS_SERVER}","tid":"{TID}","upn":"{UPN}","appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","exp":{exp}}}"#
        )),
        enc.encode([7u8; 64])
    )
}

/// `kubectl-entra get-token --login azurecli` with its own HOME and cache, PATH = `path`.
fn get_token(home: &Path, path: &str, extra: &[&str]) -> Command {
    let mut cmd = Command::new(crate::support::plugin_bin());
    cmd.args([
        "get-token",
        "--login",
        "azurecli",
        "--server-id",
        AKS_SERVER,
    ])
    .args([
        "--tenant-id",
        TID,
        "--token-cache",
        "file",
        "--token-cache-dir",
    ])
    .arg(home.join("cache"))
    .args(extra)
    .env("HOME", home)
    .env("PATH", path)
    .env_remove("KUBERNETES_EXEC_INFO")
    .env_remove("AZURE_TENANT_ID")
    .env_remove("AZURE_CLIENT_ID")
    .env_remove("AAD_LOGIN_METHOD")
    .stdin(Stdio::null());
    cmd
}

fn cache_files(home: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(home.join("cache"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn one_line_error(out: &Output, needles: &[&str]) -> String {
    assert!(!out.status.success(), "must fail: {}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "no credential on failure");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
    err
}

/// A real sandbox token for `UPN`: a device-code get-token the sandbox approves by itself.
fn user_token(sb: &Sandbox) -> String {
    let out = sb.entra(&[
        "get-token",
        "--authority-host",
        &sb.s("authority_host"),
        "--tenant-id",
        &sb.s("tenant_id"),
        "--token-cache-dir",
        sb.dir
            .path()
            .join("devicecode-cache")
            .to_str()
            .expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    credential_token(&text(&out.stdout))
}

fn kubeconfig(sb: &Sandbox, az: &FakeAz, name: &str, cache: &Path) -> PathBuf {
    let tid = sb.s("tenant_id");
    sb.exec_kubeconfig(
        name,
        &[
            "get-token",
            "--login",
            "azurecli",
            "--server-id",
            AKS_SERVER,
            "--tenant-id",
            &tid,
            "--token-cache",
            "file",
            "--token-cache-dir",
            cache.to_str().expect("utf-8"),
        ],
        &[("PATH", &az.path_var())],
    )
}

#[test]
fn azurecli_through_kubectl_runs_az_once_and_then_uses_the_cache() {
    let sb = Sandbox::start(UPN, &[]);
    let token = user_token(&sb);
    let az = FakeAz::new();
    az.answer(&token, &sb.s("tenant_id"), true);
    let cache = sb.dir.path().join("azcli-cache");
    let kc = kubeconfig(&sb, &az, "azcli", &cache);

    let who = sb.kubectl_with(&kc, &["auth", "whoami", "-o", "json"]);
    assert!(who.status.success(), "{}", text(&who.stderr));
    let review: serde_json::Value = serde_json::from_slice(&who.stdout).expect("json");
    assert_eq!(review["status"]["userInfo"]["username"], UPN);
    for _ in 0..3 {
        let again = sb.kubectl_with(&kc, &["auth", "whoami"]);
        assert!(again.status.success(), "{}", text(&again.stderr));
    }
    let calls = az.calls();
    assert_eq!(calls.len(), 1, "four kubectl runs, one az run: {calls:?}");
    assert_eq!(
        calls[0],
        format!(
            "account get-access-token --output json --resource {AKS_SERVER} --tenant {}",
            sb.s("tenant_id")
        )
    );
    let names: Vec<String> = std::fs::read_dir(&cache)
        .expect("cache")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(names.len(), 1, "one token entry, no account: {names:?}");
    assert!(names[0].starts_with("token-"), "{names:?}");

    // Not signed in any more, and the cached token is in its refresh window but still
    // valid: served with one warning. Once expired, the error says what to run.
    let path = cache.join(&names[0]);
    let mut entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    entry["expires_on"] = serde_json::json!(jiff::Timestamp::now().as_second() + 120);
    std::fs::write(&path, entry.to_string()).expect("write");
    az.fail("ERROR: Please run 'az login' to setup account.\n", 1);
    let warm = sb.kubectl_with(&kc, &["auth", "whoami"]);
    assert!(warm.status.success(), "{}", text(&warm.stderr));
    assert!(
        text(&warm.stderr).contains("still valid"),
        "{}",
        text(&warm.stderr)
    );
    entry["expires_on"] = serde_json::json!(jiff::Timestamp::now().as_second() - 10);
    std::fs::write(&path, entry.to_string()).expect("write");
    let cold = sb.kubectl_with(&kc, &["auth", "whoami"]);
    assert!(!cold.status.success());
    let err = text(&cold.stderr);
    assert!(
        err.contains("not signed in")
            && err.contains(&format!("az login --tenant {}", sb.s("tenant_id"))),
        "{err}"
    );
}

#[test]
fn azurecli_older_az_local_expiry_and_subscription() {
    let home = tempfile::tempdir().expect("home");
    let az = FakeAz::new();
    let token = unsigned_token(3600);
    // Older az: only `expiresOn`, in local time, here ten minutes before the JWT's exp, so
    // the cached expiry shows which one was read.
    let expires = claims(&token)["exp"].as_i64().expect("exp") - 600;
    let local = jiff::Timestamp::from_second(expires)
        .expect("ts")
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M:%S.%6f")
        .to_string();
    let answer = serde_json::json!({"accessToken": token, "expiresOn": local, "tenant": TID});
    std::fs::write(az.bin_dir().join("answer.json"), answer.to_string()).expect("write");
    let out = get_token(home.path(), &az.path_var(), &["--subscription", "my sub"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(credential_token(&text(&out.stdout)), token);
    let names = cache_files(home.path());
    assert_eq!(names.len(), 1, "{names:?}");
    let entry: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("cache").join(&names[0])).expect("read"),
    )
    .expect("json");
    assert_eq!(entry["expires_on"], expires, "expiresOn read as local time");
    assert_eq!(
        az.calls(),
        vec![format!(
            "account get-access-token --output json --resource {AKS_SERVER} --subscription my sub"
        )],
        "--subscription instead of --tenant: az refuses both"
    );
}

#[test]
fn azurecli_parallel_calls_run_az_once() {
    let home = tempfile::tempdir().expect("home");
    let az = FakeAz::new();
    let token = unsigned_token(3600);
    az.answer(&token, TID, true);
    az.delay("1");
    let children: Vec<_> = (0..16)
        .map(|_| {
            get_token(home.path(), &az.path_var(), &[])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(credential_token(&text(&out.stdout)), token);
    }
    assert_eq!(az.calls().len(), 1, "sixteen calls, one az run");
}

#[test]
fn azurecli_failures_are_one_line_with_the_fix_and_nothing_is_cached() {
    let home = tempfile::tempdir().expect("home");
    let az = FakeAz::new();

    // No az on PATH.
    let empty = tempfile::tempdir().expect("empty");
    let out = get_token(home.path(), empty.path().to_str().expect("utf-8"), &[])
        .output()
        .expect("run");
    one_line_error(
        &out,
        &["not on PATH", "https://aka.ms/installazurecli", "az login"],
    );

    let run = |extra: &[&str]| {
        get_token(home.path(), &az.path_var(), extra)
            .output()
            .expect("run")
    };
    az.fail("ERROR: Please run 'az login' to setup account.\n", 1);
    one_line_error(
        &run(&[]),
        &["not signed in", &format!("az login --tenant {TID}")],
    );

    az.fail(
        "ERROR: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-01-01.\nInteractive authentication is needed. Please run:\naz login --scope 6dae/.default\n",
        1,
    );
    one_line_error(
        &run(&[]),
        &["AADSTS700082", &format!("az login --tenant {TID}")],
    );

    // Control characters in az's stderr do not reach the terminal.
    az.fail("ERROR: \u{1b}]0;pwned\u{7}boom\n", 2);
    let err = one_line_error(&run(&[]), &["exit code 2", "boom"]);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");

    // A token from another tenant.
    az.answer(
        &unsigned_token(3600),
        "bbbbbbbb-0000-4000-8000-000000000002",
        true,
    );
    one_line_error(
        &run(&[]),
        &["from tenant bbbbbbbb", &format!("az login --tenant {TID}")],
    );

    // Not JSON.
    std::fs::write(az.bin_dir().join("answer.json"), "Welcome to az!\n").expect("write");
    one_line_error(&run(&[]), &["other than its JSON answer"]);

    // Hangs: bounded by --timeout.
    az.answer(&unsigned_token(3600), TID, true);
    az.delay("30");
    let started = std::time::Instant::now();
    one_line_error(&run(&["--timeout", "1s"]), &["did not finish within 1s"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    assert!(cache_files(home.path()).is_empty(), "nothing half-written");
}
