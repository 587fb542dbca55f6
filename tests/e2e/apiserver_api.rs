//! The API surface over HTTP: Status errors, CRUD semantics, dry runs, patches, server-side
//! apply, persistence, namespace cascade, escalation prevention, reviews and counters.

use crate::support::apiserver as apiserver_support;
use apiserver_support::*;
use serde_json::json;

fn ns(name: &str) -> serde_json::Value {
    json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name": name}})
}

fn pod(name: &str) -> serde_json::Value {
    json!({"apiVersion":"v1","kind":"Pod","metadata":{"name": name, "labels": {"app": name}},
           "spec":{"containers":[{"name":"c","image":"nginx"}]}})
}

#[test]
fn status_errors() {
    let c = start();
    let (code, body) = c.admin("POST", "/api/v1/namespaces", Some(ns("Bad_Name")));
    assert_eq!(code, 422, "{body}");
    assert_eq!(body["reason"], "Invalid");
    assert_eq!(
        body["message"],
        "Namespace \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    );

    let (code, body) = c.admin("POST", "/api/v1/namespaces/nope/pods", Some(pod("x")));
    assert_eq!(
        (code, body["message"].as_str()),
        (404, Some("namespaces \"nope\" not found"))
    );

    assert_eq!(
        c.admin("POST", "/api/v1/namespaces", Some(ns("dev"))).0,
        201
    );
    assert_eq!(
        c.admin(
            "POST",
            "/api/v1/namespaces/dev/pods",
            Some(pod("nginx-dev"))
        )
        .0,
        201
    );
    let (code, body) = c.admin(
        "POST",
        "/api/v1/namespaces/dev/pods",
        Some(pod("nginx-dev")),
    );
    assert_eq!(
        (code, body["reason"].as_str()),
        (409, Some("AlreadyExists"))
    );
    assert_eq!(body["message"], "pods \"nginx-dev\" already exists");

    let (code, body) = c.admin("GET", "/api/v1/namespaces/dev/pods/x", None);
    assert_eq!(
        (code, body["message"].as_str()),
        (404, Some("pods \"x\" not found"))
    );
    assert_eq!(body["details"], json!({"name":"x","kind":"pods"}));

    let (code, body) = c.admin("GET", "/api/v1/namespaces/dev/widgets", None);
    assert_eq!((code, body["reason"].as_str()), (404, Some("NotFound")));
    assert_eq!(c.admin("GET", "/apis/nope.example.com/v1", None).0, 404);

    let (code, body) = c.request(
        "POST",
        "/api/v1/namespaces/dev/configmaps",
        Some(ADMIN_TOKEN),
        Some("application/json"),
        Some(b"{not json".to_vec()),
    );
    assert_eq!((code, body["reason"].as_str()), (400, Some("BadRequest")));
    let (code, _) = c.request(
        "POST",
        "/api/v1/namespaces/dev/configmaps",
        Some(ADMIN_TOKEN),
        Some("application/yaml"),
        Some(b"a: [unclosed".to_vec()),
    );
    assert_eq!(code, 400);

    let big = vec![b' '; 3 * 1024 * 1024 + 10];
    let (code, body) = c.request(
        "POST",
        "/api/v1/namespaces/dev/configmaps",
        Some(ADMIN_TOKEN),
        Some("application/json"),
        Some(big),
    );
    assert_eq!(
        (code, body["reason"].as_str()),
        (413, Some("RequestEntityTooLarge"))
    );

    // Update with a stale resourceVersion.
    let (_, cur) = c.admin("GET", "/api/v1/namespaces/dev/pods/nginx-dev", None);
    let mut stale = cur.clone();
    stale["metadata"]["resourceVersion"] = json!("1");
    let (code, body) = c.admin("PUT", "/api/v1/namespaces/dev/pods/nginx-dev", Some(stale));
    assert_eq!((code, body["reason"].as_str()), (409, Some("Conflict")));
    let mut fresh = cur.clone();
    fresh["metadata"]["labels"]["tier"] = json!("web");
    let (code, body) = c.admin("PUT", "/api/v1/namespaces/dev/pods/nginx-dev", Some(fresh));
    assert_eq!(code, 200, "{body}");
    assert_ne!(
        body["metadata"]["resourceVersion"],
        cur["metadata"]["resourceVersion"]
    );
    // The server survived all of it.
    assert_eq!(c.admin("GET", "/version", None).0, 200);
}

#[test]
fn objects_get_server_fields_and_selectors_work() {
    let c = start();
    let (_, n) = c.admin("POST", "/api/v1/namespaces", Some(ns("dev")));
    assert_eq!(n["status"]["phase"], "Active");
    let (code, p) = c.admin("POST", "/api/v1/namespaces/dev/pods", Some(pod("web")));
    assert_eq!(code, 201);
    assert!(p["metadata"]["uid"].is_string());
    assert!(p["metadata"]["creationTimestamp"].is_string());
    assert!(p["metadata"]["resourceVersion"].is_string());
    assert_eq!(p["metadata"]["generation"], 1);
    assert_eq!(p["status"]["phase"], "Pending");
    let mut gen_pod = pod("ignored");
    gen_pod["metadata"] = json!({"generateName": "job-"});
    let (code, g) = c.admin("POST", "/api/v1/namespaces/dev/pods", Some(gen_pod));
    assert_eq!(code, 201);
    assert!(
        g["metadata"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("job-") && n.len() == 9)
    );

    let (_, l) = c.admin(
        "GET",
        "/api/v1/namespaces/dev/pods?labelSelector=app%3Dweb",
        None,
    );
    assert_eq!(l["kind"], "PodList");
    assert_eq!(l["items"].as_array().map(|a| a.len()), Some(1));
    let (_, l) = c.admin(
        "GET",
        "/api/v1/pods?fieldSelector=metadata.name%3Dweb",
        None,
    );
    assert_eq!(l["items"].as_array().map(|a| a.len()), Some(1));
    let (_, l) = c.admin(
        "GET",
        "/api/v1/namespaces/dev/pods?labelSelector=app%21%3Dweb",
        None,
    );
    assert_eq!(l["items"].as_array().map(|a| a.len()), Some(1));
    assert_eq!(
        c.admin("GET", "/api/v1/pods?fieldSelector=spec.bogus%3Dx", None)
            .0,
        400
    );

    // Table for kubectl get.
    let (code, t) = c.request(
        "GET",
        "/api/v1/namespaces/dev/pods",
        Some(ADMIN_TOKEN),
        None,
        None,
    );
    assert_eq!(code, 200);
    assert_eq!(t["kind"], "PodList");
    let client = c.client();
    let url = format!("{}/api/v1/namespaces/dev/pods/web", c.url);
    let t: serde_json::Value = c.rt.block_on(async {
        client
            .get(url)
            .bearer_auth(ADMIN_TOKEN)
            .header(
                "Accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            )
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    });
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["rows"][0]["cells"][2], "Pending");
}

#[test]
fn patches_apply_and_dry_run() {
    let c = start();
    c.admin("POST", "/api/v1/namespaces", Some(ns("dev")));
    // dryRun create does not store.
    let (code, _) = c.admin(
        "POST",
        "/api/v1/namespaces/dev/configmaps?dryRun=All",
        Some(json!({"metadata":{"name":"cm"},"data":{"a":"1"}})),
    );
    assert_eq!(code, 201);
    assert_eq!(
        c.admin("GET", "/api/v1/namespaces/dev/configmaps/cm", None)
            .0,
        404
    );
    assert_eq!(
        c.admin(
            "POST",
            "/api/v1/namespaces/dev/configmaps",
            Some(json!({"metadata":{"name":"cm"},"data":{"a":"1"}}))
        )
        .0,
        201
    );

    let patch = |ct: &str, body: &str, q: &str| {
        c.request(
            "PATCH",
            &format!("/api/v1/namespaces/dev/configmaps/cm{q}"),
            Some(ADMIN_TOKEN),
            Some(ct),
            Some(body.as_bytes().to_vec()),
        )
    };
    let (code, b) = patch(
        "application/merge-patch+json",
        r#"{"data":{"a":null,"b":"2"}}"#,
        "",
    );
    assert_eq!(code, 200, "{b}");
    assert_eq!(b["data"], json!({"b":"2"}));
    let (_, b) = patch(
        "application/strategic-merge-patch+json",
        r#"{"metadata":{"labels":{"x":"y"}}}"#,
        "",
    );
    assert_eq!(b["metadata"]["labels"]["x"], "y");
    let (_, b) = patch(
        "application/json-patch+json",
        r#"[{"op":"add","path":"/data/c","value":"3"}]"#,
        "",
    );
    assert_eq!(b["data"]["c"], "3");
    let (code, _) = patch(
        "application/merge-patch+json",
        r#"{"data":{"z":"9"}}"#,
        "?dryRun=All",
    );
    assert_eq!(code, 200);
    let (_, cur) = c.admin("GET", "/api/v1/namespaces/dev/configmaps/cm", None);
    assert!(cur["data"].get("z").is_none());

    // Server-side apply creates, then merges, with a field manager.
    let applied = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: dev\ndata:\n  k: v\n";
    let (code, b) = c.request(
        "PATCH",
        "/api/v1/namespaces/dev/configmaps/ssa?fieldManager=tester&force=true",
        Some(ADMIN_TOKEN),
        Some("application/apply-patch+yaml"),
        Some(applied.as_bytes().to_vec()),
    );
    assert_eq!(code, 201, "{b}");
    assert_eq!(b["metadata"]["managedFields"][0]["manager"], "tester");
    assert_eq!(b["metadata"]["managedFields"][0]["operation"], "Apply");
    let (code, b) = c.request(
        "PATCH",
        "/api/v1/namespaces/dev/configmaps/ssa?fieldManager=tester",
        Some(ADMIN_TOKEN),
        Some("application/apply-patch+yaml"),
        Some(applied.replace("k: v", "k: w").into_bytes()),
    );
    assert_eq!((code, b["data"]["k"].as_str()), (200, Some("w")));
    let (code, _) = c.request(
        "PATCH",
        "/api/v1/namespaces/dev/configmaps/ssa",
        Some(ADMIN_TOKEN),
        Some("application/apply-patch+yaml"),
        Some(applied.as_bytes().to_vec()),
    );
    assert_eq!(code, 400, "fieldManager is required");

    // dryRun delete keeps the object.
    assert_eq!(
        c.admin(
            "DELETE",
            "/api/v1/namespaces/dev/configmaps/cm?dryRun=All",
            None
        )
        .0,
        200
    );
    assert_eq!(
        c.admin("GET", "/api/v1/namespaces/dev/configmaps/cm", None)
            .0,
        200
    );
    assert_eq!(
        c.admin("DELETE", "/api/v1/namespaces/dev/configmaps/cm", None)
            .0,
        200
    );
    assert_eq!(
        c.admin("GET", "/api/v1/namespaces/dev/configmaps/cm", None)
            .0,
        404
    );
}

#[test]
fn namespace_delete_cascades_and_state_persists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_path_buf();
    let c = start_in(dir);
    c.admin("POST", "/api/v1/namespaces", Some(ns("dev")));
    c.admin("POST", "/api/v1/namespaces", Some(ns("keep")));
    c.admin("POST", "/api/v1/namespaces/dev/pods", Some(pod("a")));
    c.admin("POST", "/api/v1/namespaces/keep/pods", Some(pod("b")));
    let (_, before) = c.admin("GET", "/api/v1/namespaces/keep/pods/b", None);
    let ca = c.ca_pem.clone();
    let Cluster { rt, dir, .. } = c;
    drop(rt);

    let c = start_in(dir);
    assert_eq!(c.ca_pem, ca, "the CA is kept across restarts");
    assert_eq!(c.dir.path(), path.as_path());
    let (code, after) = c.admin("GET", "/api/v1/namespaces/keep/pods/b", None);
    assert_eq!(code, 200);
    assert_eq!(after["metadata"]["uid"], before["metadata"]["uid"]);
    let meta = std::fs::metadata(path.join("apiserver/objects.json")).expect("objects.json");
    assert!(meta.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let key = std::fs::metadata(path.join("apiserver/server.key")).expect("key");
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }

    let (code, body) = c.admin("DELETE", "/api/v1/namespaces/dev", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(c.admin("GET", "/api/v1/namespaces/dev/pods/a", None).0, 404);
    assert_eq!(
        c.admin("GET", "/api/v1/namespaces/keep/pods/b", None).0,
        200
    );
    let (code, body) = c.admin("DELETE", "/api/v1/namespaces/default", None);
    assert_eq!((code, body["reason"].as_str()), (403, Some("Forbidden")));
}

#[test]
fn rbac_forbidden_escalation_and_reviews() {
    let c = start();
    let dev = dev_token();
    c.admin("POST", "/api/v1/namespaces", Some(ns("dev")));
    c.admin("POST", "/api/v1/namespaces", Some(ns("sre")));
    // The dev group may manage pods and roles in dev but holds nothing else.
    let role = json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"dev-user-full-access"},
        "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["*"]},
                 {"apiGroups":["rbac.authorization.k8s.io"],"resources":["roles","rolebindings"],"verbs":["create","get"]}]});
    assert_eq!(
        c.admin(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles",
            Some(role)
        )
        .0,
        201
    );
    let binding = json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"dev-user-access"},
        "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"dev-user-full-access"},
        "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":APPDEV_GROUP}]});
    assert_eq!(
        c.admin(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings",
            Some(binding)
        )
        .0,
        201
    );

    let as_dev = |m: &str, p: &str, b: Option<serde_json::Value>| {
        c.request(
            m,
            p,
            Some(&dev),
            Some("application/json"),
            b.map(|b| serde_json::to_vec(&b).unwrap_or_default()),
        )
    };
    let (code, body) = as_dev("GET", "/api/v1/namespaces/sre/pods/x", None);
    assert_eq!(code, 403);
    assert_eq!(
        body["message"],
        "pods \"x\" is forbidden: User \"aksdev@contoso.com\" cannot get resource \"pods\" in API group \"\" in the namespace \"sre\""
    );
    assert_eq!(body["details"], json!({"name":"x","kind":"pods"}));
    let (code, body) = as_dev("GET", "/foo", None);
    assert_eq!(
        (code, body["message"].as_str()),
        (
            403,
            Some("forbidden: User \"aksdev@contoso.com\" cannot get path \"/foo\"")
        )
    );
    assert_eq!(
        as_dev("GET", "/apis", None).0,
        200,
        "discovery is open to authenticated users"
    );

    // Escalation: a role granting secrets, which the user does not hold.
    let greedy = json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"greedy"},
        "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]});
    let (code, body) = as_dev(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles",
        Some(greedy),
    );
    assert_eq!(code, 403, "{body}");
    let msg = body["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("roles.rbac.authorization.k8s.io \"greedy\" is forbidden: user \"aksdev@contoso.com\" (groups=["), "{msg}");
    assert!(msg.contains("is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}"), "{msg}");
    // A role within the user's own rights is fine.
    let modest = json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"modest"},
        "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]});
    assert_eq!(
        as_dev(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles",
            Some(modest)
        )
        .0,
        201
    );
    // Binding cluster-admin is escalation.
    let bind_admin = json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"sneaky"},
        "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},
        "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"aksdev@contoso.com"}]});
    let (code, body) = as_dev(
        "POST",
        "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings",
        Some(bind_admin),
    );
    assert_eq!(code, 403, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.starts_with("rolebindings.rbac.authorization.k8s.io \"sneaky\" is forbidden: user \"aksdev@contoso.com\"")));

    // Reviews.
    let ssar = |ns: &str| {
        json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
            "spec":{"resourceAttributes":{"namespace":ns,"verb":"create","resource":"pods"}}})
    };
    let (code, body) = as_dev(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        Some(ssar("dev")),
    );
    assert_eq!(code, 201);
    assert_eq!(body["status"]["allowed"], true);
    assert_eq!(
        body["status"]["reason"],
        format!(
            "RBAC: allowed by RoleBinding \"dev-user-access/dev\" of Role \"dev-user-full-access\" to Group \"{APPDEV_GROUP}\""
        )
    );
    let (_, body) = as_dev(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        Some(ssar("sre")),
    );
    assert_eq!(body["status"]["allowed"], false);
    let nr = json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"nonResourceAttributes":{"path":"/version","verb":"get"}}});
    let (_, body) = as_dev(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        Some(nr),
    );
    assert_eq!(body["status"]["allowed"], true);
    let (code, body) = as_dev(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        Some(
            json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{}}),
        ),
    );
    assert_eq!(
        (code, body["message"].as_str()),
        (400, Some("no namespace on request"))
    );
    let (code, body) = as_dev(
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        Some(
            json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"dev"}}),
        ),
    );
    assert_eq!(code, 201);
    assert_eq!(body["status"]["incomplete"], false);
    assert!(
        body["status"]["resourceRules"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["resources"] == json!(["pods"])))
    );

    assert_eq!(c.stats.get("api", "create selfsubjectaccessreviews"), 3);
    assert_eq!(c.stats.get("api", "create selfsubjectrulesreviews"), 2);
    assert_eq!(c.stats.get("api", "get pods"), 1);
}

#[test]
fn aggregated_cluster_roles_are_seeded() {
    let c = start();
    let (code, admin) = c.admin(
        "GET",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin",
        None,
    );
    assert_eq!(code, 200);
    let rules = admin["rules"].as_array().cloned().unwrap_or_default();
    // admin aggregates edit, which aggregates view.
    assert!(rules.iter().any(|r| {
        r["resources"]
            .as_array()
            .is_some_and(|x| x.contains(&json!("rolebindings")))
    }));
    assert!(rules.iter().any(|r| {
        r["resources"]
            .as_array()
            .is_some_and(|x| x.contains(&json!("pods/log")))
    }));
    let (_, view) = c.admin(
        "GET",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/view",
        None,
    );
    assert!(!view["rules"].as_array().is_some_and(|r| r.iter().any(|r| {
        r["verbs"]
            .as_array()
            .is_some_and(|v| v.contains(&json!("create")))
    })));
    // A new aggregate-to-view role flows into view.
    let extra = json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
        "metadata":{"name":"widgets-view","labels":{"rbac.authorization.k8s.io/aggregate-to-view":"true"}},
        "rules":[{"apiGroups":["example.com"],"resources":["widgets"],"verbs":["get"]}]});
    assert_eq!(
        c.admin(
            "POST",
            "/apis/rbac.authorization.k8s.io/v1/clusterroles",
            Some(extra)
        )
        .0,
        201
    );
    let (_, view) = c.admin(
        "GET",
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/view",
        None,
    );
    assert!(
        view["rules"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["resources"] == json!(["widgets"])))
    );
}

#[test]
fn watch_streams_current_then_changes() {
    let c = start();
    c.admin("POST", "/api/v1/namespaces", Some(ns("dev")));
    c.admin("POST", "/api/v1/namespaces/dev/pods", Some(pod("a")));
    let client = c.client();
    let url = format!(
        "{}/api/v1/namespaces/dev/pods?watch=true&timeoutSeconds=20",
        c.url
    );
    let mut resp =
        c.rt.block_on(client.get(url).bearer_auth(ADMIN_TOKEN).send())
            .expect("watch");
    assert_eq!(resp.status().as_u16(), 200);
    let mut buf = String::new();
    let mut next_event = |resp: &mut reqwest::Response| -> serde_json::Value {
        loop {
            if let Some(i) = buf.find('\n') {
                let line: String = buf.drain(..=i).collect();
                return serde_json::from_str(&line).expect("event json");
            }
            let chunk =
                c.rt.block_on(resp.chunk())
                    .expect("chunk")
                    .expect("stream open");
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    let ev = next_event(&mut resp);
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("ADDED"), Some("a"))
    );
    c.admin("POST", "/api/v1/namespaces/dev/pods", Some(pod("b")));
    let ev = next_event(&mut resp);
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("ADDED"), Some("b"))
    );
    c.admin("DELETE", "/api/v1/namespaces/dev/pods/b", None);
    let ev = next_event(&mut resp);
    assert_eq!(
        (
            ev["type"].as_str(),
            ev["object"]["metadata"]["name"].as_str()
        ),
        (Some("DELETED"), Some("b"))
    );
    assert_eq!(c.stats.get("api", "watch pods"), 1);
}
