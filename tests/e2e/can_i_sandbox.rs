//! can-i against the sandbox with the real kubectl and the AKS article's users, groups and
//! bindings: answers and exit codes like `kubectl auth can-i`, `--why`, `--list`, `--matrix`.

use crate::support::can_i as can_i_support;

use can_i_support::{Sandbox, text};
use kubectl_entra::access::ResolvedTarget;
use kubectl_entra::access::fetch::{namespace_matrix, namespace_matrix_cell_by_cell};
use kubectl_entra::k8s::client::{Target, client};

const DEV: &str = "aksdev@contoso.com";

#[test]
fn yes_in_dev_with_why_and_no_in_sre_with_an_explanation() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    let appdev = sb.group_id("appdev");

    let out = sb.entra(&["can-i", "create", "pods", "-n", "dev"]);
    assert_eq!(text(&out.stdout), "yes\n", "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
    // kubectl says the same
    let k = sb.kubectl(&["auth", "can-i", "create", "pods", "-n", "dev"]);
    assert_eq!(text(&k.stdout), "yes\n");

    let out = sb.entra(&["can-i", "create", "po", "-n", "dev", "--why"]);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "yes", "{stdout}");
    assert!(
        stdout.contains("allowed by RoleBinding \"dev-user-access\" in namespace \"dev\""),
        "{stdout}"
    );
    assert!(stdout.contains("Role \"dev-user-full-access\""), "{stdout}");
    assert!(
        stdout.contains(&format!("Group \"appdev\" ({appdev})")),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0));

    let out = sb.entra(&["can-i", "create", "pods", "-n", "sre", "--why"]);
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().next(), Some("no"), "{stdout}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("create pods in namespace \"sre\""),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("appdev ({appdev})")), "{stdout}");
    assert!(
        stdout.contains("you may not read the RBAC bindings"),
        "{stdout}"
    );
    assert!(
        stdout.contains("kubectl entra bind --group appdev -n sre --role edit"),
        "{stdout}"
    );
    let k = sb.kubectl(&["auth", "can-i", "create", "pods", "-n", "sre"]);
    assert_eq!(text(&k.stdout), "no\n");
    assert_eq!(k.status.code(), Some(1));

    // quiet: nothing printed, exit codes kept
    let out = sb.entra(&["can-i", "-q", "create", "pods", "-n", "sre"]);
    assert_eq!(
        (text(&out.stdout).as_str(), out.status.code()),
        ("", Some(1))
    );
    let out = sb.entra(&["can-i", "-q", "delete", "deploy", "-n", "dev"]);
    assert_eq!(
        (text(&out.stdout).as_str(), out.status.code()),
        ("", Some(0))
    );

    // JSON for scripts
    let out = sb.entra(&["can-i", "create", "pods", "-n", "dev", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["allowed"], true);
    assert!(
        doc["reason"]
            .as_str()
            .unwrap_or("")
            .contains("dev-user-access/dev")
    );

    // A cluster-scoped resource is asked without the namespace: no false yes from the Role.
    let out = sb.entra(&["can-i", "list", "namespaces", "-n", "dev"]);
    assert_eq!(text(&out.stdout), "no\n");
    assert!(text(&out.stderr).contains("not namespace scoped"));
    // Non-resource URLs
    let out = sb.entra(&["can-i", "get", "/healthz"]);
    assert_eq!(text(&out.stdout), "yes\n");
}

#[test]
fn why_no_lists_bindings_when_the_caller_may_read_rbac() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    let appdev = sb.group_id("appdev");
    let opssre = sb.group_id("opssre");
    // The developer may read RBAC objects (view of roles/bindings), not change them.
    sb.admin_apply(&format!(
        r#"kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: rbac-reader}}
rules:
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings, clusterroles, clusterrolebindings]
  verbs: [get, list]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: appdev-rbac-reader}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-reader}}
subjects: [{{kind: Group, name: "{appdev}", apiGroup: rbac.authorization.k8s.io}}]
"#
    ));
    let out = sb.entra(&["can-i", "create", "pods", "-n", "sre", "--why"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains(&format!(
            "ClusterRoleBinding \"appdev-rbac-reader\" -> ClusterRole \"rbac-reader\", through Group \"appdev\" ({appdev})"
        )),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains(&format!(
            "RoleBinding \"sre-user-access\" in namespace \"sre\" -> Role \"sre-user-full-access\", to Group \"opssre\" ({opssre})"
        )),
        "{stdout}"
    );
    let join = stdout
        .lines()
        .find(|l| l.contains("joining one of the Entra groups"))
        .unwrap_or_default();
    assert!(
        join.contains("opssre") && join.contains("aks-admins"),
        "{stdout}"
    );
}

#[test]
fn list_matches_kubectl() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    for ns in ["dev", "sre"] {
        let ours = sb.entra(&["can-i", "--list", "-n", ns]);
        let theirs = sb.kubectl(&["auth", "can-i", "--list", "-n", ns]);
        assert!(ours.status.success(), "{}", text(&ours.stderr));
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "namespace {ns}");
        let ours = sb.entra(&["can-i", "--list", "-n", ns, "--no-headers"]);
        let theirs = sb.kubectl(&["auth", "can-i", "--list", "-n", ns, "--no-headers"]);
        assert_eq!(text(&ours.stdout), text(&theirs.stdout), "namespace {ns}");
    }
}

#[test]
fn matrix_equals_cell_by_cell_with_one_rules_review_per_namespace() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    let appdev = sb.group_id("appdev");
    // Listing namespaces is what `--matrix -A` needs besides the reviews.
    sb.admin_apply(&format!(
        r#"kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: namespace-reader}}
rules:
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get, list]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: appdev-namespace-reader}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-reader}}
subjects: [{{kind: Group, name: "{appdev}", apiGroup: rbac.authorization.k8s.io}}]
"#
    ));
    for ns in ["qa", "web"] {
        sb.admin(&["create", "namespace", ns]);
    }
    sb.admin(&[
        "create",
        "rolebinding",
        "reader",
        "-n",
        "qa",
        "--clusterrole",
        "view",
        "--group",
        &appdev,
    ]);
    // sign in first, so the stats below count only the matrix
    assert!(sb.entra(&["whoami", "--no-graph"]).status.success());
    let namespaces: Vec<String> = sb
        .admin(&[
            "get",
            "namespaces",
            "-o",
            "jsonpath={.items[*].metadata.name}",
        ])
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let before = sb.api_count("create selfsubjectrulesreviews");
    let ssar_before = sb.api_count("create selfsubjectaccessreviews");
    let out = sb.entra(&["can-i", "--matrix", "-A", "pods", "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        sb.api_count("create selfsubjectrulesreviews") - before,
        namespaces.len() as u64,
        "one rules review per namespace"
    );
    assert_eq!(sb.api_count("create selfsubjectaccessreviews"), ssar_before);

    // The same question cell by cell, as aksdev (the sandbox API ignores impersonation, so
    // an in-process client with the user's own exec entry asks).
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
    let (cells, local) = runtime.block_on(async {
        let kube = Target {
            kubeconfig: Some(sb.user_kubeconfig_with_env()),
            ..Default::default()
        };
        let (client, _) = client(&kube).await.expect("client");
        let mut sorted = namespaces.clone();
        sorted.sort();
        let cells = namespace_matrix_cell_by_cell(&client, &sorted, &target, &verbs)
            .await
            .expect("cell by cell");
        let local = namespace_matrix(&client, &sorted, &target, &verbs)
            .await
            .expect("local");
        (cells, local)
    });
    assert_eq!(serde_json::to_value(&cells).expect("json"), ours);
    assert_eq!(local, cells);
    let dev = ours["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"] == "dev")
        .expect("dev row");
    assert_eq!(dev["access"]["create"], true);
    let qa = ours["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"] == "qa")
        .expect("qa");
    assert_eq!(
        (qa["access"]["list"].clone(), qa["access"]["create"].clone()),
        (true.into(), false.into())
    );

    // The resources x verbs table for one namespace, plain when piped.
    let out = sb.entra(&["can-i", "--matrix", "-n", "dev", "--verbs", "get,create"]);
    let table = text(&out.stdout);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["pods", "yes", "yes"]),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("roles.rbac.authorization.k8s.io") && l.contains("no")),
        "{table}"
    );
    // one resource narrows the rows
    let out = sb.entra(&[
        "can-i",
        "--matrix",
        "-n",
        "qa",
        "deploy",
        "--verbs",
        "list,delete",
    ]);
    assert_eq!(
        text(&out.stdout),
        "NAME               LIST   DELETE\ndeployments.apps   yes    no\n",
        "{}",
        text(&out.stderr)
    );
    let out = sb.entra(&["can-i", "--matrix", "-n", "qa", "ns"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cluster-scoped"));
}

#[test]
fn as_entra_group_resolves_the_name_through_graph() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    let before = sb.stats()["graph"]["GET /groups"].as_u64().unwrap_or(0);
    // aksdev may not impersonate: the name is looked up, then the cluster refuses, and that is
    // an error with the next step, never a "no" (tests/can_i_impersonation.rs has the admin).
    let out = sb.entra(&[
        "can-i",
        "create",
        "pods",
        "-n",
        "dev",
        "--as",
        DEV,
        "--as-entra-group",
        "appdev",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(err.contains("cannot impersonate"), "{err}");
    assert!(err.contains("need the impersonate permission"), "{err}");
    assert!(!err.contains("Status {"), "no Debug dump: {err}");
    let stats = sb.stats();
    assert!(
        stats["graph"]
            .as_object()
            .expect("graph stats")
            .keys()
            .any(|k| k.starts_with("GET /groups")),
        "{stats} (before: {before})"
    );
    let out = sb.entra(&[
        "can-i",
        "get",
        "pods",
        "--as",
        DEV,
        "--as-entra-group",
        "no-such-group",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("no Entra group is named \"no-such-group\""),
        "{}",
        text(&out.stderr)
    );
}
