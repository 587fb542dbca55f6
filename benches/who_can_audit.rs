//! `who-can create pods -A` and `audit -A` over 10,000 RoleBindings (100 namespaces x 100
//! bindings, each to one of the sandbox's 216 Entra groups), on a sandbox started in this
//! process. Prints the client time of each command end to end (process start, discovery, the
//! list calls, local evaluation, Graph) and in process (list calls, then evaluation alone), and
//! the Graph calls each made (from `/_sandbox/stats`): batched, never one per binding.
//!
//! Run with `cargo bench --bench who_can_audit` (release profile).

use kubectl_entra::access::ResolvedTarget;
use kubectl_entra::access::who_can::{ReadScope, attributes, read_rbac_lists};
use kubectl_entra::k8s::client::{Target, client};
use kubectl_entra_sandbox::{SandboxInfo, SandboxOptions, run};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Instant;

const NAMESPACES: usize = 100;
const PER_NAMESPACE: usize = 100;
const USER: &str = "aksdev@contoso.com";

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sandbox = runtime
        .block_on(run(SandboxOptions {
            state_dir: Some(dir.path().join("state")),
            auto_approve: Some(USER.to_string()),
            poll_interval: 0,
            plugin_command: Some(PathBuf::from(env!("CARGO_BIN_EXE_kubectl-entra"))),
            remember: false,
            ..SandboxOptions::default()
        }))
        .expect("sandbox starts");
    let sb = Env {
        info: sandbox.info.clone(),
        dir: dir.path().to_path_buf(),
    };
    let admin = sb.info.admin_kubeconfig.clone().expect("API server runs");
    let groups: Vec<String> = sb.info.groups.values().cloned().collect();

    // 10,000 RoleBindings, created in process, 16 at a time.
    let t = Instant::now();
    runtime.block_on(async {
        use k8s_openapi::api::core::v1::Namespace;
        use k8s_openapi::api::rbac::v1::{RoleBinding, RoleRef, Subject};
        use kube::api::{Api, ObjectMeta, PostParams};
        let target = Target {
            kubeconfig: Some(admin.clone()),
            ..Default::default()
        };
        let (client, _) = client(&target).await.expect("admin client");
        let pp = PostParams::default();
        for n in 0..NAMESPACES {
            let ns = Namespace {
                metadata: ObjectMeta {
                    name: Some(format!("bench-{n:03}")),
                    ..Default::default()
                },
                ..Default::default()
            };
            Api::<Namespace>::all(client.clone())
                .create(&pp, &ns)
                .await
                .expect("namespace");
        }
        let limit = Arc::new(tokio::sync::Semaphore::new(16));
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..NAMESPACES * PER_NAMESPACE {
            let (n, b) = (i / PER_NAMESPACE, i % PER_NAMESPACE);
            let rb = RoleBinding {
                metadata: ObjectMeta {
                    name: Some(format!("rb-{b:03}")),
                    namespace: Some(format!("bench-{n:03}")),
                    ..Default::default()
                },
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: ["view", "edit", "admin"][i % 3].into(),
                },
                subjects: Some(vec![Subject {
                    kind: "Group".into(),
                    name: groups[i % groups.len()].clone(),
                    api_group: Some("rbac.authorization.k8s.io".into()),
                    namespace: None,
                }]),
            };
            let client = client.clone();
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                Api::<RoleBinding>::namespaced(client, &format!("bench-{n:03}"))
                    .create(&PostParams::default(), &rb)
                    .await
                    .map(|_| ())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("task").expect("create rolebinding");
        }
    });
    println!(
        "setup: {} RoleBindings in {NAMESPACES} namespaces created in {:.1} s",
        NAMESPACES * PER_NAMESPACE,
        t.elapsed().as_secs_f64()
    );

    let graph_flags = ["--graph-tenant-id", sb.info.tenant_id.as_str()];
    // Warm-up: signs in to Graph once (device code, auto-approved), fills the token cache.
    let out = sb.entra(
        &admin,
        &[
            &["audit", "-n", "bench-000", "-o", "json"][..],
            &graph_flags,
        ]
        .concat(),
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "audit warm-up: {}",
        text(&out.stderr)
    );

    for (label, args) in [
        (
            "who-can create pods -A",
            vec!["who-can", "create", "pods", "-A", "-o", "json"],
        ),
        ("audit -A", vec!["audit", "-A", "-o", "json"]),
    ] {
        let args: Vec<&str> = args.into_iter().chain(graph_flags).collect();
        let before = runtime.block_on(sb.stats());
        let t = Instant::now();
        let out = sb.entra(&admin, &args);
        let elapsed = t.elapsed();
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "{label}: {}",
            text(&out.stderr)
        );
        let after = runtime.block_on(sb.stats());
        let graph = count(&after["graph_total"]) - count(&before["graph_total"]);
        let api = count(&after["api_total"]) - count(&before["api_total"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let items = doc["subjects"]
            .as_array()
            .or(doc["findings"].as_array())
            .map_or(0, Vec::len);
        println!(
            "{label} (process, release): {:.0} ms, {api} API requests, {graph} Graph calls, {items} subjects/findings",
            elapsed.as_secs_f64() * 1000.0
        );
        assert!(
            graph <= 3,
            "Graph is batched, not called per binding: {graph}"
        );
    }

    // In process: the list calls, then the local evaluation alone.
    runtime.block_on(async {
        let target = Target {
            kubeconfig: Some(admin.clone()),
            ..Default::default()
        };
        let (client, _) = client(&target).await.expect("admin client");
        let t = Instant::now();
        let src = read_rbac_lists(&client, &ReadScope::All)
            .await
            .expect("lists");
        let read = t.elapsed();
        let pods = ResolvedTarget::Resource {
            group: String::new(),
            resource: "pods".into(),
            name: String::new(),
            namespaced: true,
        };
        let attrs = attributes("create", &pods, "", "");
        let t = Instant::now();
        let found = rbac::who_can(&src, &attrs, rbac::WhoCanScope::AllNamespaces { namespaced: true });
        let eval = t.elapsed();
        let t = Instant::now();
        let findings = kubectl_entra::access::audit::audit(&src, None);
        let audit = t.elapsed();
        println!(
            "in process: 4 list calls {:.0} ms ({} RoleBindings); who-can evaluation {:.1} ms ({} grants); audit evaluation {:.1} ms ({} findings)",
            read.as_secs_f64() * 1000.0,
            src.role_bindings.len(),
            eval.as_secs_f64() * 1000.0,
            found.grants.len(),
            audit.as_secs_f64() * 1000.0,
            findings.len()
        );
    });
    runtime
        .block_on(sandbox.shutdown())
        .expect("clean shutdown");
}

struct Env {
    info: SandboxInfo,
    dir: PathBuf,
}

impl Env {
    fn entra(&self, kubeconfig: &Path, args: &[&str]) -> Output {
        let home = self.dir.join("home");
        std::fs::create_dir_all(&home).expect("home dir");
        Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
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
            .expect("run kubectl-entra")
    }

    async fn stats(&self) -> serde_json::Value {
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

fn count(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
