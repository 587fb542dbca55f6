//! Tests of the whole module against in-memory clusters: authorizer, rules review, escalation,
//! aggregation.

use super::rule::tests::{named, req, rule, url_req, url_rule};
use super::*;

const CLUSTER: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-admin}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
- {nonResourceURLs: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
- {apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: health}
rules:
- {nonResourceURLs: ["/healthz", "/logs/*"], verbs: ["get"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: health-for-all}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: health}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: star-user}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "*"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dev-user-full-access, namespace: dev}
rules:
- {apiGroups: ["", "extensions", "apps"], resources: ["*"], verbs: ["*"]}
- {apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-user-access, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev-user-full-access}
subjects:
- {kind: Group, namespace: dev, name: "appdev-oid"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: sre}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "aksdev@contoso.com"}
- {kind: ServiceAccount, name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dangling, namespace: sre}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: gone}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: "broken@contoso.com"}
"#;

fn cluster() -> MemorySource {
    MemorySource::from_yaml(CLUSTER).expect("fixture parses")
}

fn user(name: &str, groups: &[&str]) -> UserInfo {
    let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    groups.push("system:authenticated".into());
    UserInfo {
        name: name.into(),
        groups,
        ..Default::default()
    }
}

fn in_ns(mut a: Attributes, ns: &str) -> Attributes {
    a.namespace = ns.into();
    a
}

#[test]
fn masters_are_allowed_with_the_privileged_group_authorizers_empty_reason() {
    let src = MemorySource::new(); // even without any binding
    let admin = user("admin", &["system:masters"]);
    let d = authorize(
        &src,
        &admin,
        &in_ns(req("delete", "", "nodes", "", "n1"), ""),
    );
    assert_eq!(
        d,
        Decision {
            allowed: true,
            reason: String::new()
        }
    );
    assert!(authorize(&src, &admin, &url_req("post", "/anything")).allowed);
}

#[test]
fn role_binding_allows_with_the_api_servers_reason() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let d = authorize(&cluster(), &dev, &req("create", "", "pods", "", ""));
    assert!(d.allowed);
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by RoleBinding "dev-user-access/dev" of Role "dev-user-full-access" to Group "appdev-oid""#
    );
}

#[test]
fn cluster_role_binding_reason_and_order() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let d = authorize(&cluster(), &dev, &url_req("get", "/logs/kube.log"));
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by ClusterRoleBinding "health-for-all" of ClusterRole "health" to Group "system:authenticated""#
    );
    // `/logs/*` does not cover `/logs`
    let d = authorize(&cluster(), &dev, &url_req("get", "/logs"));
    assert_eq!(
        d,
        Decision {
            allowed: false,
            reason: String::new()
        }
    );
}

#[test]
fn denial_has_an_empty_reason() {
    let sre = user("akssre@contoso.com", &["opssre-oid"]);
    let d = authorize(&cluster(), &sre, &req("create", "", "pods", "", ""));
    assert_eq!(
        d,
        Decision {
            allowed: false,
            reason: String::new()
        }
    );
}

#[test]
fn role_bindings_are_not_consulted_for_cluster_scope() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    assert!(
        !authorize(
            &cluster(),
            &dev,
            &in_ns(req("list", "", "pods", "", ""), "")
        )
        .allowed
    );
}

#[test]
fn role_binding_to_cluster_role_grants_only_in_its_namespace() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let d = authorize(
        &cluster(),
        &dev,
        &in_ns(req("list", "", "pods", "", ""), "sre"),
    );
    assert!(d.allowed);
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by RoleBinding "readers/sre" of ClusterRole "pod-reader" to User "aksdev@contoso.com""#
    );
    let sre_only = user("aksdev@contoso.com", &[]);
    assert!(
        !authorize(
            &cluster(),
            &sre_only,
            &in_ns(req("list", "", "pods", "", ""), "dev")
        )
        .allowed
    );
    assert!(
        !authorize(
            &cluster(),
            &sre_only,
            &in_ns(req("list", "", "pods", "", ""), "")
        )
        .allowed
    );
    assert!(
        !authorize(
            &cluster(),
            &sre_only,
            &in_ns(req("list", "", "pods", "", ""), "other")
        )
        .allowed
    );
}

#[test]
fn user_subject_named_star_is_not_a_wildcard() {
    let nobody = user("nobody", &[]);
    let d = authorize(
        &cluster(),
        &nobody,
        &in_ns(req("get", "", "secrets", "", "s"), "dev"),
    );
    assert!(!d.allowed);
    let star = UserInfo {
        name: "*".into(),
        ..Default::default()
    };
    assert!(
        authorize(
            &cluster(),
            &star,
            &in_ns(req("get", "", "secrets", "", "s"), "dev")
        )
        .allowed
    );
}

#[test]
fn service_account_subject_defaults_to_the_binding_namespace() {
    let ci = user("system:serviceaccount:sre:ci", &["system:serviceaccounts"]);
    let d = authorize(
        &cluster(),
        &ci,
        &in_ns(req("get", "", "pods", "", "p"), "sre"),
    );
    assert_eq!(
        d.reason,
        r#"RBAC: allowed by RoleBinding "readers/sre" of ClusterRole "pod-reader" to ServiceAccount "ci/sre""#
    );
    let other_ns = user("system:serviceaccount:dev:ci", &[]);
    assert!(
        !authorize(
            &cluster(),
            &other_ns,
            &in_ns(req("get", "", "pods", "", "p"), "sre")
        )
        .allowed
    );
}

#[test]
fn missing_roles_are_skipped_and_reported_like_the_api_server() {
    let broken = user("broken@contoso.com", &[]);
    let d = authorize(
        &cluster(),
        &broken,
        &in_ns(req("get", "", "pods", "", ""), "sre"),
    );
    assert_eq!(
        d,
        Decision {
            allowed: false,
            reason: r#"RBAC: role.rbac.authorization.k8s.io "gone" not found"#.into()
        }
    );
    // other bindings still work
    assert!(authorize(&cluster(), &broken, &url_req("get", "/healthz")).allowed);
    let set = rules_for(&cluster(), &broken, "sre");
    assert_eq!(
        set.evaluation_error,
        r#"role.rbac.authorization.k8s.io "gone" not found"#
    );
    assert!(!set.incomplete);
}

#[test]
fn subresource_and_resource_name_traps_through_the_authorizer() {
    let dev = user("aksdev@contoso.com", &[]);
    let mut src = cluster();
    src.cluster_roles
        .push(k8s_openapi::api::rbac::v1::ClusterRole {
            metadata: meta("scaler", None),
            rules: Some(vec![
                rule(&["update"], &["apps"], &["*/scale"]),
                named(rule(&["get"], &[""], &["configmaps"]), &["app-config"]),
            ]),
            ..Default::default()
        });
    src.cluster_role_bindings
        .push(k8s_openapi::api::rbac::v1::ClusterRoleBinding {
            metadata: meta("scaler", None),
            role_ref: role_ref("ClusterRole", "scaler"),
            subjects: Some(vec![super::subject::tests::subject(
                "User",
                "aksdev@contoso.com",
                None,
            )]),
        });
    let scale = req("update", "apps", "deployments", "scale", "web");
    assert!(authorize(&src, &dev, &scale).allowed);
    assert!(!authorize(&src, &dev, &req("update", "apps", "deployments", "", "web")).allowed);
    assert!(authorize(&src, &dev, &req("get", "", "configmaps", "", "app-config")).allowed);
    assert!(!authorize(&src, &dev, &req("list", "", "configmaps", "", "")).allowed);
    // `pods` (in pod-reader via readers/sre) does not grant `pods/status`
    assert!(authorize(&src, &dev, &in_ns(req("get", "", "pods", "", "p"), "sre")).allowed);
    assert!(
        !authorize(
            &src,
            &dev,
            &in_ns(req("get", "", "pods", "status", "p"), "sre")
        )
        .allowed
    );
}

#[test]
fn find_allowing_rule_names_binding_and_rule() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let (found, errors) =
        find_allowing_rule(&cluster(), &dev, &req("create", "batch", "jobs", "", ""));
    let (source, rule_found) = found.expect("allowed");
    assert!(errors.is_empty());
    assert_eq!(source.binding_name, "dev-user-access");
    assert_eq!(source.role_name, "dev-user-full-access");
    assert_eq!(rule_found, rule(&["*"], &["batch"], &["jobs", "cronjobs"]));
    let bindings = bindings_for(&cluster(), &dev, "dev");
    let names: Vec<&str> = bindings.iter().map(|b| b.binding_name.as_str()).collect();
    assert_eq!(names, ["health-for-all", "dev-user-access"]);
}

#[test]
fn rules_review_unions_cluster_and_namespace_rules_split() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let set = rules_for(&cluster(), &dev, "dev");
    assert_eq!(
        set.resource_rules,
        vec![
            rule(&["*"], &["", "extensions", "apps"], &["*"]),
            rule(&["*"], &["batch"], &["jobs", "cronjobs"]),
        ]
    );
    assert_eq!(
        set.non_resource_rules,
        vec![url_rule(&["get"], &["/healthz", "/logs/*"])]
    );
    assert!(!set.incomplete);
    assert_eq!(set.evaluation_error, "");
    // in sre only the cluster-role rules via the RoleBinding, no dev rules
    let set = rules_for(&cluster(), &dev, "sre");
    assert_eq!(
        set.resource_rules,
        vec![rule(&["get", "list", "watch"], &[""], &["pods"])]
    );
    // a rule with both resources and URLs lands in both lists
    let mut src = MemorySource::new();
    let mut both = rule(&["get"], &[""], &["pods"]);
    both.non_resource_urls = Some(vec!["/x".into()]);
    src.cluster_roles
        .push(k8s_openapi::api::rbac::v1::ClusterRole {
            metadata: meta("both", None),
            rules: Some(vec![both]),
            ..Default::default()
        });
    src.cluster_role_bindings
        .push(k8s_openapi::api::rbac::v1::ClusterRoleBinding {
            metadata: meta("both", None),
            role_ref: role_ref("ClusterRole", "both"),
            subjects: Some(vec![super::subject::tests::subject("User", "u", None)]),
        });
    let set = rules_for(&src, &user("u", &[]), "");
    assert_eq!(set.resource_rules, vec![rule(&["get"], &[""], &["pods"])]);
    assert_eq!(set.non_resource_rules, vec![url_rule(&["get"], &["/x"])]);
}

#[test]
fn rules_review_for_masters() {
    let admin = user("admin", &["system:masters"]);
    let want = RuleSet {
        resource_rules: vec![rule(&["*"], &["*"], &["*"])],
        non_resource_rules: vec![
            url_rule(&["*"], &["*"]),
            url_rule(&["get"], &["/healthz", "/logs/*"]),
        ],
        ..Default::default()
    };
    // via the cluster-admin binding, not twice
    assert_eq!(rules_for(&cluster(), &admin, "dev"), want);
    // without the binding, still everything
    let set = rules_for(&MemorySource::new(), &admin, "dev");
    assert_eq!(set.resource_rules, vec![rule(&["*"], &["*"], &["*"])]);
    assert_eq!(set.non_resource_rules, vec![url_rule(&["*"], &["*"])]);
}

#[test]
fn rules_allow_evaluates_a_review_locally() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let set = rules_for(&cluster(), &dev, "dev");
    assert!(rules_allow(
        &set.resource_rules,
        &req("delete", "apps", "deployments", "", "web")
    ));
    assert!(!rules_allow(
        &set.resource_rules,
        &req("get", "rbac.authorization.k8s.io", "roles", "", "")
    ));
    assert!(rules_allow(
        &set.non_resource_rules,
        &url_req("get", "/healthz")
    ));
}

// ---- escalation ----

#[test]
fn breakdown_is_atomic() {
    let pieces = breakdown_rule(&named(
        rule(&["get", "update"], &["", "apps"], &["a"]),
        &["x", "y"],
    ));
    assert_eq!(pieces.len(), 8);
    assert!(pieces.contains(&named(rule(&["update"], &["apps"], &["a"]), &["y"])));
    assert_eq!(
        breakdown_rule(&url_rule(&["get", "post"], &["/a"])),
        vec![url_rule(&["get"], &["/a"]), url_rule(&["post"], &["/a"])]
    );
}

#[test]
fn covers_and_uncovers() {
    let owner = vec![
        rule(&["get", "list"], &[""], &["pods", "*/status"]),
        named(rule(&["*"], &[""], &["configmaps"]), &["app"]),
        url_rule(&["get"], &["/logs/*"]),
    ];
    assert!(covers(&owner, &[rule(&["get"], &[""], &["pods"])]));
    assert!(covers(
        &owner,
        &[rule(&["list"], &[""], &["deployments/status"])]
    ));
    assert!(covers(
        &owner,
        &[named(rule(&["delete"], &[""], &["configmaps"]), &["app"])]
    ));
    assert!(covers(&owner, &[url_rule(&["get"], &["/logs/a"])]));
    // a name-restricted owner does not cover the unrestricted rule
    assert_eq!(
        uncovered_rules(&owner, &[rule(&["get"], &[""], &["configmaps"])]),
        vec![rule(&["get"], &[""], &["configmaps"])]
    );
    // exactly the missing pieces
    assert_eq!(
        uncovered_rules(
            &owner,
            &[rule(&["get", "delete"], &["", "apps"], &["pods"])]
        ),
        vec![
            rule(&["delete"], &[""], &["pods"]),
            rule(&["get"], &["apps"], &["pods"]),
            rule(&["delete"], &["apps"], &["pods"]),
        ]
    );
    // `pods` does not cover `pods/log`; `/logs/*` does not cover `/logs`
    assert!(!covers(&owner, &[rule(&["get"], &[""], &["pods/log"])]));
    assert!(!covers(&owner, &[url_rule(&["get"], &["/logs"])]));
    // resource rules do not cover URLs and vice versa
    assert!(!covers(
        &[rule(&["*"], &["*"], &["*"])],
        &[url_rule(&["get"], &["/x"])]
    ));
    assert!(!covers(
        &[url_rule(&["*"], &["*"])],
        &[rule(&["get"], &[""], &["pods"])]
    ));
    assert!(covers(
        &rules_review::full_authority(),
        &[rule(&["x"], &["y"], &["z/w"])]
    ));
}

#[test]
fn compact_rules_merge_verbs() {
    let merged = compact_rules(&[
        rule(&["get"], &[""], &["pods"]),
        rule(&["list"], &[""], &["pods"]),
        url_rule(&["get"], &["/x"]),
    ]);
    assert_eq!(
        merged,
        vec![
            url_rule(&["get"], &["/x"]),
            rule(&["get", "list"], &[""], &["pods"])
        ]
    );
}

#[test]
fn role_write_escalation_message_is_the_api_servers() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let ok = check_role_write(
        &cluster(),
        &dev,
        "dev",
        &[rule(&["get"], &["apps"], &["deployments"])],
        false,
    );
    assert_eq!(ok, Ok(()));
    let err = check_role_write(
        &cluster(),
        &dev,
        "dev",
        &[rule(
            &["get", "list"],
            &["rbac.authorization.k8s.io"],
            &["roles"],
        )],
        false,
    )
    .expect_err("escalation");
    assert_eq!(
        err,
        "user \"aksdev@contoso.com\" (groups=[\"appdev-oid\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"rbac.authorization.k8s.io\"], Resources:[\"roles\"], Verbs:[\"get\" \"list\"]}"
    );
    // not in sre, where only pod-reader applies
    assert!(
        check_role_write(
            &cluster(),
            &dev,
            "sre",
            &[rule(&["delete"], &[""], &["pods"])],
            false
        )
        .is_err()
    );
    // masters may do anything
    let admin = user("admin", &["system:masters"]);
    assert_eq!(
        check_role_write(
            &MemorySource::new(),
            &admin,
            "",
            &[rule(&["*"], &["*"], &["*"])],
            true
        ),
        Ok(())
    );
}

#[test]
fn escalate_verb_allows_role_writes_and_aggregation_needs_full_authority() {
    let mut src = cluster();
    src.cluster_roles
        .push(k8s_openapi::api::rbac::v1::ClusterRole {
            metadata: meta("role-escalator", None),
            rules: Some(vec![rule(
                &["escalate"],
                &["rbac.authorization.k8s.io"],
                &["clusterroles"],
            )]),
            ..Default::default()
        });
    src.cluster_role_bindings
        .push(k8s_openapi::api::rbac::v1::ClusterRoleBinding {
            metadata: meta("esc", None),
            role_ref: role_ref("ClusterRole", "role-escalator"),
            subjects: Some(vec![super::subject::tests::subject("User", "esc", None)]),
        });
    let esc = user("esc", &[]);
    assert_eq!(
        check_role_write(&src, &esc, "", &[rule(&["*"], &["*"], &["*"])], true),
        Ok(())
    );
    // escalate on clusterroles does not cover namespaced roles
    assert!(
        check_role_write(
            &src,
            &esc,
            "dev",
            &[rule(&["get"], &[""], &["pods"])],
            false
        )
        .is_err()
    );
    // holding the rules is not enough for an aggregationRule
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    assert_eq!(
        check_role_write(&src, &dev, "", &[url_rule(&["get"], &["/healthz"])], true),
        Err("must have cluster-admin privileges to use the aggregationRule".to_string())
    );
}

#[test]
fn binding_writes_need_bind_or_the_roles_rules() {
    let dev = user("aksdev@contoso.com", &["appdev-oid"]);
    let src = cluster();
    // dev holds everything of dev-user-full-access in dev
    assert_eq!(
        check_binding_write(&src, &dev, "dev", &role_ref("Role", "dev-user-full-access")),
        Ok(())
    );
    // but not cluster-admin
    assert!(matches!(
        check_binding_write(&src, &dev, "dev", &role_ref("ClusterRole", "cluster-admin")),
        Err(EscalationDenied::Forbidden(_))
    ));
    assert_eq!(
        check_binding_write(&src, &dev, "dev", &role_ref("Role", "nope")),
        Err(EscalationDenied::NotFound(
            r#"role.rbac.authorization.k8s.io "nope" not found"#.into()
        ))
    );
    // the bind verb on that role name is enough
    let mut src = cluster();
    src.cluster_roles
        .push(k8s_openapi::api::rbac::v1::ClusterRole {
            metadata: meta("binder", None),
            rules: Some(vec![named(
                rule(&["bind"], &["rbac.authorization.k8s.io"], &["clusterroles"]),
                &["cluster-admin"],
            )]),
            ..Default::default()
        });
    src.cluster_role_bindings
        .push(k8s_openapi::api::rbac::v1::ClusterRoleBinding {
            metadata: meta("binder", None),
            role_ref: role_ref("ClusterRole", "binder"),
            subjects: Some(vec![super::subject::tests::subject(
                "User",
                "aksdev@contoso.com",
                None,
            )]),
        });
    assert_eq!(
        check_binding_write(&src, &dev, "dev", &role_ref("ClusterRole", "cluster-admin")),
        Ok(())
    );
    assert!(check_binding_write(&src, &dev, "", &role_ref("ClusterRole", "pod-reader")).is_err());
}

// ---- aggregation ----

const AGGREGATION: &str = r#"
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
  - matchExpressions:
    - {key: tier, operator: In, values: [metrics, logs]}
    - {key: deprecated, operator: DoesNotExist}
rules:
- {apiGroups: [""], resources: ["stale"], verbs: ["get"]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: b-endpoints, labels: {rbac.example.com/aggregate-to-monitoring: "true"}}
rules:
- {apiGroups: [""], resources: ["endpoints"], verbs: ["get"]}
- {apiGroups: [""], resources: ["pods"], verbs: ["get"]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: a-metrics, labels: {tier: metrics}}
rules:
- {apiGroups: [""], resources: ["pods"], verbs: ["get"]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: c-old-logs, labels: {tier: logs, deprecated: "yes"}}
rules:
- {apiGroups: [""], resources: ["old"], verbs: ["get"]}
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: d-other, labels: {tier: web}}
rules:
- {apiGroups: [""], resources: ["web"], verbs: ["get"]}
"#;

#[test]
fn aggregation_unions_selected_roles_in_name_order_deduplicated() {
    let src = MemorySource::from_yaml(AGGREGATION).expect("parse");
    let target = &src.cluster_roles[0];
    assert_eq!(
        aggregate(target, &src.cluster_roles),
        vec![
            rule(&["get"], &[""], &["pods"]),
            rule(&["get"], &[""], &["endpoints"]),
        ]
    );
    // a role without aggregationRule keeps its rules
    assert_eq!(
        aggregate(&src.cluster_roles[4], &src.cluster_roles),
        vec![rule(&["get"], &[""], &["web"])]
    );
    let all = aggregate_all(&src.cluster_roles);
    assert_eq!(all[0].rules.as_ref().map(Vec::len), Some(2));
}

#[test]
fn nested_aggregation_and_cycles() {
    let yaml = r#"
kind: ClusterRole
metadata: {name: admin}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-admin: "true"}}]}
---
kind: ClusterRole
metadata: {name: edit, labels: {to-admin: "true"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-edit: "true"}}]}
---
kind: ClusterRole
metadata: {name: edit-pods, labels: {to-edit: "true"}}
rules: [{apiGroups: [""], resources: ["pods"], verbs: ["create"]}]
---
kind: ClusterRole
metadata: {name: loop, labels: {to-edit: "true"}}
aggregationRule: {clusterRoleSelectors: [{matchLabels: {to-edit: "true"}}]}
"#;
    let src = MemorySource::from_yaml(yaml).expect("parse");
    assert_eq!(
        aggregate(&src.cluster_roles[0], &src.cluster_roles),
        vec![rule(&["create"], &[""], &["pods"])]
    );
}

#[test]
fn label_selector_operators() {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
    let labels: std::collections::BTreeMap<String, String> =
        [("a".to_string(), "1".to_string())].into_iter().collect();
    let expr = |op: &str, values: &[&str]| LabelSelector {
        match_expressions: Some(vec![LabelSelectorRequirement {
            key: "a".into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }]),
        ..Default::default()
    };
    assert!(selector_matches(&LabelSelector::default(), &labels));
    assert!(selector_matches(&expr("In", &["1", "2"]), &labels));
    assert!(!selector_matches(&expr("In", &["2"]), &labels));
    assert!(!selector_matches(&expr("NotIn", &["1"]), &labels));
    assert!(selector_matches(&expr("NotIn", &["2"]), &labels));
    assert!(selector_matches(
        &expr("NotIn", &["2"]),
        &Default::default()
    ));
    assert!(selector_matches(&expr("Exists", &[]), &labels));
    assert!(!selector_matches(&expr("DoesNotExist", &[]), &labels));
    // invalid selectors select nothing
    assert!(!selector_matches(&expr("In", &[]), &labels));
    assert!(!selector_matches(&expr("Exists", &["1"]), &labels));
    assert!(!selector_matches(&expr("Bogus", &["1"]), &labels));
}

// ---- memory source ----

#[test]
fn memory_source_filters_by_namespace_and_reads_lists() {
    let src = cluster();
    assert_eq!(src.role_bindings("sre").len(), 2);
    assert!(src.role_bindings("").is_empty());
    assert!(src.role("dev", "dev-user-full-access").is_some());
    assert!(src.role("sre", "dev-user-full-access").is_none());
    assert!(src.cluster_role("health").is_some());
    let list = r#"{"kind":"List","items":[{"kind":"Role","metadata":{"name":"r","namespace":"x"}},{"kind":"Pod"}]}"#;
    let src = MemorySource::from_yaml(list).expect("parse");
    assert_eq!(src.roles("x").len(), 1);
    assert!(MemorySource::from_yaml("kind: Role\nmetadata: [").is_err());
}

fn meta(
    name: &str,
    ns: Option<&str>,
) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
    k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: Some(name.into()),
        namespace: ns.map(str::to_string),
        ..Default::default()
    }
}

fn role_ref(kind: &str, name: &str) -> k8s_openapi::api::rbac::v1::RoleRef {
    k8s_openapi::api::rbac::v1::RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: kind.into(),
        name: name.into(),
    }
}
