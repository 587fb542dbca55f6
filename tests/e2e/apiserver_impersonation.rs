//! Impersonation (`kubectl --as/--as-group`, `Impersonate-*` headers) against the API stand-in,
//! checked like kube-apiserver's impersonation filter: the requester needs the `impersonate`
//! verb on each part, and everything afterwards is answered for the impersonated user.

use crate::support::apiserver as apiserver_support;
use crate::support::can_i as can_i_support;

use apiserver_support::*;
use serde_json::{Value, json};

const DEV: &str = "aksdev@contoso.com";

/// The article's namespaces and the Role/RoleBinding pairs, applied by the admin.
fn article(c: &Cluster) -> std::path::PathBuf {
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
    let m = article_manifest(
        "sre",
        "sre-user-full-access",
        "sre-user-access",
        OPSSRE_GROUP,
    );
    let r = c.kubectl_stdin(&admin, &["apply", "-f", "-"], Some(&m));
    assert_eq!(r.code, 0, "{}", r.stderr);
    admin
}

/// A raw request with extra headers; status, content type and body text.
fn raw(
    c: &Cluster,
    method: &str,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, String, String) {
    let client = c.client();
    let url = format!("{}{}", c.url, path);
    c.rt.block_on(async move {
        let mut rb = client
            .request(method.parse().expect("method"), url)
            .bearer_auth(token);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(&b).expect("json"));
        }
        let resp = rb.send().await.expect("send");
        let code = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (code, ct, resp.text().await.unwrap_or_default())
    })
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[test]
fn admin_can_i_as_aksdev_follows_the_article_bindings() {
    require_kubectl();
    let c = start();
    let admin = article(&c);
    let yes = c.kubectl(
        &admin,
        &[
            "auth",
            "can-i",
            "create",
            "pods",
            "-n",
            "dev",
            "--as",
            DEV,
            "--as-group",
            APPDEV_GROUP,
        ],
    );
    assert_eq!((yes.code, yes.stdout.trim()), (0, "yes"), "{}", yes.stderr);
    let no = c.kubectl(
        &admin,
        &[
            "auth",
            "can-i",
            "create",
            "pods",
            "-n",
            "sre",
            "--as",
            DEV,
            "--as-group",
            APPDEV_GROUP,
        ],
    );
    assert_eq!((no.code, no.stdout.trim()), (1, "no"), "{}", no.stderr);
    // Without the group the user alone has no binding: the requester's system:masters is gone.
    let alone = c.kubectl(
        &admin,
        &["auth", "can-i", "create", "pods", "-n", "dev", "--as", DEV],
    );
    assert_eq!(
        (alone.code, alone.stdout.trim()),
        (1, "no"),
        "{}",
        alone.stderr
    );
    // Real requests run as the impersonated user too.
    let r = c.kubectl(
        &admin,
        &[
            "get",
            "pods",
            "-n",
            "sre",
            "--as",
            DEV,
            "--as-group",
            APPDEV_GROUP,
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "pods is forbidden: User \"aksdev@contoso.com\" cannot list resource \"pods\" in API group \"\" in the namespace \"sre\""
        ),
        "{}",
        r.stderr
    );
    let r = c.kubectl(
        &admin,
        &[
            "run",
            "nginx-dev",
            "--image=nginx",
            "-n",
            "dev",
            "--as",
            DEV,
            "--as-group",
            APPDEV_GROUP,
        ],
    );
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, "pod/nginx-dev created"),
        "{}",
        r.stderr
    );
}

#[test]
fn whoami_shows_the_impersonated_identity() {
    require_kubectl();
    let c = start();
    let admin = c.kubeconfig("admin", ADMIN_TOKEN);
    let r = c.kubectl(
        &admin,
        &[
            "auth",
            "whoami",
            "-o",
            "json",
            "--as",
            DEV,
            "--as-group",
            APPDEV_GROUP,
            "--as-group",
            "second",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc = json_of(&r.stdout);
    assert_eq!(doc["status"]["userInfo"]["username"], DEV, "{}", r.stdout);
    assert_eq!(
        doc["status"]["userInfo"]["groups"],
        json!([APPDEV_GROUP, "second", "system:authenticated"]),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("system:masters"), "{}", r.stdout);
    assert!(!r.stdout.contains("sandbox-admin"), "{}", r.stdout);

    // Uid and extras come through; a service account gets its fixed groups.
    let (code, _, body) = raw(
        &c,
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        ADMIN_TOKEN,
        &[
            ("Impersonate-User", "system:serviceaccount:dev:builder"),
            ("Impersonate-Uid", "uid-7"),
            ("Impersonate-Extra-Acme.com%2Fproject", "p1"),
        ],
        Some(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})),
    );
    assert_eq!(code, 201, "{body}");
    let ui = &json_of(&body)["status"]["userInfo"];
    assert_eq!(
        ui["username"], "system:serviceaccount:dev:builder",
        "{body}"
    );
    assert_eq!(
        ui["groups"],
        json!([
            "system:serviceaccounts",
            "system:serviceaccounts:dev",
            "system:authenticated"
        ]),
        "{body}"
    );
    assert_eq!(ui["uid"], "uid-7", "{body}");
    assert_eq!(ui["extra"]["acme.com/project"], json!(["p1"]), "{body}");
}

#[test]
fn a_user_without_the_impersonate_verb_is_forbidden_with_the_real_wording() {
    require_kubectl();
    let c = start();
    let admin = article(&c);
    let dev = c.kubeconfig("aksdev", &dev_token());
    let r = c.kubectl(
        &dev,
        &[
            "auth",
            "can-i",
            "create",
            "pods",
            "-n",
            "dev",
            "--as",
            "someone@contoso.com",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "users \"someone@contoso.com\" is forbidden: User \"aksdev@contoso.com\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        ),
        "{}",
        r.stderr
    );
    let r = c.kubectl(
        &dev,
        &[
            "get",
            "pods",
            "-n",
            "sre",
            "--as",
            "system:serviceaccount:sre:default",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "serviceaccounts \"default\" is forbidden: User \"aksdev@contoso.com\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"sre\""
        ),
        "{}",
        r.stderr
    );
    // The article's Role (`*` on core resources in dev) does allow impersonating dev's service
    // accounts, as on a real cluster; the request then runs as that service account.
    let r = c.kubectl(
        &dev,
        &[
            "get",
            "pods",
            "-n",
            "dev",
            "--as",
            "system:serviceaccount:dev:default",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "pods is forbidden: User \"system:serviceaccount:dev:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"dev\""
        ),
        "{}",
        r.stderr
    );

    // Allowed to impersonate one user but no group: the group is refused.
    let grant = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: impersonate-someone
rules:
- apiGroups: [""]
  resources: ["users"]
  resourceNames: ["someone@contoso.com"]
  verbs: ["impersonate"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: appdev-impersonates-someone
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: impersonate-someone
subjects:
- apiGroup: rbac.authorization.k8s.io
  kind: Group
  name: cccccccc-0000-4000-8000-000000000010
"#;
    let r = c.kubectl_stdin(&admin, &["apply", "-f", "-"], Some(grant));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = c.kubectl(&dev, &["auth", "whoami", "--as", "someone@contoso.com"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("someone@contoso.com"), "{}", r.stdout);
    assert!(!r.stdout.contains(APPDEV_GROUP), "{}", r.stdout);
    // (kubectl whoami hides a Forbidden behind its own message; can-i shows the server's.)
    let r = c.kubectl(&dev, &["auth", "whoami", "--as", "other@contoso.com"]);
    assert_ne!(r.code, 0);
    let r = c.kubectl(
        &dev,
        &["auth", "can-i", "get", "pods", "--as", "other@contoso.com"],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("users \"other@contoso.com\" is forbidden"),
        "{}",
        r.stderr
    );
    let r = c.kubectl(
        &dev,
        &[
            "get",
            "secrets",
            "-A",
            "--as",
            "someone@contoso.com",
            "--as-group",
            "system:masters",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains(
            "groups \"system:masters\" is forbidden: User \"aksdev@contoso.com\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn groups_without_a_user_get_the_real_servers_internal_error() {
    let c = start();
    let (code, ct, body) = raw(
        &c,
        "GET",
        "/api/v1/namespaces",
        ADMIN_TOKEN,
        &[("Impersonate-Group", "g1")],
        None,
    );
    assert_eq!(code, 500, "{body}");
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert_eq!(
        body.trim_end(),
        "Internal Server Error: \"/api/v1/namespaces\": requested [{Group  g1    }] without impersonating a user"
    );
    // No header: the requester itself, unchanged.
    let (code, _, _) = raw(&c, "GET", "/api/v1/namespaces", ADMIN_TOKEN, &[], None);
    assert_eq!(code, 200);
}

#[test]
fn rules_and_access_reviews_answer_for_the_impersonated_user() {
    let c = start();
    let _ = article(&c);
    let as_dev = [
        ("Impersonate-User", DEV),
        ("Impersonate-Group", APPDEV_GROUP),
    ];
    let (code, _, body) = raw(
        &c,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        ADMIN_TOKEN,
        &as_dev,
        Some(
            json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
            "spec":{"resourceAttributes":{"verb":"create","resource":"pods","namespace":"dev"}}}),
        ),
    );
    assert_eq!(code, 201, "{body}");
    let doc = json_of(&body);
    assert_eq!(doc["status"]["allowed"], true, "{body}");
    assert_eq!(
        doc["status"]["reason"],
        format!(
            "RBAC: allowed by RoleBinding \"dev-user-access/dev\" of Role \"dev-user-full-access\" to Group \"{APPDEV_GROUP}\""
        ),
        "{body}"
    );
    let (code, _, body) = raw(
        &c,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        ADMIN_TOKEN,
        &as_dev,
        Some(
            json!({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview",
            "spec":{"namespace":"sre"}}),
        ),
    );
    assert_eq!(code, 201, "{body}");
    let rules = json_of(&body)["status"]["resourceRules"].clone();
    // Only the discovery-ish defaults of system:authenticated, nothing on pods.
    assert!(
        !rules.to_string().contains("\"pods\"") && !rules.to_string().contains("\"*\""),
        "{body}"
    );
}

#[test]
fn entra_can_i_as_and_as_entra_group_impersonate_through_the_api_server() {
    let sb = can_i_support::Sandbox::start(DEV, &[]);
    sb.article();
    let appdev = sb.group_id("appdev");
    let out = sb.entra_admin(&[
        "can-i",
        "create",
        "pods",
        "-n",
        "dev",
        "--as",
        DEV,
        "--as-group",
        &appdev,
    ]);
    assert_eq!(
        (can_i_support::text(&out.stdout).as_str(), out.status.code()),
        ("yes\n", Some(0)),
        "{}",
        can_i_support::text(&out.stderr)
    );
    let out = sb.entra_admin(&[
        "can-i",
        "create",
        "pods",
        "-n",
        "sre",
        "--as",
        DEV,
        "--as-group",
        &appdev,
    ]);
    assert_eq!(
        (can_i_support::text(&out.stdout).as_str(), out.status.code()),
        ("no\n", Some(1)),
        "{}",
        can_i_support::text(&out.stderr)
    );
    // A signed-in user who may not impersonate gets the API server's Forbidden, not an answer.
    let out = sb.entra(&[
        "can-i",
        "create",
        "pods",
        "-n",
        "dev",
        "--as",
        "akssre@contoso.com",
    ]);
    assert_ne!(out.status.code(), Some(0));
    let err = can_i_support::text(&out.stderr);
    assert!(
        err.contains("cannot impersonate resource \"users\""),
        "{err}\nstdout: {}",
        can_i_support::text(&out.stdout)
    );
    // Once appdev may impersonate users and groups, --as-entra-group resolves the display name
    // to its object id and the API server answers for that identity.
    sb.admin_apply(&format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: impersonator\nrules:\n- apiGroups: [\"\"]\n  resources: [users, groups]\n  verbs: [impersonate]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: appdev-impersonates\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: impersonator\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: {appdev}\n"
    ));
    for (ns, want, code) in [("sre", "yes\n", 0), ("dev", "no\n", 1)] {
        let out = sb.entra(&[
            "can-i",
            "create",
            "pods",
            "-n",
            ns,
            "--as",
            "akssre@contoso.com",
            "--as-entra-group",
            "opssre",
        ]);
        assert_eq!(
            (can_i_support::text(&out.stdout).as_str(), out.status.code()),
            (want, Some(code)),
            "{ns}: {}",
            can_i_support::text(&out.stderr)
        );
    }
}
