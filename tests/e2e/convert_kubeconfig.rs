//! `kubectl entra convert-kubeconfig` on files like `az aks get-credentials` writes.

use serde_yaml::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SERVER: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
const CLIENT: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/// Two AKS clusters (legacy azure auth-provider and kubelogin), a certificate user, and fields
/// kubectl's typed model does not know, which must survive.
const KUBECONFIG: &str = r#"apiVersion: v1
kind: Config
preferences:
  colors: true
current-context: aks-legacy
clusters:
- name: aks-legacy
  cluster:
    server: https://legacy.hcp.eastus.azmk8s.io:443
    certificate-authority-data: Q0EK
    extensions:
    - name: client.authentication.k8s.io/exec
      extension: {audience: legacy}
- name: aks-new
  cluster: {server: "https://new.hcp.westeurope.azmk8s.io:443"}
contexts:
- name: aks-legacy
  context: {cluster: aks-legacy, user: clusterUser_rg_aks-legacy, namespace: dev}
- name: aks-new
  context: {cluster: aks-new, user: clusterUser_rg_aks-new}
- name: local
  context: {cluster: aks-new, user: admin}
users:
- name: clusterUser_rg_aks-legacy
  user:
    auth-provider:
      name: azure
      config:
        apiserver-id: 6dae42f8-4368-4678-94ff-3960e28e3630
        client-id: 80faf920-1908-4b52-b5ef-a8e7bedfc67a
        config-mode: "1"
        environment: AzurePublicCloud
        tenant-id: 72f988bf-86f1-41af-91ab-2d7cd011db47
        access-token: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.SECRET-ACCESS
        refresh-token: 0.AAAA-SECRET-REFRESH
        expires-in: "3599"
        expires-on: "1700000000"
- name: clusterUser_rg_aks-new
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --login
      - azurecli
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --environment
      - AzureUSGovernment
      - --tenant-id
      - contoso.onmicrosoft.com
      env: null
      provideClusterInfo: false
- name: admin
  user:
    client-certificate-data: Q0VSVAo=
    client-key-data: S0VZCg==
x-unknown-top-level: {kept: [1, 2, 3]}
"#;

struct Fixture {
    _dir: tempfile::TempDir,
    home: PathBuf,
    config: PathBuf,
}

fn fixture(text: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".kube")).unwrap();
    let config = dir.path().join("config");
    std::fs::write(&config, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    Fixture {
        _dir: dir,
        home,
        config,
    }
}

fn run(f: &Fixture, args: &[&str], kubeconfig_env: Option<&std::ffi::OsStr>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"));
    cmd.arg("convert-kubeconfig")
        .args(args)
        .env("HOME", &f.home)
        .env_remove("KUBECONFIG");
    if let Some(v) = kubeconfig_env {
        cmd.env("KUBECONFIG", v);
    }
    cmd.output().expect("run kubectl-entra")
}

fn with_file(f: &Fixture, extra: &[&str]) -> Output {
    let path = f.config.to_str().unwrap().to_owned();
    let mut args = vec!["--kubeconfig", path.as_str()];
    args.extend_from_slice(extra);
    run(f, &args, None)
}

fn parse(text: &str) -> Value {
    serde_yaml::from_str(text).expect("valid YAML")
}

fn user<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["users"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .map(|u| &u["user"])
        .unwrap_or_else(|| panic!("user {name} missing"))
}

fn args_of(doc: &Value, name: &str) -> Vec<String> {
    user(doc, name)["exec"]["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// The document with the named users' `user` values blanked, for "equal apart from" checks.
fn without_users(doc: &Value, names: &[&str]) -> Value {
    let mut doc = doc.clone();
    for u in doc["users"].as_sequence_mut().unwrap() {
        if names.iter().any(|n| u["name"] == *n) {
            u["user"] = Value::Null;
        }
    }
    doc
}

fn backup_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".kubectl-entra.bak");
    PathBuf::from(name)
}

fn assert_no_secrets(text: &str) {
    for secret in [
        "SECRET",
        "eyJ0eXAi",
        "refresh-token",
        "access-token",
        "expires-on",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into: {text}");
    }
}

fn assert_exec_entry(exec: &Value) {
    assert_eq!(exec["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(exec["command"], "kubectl-entra");
    assert_eq!(exec["interactiveMode"], "IfAvailable");
    assert!(
        exec["installHint"]
            .as_str()
            .unwrap()
            .contains("krew install entra")
    );
}

#[test]
fn converts_both_source_forms_and_leaves_everything_else_intact() {
    let f = fixture(KUBECONFIG);
    let out = with_file(&f, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing on stdout without --dry-run");
    assert!(
        stderr.contains("clusterUser_rg_aks-legacy") && stderr.contains("clusterUser_rg_aks-new")
    );
    assert!(!stderr.contains("\"admin\""), "{stderr}");

    let written = std::fs::read_to_string(&f.config).unwrap();
    assert_no_secrets(&written);
    let (before, after) = (parse(KUBECONFIG), parse(&written));
    let converted = ["clusterUser_rg_aks-legacy", "clusterUser_rg_aks-new"];
    assert_eq!(
        without_users(&before, &converted),
        without_users(&after, &converted)
    );

    let legacy = user(&after, "clusterUser_rg_aks-legacy");
    assert!(legacy.get("auth-provider").is_none());
    assert_exec_entry(&legacy["exec"]);
    assert_eq!(
        args_of(&after, "clusterUser_rg_aks-legacy"),
        [
            "get-token",
            "--tenant-id",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "--client-id",
            CLIENT,
            "--server-id",
            SERVER
        ]
    );
    assert_exec_entry(&user(&after, "clusterUser_rg_aks-new")["exec"]);
    // kubelogin's azurecli login stays azurecli; the tenant and the cloud are kept.
    assert_eq!(
        args_of(&after, "clusterUser_rg_aks-new"),
        [
            "get-token",
            "--tenant-id",
            "contoso.onmicrosoft.com",
            "--server-id",
            SERVER,
            "--environment",
            "AzureUSGovernment",
            "--login",
            "azurecli"
        ]
    );

    // The original is kept byte for byte next to the file; both are private.
    let backup = backup_of(&f.config);
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), KUBECONFIG);
    assert!(stderr.contains(&backup.display().to_string()), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [&f.config, &backup] {
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }

    // A second run finds nothing to convert and does not touch the file or make a backup.
    let again = with_file(&f, &[]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to convert"));
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), written);
    let mut second_backup = backup_of(&f.config).into_os_string();
    second_backup.push(".1");
    assert!(!Path::new(&second_backup).exists());
}

#[test]
fn context_converts_only_that_contexts_user() {
    let f = fixture(KUBECONFIG);
    let out = with_file(&f, &["--context", "aks-new", "--login", "devicecode"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = parse(&std::fs::read_to_string(&f.config).unwrap());
    let before = parse(KUBECONFIG);
    assert_eq!(
        without_users(&before, &["clusterUser_rg_aks-new"]),
        without_users(&after, &["clusterUser_rg_aks-new"])
    );
    assert_eq!(
        user(&after, "clusterUser_rg_aks-new")["exec"]["command"],
        "kubectl-entra"
    );
    assert!(
        user(&after, "clusterUser_rg_aks-legacy")
            .get("auth-provider")
            .is_some()
    );
}

#[test]
fn unknown_context_is_a_clear_error_and_touches_nothing() {
    let f = fixture(KUBECONFIG);
    let out = with_file(&f, &["--context", "nope"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"nope\"") && stderr.contains("aks-legacy"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), KUBECONFIG);
    assert!(!backup_of(&f.config).exists());
}

#[test]
fn dry_run_prints_and_writes_nothing() {
    let f = fixture(KUBECONFIG);
    let out = with_file(&f, &["--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_no_secrets(&printed);
    let printed = parse(&printed);
    assert_eq!(
        user(&printed, "clusterUser_rg_aks-legacy")["exec"]["command"],
        "kubectl-entra"
    );
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), KUBECONFIG);
    assert!(!backup_of(&f.config).exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("clusterUser_rg_aks-legacy"));
}

#[test]
fn malformed_kubeconfig_is_a_clear_error_and_untouched() {
    for text in ["users: [\n  - name: x\n  bad", "- just\n- a list\n", ""] {
        let f = fixture(text);
        let out = with_file(&f, &[]);
        assert!(!out.status.success(), "{text:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&f.config.display().to_string()), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&f.config).unwrap(), text);
        assert!(!backup_of(&f.config).exists());
    }
}

#[test]
fn kubeconfig_comes_from_the_first_path_of_kubeconfig_env() {
    let f = fixture(KUBECONFIG);
    let other = f.config.with_file_name("other");
    std::fs::write(&other, KUBECONFIG).unwrap();
    let env = std::env::join_paths([&f.config, &other]).unwrap();
    let out = run(&f, &[], Some(&env));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(std::fs::read_to_string(&f.config).unwrap(), KUBECONFIG);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), KUBECONFIG);

    // Without flag and variable: ~/.kube/config.
    let home_config = f.home.join(".kube/config");
    std::fs::write(&home_config, KUBECONFIG).unwrap();
    let out = run(&f, &["--dry-run"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(&home_config.display().to_string()));
}

#[test]
fn settings_get_token_would_refuse_leave_the_user_alone_and_bad_flags_fail() {
    let text = r#"apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://203.0.113.9"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --environment, AzureMoon, --server-id, s, --client-id, c, --tenant-id, t]
"#;
    let f = fixture(text);
    // The entry's own bad value: that user is left as it is, with the reason, and the run succeeds.
    let out = with_file(&f, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("\"u\"")
            && stderr.contains("left as it is")
            && stderr.contains("AzureMoon"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&f.config).unwrap(), text);
    assert!(!backup_of(&f.config).exists());
    // A bad flag is the caller's to fix: an error before anything is read or written.
    for (extra, words) in [
        (&["--login", "ropc"][..], "devicecode"),
        (
            &["--authority-host", "http://login.example.com"][..],
            "loopback",
        ),
        (&["--tenant-id", "a/b"][..], "tenant"),
        (&["-e", "AzureMars"][..], "AzureMars"),
    ] {
        let out = with_file(&f, extra);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{extra:?}: {stderr}");
        assert!(stderr.contains(words), "{stderr}");
        assert!(out.stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&f.config).unwrap(), text);
        assert!(!backup_of(&f.config).exists());
    }
    // The right value on the command line fixes it.
    let out = with_file(&f, &["-e", "AzureChinaCloud"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        args_of(&parse(&std::fs::read_to_string(&f.config).unwrap()), "u")
            .windows(2)
            .find(|w| w[0] == "--environment")
            .map(|w| w[1].clone()),
        Some("AzureChinaCloud".to_string())
    );
}

// Kubeconfigs as `az aks get-credentials` writes them and as `kubelogin convert-kubeconfig -l
// MODE` rewrites them (tests/e2e/fixtures/convert, written from kubelogin's converter).

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const AKS_USER: &str = "clusterUser_myResourceGroup_myAKSCluster";
const SP: &str = "5a1c4e2f-0b9d-4f6e-a3c8-77d2e1f0b9aa";
const MSI: &str = "9c2d7e1a-4b5f-4e8a-b1c3-d4e5f6a7b8c9";

fn fixture_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/fixtures/convert")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Converts one fixture; checks that only the user changed, that no secret was written, and
/// returns the user's new args and stderr.
fn convert_fixture(name: &str, extra: &[&str]) -> (Vec<String>, Value, String) {
    let text = fixture_text(name);
    let f = fixture(&text);
    let out = with_file(&f, extra);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{name}: {stderr}");
    let written = std::fs::read_to_string(&f.config).unwrap();
    assert_no_secrets(&written);
    let (before, after) = (parse(&text), parse(&written));
    assert_eq!(
        without_users(&before, &[AKS_USER]),
        without_users(&after, &[AKS_USER]),
        "{name}: only the user changes"
    );
    assert_exec_entry(&user(&after, AKS_USER)["exec"]);
    assert_eq!(std::fs::read_to_string(backup_of(&f.config)).unwrap(), text);
    let args = args_of(&after, AKS_USER);
    assert_eq!(args[0], "get-token");
    (
        args[1..].to_vec(),
        user(&after, AKS_USER)["exec"].clone(),
        stderr,
    )
}

#[test]
fn every_mode_kubelogin_writes_keeps_its_mode_and_settings() {
    let user_sign_in = [
        "--tenant-id",
        TENANT,
        "--client-id",
        CLIENT,
        "--server-id",
        SERVER,
    ];
    let interactive = [
        &user_sign_in[..],
        &[
            "--login",
            "interactive",
            "--redirect-url",
            "http://localhost:8400",
            "--login-hint",
            "aksdev@contoso.com",
        ],
    ]
    .concat();
    let spn = [
        "--tenant-id",
        TENANT,
        "--client-id",
        SP,
        "--server-id",
        SERVER,
        "--login",
        "spn",
    ];
    let spn_cert = [&spn[..], &["--client-certificate", "/etc/aks/sp.pfx"]].concat();
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("az-aks-get-credentials.yaml", &user_sign_in, &[]),
        (
            "az-aks-get-credentials-auth-provider.yaml",
            &user_sign_in,
            &[],
        ),
        ("kubelogin-devicecode.yaml", &user_sign_in, &[]),
        ("kubelogin-interactive.yaml", &interactive, &[]),
        (
            "kubelogin-spn-secret.yaml",
            &spn,
            &["--client-secret dropped", "AZURE_CLIENT_SECRET"],
        ),
        (
            "kubelogin-spn-cert.yaml",
            &spn_cert,
            &[
                "--client-certificate-password dropped",
                "AZURE_CLIENT_CERTIFICATE_PASSWORD",
            ],
        ),
        (
            "kubelogin-workloadidentity.yaml",
            &["--server-id", SERVER, "--login", "workloadidentity"],
            &[],
        ),
        (
            "kubelogin-msi.yaml",
            &["--client-id", MSI, "--server-id", SERVER, "--login", "msi"],
            &[],
        ),
        (
            "kubelogin-azurecli.yaml",
            &["--server-id", SERVER, "--login", "azurecli"],
            &[],
        ),
        (
            "kubelogin-azurepipelines.yaml",
            &[
                "--tenant-id",
                TENANT,
                "--server-id",
                SERVER,
                "--login",
                "azurepipelines",
                "--azure-pipelines-service-connection-id",
                "5c000000-0000-4000-8000-0000000000c1",
            ],
            &[],
        ),
    ];
    for (name, want, words) in cases {
        let (args, exec, stderr) = convert_fixture(name, &[]);
        assert_eq!(args, *want, "{name}");
        for w in *words {
            assert!(stderr.contains(w), "{name}: {w:?} in {stderr}");
        }
        assert!(!stderr.contains("SECRET-"), "{name}: {stderr}");
        if *name == "kubelogin-azurecli.yaml" {
            assert_eq!(exec["env"][0]["name"], "AZURE_CONFIG_DIR");
            assert_eq!(exec["env"][0]["value"], "/home/runner/.azure-ci");
        } else {
            assert!(exec.get("env").is_none(), "{name}: {exec:?}");
        }
    }
}

#[test]
fn users_it_cannot_serve_stay_as_they_are_with_one_line_why() {
    for (name, why) in [
        ("kubelogin-ropc.yaml", "ropc"),
        ("kubelogin-interactive-pop.yaml", "proof-of-possession"),
        ("az-aks-get-credentials-aad-v1.yaml", "spn:"),
    ] {
        let text = fixture_text(name);
        let f = fixture(&text);
        let out = with_file(&f, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("left as it is"))
            .collect();
        assert_eq!(lines.len(), 1, "{name}: {stderr}");
        assert!(
            lines[0].contains(AKS_USER) && lines[0].contains(why),
            "{name}: {stderr}"
        );
        assert_eq!(std::fs::read_to_string(&f.config).unwrap(), text, "{name}");
        assert!(!backup_of(&f.config).exists(), "{name}");
    }
    // Naming a mode kubectl-entra has converts the ropc user, as kubelogin's -l does.
    let (args, _, _) = convert_fixture("kubelogin-ropc.yaml", &["--login", "devicecode"]);
    assert_eq!(
        args,
        [
            "--tenant-id",
            TENANT,
            "--client-id",
            CLIENT,
            "--server-id",
            SERVER
        ]
    );
}

#[test]
fn login_sets_one_mode_for_the_converted_users() {
    let file = "az-aks-get-credentials.yaml";
    let (args, _, _) = convert_fixture(file, &["-l", "spn"]);
    assert_eq!(
        args,
        [
            "--tenant-id",
            TENANT,
            "--client-id",
            CLIENT,
            "--server-id",
            SERVER,
            "--login",
            "spn"
        ]
    );
    // Changed to these modes, the client and tenant come from the identity, the CLI or the
    // webhook's variables (kubelogin's converter keeps neither).
    let (args, _, _) = convert_fixture(file, &["-l", "workloadidentity"]);
    assert_eq!(args, ["--server-id", SERVER, "--login", "workloadidentity"]);
    // In a pipeline step: the tenant stays (as kubelogin), the client comes from
    // AZURESUBSCRIPTION_CLIENT_ID.
    let (args, _, _) = convert_fixture(file, &["-l", "azurepipelines"]);
    assert_eq!(
        args,
        [
            "--tenant-id",
            TENANT,
            "--server-id",
            SERVER,
            "--login",
            "azurepipelines"
        ]
    );
    let (args, _, _) = convert_fixture(
        file,
        &[
            "-l",
            "msi",
            "--identity-resource-id",
            "/subscriptions/s/id",
            "--tenant-id",
            "t2",
        ],
    );
    assert_eq!(
        args,
        [
            "--tenant-id",
            "t2",
            "--server-id",
            SERVER,
            "--login",
            "msi",
            "--identity-resource-id",
            "/subscriptions/s/id"
        ]
    );
}

#[test]
fn tenant_id_fills_in_only_users_without_one() {
    let text = format!(
        "{}- name: no-tenant\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token, --server-id, {SERVER}]\n",
        fixture_text("kubelogin-devicecode.yaml")
    );
    let f = fixture(&text);
    let out = with_file(&f, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("\"no-tenant\"") && stderr.contains("--tenant-id"),
        "{stderr}"
    );
    let f = fixture(&text);
    let out = with_file(&f, &["--tenant-id", "filled.onmicrosoft.com"]);
    assert!(out.status.success());
    let after = parse(&std::fs::read_to_string(&f.config).unwrap());
    assert_eq!(args_of(&after, AKS_USER)[2], TENANT, "never replaced");
    assert_eq!(args_of(&after, "no-tenant")[2], "filled.onmicrosoft.com");
}

#[test]
fn merged_kubeconfig_converts_each_user_in_the_file_that_defines_it() {
    let f = fixture(&fixture_text("kubelogin-spn-secret.yaml"));
    let first_text = std::fs::read_to_string(&f.config).unwrap();
    // The second file: another cluster, plus a later definition of the first file's user
    // (kubectl uses the first; the later one is left alone).
    let second_text = format!(
        "{}- name: {AKS_USER}\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token, --login, devicecode, --tenant-id, shadow, --server-id, {SERVER}]\n",
        fixture_text("kubelogin-devicecode.yaml")
            .replace("myAKSCluster", "otherCluster")
            .replace("clusterUser_myResourceGroup_otherCluster", "other-user")
    );
    let second = f.config.with_file_name("second");
    std::fs::write(&second, &second_text).unwrap();
    let missing = f.config.with_file_name("missing");
    let env = std::env::join_paths([&f.config, &missing, &second]).unwrap();

    // --context picks one user, in the file that defines it.
    let out = run(&f, &["--context", "otherCluster", "--dry-run"], Some(&env));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("\"other-user\"") && !stderr.contains(AKS_USER),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&second).unwrap(), second_text);

    let out = run(&f, &[], Some(&env));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for (path, text, user_name) in [
        (&f.config, &first_text, AKS_USER),
        (&second, &second_text, "other-user"),
    ] {
        let written = std::fs::read_to_string(path).unwrap();
        assert_no_secrets(&written);
        assert_eq!(&std::fs::read_to_string(backup_of(path)).unwrap(), text);
        let (before, after) = (parse(text), parse(&written));
        assert_eq!(
            without_users(&before, &[user_name]),
            without_users(&after, &[user_name]),
            "{}",
            path.display()
        );
        assert_eq!(user(&after, user_name)["exec"]["command"], "kubectl-entra");
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    }
    let after = parse(&std::fs::read_to_string(&second).unwrap());
    let shadowed: Vec<&Value> = after["users"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|u| u["name"] == AKS_USER)
        .collect();
    assert_eq!(shadowed[0]["user"]["exec"]["command"], "kubelogin");
    assert!(!missing.exists());
}

#[test]
fn whoami_and_can_i_on_an_unconverted_context_say_how_to_convert_it() {
    for name in [
        "az-aks-get-credentials.yaml",
        "az-aks-get-credentials-auth-provider.yaml",
    ] {
        // A closed loopback port: nothing leaves the machine.
        let text = fixture_text(name).replace(
            "https://myakscluster-dns-4f2a1b3c.hcp.eastus.azmk8s.io:443",
            "https://127.0.0.1:1",
        );
        let f = fixture(&text);
        let no_kubelogin = f.home.join("bin");
        std::fs::create_dir_all(&no_kubelogin).unwrap();
        for command in [&["whoami"][..], &["can-i", "get", "pods"]] {
            let out = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
                .args(command)
                .arg("--kubeconfig")
                .arg(&f.config)
                .env("HOME", &f.home)
                .env("PATH", &no_kubelogin)
                .env_remove("KUBECONFIG")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{name} {command:?}: {stderr}");
            assert!(
                stderr.contains("kubectl entra convert-kubeconfig --context myAKSCluster"),
                "{name} {command:?}: {stderr}"
            );
            assert!(!stderr.contains("SECRET"), "{stderr}");
        }
    }
}
