//! `can-i --why -o json`: structured data (user, allowing binding, bindings with roles, rules
//! and subjects, the needed rule), never the display lines.

use crate::support::can_i::{Sandbox, text};

const DEV: &str = "aksdev@contoso.com";

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {} / {}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn why_as_data() {
    let sb = Sandbox::start(DEV, &[]);
    sb.article();
    let appdev = sb.group_id("appdev");

    let out = sb.entra(&[
        "can-i", "create", "pods", "-n", "dev", "--why", "-o", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc = json(&out);
    assert_eq!(doc["allowed"], true);
    let why = &doc["why"];
    assert!(why.is_object(), "structured, not lines: {doc}");
    assert_eq!(why["allowedBy"]["bindingKind"], "RoleBinding", "{why}");
    assert_eq!(why["allowedBy"]["bindingName"], "dev-user-access", "{why}");
    assert_eq!(why["allowedBy"]["subjectName"], appdev.as_str(), "{why}");
    assert_eq!(why["user"]["username"], DEV, "{why}");
    let groups = why["user"]["groups"].as_array().expect("groups");
    let group = groups
        .iter()
        .find(|g| g["name"] == appdev.as_str())
        .unwrap_or_else(|| panic!("{why}"));
    assert_eq!(group["kind"], "Group");
    assert_eq!(group["displayName"], "appdev", "Graph names it: {why}");

    let out = sb.entra(&[
        "can-i", "create", "pods", "-n", "sre", "--why", "-o", "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let doc = json(&out);
    assert_eq!(doc["allowed"], false);
    let why = &doc["why"];
    assert_eq!(
        why["neededRule"],
        serde_json::json!({"verbs": ["create"], "apiGroups": [""], "resources": ["pods"]}),
        "{why}"
    );
    assert_eq!(
        why["rbacReadable"], false,
        "aksdev may not read bindings: {why}"
    );
    assert!(why["allowedBy"].is_null(), "{why}");

    // An admin asking for aksdev reads the bindings: each with its role, rules and subject.
    let out = sb.entra_admin(&[
        "can-i",
        "create",
        "pods",
        "-n",
        "dev",
        "--as",
        DEV,
        "--as-group",
        &appdev,
        "--why",
        "-o",
        "yaml",
        "--no-graph",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_saphyr::from_str(&text(&out.stdout)).expect("yaml");
    let why = &doc["why"];
    assert_eq!(why["rbacReadable"], true, "{why}");
    let binding = why["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .find(|b| b["name"] == "dev-user-access")
        .unwrap_or_else(|| panic!("{why}"));
    assert_eq!(binding["kind"], "RoleBinding");
    assert_eq!(binding["namespace"], "dev");
    assert_eq!(binding["role"]["kind"], "Role", "{binding}");
    assert_eq!(binding["subject"]["kind"], "Group");
    assert_eq!(binding["subject"]["name"], appdev.as_str());
    let rules = binding["rules"].as_array().expect("the role's rules");
    assert!(!rules.is_empty(), "{binding}");
    assert!(rules[0]["verbs"].is_array(), "{binding}");
}
