//! who-can against the sandbox: the real kubectl creates a generated set of bindings, and
//! who-can's answer for each question must agree with `kubectl auth can-i --as/--as-group` for
//! every probed subject; Entra names and `--members` come from the sandbox's Graph; a caller
//! who may not list RBAC objects is told which permission is missing.

use crate::support::can_i::{Sandbox, text};
use std::fmt::Write as _;

const NAMESPACES: [&str; 3] = ["team-a", "team-b", "team-c"];

/// Roles and bindings with the traps: wildcards, resourceNames, subresources, a RoleBinding to a
/// ClusterRole, ServiceAccounts with and without a namespace (RoleBinding), a missing role.
fn manifest(groups: &[String]) -> String {
    let mut m = String::new();
    let doc = |m: &mut String, text: String| {
        let _ = write!(m, "---\n{text}\n");
    };
    doc(&mut m, "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: wc-pod-creator}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [create, get]}]".into());
    doc(&mut m, "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: wc-one-secret}\nrules: [{apiGroups: [\"\"], resources: [secrets], verbs: [get], resourceNames: [db]}]".into());
    doc(&mut m, "kind: ClusterRole\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: wc-logs}\nrules: [{apiGroups: [\"\"], resources: [pods/log], verbs: [get]}]".into());
    doc(&mut m, "kind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: wc-cluster-creators}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wc-pod-creator}\nsubjects: [{kind: User, name: cluster-creator@contoso.com, apiGroup: rbac.authorization.k8s.io}]".into());
    for (i, ns) in NAMESPACES.iter().enumerate() {
        doc(
            &mut m,
            format!("kind: Namespace\napiVersion: v1\nmetadata: {{name: {ns}}}"),
        );
        doc(
            &mut m,
            format!(
                "kind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: wc-all, namespace: {ns}}}\nrules: [{{apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}}]"
            ),
        );
        let g = &groups[i % groups.len()];
        doc(
            &mut m,
            format!(
                "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: wc-group-all, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: wc-all}}\nsubjects: [{{kind: Group, name: \"{g}\", apiGroup: rbac.authorization.k8s.io}}]"
            ),
        );
        doc(
            &mut m,
            format!(
                "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: wc-creators, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wc-pod-creator}}\nsubjects: [{{kind: User, name: user-{i}@contoso.com, apiGroup: rbac.authorization.k8s.io}}, {{kind: ServiceAccount, name: builder}}, {{kind: ServiceAccount, name: deployer, namespace: {}}}]",
                NAMESPACES[(i + 1) % NAMESPACES.len()]
            ),
        );
        doc(
            &mut m,
            format!(
                "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: wc-secret, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wc-one-secret}}\nsubjects: [{{kind: User, name: secret-reader-{i}@contoso.com, apiGroup: rbac.authorization.k8s.io}}]"
            ),
        );
        doc(
            &mut m,
            format!(
                "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: wc-logs, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wc-logs}}\nsubjects: [{{kind: User, name: log-reader@contoso.com, apiGroup: rbac.authorization.k8s.io}}]"
            ),
        );
        doc(
            &mut m,
            format!(
                "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: wc-dangling, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: does-not-exist}}\nsubjects: [{{kind: User, name: dangling@contoso.com, apiGroup: rbac.authorization.k8s.io}}]"
            ),
        );
    }
    m
}

/// Someone to ask about: the `--as`/`--as-group` flags and whether a who-can report lists them.
struct Probe {
    user: String,
    groups: Vec<String>,
}

impl Probe {
    fn user(name: &str) -> Probe {
        Probe {
            user: name.to_string(),
            groups: Vec::new(),
        }
    }
    fn group(id: &str) -> Probe {
        Probe {
            user: "who-can-probe@contoso.com".into(),
            groups: vec![id.to_string()],
        }
    }
    fn listed(&self, report: &serde_json::Value) -> bool {
        let mut groups = self.groups.clone();
        groups.push("system:authenticated".into());
        report["subjects"]
            .as_array()
            .expect("subjects")
            .iter()
            .any(|s| {
                let name = s["name"].as_str().unwrap_or_default();
                match s["kind"].as_str().unwrap_or_default() {
                    "User" => name == self.user,
                    "Group" => groups.iter().any(|g| g == name),
                    "ServiceAccount" => {
                        let ns = s["namespace"].as_str().unwrap_or_default();
                        self.user == format!("system:serviceaccount:{ns}:{name}")
                    }
                    _ => false,
                }
            })
    }
}

#[test]
fn who_can_agrees_with_kubectl_auth_can_i_as_each_subject() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    let groups = vec![sb.group_id("appdev"), sb.group_id("opssre")];
    sb.admin_apply(&manifest(&groups));

    let mut probes: Vec<Probe> = groups.iter().map(|g| Probe::group(g)).collect();
    probes.push(Probe::group(&sb.group_id("aks-admins")));
    for u in [
        "cluster-creator@contoso.com",
        "user-0@contoso.com",
        "user-1@contoso.com",
        "secret-reader-0@contoso.com",
        "log-reader@contoso.com",
        "dangling@contoso.com",
        "nobody@contoso.com",
    ] {
        probes.push(Probe::user(u));
    }
    for sa in [
        "team-a:builder",
        "team-b:builder",
        "team-b:deployer",
        "team-a:deployer",
    ] {
        probes.push(Probe::user(&format!("system:serviceaccount:{sa}")));
    }
    // (who-can args, kubectl auth can-i args)
    let questions: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["create", "pods", "-n", "team-a"],
            vec!["create", "pods", "-n", "team-a"],
        ),
        (
            vec!["delete", "deployments.apps", "-n", "team-b"],
            vec!["delete", "deployments.apps", "-n", "team-b"],
        ),
        (
            vec!["get", "secrets", "db", "-n", "team-c"],
            vec!["get", "secrets/db", "-n", "team-c"],
        ),
        (
            vec!["get", "secrets", "-n", "team-c"],
            vec!["get", "secrets", "-n", "team-c"],
        ),
        (
            vec!["get", "pods", "--subresource", "log", "-n", "team-a"],
            vec!["get", "pods", "--subresource", "log", "-n", "team-a"],
        ),
        (vec!["list", "namespaces"], vec!["list", "namespaces"]),
        (vec!["get", "/healthz"], vec!["get", "/healthz"]),
    ];
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (who, can_i) in &questions {
        let mut args = vec!["who-can"];
        args.extend(who.iter().copied());
        args.extend(["-o", "json"]);
        let out = sb.entra_admin(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        for p in &probes {
            let mut kubectl = vec!["auth", "can-i"];
            kubectl.extend(can_i.iter().copied());
            let as_user = format!("--as={}", p.user);
            kubectl.push(&as_user);
            let as_groups: Vec<String> =
                p.groups.iter().map(|g| format!("--as-group={g}")).collect();
            kubectl.extend(as_groups.iter().map(String::as_str));
            let answer = sb.admin_shell(&format!(
                "kubectl {}",
                kubectl
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
            let yes = text(&answer.stdout).trim() == "yes";
            compared += 1;
            if yes != p.listed(&report) {
                disagreements.push(format!(
                    "{who:?} as {} {:?}: kubectl says {yes}",
                    p.user, p.groups
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    // Reported so the figure can be quoted.
    println!("who-can agreed with kubectl auth can-i on {compared} (question, subject) pairs");
    assert_eq!(compared, questions.len() * probes.len());

    // A binding to a missing role grants nothing, and says so.
    let out = sb.entra_admin(&["who-can", "create", "pods", "-A", "-o", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        report["errors"].to_string().contains("does-not-exist"),
        "{report}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the binding grants nothing"), "{stderr}");
    // -A lists each namespace's RoleBindings with their namespace.
    let subjects = report["subjects"].to_string();
    for ns in NAMESPACES {
        assert!(
            subjects.contains(&format!("\"namespace\":\"{ns}\"")),
            "{subjects}"
        );
    }
}

#[test]
fn table_names_entra_groups_and_lists_members() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.article();
    let appdev = sb.group_id("appdev");
    let guest = sb.user_id("partner_fabrikam.com#EXT#@contoso.com");
    let out = sb.entra_admin_graph(&["who-can", "create", "pods", "-n", "dev", "--members"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["KIND", "SUBJECT", "NAMESPACE", "BINDING", "ROLE", "VIA"],
        "{stdout}"
    );
    let group_line = lines
        .iter()
        .position(|l| l.contains(&format!("appdev ({appdev})")))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        lines[group_line].contains("RoleBinding/dev-user-access"),
        "{stdout}"
    );
    // members under the group: members by UPN, the guest by object id (as AKS names them)
    let members = &lines[group_line + 1..];
    assert!(
        members
            .iter()
            .any(|l| l.contains("aksdev@contoso.com") && l.trim_end().ends_with("appdev")),
        "{stdout}"
    );
    assert!(members.iter().any(|l| l.contains(&guest)), "{stdout}");
    assert!(stdout.contains("system:masters"), "{stdout}");
    assert!(stderr.contains("overage"), "{stderr}");
    // sorted: kinds in order
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let groups_end = kinds.iter().rposition(|k| *k == "Group").unwrap_or(0);
    assert!(
        kinds[..groups_end]
            .iter()
            .all(|k| *k == "Group" || *k == "User"),
        "{stdout}"
    );

    let out = sb.entra_admin_graph(&["who-can", "create", "pods", "-n", "dev", "-o", "yaml"]);
    let doc: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).expect("yaml");
    let first = &doc["subjects"][0];
    assert_eq!(first["displayName"].as_str(), Some("appdev"), "{doc:?}");
    assert_eq!(
        first["grants"][0]["bindingName"].as_str(),
        Some("dev-user-access")
    );
}

#[test]
fn a_caller_who_cannot_list_rbac_is_told_which_permission_is_missing() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    sb.article();
    let out = sb.entra(&["who-can", "create", "pods", "-n", "dev", "--no-graph"]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("list rolebindings.rbac.authorization.k8s.io in namespace \"dev\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("list clusterrolebindings.rbac.authorization.k8s.io (cluster-wide)"),
        "{stderr}"
    );
    assert!(text(&out.stdout).is_empty());
}
