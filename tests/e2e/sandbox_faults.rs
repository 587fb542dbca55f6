//! Fault injection and request counters of the sandbox's test endpoints.

use crate::support::sandbox as support;

use support::*;

async fn refresh_with(sb: &Sandbox, rt: &str) -> (u16, reqwest::header::HeaderMap, String) {
    sb.post_form(
        &sb.s("token_endpoint"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", AKS_CLIENT),
            ("refresh_token", rt),
        ],
        Some("rid-9"),
    )
    .await
}

#[tokio::test]
async fn token_faults_status_oauth_error_malformed_and_count() {
    let sb = Sandbox::start(&[]);
    let tok = sb.sign_in("aksdev@contoso.com").await;
    let rt = tok["refresh_token"].as_str().expect("rt").to_string();
    let refresh = || refresh_with(&sb, &rt);

    sb.fault(serde_json::json!({"endpoint": "token", "count": 2, "status": 503, "retry_after": 7}))
        .await;
    for _ in 0..2 {
        let (s, h, body) = refresh().await;
        assert_eq!(s, 503, "{body}");
        assert_eq!(h["retry-after"], "7");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["error"], "temporarily_unavailable");
        assert_eq!(v["correlation_id"], "rid-9");
    }
    let (s, _, _) = refresh().await;
    assert_eq!(s, 200, "the fault is used up after count calls");

    sb.fault(serde_json::json!({
        "endpoint": "token", "error": "invalid_grant", "aadsts": 70043, "suberror": "bad_token"
    }))
    .await;
    let (s, _, body) = refresh().await;
    assert_eq!(s, 400);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["error"], "invalid_grant");
    assert_eq!(v["error_codes"][0], 70043);
    assert_eq!(v["suberror"], "bad_token");
    assert!(
        v["error_description"]
            .as_str()
            .expect("d")
            .starts_with("AADSTS70043: ")
    );

    sb.fault(serde_json::json!({"endpoint": "token", "error": "interaction_required", "aadsts": 50076, "status": 400}))
        .await;
    let (s, _, body) = refresh().await;
    assert_eq!(s, 400);
    assert!(body.contains("interaction_required"));

    sb.fault(serde_json::json!({"endpoint": "token", "malformed": true}))
        .await;
    let (s, h, body) = refresh().await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "application/json; charset=utf-8");
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());

    sb.fault(serde_json::json!({"endpoint": "token", "delay_ms": 300}))
        .await;
    let started = std::time::Instant::now();
    let (s, _, _) = refresh().await;
    assert_eq!(s, 200, "a delay-only fault answers normally");
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));

    let stats = sb.stats().await;
    assert_eq!(stats["token"]["refresh_token"], 7);
}

#[tokio::test]
async fn slow_down_and_pending_faults_on_polls() {
    let sb = Sandbox::start(&["--auto-approve", "aksdev@contoso.com"]);
    let dc = sb.aks_devicecode().await;
    let code = dc["device_code"].as_str().expect("dc");
    sb.fault(serde_json::json!({"endpoint": "token", "error": "slow_down"}))
        .await;
    let (s, e) = sb.poll(code).await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "slow_down");
    let (s, _) = sb.poll(code).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn devicecode_keys_discovery_and_graph_faults() {
    let sb = Sandbox::start(&[]);
    let base = sb.base();
    sb.fault(serde_json::json!([
        {"endpoint": "devicecode", "status": 500},
        {"endpoint": "keys", "status": 502},
        {"endpoint": "discovery", "malformed": true},
        {"endpoint": "graph", "status": 503},
    ]))
    .await;
    let (_, pending) = sb.get_json(&sb.s("faults_url")).await;
    assert_eq!(pending.as_array().map(Vec::len), Some(4));

    let (s, e) = sb
        .devicecode(AKS_CLIENT, &format!("{AKS_SERVER}/.default"), None)
        .await;
    assert_eq!(s, 500);
    assert_eq!(e["error"], "temporarily_unavailable");
    sb.aks_devicecode().await;

    let (s, _, _) = sb.get(&sb.s("jwks_uri")).await;
    assert_eq!(s, 502);
    let (s, _, _) = sb.get(&sb.s("jwks_uri")).await;
    assert_eq!(s, 200);

    let (s, _, body) = sb.get(&sb.s("discovery_url")).await;
    assert_eq!(s, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    let (_, doc) = sb.get_json(&sb.s("discovery_url")).await;
    assert!(doc["issuer"].is_string());

    let (s, e) = sb.get_json(&format!("{base}/v1.0/me")).await;
    assert_eq!(s, 503);
    assert_eq!(e["error"]["code"], "serviceNotAvailable");

    // Bad fault bodies are refused; DELETE clears the queue.
    let (s, _) = sb
        .post_json(
            &sb.s("faults_url"),
            serde_json::json!({"endpoint": "nowhere"}),
        )
        .await;
    assert_eq!(s, 400);
    sb.fault(serde_json::json!({"endpoint": "token", "count": 5, "status": 500}))
        .await;
    let r = sb
        .http
        .delete(sb.s("faults_url"))
        .send()
        .await
        .expect("delete");
    assert!(r.status().is_success());
    let (_, pending) = sb.get_json(&sb.s("faults_url")).await;
    assert_eq!(pending, serde_json::json!([]));

    let stats = sb.stats().await;
    assert_eq!(stats["devicecode_total"], 2);
    assert_eq!(stats["discovery"]["keys"], 2);
    let r = sb
        .http
        .post(format!("{base}/_sandbox/stats/reset"))
        .send()
        .await
        .expect("reset");
    assert!(r.status().is_success());
    assert_eq!(sb.stats().await, serde_json::json!({}));
}
