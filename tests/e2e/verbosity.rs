//! `-v N` logs the same way in every command: the plugin's own events from -v 1, the
//! Kubernetes requests from -v 6 (as kubectl -v 6), on stderr, never a token.

use crate::support::can_i::{Sandbox, text};

#[test]
fn v6_shows_the_kubernetes_requests_and_no_token() {
    let sb = Sandbox::start("aksadmin@contoso.com", &[]);
    sb.admin(&["create", "namespace", "dev"]);
    let kubeconfig = std::fs::read_to_string(sb.admin_kubeconfig()).expect("admin kubeconfig");
    let config: serde_json::Value = serde_saphyr::from_str(&kubeconfig).expect("yaml");
    let token = config["users"][0]["user"]["token"]
        .as_str()
        .expect("admin token")
        .to_string();

    let quiet = sb.entra_admin(&["bindings", "-n", "dev", "--no-graph"]);
    assert!(quiet.status.success(), "{}", text(&quiet.stderr));
    assert!(
        !text(&quiet.stderr).contains("rolebindings"),
        "{}",
        text(&quiet.stderr)
    );

    for command in [
        &["bindings", "-n", "dev", "--no-graph", "-v", "6"][..],
        &["-v", "6", "can-i", "list", "pods", "-n", "dev"],
        &["whoami", "--no-graph", "--v=6"],
    ] {
        let out = sb.entra_admin(command);
        let err = text(&out.stderr);
        assert!(out.status.success(), "{command:?}: {err}");
        assert!(
            err.contains("/apis/"),
            "{command:?} logs its requests: {err}"
        );
        assert!(!err.contains(&token), "{command:?} logged the token");
    }
}
