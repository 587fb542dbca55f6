//! Commands a reader of the AKS article types next, with the real kubectl: each works as on a
//! real cluster or fails with the API server's own error.

use crate::support::apiserver as apiserver_support;
use apiserver_support::*;

fn setup() -> (Cluster, std::path::PathBuf, std::path::PathBuf) {
    require_kubectl();
    let c = start();
    let admin = c.kubeconfig("admin", ADMIN_TOKEN);
    for ns in ["dev", "sre"] {
        let r = c.kubectl(&admin, &["create", "namespace", ns]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let m = article_manifest(
        "dev",
        "dev-user-full-access",
        "dev-user-access",
        APPDEV_GROUP,
    );
    let r = c.kubectl_stdin(&admin, &["apply", "-f", "-"], Some(&m));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dev = c.kubeconfig("aksdev", &dev_token());
    (c, admin, dev)
}

#[test]
fn scale_a_deployment_through_the_scale_subresource() {
    let (c, _admin, dev) = setup();
    let r = c.kubectl(
        &dev,
        &["create", "deployment", "web", "--image=nginx", "-n", "dev"],
    );
    assert_eq!(
        r.stdout.trim(),
        "deployment.apps/web created",
        "{}",
        r.stderr
    );
    let r = c.kubectl(
        &dev,
        &["scale", "deploy", "web", "--replicas=3", "-n", "dev"],
    );
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, "deployment.apps/web scaled"),
        "{}",
        r.stderr
    );
    let r = c.kubectl(
        &dev,
        &[
            "get",
            "deploy",
            "web",
            "-n",
            "dev",
            "-o",
            "jsonpath={.spec.replicas}/{.metadata.generation}",
        ],
    );
    assert_eq!(r.stdout, "3/2", "{}", r.stderr);
    let r = c.kubectl(
        &dev,
        &[
            "get",
            "--raw",
            "/apis/apps/v1/namespaces/dev/deployments/web/scale",
        ],
    );
    let scale: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_default();
    assert_eq!(scale["kind"], "Scale", "{}", r.stdout);
    assert_eq!(scale["apiVersion"], "autoscaling/v1");
    assert_eq!(scale["spec"]["replicas"], 3);
    assert_eq!(scale["status"]["selector"], "app=web");
    // Preconditions are the client's; a stale one fails as on a real cluster.
    let r = c.kubectl(
        &dev,
        &[
            "scale",
            "deploy",
            "web",
            "--replicas=1",
            "--current-replicas=5",
            "-n",
            "dev",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Expected replicas to be 5, was 3"),
        "{}",
        r.stderr
    );
    // Negative replicas through the API: the Scale's validation error.
    let (code, body) = c.request(
        "PATCH",
        "/apis/apps/v1/namespaces/dev/deployments/web/scale",
        Some(ADMIN_TOKEN),
        Some("application/merge-patch+json"),
        Some(br#"{"spec":{"replicas":-1}}"#.to_vec()),
    );
    assert_eq!(code, 422, "{body}");
    assert_eq!(
        body["message"],
        "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    );
    // A deployment whose spec is not an object (nothing validates it) scales without a panic.
    let (code, _) = c.admin(
        "POST",
        "/apis/apps/v1/namespaces/dev/deployments",
        Some(serde_json::json!({"metadata": {"name": "odd"}, "spec": 5})),
    );
    assert_eq!(code, 201);
    let (code, body) = c.request(
        "PATCH",
        "/apis/apps/v1/namespaces/dev/deployments/odd/scale",
        Some(ADMIN_TOKEN),
        Some("application/merge-patch+json"),
        Some(br#"{"spec":{"replicas":2}}"#.to_vec()),
    );
    assert_eq!(
        (code, &body["spec"]["replicas"]),
        (200, &serde_json::json!(2)),
        "{body}"
    );
    // No scale in sre for aksdev.
    let r = c.kubectl(
        &dev,
        &["scale", "deploy", "web", "--replicas=1", "-n", "sre"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is forbidden"), "{}", r.stderr);
}

#[test]
fn wide_pods_and_workload_tables_have_the_real_columns() {
    let (c, _admin, dev) = setup();
    let r = c.kubectl(&dev, &["run", "nginx-dev", "--image=nginx", "-n", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = c.kubectl(&dev, &["get", "pods", "-o", "wide", "-n", "dev"]);
    let header: Vec<&str> = r
        .stdout
        .lines()
        .next()
        .unwrap_or_default()
        .split("  ")
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES"
        ],
        "{}",
        r.stdout
    );
    let r = c.kubectl(
        &dev,
        &["create", "job", "j1", "--image=busybox", "-n", "dev"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = c.kubectl(&dev, &["get", "jobs", "-n", "dev"]);
    let first = r.stdout.lines().next().unwrap_or_default().to_string();
    assert!(
        first
            .split_whitespace()
            .eq(["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("0/1"), "{}", r.stdout);
}

#[test]
fn a_new_namespace_has_its_default_service_account() {
    let (c, admin, dev) = setup();
    let r = c.kubectl(&dev, &["get", "sa", "-n", "dev", "-o", "name"]);
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, "serviceaccount/default"),
        "{}",
        r.stderr
    );
    let r = c.kubectl(
        &admin,
        &["get", "sa", "default", "-n", "default", "-o", "name"],
    );
    assert_eq!(r.stdout.trim(), "serviceaccount/default", "{}", r.stderr);
    // A dry-run namespace leaves nothing behind.
    let r = c.kubectl(&admin, &["create", "ns", "tmp", "--dry-run=server"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, _) = c.admin(
        "GET",
        "/api/v1/namespaces/tmp/serviceaccounts/default",
        None,
    );
    assert_eq!(code, 404);
    // Deleting the namespace takes it along.
    let r = c.kubectl(&admin, &["delete", "ns", "sre"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, _) = c.admin(
        "GET",
        "/api/v1/namespaces/sre/serviceaccounts/default",
        None,
    );
    assert_eq!(code, 404);
}

#[test]
fn oversized_bodies_get_the_real_servers_413_wording() {
    let c = start();
    let (code, body) = c.request(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        Some(ADMIN_TOKEN),
        Some("application/json"),
        Some(vec![b' '; 3 * 1024 * 1024 + 1]),
    );
    assert_eq!(code, 413);
    assert_eq!(
        body["message"],
        "Request entity too large: limit is 3145728"
    );
}

#[test]
fn a_forbidden_request_carries_rbacs_reason_when_a_role_is_missing() {
    let (c, admin, dev) = setup();
    // A binding for appdev in sre to a ClusterRole that does not exist.
    let m = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: dangling\n  namespace: sre\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: no-such-role\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: {APPDEV_GROUP}\n"
    );
    let r = c.kubectl_stdin(&admin, &["apply", "-f", "-"], Some(&m));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = c.kubectl(&dev, &["get", "pods", "-n", "sre"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "pods is forbidden: User \"aksdev@contoso.com\" cannot list resource \"pods\" in API group \"\" in the namespace \"sre\": RBAC: clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found"
        ),
        "{}",
        r.stderr
    );
}
