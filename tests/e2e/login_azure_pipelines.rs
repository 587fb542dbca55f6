//! `--login azurepipelines` end to end, as in an Azure Pipelines `AzureCLI@2` step: the
//! kubeconfig names only the mode and the server; the job's variables (SYSTEM_OIDCREQUESTURI,
//! SYSTEM_ACCESSTOKEN) and the task's (AZURESUBSCRIPTION_*) say the rest. The sandbox plays
//! Azure DevOps' OIDC endpoint, and Entra exchanges its token through the service connection
//! application's federated credential. A missing job token, a refused one and a wrong service
//! connection are one line each with the fix, nothing cached, no token shown.

use crate::login_spn::{cached, whoami};
use crate::support::get_token::{AKS_SERVER, Client, Sandbox, claims, count, credential_token};
use std::path::{Path, PathBuf};

/// What the port file says about the pipeline.
fn pipeline(sb: &Sandbox, key: &str) -> String {
    sb.info["azure_pipelines"][key]
        .as_str()
        .unwrap_or_else(|| panic!("azure_pipelines.{key} in the port file: {}", sb.info))
        .to_string()
}

/// The variables of an `AzureCLI@2` step with `SYSTEM_ACCESSTOKEN: $(System.AccessToken)`.
fn job_env(sb: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("SYSTEM_OIDCREQUESTURI", pipeline(sb, "oidc_request_uri")),
        ("SYSTEM_ACCESSTOKEN", pipeline(sb, "access_token")),
        ("AZURESUBSCRIPTION_CLIENT_ID", pipeline(sb, "client_id")),
        ("AZURESUBSCRIPTION_TENANT_ID", sb.tid()),
        (
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
            pipeline(sb, "service_connection_id"),
        ),
    ]
}

fn job_kubeconfig(sb: &Sandbox, home: &Path) -> PathBuf {
    let cache = home.join("cache");
    let args = [
        "get-token",
        "--login",
        "azurepipelines",
        "--server-id",
        AKS_SERVER,
        "--authority-host",
        &sb.base(),
        "--token-cache",
        "file",
        "--token-cache-dir",
        cache.to_str().expect("utf-8"),
    ];
    let env = job_env(sb);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    sb.exec_kubeconfig(&home.join("job.kubeconfig"), &args, &env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_job_signs_in_as_its_service_connection() {
    let sb = Sandbox::start(&[]);
    let home = tempfile::tempdir().expect("home");
    let config = job_kubeconfig(&sb, home.path());
    let oid = pipeline(&sb, "object_id");
    assert_eq!(whoami(&config, home.path()), oid);
    assert_eq!(whoami(&config, home.path()), oid);
    let stats = sb.stats().await;
    assert_eq!(
        count(&stats, "azure_devops", "oidctoken"),
        1,
        "the second kubectl call is answered from the cache"
    );
    assert_eq!(count(&stats, "token", "client_credentials"), 1);
    assert_eq!(cached(&home.path().join("cache")).len(), 1);
}

/// get-token with the job's variables, `changed` over them (None: unset).
fn get_token(sb: &Sandbox, changed: &[(&str, Option<&str>)]) -> (Client, std::process::Output) {
    let mut client = Client::new(sb);
    for (name, value) in job_env(sb) {
        client = client.env(name, &value);
    }
    for (name, value) in changed {
        client = match value {
            Some(v) => client.env(name, v),
            None => client.env_remove(name),
        };
    }
    let out = client.run(
        "get-token",
        &["--login", "azurepipelines", "--server-id", AKS_SERVER],
    );
    (client, out)
}

/// One line on stderr, no credential, nothing cached, no job token shown.
fn failure(client: &Client, out: &std::process::Output, job_token: &str) -> String {
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains(job_token), "{stderr}");
    assert!(
        cached(&client.cache_dir)
            .iter()
            .all(|n| !n.starts_with("token-")),
        "{:?}",
        cached(&client.cache_dir)
    );
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_token_and_service_connection_errors_are_one_line_with_the_fix() {
    let sb = Sandbox::start(&[]);
    let job_token = pipeline(&sb, "access_token");

    // The process environment works as the exec entry's env does; at -v 9 the log names the
    // steps, never the job token or a JWT (the OIDC token, the access token).
    let mut client = Client::new(&sb);
    for (name, value) in job_env(&sb) {
        client = client.env(name, &value);
    }
    let out = client.run(
        "get-token",
        &[
            "-v",
            "9",
            "--login",
            "azurepipelines",
            "--server-id",
            AKS_SERVER,
        ],
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("oidctoken"), "the request is logged: {log}");
    assert!(!log.contains(&job_token) && !log.contains("eyJ"), "{log}");
    let token = credential_token(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(claims(&token)["oid"], pipeline(&sb, "object_id").as_str());

    // A job reusing the device-code kubeconfig `az aks get-credentials` wrote (the public AKS
    // client): AAD_LOGIN_METHOD switches the mode, the task's client id replaces that client.
    let mut client = Client::new(&sb).env("AAD_LOGIN_METHOD", "azurepipelines");
    for (name, value) in job_env(&sb) {
        client = client.env(name, &value);
    }
    let out = client.run(
        "get-token",
        &[
            "--server-id",
            AKS_SERVER,
            "--client-id",
            "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = credential_token(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(claims(&token)["oid"], pipeline(&sb, "object_id").as_str());

    // The step did not map $(System.AccessToken): nothing is sent.
    let before = count(&sb.stats().await, "azure_devops", "oidctoken");
    let (client, out) = get_token(&sb, &[("SYSTEM_ACCESSTOKEN", None)]);
    let e = failure(&client, &out, &job_token);
    assert!(
        e.contains("SYSTEM_ACCESSTOKEN is not set")
            && e.contains("env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)"),
        "{e}"
    );
    assert_eq!(
        count(&sb.stats().await, "azure_devops", "oidctoken"),
        before
    );

    // A job token Azure DevOps refuses (e.g. the literal text instead of the mapped value).
    let (client, out) = get_token(
        &sb,
        &[("SYSTEM_ACCESSTOKEN", Some("$(System.AccessToken)"))],
    );
    let e = failure(&client, &out, &job_token);
    assert!(
        e.contains("HTTP 401") && e.contains("env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)"),
        "{e}"
    );
    assert_eq!(count(&sb.stats().await, "azure_devops", "unauthorized"), 1);

    // A service connection that is not there.
    let (client, out) = get_token(
        &sb,
        &[(
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
            Some("5c000000-0000-4000-8000-0000000000ff"),
        )],
    );
    let e = failure(&client, &out, &job_token);
    assert!(
        e.contains("HTTP 404")
            && e.contains("5c000000-0000-4000-8000-0000000000ff")
            && e.contains("--azure-pipelines-service-connection-id"),
        "{e}"
    );

    // Outside a pipeline.
    let (client, out) = get_token(&sb, &[("SYSTEM_OIDCREQUESTURI", None)]);
    let e = failure(&client, &out, &job_token);
    assert!(e.contains("SYSTEM_OIDCREQUESTURI is not set"), "{e}");

    // Another app than the service connection's: Entra's refusal, what to check.
    let (client, out) = get_token(
        &sb,
        &[(
            "AZURESUBSCRIPTION_CLIENT_ID",
            sb.info["apps"]["workload_client_id"].as_str(),
        )],
    );
    let e = failure(&client, &out, &job_token);
    assert!(
        e.contains("AADSTS700211") && e.contains("sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION"),
        "{e}"
    );
    assert_eq!(count(&sb.stats().await, "token", "client_credentials"), 3);
}
