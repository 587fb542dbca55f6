//! `can-i --matrix` without -A asks in the context's namespace (as kubectl); `--matrix -A` for
//! a user who may not list namespaces shows the namespaces their rules and kubeconfig name,
//! says so, and succeeds (kubectl answers `auth can-i -A` without listing them either).

use crate::support::can_i::{Sandbox, text};

const DEV: &str = "aksdev@contoso.com";

/// The user kubeconfig with the context's namespace set to `ns`.
fn with_namespace(sb: &Sandbox, ns: &str) -> std::path::PathBuf {
    let source = std::fs::read_to_string(sb.user_kubeconfig()).expect("user kubeconfig");
    let mut config: serde_yaml::Value = serde_yaml::from_str(&source).expect("yaml");
    config["contexts"][0]["context"]["namespace"] = serde_yaml::Value::from(ns);
    let path = sb.dir.path().join(format!("user-{ns}.kubeconfig"));
    std::fs::write(&path, serde_yaml::to_string(&config).expect("yaml")).expect("write");
    path
}

#[test]
fn matrix_defaults_to_the_contexts_namespace() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    let kc = with_namespace(&sb, "dev");
    let kc = kc.to_str().expect("utf-8 path");
    let out = sb.entra(&["can-i", "--matrix", "--kubeconfig", kc, "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(m["namespace"], "dev", "{m}");
    let pods = m["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["name"] == "pods")
        .expect("pods row");
    assert_eq!(
        pods["access"]["create"], true,
        "aksdev has full access in dev: {m}"
    );
}

#[test]
fn matrix_all_namespaces_without_list_rights_falls_back() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    // kubectl itself answers for aksdev across namespaces (no list needed).
    let k = sb.kubectl(&["auth", "can-i", "list", "namespaces"]);
    assert_eq!(text(&k.stdout), "no\n", "aksdev may not list namespaces");

    let kc = with_namespace(&sb, "dev");
    let kc = kc.to_str().expect("utf-8 path");
    let out = sb.entra(&[
        "can-i",
        "--matrix",
        "-A",
        "pods",
        "--kubeconfig",
        kc,
        "-o",
        "json",
    ]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("you may not list namespaces"), "{err}");
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = m["rows"].as_array().expect("rows");
    let dev = rows.iter().find(|r| r["name"] == "dev").expect("dev row");
    assert_eq!(dev["access"]["create"], true, "{m}");
    assert!(
        !rows.iter().any(|r| r["name"] == "sre"),
        "sre is nobody's business here: {m}"
    );

    // The README's `kubectl entra can-i --matrix -A` for the developer, as shown: it answers.
    let out = sb.entra(&["can-i", "--matrix", "-A"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("NAMESPACE"),
        "{}",
        text(&out.stdout)
    );
}
