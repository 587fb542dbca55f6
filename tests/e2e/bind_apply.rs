//! bind's apply, pre-check, rollback, unbind and listing against a small in-memory stand-in of
//! the Kubernetes API (namespaces, RBAC objects, SelfSubjectAccessReview) on loopback.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kubectl_entra::k8s::bind::{
    FULL_ACCESS_ROLE, NothingBound, PlanInput, RoleChoice, Scope, Subject, UnbindRequest,
    apply_plan, build_plan, check_permissions, list_bindings, unbind,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Store {
    /// path (without query) of the object -> object
    objects: BTreeMap<String, Value>,
    rv: u64,
    /// SSAR answers "no" for these resources.
    denied: Vec<String>,
    /// PATCH of an object with this name fails with 500.
    fail_name: Option<String>,
    writes: u64,
}

type Shared = Arc<Mutex<Store>>;

fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    (
        code,
        axum::Json(json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
            "status": "Failure", "reason": reason, "message": message, "code": code.as_u16()})),
    )
        .into_response()
}

/// Splits `/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/x` into (collection, name).
fn split(path: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let is_collection = matches!(
        parts.last().copied(),
        Some("roles" | "rolebindings" | "clusterroles" | "clusterrolebindings")
    ) || path.ends_with("/api/v1/namespaces");
    if is_collection {
        (path.to_string(), None)
    } else {
        let (coll, name) = path.rsplit_once('/').unwrap_or((path, ""));
        (coll.to_string(), Some(name.to_string()))
    }
}

async fn handle(State(store): State<Shared>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let dry_run = uri.query().unwrap_or_default().contains("dryRun=All");
    let mut s = store.lock().unwrap();
    if path.ends_with("/selfsubjectaccessreviews") {
        let mut review: Value = serde_json::from_slice(&body).unwrap_or_default();
        let resource = review["spec"]["resourceAttributes"]["resource"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        review["status"] = json!({"allowed": !s.denied.contains(&resource)});
        return (StatusCode::CREATED, axum::Json(review)).into_response();
    }
    let (collection, name) = split(&path);
    match (method, name) {
        (Method::GET, None) => {
            // A list: objects directly under the collection, or in every namespace when the
            // collection has no namespace (`/apis/.../v1/rolebindings`).
            let resource = collection
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let all_ns = !collection.contains("/namespaces/");
            let items: Vec<Value> = s
                .objects
                .iter()
                .filter(|(k, _)| match k.rsplit_once('/') {
                    Some((c, _)) if all_ns => {
                        c == collection || c.ends_with(&format!("/{resource}"))
                    }
                    Some((c, _)) => c == collection,
                    None => false,
                })
                .map(|(_, v)| v.clone())
                .collect();
            axum::Json(json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": s.rv.to_string()}, "items": items})).into_response()
        }
        (Method::GET, Some(name)) => match s.objects.get(&path) {
            Some(obj) => axum::Json(obj.clone()).into_response(),
            None => status(
                StatusCode::NOT_FOUND,
                "NotFound",
                &format!("\"{name}\" not found"),
            ),
        },
        (Method::PATCH, Some(name)) => {
            if s.fail_name.as_deref() == Some(name.as_str()) {
                return status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "injected failure",
                );
            }
            if path.contains("/namespaces/") && !path.starts_with("/api/v1/namespaces/") {
                let ns = path
                    .split("/namespaces/")
                    .nth(1)
                    .and_then(|r| r.split('/').next())
                    .unwrap_or_default();
                if !s.objects.contains_key(&format!("/api/v1/namespaces/{ns}")) {
                    return status(
                        StatusCode::NOT_FOUND,
                        "NotFound",
                        &format!("namespaces \"{ns}\" not found"),
                    );
                }
            }
            let mut incoming: Value = serde_json::from_slice(&body).unwrap_or_default();
            let existing = s.objects.get(&path).cloned();
            let strip = |v: &Value| {
                let mut v = v.clone();
                if let Some(m) = v["metadata"].as_object_mut() {
                    m.remove("resourceVersion");
                    m.remove("uid");
                }
                v
            };
            if let Some(old) = &existing
                && strip(old) == incoming
            {
                return axum::Json(old.clone()).into_response();
            }
            if dry_run {
                return axum::Json(incoming).into_response();
            }
            s.rv += 1;
            s.writes += 1;
            incoming["metadata"]["resourceVersion"] = json!(s.rv.to_string());
            s.objects.insert(path, incoming.clone());
            let code = if existing.is_some() {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (code, axum::Json(incoming)).into_response()
        }
        (Method::DELETE, Some(name)) => {
            if s.fail_name.as_deref() == Some(name.as_str()) {
                return status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalError",
                    "injected failure",
                );
            }
            if dry_run {
                return axum::Json(json!({"kind": "Status", "status": "Success"})).into_response();
            }
            match s.objects.remove(&path) {
                Some(_) => {
                    s.writes += 1;
                    axum::Json(json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "metadata": {}})).into_response()
                }
                None => status(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    &format!("\"{name}\" not found"),
                ),
            }
        }
        _ => status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "no"),
    }
}

async fn start() -> (kube::Client, Shared) {
    let store: Shared = Arc::default();
    store.lock().unwrap().objects.insert(
        "/api/v1/namespaces/dev".into(),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev", "resourceVersion": "1"}}),
    );
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(store.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    (kube::Client::try_from(config).unwrap(), store)
}

fn appdev() -> Subject {
    Subject::group("cccc0000-0000-4000-8000-000000000001", "appdev").unwrap()
}

fn full_access_plan(subjects: &[Subject]) -> kubectl_entra::k8s::bind::Plan {
    build_plan(&PlanInput {
        namespace: Some("dev"),
        create_namespace: false,
        role: &RoleChoice::FullAccess,
        subjects,
    })
}

fn outcomes(report: &kubectl_entra::k8s::bind::ApplyReport) -> Vec<String> {
    report
        .applied
        .iter()
        .map(|a| format!("{} {}", a.display, a.outcome.as_str()))
        .collect()
}

#[tokio::test]
async fn apply_creates_then_reports_unchanged() {
    let (client, store) = start().await;
    let subjects = [appdev()];
    let mut plan = full_access_plan(&subjects);
    assert_eq!(
        check_permissions(&client, &plan).await.expect("allowed"),
        None
    );
    let first = apply_plan(&client, &mut plan, false).await.expect("apply");
    assert_eq!(
        outcomes(&first),
        [
            "role.rbac.authorization.k8s.io/entra-full-access created",
            "rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access created"
        ]
    );
    let writes = store.lock().unwrap().writes;
    let mut again = full_access_plan(&subjects);
    let second = apply_plan(&client, &mut again, false).await.expect("again");
    assert!(
        outcomes(&second).iter().all(|l| l.ends_with(" unchanged")),
        "{:?}",
        outcomes(&second)
    );
    assert_eq!(
        store.lock().unwrap().writes,
        writes,
        "nothing written the second time"
    );

    // Server dry run of a new subject writes nothing.
    let sre = [Subject::group("cccc0000-0000-4000-8000-000000000002", "opssre").unwrap()];
    let mut dry = full_access_plan(&sre);
    apply_plan(&client, &mut dry, true).await.expect("dry run");
    assert_eq!(store.lock().unwrap().writes, writes);
}

#[tokio::test]
async fn precheck_refusal_names_the_missing_permission() {
    let (client, store) = start().await;
    store.lock().unwrap().denied.push("rolebindings".into());
    let subjects = [appdev()];
    let plan = full_access_plan(&subjects);
    let err = check_permissions(&client, &plan).await.expect_err("denied");
    let text = err.to_string();
    assert!(
        text.contains("create rolebindings.rbac.authorization.k8s.io in the namespace \"dev\""),
        "{text}"
    );
    assert!(text.contains("nothing was created"), "{text}");
    assert_eq!(store.lock().unwrap().writes, 0);
}

#[tokio::test]
async fn a_failure_rolls_back_what_this_run_created() {
    let (client, store) = start().await;
    store.lock().unwrap().fail_name = Some("entra-appdev-full-access".into());
    let subjects = [appdev()];
    let mut plan = full_access_plan(&subjects);
    let err = apply_plan(&client, &mut plan, false)
        .await
        .expect_err("fails");
    let text = format!("{err:#}");
    assert!(text.contains("rolled back"), "{text}");
    assert!(
        text.contains("role.rbac.authorization.k8s.io/entra-full-access"),
        "{text}"
    );
    let objects = &store.lock().unwrap().objects;
    assert!(!objects.keys().any(|k| k.contains("entra-")), "{objects:?}");
}

#[tokio::test]
async fn missing_namespace_fails_cleanly() {
    let (client, store) = start().await;
    let subjects = [appdev()];
    let mut plan = build_plan(&PlanInput {
        namespace: Some("sre"),
        create_namespace: false,
        role: &RoleChoice::FullAccess,
        subjects: &subjects,
    });
    let err = apply_plan(&client, &mut plan, false)
        .await
        .expect_err("no namespace");
    assert!(
        format!("{err:#}").contains("nothing was changed"),
        "{err:#}"
    );
    assert_eq!(store.lock().unwrap().writes, 0);
}

#[tokio::test]
async fn unbind_keeps_hand_made_bindings_and_removes_the_unused_role() {
    let (client, store) = start().await;
    let subjects = [appdev()];
    let mut plan = full_access_plan(&subjects);
    apply_plan(&client, &mut plan, false).await.expect("apply");
    // The article's hand-made binding of the same group.
    store.lock().unwrap().objects.insert(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings/dev-user-access".into(),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "dev-user-access", "namespace": "dev", "resourceVersion": "50"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dev-user-full-access"},
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "cccc0000-0000-4000-8000-000000000001"}]}),
    );

    let (rows, warnings) = list_bindings(&client, &Scope::Namespace("dev".into()))
        .await
        .expect("list");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(rows.len(), 2);
    let managed: Vec<bool> = rows.iter().map(|r| r.managed).collect();
    assert_eq!(managed, [false, true]);
    assert_eq!(rows[1].display_name.as_deref(), Some("appdev"));

    let mut by_name = appdev();
    by_name.id.clear();
    let lines = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &[by_name],
            role: None,
            force: &[],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect("unbind")
    .lines;
    assert_eq!(
        lines,
        [
            "rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access deleted".to_string(),
            format!("role.rbac.authorization.k8s.io/{FULL_ACCESS_ROLE} deleted"),
        ]
    );
    let keys: Vec<String> = store.lock().unwrap().objects.keys().cloned().collect();
    assert!(
        keys.iter().any(|k| k.ends_with("/dev-user-access")),
        "{keys:?}"
    );

    // Nothing managed is left: the hand-made one is named, not deleted.
    let err = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &[appdev()],
            role: None,
            force: &[],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect_err("nothing to remove");
    assert!(err.to_string().contains("dev-user-access"), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");

    let lines = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &[appdev()],
            role: None,
            force: &["dev-user-access".to_string()],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect("forced")
    .lines;
    assert_eq!(
        lines,
        ["rolebinding.rbac.authorization.k8s.io/dev-user-access deleted"]
    );
}

#[tokio::test]
async fn role_stays_while_another_binding_uses_it() {
    let (client, store) = start().await;
    let both = [appdev(), Subject::user("aksdev@contoso.com").unwrap()];
    let mut plan = full_access_plan(&both);
    apply_plan(&client, &mut plan, false).await.expect("apply");
    let lines = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &[appdev()],
            role: None,
            force: &[],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect("unbind")
    .lines;
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        store
            .lock()
            .unwrap()
            .objects
            .keys()
            .any(|k| k.ends_with("/roles/entra-full-access"))
    );
}

#[tokio::test]
async fn unbind_by_name_refuses_two_groups_of_that_name() {
    let (client, store) = start().await;
    // Two groups share the display name "platform" (Entra allows it); bind renames the second.
    let both = [
        Subject::group("cccc0000-0000-4000-8000-000000000004", "platform").unwrap(),
        Subject::group("cccc0000-0000-4000-8000-000000000005", "platform").unwrap(),
    ];
    let mut plan = build_plan(&PlanInput {
        namespace: Some("dev"),
        create_namespace: false,
        role: &RoleChoice::ClusterRole("view".into()),
        subjects: &both,
    });
    apply_plan(&client, &mut plan, false).await.expect("apply");
    let writes = store.lock().unwrap().writes;
    let mut by_name = both[0].clone();
    by_name.id.clear();
    let err = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &[by_name],
            role: None,
            force: &[],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect_err("ambiguous");
    let text = err.to_string();
    assert!(
        text.contains("cccc0000-0000-4000-8000-000000000004"),
        "{text}"
    );
    assert!(
        text.contains("cccc0000-0000-4000-8000-000000000005"),
        "{text}"
    );
    assert!(text.contains("--group-id"), "{text}");
    assert!(!err.is::<NothingBound>());
    assert_eq!(store.lock().unwrap().writes, writes, "nothing deleted");

    // A name nothing was bound under is the distinct NothingBound error (unbind then asks Graph).
    let mut unknown = both[0].clone();
    unknown.id.clear();
    unknown.display = "appdev".into();
    let err = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &[unknown],
            role: None,
            force: &[],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect_err("nothing");
    assert!(err.is::<NothingBound>(), "{err}");
}

#[tokio::test]
async fn unbind_that_stops_midway_says_what_is_gone_and_what_is_left() {
    let (client, store) = start().await;
    let both = [appdev(), Subject::user("aksdev@contoso.com").unwrap()];
    let mut plan = full_access_plan(&both);
    apply_plan(&client, &mut plan, false).await.expect("apply");
    store.lock().unwrap().fail_name = Some("entra-appdev-full-access".into());
    let err = unbind(
        &client,
        &UnbindRequest {
            namespace: Some("dev"),
            subjects: &both,
            role: None,
            force: &[],
            dry_run: false,
            ignore_not_found: false,
        },
    )
    .await
    .expect_err("stops");
    let text = err.to_string();
    assert!(
        text.contains(
            "already deleted: rolebinding.rbac.authorization.k8s.io/entra-aksdev-contoso-com-full-access"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "still there: rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access"
        ),
        "{text}"
    );
    // The Role stays: a binding still uses it.
    assert!(
        store
            .lock()
            .unwrap()
            .objects
            .keys()
            .any(|k| k.ends_with("/roles/entra-full-access"))
    );
}
