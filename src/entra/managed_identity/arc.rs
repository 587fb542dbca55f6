//! Azure Arc-enabled servers: the Connected Machine agent (himds) serves the machine's
//! system-assigned identity on a loopback `IDENTITY_ENDPOINT`. It answers a first request with
//! `401` and `WWW-Authenticate: Basic realm=<key file>`; a caller that can read that file (root
//! or the `himds` group on Linux, Administrators on Windows) proves it by sending the file's
//! content as `Authorization: Basic <key>` on a second request.
//!
//! The file is read only if it is a `.key` file of at most [`MAX_KEY_FILE`] bytes directly in
//! the agent's own directory, as azidentity checks it: otherwise any process answering on the
//! endpoint's port could make us read, and send back, a file of its choosing. That directory
//! is fixed per platform ([`platform_key_dir`]); the unit tests pass another one to `fetch`,
//! never through a variable or a flag.

use super::endpoint::Identity;
use crate::entra::settings::Secret;
use crate::net;
use crate::sink::printable;
use std::path::{Path, PathBuf};
use url::Url;

pub const API_VERSION: &str = "2020-06-01";
/// The agent's keys are short; azidentity refuses larger files.
pub const MAX_KEY_FILE: u64 = 4096;

/// The agent listens on this machine; the key must never go anywhere else.
pub fn check_url(url: &Url) -> anyhow::Result<()> {
    if matches!(url.scheme(), "http" | "https") && net::is_loopback(url) {
        return Ok(());
    }
    anyhow::bail!(
        "IDENTITY_ENDPOINT must name the Azure Arc agent on this machine (a loopback address such as http://localhost:40342), not {}; with IMDS_ENDPOINT set it is taken for Arc, unset both elsewhere",
        printable(url.host_str().unwrap_or(url.as_str()))
    )
}

/// Arc gives the machine's system-assigned identity only.
pub fn check_identity(identity: &Identity) -> anyhow::Result<()> {
    match identity {
        Identity::Default => Ok(()),
        other => anyhow::bail!(
            "Azure Arc supports only the machine's system-assigned managed identity, not {}; remove --client-id / --identity-resource-id (and AZURE_CLIENT_ID) from the msi sign-in",
            other.describe()
        ),
    }
}

/// Where the Connected Machine agent keeps its keys on this platform.
pub fn platform_key_dir() -> anyhow::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        Ok(PathBuf::from("/var/opt/azcmagent/tokens"))
    }
    #[cfg(windows)]
    {
        // As azidentity: %ProgramData%, which Windows sets (C:\ProgramData by default).
        let data = std::env::var_os("ProgramData")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "C:\\ProgramData".into());
        Ok(PathBuf::from(data)
            .join("AzureConnectedMachineAgent")
            .join("Tokens"))
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    {
        anyhow::bail!(
            "Azure Arc's managed identity is available on Linux and Windows only; use --login azurecli, spn or workloadidentity here"
        )
    }
}

/// The key named by the agent's challenge (`Basic realm=<path>`), read from `dir` only.
pub fn read_key(challenge: Option<&str>, dir: &Path) -> anyhow::Result<Secret> {
    let path = key_path(challenge, dir)?;
    let shown = printable(&path.display().to_string()).into_owned();
    let cannot_read = |e: std::io::Error| {
        let fix = if e.kind() == std::io::ErrorKind::PermissionDenied {
            "; reading it takes root or the himds group on Linux, Administrators on Windows"
        } else {
            ""
        };
        anyhow::anyhow!("cannot read the Azure Arc key file {shown}: {e}{fix}")
    };
    // A link could point anywhere; the agent writes plain files.
    let meta = std::fs::symlink_metadata(&path).map_err(cannot_read)?;
    if !meta.file_type().is_file() {
        anyhow::bail!(
            "the Azure Arc key file {shown} is not a regular file; refusing to read it (check the agent with `azcmagent show`)"
        );
    }
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes))
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        anyhow::bail!(
            "the Azure Arc key file {shown} is larger than {MAX_KEY_FILE} bytes, so it is not the agent's key; refusing to send it"
        );
    }
    let key = String::from_utf8(bytes)
        .map(|k| k.trim().to_string())
        .unwrap_or_default();
    if key.is_empty() || key.chars().any(|c| c.is_control()) {
        anyhow::bail!(
            "the Azure Arc key file {shown} does not hold a key; try again (the agent renews its keys)"
        );
    }
    Ok(Secret::new(key))
}

/// The challenge's path, if it is a `.key` file directly in `dir`.
fn key_path(challenge: Option<&str>, dir: &Path) -> anyhow::Result<PathBuf> {
    let no_challenge = || {
        anyhow::anyhow!(
            "the Azure Arc identity endpoint answered HTTP 401 without the challenge that names its key file (WWW-Authenticate: Basic realm=...); check that IDENTITY_ENDPOINT is the Arc agent's"
        )
    };
    let challenge = challenge.map(str::trim).ok_or_else(no_challenge)?;
    let (scheme, params) = challenge.split_once(' ').ok_or_else(no_challenge)?;
    let params = params.trim();
    let realm = params
        .get(..6)
        .filter(|p| scheme.eq_ignore_ascii_case("basic") && p.eq_ignore_ascii_case("realm="))
        .map(|_| params[6..].trim().trim_matches('"'))
        .filter(|r| !r.is_empty())
        .ok_or_else(no_challenge)?;
    let path = PathBuf::from(realm);
    let is_key = path.extension().is_some_and(|e| e == "key");
    if !path.is_absolute() || path.parent() != Some(dir) || !is_key {
        anyhow::bail!(
            "the Azure Arc identity endpoint named the key file {}, which is not a .key file in {}; refusing to read it (is IDENTITY_ENDPOINT the Arc agent?)",
            printable(realm),
            dir.display()
        );
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::super::endpoint::tests::settings;
    use super::super::{AKS_DEFAULT_CLIENT_ID, fetch};
    use super::*;
    use crate::net::ManualClock;
    use crate::sink::Recorder;

    fn challenge(path: &Path) -> String {
        format!("Basic realm={}", path.display())
    }

    #[test]
    fn only_a_small_key_file_in_the_agents_directory_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("tokens");
        std::fs::create_dir(&keys).unwrap();
        let good = keys.join("0b1e2f.key");
        std::fs::write(&good, "s3cret-key\n").unwrap();
        let key = read_key(Some(&challenge(&good)), &keys).unwrap();
        assert_eq!(key.expose(), "s3cret-key");
        assert_eq!(
            read_key(Some(&format!("basic REALM=\"{}\"", good.display())), &keys)
                .unwrap()
                .expose(),
            "s3cret-key"
        );
        // Elsewhere, another extension, a way out of the directory, a relative path.
        std::fs::write(dir.path().join("outside.key"), "x").unwrap();
        std::fs::write(keys.join("passwd"), "x").unwrap();
        for bad in [
            dir.path().join("outside.key"),
            keys.join("passwd"),
            keys.join("..").join("outside.key"),
            keys.join("sub").join("a.key"),
            PathBuf::from("tokens/0b1e2f.key"),
        ] {
            let e = read_key(Some(&challenge(&bad)), &keys)
                .unwrap_err()
                .to_string();
            assert!(e.contains("refusing to read"), "{}: {e}", bad.display());
        }
        // Too large: not read, not sent.
        let big = keys.join("big.key");
        std::fs::write(&big, vec![b'k'; MAX_KEY_FILE as usize + 1]).unwrap();
        let e = read_key(Some(&challenge(&big)), &keys)
            .unwrap_err()
            .to_string();
        assert!(e.contains("larger than 4096"), "{e}");
        // No challenge, or another scheme.
        for c in [
            None,
            Some("Bearer realm=x"),
            Some("Basic"),
            Some("Basic realm="),
        ] {
            let e = read_key(c, &keys).unwrap_err().to_string();
            assert!(e.contains("without the challenge"), "{c:?}: {e}");
        }
        let e = read_key(Some(&challenge(&keys.join("missing.key"))), &keys)
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read the Azure Arc key file"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_agents_directory_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("secret.txt");
        std::fs::write(&target, "not yours").unwrap();
        let link = dir.path().join("a.key");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = read_key(Some(&challenge(&link)), dir.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }

    #[test]
    fn arc_gives_the_system_assigned_identity_only() {
        assert!(check_identity(&Identity::Default).is_ok());
        let e = check_identity(&Identity::ClientId("c1".into()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("system-assigned") && e.contains("c1"), "{e}");
        assert!(check_identity(&Identity::ResourceId("/r".into())).is_err());
    }

    /// A loopback stand-in for the agent: challenges with `realm`, then wants its key.
    async fn agent(realm: PathBuf, key: &'static str) -> String {
        use axum::http::{HeaderMap, StatusCode, header};
        let app = axum::Router::new().route(
            "/metadata/identity/oauth2/token",
            axum::routing::get(move |headers: HeaderMap| {
                let realm = realm.clone();
                async move {
                    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
                    let metadata = headers.get("metadata").and_then(|v| v.to_str().ok());
                    if metadata != Some("true") {
                        return (StatusCode::BAD_REQUEST, HeaderMap::new(), "{}".to_string());
                    }
                    if auth == Some(format!("Basic {key}").as_str()) {
                        let body = r#"{"access_token":"eyJ.arc.token","expires_in":"3599","expires_on":"1700003599","token_type":"Bearer"}"#;
                        return (StatusCode::OK, HeaderMap::new(), body.to_string());
                    }
                    let mut h = HeaderMap::new();
                    let value = format!("Basic realm={}", realm.display());
                    h.insert(header::WWW_AUTHENTICATE, value.parse().unwrap());
                    (StatusCode::UNAUTHORIZED, h, String::new())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/metadata/identity/oauth2/token")
    }

    fn arc_endpoint(url: &str) -> super::super::Endpoint {
        let pairs = [
            ("IDENTITY_ENDPOINT", url),
            ("IMDS_ENDPOINT", "http://localhost:40342"),
        ];
        let env = super::super::endpoint::tests::env(&pairs);
        super::super::Endpoint::from_env(&env).unwrap()
    }

    #[tokio::test]
    async fn the_agents_challenge_is_answered_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("5e1f.key");
        std::fs::write(&key_file, "arc-key-1").unwrap();
        let endpoint = arc_endpoint(&agent(key_file.clone(), "arc-key-1").await);
        let s = settings(AKS_DEFAULT_CLIENT_ID, None);
        let (clock, sink) = (ManualClock::at(1_700_000_000), Recorder::default());
        let t = fetch(
            &endpoint,
            &Identity::Default,
            &s,
            &clock,
            &sink,
            Some(dir.path()),
        )
        .await
        .unwrap();
        assert_eq!(t.access_token, "eyJ.arc.token");

        // The agent's key changed under us: its second 401 is the end, one line, no key shown.
        std::fs::write(&key_file, "stale-key").unwrap();
        let e = fetch(
            &endpoint,
            &Identity::Default,
            &s,
            &clock,
            &sink,
            Some(dir.path()),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("refused the key") && !e.contains("stale-key"),
            "{e}"
        );

        // A stand-in that points outside the agent's directory gets nothing read or sent.
        let elsewhere = tempfile::tempdir().unwrap();
        let e = fetch(
            &endpoint,
            &Identity::Default,
            &s,
            &clock,
            &sink,
            Some(elsewhere.path()),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(e.contains("refusing to read"), "{e}");
        assert!(sink.lines().is_empty(), "{:?}", sink.lines());
    }
}
