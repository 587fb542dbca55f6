//! An admin checks someone else: `kubectl entra can-i ... --as USER --as-group OID` and
//! `--as-entra-group NAME` against `kubectl auth can-i --as ...`, on the sandbox with the AKS
//! article's bindings. The admin is aksadmin@contoso.com, signed in through kubectl-entra and
//! cluster-admin through the Entra group aks-admins (the article's admin binding).

use crate::support::can_i as can_i_support;

use can_i_support::{Sandbox, text};

const DEV: &str = "aksdev@contoso.com";

fn admin_sandbox() -> Sandbox {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    sb.article();
    // sign in first, so the device-code prompt is not in the outputs compared below
    assert!(sb.kubectl(&["auth", "whoami"]).status.success());
    sb
}

#[test]
fn as_user_and_group_answer_like_kubectl() {
    let sb = admin_sandbox();
    let appdev = sb.group_id("appdev");
    let questions: &[&[&str]] = &[
        &["create", "pods", "-n", "dev"],
        &["create", "pods", "-n", "sre"],
        &["delete", "deployments.apps/web", "-n", "dev"],
        &["get", "pods", "--subresource=log", "-n", "dev"],
        &["list", "secrets", "-n", "sre", "-q"],
        &["get", "pods", "-A"],
        &["list", "namespaces"],
        &["get", "/healthz"],
        &["get", "/logs"],
        &["--list", "-n", "dev"],
        &["--list", "-n", "sre", "--no-headers"],
    ];
    for q in questions {
        let mut k = vec!["auth", "can-i"];
        k.extend_from_slice(q);
        k.extend_from_slice(&["--as", DEV, "--as-group", &appdev]);
        let kubectl = sb.kubectl(&k);
        let mut e = vec!["can-i"];
        e.extend_from_slice(q);
        e.extend_from_slice(&["--as", DEV, "--as-group", &appdev]);
        let ours = sb.entra(&e);
        assert_eq!(
            text(&ours.stdout),
            text(&kubectl.stdout),
            "{q:?}: {}",
            text(&ours.stderr)
        );
        assert_eq!(ours.status.code(), kubectl.status.code(), "{q:?}");
        // by name instead of object id: the same answer
        let mut n = vec!["can-i"];
        n.extend_from_slice(q);
        n.extend_from_slice(&["--as", DEV, "--as-entra-group", "appdev"]);
        let named = sb.entra(&n);
        assert_eq!(
            text(&named.stdout),
            text(&kubectl.stdout),
            "{q:?} by name: {}",
            text(&named.stderr)
        );
        assert_eq!(named.status.code(), kubectl.status.code(), "{q:?}");
    }
    // The admin itself may: impersonation really changed the answer.
    let own = sb.entra(&["can-i", "create", "pods", "-n", "sre"]);
    assert_eq!(text(&own.stdout), "yes\n");
    // Without the group the user has no access in dev either.
    let k = sb.kubectl(&["auth", "can-i", "create", "pods", "-n", "dev", "--as", DEV]);
    let e = sb.entra(&["can-i", "create", "pods", "-n", "dev", "--as", DEV]);
    assert_eq!((text(&e.stdout), e.status.code()), ("no\n".into(), Some(1)));
    assert_eq!(
        (text(&k.stdout), k.status.code()),
        (text(&e.stdout), e.status.code())
    );
}

#[test]
fn why_explains_for_the_impersonated_user_and_reads_rbac_as_the_admin() {
    let sb = admin_sandbox();
    let appdev = sb.group_id("appdev");
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
        "--why",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.starts_with("yes\nallowed by RoleBinding \"dev-user-access\" in namespace \"dev\""),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("Group \"appdev\" ({appdev})")),
        "{stdout}"
    );

    let out = sb.entra(&[
        "can-i",
        "create",
        "pods",
        "-n",
        "sre",
        "--as",
        DEV,
        "--as-group",
        &appdev,
        "--why",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains(&format!(
            "User \"{DEV}\" (groups: appdev ({appdev}), system:authenticated)"
        )),
        "the subject is aksdev, not the admin: {stdout}"
    );
    // aksdev may not read RBAC, the admin may: the bindings are listed.
    assert!(!stdout.contains("you may not"), "{stdout}");
    assert!(
        stdout.contains("RoleBinding \"sre-user-access\" in namespace \"sre\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("joining one of the Entra groups"),
        "{stdout}"
    );
}

#[test]
fn matrix_as_someone_else_uses_their_rules() {
    let sb = admin_sandbox();
    let appdev = sb.group_id("appdev");
    let out = sb.entra(&[
        "can-i",
        "--matrix",
        "-n",
        "sre",
        "pods",
        "--as",
        DEV,
        "--as-group",
        &appdev,
        "-o",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(m["rows"][0]["access"]["create"], false, "{m}");
    let out = sb.entra(&[
        "can-i",
        "--matrix",
        "-n",
        "dev",
        "pods",
        "--as",
        DEV,
        "--as-group",
        &appdev,
        "-o",
        "json",
    ]);
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(m["rows"][0]["access"]["create"], true, "{m}");
}
