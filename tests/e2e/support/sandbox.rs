//! Shared helpers for the sandbox integration tests: start the built binary as a child process
//! on ephemeral ports, read its port file, talk to it with reqwest, and kill it on drop.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const AKS_CLIENT: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
pub const AZ_CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub const AKS_SERVER: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
pub const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
pub const DEVICE_URN: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub fn bin() -> &'static str {
    super::sandbox_bin();
    env!("CARGO_BIN_EXE_kubectl-entra")
}

/// A sandbox child process; killed when dropped.
pub struct Sandbox {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub port_file: PathBuf,
    pub info: serde_json::Value,
    pub http: reqwest::Client,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    /// `kubectl-entra sandbox --state-dir <tmp>/state --port-file <tmp>/p.json --poll-interval 0 ARGS`
    pub fn start(args: &[&str]) -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        Self::start_in(dir, args)
    }

    /// A sandbox with its API stand-in that approves every device code as `upn`.
    pub fn start_approving(upn: &str, extra: &[&str]) -> Sandbox {
        let mut args = vec!["--auto-approve", upn];
        args.extend_from_slice(extra);
        let sandbox = Self::start(&args);
        assert!(
            sandbox.info["api_server"].is_string(),
            "no API server: {}",
            sandbox.stderr()
        );
        sandbox
    }

    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Sandbox {
        let port_file = dir.path().join("p.json");
        let _ = std::fs::remove_file(&port_file);
        let state = dir.path().join("state");
        let child = Command::new(bin())
            .arg("sandbox")
            .arg("--state-dir")
            .arg(&state)
            .arg("--port-file")
            .arg(&port_file)
            .args(["--poll-interval", "0"])
            .args(args)
            .env("XDG_RUNTIME_DIR", dir.path())
            .env("HOME", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("stderr.txt")).expect("stderr file"),
            ))
            .spawn()
            .expect("spawn sandbox");
        let mut sandbox = Sandbox {
            child,
            port_file: port_file.clone(),
            info: serde_json::Value::Null,
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            dir,
        };
        // The port file appears (atomically) once everything is bound.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                sandbox.info = serde_json::from_str(&text).expect("port file is JSON");
                // `--tls`: the emulator's own CA.
                if let Some(ca) = sandbox.info["authority_ca_file"].as_str() {
                    let pem = std::fs::read(ca).expect("emulator CA");
                    sandbox.http = reqwest::Client::builder()
                        .no_proxy()
                        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("PEM"))
                        .build()
                        .expect("client");
                }
                break;
            }
            if let Ok(Some(status)) = sandbox.child.try_wait() {
                panic!("sandbox exited early with {status}: {}", sandbox.stderr());
            }
            assert!(
                Instant::now() < deadline,
                "sandbox did not start: {}",
                sandbox.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        sandbox
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap_or_default()
    }

    /// A kubeconfig at `path` for the sandbox's API stand-in (cluster and CA as in the admin
    /// kubeconfig) whose user runs the built plugin with `args` and `env` as its exec entry.
    pub fn exec_kubeconfig(&self, path: &Path, args: &[&str], env: &[(&str, &str)]) -> PathBuf {
        let admin = std::fs::read_to_string(self.s("admin_kubeconfig")).expect("admin kubeconfig");
        let admin: serde_json::Value = serde_yaml::from_str(&admin).expect("admin kubeconfig YAML");
        let env: Vec<serde_json::Value> = env
            .iter()
            .map(|(name, value)| serde_json::json!({"name": name, "value": value}))
            .collect();
        let doc = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": admin["clusters"],
            "users": [{"name": "app", "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": bin(),
                "args": args,
                "env": env,
                "interactiveMode": "Never",
            }}}],
            "contexts": [{"name": "app", "context": {"cluster": admin["clusters"][0]["name"], "user": "app"}}],
            "current-context": "app",
        });
        std::fs::write(path, serde_yaml::to_string(&doc).expect("yaml")).expect("write kubeconfig");
        path.to_path_buf()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn s(&self, key: &str) -> String {
        self.info[key].as_str().unwrap_or_default().to_string()
    }

    /// A group's object id from the port file.
    pub fn group_id(&self, name: &str) -> String {
        self.info["groups"][name]
            .as_str()
            .unwrap_or_else(|| panic!("no group {name} in the port file"))
            .to_string()
    }

    /// A user's object id from the port file.
    pub fn user_id(&self, upn: &str) -> String {
        self.info["users"][upn]
            .as_str()
            .unwrap_or_else(|| panic!("no user {upn} in the port file"))
            .to_string()
    }

    /// Queues a fault (`/_sandbox/faults`) from synchronous test code.
    pub fn post_fault(&self, fault: serde_json::Value) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(self.fault(fault));
    }

    pub fn base(&self) -> String {
        self.s("authority_host")
    }

    pub fn tid(&self) -> String {
        self.s("tenant_id")
    }

    pub async fn get(&self, url: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let r = self.http.get(url).send().await.expect("GET");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.expect("body"))
    }

    pub async fn get_json(&self, url: &str) -> (u16, serde_json::Value) {
        let (s, _, body) = self.get(url).await;
        (
            s,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        request_id: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let mut req = self.http.post(url).form(form);
        if let Some(id) = request_id {
            req = req.header("client-request-id", id);
        }
        let r = req.send().await.expect("POST");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.text().await.expect("body"))
    }

    pub async fn post_json(&self, url: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let r = self.http.post(url).json(&body).send().await.expect("POST");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Starts a device-code sign-in for the AKS server app.
    pub async fn devicecode(
        &self,
        client_id: &str,
        scope: &str,
        request_id: Option<&str>,
    ) -> (u16, serde_json::Value) {
        let (s, _, body) = self
            .post_form(
                &self.s("devicecode_endpoint"),
                &[("client_id", client_id), ("scope", scope)],
                request_id,
            )
            .await;
        (
            s,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn aks_devicecode(&self) -> serde_json::Value {
        let (s, v) = self
            .devicecode(
                AKS_CLIENT,
                &format!("{AKS_SERVER}/.default openid offline_access profile"),
                None,
            )
            .await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn token(&self, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let (s, _, body) = self.post_form(&self.s("token_endpoint"), form, None).await;
        (
            s,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn poll(&self, device_code: &str) -> (u16, serde_json::Value) {
        self.token(&[
            ("grant_type", DEVICE_URN),
            ("client_id", AKS_CLIENT),
            ("device_code", device_code),
            ("client_info", "1"),
        ])
        .await
    }

    pub async fn approve_json(&self, user_code: &str, upn: &str, decline: bool) -> u16 {
        self.post_json(
            &self.s("approve_url"),
            serde_json::json!({"user_code": user_code, "upn": upn, "decline": decline}),
        )
        .await
        .0
    }

    /// Signs `upn` in through the JSON shortcut and returns the token response.
    pub async fn sign_in(&self, upn: &str) -> serde_json::Value {
        let dc = self.aks_devicecode().await;
        assert_eq!(
            self.approve_json(dc["user_code"].as_str().expect("uc"), upn, false)
                .await,
            200
        );
        let (s, v) = self.poll(dc["device_code"].as_str().expect("dc")).await;
        assert_eq!(s, 200, "{v}");
        v
    }

    pub async fn fault(&self, fault: serde_json::Value) {
        let (s, v) = self.post_json(&self.s("faults_url"), fault).await;
        assert_eq!(s, 200, "{v}");
    }

    pub async fn stats(&self) -> serde_json::Value {
        self.get_json(&self.s("stats_url")).await.1
    }

    /// Verifies a JWT against the sandbox JWKS and returns its header and claims.
    pub async fn verify(
        &self,
        token: &str,
        audience: &str,
        issuer: &str,
    ) -> (jsonwebtoken::Header, serde_json::Value) {
        let (_, jwks) = self.get_json(&self.s("jwks_uri")).await;
        let header = jsonwebtoken::decode_header(token).expect("header");
        let key = jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["kid"].as_str() == header.kid.as_deref())
            .expect("kid in JWKS");
        let dk = jsonwebtoken::DecodingKey::from_rsa_components(
            key["n"].as_str().expect("n"),
            key["e"].as_str().expect("e"),
        )
        .expect("decoding key");
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.set_audience(&[audience]);
        v.set_issuer(&[issuer]);
        v.leeway = 0;
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &dk, &v).expect("valid JWT");
        (data.header, data.claims)
    }
}

/// What a browser needs from the device-login page: the form's action and its fields.
#[derive(Debug, Default)]
pub struct PageForm {
    pub action: String,
    pub method: String,
    pub text_inputs: Vec<String>,
    pub password_inputs: Vec<String>,
    pub select: Option<(String, Vec<String>)>,
    /// (name, value) of submit buttons
    pub buttons: Vec<(String, String)>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

/// A small HTML reader for the sandbox page: tags inside the first `<form>`.
pub fn parse_form(html: &str) -> PageForm {
    let start = html.find("<form").expect("a form");
    let end = html[start..].find("</form>").expect("form end") + start;
    let form_html = &html[start..end];
    let mut out = PageForm::default();
    let mut rest = form_html;
    let mut select_open: Option<(String, Vec<String>)> = None;
    while let Some(lt) = rest.find('<') {
        let gt = rest[lt..].find('>').expect("tag end") + lt;
        let tag = &rest[lt..=gt];
        if tag.starts_with("<form") {
            out.action = attr(tag, "action").unwrap_or_default();
            out.method = attr(tag, "method").unwrap_or_default();
        } else if tag.starts_with("<input") {
            let name = attr(tag, "name").expect("input name");
            match attr(tag, "type").as_deref() {
                Some("password") => out.password_inputs.push(name),
                _ => out.text_inputs.push(name),
            }
        } else if tag.starts_with("<select") {
            select_open = Some((attr(tag, "name").expect("select name"), Vec::new()));
        } else if tag.starts_with("<option") {
            if let Some((_, opts)) = select_open.as_mut() {
                opts.push(attr(tag, "value").expect("option value"));
            }
        } else if tag.starts_with("</select") {
            out.select = select_open.take();
        } else if tag.starts_with("<button") && attr(tag, "type").as_deref() == Some("submit") {
            out.buttons.push((
                attr(tag, "name").expect("button name"),
                attr(tag, "value").expect("button value"),
            ));
        }
        rest = &rest[gt + 1..];
    }
    out
}

/// Signs in through the HTML page like a browser: GET it, fill its form, press a button.
pub async fn browser_sign_in(
    sb: &Sandbox,
    user_code: &str,
    upn: &str,
    button: &str,
    password: &str,
) -> (u16, String) {
    let page_url = sb.s("verification_uri");
    let (status, headers, html) = sb.get(&page_url).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    let form = parse_form(&html);
    assert_eq!(form.method.to_ascii_lowercase(), "post");
    let (select_name, options) = form.select.clone().expect("a user picker");
    assert!(
        options.iter().any(|o| o == upn),
        "{upn} not offered: {options:?}"
    );
    assert_eq!(form.text_inputs.len(), 1, "one code field: {form:?}");
    let (button_name, button_value) = form
        .buttons
        .iter()
        .find(|(_, v)| v.eq_ignore_ascii_case(button))
        .cloned()
        .expect("button");
    let mut fields: HashMap<&str, &str> = HashMap::new();
    fields.insert(&form.text_inputs[0], user_code);
    fields.insert(&select_name, upn);
    for p in &form.password_inputs {
        fields.insert(p, password);
    }
    fields.insert(&button_name, &button_value);
    let target = url::Url::parse(&page_url)
        .expect("url")
        .join(&form.action)
        .expect("action");
    let pairs: Vec<(&str, &str)> = fields.into_iter().collect();
    let r = sb
        .http
        .post(target)
        .form(&pairs)
        .send()
        .await
        .expect("submit");
    let status = r.status().as_u16();
    (status, r.text().await.expect("page"))
}

pub fn decode_b64url_json(s: &str) -> serde_json::Value {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url without padding");
    serde_json::from_slice(&bytes).expect("json")
}

pub fn port_file_path(sb: &Sandbox) -> &Path {
    &sb.port_file
}
