//! The library entry points other commands use: `token_for_resource` (cross-resource refresh
//! with the cached sign-in) and `peek` (what whoami shows, without any network call).

use crate::support::get_token as get_token_support;
use clap::Parser as _;
use get_token_support::*;
use kubectl_entra::cli::{Cli, Command};
use kubectl_entra::entra::Settings;

fn auth_args(client: &Client) -> Settings {
    let dir = client.cache_dir.to_str().unwrap().to_string();
    let argv = [
        "kubectl-entra",
        "get-token",
        "--authority-host",
        &client.authority,
        "--tenant-id",
        &client.tenant,
        "--token-cache",
        "file",
        "--token-cache-dir",
        &dir,
    ];
    match Cli::try_parse_from(argv).unwrap().command {
        Command::GetToken(args) => Settings::try_from(&args).unwrap(),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn graph_token_comes_from_the_aks_sign_in_without_a_second_prompt() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let args = auth_args(&client);

    let graph = kubectl_entra::entra::token_for_resource(
        &args,
        "https://graph.microsoft.com/",
        &kubectl_entra::sink::Recorder::default(),
    )
    .await
    .unwrap();
    assert!(
        !format!("{graph:?}").contains(&graph.secret),
        "Debug redacts"
    );
    let c = claims(&graph.secret);
    assert_eq!(c["upn"], DEV);
    assert!(graph.expires_on > jiff::Timestamp::now());
    let stats = sandbox.stats().await;
    assert_eq!(count(&stats, "devicecode", "requests"), 1);
    assert_eq!(count(&stats, "token", "refresh_token"), 1);

    // A second call is a cache hit.
    let again = kubectl_entra::entra::token_for_resource(
        &args,
        "https://graph.microsoft.com",
        &kubectl_entra::sink::Recorder::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.secret, graph.secret);
    assert_eq!(sandbox.stats().await, stats);
}

#[tokio::test]
async fn peek_shows_the_account_and_claims_without_network_or_tokens() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    let args = auth_args(&client);
    assert!(kubectl_entra::entra::peek(&args).unwrap().is_none());
    let token = client.sign_in(DEV, &[]).token();
    let before = sandbox.stats().await;
    let view = kubectl_entra::entra::peek(&args).unwrap().expect("cached");
    assert_eq!(sandbox.stats().await, before, "peek makes no request");
    assert_eq!(view.upn.as_deref(), Some(DEV));
    assert_eq!(view.tid.as_deref(), Some(sandbox.tid().as_str()));
    assert!(view.oid.is_some());
    assert_eq!(view.store, "file");
    assert!(
        view.location
            .starts_with(client.cache_dir.to_str().unwrap())
    );
    assert_eq!(view.claims["aud"], AKS_SERVER);
    assert_eq!(
        view.expires_on.as_second(),
        claims(&token)["exp"].as_i64().unwrap()
    );
    let text = serde_json::to_string(&view).unwrap();
    assert!(!text.contains(&token), "the view never carries the token");
}

#[tokio::test]
async fn variables_override_the_kubeconfigs_flags_as_in_kubelogin() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    let get_token = |extra: &[&str], env: &[(&str, &str)]| {
        let mut cmd = client.command(
            "get-token",
            &[
                &["--client-id", "80faf920-1908-4b52-b5ef-a8e7bedfc67a"][..],
                extra,
            ]
            .concat(),
        );
        cmd.envs(env.iter().copied());
        cmd.output().unwrap()
    };
    // AZURE_CLIENT_ID never changes a device-code sign-in's client: still a cache hit; -v 1
    // says where each setting came from.
    let other_client = ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000000");
    let out = get_token(&[], &[other_client]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "a cache hit: the client did not change"
    );
    let out = get_token(&["-v", "1"], &[other_client]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("AZURE_CLIENT_ID is set but not used"),
        "{stderr}"
    );
    assert!(stderr.contains("from flag --tenant-id"), "{stderr}");
    assert!(
        stderr.contains("login mode devicecode from default"),
        "{stderr}"
    );
    // AZURE_TENANT_ID overrides the kubeconfig's --tenant-id, unless told not to. logout (no
    // network) shows which key was chosen.
    let logout = |extra: &[&str]| {
        let out = client
            .command("logout", extra)
            .env("AZURE_TENANT_ID", "someone-else")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let out = get_token(
        &["--disable-environment-override"],
        &[
            ("AZURE_TENANT_ID", "someone-else"),
            ("AAD_LOGIN_METHOD", "spn"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "a cache hit: no variable applied");
    let stderr = logout(&[]);
    assert!(stderr.contains("Nothing to remove"), "{stderr}");
    let stderr = logout(&["--disable-environment-override"]);
    assert!(stderr.contains("Signed out"), "{stderr}");
}

#[tokio::test]
async fn an_environment_flag_wins_over_azure_authority_host() {
    let sandbox = Sandbox::start(&[]);
    let client = Client::new(&sandbox);
    client.sign_in(DEV, &[]).token();
    // The kubeconfig's args name a cloud; AZURE_AUTHORITY_HOST in the shell points at the
    // sandbox. logout (no network) shows which key was chosen: the cloud's, so nothing to remove.
    let logout = |extra: &[&str]| {
        let out = std::process::Command::new(sandbox_support::bin())
            .arg("logout")
            .args(["--tenant-id", &client.tenant, "--token-cache", "file"])
            .args(extra)
            .env("HOME", client.home.path())
            .env("KUBECACHEDIR", client.home.path().join("kubecache"))
            .env("AZURE_AUTHORITY_HOST", &client.authority)
            .env_remove("AZURE_ENVIRONMENT")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = logout(&["-e", "AzureChinaCloud"]);
    assert!(stderr.contains("Nothing to remove"), "{stderr}");
    assert!(
        client.cache_files().iter().any(|n| n.starts_with("token-")),
        "the sandbox sign-in is still cached"
    );
    // Without the flag, the variable applies.
    let stderr = logout(&[]);
    assert!(stderr.contains("Signed out"), "{stderr}");
}
