//! `who-can --user` for an overage user: manygroups@contoso.com is in more than 200 groups, so
//! their token carries no `groups` claim and `kubectl auth can-i --as` (no groups) says no.
//! who-can resolves the bound groups through Graph checkMemberGroups, as AKS does, and agrees
//! with what the real kubectl, signed in as that user, is allowed.

use crate::support::can_i::{Sandbox, text};
use std::fmt::Write as _;

const USER: &str = "manygroups@contoso.com";

fn who_can(sb: &Sandbox, ns: &str) -> (serde_json::Value, String) {
    let out = sb.entra_admin_graph(&[
        "who-can", "get", "pods", "-n", ns, "--user", USER, "-o", "json",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let doc = serde_json::from_slice(&out.stdout).expect("who-can json");
    (doc, stderr)
}

fn names(doc: &serde_json::Value) -> Vec<String> {
    doc["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn check_calls(sb: &Sandbox) -> u64 {
    sb.stats()["graph"]["POST /users/{id}/checkMemberGroups"]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn who_can_user_resolves_an_overage_users_groups_as_aks_does() {
    let sb = Sandbox::start(USER, &[]);
    sb.article();
    let appdev = sb.group_id("appdev");

    // What the cluster really allows the signed-in overage user, and what impersonation says.
    for (ns, allowed) in [("dev", "yes"), ("sre", "no")] {
        let out = sb.kubectl(&["auth", "can-i", "get", "pods", "-n", ns]);
        assert_eq!(text(&out.stdout).trim(), allowed, "{}", text(&out.stderr));
    }
    let out = std::process::Command::new("kubectl")
        .args(["auth", "can-i", "get", "pods", "-n", "dev", "--as", USER])
        .env("KUBECONFIG", sb.admin_kubeconfig())
        .output()
        .expect("kubectl");
    assert_eq!(text(&out.stdout).trim(), "no", "--as carries no groups");

    let before = check_calls(&sb);
    let (doc, stderr) = who_can(&sb, "dev");
    assert_eq!(names(&doc), [appdev.as_str()], "{doc:#}");
    assert_eq!(doc["subjects"][0]["displayName"], "appdev");
    assert_eq!(doc["user"]["username"], USER);
    assert_eq!(doc["user"]["memberOf"], serde_json::json!([appdev]));
    // Every bound Entra group is checked (aks-admins' ClusterRoleBinding too), in one call.
    let checked = doc["user"]["groupsChecked"]
        .as_u64()
        .expect("groupsChecked");
    assert!(checked >= 2, "{doc:#}");
    assert!(
        stderr.contains("only the subjects that give manygroups@contoso.com (Many Groups)")
            && stderr.contains(&format!(
                "checkMemberGroups puts them in 1 of the {checked} bound Entra groups"
            )),
        "{stderr}"
    );
    assert_eq!(check_calls(&sb), before + 1);

    let (doc, stderr) = who_can(&sb, "sre");
    assert!(names(&doc).is_empty(), "{doc:#}");
    assert!(
        stderr.contains("no binding lets manygroups@contoso.com (Many Groups) do this"),
        "{stderr}"
    );

    // 25 more of their groups bound in dev: two checkMemberGroups calls (20 ids each), not one
    // per binding; the table names each group.
    let out = sb.kubectl(&["auth", "whoami", "-o", "json"]);
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).expect("whoami json");
    let theirs: Vec<&str> = me["status"]["userInfo"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g.as_str())
        .filter(|g| !g.starts_with("system:") && *g != appdev)
        .take(25)
        .collect();
    assert_eq!(theirs.len(), 25, "{me}");
    let mut manifest = String::new();
    for (n, g) in theirs.iter().enumerate() {
        let _ = write!(
            manifest,
            "---\nkind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: team-{n:03}, namespace: dev}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}\nsubjects: [{{kind: Group, name: \"{g}\", apiGroup: rbac.authorization.k8s.io}}]\n"
        );
    }
    sb.admin_apply(&manifest);
    let before = check_calls(&sb);
    let (doc, _) = who_can(&sb, "dev");
    assert_eq!(names(&doc).len(), 26, "{doc:#}");
    assert_eq!(doc["user"]["memberOf"].as_array().map(Vec::len), Some(26));
    assert_eq!(doc["user"]["groupsChecked"], checked + 25);
    assert_eq!(check_calls(&sb), before + (checked + 25).div_ceil(20));
    let out = sb.entra_admin_graph(&["who-can", "get", "pods", "-n", "dev", "--user", USER]);
    let table = text(&out.stdout);
    assert_eq!(
        table.lines().filter(|l| l.contains(" team-")).count(),
        25,
        "each group with its Entra name: {table}"
    );
    assert!(!table.contains("system:masters"), "{table}");

    // Someone Entra does not know is an error that says so.
    let out = sb.entra_admin_graph(&[
        "who-can",
        "get",
        "pods",
        "-n",
        "dev",
        "--user",
        "nobody@contoso.com",
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("knows no user \"nobody@contoso.com\""),
        "{}",
        text(&out.stderr)
    );
}
