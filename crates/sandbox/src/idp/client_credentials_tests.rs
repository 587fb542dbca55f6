//! The client-credentials arm against a provisioned tenant: secrets, certificate assertions and
//! federated tokens, each accepted and refused with Entra's codes.

use super::*;
use crate::apps::{self, AppsInfo, CI_APP_ID, CI_OBJECT_ID, CI_SECRET, WORKLOAD_APP_ID};
use crate::faults::Faults;
use crate::keys::SigningKeys;
use crate::state::IdpConfig;
use crate::stats::Stats;
use crate::tenant::Tenant;
use std::sync::{Arc, OnceLock};

const BASE: &str = "http://127.0.0.1:1";

struct Fixture {
    _dir: tempfile::TempDir,
    state: IdpState,
    apps: AppsInfo,
}

/// One provisioned tenant (RSA keys are slow to make) for every test here.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let keys = SigningKeys::load_or_create(dir.path()).expect("keys");
        let mut tenant = Tenant::seed();
        let apps = apps::provision(dir.path(), &mut tenant, &keys).expect("provision");
        let state = IdpState::new(
            Arc::new(tenant),
            Arc::new(keys),
            Arc::new(Stats::default()),
            Arc::new(Faults::default()),
            IdpConfig {
                base_url: BASE.into(),
                poll_interval: 0,
                device_code_lifetime: 900,
                token_lifetime: None,
                auto_approve: None,
                arc_key_dir: None,
            },
        );
        Fixture {
            _dir: dir,
            state,
            apps,
        }
    })
}

fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn scope() -> String {
    format!("{}/.default", crate::idp::directory::AKS_SERVER_ID)
}

fn redeem_as(client: &str, extra: &[(&str, &str)]) -> Result<serde_json::Value, OAuthError> {
    let f = fixture();
    let scope = scope();
    let mut pairs = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client),
        ("scope", scope.as_str()),
    ];
    pairs.extend_from_slice(extra);
    redeem(&f.state, &f.state.tenant.id, &form(&pairs))
}

fn code(r: Result<serde_json::Value, OAuthError>) -> u32 {
    r.map(|_| 0).unwrap_or_else(|e| e.aadsts)
}

#[test]
fn a_secret_gets_an_app_token_like_aks_expects() {
    let body = redeem_as(CI_APP_ID, &[("client_secret", CI_SECRET)]).expect("token");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    assert!(body["expires_in"].as_i64().unwrap_or(0) > 0);
    let claims = unverified_claims(body["access_token"].as_str().expect("at")).expect("jwt");
    assert_eq!(claims["oid"], CI_OBJECT_ID);
    assert_eq!(claims["sub"], CI_OBJECT_ID);
    assert_eq!(claims["appid"], CI_APP_ID);
    assert_eq!(claims["idtyp"], "app");
    assert_eq!(claims["appidacr"], "1");
    assert_eq!(claims["ver"], "1.0");
    assert_eq!(claims["aud"], crate::idp::directory::AKS_SERVER_ID);
    assert!(claims.get("upn").is_none() && claims.get("scp").is_none());
}

#[test]
fn secrets_and_clients_are_checked() {
    let wrong = redeem_as(CI_APP_ID, &[("client_secret", "nope")]).unwrap_err();
    assert_eq!((wrong.aadsts, wrong.status.as_u16()), (7000215, 401));
    assert!(!wrong.message.contains("nope"));
    assert_eq!(code(redeem_as(CI_APP_ID, &[])), 7000218);
    assert_eq!(
        code(redeem_as(
            "11111111-2222-3333-4444-555555555555",
            &[("client_secret", "x")]
        )),
        700016
    );
    // The workload app has no secret at all.
    assert_eq!(
        code(redeem_as(WORKLOAD_APP_ID, &[("client_secret", CI_SECRET)])),
        7000215
    );
    let f = fixture();
    let bad_scope = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", CI_APP_ID),
        ("client_secret", CI_SECRET),
        ("scope", &format!("{} offline_access", scope())),
    ]);
    assert_eq!(
        code(redeem(&f.state, &f.state.tenant.id, &bad_scope)),
        1002012
    );
}

/// An assertion signed with the provisioned certificate's key.
fn cert_assertion(x5t: &str, aud: &str, exp_in: i64) -> String {
    let f = fixture();
    let pem = std::fs::read_to_string(&f.apps.spn_certificate_pem).expect("pem");
    let key_pem = &pem[pem.find("-----BEGIN PRIVATE KEY-----").expect("key")..];
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key_pem.as_bytes()).expect("key");
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.x5t = Some(x5t.to_string());
    let now = jiff::Timestamp::now().as_second();
    let claims = serde_json::json!({
        "aud": aud, "iss": CI_APP_ID, "sub": CI_APP_ID, "jti": "j1",
        "nbf": now - 10, "exp": now + exp_in,
    });
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

fn with_assertion(client: &str, assertion: &str) -> Result<serde_json::Value, OAuthError> {
    redeem_as(
        client,
        &[
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ],
    )
}

#[test]
fn certificate_assertions_are_found_by_x5t_and_checked() {
    let f = fixture();
    let aud = format!("{BASE}/{}/oauth2/v2.0/token", f.state.tenant.id);
    let x5t = f.apps.spn_certificate_x5t.as_str();
    let body = with_assertion(CI_APP_ID, &cert_assertion(x5t, &aud, 600)).expect("token");
    let claims = unverified_claims(body["access_token"].as_str().expect("at")).expect("jwt");
    assert_eq!(claims["appidacr"], "2");
    assert_eq!(
        code(with_assertion(
            CI_APP_ID,
            &cert_assertion("AAAA", &aud, 600)
        )),
        700027
    );
    assert_eq!(
        code(with_assertion(CI_APP_ID, &cert_assertion(x5t, &aud, -120))),
        700024
    );
    assert_eq!(
        code(with_assertion(
            CI_APP_ID,
            &cert_assertion(x5t, "https://elsewhere/token", 600)
        )),
        700027
    );
    // A valid assertion whose signature was tampered with.
    let good = cert_assertion(x5t, &aud, 600);
    let tampered = format!("{}AAAA", &good[..good.len() - 4]);
    assert_eq!(code(with_assertion(CI_APP_ID, &tampered)), 700027);
    assert_eq!(code(with_assertion(CI_APP_ID, "not.a.jwt")), 50027);
}

#[test]
fn federated_tokens_must_match_a_credential() {
    let f = fixture();
    let keys = &f.state.keys;
    let tid = &f.state.tenant.id;
    let token = std::fs::read_to_string(&f.apps.federated_token_file).expect("token file");
    let body = with_assertion(WORKLOAD_APP_ID, token.trim()).expect("token");
    let claims = unverified_claims(body["access_token"].as_str().expect("at")).expect("jwt");
    assert_eq!(claims["oid"], apps::WORKLOAD_OBJECT_ID);
    assert_eq!(claims["idtyp"], "app");

    let expired = apps::service_account_token(keys, tid, -600).expect("sign");
    assert_eq!(code(with_assertion(WORKLOAD_APP_ID, &expired)), 700024);
    // The CI application trusts no issuer.
    assert_eq!(code(with_assertion(CI_APP_ID, token.trim())), 700211);
    let now = jiff::Timestamp::now().as_second();
    let sign = |sub: &str, aud: &str| {
        keys.sign(
            &serde_json::json!({"iss": apps::service_account_issuer(tid), "sub": sub,
                "aud": [aud], "exp": now + 600, "nbf": now - 10}),
            false,
        )
        .expect("sign")
    };
    let other_sa = sign(
        "system:serviceaccount:default:other",
        TOKEN_EXCHANGE_AUDIENCE,
    );
    assert_eq!(code(with_assertion(WORKLOAD_APP_ID, &other_sa)), 700213);
    let wrong_aud = sign(&apps::service_account_subject(), "api://other");
    assert_eq!(code(with_assertion(WORKLOAD_APP_ID, &wrong_aud)), 700212);
}

#[test]
fn azure_devops_tokens_sign_in_the_service_connections_app_only() {
    let f = fixture();
    let keys = &f.state.keys;
    let now = jiff::Timestamp::now().as_second();
    let sign = |iss: &str, sub: &str| {
        keys.sign(
            &serde_json::json!({"iss": iss, "sub": sub, "aud": TOKEN_EXCHANGE_AUDIENCE,
                "exp": now + 600, "nbf": now - 10}),
            false,
        )
        .expect("sign")
    };
    let pipelines = crate::idp::pipelines::issuer();
    let good = sign(&pipelines, &crate::idp::pipelines::subject());
    let body = with_assertion(apps::PIPELINES_APP_ID, &good).expect("token");
    let claims = unverified_claims(body["access_token"].as_str().expect("at")).expect("jwt");
    assert_eq!(claims["oid"], apps::PIPELINES_OBJECT_ID);
    // Another service connection of the organization, or the token for another app.
    let other = sign(&pipelines, "sc://sandbox-org/sandbox-project/other");
    assert_eq!(code(with_assertion(apps::PIPELINES_APP_ID, &other)), 700213);
    assert_eq!(code(with_assertion(WORKLOAD_APP_ID, &good)), 700211);
}
