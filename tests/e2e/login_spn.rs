//! `--login spn` end to end: the real kubectl runs the plugin's exec entry with the sandbox's
//! service principal (client secret, PEM certificate, PFX with a password), the API stand-in
//! names it by object id as AKS does, warm calls come from the cache, 16 parallel calls make
//! one token request, and each bad input is one line with the fix and leaves the cache empty.

use crate::support::get_token::{AKS_SERVER, Client, Sandbox, claims, count, credential_token};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What the port file says about the applications.
pub(crate) fn app(sb: &Sandbox, key: &str) -> String {
    sb.info["apps"][key]
        .as_str()
        .unwrap_or_else(|| panic!("apps.{key} in the port file: {}", sb.info))
        .to_string()
}

/// `get-token` args for the sandbox with its own file cache in `cache_dir`.
pub(crate) fn base_args(sb: &Sandbox, cache_dir: &Path) -> Vec<String> {
    [
        "get-token",
        "--server-id",
        AKS_SERVER,
        "--tenant-id",
        &sb.tid(),
        "--authority-host",
        &sb.base(),
        "--token-cache",
        "file",
        "--token-cache-dir",
        cache_dir.to_str().expect("utf-8 path"),
    ]
    .map(String::from)
    .to_vec()
}

/// The real kubectl with `kubeconfig`, a clean environment and its own HOME.
pub(crate) fn kubectl(kubeconfig: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", home)
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("AZURE_AUTHORITY_HOST")
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        .env_remove("AAD_LOGIN_METHOD")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .env_remove("KUBECTL_ENTRA_TOKEN_CACHE")
        .stdin(Stdio::null())
        .output()
        .expect("kubectl on PATH")
}

/// `kubectl auth whoami -o json`'s username.
pub(crate) fn whoami(kubeconfig: &Path, home: &Path) -> String {
    let out = kubectl(kubeconfig, home, &["auth", "whoami", "-o", "json"]);
    assert!(
        out.status.success(),
        "kubectl auth whoami failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let review: serde_json::Value = serde_json::from_slice(&out.stdout).expect("whoami JSON");
    review["status"]["userInfo"]["username"]
        .as_str()
        .expect("username")
        .to_string()
}

/// The files in a cache dir, lock files aside.
pub(crate) fn cached(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn spn_kubeconfig(sb: &Sandbox, home: &Path, name: &str, credential: &[&str]) -> PathBuf {
    let cache = home.join(format!("cache-{name}"));
    let mut args = base_args(sb, &cache);
    args.extend(["--login", "spn", "--client-id"].map(String::from));
    args.push(app(sb, "spn_client_id"));
    args.extend(credential.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    sb.exec_kubeconfig(&home.join(format!("{name}.kubeconfig")), &args, &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_signs_in_as_the_service_principal_with_a_secret_a_pem_and_a_pfx() {
    let sb = Sandbox::start(&[]);
    let home = tempfile::tempdir().expect("home");
    let oid = app(&sb, "spn_object_id");
    let (pem, pfx) = (
        app(&sb, "spn_certificate_pem"),
        app(&sb, "spn_certificate_pfx"),
    );
    let (secret, password) = (
        app(&sb, "spn_client_secret"),
        app(&sb, "spn_certificate_pfx_password"),
    );
    let variants: [(&str, Vec<&str>); 3] = [
        ("secret", vec!["--client-secret", &secret]),
        ("pem", vec!["--client-certificate", &pem]),
        (
            "pfx",
            vec![
                "--client-certificate",
                &pfx,
                "--client-certificate-password",
                &password,
            ],
        ),
    ];
    for (name, credential) in &variants {
        let config = spn_kubeconfig(&sb, home.path(), name, credential);
        // AKS (guard) names an application by its object id: there is no upn.
        assert_eq!(whoami(&config, home.path()), oid, "{name}");
        let cache = home.path().join(format!("cache-{name}"));
        let files = cached(&cache);
        assert_eq!(
            files.len(),
            1,
            "{name}: one token entry, no account record: {files:?}"
        );
        assert!(files[0].starts_with("token-"), "{files:?}");
    }
    assert_eq!(count(&sb.stats().await, "token", "client_credentials"), 3);

    // Warm: the second kubectl call answers from the cache.
    let config = spn_kubeconfig(&sb, home.path(), "secret", &variants[0].1);
    assert_eq!(whoami(&config, home.path()), oid);
    assert_eq!(count(&sb.stats().await, "token", "client_credentials"), 3);

    // Authorization like AKS: a RoleBinding for the object id.
    let admin = PathBuf::from(sb.s("admin_kubeconfig"));
    let bind = kubectl(
        &admin,
        home.path(),
        &[
            "create",
            "rolebinding",
            "ci-view",
            "-n",
            "default",
            "--clusterrole=view",
            &format!("--user={oid}"),
        ],
    );
    assert!(
        bind.status.success(),
        "{}",
        String::from_utf8_lossy(&bind.stderr)
    );
    let pods = kubectl(&config, home.path(), &["get", "pods", "-n", "default"]);
    assert!(
        pods.status.success(),
        "{}",
        String::from_utf8_lossy(&pods.stderr)
    );
    let denied = kubectl(
        &config,
        home.path(),
        &["get", "secrets", "-n", "kube-system"],
    );
    assert!(!denied.status.success());
    assert!(String::from_utf8_lossy(&denied.stderr).contains(&oid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_token_is_shaped_like_aks_expects() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let out = client.run(
        "get-token",
        &[
            "--server-id",
            AKS_SERVER,
            "--login",
            "spn",
            "--client-id",
            &app(&sb, "spn_client_id"),
            "--client-certificate",
            &app(&sb, "spn_certificate_pem"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = credential_token(&String::from_utf8_lossy(&out.stdout));
    let (header, c) = sb.verify(&token, AKS_SERVER, &sb.s("issuer")).await;
    assert!(header.x5t.is_some());
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["appid"], app(&sb, "spn_client_id").as_str());
    assert_eq!(c["oid"], app(&sb, "spn_object_id").as_str());
    assert_eq!(c["sub"], c["oid"]);
    assert_eq!(c["appidacr"], "2", "a certificate");
    assert!(c.get("upn").is_none() && c.get("scp").is_none());
    assert_eq!(claims(&token)["tid"], sb.tid().as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_parallel_get_tokens_make_one_token_request() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let (id, secret) = (app(&sb, "spn_client_id"), app(&sb, "spn_client_secret"));
    let args = [
        "--server-id",
        AKS_SERVER,
        "--login",
        "spn",
        "--client-id",
        &id,
        "--client-secret",
        &secret,
        "--timeout",
        "30s",
    ];
    let children: Vec<_> = (0..16)
        .map(|_| {
            client
                .command("get-token", &args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn get-token")
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    let mut tokens: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            credential_token(&String::from_utf8_lossy(&o.stdout))
        })
        .collect();
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "every call hands out the one token");
    assert_eq!(count(&sb.stats().await, "token", "client_credentials"), 1);
}

/// Runs get-token with `extra` and returns its one-line error; the cache stays empty.
fn failure(client: &Client, extra: &[&str]) -> String {
    let mut args = vec!["--server-id", AKS_SERVER, "--login", "spn"];
    args.extend_from_slice(extra);
    let out = client.run("get-token", &args);
    assert!(!out.status.success(), "{extra:?} succeeded");
    assert!(out.stdout.is_empty(), "no ExecCredential on failure");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        cached(&client.cache_dir)
            .iter()
            .all(|n| !n.starts_with("token-")),
        "nothing cached: {:?}",
        cached(&client.cache_dir)
    );
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_service_principal_input_is_one_line_with_the_fix() {
    let sb = Sandbox::start(&[]);
    let client = Client::new(&sb);
    let id = app(&sb, "spn_client_id");
    let wrong = "wrong-secret-value-42";

    let e = failure(&client, &["--client-id", &id, "--client-secret", wrong]);
    assert!(
        e.contains("AADSTS7000215") && e.contains("secret's value"),
        "{e}"
    );
    assert!(!e.contains(wrong), "the secret is never shown: {e}");

    let e = failure(&client, &["--client-id", &id]);
    assert!(
        e.contains("--client-secret") && e.contains("--client-certificate"),
        "{e}"
    );

    let e = failure(&client, &["--client-secret", wrong]);
    assert!(e.contains("own --client-id"), "{e}");

    let only_cert = app(&sb, "spn_certificate_only_pem");
    let e = failure(
        &client,
        &["--client-id", &id, "--client-certificate", &only_cert],
    );
    assert!(e.contains("has no private key"), "{e}");

    let pfx = app(&sb, "spn_certificate_pfx");
    let e = failure(
        &client,
        &[
            "--client-id",
            &id,
            "--client-certificate",
            &pfx,
            "--client-certificate-password",
            wrong,
        ],
    );
    assert!(e.contains("password") && e.contains("is wrong"), "{e}");
    assert!(!e.contains(wrong), "{e}");

    let e = failure(
        &client,
        &[
            "--client-id",
            "11111111-2222-3333-4444-555555555555",
            "--client-secret",
            wrong,
        ],
    );
    assert!(
        e.contains("AADSTS700016") && e.contains("--client-id"),
        "{e}"
    );

    // Through kubectl the same line reaches the user.
    let home = tempfile::tempdir().expect("home");
    let config = spn_kubeconfig(&sb, home.path(), "wrong", &["--client-secret", wrong]);
    let out = kubectl(&config, home.path(), &["auth", "whoami"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("AADSTS7000215") && !stderr.contains(wrong),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_debug_log() {
    let sb = Sandbox::start(&[]);
    let id = app(&sb, "spn_client_id");
    let (secret, pfx, password) = (
        app(&sb, "spn_client_secret"),
        app(&sb, "spn_certificate_pfx"),
        app(&sb, "spn_certificate_pfx_password"),
    );
    for credential in [
        vec!["--client-secret", secret.as_str()],
        vec![
            "--client-certificate",
            &pfx,
            "--client-certificate-password",
            &password,
        ],
    ] {
        let client = Client::new(&sb);
        let mut args = vec![
            "-v",
            "9",
            "--server-id",
            AKS_SERVER,
            "--login",
            "spn",
            "--client-id",
            &id,
        ];
        args.extend(credential);
        let out = client.run("get-token", &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let token = credential_token(&String::from_utf8_lossy(&out.stdout));
        assert!(stderr.contains("POST"), "the debug log is on: {stderr}");
        for hidden in [secret.as_str(), token.as_str(), "client_assertion="] {
            assert!(
                !stderr.contains(hidden),
                "{hidden:.12} in the log: {stderr}"
            );
        }
        assert!(
            !stderr.contains(&format!("password {password}")),
            "{stderr}"
        );
    }
}
