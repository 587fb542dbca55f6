//! `--login msi` on an Azure Arc-enabled server: `IDENTITY_ENDPOINT` and `IMDS_ENDPOINT` set.
//! The sandbox plays the Arc agent: its challenge names a key file, and a client that sends the
//! file's content gets the system-assigned identity's token. kubectl-entra reads a key only from
//! the agent's own directory (/var/opt/azcmagent/tokens), so against the sandbox, whose key files
//! are in its state dir, it refuses in one line and sends nothing: the check a rogue process on
//! the agent's port would meet. User-assigned identities are refused before any request.

use crate::support::get_token::{AKS_SERVER, Sandbox, claims, count};
use std::process::{Command, Output, Stdio};

fn s(sb: &Sandbox, key: &str) -> String {
    sb.info[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in the port file: {}", sb.info))
        .to_string()
}

fn get_token(sb: &Sandbox, cache: &std::path::Path, extra: &[&str], endpoint: &str) -> Output {
    Command::new(crate::support::plugin_bin())
        .args(["get-token", "--login", "msi", "--server-id", AKS_SERVER])
        .args(["--authority-host", &sb.base(), "--tenant-id", &sb.tid()])
        .args(["--token-cache", "file", "--token-cache-dir"])
        .arg(cache)
        .args(extra)
        .env("HOME", cache)
        .env("IDENTITY_ENDPOINT", endpoint)
        .env("IMDS_ENDPOINT", s(sb, "imds_endpoint"))
        .env_remove("IDENTITY_HEADER")
        .env_remove("AZURE_POD_IDENTITY_AUTHORITY_HOST")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AAD_LOGIN_METHOD")
        .env_remove("KUBERNETES_EXEC_INFO")
        .stdin(Stdio::null())
        .output()
        .expect("run kubectl-entra")
}

fn one_line(out: &Output, needle: &str) -> String {
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no credential on failure");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle:?} not in: {err}");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_arc_agents_challenge_is_honoured_only_from_its_own_directory() {
    let sb = Sandbox::start(&[]);
    let arc = s(&sb, "arc_identity_endpoint");
    let cache = tempfile::tempdir().expect("cache");

    // The sandbox speaks Arc's protocol: challenge, key file, token for the system identity.
    let http = reqwest::Client::new();
    let url = format!("{arc}?api-version=2020-06-01&resource={AKS_SERVER}");
    let first = http
        .get(&url)
        .header("Metadata", "true")
        .send()
        .await
        .expect("arc");
    assert_eq!(first.status(), 401);
    let realm = first.headers()["www-authenticate"]
        .to_str()
        .expect("ascii")
        .strip_prefix("Basic realm=")
        .expect("Basic realm=")
        .to_string();
    let key = std::fs::read_to_string(&realm).expect("key file");
    let answer: serde_json::Value = http
        .get(&url)
        .header("Metadata", "true")
        .header("Authorization", format!("Basic {key}"))
        .send()
        .await
        .expect("arc")
        .json()
        .await
        .expect("json");
    let system_oid = sb.info["managed_identities"]["system"]["object_id"].clone();
    assert_eq!(
        claims(answer["access_token"].as_str().expect("token"))["oid"],
        system_oid
    );

    // kubectl-entra: the challenge names a file outside the agent's directory; refused, the
    // key is not sent (no second request), nothing is cached.
    let before = sb.stats().await;
    let out = get_token(&sb, cache.path(), &[], &arc);
    let err = one_line(&out, "refusing to read");
    if cfg!(target_os = "linux") {
        assert!(err.contains("/var/opt/azcmagent/tokens"), "{err}");
    }
    let after = sb.stats().await;
    assert_eq!(
        count(&after, "imds", "arc_challenge") - count(&before, "imds", "arc_challenge"),
        1
    );
    assert_eq!(
        count(&after, "imds", "arc_token"),
        count(&before, "imds", "arc_token")
    );
    let cached = crate::login_spn::cached(cache.path());
    assert!(
        cached.iter().all(|n| !n.starts_with("token-")),
        "{cached:?}"
    );

    // A user-assigned identity: Arc has none; said before any request.
    let uami = s_nested(&sb, "sandbox-uami", "client_id");
    let out = get_token(&sb, cache.path(), &["--client-id", &uami], &arc);
    one_line(&out, "supports only the machine's system-assigned");
    assert_eq!(
        count(&sb.stats().await, "imds", "arc"),
        count(&after, "imds", "arc")
    );

    // The key goes to the agent on this machine only.
    let out = get_token(&sb, cache.path(), &[], "http://10.1.2.3:40342/token");
    one_line(&out, "loopback");
}

fn s_nested(sb: &Sandbox, name: &str, field: &str) -> String {
    sb.info["managed_identities"][name][field]
        .as_str()
        .unwrap_or_else(|| panic!("{name}.{field} in the port file"))
        .to_string()
}
