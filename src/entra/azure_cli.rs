//! `--login azurecli`: the token comes from the Azure CLI's signed-in session, through
//! `az account get-access-token --resource <server-id> --output json`.
//!
//! `az` is a Python program that takes about half a second per run; kubelogin runs it on every
//! kubectl call (Azure/kubelogin#358). Here the answer goes through the shared flow
//! ([`super::flow`]): cached under the usual key and lock until its refresh window, so warm
//! calls never start `az`, and N parallel kubectl calls start it once.
//!
//! `az` runs without a shell, found on PATH by us (`az.cmd` on Windows), its output read with
//! a size limit and the whole run bounded by `--timeout`. Its stderr is never shown raw: one
//! line of it, made printable and shortened, goes into an error that says what to run.

use super::authority::BoxFuture;
use super::settings::Settings;
use super::sign_in::{SignIn, SignInContext};
use super::wire::TokenResponse;
use crate::sink::printable;
use serde::Deserialize;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub struct AzureCli;

impl SignIn for AzureCli {
    fn returns_refresh_token(&self) -> bool {
        false
    }

    fn sign_in<'a>(
        &'a self,
        cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>> {
        Box::pin(sign_in(cx))
    }
}

/// Where to install the CLI (the official short link).
const INSTALL: &str = "https://aka.ms/installazurecli";

/// `az` prints a few KB; a token with many claims stays far below this.
const OUTPUT_LIMIT: usize = 1 << 20;

/// How much of `az`'s stderr goes into an error message.
const STDERR_EXCERPT: usize = 300;

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    let az = find_on_path(std::env::var_os("PATH"), az_names()).ok_or_else(az_missing)?;
    let args = arguments(s);
    tracing::debug!("running {} {}", az.display(), args.join(" "));
    let ran = run(&az, &args, s.timeout).await?;
    if !ran.success {
        return Err(failure(s, ran.code, &ran.stderr));
    }
    let answer = parse_output(&ran.stdout, &jiff::tz::TimeZone::system())?;
    check_tenant(s, answer.tenant.as_deref())?;
    Ok(TokenResponse {
        access_token: answer.access_token,
        token_type: Some("Bearer".into()),
        expires_in: None,
        expires_on: Some(answer.expires_on),
        refresh_token: None,
        id_token: None,
    })
}

/// The names `az` goes by: the Windows installer puts `az.cmd` on PATH.
fn az_names() -> &'static [&'static str] {
    if cfg!(windows) {
        &["az.cmd", "az.exe", "az"]
    } else {
        &["az"]
    }
}

/// The first `name` that is a file in a PATH directory. Written here because it is a few
/// lines and the `which` crate would be a dependency for them; relative PATH entries are
/// skipped, so a `.` in PATH never runs an `az` from the working directory.
pub(crate) fn find_on_path(path: Option<OsString>, names: &[&str]) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn az_missing() -> anyhow::Error {
    anyhow::anyhow!(
        "--login azurecli needs the Azure CLI, and `az` is not on PATH; install it ({INSTALL}) and run `az login`, or choose another --login"
    )
}

/// A tenant `az` can be asked for: a GUID or a domain, not the `organizations`/`common` aliases.
fn named_tenant(s: &Settings) -> Option<&str> {
    let t = s.tenant.as_str();
    let alias = ["organizations", "common", "consumers"]
        .iter()
        .any(|a| t.eq_ignore_ascii_case(a));
    (!alias && !t.is_empty()).then_some(t)
}

/// `account get-access-token --output json --resource R`, then `--subscription S` or else
/// `--tenant T`: az refuses both together ("Please specify only one of subscription and
/// tenant"), and a subscription already selects its tenant (checked on the answer instead).
fn arguments(s: &Settings) -> Vec<String> {
    let mut args: Vec<String> = [
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        &s.resource,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    if let Some(sub) = s
        .credentials
        .subscription
        .as_deref()
        .filter(|v| !v.trim().is_empty())
    {
        args.extend(["--subscription".to_string(), sub.trim().to_string()]);
    } else if let Some(tenant) = named_tenant(s) {
        args.extend(["--tenant".to_string(), tenant.to_string()]);
    }
    args
}

struct Ran {
    success: bool,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `az` with no stdin, both outputs read (at most [`OUTPUT_LIMIT`] each), the whole run
/// bounded by `timeout`; the child is killed when we stop waiting.
async fn run(az: &Path, args: &[String], timeout: Duration) -> anyhow::Result<Ran> {
    use tokio::io::AsyncReadExt as _;
    let mut child = tokio::process::Command::new(az)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => az_missing(),
            _ => anyhow::anyhow!(
                "cannot run {} ({e}); check the Azure CLI installation ({INSTALL})",
                printable(&az.display().to_string())
            ),
        })?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        anyhow::bail!("cannot read the output of az");
    };
    let limit = OUTPUT_LIMIT as u64 + 1;
    let work = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let (mut stdout, mut stderr) = (stdout.take(limit), stderr.take(limit));
        let (a, b) = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        a.and(b)?;
        if out.len() > OUTPUT_LIMIT || err.len() > OUTPUT_LIMIT {
            return Ok::<_, std::io::Error>(None);
        }
        let status = child.wait().await?;
        Ok(Some((status, out, err)))
    };
    match tokio::time::timeout(timeout, work).await {
        Err(_) => anyhow::bail!(
            "az account get-access-token did not finish within {}s (--timeout); run it yourself to see why, or raise --timeout",
            timeout.as_secs_f64().ceil() as u64
        ),
        Ok(Err(e)) => anyhow::bail!("cannot read the output of az: {e}"),
        Ok(Ok(None)) => anyhow::bail!(
            "az account get-access-token wrote more than {OUTPUT_LIMIT} bytes, more than any token answer; it was not read (is `az` on PATH the Azure CLI?)"
        ),
        Ok(Ok(Some((status, stdout, stderr)))) => Ok(Ran {
            success: status.success(),
            code: status.code(),
            stdout,
            stderr,
        }),
    }
}

/// What we take from `az account get-access-token --output json`.
#[derive(Deserialize)]
struct RawAnswer {
    #[serde(rename = "accessToken")]
    access_token: String,
    /// Unix seconds; az 2.54 and newer.
    #[serde(default, deserialize_with = "super::wire::flexible_i64")]
    expires_on: Option<i64>,
    /// Local time without a zone (`2024-01-31 17:05:12.000000`); every az version.
    #[serde(default, rename = "expiresOn")]
    expires_on_local: Option<String>,
    #[serde(default)]
    tenant: Option<String>,
}

/// The parts of `az`'s answer the flow needs. Debug never shows the token.
pub(crate) struct Answer {
    pub access_token: String,
    pub expires_on: i64,
    pub tenant: Option<String>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("access_token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .field("tenant", &self.tenant)
            .finish()
    }
}

/// Parses az's JSON: `expires_on` (epoch) when present, else `expiresOn` read as a time in
/// `local` (the zone az wrote it in: this machine's). The output is never quoted in errors.
pub(crate) fn parse_output(stdout: &[u8], local: &jiff::tz::TimeZone) -> anyhow::Result<Answer> {
    let raw: RawAnswer = serde_json::from_slice(stdout).map_err(|e| {
        anyhow::anyhow!(
            "az account get-access-token printed something other than its JSON answer ({}); run it yourself to check, or update the Azure CLI",
            super::http::describe_json_error(&e)
        )
    })?;
    if raw.access_token.trim().is_empty() {
        anyhow::bail!(
            "az account get-access-token answered without a token; run `az login` and try again"
        );
    }
    let expires_on = match (raw.expires_on, raw.expires_on_local.as_deref()) {
        (Some(epoch), _) => epoch,
        (None, Some(local_time)) => parse_local_time(local_time, local).ok_or_else(|| {
            anyhow::anyhow!(
                "az account get-access-token gave an expiry ({:?}) that is not a date and time; update the Azure CLI",
                printable(&local_time.chars().take(40).collect::<String>())
            )
        })?,
        (None, None) => anyhow::bail!(
            "az account get-access-token answered without an expiry (expires_on, expiresOn); update the Azure CLI"
        ),
    };
    Ok(Answer {
        access_token: raw.access_token,
        expires_on,
        tenant: raw.tenant.filter(|t| !t.trim().is_empty()),
    })
}

/// `2024-01-31 17:05:12.000000` (Python's `str(datetime)`) in `zone`, as unix seconds.
fn parse_local_time(text: &str, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let civil: jiff::civil::DateTime = text.trim().replacen(' ', "T", 1).parse().ok()?;
    Some(civil.to_zoned(zone.clone()).ok()?.timestamp().as_second())
}

/// The token must be for the tenant the kubeconfig names (when it names one).
fn check_tenant(s: &Settings, answered: Option<&str>) -> anyhow::Result<()> {
    let (Some(wanted), Some(got)) = (named_tenant(s), answered) else {
        return Ok(());
    };
    // A domain name cannot be compared with az's tenant id; only ids are.
    if uuid::Uuid::parse_str(wanted).is_err() || wanted.eq_ignore_ascii_case(got) {
        return Ok(());
    }
    anyhow::bail!(
        "the Azure CLI gave a token from tenant {} but the cluster's tenant is {wanted}; run `az login --tenant {wanted}`{}",
        printable(got),
        if s.credentials.subscription.is_some() {
            ", or check --subscription (it selects the tenant)"
        } else {
            ""
        }
    )
}

/// Why az failed, in one line with what to run. Decided on az's stderr, of which at most one
/// shortened, printable line is quoted.
fn failure(s: &Settings, code: Option<i32>, stderr: &[u8]) -> anyhow::Error {
    let text = String::from_utf8_lossy(stderr);
    let lower = text.to_ascii_lowercase();
    let login = match named_tenant(s) {
        Some(t) => format!("az login --tenant {t}"),
        None => "az login".to_string(),
    };
    let excerpt = excerpt(&text);
    if let Some(aadsts) = aadsts_code(&text) {
        return anyhow::anyhow!(
            "the Azure CLI's sign-in can no longer get a token (AADSTS{aadsts}: {excerpt}); run `{login}` and try again"
        );
    }
    if lower.contains("az login") || lower.contains("not logged in") {
        return anyhow::anyhow!(
            "the Azure CLI is not signed in ({excerpt}); run `{login}` and try again"
        );
    }
    if lower.contains("subscription") && lower.contains("not found") {
        return anyhow::anyhow!(
            "the Azure CLI does not know that subscription ({excerpt}); check --subscription against `az account list`"
        );
    }
    let status = code.map_or("a signal".to_string(), |c| format!("exit code {c}"));
    anyhow::anyhow!(
        "az account get-access-token failed with {status} ({excerpt}); run `az account get-access-token --resource {}` to see why",
        s.resource
    )
}

/// The number after the first `AADSTS`, if any.
fn aadsts_code(text: &str) -> Option<String> {
    let at = text.find("AADSTS")? + "AADSTS".len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .take(8)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// az's first line that says something (`ERROR: ...` preferred), printable, shortened.
fn excerpt(stderr: &str) -> String {
    let lines = || stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines()
        .find(|l| l.starts_with("ERROR"))
        .or_else(|| lines().next())
        .unwrap_or("no message");
    let line = line.strip_prefix("ERROR:").unwrap_or(line).trim();
    let mut short: String = line.chars().take(STDERR_EXCERPT).collect();
    if line.chars().count() > STDERR_EXCERPT {
        short.push_str("...");
    }
    printable(&short).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::StoreMode;
    use crate::entra::{AppCredentials, LoginMode};

    fn settings(tenant: &str, subscription: Option<&str>) -> Settings {
        Settings {
            ca_file: None,
            interactive: Default::default(),
            authority: url::Url::parse("https://login.microsoftonline.com/").unwrap(),
            tenant: tenant.into(),
            client_id: "80faf920-1908-4b52-b5ef-a8e7bedfc67a".into(),
            resource: "6dae42f8-4368-4678-94ff-3960e28e3630".into(),
            login: LoginMode::AzureCli,
            timeout: Duration::from_secs(5),
            store: StoreMode::File,
            cache_dir: PathBuf::from("/tmp/x"),
            credentials: AppCredentials {
                subscription: subscription.map(str::to_string),
                ..Default::default()
            },
        }
    }

    const TID: &str = "c0ffee00-0000-4000-8000-00000000aa01";

    #[test]
    fn arguments_name_the_resource_and_one_of_tenant_or_subscription() {
        let args = arguments(&settings(TID, None));
        assert_eq!(
            args.join(" "),
            format!(
                "account get-access-token --output json --resource 6dae42f8-4368-4678-94ff-3960e28e3630 --tenant {TID}"
            )
        );
        let args = arguments(&settings("organizations", None));
        assert!(!args.contains(&"--tenant".to_string()), "{args:?}");
        let args = arguments(&settings(TID, Some("my sub")));
        assert!(
            args.ends_with(&["--subscription".to_string(), "my sub".to_string()])
                && !args.contains(&"--tenant".to_string()),
            "{args:?}"
        );
    }

    #[test]
    fn newer_az_gives_an_epoch() {
        let out = br#"{"accessToken":"eyJ.a.b","expiresOn":"2030-01-01 00:00:00.000000","expires_on":1700000000,"subscription":"s","tenant":"t1","tokenType":"Bearer"}"#;
        let a = parse_output(out, &jiff::tz::TimeZone::UTC).unwrap();
        assert_eq!(a.expires_on, 1_700_000_000, "the epoch wins");
        assert_eq!(a.tenant.as_deref(), Some("t1"));
        assert!(!format!("{a:?}").contains("eyJ"));
        let out = br#"{"accessToken":"x","expires_on":"1700000000"}"#;
        assert_eq!(
            parse_output(out, &jiff::tz::TimeZone::UTC)
                .unwrap()
                .expires_on,
            1_700_000_000
        );
    }

    #[test]
    fn older_az_gives_local_time() {
        let out = br#"{"accessToken":"x","expiresOn":"2023-11-14 22:13:20.000000","tenant":"t1"}"#;
        let utc = parse_output(out, &jiff::tz::TimeZone::UTC).unwrap();
        assert_eq!(utc.expires_on, 1_700_000_000);
        let plus2 = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
        let a = parse_output(out, &plus2).unwrap();
        assert_eq!(a.expires_on, 1_700_000_000 - 7200);
        let out = br#"{"accessToken":"x","expiresOn":"2023-11-14 22:13:20"}"#;
        assert_eq!(
            parse_output(out, &jiff::tz::TimeZone::UTC)
                .unwrap()
                .expires_on,
            1_700_000_000
        );
    }

    #[test]
    fn garbage_is_a_clear_error_that_quotes_no_token() {
        let utc = jiff::tz::TimeZone::UTC;
        let err = |out: &[u8]| parse_output(out, &utc).unwrap_err().to_string();
        assert!(err(b"").contains("other than its JSON"));
        assert!(err(b"WARNING: hello\n{").contains("other than its JSON"));
        let e = err(br#"{"accessToken":12,"secret":"eyJ-secret"}"#);
        assert!(e.contains("another shape") && !e.contains("secret"), "{e}");
        assert!(err(br#"{"accessToken":"","expires_on":1}"#).contains("without a token"));
        assert!(err(br#"{"accessToken":"x"}"#).contains("without an expiry"));
        assert!(err(br#"{"accessToken":"x","expiresOn":"soon"}"#).contains("not a date"));
        assert!(err(br#"{"accessToken":"x","expires_on":"soon"}"#).contains("other than"));
    }

    #[test]
    fn failures_say_what_to_run() {
        let s = settings(TID, None);
        let text = |stderr: &str| failure(&s, Some(1), stderr.as_bytes()).to_string();
        let e = text("ERROR: Please run 'az login' to setup account.\n");
        assert!(
            e.contains("not signed in") && e.contains(&format!("az login --tenant {TID}")),
            "{e}"
        );
        let e = text(
            "ERROR: AADSTS700082: The refresh token has expired due to inactivity.\nInteractive authentication is needed. Please run:\naz login --scope x\n",
        );
        assert!(
            e.contains("AADSTS700082") && e.contains("az login --tenant"),
            "{e}"
        );
        let e = text("ERROR: Subscription 'nope' not found. Check the spelling\n");
        assert!(e.contains("--subscription"), "{e}");
        let e = text("\u{1b}[31mboom\u{7}\n");
        assert!(
            e.contains("exit code 1") && !e.contains('\u{1b}') && !e.contains('\u{7}'),
            "{e}"
        );
        let e = text(&"x".repeat(10_000));
        assert!(e.len() < 700, "capped: {}", e.len());
        let e = failure(
            &settings("organizations", None),
            None,
            b"Please run 'az login'",
        )
        .to_string();
        assert!(
            e.contains("`az login`") && e.contains("not signed in"),
            "{e}"
        );
    }

    #[test]
    fn the_answer_must_come_from_the_named_tenant() {
        assert!(check_tenant(&settings(TID, None), Some(TID)).is_ok());
        assert!(check_tenant(&settings(TID, None), None).is_ok());
        assert!(check_tenant(&settings("organizations", None), Some("other")).is_ok());
        assert!(check_tenant(&settings("contoso.com", None), Some("other")).is_ok());
        let e = check_tenant(
            &settings(TID, None),
            Some("bbbbbbbb-0000-4000-8000-000000000002"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(&format!("az login --tenant {TID}")), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn az_is_found_on_absolute_path_entries_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let not_exec = tempfile::tempdir().unwrap();
        let az = dir.path().join("az");
        std::fs::write(&az, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(not_exec.path().join("az"), "").unwrap();
        let path = std::env::join_paths([not_exec.path(), dir.path()]).unwrap();
        assert_eq!(find_on_path(Some(path), &["az"]), Some(az));
        assert_eq!(find_on_path(Some("relative:.".into()), &["az"]), None);
        assert_eq!(find_on_path(None, &["az"]), None);
    }
}
