//! bind/unbind/bindings behaviour that needs no cluster: offline validation, guest UPNs,
//! confirmation of cluster-wide grants, and `--dry-run=client` manifests.

use std::process::{Command, Output};

const APPDEV: &str = "cccc0000-0000-4000-8000-000000000001";

fn run(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("home");
    // A kubeconfig path that does not exist: nothing here may need the cluster.
    let kubeconfig = home.path().join("no-kubeconfig");
    Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .args(args)
        .env("HOME", home.path())
        .env("KUBECONFIG", &kubeconfig)
        .env("KUBECACHEDIR", home.path().join("cache"))
        .env_remove("KUBECTL_ENTRA_GRAPH_ENDPOINT")
        .output()
        .expect("run kubectl-entra")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn dry_run_client_prints_yaml_manifests_without_a_cluster() {
    let out = run(&[
        "bind",
        "--group-id",
        APPDEV,
        "-n",
        "dev",
        "--create-namespace",
        "--dry-run=client",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).expect("utf8");
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("yaml doc"))
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Namespace", "Role", "RoleBinding"]);
    let rb = &docs[2];
    assert_eq!(
        rb["metadata"]["name"].as_str(),
        Some(&*format!("entra-{APPDEV}-full-access"))
    );
    assert_eq!(rb["subjects"][0]["name"].as_str(), Some(APPDEV));
    assert!(rb["subjects"][0].get("namespace").is_none());
}

#[test]
fn dry_run_client_json_is_a_v1_list() {
    let out = run(&[
        "bind",
        "--group-id",
        APPDEV,
        "-n",
        "dev",
        "--role",
        "view",
        "--dry-run=client",
        "-o",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list["kind"], "List");
    assert_eq!(list["apiVersion"], "v1");
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "admin/edit/view create no Role");
    assert_eq!(items[0]["roleRef"]["kind"], "ClusterRole");
    assert_eq!(items[0]["roleRef"]["name"], "view");
}

#[test]
fn invalid_names_are_rejected_before_any_network_call() {
    let out = run(&["bind", "--group", "appdev", "-n", "Dev_Team"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DNS-1123"), "{}", stderr(&out));
    let out = run(&[
        "bind",
        "--group",
        "appdev",
        "-n",
        "dev",
        "--role",
        "Pod Reader",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("invalid role name"),
        "{}",
        stderr(&out)
    );
    let out = run(&["unbind", "--group", "appdev", "--namespace=bad-"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DNS-1123"), "{}", stderr(&out));
}

#[test]
fn guest_upn_is_refused_with_the_object_id_explanation() {
    let out = run(&[
        "bind",
        "--user",
        "partner_fabrikam.com#EXT#@contoso.com",
        "-n",
        "dev",
        "--dry-run=client",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("guest") && err.contains("object id"), "{err}");
    assert!(out.stdout.is_empty());
    let out = run(&[
        "bind",
        "--user",
        "aksdev@contoso.com",
        "-n",
        "dev",
        "--dry-run=client",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("entra-aksdev-contoso-com-full-access"),
        "{text}"
    );
}

#[test]
fn cluster_wide_needs_confirmation() {
    let out = run(&[
        "bind",
        "--group-id",
        APPDEV,
        "--cluster-wide",
        "--role",
        "view",
        "--dry-run=client",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--yes-cluster-wide"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "bind",
        "--group-id",
        APPDEV,
        "--cluster-wide",
        "--yes-cluster-wide",
        "--role",
        "view",
        "--dry-run=client",
        "-o",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list["items"][0]["kind"], "ClusterRoleBinding");
}

#[test]
fn group_name_with_no_graph_asks_for_group_id() {
    let out = run(&[
        "bind",
        "--group",
        "appdev",
        "-n",
        "dev",
        "--no-graph",
        "--dry-run=client",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--group-id"), "{err}");
}

#[test]
fn help_groups_the_flags_and_bind_prints_only_manifests() {
    for (command, headings) in [
        (
            "bind",
            &[
                "Subjects",
                "Where and what:",
                "Output:",
                "Cluster:",
                "Microsoft Graph:",
            ][..],
        ),
        ("unbind", &["Subjects", "Where and what:", "Cluster:"][..]),
        ("bindings", &["Where:", "Output:", "Microsoft Graph:"][..]),
    ] {
        let out = run(&[command, "--help"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let help = String::from_utf8_lossy(&out.stdout);
        for heading in headings {
            assert!(help.contains(heading), "{command}: no {heading}\n{help}");
        }
        assert!(help.contains("Examples:"), "{help}");
    }
    // A table of manifests means nothing: -o is yaml or json.
    let out = run(&[
        "bind",
        "--group-id",
        APPDEV,
        "-n",
        "dev",
        "--dry-run=client",
        "-o",
        "table",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("invalid value 'table'"),
        "{}",
        stderr(&out)
    );
}
