//! A tiny loopback HTTP stand-in for the API endpoints the reviews and discovery call, so their
//! request and response handling is tested without the sandbox.

use axum::Router;
use axum::extract::{Json, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use std::sync::{Arc, Mutex};

/// What the stand-in serves, and what it saw.
#[derive(Default)]
pub struct Mock {
    /// SelfSubjectReview versions that exist; others answer 404.
    pub review_versions: Vec<&'static str>,
    /// When set, the v1 SelfSubjectReview answers this status code.
    pub v1_review_error: Option<u16>,
    pub bodies: Mutex<Vec<serde_json::Value>>,
}

fn status(code: StatusCode, message: &str) -> (StatusCode, Json<serde_json::Value>) {
    let body = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": "NotFound", "code": code.as_u16(),
    });
    (code, Json(body))
}

async fn self_review(
    State(mock): State<Arc<Mock>>,
    Path(version): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    if let Some(code) = mock.v1_review_error.filter(|_| version == "v1") {
        return status(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "boom",
        );
    }
    if !mock.review_versions.contains(&version.as_str()) {
        return status(
            StatusCode::NOT_FOUND,
            "the server could not find the requested resource",
        );
    }
    mock.bodies.lock().expect("lock").push(body);
    let answer = serde_json::json!({
        "apiVersion": format!("authentication.k8s.io/{version}"), "kind": "SelfSubjectReview",
        "metadata": {},
        "status": {"userInfo": {"username": "aksdev@contoso.com", "uid": "u-1",
            "groups": ["appdev-oid", "system:authenticated"], "extra": {"oid": ["o-1"]}}}
    });
    (StatusCode::CREATED, Json(answer))
}

async fn access_review(
    State(mock): State<Arc<Mock>>,
    Json(mut body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    mock.bodies.lock().expect("lock").push(body.clone());
    let in_dev = body.pointer("/spec/resourceAttributes/namespace") == Some(&"dev".into());
    body["status"] = if in_dev {
        serde_json::json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"dev-user-access/dev\" of Role \"dev-user-full-access\" to Group \"appdev-oid\""})
    } else {
        serde_json::json!({"allowed": false, "denied": true, "evaluationError": "webhook down"})
    };
    (StatusCode::CREATED, Json(body))
}

async fn rules_review(
    State(mock): State<Arc<Mock>>,
    Json(mut body): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    mock.bodies.lock().expect("lock").push(body.clone());
    body["status"] = serde_json::json!({
        "resourceRules": [
            {"verbs": ["*"], "apiGroups": ["", "apps"], "resources": ["*"]},
            {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app"]}
        ],
        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}],
        "incomplete": true,
        "evaluationError": "webhook authorizer has no rules"
    });
    (StatusCode::CREATED, Json(body))
}

async fn core_versions() -> Json<serde_json::Value> {
    Json(
        serde_json::json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}),
    )
}

async fn core_resources() -> Json<serde_json::Value> {
    Json(
        serde_json::json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": [
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get", "list"], "shortNames": ["po"]},
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get"], "shortNames": ["ns"]}
        ]}),
    )
}

async fn groups() -> Json<serde_json::Value> {
    Json(
        serde_json::json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
            {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}},
            // an aggregated API whose backend is down, as a broken metrics-server is
            {"name": "metrics.k8s.io", "versions": [{"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}],
             "preferredVersion": {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}}
        ]}),
    )
}

async fn apps_resources() -> Json<serde_json::Value> {
    Json(
        serde_json::json!({"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
            {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment", "verbs": ["get"], "shortNames": ["deploy"]}
        ]}),
    )
}

/// Starts the stand-in on an ephemeral loopback port; returns a client for it.
pub async fn start(mock: Mock) -> (kube::Client, Arc<Mock>) {
    let mock = Arc::new(mock);
    let app = Router::new()
        .route(
            "/apis/authentication.k8s.io/{version}/selfsubjectreviews",
            post(self_review),
        )
        .route(
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            post(access_review),
        )
        .route(
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            post(rules_review),
        )
        .route("/api", get(core_versions))
        .route("/api/v1", get(core_resources))
        .route("/apis", get(groups))
        .route("/apis/apps/v1", get(apps_resources))
        .route(
            "/apis/metrics.k8s.io/v1beta1",
            get(|| async {
                status(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the server is currently unable to handle the request",
                )
            }),
        )
        .with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let uri: http::Uri = format!("http://{addr}").parse().expect("uri");
    let mut config = kube::Config::new(uri);
    // As the commands' clients (k8s::client): an error status is an answer, not minutes of
    // retries with backoff.
    config.default_retry = false;
    let client = kube::Client::try_from(config).expect("client");
    (client, mock)
}
