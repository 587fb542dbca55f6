//! Writes as kube-apiserver answers them: a no-op apply, update or patch keeps the
//! resourceVersion and is not persisted; generation only where the real registry keeps one;
//! server-side apply owns fields per manager and refuses to change another manager's fields
//! with the real 409 Status (kubectl prints it), unless forced.

use crate::support::apiserver as apiserver_support;
use apiserver_support::*;
use serde_json::{Value, json};

const RB_PATH: &str = "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/entra-appdev";

fn binding_yaml(group: &str, role: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: entra-appdev\n  namespace: dev\n  labels:\n    app.kubernetes.io/managed-by: kubectl-entra\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {role}\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: {group}\n"
    )
}

fn apply(c: &Cluster, path: &str, manager: &str, force: bool, yaml: &str) -> (u16, Value) {
    let force = if force { "&force=true" } else { "" };
    c.request(
        "PATCH",
        &format!("{path}?fieldManager={manager}{force}"),
        Some(ADMIN_TOKEN),
        Some("application/apply-patch+yaml"),
        Some(yaml.as_bytes().to_vec()),
    )
}

fn patch(c: &Cluster, path: &str, content_type: &str, body: &str) -> (u16, Value) {
    c.request(
        "PATCH",
        path,
        Some(ADMIN_TOKEN),
        Some(content_type),
        Some(body.as_bytes().to_vec()),
    )
}

fn rv(obj: &Value) -> String {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_else(|| panic!("no resourceVersion: {obj}"))
        .to_string()
}

fn journal_lines(c: &Cluster) -> usize {
    std::fs::read_to_string(c.dir.path().join("apiserver/journal.jsonl"))
        .expect("journal")
        .lines()
        .count()
}

fn dev_namespace(c: &Cluster) {
    let (code, body) = c.admin(
        "POST",
        "/api/v1/namespaces",
        Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})),
    );
    assert_eq!(code, 201, "{body}");
}

#[test]
fn no_op_writes_keep_the_resource_version_and_are_not_persisted() {
    let c = start();
    dev_namespace(&c);
    let (code, created) = apply(
        &c,
        RB_PATH,
        "kubectl-entra",
        false,
        &binding_yaml("g1", "view"),
    );
    assert_eq!(code, 201, "{created}");
    let first = rv(&created);
    assert!(
        created["metadata"].get("generation").is_none(),
        "RBAC objects have no generation: {created}"
    );
    let lines = journal_lines(&c);

    // The same apply again: 200, the stored object, same resourceVersion, nothing written.
    let (code, again) = apply(
        &c,
        RB_PATH,
        "kubectl-entra",
        false,
        &binding_yaml("g1", "view"),
    );
    assert_eq!(code, 200, "{again}");
    assert_eq!(rv(&again), first);
    assert_eq!(
        again, created,
        "the stored object, managedFields time included"
    );
    // An update (PUT) of what was read, and patches that change nothing.
    let (_, got) = c.admin("GET", RB_PATH, None);
    let (code, put) = c.admin("PUT", RB_PATH, Some(got.clone()));
    assert_eq!((code, rv(&put)), (200, first.clone()), "{put}");
    let mut without_mf = got.clone();
    without_mf["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("managedFields");
    let (code, put) = c.admin("PUT", RB_PATH, Some(without_mf));
    assert_eq!((code, rv(&put)), (200, first.clone()), "{put}");
    assert_eq!(
        put["metadata"]["managedFields"],
        created["metadata"]["managedFields"]
    );
    for (ct, body) in [
        (
            "application/merge-patch+json",
            r#"{"metadata":{"labels":{"app.kubernetes.io/managed-by":"kubectl-entra"}}}"#,
        ),
        (
            "application/strategic-merge-patch+json",
            r#"{"roleRef":{"name":"view"}}"#,
        ),
        (
            "application/json-patch+json",
            r#"[{"op":"test","path":"/roleRef/name","value":"view"}]"#,
        ),
    ] {
        let (code, p) = patch(
            &c,
            &format!("{RB_PATH}?fieldManager=kubectl-edit"),
            ct,
            body,
        );
        assert_eq!((code, rv(&p)), (200, first.clone()), "{ct}: {p}");
    }
    assert_eq!(journal_lines(&c), lines, "no-op writes are not persisted");
    let (_, got) = c.admin("GET", RB_PATH, None);
    assert_eq!(rv(&got), first);

    // A real change bumps the resourceVersion (no generation on RBAC objects) and is persisted.
    let (code, changed) = apply(
        &c,
        RB_PATH,
        "kubectl-entra",
        false,
        &binding_yaml("g2", "view"),
    );
    assert_eq!(code, 200, "{changed}");
    assert_ne!(rv(&changed), first);
    assert!(changed["metadata"].get("generation").is_none());
    assert_eq!(journal_lines(&c), lines + 1);

    // A workload: generation follows spec changes only.
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "dev"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let (code, d) = c.admin(
        "POST",
        "/apis/apps/v1/namespaces/dev/deployments",
        Some(deploy),
    );
    assert_eq!(
        (code, &d["metadata"]["generation"]),
        (201, &json!(1)),
        "{d}"
    );
    let dpath = "/apis/apps/v1/namespaces/dev/deployments/web";
    let (_, labelled) = patch(
        &c,
        dpath,
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"tier":"front"}}}"#,
    );
    assert_ne!(rv(&labelled), rv(&d));
    assert_eq!(labelled["metadata"]["generation"], 1, "{labelled}");
    let (_, scaled) = patch(
        &c,
        dpath,
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    );
    assert_eq!(scaled["metadata"]["generation"], 2, "{scaled}");
}

#[test]
fn apply_conflicts_are_the_real_status_and_force_takes_ownership() {
    let c = start();
    dev_namespace(&c);
    let (code, created) = apply(
        &c,
        RB_PATH,
        "kubectl-entra",
        false,
        &binding_yaml("g1", "view"),
    );
    assert_eq!(code, 201, "{created}");
    let mf = &created["metadata"]["managedFields"];
    assert_eq!(mf.as_array().map(Vec::len), Some(1), "{mf}");
    assert_eq!(mf[0]["manager"], "kubectl-entra");
    assert_eq!(mf[0]["operation"], "Apply");
    assert_eq!(mf[0]["apiVersion"], "rbac.authorization.k8s.io/v1");
    assert_eq!(mf[0]["fieldsType"], "FieldsV1");
    assert!(mf[0]["time"].is_string());
    assert_eq!(
        mf[0]["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:app.kubernetes.io/managed-by": {}}},
               "f:roleRef": {}, "f:subjects": {}})
    );

    // Another manager applying the same values shares them: no conflict.
    let (code, shared) = apply(&c, RB_PATH, "other", false, &binding_yaml("g1", "view"));
    assert_eq!(code, 200, "{shared}");

    // ... but changing one is refused with the real Status.
    let (code, status) = apply(&c, RB_PATH, "other", false, &binding_yaml("g1", "edit"));
    assert_eq!(code, 409, "{status}");
    assert_eq!(
        status,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Apply failed with 1 conflict: conflict with \"kubectl-entra\": .roleRef",
            "reason": "Conflict",
            "details": {"causes": [{"reason": "FieldManagerConflict",
                "message": "conflict with \"kubectl-entra\"", "field": ".roleRef"}]},
            "code": 409})
    );
    let (code, status) = apply(&c, RB_PATH, "other", false, &binding_yaml("g2", "edit"));
    assert_eq!(code, 409);
    assert_eq!(
        status["message"],
        "Apply failed with 2 conflicts: conflicts with \"kubectl-entra\":\n- .roleRef\n- .subjects"
    );

    // Forced: the subjects change hands.
    let (code, forced) = apply(&c, RB_PATH, "other", true, &binding_yaml("g2", "view"));
    assert_eq!(code, 200, "{forced}");
    assert_eq!(forced["subjects"][0]["name"], "g2");
    let owners = |obj: &Value, field: &str| -> Vec<String> {
        obj["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["fieldsV1"].get(field).is_some())
            .map(|e| e["manager"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(owners(&forced, "f:subjects"), ["other"]);
    assert_eq!(owners(&forced, "f:roleRef"), ["kubectl-entra", "other"]);
    // Now kubectl-entra's apply conflicts with "other".
    let (code, status) = apply(
        &c,
        RB_PATH,
        "kubectl-entra",
        false,
        &binding_yaml("g1", "view"),
    );
    assert_eq!(code, 409);
    assert_eq!(
        status["message"],
        "Apply failed with 1 conflict: conflict with \"other\": .subjects"
    );

    // Namespace labels: an Update (kubectl label) takes the label; an apply then conflicts
    // with it, naming the updater's apiVersion as kube-apiserver does.
    let ns_yaml =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n  labels:\n    team: a\n";
    let (code, _) = apply(
        &c,
        "/api/v1/namespaces/team",
        "kubectl-entra",
        false,
        ns_yaml,
    );
    assert_eq!(code, 201);
    let (code, labelled) = patch(
        &c,
        "/api/v1/namespaces/team?fieldManager=kubectl-label",
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"team":"b"}}}"#,
    );
    assert_eq!(code, 200, "{labelled}");
    let label_entry = labelled["metadata"]["managedFields"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["manager"] == "kubectl-label"))
        .cloned()
        .expect("kubectl-label entry");
    assert_eq!(label_entry["operation"], "Update");
    assert_eq!(
        label_entry["fieldsV1"],
        json!({"f:metadata": {"f:labels": {"f:team": {}}}})
    );
    let (code, status) = apply(
        &c,
        "/api/v1/namespaces/team",
        "kubectl-entra",
        false,
        ns_yaml,
    );
    assert_eq!(code, 409, "{status}");
    assert_eq!(
        status["message"],
        "Apply failed with 1 conflict: conflict with \"kubectl-label\" using v1: .metadata.labels.team"
    );
}

#[test]
fn kubectl_prints_apply_conflicts_and_force_conflicts_resolves_them() {
    require_kubectl();
    let c = start();
    dev_namespace(&c);
    let admin = c.kubeconfig("admin", ADMIN_TOKEN);
    let r = c.kubectl_stdin(
        &admin,
        &[
            "apply",
            "--server-side",
            "--field-manager=kubectl-entra",
            "-f",
            "-",
        ],
        Some(&binding_yaml("g1", "view")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = c.kubectl_stdin(
        &admin,
        &["apply", "--server-side", "-f", "-"],
        Some(&binding_yaml("g2", "view")),
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("Apply failed with 1 conflict: conflict with \"kubectl-entra\": .subjects"),
        "{}",
        r.stderr
    );
    let r = c.kubectl_stdin(
        &admin,
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        Some(&binding_yaml("g2", "view")),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("serverside-applied"), "{}", r.stdout);
    let r = c.kubectl(
        &admin,
        &[
            "get",
            "rolebinding",
            "-n",
            "dev",
            "entra-appdev",
            "-o",
            "jsonpath={.subjects[0].name}",
        ],
    );
    assert_eq!(r.stdout, "g2");
}
