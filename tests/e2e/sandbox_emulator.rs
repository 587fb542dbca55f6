//! The Entra emulator half of `kubectl entra sandbox`, driven over loopback HTTP like Entra.

use crate::support::sandbox as support;

use support::*;

#[tokio::test]
async fn discovery_documents_and_keys() {
    let sb = Sandbox::start(&[]);
    let base = sb.base();
    let tid = sb.tid();
    for alias in [tid.as_str(), "contoso.com"] {
        let (s, doc) = sb
            .get_json(&format!(
                "{base}/{alias}/v2.0/.well-known/openid-configuration"
            ))
            .await;
        assert_eq!(s, 200);
        assert_eq!(doc["issuer"], format!("{base}/{tid}/v2.0"));
        assert_eq!(doc["token_endpoint"], sb.s("token_endpoint"));
        assert_eq!(
            doc["device_authorization_endpoint"],
            sb.s("devicecode_endpoint")
        );
        assert_eq!(doc["jwks_uri"], sb.s("jwks_uri"));
    }
    let (_, doc) = sb
        .get_json(&format!(
            "{base}/organizations/v2.0/.well-known/openid-configuration"
        ))
        .await;
    assert_eq!(doc["issuer"], format!("{base}/{{tenantid}}/v2.0"));
    assert_eq!(
        doc["device_authorization_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/devicecode")
    );
    let (s, v1) = sb
        .get_json(&format!("{base}/{tid}/.well-known/openid-configuration"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v1["issuer"], format!("https://sts.windows.net/{tid}/"));
    assert_eq!(v1["issuer"], sb.s("issuer"));
    assert_eq!(v1["jwks_uri"], format!("{base}/common/discovery/keys"));
    let (_, a) = sb.get_json(&sb.s("jwks_uri")).await;
    let (_, b) = sb.get_json(&format!("{base}/common/discovery/keys")).await;
    assert_eq!(a, b);
    let key = &a["keys"][0];
    for field in ["kty", "use", "kid", "x5t", "n", "e"] {
        assert!(key[field].is_string(), "{field} in {key}");
    }
    assert_eq!(key["kty"], "RSA");
    let (s, err) = sb
        .get_json(&format!(
            "{base}/fabrikam.com/v2.0/.well-known/openid-configuration"
        ))
        .await;
    assert_eq!(s, 400);
    assert_eq!(err["error_codes"][0], 90002);
}

#[tokio::test]
async fn device_code_sign_in_through_the_html_page() {
    let sb = Sandbox::start(&[]);
    let tid = sb.tid();
    let (s, dc) = sb
        .devicecode(
            AKS_CLIENT,
            &format!("{AKS_SERVER}/.default openid offline_access profile"),
            Some("corr-1234"),
        )
        .await;
    assert_eq!(s, 200, "{dc}");
    let user_code = dc["user_code"].as_str().expect("user_code").to_string();
    assert!((8..=9).contains(&user_code.len()));
    assert!(
        user_code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    let device_code = dc["device_code"].as_str().expect("device_code").to_string();
    assert_eq!(dc["verification_uri"], sb.s("verification_uri"));
    assert_eq!(dc["expires_in"], 900);
    assert!(dc["interval"].is_u64());
    assert!(dc.get("verification_uri_complete").is_none());
    assert_eq!(
        dc["message"],
        format!(
            "To sign in, use a web browser to open the page {} and enter the code {user_code} to authenticate.",
            sb.s("verification_uri")
        )
    );

    // Pending; the correlation id repeats the devicecode request's client-request-id.
    let (s, pending) = sb.poll(&device_code).await;
    assert_eq!(s, 400);
    assert_eq!(pending["error"], "authorization_pending");
    assert_eq!(pending["error_codes"][0], 70016);
    assert_eq!(pending["correlation_id"], "corr-1234");
    assert!(
        pending["error_description"]
            .as_str()
            .expect("d")
            .starts_with("AADSTS70016: ")
    );
    assert_eq!(
        pending["timestamp"].as_str().expect("ts").as_bytes()[10],
        b' '
    );
    assert!(pending["trace_id"].is_string());
    assert_eq!(
        pending["error_uri"],
        "https://login.microsoftonline.com/error?code=70016"
    );

    // A wrong password is refused and leaves the code pending.
    let (status, page) =
        browser_sign_in(&sb, &user_code, "aksdev@contoso.com", "approve", "nope").await;
    assert_eq!(status, 401, "{page}");
    assert!(page.contains("password is incorrect"));

    let (status, page) =
        browser_sign_in(&sb, &user_code, "aksdev@contoso.com", "approve", "").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("as aksdev@contoso.com"), "{page}");
    assert!(page.contains("You have signed in to"));

    let (status, headers, body) = sb
        .post_form(
            &sb.s("token_endpoint"),
            &[
                ("grant_type", DEVICE_URN),
                ("client_id", AKS_CLIENT),
                ("device_code", &device_code),
                ("client_info", "1"),
                (
                    "scope",
                    &format!("{AKS_SERVER}/.default openid offline_access profile"),
                ),
            ],
            Some("poll-req-1"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store, no-cache");
    assert_eq!(headers["pragma"], "no-cache");
    assert_eq!(headers["client-request-id"], "poll-req-1");
    let tok: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(tok["token_type"], "Bearer");
    assert_eq!(
        tok["scope"],
        format!("{AKS_SERVER}/user.read {AKS_SERVER}/.default")
    );
    let expires_in = tok["expires_in"].as_i64().expect("expires_in");
    assert!((3600..=5400).contains(&expires_in), "{expires_in}");
    assert_eq!(tok["ext_expires_in"], tok["expires_in"]);
    assert!(tok["refresh_token"].is_string());

    let (header, claims) = sb
        .verify(
            tok["access_token"].as_str().expect("at"),
            AKS_SERVER,
            &sb.s("issuer"),
        )
        .await;
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert!(header.kid.is_some());
    assert_eq!(header.x5t, header.kid);
    assert_eq!(claims["ver"], "1.0");
    assert_eq!(claims["iss"], format!("https://sts.windows.net/{tid}/"));
    assert_eq!(claims["aud"], AKS_SERVER);
    assert_eq!(claims["upn"], "aksdev@contoso.com");
    assert_eq!(claims["unique_name"], "aksdev@contoso.com");
    assert_eq!(claims["oid"], sb.info["users"]["aksdev@contoso.com"]);
    assert_eq!(claims["tid"], tid);
    assert_eq!(claims["appid"], AKS_CLIENT);
    assert_eq!(claims["appidacr"], "0");
    assert_eq!(claims["acr"], "1");
    assert_eq!(claims["ipaddr"], "127.0.0.1");
    assert_eq!(claims["name"], "AKS Dev");
    assert!(claims["scp"].is_string() && claims["uti"].is_string() && claims["sub"].is_string());
    assert!(claims["amr"].is_array());
    let groups = claims["groups"].as_array().expect("groups");
    assert!(groups.contains(&sb.info["groups"]["appdev"]));
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(claims["nbf"], claims["iat"]);
    assert_eq!(claims["exp"].as_i64().expect("exp") - iat, expires_in + 300);

    let (id_header, id) = sb
        .verify(
            tok["id_token"].as_str().expect("id"),
            AKS_CLIENT,
            &format!("{}/{tid}/v2.0", sb.base()),
        )
        .await;
    assert!(id_header.x5t.is_none());
    assert_eq!(id["ver"], "2.0");
    assert_eq!(id["preferred_username"], "aksdev@contoso.com");
    assert_eq!(id["oid"], claims["oid"]);
    assert_eq!(id["tid"], tid);
    let info = decode_b64url_json(tok["client_info"].as_str().expect("client_info"));
    assert_eq!(info["uid"], claims["oid"]);
    assert_eq!(info["utid"], tid);

    // A device code is redeemed once.
    let (s, again) = sb.poll(&device_code).await;
    assert_eq!(s, 400);
    assert_eq!(again["error"], "invalid_grant");

    let stats = sb.stats().await;
    assert_eq!(stats["devicecode_total"], 1);
    assert_eq!(stats["token"]["device_code"], 3);
}

#[tokio::test]
async fn short_grant_type_decline_bad_code_and_optional_fields() {
    let sb = Sandbox::start(&[]);
    // Short grant type; no openid/offline_access/client_info: no id_token, RT or client_info.
    let (_, dc) = sb
        .devicecode(AKS_CLIENT, &format!("{AKS_SERVER}/.default"), None)
        .await;
    let uc = dc["user_code"].as_str().expect("uc");
    assert_eq!(sb.approve_json(uc, "akssre@contoso.com", false).await, 200);
    let (s, tok) = sb
        .token(&[
            ("grant_type", "device_code"),
            ("client_id", AKS_CLIENT),
            ("device_code", dc["device_code"].as_str().expect("dc")),
        ])
        .await;
    assert_eq!(s, 200, "{tok}");
    assert!(tok.get("refresh_token").is_none());
    assert!(tok.get("id_token").is_none());
    assert!(tok.get("client_info").is_none());

    // Declined through the page.
    let dc = sb.aks_devicecode().await;
    let (status, page) = browser_sign_in(
        &sb,
        dc["user_code"].as_str().expect("uc"),
        "aksdev@contoso.com",
        "decline",
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("declined"), "{page}");
    let (s, err) = sb.poll(dc["device_code"].as_str().expect("dc")).await;
    assert_eq!(s, 400);
    assert_eq!(err["error"], "authorization_declined");

    // Unknown device code; unknown user code on the page.
    let (s, err) = sb.poll("DAQABIQEAAAB-not-a-code").await;
    assert_eq!(s, 400);
    assert_eq!(err["error"], "bad_verification_code");
    let (status, page) =
        browser_sign_in(&sb, "NOPE12345", "aksdev@contoso.com", "approve", "").await;
    assert_eq!(status, 400);
    assert!(page.contains("not recognised"), "{page}");
}

#[tokio::test]
async fn expired_device_code() {
    let sb = Sandbox::start(&["--device-code-lifetime", "0"]);
    let dc = sb.aks_devicecode().await;
    assert_eq!(dc["expires_in"], 0);
    let (s, err) = sb.poll(dc["device_code"].as_str().expect("dc")).await;
    assert_eq!(s, 400);
    assert_eq!(err["error"], "expired_token");
    assert_eq!(err["error_codes"][0], 70020);
    assert_eq!(
        sb.approve_json(
            dc["user_code"].as_str().expect("uc"),
            "aksdev@contoso.com",
            false
        )
        .await,
        400
    );
}

#[tokio::test]
async fn refresh_rotates_keeps_old_tokens_and_crosses_resources() {
    let sb = Sandbox::start(&[]);
    let first = sb.sign_in("aksdev@contoso.com").await;
    let rt1 = first["refresh_token"].as_str().expect("rt1").to_string();
    let scope = format!("{AKS_SERVER}/.default openid offline_access profile");
    let refresh = |rt: String, scope: String| {
        let sb = &sb;
        async move {
            sb.token(&[
                ("grant_type", "refresh_token"),
                ("client_id", AKS_CLIENT),
                ("refresh_token", &rt),
                ("scope", &scope),
                ("client_info", "1"),
            ])
            .await
        }
    };
    let (s, second) = refresh(rt1.clone(), scope.clone()).await;
    assert_eq!(s, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().expect("rt2").to_string();
    assert_ne!(rt1, rt2);
    assert!(second["id_token"].is_string());
    // The old refresh token still works (Entra does not revoke on rotation).
    let (s, third) = refresh(rt1.clone(), scope.clone()).await;
    assert_eq!(s, 200, "{third}");

    // Cross-resource: the same RT mints a Graph token.
    for graph_scope in [
        "https://graph.microsoft.com/.default openid offline_access profile",
        "00000003-0000-0000-c000-000000000000/.default",
    ] {
        let (s, g) = refresh(rt2.clone(), graph_scope.to_string()).await;
        assert_eq!(s, 200, "{g}");
        let (_, claims) = sb
            .verify(
                g["access_token"].as_str().expect("at"),
                GRAPH,
                &sb.s("issuer"),
            )
            .await;
        assert_eq!(claims["aud"], GRAPH);
        assert_eq!(claims["upn"], "aksdev@contoso.com");
    }

    // Refresh without scope keeps the original resource.
    let (s, plain) = sb
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", AKS_CLIENT),
            ("refresh_token", &rt2),
        ])
        .await;
    assert_eq!(s, 200, "{plain}");
    let (_, claims) = sb
        .verify(
            plain["access_token"].as_str().expect("at"),
            AKS_SERVER,
            &sb.s("issuer"),
        )
        .await;
    assert_eq!(claims["aud"], AKS_SERVER);

    // Another client cannot redeem it; garbage is invalid_grant.
    let (s, e) = sb
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", AZ_CLI),
            ("refresh_token", &rt2),
        ])
        .await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "invalid_grant");
    let (s, e) = refresh("1.garbage".to_string(), scope.clone()).await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "invalid_grant");

    // Revocation: every RT of the user fails with AADSTS50173; a new sign-in works again.
    let (s, r) = sb
        .post_json(
            &sb.s("revoke_url"),
            serde_json::json!({"upn": "aksdev@contoso.com"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    for rt in [rt1, rt2] {
        let (s, e) = refresh(rt, scope.clone()).await;
        assert_eq!(s, 400);
        assert_eq!(e["error"], "invalid_grant");
        assert_eq!(e["error_codes"][0], 50173);
    }
    let fresh = sb.sign_in("aksdev@contoso.com").await;
    let (s, _) = refresh(
        fresh["refresh_token"].as_str().expect("rt").to_string(),
        scope,
    )
    .await;
    assert_eq!(s, 200);
    let stats = sb.stats().await;
    assert!(stats["token"]["refresh_token"].as_u64().expect("count") >= 8);
}

#[tokio::test]
async fn guest_and_group_overage_tokens() {
    let sb = Sandbox::start(&[]);
    let guest_upn = "partner_fabrikam.com#EXT#@contoso.com";
    let tok = sb.sign_in(guest_upn).await;
    let (_, claims) = sb
        .verify(
            tok["access_token"].as_str().expect("at"),
            AKS_SERVER,
            &sb.s("issuer"),
        )
        .await;
    assert!(claims.get("upn").is_none(), "{claims}");
    assert_eq!(claims["unique_name"], "live.com#partner@fabrikam.com");
    assert_eq!(claims["idp"], "live.com");
    assert_eq!(claims["acct"], 1);
    assert_eq!(claims["oid"], sb.info["users"][guest_upn]);
    let info = decode_b64url_json(tok["client_info"].as_str().expect("ci"));
    assert_ne!(info["utid"], sb.tid());

    let tok = sb.sign_in("manygroups@contoso.com").await;
    let (_, claims) = sb
        .verify(
            tok["access_token"].as_str().expect("at"),
            AKS_SERVER,
            &sb.s("issuer"),
        )
        .await;
    assert!(claims.get("groups").is_none());
    assert_eq!(claims["_claim_names"]["groups"], "src1");
    let oid = claims["oid"].as_str().expect("oid");
    assert_eq!(
        claims["_claim_sources"]["src1"]["endpoint"],
        format!(
            "https://graph.windows.net/{}/users/{oid}/getMemberObjects",
            sb.tid()
        )
    );
}

#[tokio::test]
async fn client_tenant_and_scope_errors() {
    let sb = Sandbox::start(&[]);
    let (s, e) = sb
        .devicecode(
            "11111111-2222-3333-4444-555555555555",
            &format!("{AKS_SERVER}/.default"),
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e["error_codes"][0], 700016);
    let (s, e) = sb
        .devicecode(
            AKS_CLIENT,
            &format!("{AKS_SERVER}/.default https://graph.microsoft.com/.default"),
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "invalid_scope");
    assert_eq!(e["error_codes"][0], 70011);
    let (s, e) = sb
        .devicecode(
            AKS_CLIENT,
            "99999999-0000-0000-0000-000000000000/.default",
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "invalid_resource");
    assert_eq!(e["error_codes"][0], 500011);
    let (s, e) = sb.devicecode(AKS_CLIENT, "openid profile", None).await;
    assert_eq!(s, 400);
    assert_eq!(e["error"], "invalid_scope");
    // Azure CLI and the organizations alias work, and Azure CLI is FOCI.
    let (s, _, body) = sb
        .post_form(
            &format!("{}/organizations/oauth2/v2.0/devicecode", sb.base()),
            &[
                ("client_id", AZ_CLI),
                (
                    "scope",
                    "https://graph.microsoft.com/.default offline_access",
                ),
            ],
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let (s, _, body) = sb
        .post_form(
            &format!("{}/fabrikam.com/oauth2/v2.0/token", sb.base()),
            &[
                ("client_id", AKS_CLIENT),
                ("grant_type", "device_code"),
                ("device_code", "x"),
            ],
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert!(body.contains("90002"));
}

#[tokio::test]
async fn auto_approve_and_token_lifetime() {
    let sb = Sandbox::start(&[
        "--auto-approve",
        "akssre@contoso.com",
        "--token-lifetime",
        "90s",
    ]);
    let dc = sb.aks_devicecode().await;
    let (s, tok) = sb.poll(dc["device_code"].as_str().expect("dc")).await;
    assert_eq!(s, 200, "{tok}");
    assert_eq!(tok["expires_in"], 90);
    let (_, claims) = sb
        .verify(
            tok["access_token"].as_str().expect("at"),
            AKS_SERVER,
            &sb.s("issuer"),
        )
        .await;
    assert_eq!(claims["upn"], "akssre@contoso.com");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        390
    );
}
