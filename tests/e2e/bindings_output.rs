//! `bindings -o name` and `-o wide`, as kubectl get prints them.

use crate::support::can_i::{Sandbox, text};

#[test]
fn bindings_name_and_wide() {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    sb.article();
    let appdev = sb.group_id("appdev");
    let out = sb.entra_admin(&["bindings", "-n", "dev", "-o", "name", "--no-graph"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let names = text(&out.stdout);
    let lines: Vec<&str> = names.lines().collect();
    assert!(
        lines.contains(&"rolebinding.rbac.authorization.k8s.io/dev-user-access"),
        "{names}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("rolebinding.rbac.authorization.k8s.io/")
                || l.starts_with("clusterrolebinding.rbac.authorization.k8s.io/")),
        "{names}"
    );
    let mut unique = lines.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), lines.len(), "each binding once: {names}");
    // kubectl agrees on the names of the namespace's RoleBindings.
    let kubectl = sb.admin(&["get", "rolebindings", "-n", "dev", "-o", "name"]);
    for line in kubectl.lines() {
        assert!(lines.contains(&line), "{line} missing from {names}");
    }

    // Signed in as aksadmin (Entra, aks-admins): Graph names the groups.
    let out = sb.entra(&["bindings", "-n", "dev", "-o", "wide"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let wide = text(&out.stdout);
    let header = wide.lines().next().unwrap_or_default();
    for column in ["BINDING KIND", "ENTRA NAME", "SUBJECT", "MANAGED"] {
        assert!(header.contains(column), "{header}");
    }
    let row = wide
        .lines()
        .find(|l| l.contains("dev-user-access"))
        .unwrap_or_else(|| panic!("{wide}"));
    assert!(row.contains("RoleBinding"), "{row}");
    assert!(
        row.contains(&appdev),
        "the object id in its own column: {row}"
    );
    assert!(
        row.contains(" appdev "),
        "the Entra name in its own column: {row}"
    );
}
