//! Benchmark (run on demand): the access matrix across 50 namespaces from one rules review per
//! namespace, against one access review per cell (rakkess's approach), on the sandbox.
//! Prints request counts (from `/_sandbox/stats`) and wall times; asserts only that both give
//! the same matrix.
//!
//!     cargo test --release --test can_i_matrix_bench -- --ignored --nocapture

use crate::support::can_i as can_i_support;

use can_i_support::{Sandbox, text};
use kubectl_entra::access::ResolvedTarget;
use kubectl_entra::access::fetch::{
    namespace_matrix, namespace_matrix_cell_by_cell, namespace_names,
};
use kubectl_entra::k8s::client::{Target, client};
use std::fmt::Write as _;
use std::time::Instant;

const NAMESPACES: usize = 50;

#[test]
#[ignore = "benchmark: cargo test --release --test can_i_matrix_bench -- --ignored --nocapture"]
fn matrix_rules_review_vs_cell_by_cell() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.article();
    let appdev = sb.group_id("appdev");
    let mut manifest = format!(
        "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: namespace-reader}}\nrules:\n- apiGroups: [\"\"]\n  resources: [namespaces]\n  verbs: [get, list]\n---\nkind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: appdev-namespace-reader}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-reader}}\nsubjects: [{{kind: Group, name: \"{appdev}\", apiGroup: rbac.authorization.k8s.io}}]\n"
    );
    for i in 0..NAMESPACES {
        let role = ["view", "edit", "admin"][i % 3];
        let _ = write!(
            manifest,
            "---\nkind: Namespace\napiVersion: v1\nmetadata: {{name: team-{i:02}}}\n---\nkind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: appdev-{role}, namespace: team-{i:02}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects: [{{kind: Group, name: \"{appdev}\", apiGroup: rbac.authorization.k8s.io}}]\n"
        );
    }
    sb.admin_apply(&manifest);
    assert!(sb.entra(&["whoami", "--no-graph"]).status.success());

    // 1. The command, end to end (process start, exec plugin, discovery, namespace list).
    let before = sb.stats();
    let start = Instant::now();
    let out = sb.entra(&["can-i", "--matrix", "-A", "pods", "-o", "json"]);
    let cli_time = start.elapsed();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = sb.stats();
    let delta = |key: &str| {
        after["api"][key].as_u64().unwrap_or(0) - before["api"][key].as_u64().unwrap_or(0)
    };
    let cli_total =
        after["api_total"].as_u64().unwrap_or(0) - before["api_total"].as_u64().unwrap_or(0);
    let cli_rules = delta("create selfsubjectrulesreviews");
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");

    // 2. In process, same client: rules reviews vs access reviews per cell.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let verbs: Vec<String> = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let target = ResolvedTarget::Resource {
        group: String::new(),
        resource: "pods".into(),
        name: String::new(),
        namespaced: true,
    };
    let report = runtime.block_on(async {
        let kube = Target {
            kubeconfig: Some(sb.user_kubeconfig_with_env()),
            ..Default::default()
        };
        let (client, _) = client(&kube).await.expect("client");
        let namespaces = namespace_names(&client).await.expect("namespaces");
        let s0 = sb.stats_async().await["api_total"].as_u64().unwrap_or(0);
        let t = Instant::now();
        let local = namespace_matrix(&client, &namespaces, &target, &verbs)
            .await
            .expect("local");
        let local_time = t.elapsed();
        let s1 = sb.stats_async().await["api_total"].as_u64().unwrap_or(0);
        let t = Instant::now();
        let cells = namespace_matrix_cell_by_cell(&client, &namespaces, &target, &verbs)
            .await
            .expect("cells");
        let cells_time = t.elapsed();
        let s2 = sb.stats_async().await["api_total"].as_u64().unwrap_or(0);
        // each stats read is itself not an API request (it is on the emulator)
        assert_eq!(local, cells, "both approaches give the same matrix");
        assert_eq!(serde_json::to_value(&local).expect("json"), cli);
        let namespaced = kubectl_entra::k8s::discovery::discover(&client)
            .await
            .expect("discovery")
            .resources
            .iter()
            .filter(|r| r.namespaced)
            .count();
        (
            namespaces.len(),
            local_time,
            s1 - s0,
            cells_time,
            s2 - s1,
            namespaced,
        )
    });
    let (n, local_time, local_requests, cells_time, cell_requests, namespaced) = report;
    println!(
        "access matrix, pods x {} verbs, {n} namespaces:",
        verbs.len()
    );
    println!(
        "  can-i --matrix -A (process): {cli_total} API requests ({cli_rules} rules reviews), {:.0} ms",
        cli_time.as_secs_f64() * 1000.0
    );
    println!(
        "  rules review per namespace (in process): {local_requests} requests, {:.0} ms",
        local_time.as_secs_f64() * 1000.0
    );
    println!(
        "  access review per cell (in process):     {cell_requests} requests, {:.0} ms",
        cells_time.as_secs_f64() * 1000.0
    );
    println!(
        "resources x verbs in one namespace: 1 rules review instead of {} access reviews ({namespaced} namespaced resources x {} verbs)",
        namespaced * verbs.len(),
        verbs.len()
    );
    assert_eq!(cli_rules, n as u64);
    assert_eq!(local_requests, n as u64);
    assert_eq!(cell_requests, (n * verbs.len()) as u64);
}
