//! whoami against the sandbox: the cluster's view beside the Entra token's, group names from
//! Graph, the guest / overage / expiry warnings, and the formats.

use crate::support::can_i as can_i_support;

use can_i_support::{Sandbox, text};

#[test]
fn aksdev_sees_upn_and_appdev_by_name_and_id() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    let appdev = sb.group_id("appdev");
    let oid = sb.user_id("aksdev@contoso.com");

    let out = sb.entra(&["whoami"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ATTRIBUTE", "CLUSTER", "ENTRA", "TOKEN"],
        "{stdout}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["Username", "aksdev@contoso.com", "aksdev@contoso.com"]
    );
    assert!(
        stdout.contains(&format!("appdev ({appdev})")),
        "{stdout}\n{stderr}"
    );
    assert!(stdout.contains("system:authenticated"));
    assert!(stdout.contains("AKS Dev") || stdout.contains("Display name"));
    assert!(stdout.contains("80faf920-1908-4b52-b5ef-a8e7bedfc67a"));
    assert!(stdout.contains("left)"), "{stdout}");
    assert!(
        stdout.contains("file: "),
        "cache store and location: {stdout}"
    );
    // never the token itself
    assert!(!stdout.contains("eyJ") && !stderr.contains("eyJ"));
    assert!(!stderr.contains("warning"), "{stderr}");

    let out = sb.entra(&["whoami", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["cluster"]["username"], "aksdev@contoso.com");
    assert_eq!(doc["cluster"]["extra"]["oid"][0], oid.as_str());
    assert_eq!(doc["token"]["upn"], "aksdev@contoso.com");
    assert_eq!(doc["token"]["oid"], oid.as_str());
    assert_eq!(
        doc["token"]["audience"],
        "6dae42f8-4368-4678-94ff-3960e28e3630"
    );
    let groups = doc["groups"].as_array().expect("groups");
    assert!(
        groups
            .iter()
            .any(|g| g["id"] == appdev.as_str() && g["name"] == "appdev"),
        "{groups:?}"
    );
    assert!(
        groups
            .iter()
            .any(|g| g["id"] == "system:authenticated" && g["name"].is_null())
    );
    assert_eq!(doc["warnings"], serde_json::json!([]));

    let out = sb.entra(&["whoami", "-o", "yaml"]);
    let doc: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).expect("yaml");
    assert_eq!(
        doc["cluster"]["username"].as_str(),
        Some("aksdev@contoso.com")
    );

    // --no-graph: ids only, no Graph call
    let before = sb.stats()["graph_total"].as_u64().unwrap_or(0);
    let out = sb.entra(&["whoami", "--no-graph"]);
    assert!(!text(&out.stdout).contains("appdev ("));
    assert!(text(&out.stdout).contains(&appdev));
    assert_eq!(sb.stats()["graph_total"].as_u64().unwrap_or(0), before);
}

#[test]
fn any_cluster_without_kubectl_entra_shows_the_cluster_view_only() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    let out = sb.entra_admin(&["whoami", "-o", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(doc["token"].is_null());
    assert!(
        doc["cluster"]["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .any(|g| g == "system:masters")
    );
    let out = sb.entra_admin(&["whoami"]);
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout
            .lines()
            .next()
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["ATTRIBUTE", "VALUE"])
    );
    assert!(stdout.contains("system:masters"));
}

#[test]
fn guest_username_is_the_object_id_and_short_tokens_warn() {
    let guest = "partner_fabrikam.com#EXT#@contoso.com";
    let sb = Sandbox::start(guest, &["--token-lifetime", "240s"]);
    let oid = sb.user_id(guest);
    let out = sb.entra(&["whoami", "-o", "json"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["cluster"]["username"], oid.as_str());
    assert!(doc["token"]["upn"].is_null(), "{doc}");
    assert!(
        stderr.contains(&format!("the cluster knows you by your object id {oid}")),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("--user {oid}")), "{stderr}");
    assert!(stderr.contains("your token expires in"), "{stderr}");
    let warnings = doc["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn overage_tokens_warn_about_missing_groups() {
    let sb = Sandbox::start("manygroups@contoso.com", &[]);
    let out = sb.entra(&["whoami", "--no-graph", "-o", "json"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["token"]["groupsOverage"], true, "{doc}");
    assert!(stderr.contains("more than 200 groups"), "{stderr}");
    assert!(stderr.contains("_claim_names"), "{stderr}");
    let out = sb.entra(&["whoami", "--no-graph"]);
    assert!(text(&out.stdout).contains("(overage: not in the token)"));
}

#[test]
fn graph_failure_is_a_warning_and_ids_stay() {
    let sb = Sandbox::start("aksdev@contoso.com", &[]);
    let appdev = sb.group_id("appdev");
    // sign in first (Graph token included), then make Graph fail
    assert!(sb.entra(&["whoami"]).status.success());
    sb.post_fault(serde_json::json!({"endpoint": "graph", "count": 20, "status": 500}));
    let out = sb.entra(&["whoami"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: cannot resolve group names with Microsoft Graph"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&appdev) && !stdout.contains("appdev ("),
        "{stdout}"
    );
}
