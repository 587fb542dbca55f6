//! `who-can create pods -A`, `audit -A` and `who-can create pods -A --user` (an overage user)
//! over 10,000 RoleBindings (100 namespaces x 100 bindings, each to one of the sandbox's 216
//! Entra groups), on a sandbox started in this process. Prints the client time of each command
//! end to end (process start, discovery, the list calls, local evaluation, Graph; median and
//! fastest of 5 runs) and in process (list calls, then evaluation alone), and the Graph calls
//! each made (from `/_sandbox/stats`): batched, never one per binding.
//!
//! Run with `cargo bench --bench who_can_audit` (release profile).

use kubectl_entra::access::ResolvedTarget;
use kubectl_entra::access::who_can::{ReadScope, attributes, read_rbac_lists};
use kubectl_entra::k8s::client::{Target, client};
use std::sync::Arc;
use std::time::Instant;
use support::{Bench, count, text};

mod support;

const NAMESPACES: usize = 100;
const PER_NAMESPACE: usize = 100;
const USER: &str = "aksdev@contoso.com";
/// Runs of each command; the median and the fastest are printed.
const RUNS: usize = 5;

fn main() {
    let bench = Bench::start(USER);
    let (runtime, sb) = (&bench.runtime, &bench.env);
    let admin = sb.info.admin_kubeconfig.clone().expect("API server runs");
    // Every Entra group of the sandbox's tenant (the port file names only the article's).
    let groups: Vec<String> = bench
        .sandbox
        .state
        .tenant
        .groups
        .iter()
        .map(|g| g.object_id.clone())
        .collect();

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

    // One Graph call per 20 bound groups for --user (checkMemberGroups), plus the user lookup.
    let user_calls = 2 + groups.len().div_ceil(20) as u64;
    for (label, args, most_graph_calls) in [
        (
            "who-can create pods -A",
            vec!["who-can", "create", "pods", "-A", "-o", "json"],
            3,
        ),
        ("audit -A", vec!["audit", "-A", "-o", "json"], 3),
        (
            "who-can create pods -A --user manygroups@contoso.com",
            vec![
                "who-can",
                "create",
                "pods",
                "-A",
                "--user",
                "manygroups@contoso.com",
                "-o",
                "json",
            ],
            user_calls,
        ),
    ] {
        let args: Vec<&str> = args.into_iter().chain(graph_flags).collect();
        let mut times = Vec::new();
        let (mut api, mut graph, mut items) = (0, 0, 0);
        for _ in 0..RUNS {
            let before = runtime.block_on(sb.stats());
            let t = Instant::now();
            let out = sb.entra(&admin, &args);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(
                matches!(out.status.code(), Some(0) | Some(1)),
                "{label}: {}",
                text(&out.stderr)
            );
            let after = runtime.block_on(sb.stats());
            graph = count(&after["graph_total"]) - count(&before["graph_total"]);
            api = count(&after["api_total"]) - count(&before["api_total"]);
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            items = doc["subjects"]
                .as_array()
                .or(doc["findings"].as_array())
                .map_or(0, Vec::len);
            assert!(
                graph <= most_graph_calls,
                "{label}: Graph is batched, not called per binding: {graph} calls"
            );
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label} (process, release, {RUNS} runs): median {:.0} ms, min {:.0} ms; {api} API requests, {graph} Graph calls, {items} subjects/findings",
            times[RUNS / 2],
            times[0]
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
    bench.shutdown();
}
