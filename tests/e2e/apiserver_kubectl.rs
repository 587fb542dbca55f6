//! The AKS article end to end with the real kubectl against the API stand-in.

use crate::support::apiserver as apiserver_support;
use apiserver_support::*;

#[test]
fn article_walkthrough_with_kubectl() {
    require_kubectl();
    let c = start();
    let admin = c.kubeconfig("admin", ADMIN_TOKEN);
    let dev = c.kubeconfig("aksdev", &dev_token());

    let r = c.kubectl(&admin, &["create", "namespace", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "namespace/dev created");
    let r = c.kubectl(&admin, &["create", "namespace", "sre"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let manifest = article_manifest(
        "dev",
        "dev-user-full-access",
        "dev-user-access",
        APPDEV_GROUP,
    );
    let r = c.kubectl_stdin(&admin, &["apply", "-f", "-"], Some(&manifest));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("role.rbac.authorization.k8s.io/dev-user-full-access created"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("rolebinding.rbac.authorization.k8s.io/dev-user-access created"),
        "{}",
        r.stdout
    );

    let r = c.kubectl(
        &dev,
        &[
            "run",
            "nginx-dev",
            "--image=mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine",
            "--namespace",
            "dev",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "pod/nginx-dev created");

    let r = c.kubectl(&dev, &["get", "pods", "--namespace", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0]
            .split_whitespace()
            .eq(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]),
        "{}",
        r.stdout
    );
    assert!(lines[1].starts_with("nginx-dev"), "{}", r.stdout);
    assert!(
        lines[1].contains("0/1") && lines[1].contains("Pending"),
        "{}",
        r.stdout
    );

    let r = c.kubectl(&dev, &["get", "pods", "--all-namespaces"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "Error from server (Forbidden): pods is forbidden: User \"aksdev@contoso.com\" cannot list resource \"pods\" in API group \"\" at the cluster scope"
        ),
        "{}",
        r.stderr
    );

    let r = c.kubectl(
        &dev,
        &[
            "run",
            "nginx-sre",
            "--image=mcr.microsoft.com/oss/nginx/nginx:1.15.5-alpine",
            "--namespace",
            "sre",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "pods is forbidden: User \"aksdev@contoso.com\" cannot create resource \"pods\" in API group \"\" in the namespace \"sre\""
        ),
        "{}",
        r.stderr
    );

    let r = c.kubectl(&dev, &["auth", "whoami"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("aksdev@contoso.com"), "{}", r.stdout);
    assert!(r.stdout.contains(APPDEV_GROUP), "{}", r.stdout);
    assert!(r.stdout.contains("system:authenticated"), "{}", r.stdout);

    let r = c.kubectl(&dev, &["auth", "can-i", "create", "pods", "-n", "dev"]);
    assert_eq!((r.code, r.stdout.trim()), (0, "yes"), "{}", r.stderr);
    let r = c.kubectl(&dev, &["auth", "can-i", "create", "pods", "-n", "sre"]);
    assert_eq!((r.code, r.stdout.trim()), (1, "no"), "{}", r.stderr);

    let r = c.kubectl(&dev, &["auth", "can-i", "--list", "-n", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("selfsubjectaccessreviews.authorization.k8s.io"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("*.apps") || l.starts_with("*  ")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("jobs.batch"), "{}", r.stdout);

    // The admin sees everything, with a NAMESPACE column.
    let r = c.kubectl(&admin, &["get", "pods", "-A"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("NAMESPACE"), "{}", r.stdout);
    let r = c.kubectl(&admin, &["get", "rolebindings", "-n", "dev"]);
    assert!(
        r.stdout.contains("Role/dev-user-full-access"),
        "{}",
        r.stdout
    );
    let r = c.kubectl(&admin, &["get", "ns"]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("dev ") && l.contains("Active")),
        "{}",
        r.stdout
    );

    assert!(c.stats.get("api", "create pods") >= 1);
    assert!(c.stats.get("api", "create selfsubjectaccessreviews") >= 2);
    assert!(c.stats.get("api", "list pods") >= 2);
}
