//! Groups overage against the sandbox: manygroups@contoso.com is in more than 200 groups, so the
//! token carries `_claim_names` instead of `groups`. The API stand-in resolves the groups as AKS
//! does (appdev's binding in dev applies); whoami and can-i --why say Graph lists them and the
//! cluster sees them; the real kubectl gets the same answers.

use crate::support::can_i::{Sandbox, text};

#[test]
fn an_overage_user_gets_the_access_of_their_groups_as_on_aks() {
    let sb = Sandbox::start("manygroups@contoso.com", &[]);
    sb.article();
    let appdev = sb.group_id("appdev");

    // The real kubectl: allowed in dev through the appdev binding, not in sre.
    let out = sb.kubectl(&["auth", "can-i", "get", "pods", "-n", "dev"]);
    assert_eq!(text(&out.stdout).trim(), "yes", "{}", text(&out.stderr));
    let out = sb.kubectl(&["auth", "can-i", "get", "pods", "-n", "sre"]);
    assert_eq!(text(&out.stdout).trim(), "no");
    let out = sb.kubectl(&["auth", "whoami", "-o", "json"]);
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).expect("whoami json");
    let groups = me["status"]["userInfo"]["groups"]
        .as_array()
        .expect("groups");
    assert!(groups.iter().any(|g| g == appdev.as_str()), "{me}");
    assert!(groups.len() > 200, "{}", groups.len());

    // can-i --why: the binding, and the overage note.
    let out = sb.entra(&["can-i", "get", "pods", "-n", "dev", "--why"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("yes"), "{stdout}");
    assert!(stdout.contains("dev-user-access"), "{stdout}");
    assert!(stderr.contains("overage"), "{stderr}");
    assert!(
        stderr.contains("getMemberObjects lists 211 groups"),
        "{stderr}"
    );
    assert!(stderr.contains("the cluster sees all of them"), "{stderr}");

    // whoami: the same note; without Graph it still says what AKS does.
    let out = sb.entra(&["whoami"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("getMemberObjects lists 211 groups"),
        "{stderr}"
    );
    let out = sb.entra(&["whoami", "--no-graph"]);
    assert!(text(&out.stderr).contains("AKS resolves them through Microsoft Graph"));

    // Graph's answers behind it: getMemberObjects and checkMemberGroups were asked or answer.
    let stats = sb.stats();
    assert!(
        stats["graph"]["POST /users/{id}/getMemberObjects"]
            .as_u64()
            .unwrap_or(0)
            >= 2,
        "{stats}"
    );
}

#[test]
fn check_member_groups_answers_for_the_overage_user() {
    let sb = Sandbox::start("manygroups@contoso.com", &[]);
    let many = sb.user_id("manygroups@contoso.com");
    let appdev = sb.group_id("appdev");
    let opssre = sb.group_id("opssre");
    let base = sb.s("graph_endpoint");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let found = rt.block_on(async {
        // A Graph token from the emulator, directly (the plugin's cache is not shared here).
        let token = graph_token(&sb).await;
        let client = kubectl_entra::graph::GraphClient::new(&base, token).expect("client");
        let ids = client
            .member_objects(&many)
            .await
            .expect("getMemberObjects");
        assert_eq!(ids.len(), 211);
        client
            .check_member_groups(&many, &[appdev.clone(), opssre.clone()])
            .await
            .expect("checkMemberGroups")
    });
    assert_eq!(found, [appdev]);
}

/// A Graph access token for the auto-approved user, through the device-code flow of the
/// sandbox (auto-approve, poll interval 0).
async fn graph_token(sb: &Sandbox) -> kubectl_entra::entra::AccessToken {
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    let base = format!("{}/{}", sb.s("authority_host"), sb.s("tenant_id"));
    let client_id = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
    let scope = "https://graph.microsoft.com/.default openid offline_access profile";
    let dc: serde_json::Value = http
        .post(format!("{base}/oauth2/v2.0/devicecode"))
        .form(&[("client_id", client_id), ("scope", scope)])
        .send()
        .await
        .expect("devicecode")
        .json()
        .await
        .expect("json");
    let code = dc["device_code"].as_str().expect("device_code").to_string();
    for _ in 0..100 {
        let resp: serde_json::Value = http
            .post(format!("{base}/oauth2/v2.0/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", client_id),
                ("device_code", &code),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        if let Some(t) = resp["access_token"].as_str() {
            return kubectl_entra::entra::AccessToken {
                secret: t.to_string(),
                expires_on: jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600),
            };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no Graph token");
}
