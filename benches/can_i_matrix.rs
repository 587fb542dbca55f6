//! The access matrix across 50 namespaces from one rules review per namespace, against one
//! access review per cell (rakkess's approach), on a sandbox started in this process.
//! Prints request counts (from `/_sandbox/stats`) and wall times; asserts only that both ways
//! give the same matrix (and the request counts each way must take).
//!
//! Run with `cargo bench --bench can_i_matrix` (release profile; needs `kubectl` on PATH).

use kubectl_entra::access::ResolvedTarget;
use kubectl_entra::access::fetch::{
    namespace_matrix, namespace_matrix_cell_by_cell, namespace_names,
};
use kubectl_entra::k8s::client::{Target, client};
use std::fmt::Write as _;
use std::time::Instant;
use support::{Bench, count, text};

mod support;

const NAMESPACES: usize = 50;
const USER: &str = "aksdev@contoso.com";

fn main() {
    let bench = Bench::start(USER);
    let (runtime, sb) = (&bench.runtime, &bench.env);
    let dir = &sb.dir;
    let admin = sb.info.admin_kubeconfig.clone().expect("API server runs");
    let user = sb.info.user_kubeconfig.clone().expect("API server runs");

    let appdev = sb.info.groups.get("appdev").expect("appdev group").clone();
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
    let path = dir.join("matrix.yaml");
    std::fs::write(&path, manifest).expect("write manifest");
    let out = sb.run(
        "kubectl",
        &admin,
        &["apply", "-f", path.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "kubectl apply: {}", text(&out.stderr));
    // Signs in once, so that the timings below are of a warm token cache.
    let out = sb.entra(&user, &["whoami", "--no-graph"]);
    assert!(out.status.success(), "whoami: {}", text(&out.stderr));

    // 1. The command, end to end (process start, exec plugin, discovery, namespace list).
    let before = runtime.block_on(sb.stats());
    let start = Instant::now();
    let out = sb.entra(&user, &["can-i", "--matrix", "-A", "pods", "-o", "json"]);
    let cli_time = start.elapsed();
    assert!(out.status.success(), "can-i: {}", text(&out.stderr));
    let after = runtime.block_on(sb.stats());
    let cli_total = count(&after["api_total"]) - count(&before["api_total"]);
    let rules = "create selfsubjectrulesreviews";
    let cli_rules = count(&after["api"][rules]) - count(&before["api"][rules]);
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("can-i JSON");

    // 2. In process, same client: rules reviews vs access reviews per cell.
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
    let (n, local_time, local_requests, cells_time, cell_requests, namespaced) =
        runtime.block_on(async {
            let kube = Target {
                kubeconfig: Some(sb.user_kubeconfig_with_env(&user)),
                ..Default::default()
            };
            let (client, _) = client(&kube).await.expect("client");
            let namespaces = namespace_names(&client).await.expect("namespaces");
            // Stats reads go to the emulator, not the API server: they do not count.
            let s0 = count(&sb.stats().await["api_total"]);
            let t = Instant::now();
            let local = namespace_matrix(&client, &namespaces, &target, &verbs)
                .await
                .expect("matrix from rules reviews");
            let local_time = t.elapsed();
            let s1 = count(&sb.stats().await["api_total"]);
            let t = Instant::now();
            let cells = namespace_matrix_cell_by_cell(&client, &namespaces, &target, &verbs)
                .await
                .expect("matrix from access reviews");
            let cells_time = t.elapsed();
            let s2 = count(&sb.stats().await["api_total"]);
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
    bench.shutdown();
}
