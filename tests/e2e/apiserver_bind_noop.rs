//! `kubectl entra bind` run twice against the sandbox: the second run changes nothing, so the
//! objects keep their resourceVersions (as on kube-apiserver), and the fields bind owns are
//! recorded for its field manager `kubectl-entra`.

use crate::support::sandbox::{Sandbox, bin};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(sb: &Sandbox, program: &str, kubeconfig: &str, args: &[&str]) -> Output {
    let bin_dir = Path::new(bin()).parent().expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(program)
        .args(args)
        .env("HOME", sb.dir.path())
        .env("KUBECACHEDIR", sb.dir.path().join("kcache"))
        .env("KUBECONFIG", kubeconfig)
        .env("KUBECTL_ENTRA_TOKEN_CACHE", "file")
        .env("AZURE_AUTHORITY_HOST", sb.s("authority_host"))
        .env("PATH", path)
        .env_remove("KUBECTL_ENTRA_GRAPH_ENDPOINT")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn bind_twice_keeps_resource_versions() {
    let sb = Sandbox::start(&["--auto-approve", "aksdev@contoso.com"]);
    let admin = sb.s("admin_kubeconfig");
    let (endpoint, tenant) = (sb.s("graph_endpoint"), sb.s("tenant_id"));
    let bind = [
        "bind",
        "--group",
        "appdev",
        "-n",
        "dev",
        "--create-namespace",
        "--graph-endpoint",
        &endpoint,
        "--graph-tenant-id",
        &tenant,
    ];
    let versions = || {
        let out = run(
            &sb,
            "kubectl",
            &admin,
            &[
                "get",
                "namespace/dev",
                "-n",
                "dev",
                "role/entra-full-access",
                "rolebinding/entra-appdev-full-access",
                "-o",
                "jsonpath={range .items[*]}{.kind}={.metadata.resourceVersion} {end}",
            ],
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&sb, bin(), &admin, &bind);
    let first = versions();
    assert_eq!(first.split_whitespace().count(), 3, "{first}");
    let again = run(&sb, bin(), &admin, &bind);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("unchanged"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(
        versions(),
        first,
        "a second identical bind changes no resourceVersion"
    );

    let out = run(
        &sb,
        "kubectl",
        &admin,
        &[
            "get",
            "rolebinding/entra-appdev-full-access",
            "-n",
            "dev",
            "-o",
            "json",
            "--show-managed-fields",
        ],
    );
    let rb: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mf = &rb["metadata"]["managedFields"][0];
    assert_eq!(mf["manager"], "kubectl-entra", "{rb}");
    assert_eq!(mf["operation"], "Apply");
    assert!(mf["fieldsV1"]["f:roleRef"].is_object(), "{mf}");
    assert!(mf["fieldsV1"]["f:subjects"].is_object(), "{mf}");
}
