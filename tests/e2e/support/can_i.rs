//! Shared by the whoami and can-i integration tests: a sandbox child process (Entra emulator +
//! API stand-in) with the AKS article's namespaces, Role and RoleBinding applied by the admin,
//! and runners for the built binary and the real kubectl as a signed-in sandbox user, each
//! test with its own cache dir, HOME and file token cache.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub use super::sandbox::bin;

/// The persona-level sandbox: the one launcher in [`super::sandbox`], approving every device
/// code as one user. Derefs to the raw sandbox (`dir`, `info`, `s`, `stderr`...).
pub struct Sandbox {
    raw: super::sandbox::Sandbox,
}

impl std::ops::Deref for Sandbox {
    type Target = super::sandbox::Sandbox;

    fn deref(&self) -> &super::sandbox::Sandbox {
        &self.raw
    }
}

impl Sandbox {
    /// Starts a sandbox that approves every device code as `upn`.
    pub fn start(upn: &str, extra: &[&str]) -> Sandbox {
        Sandbox {
            raw: super::sandbox::Sandbox::start_approving(upn, extra),
        }
    }

    pub fn admin_kubeconfig(&self) -> PathBuf {
        PathBuf::from(self.s("admin_kubeconfig"))
    }

    pub fn user_kubeconfig(&self) -> PathBuf {
        PathBuf::from(self.s("user_kubeconfig"))
    }

    /// A copy of the user kubeconfig whose exec entry carries this test's cache settings, for
    /// in-process clients (no process-wide environment changes).
    pub fn user_kubeconfig_with_env(&self) -> PathBuf {
        let text = std::fs::read_to_string(self.user_kubeconfig()).expect("user kubeconfig");
        let mut config: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
        let env = serde_yaml::to_value(serde_json::json!([
            {"name": "KUBECACHEDIR", "value": self.dir.path().join("cache")},
            {"name": "KUBECTL_ENTRA_TOKEN_CACHE", "value": "file"},
            {"name": "HOME", "value": self.dir.path().join("home")},
        ]))
        .expect("env");
        config["users"][0]["user"]["exec"]["env"] = env;
        let path = self.dir.path().join("user-env.kubeconfig");
        std::fs::write(&path, serde_yaml::to_string(&config).expect("yaml")).expect("write");
        path
    }

    fn env(&self, cmd: &mut Command, kubeconfig: &Path) {
        let home = self.dir.path().join("home");
        let _ = std::fs::create_dir_all(&home);
        cmd.env("KUBECONFIG", kubeconfig)
            .env("HOME", &home)
            .env("KUBECACHEDIR", self.dir.path().join("cache"))
            .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
            .env("KUBECTL_ENTRA_GRAPH_ENDPOINT", self.s("graph_endpoint"))
            .env("NO_COLOR", "1")
            .env_remove("KUBECTL_ENTRA_SANDBOX")
            .stdin(Stdio::null());
    }

    /// The built binary as the signed-in sandbox user.
    pub fn entra(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(bin());
        self.env(&mut cmd, &self.user_kubeconfig());
        cmd.args(args).output().expect("run kubectl-entra")
    }

    /// Any program as the signed-in sandbox user (this sandbox's HOME, cache and user
    /// kubeconfig), e.g. the completion helper kubectl runs.
    pub fn run_as_user(&self, mut cmd: Command) -> Output {
        self.env(&mut cmd, &self.user_kubeconfig());
        cmd.output().expect("run as the sandbox user")
    }

    /// The built binary with the admin kubeconfig (static token, system:masters).
    pub fn entra_admin(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(bin());
        self.env(&mut cmd, &self.admin_kubeconfig());
        cmd.args(args).output().expect("run kubectl-entra")
    }

    /// The built binary with the admin kubeconfig and Microsoft Graph through the emulator
    /// (`--graph-tenant-id`; the Graph token is the auto-approved user's): for commands that
    /// read RBAC as admin and name Entra objects.
    pub fn entra_admin_graph(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(bin());
        self.env(&mut cmd, &self.admin_kubeconfig());
        cmd.env("AZURE_AUTHORITY_HOST", self.s("authority_host"))
            .args(args)
            .args(["--graph-tenant-id", &self.s("tenant_id")])
            .output()
            .expect("run kubectl-entra")
    }

    /// A shell command line as the admin, with the built kubectl-entra on PATH, so that
    /// `kubectl entra ...` runs exactly as a user would type it.
    pub fn admin_shell(&self, line: &str) -> Output {
        let bin_dir = Path::new(bin()).parent().expect("bin dir");
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("sh");
        self.env(&mut cmd, &self.admin_kubeconfig());
        cmd.env("PATH", path)
            .env("AZURE_AUTHORITY_HOST", self.s("authority_host"))
            .args(["-c", line])
            .output()
            .expect("run sh")
    }

    /// The real kubectl as the signed-in user (its exec entry runs the built binary).
    pub fn kubectl(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("kubectl");
        self.env(&mut cmd, &self.user_kubeconfig());
        cmd.args(args).output().expect("run kubectl")
    }

    /// The real kubectl as admin; panics on failure.
    pub fn admin(&self, args: &[&str]) -> String {
        let mut cmd = Command::new("kubectl");
        self.env(&mut cmd, &self.admin_kubeconfig());
        let out = cmd.args(args).output().expect("run kubectl");
        assert!(
            out.status.success(),
            "kubectl {args:?}: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// The admin applies a manifest given as text.
    pub fn admin_apply(&self, manifest: &str) {
        let path = self
            .dir
            .path()
            .join(format!("m-{}.yaml", uuid::Uuid::new_v4()));
        std::fs::write(&path, manifest).expect("write manifest");
        self.admin(&["apply", "-f", path.to_str().expect("utf-8 path")]);
    }

    /// The AKS article's setup: namespaces dev and sre, each with the full-access Role and a
    /// RoleBinding to its Entra group's object id (appdev in dev, opssre in sre).
    pub fn article(&self) {
        self.admin(&["create", "namespace", "dev"]);
        self.admin(&["create", "namespace", "sre"]);
        let walkthrough = self.dir.path().join("state").join("walkthrough");
        for ns in ["dev", "sre"] {
            let path = walkthrough.join(format!("{ns}.yaml"));
            self.admin(&["apply", "-f", path.to_str().expect("utf-8 path")]);
        }
    }

    /// `/_sandbox/stats` (category -> key -> count).
    pub fn stats(&self) -> serde_json::Value {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(self.stats_async())
    }

    pub async fn stats_async(&self) -> serde_json::Value {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http")
            .get(self.s("stats_url"))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// A kubeconfig (written under the sandbox dir as `NAME.kubeconfig`) for the API stand-in
    /// whose user runs the built binary with `args` and the exec `env` (e.g. `--login msi`).
    pub fn exec_kubeconfig(&self, name: &str, args: &[&str], env: &[(&str, &str)]) -> PathBuf {
        let text = std::fs::read_to_string(self.admin_kubeconfig()).expect("admin kubeconfig");
        let mut config: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
        let env: Vec<serde_json::Value> = env
            .iter()
            .map(|(k, v)| serde_json::json!({"name": k, "value": v}))
            .collect();
        let exec = serde_json::json!({"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": bin(),
            "args": args,
            "env": env,
            "interactiveMode": "Never",
        }});
        config["users"][0]["user"] = serde_yaml::to_value(exec).expect("exec");
        let path = self.dir.path().join(format!("{name}.kubeconfig"));
        std::fs::write(&path, serde_yaml::to_string(&config).expect("yaml")).expect("write");
        path
    }

    /// The real kubectl with `kubeconfig` (this sandbox's HOME and cache environment).
    pub fn kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new("kubectl");
        self.env(&mut cmd, kubeconfig);
        cmd.args(args).output().expect("run kubectl")
    }

    /// Starts the real kubectl with `kubeconfig` without waiting (parallel runs).
    pub fn spawn_kubectl_with(&self, kubeconfig: &Path, args: &[&str]) -> Child {
        let mut cmd = Command::new("kubectl");
        self.env(&mut cmd, kubeconfig);
        cmd.args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kubectl")
    }

    pub fn api_count(&self, key: &str) -> u64 {
        self.stats()["api"][key].as_u64().unwrap_or(0)
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
