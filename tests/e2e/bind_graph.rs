//! The Graph client against the sandbox's Graph subset on loopback: escaping, paging, batching,
//! token checks and injected faults. (No kubectl or API server needed.)

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kubectl_entra::entra::AccessToken;
use kubectl_entra::graph::{GraphClient, GraphError, RetryPolicy};
use kubectl_entra_sandbox::graph::{GraphState, router};
use kubectl_entra_sandbox::stats::Stats;
use kubectl_entra_sandbox::tenant::Tenant;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// (status, code, Retry-After): the test's stand-in for the emulator's `/_sandbox/faults`
/// middleware around the Graph router.
type Faults = Arc<Mutex<VecDeque<(u16, &'static str, Option<u64>)>>>;

const KEY_PEM: &str = include_str!("fixtures/graph-test-key.pem");
const ISSUER: &str = "https://sts.windows.net/c0ffee00-0000-4000-8000-00000000aa01/";

struct Sandbox {
    base: String,
    state: GraphState,
    faults: Faults,
}

impl Sandbox {
    fn push_fault(&self, status: u16, code: &'static str, retry_after: Option<u64>) {
        self.faults
            .lock()
            .unwrap()
            .push_back((status, code, retry_after));
    }

    fn faults_left(&self) -> usize {
        self.faults.lock().unwrap().len()
    }
}

async fn inject(
    axum::extract::State(faults): axum::extract::State<Faults>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let fault = faults.lock().unwrap().pop_front();
    let Some((status, code, retry_after)) = fault else {
        return next.run(request).await;
    };
    let body = serde_json::json!({"error": {"code": code, "message": "injected"}});
    let mut resp = (
        axum::http::StatusCode::from_u16(status).unwrap(),
        axum::Json(body),
    )
        .into_response();
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, secs.into());
    }
    resp
}

fn jwks() -> serde_json::Value {
    let key = rsa::PrivateKey::from_pkcs1_pem(KEY_PEM).expect("test key");
    serde_json::json!({"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "test-key",
        "n": URL_SAFE_NO_PAD.encode(key.n_bytes()),
        "e": URL_SAFE_NO_PAD.encode(key.e_bytes()),
    }]})
}

fn token(aud: &str, upn: &str) -> String {
    let tenant = Tenant::seed();
    let oid = tenant.user_by_upn(upn).map(|u| u.object_id.clone());
    let now = jiff::Timestamp::now().as_second();
    let claims = serde_json::json!({
        "iss": ISSUER, "aud": aud, "oid": oid, "upn": upn,
        "iat": now - 300, "nbf": now - 300, "exp": now + 3600,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some("test-key".into());
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).expect("key");
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

async fn start() -> Sandbox {
    let state = GraphState::new(
        Arc::new(Tenant::seed()),
        Arc::new(Stats::default()),
        jwks(),
        ISSUER.to_string(),
    );
    let faults: Faults = Arc::default();
    let graph =
        router(state.clone()).layer(axum::middleware::from_fn_with_state(faults.clone(), inject));
    let app = axum::Router::new().nest("/v1.0", graph);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Sandbox {
        base: format!("http://{addr}/v1.0"),
        state,
        faults,
    }
}

fn client(sb: &Sandbox, upn: &str) -> GraphClient {
    let token = AccessToken {
        secret: token("https://graph.microsoft.com", upn),
        expires_on: jiff::Timestamp::now(),
    };
    GraphClient::new(&sb.base, token)
        .expect("client")
        .with_retry(RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_millis(20),
        })
}

#[tokio::test]
async fn finds_groups_by_name_with_quotes_duplicates_and_unknown() {
    let sb = start().await;
    let g = client(&sb, "aksadmin@contoso.com");
    let found = g
        .find_groups_by_name("o'brien-team")
        .await
        .expect("o'brien");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].display_name.as_deref(), Some("o'brien-team"));
    assert_eq!(g.find_groups_by_name("platform").await.expect("p").len(), 2);
    assert!(g.find_groups_by_name("nope").await.expect("n").is_empty());
    let appdev = g.find_groups_by_name("appdev").await.expect("appdev");
    assert_eq!(appdev.len(), 1);
    let one = g.get_group(&appdev[0].id).await.expect("get");
    assert_eq!(one.display_name.as_deref(), Some("appdev"));
    let missing = g
        .get_group("00000000-0000-4000-8000-000000000000")
        .await
        .expect_err("missing");
    assert!(matches!(missing, GraphError::NotFound { .. }), "{missing}");
    assert_eq!(sb.state.stats.get("graph", "GET /groups"), 4);
}

#[tokio::test]
async fn get_by_ids_is_batched_by_1000() {
    let sb = start().await;
    let g = client(&sb, "aksadmin@contoso.com");
    let tenant = Tenant::seed();
    let mut ids: Vec<String> = (0..1500)
        .map(|n| format!("eeeeeeee-0000-4000-8000-{n:012x}"))
        .collect();
    ids.push(tenant.groups[0].object_id.clone());
    ids.push(tenant.users[0].object_id.clone());
    let found = g.get_by_ids(&ids, &["group", "user"]).await.expect("ids");
    assert_eq!(found.len(), 2);
    assert_eq!(
        sb.state
            .stats
            .get("graph", "POST /directoryObjects/getByIds"),
        2
    );
    let only_groups = g
        .get_by_ids(&ids[1490..], &["group"])
        .await
        .expect("groups only");
    assert_eq!(only_groups.len(), 1);
}

#[tokio::test]
async fn transitive_groups_follow_next_link() {
    let sb = start().await;
    let g = client(&sb, "manygroups@contoso.com");
    let groups = g.transitive_groups_of_me().await.expect("groups");
    let tenant = Tenant::seed();
    let expected = tenant
        .groups_of(
            &tenant
                .user_by_upn("manygroups@contoso.com")
                .unwrap()
                .object_id,
        )
        .len();
    assert_eq!(groups.len(), expected);
    assert!(expected > 200);
    // 100 per page.
    assert_eq!(
        sb.state
            .stats
            .get("graph", "GET /me/transitiveMemberOf/microsoft.graph.group"),
        expected.div_ceil(100) as u64
    );
}

#[tokio::test]
async fn rejects_bad_tokens_and_unsupported_filters() {
    let sb = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/groups?$filter=displayName%20eq%20'appdev'", sb.base);
    let resp = http.get(&url).send().await.expect("send");
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let wrong_aud = token("6dae42f8-4368-4678-94ff-3960e28e3630", "aksdev@contoso.com");
    let resp = http
        .get(&url)
        .bearer_auth(&wrong_aud)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("audience")
    );
    let good = token("00000003-0000-0000-c000-000000000000", "aksdev@contoso.com");
    // startswith is Graph's prefix search (group completion uses it); contains is refused.
    let resp = http
        .get(format!(
            "{}/groups?$filter=startswith(displayName,'app')",
            sb.base
        ))
        .bearer_auth(&good)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let resp = http
        .get(format!(
            "{}/groups?$filter=contains(displayName,'app')",
            sb.base
        ))
        .bearer_auth(&good)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    // The OData cast without ConsistencyLevel is refused, as Graph does.
    let resp = http
        .get(format!(
            "{}/me/transitiveMemberOf/microsoft.graph.group",
            sb.base
        ))
        .bearer_auth(&good)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 400);
    // getMemberGroups by UPN.
    let resp = http
        .post(format!(
            "{}/users/aksdev@contoso.com/getMemberGroups",
            sb.base
        ))
        .bearer_auth(&good)
        .json(&serde_json::json!({"securityEnabledOnly": false}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert!(body["value"].as_array().is_some_and(|v| !v.is_empty()));
}

#[tokio::test]
async fn faults_403_then_429_retry() {
    let sb = start().await;
    let g = client(&sb, "aksadmin@contoso.com");
    sb.push_fault(403, "Authorization_RequestDenied", None);
    let err = g.find_groups_by_name("appdev").await.expect_err("403");
    let text = err.to_string();
    assert!(text.contains("Group.Read.All"), "{text}");
    assert!(text.contains("--group-id"), "{text}");

    sb.push_fault(429, "TooManyRequests", Some(0));
    sb.push_fault(503, "serviceNotAvailable", None);
    let found = g.find_groups_by_name("appdev").await.expect("after retry");
    assert_eq!(found.len(), 1);
    assert_eq!(sb.faults_left(), 0);

    for _ in 0..3 {
        sb.push_fault(429, "TooManyRequests", Some(1));
    }
    let err = g.find_groups_by_name("appdev").await.expect_err("gives up");
    assert!(
        matches!(err, GraphError::Throttled { attempts: 3, .. }),
        "{err}"
    );
    // Debug of the client never shows the token.
    assert!(!format!("{g:?}").contains("eyJ"));
}

#[tokio::test]
async fn next_link_to_another_host_is_refused() {
    // A Graph stand-in whose nextLink points elsewhere: the token must not follow it.
    let app = axum::Router::new().route(
        "/v1.0/me/transitiveMemberOf/microsoft.graph.group",
        axum::routing::get(|| async {
            axum::Json(serde_json::json!({
                "value": [{"id": "cccc0000-0000-4000-8000-000000000001", "displayName": "appdev"}],
                "@odata.nextLink": "http://127.0.0.2:9/v1.0/me/transitiveMemberOf?$skiptoken=x"
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let token = AccessToken {
        secret: "not-a-real-token".into(),
        expires_on: jiff::Timestamp::now(),
    };
    let g = GraphClient::new(&format!("http://{addr}/v1.0"), token).expect("client");
    let err = g.transitive_groups_of_me().await.expect_err("refused");
    assert!(matches!(err, GraphError::BadResponse { .. }), "{err}");
    assert!(!err.to_string().contains("not-a-real-token"));
}

#[tokio::test]
async fn get_by_ids_403_names_its_permission_and_suggests_no_graph() {
    let sb = start().await;
    let g = client(&sb, "aksadmin@contoso.com");
    sb.push_fault(403, "Authorization_RequestDenied", None);
    let err = g
        .get_by_ids(
            &["cccc0000-0000-4000-8000-000000000001".to_string()],
            &["group"],
        )
        .await
        .expect_err("403");
    let text = err.to_string();
    assert!(text.contains("Directory.Read.All"), "{text}");
    assert!(text.contains("--no-graph"), "{text}");
    // --group-id means nothing to `bindings`, which is what calls getByIds.
    assert!(!text.contains("--group-id"), "{text}");
}

#[tokio::test]
async fn graph_shapes_advanced_queries_and_bad_ids() {
    let sb = start().await;
    let http = reqwest::Client::new();
    let good = token("https://graph.microsoft.com", "aksadmin@contoso.com");
    let get = |path: &str, eventual: bool| {
        let mut req = http.get(format!("{}{path}", sb.base)).bearer_auth(&good);
        if eventual {
            req = req.header("ConsistencyLevel", "eventual");
        }
        req.send()
    };
    // $count on /groups is an advanced query: refused without ConsistencyLevel, counted with it.
    let path = "/groups?$filter=displayName%20eq%20'platform'&$count=true";
    let resp = get(path, false).await.expect("send");
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "{body}"
    );
    let body: serde_json::Value = get(path, true)
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(body["@odata.count"], 2, "{body}");
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/v1.0/$metadata#groups")),
        "{body}"
    );
    // The plain eq filter needs no header.
    let resp = get("/groups?$filter=displayName%20eq%20'appdev'", false)
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    // A malformed id is 400 Request_BadRequest; an unknown one 404 Request_ResourceNotFound.
    let resp = get("/groups/not-a-guid", false).await.expect("send");
    assert_eq!(resp.status(), 400);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    let resp = get("/groups/00000000-0000-4000-8000-000000000000", false)
        .await
        .expect("send");
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(
        body["error"]["message"],
        "Resource '00000000-0000-4000-8000-000000000000' does not exist or one of its queried reference-property objects are not present."
    );
}
