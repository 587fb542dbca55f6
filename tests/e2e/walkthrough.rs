//! The AKS article "Use Kubernetes RBAC with Microsoft Entra ID in AKS", verbatim, with the real
//! kubectl: the admin creates the namespaces and applies the article's Role/RoleBinding pairs,
//! then aksdev and akssre sign in through the user kubeconfig's exec entry (kubectl-entra
//! get-token, device code approved through the sandbox) and meet the article's results.

use crate::support::get_token as get_token_support;

use get_token_support::sandbox_support::{Sandbox, bin};
use get_token_support::{DEV, SRE, count};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const IMAGE: &str = "mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine";

/// One signed-in person: kubectl with the user kubeconfig and a token cache of their own.
struct Person {
    home: tempfile::TempDir,
    kubeconfig: PathBuf,
    port_file: PathBuf,
    upn: &'static str,
}

impl Person {
    fn new(sb: &Sandbox, upn: &'static str) -> Person {
        Person {
            home: tempfile::tempdir().expect("home"),
            kubeconfig: PathBuf::from(sb.s("user_kubeconfig")),
            port_file: sb.port_file.clone(),
            upn,
        }
    }

    fn kubectl(&self) -> Command {
        let mut cmd = kubectl(&self.kubeconfig, self.home.path());
        cmd.env("KUBECACHEDIR", self.home.path().join("kubecache"))
            .env("KUBECTL_ENTRA_TOKEN_CACHE", "file");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.kubectl().args(args).output().expect("run kubectl")
    }

    /// Runs kubectl while the exec plugin asks for a device code, and approves it as this
    /// person through `kubectl-entra sandbox approve` (what a person does on the device-login page).
    fn run_signing_in(&self, args: &[&str]) -> Output {
        let mut child = self
            .kubectl()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kubectl");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut all = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("enter the code ").nth(1) {
                    let code: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    let _ = tx.send(code);
                }
                all.push(line);
            }
            all.join("\n")
        });
        let code = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("kubectl showed the plugin's device-code prompt");
        let approve = Command::new(bin())
            .args([
                "sandbox",
                "approve",
                &code,
                "--user",
                self.upn,
                "--port-file",
            ])
            .arg(&self.port_file)
            .output()
            .expect("sandbox approve");
        assert!(
            approve.status.success(),
            "{}",
            String::from_utf8_lossy(&approve.stderr)
        );
        let out = child.wait_with_output().expect("kubectl finished");
        let stderr = reader.join().expect("stderr reader");
        Output {
            status: out.status,
            stdout: out.stdout,
            stderr: stderr.into_bytes(),
        }
    }

    /// Moves the cached token's expiry into the past, as if an hour had gone by.
    fn expire_cached_token(&self) {
        let dir = self.home.path().join("kubecache").join("kubectl-entra");
        let mut changed = 0;
        for entry in std::fs::read_dir(&dir).expect("cache dir").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("token-") && name.ends_with(".json") {
                let text = std::fs::read_to_string(entry.path()).expect("read entry");
                let mut v: serde_json::Value = serde_json::from_str(&text).expect("entry JSON");
                v["expires_on"] = serde_json::json!(get_token_support::now() - 60);
                std::fs::write(entry.path(), v.to_string()).expect("write entry");
                changed += 1;
            }
        }
        assert_eq!(changed, 1, "one cached token");
    }
}

fn kubectl(kubeconfig: &Path, home: &Path) -> Command {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("AZURE_TENANT_ID")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_AUTHORITY_HOST")
        .stdin(Stdio::null());
    cmd
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "expected success\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn forbidden(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure, got: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stats(sb: &Sandbox) -> serde_json::Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        sb.http
            .get(sb.s("stats_url"))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    })
}

#[test]
fn the_aks_article_end_to_end_with_kubectl_and_device_code_sign_in() {
    let sb = Sandbox::start(&[]);
    let admin_home = tempfile::tempdir().expect("admin home");
    let admin = PathBuf::from(sb.s("admin_kubeconfig"));
    let appdev = sb.info["groups"]["appdev"]
        .as_str()
        .expect("appdev id")
        .to_string();
    let opssre = sb.info["groups"]["opssre"]
        .as_str()
        .expect("opssre id")
        .to_string();

    // The admin: namespaces, then the article's manifests with kubectl apply -f.
    for (ns, group) in [("dev", &appdev), ("sre", &opssre)] {
        let out = kubectl(&admin, admin_home.path())
            .args(["create", "namespace", ns])
            .output()
            .expect("kubectl");
        assert_eq!(ok(&out).trim(), format!("namespace/{ns} created"));
        let file = admin_home.path().join(format!("{ns}.yaml"));
        std::fs::File::create(&file)
            .and_then(|mut f| {
                f.write_all(kubectl_entra_sandbox::walkthrough::manifest(ns, group).as_bytes())
            })
            .expect("manifest");
        let out = kubectl(&admin, admin_home.path())
            .arg("apply")
            .arg("-f")
            .arg(&file)
            .output()
            .expect("kubectl");
        let text = ok(&out);
        assert!(
            text.contains(&format!(
                "role.rbac.authorization.k8s.io/{ns}-user-full-access created"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "rolebinding.rbac.authorization.k8s.io/{ns}-user-access created"
            )),
            "{text}"
        );
    }

    // aksdev signs in on the first kubectl call, through the kubeconfig's exec entry.
    let dev = Person::new(&sb, DEV);
    let out = dev.run_signing_in(&[
        "run",
        "nginx-dev",
        &format!("--image={IMAGE}"),
        "--namespace",
        "dev",
    ]);
    assert_eq!(ok(&out).trim(), "pod/nginx-dev created");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("To sign in, use a web browser"),
        "the device-code prompt reached the user through kubectl's stderr"
    );
    let listed = ok(&dev.run(&["get", "pods", "--namespace", "dev"]));
    assert!(
        listed.lines().next().unwrap_or("").starts_with("NAME"),
        "{listed}"
    );
    assert!(listed.contains("nginx-dev"), "{listed}");
    let err = forbidden(&dev.run(&["get", "pods", "--all-namespaces"]));
    assert!(
        err.contains(r#"pods is forbidden: User "aksdev@contoso.com" cannot list resource "pods" in API group "" at the cluster scope"#),
        "{err}"
    );
    let err = forbidden(&dev.run(&[
        "run",
        "nginx-dev",
        &format!("--image={IMAGE}"),
        "--namespace",
        "sre",
    ]));
    assert!(
        err.contains(r#"pods is forbidden: User "aksdev@contoso.com" cannot create resource "pods" in API group "" in the namespace "sre""#),
        "{err}"
    );
    let whoami = ok(&dev.run(&["auth", "whoami"]));
    assert!(whoami.contains("aksdev@contoso.com"), "{whoami}");
    assert!(whoami.contains(&appdev), "{whoami}");
    assert_eq!(
        ok(&dev.run(&["auth", "can-i", "create", "pods", "-n", "dev"])).trim(),
        "yes"
    );
    let no = dev.run(&["auth", "can-i", "create", "pods", "-n", "sre"]);
    assert_eq!(no.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&no.stdout).trim(), "no");

    // akssre, the other way round.
    let sre = Person::new(&sb, SRE);
    let out = sre.run_signing_in(&[
        "run",
        "nginx-sre",
        &format!("--image={IMAGE}"),
        "--namespace",
        "sre",
    ]);
    assert_eq!(ok(&out).trim(), "pod/nginx-sre created");
    let listed = ok(&sre.run(&["get", "pods", "--namespace", "sre"]));
    assert!(listed.contains("nginx-sre"), "{listed}");
    let err = forbidden(&sre.run(&[
        "run",
        "nginx-sre",
        &format!("--image={IMAGE}"),
        "--namespace",
        "dev",
    ]));
    assert!(
        err.contains(r#"pods is forbidden: User "akssre@contoso.com" cannot create resource "pods" in API group "" in the namespace "dev""#),
        "{err}"
    );
    let err = forbidden(&sre.run(&["get", "pods", "--all-namespaces"]));
    assert!(err.contains(r#"User "akssre@contoso.com" cannot list resource "pods""#));
    let whoami = ok(&sre.run(&["auth", "whoami"]));
    assert!(whoami.contains("akssre@contoso.com") && whoami.contains(&opssre));
    let no = sre.run(&["auth", "can-i", "create", "pods", "-n", "dev"]);
    assert_eq!(no.status.code(), Some(1));

    // An hour later: the cached token has expired; kubectl runs the plugin, which refreshes
    // with the refresh token instead of asking for a new device code.
    let before = stats(&sb);
    dev.expire_cached_token();
    let listed = ok(&dev.run(&["get", "pods", "--namespace", "dev"]));
    assert!(listed.contains("nginx-dev"), "{listed}");
    let after = stats(&sb);
    assert_eq!(
        count(&after, "token", "refresh_token"),
        count(&before, "token", "refresh_token") + 1,
        "one silent refresh"
    );
    assert_eq!(
        count(&after, "devicecode", "requests"),
        count(&before, "devicecode", "requests"),
        "no new device code"
    );
    // And the warm cache answers the next call without the identity provider.
    let listed = ok(&dev.run(&["get", "pods", "--namespace", "dev"]));
    assert!(listed.contains("nginx-dev"));
    assert_eq!(stats(&sb)["token_total"], after["token_total"]);
}

#[test]
fn a_bad_token_gets_401_and_kubectl_says_unauthorized() {
    let sb = Sandbox::start(&[]);
    let dev = Person::new(&sb, DEV);
    // --token bypasses the exec plugin: the API server answers 401 with a Status, which is
    // what makes client-go re-run the plugin for an expired token.
    let out = dev.run(&["get", "pods", "-n", "dev", "--token", "not-a-jwt"]);
    let err = forbidden(&out);
    assert!(
        err.contains("error: You must be logged in to the server"),
        "{err}"
    );
}
