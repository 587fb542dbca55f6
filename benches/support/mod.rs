//! What the sandbox benches share: a sandbox started in the bench's own process (approving
//! every device code as one user), and runners for the built plugin and kubectl with the
//! run's own HOME, cache dir and file token cache.
#![allow(dead_code)] // each bench uses part of it

use kubectl_entra_sandbox::{RunningSandbox, SandboxInfo, SandboxOptions, run};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A sandbox on loopback, its runtime and the run's temporary directory.
pub struct Bench {
    pub runtime: tokio::runtime::Runtime,
    pub sandbox: RunningSandbox,
    pub env: Env,
    _dir: tempfile::TempDir,
}

impl Bench {
    /// Starts the sandbox approving device codes as `user`.
    pub fn start(user: &str) -> Bench {
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let sandbox = runtime
            .block_on(run(SandboxOptions {
                state_dir: Some(dir.path().join("state")),
                auto_approve: Some(user.to_string()),
                poll_interval: 0,
                plugin_command: Some(PathBuf::from(env!("CARGO_BIN_EXE_kubectl-entra"))),
                remember: false,
                ..SandboxOptions::default()
            }))
            .expect("sandbox starts");
        let env = Env {
            info: sandbox.info.clone(),
            dir: dir.path().to_path_buf(),
        };
        Bench {
            runtime,
            sandbox,
            env,
            _dir: dir,
        }
    }

    /// Stops the sandbox cleanly.
    pub fn shutdown(self) {
        self.runtime
            .block_on(self.sandbox.shutdown())
            .expect("clean shutdown");
    }
}

/// What the child processes need: the sandbox's facts and this run's cache dir and HOME.
pub struct Env {
    pub info: SandboxInfo,
    pub dir: PathBuf,
}

impl Env {
    pub fn run(&self, program: &str, kubeconfig: &Path, args: &[&str]) -> Output {
        let home = self.dir.join("home");
        std::fs::create_dir_all(&home).expect("home dir");
        Command::new(program)
            .args(args)
            .env("KUBECONFIG", kubeconfig)
            .env("HOME", &home)
            .env("KUBECACHEDIR", self.dir.join("cache"))
            .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
            .env("KUBECTL_ENTRA_GRAPH_ENDPOINT", &self.info.graph_endpoint)
            .env("AZURE_AUTHORITY_HOST", &self.info.authority_host)
            .env("NO_COLOR", "1")
            .env_remove("KUBECTL_ENTRA_SANDBOX")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
    }

    pub fn entra(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        self.run(env!("CARGO_BIN_EXE_kubectl-entra"), kubeconfig, args)
    }

    /// A copy of the user kubeconfig whose exec entry carries this run's cache settings, for
    /// an in-process client (no process-wide environment changes).
    pub fn user_kubeconfig_with_env(&self, user: &Path) -> PathBuf {
        let text = std::fs::read_to_string(user).expect("user kubeconfig");
        let mut config: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
        config["users"][0]["user"]["exec"]["env"] = serde_yaml::to_value(serde_json::json!([
            {"name": "KUBECACHEDIR", "value": self.dir.join("cache")},
            {"name": "KUBECTL_ENTRA_TOKEN_CACHE", "value": "file"},
            {"name": "HOME", "value": self.dir.join("home")},
        ]))
        .expect("env");
        let path = self.dir.join("user-env.kubeconfig");
        std::fs::write(&path, serde_yaml::to_string(&config).expect("yaml")).expect("write");
        path
    }

    /// `/_sandbox/stats` (category -> key -> count).
    pub async fn stats(&self) -> serde_json::Value {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http")
            .get(&self.info.stats_url)
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }
}

pub fn count(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
