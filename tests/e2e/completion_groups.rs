//! Entra group names complete from Microsoft Graph (a prefix search) when kubectl runs the
//! `kubectl_complete-entra` helper for `kubectl entra bind --group a<TAB>`: with the token the
//! cache holds after `login`, and nothing at all (no prompt, no message, exit 0) when signed out.

use crate::support::can_i::{Sandbox, text};
use std::path::Path;
use std::process::{Command, Output};

/// kubectl's call: `kubectl_complete-entra WORDS...`, the printed helper and the plugin on PATH.
fn complete(sb: &Sandbox, helper_dir: &Path, words: &[&str]) -> Output {
    let plugin_dir = Path::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .parent()
        .expect("bin dir");
    let path = std::env::join_paths([helper_dir, plugin_dir]).expect("PATH");
    let mut cmd = Command::new("kubectl_complete-entra");
    cmd.args(words).env("PATH", path);
    sb.run_as_user(cmd)
}

fn install_helper(dir: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let out = Command::new(env!("CARGO_BIN_EXE_kubectl-entra"))
        .args(["completion", "kubectl-plugin"])
        .output()
        .expect("completion kubectl-plugin");
    assert!(out.status.success());
    let helper = dir.join("kubectl_complete-entra");
    std::fs::write(&helper, &out.stdout).expect("write helper");
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn lines(out: &Output) -> Vec<String> {
    text(&out.stdout).lines().map(str::to_owned).collect()
}

#[test]
fn group_names_complete_through_graph_only_when_signed_in() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    install_helper(dir.path());
    let searches = || sb.stats()["graph"]["GET /groups"].as_u64().unwrap_or(0);

    // Never signed in: nothing, quietly, and no sign-in started.
    let out = complete(&sb, dir.path(), &["bind", "--group", "a"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), ":4\n");
    assert_eq!(text(&out.stderr), "");
    assert_eq!(searches(), 0);

    let login = sb.entra(&["login"]);
    assert!(login.status.success(), "{}", text(&login.stderr));

    let out = complete(&sb, dir.path(), &["bind", "--group", "a"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        lines(&out),
        ["aks-admins", "appdev", ":4"],
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stderr), "");
    let out = complete(&sb, dir.path(), &["unbind", "-n", "sre", "--group=o"]);
    assert_eq!(
        lines(&out),
        ["--group=o'brien-team", "--group=opssre", ":4"]
    );
    // The quote goes to Graph doubled (the sandbox refuses a lone one).
    let out = complete(&sb, dir.path(), &["bind", "--group", "o'b"]);
    assert_eq!(lines(&out), ["o'brien-team", ":4"]);
    let out = complete(
        &sb,
        dir.path(),
        &[
            "can-i",
            "get",
            "pods",
            "--as",
            "x",
            "--as-entra-group",
            "OPS",
        ],
    );
    assert_eq!(lines(&out), ["opssre", ":4"]);
    assert_eq!(searches(), 4, "one Graph call per TAB");
    let out = complete(&sb, dir.path(), &["bind", "--no-graph", "--group", "a"]);
    assert_eq!(text(&out.stdout), ":4\n");

    // Signed out (a plain logout of the context's sign-in, not --all): the Graph token it
    // holds went too, so nothing again, quietly.
    let logout = sb.entra(&["logout"]);
    assert!(logout.status.success(), "{}", text(&logout.stderr));
    assert!(
        text(&logout.stderr).contains("1 other server"),
        "{}",
        text(&logout.stderr)
    );
    let out = complete(&sb, dir.path(), &["bind", "--group", "o"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), ":4\n");
    assert_eq!(text(&out.stderr), "");
    assert_eq!(searches(), 4);
}
