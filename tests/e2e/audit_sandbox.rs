//! audit against the sandbox: the real kubectl creates one binding per finding (and edits one
//! of kubectl-entra's by hand); audit names each with its fix, exits 1; the fixes run exactly as
//! printed (`kubectl entra ...` through kubectl's plugin lookup); then audit is clean (exit 0).

use crate::support::can_i::{Sandbox, text};

const GONE: &str = "dead0000-0000-4000-8000-00000000beef";

fn binding(name: &str, kind: &str, role_kind: &str, role: &str, subject: &str) -> String {
    let (kind_meta, ns) = match kind {
        "RoleBinding" => (format!("{{name: {name}, namespace: dev}}"), ""),
        _ => (format!("{{name: {name}}}"), ""),
    };
    format!(
        "---\nkind: {kind}\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {kind_meta}{ns}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {role_kind}, name: {role}}}\nsubjects: [{subject}]\n"
    )
}

fn findings(out: &std::process::Output) -> Vec<serde_json::Value> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)));
    doc["findings"].as_array().expect("findings").clone()
}

#[test]
fn each_finding_is_reported_and_its_printed_fix_works() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.admin(&["create", "namespace", "dev"]);
    let appdev = sb.group_id("appdev");
    let aksdev = sb.user_id("aksdev@contoso.com");
    let guest = sb.user_id("partner_fabrikam.com#EXT#@contoso.com");
    let group = |name: &str| {
        format!("{{kind: Group, name: \"{name}\", apiGroup: rbac.authorization.k8s.io}}")
    };
    let user = |name: &str| {
        format!("{{kind: User, name: \"{name}\", apiGroup: rbac.authorization.k8s.io}}")
    };
    let mut m = String::from(
        "kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: reader, namespace: dev}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}]\n",
    );
    m += &binding("by-name", "RoleBinding", "Role", "reader", &group("appdev"));
    m += &binding(
        "guest-upn",
        "RoleBinding",
        "Role",
        "reader",
        &user("partner_fabrikam.com#EXT#@contoso.com"),
    );
    m += &binding(
        "member-oid",
        "RoleBinding",
        "Role",
        "reader",
        &user(&aksdev),
    );
    m += &binding(
        "deleted-group",
        "RoleBinding",
        "Role",
        "reader",
        &group(GONE),
    );
    m += &binding(
        "no-role",
        "RoleBinding",
        "ClusterRole",
        "no-such-role",
        &group(&appdev),
    );
    m += &binding(
        "ns-on-group",
        "ClusterRoleBinding",
        "ClusterRole",
        "view",
        &format!(
            "{{kind: Group, name: \"{appdev}\", namespace: dev, apiGroup: rbac.authorization.k8s.io}}"
        ),
    );
    sb.admin_apply(&m);
    // One of kubectl-entra's own bindings, then a subject added by hand.
    let out = sb.admin_shell(&format!(
        "kubectl entra bind --group-id {appdev} -n dev --role view"
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let managed = sb.admin(&[
        "get",
        "rolebindings",
        "-n",
        "dev",
        "-l",
        "app.kubernetes.io/managed-by=kubectl-entra",
        "-o",
        "name",
    ]);
    let managed = managed
        .trim()
        .trim_start_matches("rolebinding.rbac.authorization.k8s.io/")
        .to_string();
    sb.admin(&[
        "patch", "rolebinding", &managed, "-n", "dev", "--type=json",
        "-p", r#"[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"mallory@contoso.com","apiGroup":"rbac.authorization.k8s.io"}}]"#,
    ]);

    let out = sb.entra_admin_graph(&["audit", "-n", "dev", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let found = findings(&out);
    let problem_of = |name: &str| -> Vec<String> {
        found
            .iter()
            .filter(|f| f["name"] == name)
            .map(|f| f["problem"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(problem_of("by-name"), ["group-display-name"], "{found:#?}");
    assert_eq!(problem_of("guest-upn"), ["guest-upn"]);
    assert_eq!(problem_of("member-oid"), ["member-object-id"]);
    assert_eq!(problem_of("deleted-group"), ["unknown-object-id"]);
    assert_eq!(problem_of("no-role"), ["missing-role"]);
    assert_eq!(problem_of("ns-on-group"), ["namespace-on-subject"]);
    assert_eq!(problem_of(&managed), ["edited-by-hand"]);
    let fix_of = |name: &str| -> Vec<String> {
        found
            .iter()
            .filter(|f| f["name"] == name)
            .flat_map(|f| f["fix"].as_array().cloned().unwrap_or_default())
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        fix_of("by-name"),
        [
            "kubectl entra unbind -n dev --force by-name".to_string(),
            format!("kubectl entra bind --group-id {appdev} -n dev --role reader")
        ]
    );
    assert_eq!(
        fix_of("guest-upn")[1],
        format!("kubectl entra bind --user {guest} -n dev --role reader")
    );
    assert_eq!(
        fix_of("member-oid")[1],
        "kubectl entra bind --user aksdev@contoso.com -n dev --role reader"
    );

    // The table, for people: every finding with its fix under it.
    let out = sb.entra_admin_graph(&["audit", "-n", "dev"]);
    assert_eq!(out.status.code(), Some(1));
    let table = text(&out.stdout);
    assert!(table.starts_with("NAMESPACE"), "{table}");
    assert!(
        table.contains("  fix: kubectl entra unbind -n dev --force deleted-group"),
        "{table}"
    );

    // Every printed fix, as printed.
    let mut ran = 0;
    for f in &found {
        for cmd in f["fix"].as_array().into_iter().flatten() {
            let cmd = cmd.as_str().expect("command");
            let out = sb.admin_shell(cmd);
            assert!(out.status.success(), "{cmd}: {}", text(&out.stderr));
            ran += 1;
        }
    }
    assert!(ran >= 12, "{ran}");
    let out = sb.entra_admin_graph(&["audit", "-n", "dev", "-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{:#?}\n{}",
        findings(&out),
        text(&out.stderr)
    );
    assert!(findings(&out).is_empty());
    let out = sb.entra_admin_graph(&["audit", "-n", "dev"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("No problems found"),
        "{}",
        text(&out.stderr)
    );
    // The fixed bindings grant what the broken ones meant to.
    let yes = sb.admin(&[
        "auth",
        "can-i",
        "list",
        "pods",
        "-n",
        "dev",
        "--as=aksdev@contoso.com",
    ]);
    assert_eq!(yes.trim(), "yes");

    // kubectl-entra's full-access Role edited by hand is found too.
    let out = sb.admin_shell(&format!(
        "kubectl entra bind --group-id {} -n dev",
        sb.group_id("opssre")
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    sb.admin(&[
        "patch", "role", "entra-full-access", "-n", "dev", "--type=json",
        "-p", r#"[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["*"]}}]"#,
    ]);
    let out = sb.entra_admin_graph(&["audit", "-n", "dev", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let found = findings(&out);
    assert!(
        found
            .iter()
            .any(|f| f["kind"] == "Role" && f["problem"] == "edited-by-hand"),
        "{found:#?}"
    );
}

#[test]
fn a_clean_cluster_exits_zero_and_a_refused_list_says_what_is_missing() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.article();
    let out = sb.entra_admin_graph(&["audit", "-A"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // aksdev may not list RBAC objects
    let out = sb.entra(&["audit", "-n", "dev"]);
    assert!(!matches!(out.status.code(), Some(0)));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("list rolebindings.rbac.authorization.k8s.io in namespace \"dev\""),
        "{stderr}"
    );
}
