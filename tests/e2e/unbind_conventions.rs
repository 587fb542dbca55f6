//! `unbind --dry-run` names every object the real run deletes (the full-access Role too), and
//! `--ignore-not-found` makes "nothing to delete" a success, as kubectl delete's flag does.

use crate::support::can_i::{Sandbox, text};

fn deleted(stdout: &str) -> Vec<String> {
    let mut objects: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split(" deleted").next())
        .map(str::to_string)
        .collect();
    objects.sort();
    objects
}

#[test]
fn dry_run_lists_what_the_real_run_deletes() {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    let appdev = sb.group_id("appdev");
    let out = sb.entra_admin(&[
        "bind",
        "--group-id",
        &appdev,
        "-n",
        "dev",
        "--create-namespace",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let dry = sb.entra_admin(&["unbind", "--group-id", &appdev, "-n", "dev", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    let dry_out = text(&dry.stdout);
    assert!(
        dry_out.lines().all(|l| l.ends_with(" deleted (dry run)")),
        "{dry_out}"
    );
    assert!(
        dry_out.contains("role.rbac.authorization.k8s.io/entra-full-access deleted (dry run)"),
        "the Role nothing else uses goes too: {dry_out}"
    );
    // Nothing went.
    sb.admin(&["get", "role", "entra-full-access", "-n", "dev"]);

    let real = sb.entra_admin(&["unbind", "--group-id", &appdev, "-n", "dev"]);
    assert!(real.status.success(), "{}", text(&real.stderr));
    assert_eq!(deleted(&dry_out), deleted(&text(&real.stdout)));
    assert!(deleted(&dry_out).len() >= 2, "{dry_out}");
}

#[test]
fn ignore_not_found_makes_nothing_to_delete_a_success() {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    sb.admin(&["create", "namespace", "dev"]);
    let appdev = sb.group_id("appdev");
    let args = ["unbind", "--group-id", appdev.as_str(), "-n", "dev"];
    let out = sb.entra_admin(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nothing was deleted"),
        "{}",
        text(&out.stderr)
    );

    let mut ignoring = args.to_vec();
    ignoring.push("--ignore-not-found");
    let out = sb.entra_admin(&ignoring);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));

    // A --force name that does not exist, likewise.
    ignoring.extend(["--force", "no-such-binding"]);
    let out = sb.entra_admin(&ignoring);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = sb.entra_admin(&["unbind", "-n", "dev", "--force", "no-such-binding"]);
    assert_eq!(out.status.code(), Some(1));
}
