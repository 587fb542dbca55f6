//! login and logout use the kubeconfig context's get-token entry (authority, tenant, cache
//! dir ...), so `kubectl entra login` before a job and `kubectl entra logout` after a hint act on
//! the sign-in kubectl uses.

use crate::support::can_i::{Sandbox, text};

fn cache_entries(sb: &Sandbox) -> usize {
    let dir = sb.dir.path().join("cache").join("kubectl-entra");
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn login_and_logout_follow_the_current_context() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    // No flags: the sandbox's authority and tenant come from the user kubeconfig's entry (the
    // defaults would go to login.microsoftonline.com and fail offline).
    let out = sb.entra(&["login"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("kubeconfig context"), "{err}");
    assert!(err.contains("as aksdev@contoso.com"), "{err}");
    assert!(cache_entries(&sb) > 0, "{err}");
    // kubectl now runs without a new sign-in.
    let k = sb.kubectl(&[
        "auth",
        "whoami",
        "-o",
        "jsonpath={.status.userInfo.username}",
    ]);
    assert_eq!(text(&k.stdout), "aksdev@contoso.com", "{}", text(&k.stderr));

    let out = sb.entra(&["logout"]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("Signed out"), "{err}");
    assert_eq!(cache_entries(&sb), 0, "{err}");
}

#[test]
fn an_explicit_context_must_be_an_entra_one() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    let admin = sb.admin_kubeconfig();
    let admin = admin.to_str().expect("utf-8 path");
    let out = sb.entra(&["login", "--kubeconfig", admin]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("does not sign in with kubectl-entra"),
        "{}",
        text(&out.stderr)
    );
    // The user kubeconfig named explicitly, and a flag given wins over its entry: an unknown
    // tenant is refused by the emulator, so the flag was used.
    let user = sb.user_kubeconfig();
    let user = user.to_str().expect("utf-8 path");
    let out = sb.entra(&[
        "login",
        "--kubeconfig",
        user,
        "--tenant-id",
        "not-the-sandbox.example",
        "--timeout",
        "5s",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(cache_entries(&sb), 0);
    let out = sb.entra(&["login", "--kubeconfig", user]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
