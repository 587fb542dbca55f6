//! bind, unbind and bindings end to end: the real `kubectl-entra sandbox` (Entra emulator,
//! Graph subset, API stand-in) and the real kubectl. Each test starts its own sandbox on
//! ephemeral ports with its own HOME, token cache and kubeconfigs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kubectl-entra");

/// The shared launcher ([`crate::support::sandbox`]) with this module's runners: HOME is the
/// sandbox's temp dir and PATH finds the built binaries.
struct Sandbox {
    raw: crate::support::sandbox::Sandbox,
}

impl std::ops::Deref for Sandbox {
    type Target = crate::support::sandbox::Sandbox;

    fn deref(&self) -> &crate::support::sandbox::Sandbox {
        &self.raw
    }
}

impl Sandbox {
    /// Starts a sandbox that approves every device code as `user`.
    fn start(user: &str) -> Sandbox {
        Sandbox {
            raw: crate::support::sandbox::Sandbox::start_approving(user, &[]),
        }
    }

    fn get(&self, key: &str) -> String {
        self.info[key]
            .as_str()
            .unwrap_or_else(|| panic!("port file has no {key}: {}", self.info))
            .to_string()
    }

    fn admin_kubeconfig(&self) -> PathBuf {
        PathBuf::from(self.get("admin_kubeconfig"))
    }

    fn user_kubeconfig(&self) -> PathBuf {
        PathBuf::from(self.get("user_kubeconfig"))
    }

    /// A kubeconfig whose user does not sign in with kubectl-entra and whose server is never
    /// contacted: for `--dry-run=client` runs that only need Graph.
    fn offline_kubeconfig(&self) -> PathBuf {
        let path = self.dir.path().join("offline.kubeconfig");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:9\"}}]\nusers: [{name: u, user: {token: not-used}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n",
        )
        .expect("write kubeconfig");
        path
    }

    fn env(&self, cmd: &mut Command, kubeconfig: &Path) {
        let bin_dir = Path::new(BIN).parent().expect("bin dir");
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env("HOME", self.dir.path())
            .env("KUBECACHEDIR", self.dir.path().join("cache"))
            .env("KUBECONFIG", kubeconfig)
            .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
            // The Graph token of a non-kubectl-entra context is fetched from the emulator.
            .env("AZURE_AUTHORITY_HOST", self.get("authority_host"))
            .env("PATH", path)
            .env_remove("KUBECTL_ENTRA_GRAPH_ENDPOINT")
            .stdin(Stdio::null());
    }

    fn entra(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args);
        self.env(&mut cmd, kubeconfig);
        cmd.output().expect("run kubectl-entra")
    }

    /// `bind`/`bindings` with the Graph flags a non-kubectl-entra context needs.
    fn entra_graph(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend([
            "--graph-endpoint".to_string(),
            self.get("graph_endpoint"),
            "--graph-tenant-id".to_string(),
            self.get("tenant_id"),
        ]);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        self.entra(kubeconfig, &refs)
    }

    fn kubectl(&self, kubeconfig: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut cmd = Command::new("kubectl");
        cmd.args(args);
        self.env(&mut cmd, kubeconfig);
        match stdin {
            None => cmd.output().expect("run kubectl"),
            Some(input) => {
                use std::io::Write;
                cmd.stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                let mut child = cmd.spawn().expect("spawn kubectl");
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(input)
                    .expect("write stdin");
                child.wait_with_output().expect("kubectl output")
            }
        }
    }

    fn fault(&self, body: serde_json::Value) {
        self.raw.post_fault(body);
    }
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "unexpected success: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---- Graph only (emulator + Graph subset; the cluster is not contacted) ----

#[test]
fn group_names_resolve_through_graph_with_clear_errors() {
    let sb = Sandbox::start("aksadmin@contoso.com");
    let kc = sb.offline_kubeconfig();
    let out = sb.entra_graph(
        &kc,
        &[
            "bind",
            "--group",
            "o'brien-team",
            "-n",
            "dev",
            "--dry-run=client",
        ],
    );
    let yaml = ok(&out);
    assert!(
        yaml.contains("name: entra-o-brien-team-full-access"),
        "{yaml}"
    );
    assert!(
        yaml.contains("kubectl-entra.io/subject-name: o'brien-team"),
        "{yaml}"
    );

    let err = fails(&sb.entra_graph(
        &kc,
        &[
            "bind",
            "--group",
            "platform",
            "-n",
            "dev",
            "--dry-run=client",
        ],
    ));
    assert!(
        err.contains("2 Entra groups are named \"platform\""),
        "{err}"
    );
    assert!(
        err.contains("cccc0000-0000-4000-8000-000000000004"),
        "{err}"
    );
    assert!(
        err.contains("cccc0000-0000-4000-8000-000000000005"),
        "{err}"
    );
    assert!(err.contains("--group-id"), "{err}");

    let err = fails(&sb.entra_graph(
        &kc,
        &[
            "bind",
            "--group",
            "no-such-team",
            "-n",
            "dev",
            "--dry-run=client",
        ],
    ));
    assert!(
        err.contains("no Entra group is named \"no-such-team\""),
        "{err}"
    );
    // The token never shows up anywhere.
    assert!(!err.contains("eyJ"), "{err}");
}

#[test]
fn graph_403_names_the_permission_and_429_is_retried() {
    let sb = Sandbox::start("aksadmin@contoso.com");
    let kc = sb.offline_kubeconfig();
    // Sign in once, so that the faults below hit Graph rather than a first sign-in.
    ok(&sb.entra_graph(
        &kc,
        &["bind", "--group", "appdev", "-n", "dev", "--dry-run=client"],
    ));

    sb.fault(serde_json::json!({"endpoint": "graph", "status": 403, "error": "Authorization_RequestDenied"}));
    let err = fails(&sb.entra_graph(
        &kc,
        &["bind", "--group", "appdev", "-n", "dev", "--dry-run=client"],
    ));
    assert!(err.contains("Authorization_RequestDenied"), "{err}");
    assert!(err.contains("Group.Read.All"), "{err}");
    assert!(err.contains("--group-id"), "{err}");

    sb.fault(serde_json::json!({"endpoint": "graph", "status": 429, "error": "TooManyRequests", "retry_after": 1}));
    let yaml = ok(&sb.entra_graph(
        &kc,
        &["bind", "--group", "appdev", "-n", "dev", "--dry-run=client"],
    ));
    assert!(yaml.contains(&sb.group_id("appdev")), "{yaml}");

    // 503 is retried the same way.
    sb.fault(serde_json::json!({"endpoint": "graph", "status": 503, "error": "serviceNotAvailable", "retry_after": 1}));
    let yaml = ok(&sb.entra_graph(
        &kc,
        &["bind", "--group", "opssre", "-n", "sre", "--dry-run=client"],
    ));
    assert!(yaml.contains(&sb.group_id("opssre")), "{yaml}");
}

// ---- The full sandbox (API stand-in + kubectl) ----

const HAND_MADE: &str = r#"
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: dev-user-full-access
  namespace: dev
rules:
- apiGroups: ["", "extensions", "apps"]
  resources: ["*"]
  verbs: ["*"]
- apiGroups: ["batch"]
  resources: ["jobs", "cronjobs"]
  verbs: ["*"]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: dev-user-access
  namespace: dev
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: dev-user-full-access
subjects:
- kind: Group
  namespace: dev
  name: GROUP_ID
"#;

#[test]
fn bind_by_name_gives_the_article_access_idempotently_and_unbind_keeps_hand_made() {
    let sb = Sandbox::start("aksdev@contoso.com");
    let admin = sb.admin_kubeconfig();
    let user = sb.user_kubeconfig();

    let out = ok(&sb.entra_graph(
        &admin,
        &[
            "bind",
            "--group",
            "appdev",
            "-n",
            "dev",
            "--create-namespace",
        ],
    ));
    assert!(out.contains("namespace/dev created"), "{out}");
    assert!(
        out.contains("role.rbac.authorization.k8s.io/entra-full-access created"),
        "{out}"
    );
    assert!(
        out.contains("rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access created"),
        "{out}"
    );
    ok(&sb.entra_graph(
        &admin,
        &[
            "bind",
            "--group",
            "opssre",
            "-n",
            "sre",
            "--create-namespace",
        ],
    ));

    // Running it again changes nothing and says so.
    let again_out = sb.entra_graph(
        &admin,
        &[
            "bind",
            "--group",
            "appdev",
            "-n",
            "dev",
            "--create-namespace",
        ],
    );
    let again = ok(&again_out);
    let said = String::from_utf8_lossy(&again_out.stderr);
    assert!(said.contains("Nothing changed: group \"appdev\""), "{said}");
    assert!(again.contains("namespace/dev unchanged"), "{again}");
    assert!(
        again.contains("rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access unchanged"),
        "{again}"
    );
    assert!(
        !again.contains(" created") && !again.contains(" configured"),
        "{again}"
    );

    // The article's checks as aksdev (member of appdev): dev yes, sre no.
    ok(&sb.kubectl(
        &user,
        &[
            "run",
            "nginx-dev",
            "--image=mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine",
            "--namespace",
            "dev",
        ],
        None,
    ));
    ok(&sb.kubectl(&user, &["get", "pods", "--namespace", "dev"], None));
    let denied = sb.kubectl(&user, &["get", "pods", "--namespace", "sre"], None);
    let err = fails(&denied);
    assert!(
        err.contains("Forbidden") || err.contains("forbidden"),
        "{err}"
    );

    // A hand-made binding of the same group, as in the article.
    let manifest = HAND_MADE.replace("GROUP_ID", &sb.group_id("appdev"));
    ok(&sb.kubectl(&admin, &["apply", "-f", "-"], Some(manifest.as_bytes())));

    // bindings shows display names, for ours and for the hand-made one.
    let table = ok(&sb.entra_graph(&admin, &["bindings", "-n", "dev"]));
    assert!(table.contains("entra-appdev-full-access"), "{table}");
    assert!(table.contains("dev-user-access"), "{table}");
    assert!(
        table.contains(&format!("appdev ({})", sb.group_id("appdev"))),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&ok(
        &sb.entra_graph(&admin, &["bindings", "-n", "dev", "-o", "json"])
    ))
    .expect("json");
    let hand = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["binding"] == "dev-user-access")
        .expect("hand-made row");
    assert_eq!(hand["managed"], false);
    assert_eq!(hand["displayName"], "appdev");

    // unbind removes ours and the unused Role, never the hand-made objects, and says so.
    let unbound = sb.entra(&admin, &["unbind", "--group", "appdev", "-n", "dev"]);
    let out = ok(&unbound);
    let note = String::from_utf8_lossy(&unbound.stderr);
    assert!(
        note.contains("left alone (not made by kubectl-entra): dev-user-access"),
        "{note}"
    );
    assert!(
        out.contains("rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access deleted"),
        "{out}"
    );
    assert!(
        out.contains("role.rbac.authorization.k8s.io/entra-full-access deleted"),
        "{out}"
    );
    ok(&sb.kubectl(
        &admin,
        &["get", "rolebinding", "dev-user-access", "-n", "dev"],
        None,
    ));
    ok(&sb.kubectl(
        &admin,
        &["get", "role", "dev-user-full-access", "-n", "dev"],
        None,
    ));
    // And sre is untouched.
    ok(&sb.kubectl(
        &admin,
        &[
            "get",
            "rolebinding",
            "entra-opssre-full-access",
            "-n",
            "sre",
        ],
        None,
    ));
}

#[test]
fn dry_run_client_output_applies_cleanly_with_kubectl() {
    let sb = Sandbox::start("aksadmin@contoso.com");
    let admin = sb.admin_kubeconfig();
    let yaml = ok(&sb.entra(
        &admin,
        &[
            "bind",
            "--group-id",
            &sb.group_id("opssre"),
            "-n",
            "gitops",
            "--create-namespace",
            "--dry-run=client",
        ],
    ));
    // Nothing was created by the dry run.
    fails(&sb.kubectl(&admin, &["get", "namespace", "gitops"], None));
    let applied = ok(&sb.kubectl(&admin, &["apply", "-f", "-"], Some(yaml.as_bytes())));
    assert!(applied.contains("namespace/gitops"), "{applied}");
    assert!(
        applied.contains("rolebinding.rbac.authorization.k8s.io/entra-"),
        "{applied}"
    );
    // JSON is a v1 List kubectl accepts too.
    let json = ok(&sb.entra(
        &admin,
        &[
            "bind",
            "--group-id",
            &sb.group_id("opssre"),
            "-n",
            "gitops",
            "--role",
            "view",
            "--dry-run=client",
            "-o",
            "json",
        ],
    ));
    // kubectl validates a List against /openapi/v2, which the API stand-in does not serve (a
    // real API server does); the objects themselves are validated by the server on apply.
    let applied = ok(&sb.kubectl(
        &admin,
        &["apply", "--validate=false", "-f", "-"],
        Some(json.as_bytes()),
    ));
    assert!(applied.contains("entra-"), "{applied}");
    // The server-side dry run validates without writing.
    let out = ok(&sb.entra(
        &admin,
        &[
            "bind",
            "--group-id",
            &sb.group_id("appdev"),
            "-n",
            "gitops",
            "--dry-run=server",
        ],
    ));
    assert!(out.contains("(server dry run)"), "{out}");
    fails(&sb.kubectl(
        &admin,
        &[
            "get",
            "rolebinding",
            "entra-cccc0000-0000-4000-8000-000000000001-full-access",
            "-n",
            "gitops",
        ],
        None,
    ));
}

#[test]
fn a_caller_without_rights_is_told_what_is_missing_and_nothing_is_created() {
    let sb = Sandbox::start("aksdev@contoso.com");
    let admin = sb.admin_kubeconfig();
    let user = sb.user_kubeconfig();
    ok(&sb.kubectl(&admin, &["create", "namespace", "sre"], None));
    let err = fails(&sb.entra(
        &user,
        &["bind", "--group-id", &sb.group_id("appdev"), "-n", "sre"],
    ));
    assert!(err.contains("you may not create"), "{err}");
    assert!(err.contains("in the namespace \"sre\""), "{err}");
    assert!(err.contains("nothing was created"), "{err}");
    let listed = ok(&sb.kubectl(
        &admin,
        &["get", "roles,rolebindings", "-n", "sre", "-o", "name"],
        None,
    ));
    assert!(!listed.contains("entra-"), "{listed}");
    // A missing namespace without --create-namespace is a clear error too.
    let err = fails(&sb.entra(
        &admin,
        &[
            "bind",
            "--group-id",
            &sb.group_id("appdev"),
            "-n",
            "nowhere",
        ],
    ));
    assert!(err.contains("--create-namespace"), "{err}");
}

#[test]
fn unbind_by_name_finds_a_group_id_binding_and_server_dry_run_needs_the_namespace() {
    let sb = Sandbox::start("aksadmin@contoso.com");
    let admin = sb.admin_kubeconfig();
    let appdev = sb.group_id("appdev");
    ok(&sb.entra(
        &admin,
        &[
            "bind",
            "--group-id",
            &appdev,
            "-n",
            "dev",
            "--create-namespace",
        ],
    ));
    // Bound by object id, so no name was recorded: unbind --group NAME asks Graph for the id.
    let out = ok(&sb.entra_graph(&admin, &["unbind", "--group", "appdev", "-n", "dev"]));
    assert!(
        out.contains(&format!(
            "rolebinding.rbac.authorization.k8s.io/entra-{appdev}-full-access deleted"
        )),
        "{out}"
    );
    // Without Graph the same request finds nothing and says that nothing was deleted.
    let err = fails(&sb.entra(
        &admin,
        &["unbind", "--group", "appdev", "-n", "dev", "--no-graph"],
    ));
    assert!(err.contains("nothing was deleted"), "{err}");

    // A server-side dry run cannot validate objects in a namespace that does not exist yet:
    // a precise error, and nothing is created.
    let err = fails(&sb.entra(
        &admin,
        &[
            "bind",
            "--group-id",
            &appdev,
            "-n",
            "later",
            "--create-namespace",
            "--dry-run=server",
        ],
    ));
    assert!(err.contains("does not exist yet"), "{err}");
    assert!(err.contains("--dry-run=client"), "{err}");
    fails(&sb.kubectl(&admin, &["get", "namespace", "later"], None));
}

#[test]
fn create_namespace_on_an_existing_namespace_needs_no_rights_on_namespaces() {
    let sb = Sandbox::start("aksdev@contoso.com");
    let admin = sb.admin_kubeconfig();
    let user = sb.user_kubeconfig();
    ok(&sb.kubectl(&admin, &["create", "namespace", "team"], None));
    // aksdev administers team (may bind there) but may not create namespaces.
    ok(&sb.entra(
        &admin,
        &[
            "bind",
            "--user",
            "aksdev@contoso.com",
            "-n",
            "team",
            "--role",
            "admin",
        ],
    ));
    let out = ok(&sb.entra(
        &user,
        &[
            "bind",
            "--group-id",
            &sb.group_id("opssre"),
            "-n",
            "team",
            "--role",
            "view",
            "--create-namespace",
        ],
    ));
    assert!(out.contains("namespace/team unchanged"), "{out}");
    assert!(
        out.contains(&format!(
            "rolebinding.rbac.authorization.k8s.io/entra-{}-view created",
            sb.group_id("opssre")
        )),
        "{out}"
    );
}
