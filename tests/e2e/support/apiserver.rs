//! Shared by the apiserver integration tests: an in-process API stand-in with a test signing
//! key, token minting, kubeconfigs and a runner for the real kubectl.
#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use kubectl_entra_sandbox::apiserver::{self, ApiServerConfig};
use kubectl_entra_sandbox::stats::Stats;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, OnceLock};

pub const TENANT: &str = "c0ffee00-0000-4000-8000-00000000aa01";
pub const AUDIENCE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
pub const DEV_OID: &str = "aaaaaaaa-0000-4000-8000-000000000001";
pub const APPDEV_GROUP: &str = "cccccccc-0000-4000-8000-000000000010";
pub const OPSSRE_GROUP: &str = "cccccccc-0000-4000-8000-000000000011";

pub fn issuer() -> String {
    format!("https://sts.windows.net/{TENANT}/")
}

/// One RSA key for the whole test binary (generation is slow).
pub struct TestKey {
    pub encoding: EncodingKey,
    pub jwks: Value,
    pub pem: String,
}

pub fn test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(make_key)
}

pub fn make_key() -> TestKey {
    let key = <rsa::PrivateKey as rsa::Generate>::generate();
    let pem = key.to_pkcs8_pem(LineEnding::LF).expect("pem").to_string();
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("encoding key");
    let jwks = json!({"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "test-kid",
        "n": URL_SAFE_NO_PAD.encode(key.n().to_be_bytes_trimmed_vartime()),
        "e": URL_SAFE_NO_PAD.encode(key.e().to_be_bytes_trimmed_vartime()),
    }]});
    TestKey {
        encoding,
        jwks,
        pem,
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Claims of a v1 AKS access token for aksdev (overridable).
pub fn claims(upn: &str, oid: &str, groups: &[&str]) -> Value {
    let now = now();
    json!({
        "aud": AUDIENCE, "iss": issuer(), "iat": now, "nbf": now, "exp": now + 3600,
        "upn": upn, "unique_name": upn, "oid": oid, "tid": TENANT, "ver": "1.0",
        "groups": groups,
    })
}

pub fn sign_with(key: &EncodingKey, claims: &Value) -> String {
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("test-kid".into());
    jsonwebtoken::encode(&h, claims, key).expect("sign")
}

pub fn sign(claims: &Value) -> String {
    sign_with(&test_key().encoding, claims)
}

pub fn dev_token() -> String {
    sign(&claims("aksdev@contoso.com", DEV_OID, &[APPDEV_GROUP]))
}

pub struct Cluster {
    pub rt: tokio::runtime::Runtime,
    pub dir: tempfile::TempDir,
    pub url: String,
    pub ca_pem: String,
    pub stats: Arc<Stats>,
}

pub fn start_in(dir: tempfile::TempDir) -> Cluster {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let stats = Arc::new(Stats::default());
    let server = rt
        .block_on(apiserver::start(ApiServerConfig {
            state_dir: dir.path().to_path_buf(),
            port: 0,
            issuer: issuer(),
            audience: AUDIENCE.into(),
            jwks: test_key().jwks.clone(),
            admin_token: ADMIN_TOKEN.into(),
            cluster_admin_groups: Vec::new(),
            stats: stats.clone(),
            faults: None,
            directory: None,
        }))
        .expect("start API server");
    Cluster {
        rt,
        dir,
        url: server.url,
        ca_pem: server.ca_pem,
        stats,
    }
}

pub fn start() -> Cluster {
    start_in(tempfile::tempdir().expect("tempdir"))
}

/// `kubectl` must be on PATH: these tests drive the real client.
pub fn require_kubectl() {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "kubectl is not on PATH; install kubectl 1.32+ to run the API server tests"
    );
}

pub struct KubectlResult {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Cluster {
    /// Writes a kubeconfig with a static bearer token; returns its path.
    pub fn kubeconfig(&self, name: &str, token: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.kubeconfig"));
        let ca = STANDARD.encode(self.ca_pem.as_bytes());
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: sandbox\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\nusers:\n- name: {name}\n  user:\n    token: {token}\ncontexts:\n- name: {name}\n  context:\n    cluster: sandbox\n    user: {name}\n    namespace: default\ncurrent-context: {name}\n",
            url = self.url
        );
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    pub fn kubectl(&self, kubeconfig: &Path, args: &[&str]) -> KubectlResult {
        self.kubectl_stdin(kubeconfig, args, None)
    }

    pub fn kubectl_stdin(
        &self,
        kubeconfig: &Path,
        args: &[&str],
        stdin: Option<&str>,
    ) -> KubectlResult {
        use std::io::Write;
        let home = self.dir.path().join("home");
        let _ = std::fs::create_dir_all(&home);
        let mut cmd = Command::new("kubectl");
        cmd.arg("--kubeconfig")
            .arg(kubeconfig)
            .args(args)
            .env("HOME", &home)
            .env("KUBECACHEDIR", home.join("cache"))
            .env_remove("KUBECONFIG")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("run kubectl");
        if let (Some(mut sin), Some(text)) = (child.stdin.take(), stdin) {
            sin.write_all(text.as_bytes()).expect("stdin");
        }
        let out: Output = child.wait_with_output().expect("kubectl output");
        KubectlResult {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.ca_pem.as_bytes()).expect("ca"),
            )
            .build()
            .expect("client")
    }

    /// Sends a request; returns status and JSON body (Null when not JSON).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (u16, Value) {
        let client = self.client();
        let url = format!("{}{}", self.url, path);
        self.rt.block_on(async move {
            let mut rb = client.request(method.parse().expect("method"), url);
            if let Some(t) = token {
                rb = rb.bearer_auth(t);
            }
            if let Some(ct) = content_type {
                rb = rb.header("Content-Type", ct);
            }
            if let Some(b) = body {
                rb = rb.body(b);
            }
            let resp = rb.send().await.expect("send");
            let code = resp.status().as_u16();
            let bytes = resp.bytes().await.unwrap_or_default();
            (code, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
        })
    }

    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.request(
            method,
            path,
            Some(ADMIN_TOKEN),
            Some("application/json"),
            body.map(|b| serde_json::to_vec(&b).expect("json")),
        )
    }
}

/// The article's Role and RoleBinding for a namespace and group object id.
pub fn article_manifest(ns: &str, role: &str, binding: &str, group_oid: &str) -> String {
    format!(
        r#"kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: {role}
  namespace: {ns}
rules:
- apiGroups: ["", "extensions", "apps"]
  resources: ["*"]
  verbs: ["*"]
- apiGroups: ["batch"]
  resources:
  - jobs
  - cronjobs
  verbs: ["*"]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: {binding}
  namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {role}
subjects:
- kind: Group
  namespace: {ns}
  name: {group_oid}
"#
    )
}
