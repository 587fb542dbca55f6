//! Token authentication like AKS: only RS256 JWTs from the configured keys, issuer and
//! audience, unexpired, are accepted; everything else is a 401 Status.

use crate::support::apiserver as apiserver_support;
use apiserver_support::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const SSR: &str = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

fn whoami(c: &Cluster, token: &str) -> (u16, serde_json::Value) {
    c.request(
        "POST",
        SSR,
        Some(token),
        Some("application/json"),
        Some(br#"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#.to_vec()),
    )
}

fn assert_unauthorized(c: &Cluster, token: &str, what: &str) {
    let (code, body) = whoami(c, token);
    assert_eq!(code, 401, "{what}: {body}");
    assert_eq!(
        body,
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}),
        "{what}"
    );
}

#[test]
fn valid_token_maps_identity_like_aks() {
    let c = start();
    let (code, body) = whoami(&c, &dev_token());
    assert_eq!(code, 201, "{body}");
    let ui = &body["status"]["userInfo"];
    assert_eq!(ui["username"], "aksdev@contoso.com");
    assert_eq!(ui["uid"], DEV_OID);
    assert_eq!(ui["groups"], json!([APPDEV_GROUP, "system:authenticated"]));
    assert_eq!(ui["extra"]["oid"], json!([DEV_OID]));

    // A guest has no upn: the object id is the username.
    let mut guest = claims("", "dddddddd-0000-4000-8000-000000000009", &[]);
    guest.as_object_mut().map(|m| m.remove("upn"));
    let (_, body) = whoami(&c, &sign(&guest));
    assert_eq!(
        body["status"]["userInfo"]["username"],
        "dddddddd-0000-4000-8000-000000000009"
    );

    // Groups overage: no groups claim, only system:authenticated.
    let mut over = claims("many@contoso.com", "o-many", &[]);
    over.as_object_mut().map(|m| m.remove("groups"));
    over["_claim_names"] = json!({"groups": "src1"});
    over["_claim_sources"] =
        json!({"src1": {"endpoint": "https://graph.windows.net/t/users/o/getMemberObjects"}});
    let (_, body) = whoami(&c, &sign(&over));
    assert_eq!(
        body["status"]["userInfo"]["groups"],
        json!(["system:authenticated"])
    );

    // nbf within a minute in the future is accepted (leeway).
    let mut early = claims("aksdev@contoso.com", DEV_OID, &[]);
    early["nbf"] = json!(now() + 30);
    assert_eq!(whoami(&c, &sign(&early)).0, 201);

    // The admin token.
    let (_, body) = whoami(&c, ADMIN_TOKEN);
    assert_eq!(body["status"]["userInfo"]["username"], "sandbox-admin");
    assert!(
        body["status"]["userInfo"]["groups"]
            .as_array()
            .is_some_and(|g| g.contains(&json!("system:masters")))
    );
}

#[test]
fn bad_tokens_get_401() {
    let c = start();
    let base = claims("aksdev@contoso.com", DEV_OID, &[APPDEV_GROUP]);

    let mut expired = base.clone();
    expired["exp"] = json!(now() - 1);
    assert_unauthorized(&c, &sign(&expired), "expired");

    let mut aud = base.clone();
    aud["aud"] = json!("spn:6dae42f8-4368-4678-94ff-3960e28e3630");
    assert_unauthorized(&c, &sign(&aud), "wrong audience");

    let mut iss = base.clone();
    iss["iss"] = json!(format!("https://login.microsoftonline.com/{TENANT}/v2.0"));
    assert_unauthorized(&c, &sign(&iss), "v2 issuer");

    let mut late = base.clone();
    late["nbf"] = json!(now() + 600);
    assert_unauthorized(&c, &sign(&late), "not yet valid");

    let other = make_key();
    assert_unauthorized(&c, &sign_with(&other.encoding, &base), "wrong key");

    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &base,
        &EncodingKey::from_secret(b"k").expect("hmac key"),
    )
    .unwrap_or_default();
    assert_unauthorized(&c, &hs, "HS256");

    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&base).unwrap_or_default());
    assert_unauthorized(&c, &format!("{header}.{payload}."), "alg none");

    // Forged: a valid signature over different claims.
    let good = dev_token();
    let parts: Vec<&str> = good.split('.').collect();
    let mut forged = base.clone();
    forged["upn"] = json!("admin@contoso.com");
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap_or_default());
    assert_unauthorized(
        &c,
        &format!("{}.{forged_payload}.{}", parts[0], parts[2]),
        "forged",
    );

    assert_unauthorized(&c, "garbage", "garbage");
    let (code, _) = c.request("GET", "/api", None, None, None);
    assert_eq!(code, 401, "no token");
}
