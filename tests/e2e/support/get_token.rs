//! Helpers for the get-token integration tests: a sandbox (the Entra emulator, started as a child
//! process by `sandbox_support`), and a client side with its own HOME and file cache.
#![allow(dead_code)]

pub use super::sandbox as sandbox_support;

#[allow(unused_imports)]
pub use sandbox_support::{AKS_SERVER, Sandbox};
use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const DEV: &str = "aksdev@contoso.com";
pub const SRE: &str = "akssre@contoso.com";

/// The plugin's side: its own HOME, KUBECACHEDIR and file cache, never a real keyring.
pub struct Client {
    pub home: tempfile::TempDir,
    pub cache_dir: PathBuf,
    pub authority: String,
    pub tenant: String,
    pub port_file: PathBuf,
    /// Variables set (Some) or removed (None) after the defaults, see [`Client::env`].
    pub extra_env: Vec<(String, Option<String>)>,
}

impl Client {
    pub fn new(sandbox: &Sandbox) -> Client {
        let home = tempfile::tempdir().expect("home");
        let cache_dir = home.path().join("kubecache").join("kubectl-entra");
        Client {
            cache_dir,
            authority: sandbox.base(),
            tenant: sandbox.tid(),
            port_file: sandbox.port_file.clone(),
            home,
            extra_env: Vec::new(),
        }
    }

    /// Sets `name` in every command, over the defaults (e.g. KUBECTL_ENTRA_TOKEN_CACHE).
    pub fn env(mut self, name: &str, value: &str) -> Client {
        self.extra_env.push((name.into(), Some(value.into())));
        self
    }

    /// Removes `name` from every command's environment.
    pub fn env_remove(mut self, name: &str) -> Client {
        self.extra_env.push((name.into(), None));
        self
    }

    /// `kubectl-entra SUB --authority-host A --tenant-id T --timeout 5s` with a clean environment.
    pub fn command(&self, sub: &str, extra: &[&str]) -> Command {
        let mut cmd = Command::new(sandbox_support::bin());
        cmd.arg(sub);
        if !extra.contains(&"--timeout") {
            cmd.args(["--timeout", "5s"]);
        }
        cmd.args(["--authority-host", &self.authority])
            .args(["--tenant-id", &self.tenant])
            .args(extra)
            .env("HOME", self.home.path())
            .env("KUBECACHEDIR", self.home.path().join("kubecache"))
            .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
            .env_remove("KUBERNETES_EXEC_INFO")
            .env_remove("AZURE_TENANT_ID")
            .env_remove("AZURE_CLIENT_ID")
            .env_remove("AZURE_AUTHORITY_HOST")
            .env_remove("AAD_LOGIN_METHOD")
            .env_remove("AZURE_ENVIRONMENT")
            .stdin(Stdio::null());
        for (name, value) in &self.extra_env {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        cmd
    }

    /// Runs a command that must not need a sign-in.
    pub fn run(&self, sub: &str, extra: &[&str]) -> Output {
        self.command(sub, extra)
            .output()
            .expect("run kubectl-entra")
    }

    /// Starts get-token (or login) with stderr piped, for reading the device-code prompt.
    pub fn spawn(&self, sub: &str, extra: &[&str]) -> Running {
        let mut child = self
            .command(sub, extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kubectl-entra");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// A full device-code sign-in as `upn`; returns the finished process output.
    pub fn sign_in(&self, upn: &str, extra: &[&str]) -> Finished {
        let mut running = self.spawn("get-token", extra);
        let code = running.user_code();
        self.approve(&code, upn, false);
        running.finish()
    }

    /// `kubectl-entra sandbox approve CODE --user UPN --port-file F [--decline]`.
    pub fn approve(&self, code: &str, upn: &str, decline: bool) {
        let mut cmd = Command::new(sandbox_support::bin());
        cmd.args(["sandbox", "approve", code, "--user", upn, "--port-file"])
            .arg(&self.port_file);
        if decline {
            cmd.arg("--decline");
        }
        let out = cmd.output().expect("sandbox approve");
        assert!(
            out.status.success(),
            "approve failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The cache files (names) in the cache directory.
    pub fn cache_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.cache_dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The single token entry's JSON.
    pub fn token_entry(&self) -> serde_json::Value {
        let name = self
            .cache_files()
            .into_iter()
            .find(|n| n.starts_with("token-") && n.ends_with(".json"))
            .expect("a token entry");
        let text = std::fs::read_to_string(self.cache_dir.join(name)).expect("read entry");
        serde_json::from_str(&text).expect("entry JSON")
    }

    /// Raw bytes of every entry, to prove the cache is untouched.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        self.cache_files()
            .into_iter()
            .filter(|n| n.ends_with(".json"))
            .map(|n| {
                let bytes = std::fs::read(self.cache_dir.join(&n)).expect("read");
                (n, bytes)
            })
            .collect()
    }

    /// Rewrites the cached entry's expiry (unix seconds), e.g. into the past.
    pub fn set_expiry(&self, expires_on: i64) {
        for name in self.cache_files() {
            if name.starts_with("token-") && name.ends_with(".json") {
                let path = self.cache_dir.join(&name);
                let mut v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
                        .expect("json");
                v["expires_on"] = serde_json::json!(expires_on);
                std::fs::write(&path, v.to_string()).expect("write");
            }
        }
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A running kubectl-entra with its stderr lines arriving on a channel.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
}

impl Running {
    /// Waits (up to 60 s) for the device-code prompt and returns the user code.
    pub fn user_code(&mut self) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| {
                    panic!("no device-code prompt; stderr so far: {:?}", self.seen)
                });
            self.seen.push(line.clone());
            if let Some(rest) = line.split("enter the code ").nth(1) {
                let code: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                assert!(!code.is_empty(), "{line}");
                return code;
            }
        }
    }

    /// The user code if a prompt has arrived by now (non-blocking).
    pub fn try_user_code(&mut self) -> Option<String> {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line.clone());
            if let Some(rest) = line.split("enter the code ").nth(1) {
                return Some(
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect(),
                );
            }
        }
        None
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn finish(mut self) -> Finished {
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            use std::io::Read as _;
            out.read_to_string(&mut stdout).expect("stdout");
        }
        let status = self.child.wait().expect("wait");
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            self.seen.push(line);
        }
        Finished {
            status,
            stdout,
            stderr: self.seen.join("\n"),
        }
    }
}

pub struct Finished {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// The token of the ExecCredential on stdout (asserting its shape).
    pub fn token(&self) -> String {
        assert!(self.status.success(), "get-token failed: {}", self.stderr);
        credential_token(&self.stdout)
    }
}

pub fn credential_token(stdout: &str) -> String {
    let doc: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {stdout:?}"));
    assert_eq!(doc["kind"], "ExecCredential");
    doc["status"]["token"]
        .as_str()
        .expect("status.token")
        .to_string()
}

/// The claims of a JWT (no verification).
pub fn claims(jwt: &str) -> serde_json::Value {
    use base64::Engine as _;
    let middle = jwt.split('.').nth(1).expect("JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(middle)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("claims JSON")
}

pub fn count(stats: &serde_json::Value, category: &str, key: &str) -> u64 {
    stats[category][key].as_u64().unwrap_or(0)
}
