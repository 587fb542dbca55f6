//! Matching one PolicyRule against a request, exactly as kube-apiserver's `RuleAllows` and the
//! `rbac/v1` evaluation helpers do. The traps are deliberate: `pods` does not match `pods/status`,
//! `pods/*` only matches a subresource literally named `*`, rules with resourceNames never match a
//! request without a name, and `/foo/*` does not match `/foo`.

use super::Attributes;
use k8s_openapi::api::rbac::v1::PolicyRule;

/// The wildcard for verbs, apiGroups, resources and nonResourceURLs.
pub const ALL: &str = "*";

/// The values of an optional list field (absent means empty).
pub(crate) fn list(field: &Option<Vec<String>>) -> &[String] {
    field.as_deref().unwrap_or(&[])
}

/// `*` or the exact verb.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == ALL || v == verb)
}

/// `*` or the exact API group (`""` is the core group).
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    list(&rule.api_groups)
        .iter()
        .any(|g| g == ALL || g == group)
}

/// `*` matches everything; `res` only the resource itself; `res/sub` that pair; `*/sub` that
/// subresource of any resource. There is no `res/*` wildcard in Kubernetes.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    let combined = if subresource.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}/{subresource}")
    };
    list(&rule.resources).iter().any(|r| {
        r == ALL
            || *r == combined
            || (!subresource.is_empty() && r.strip_prefix("*/") == Some(subresource))
    })
}

/// No resourceNames means any name; otherwise the request's name must be listed, so requests
/// without a name (list, watch, create, deletecollection) never match.
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    let names = list(&rule.resource_names);
    names.is_empty() || names.iter().any(|n| n == name)
}

/// `*`, the exact path, or a trailing-`*` prefix (`/foo/*` matches `/foo/bar`, not `/foo`).
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    list(&rule.non_resource_urls)
        .iter()
        .any(|u| url_covers(u, path))
}

/// Whether the rule URL pattern `owner` covers `path` (shared with the escalation check).
pub(crate) fn url_covers(owner: &str, path: &str) -> bool {
    owner == ALL
        || owner == path
        || (owner.ends_with('*') && path.starts_with(owner.trim_end_matches('*')))
}

/// Whether one rule allows the request.
pub fn rule_allows(rule: &PolicyRule, attrs: &Attributes) -> bool {
    match &attrs.path {
        Some(path) => verb_matches(rule, &attrs.verb) && non_resource_url_matches(rule, path),
        None => {
            verb_matches(rule, &attrs.verb)
                && api_group_matches(rule, &attrs.api_group)
                && resource_matches(rule, &attrs.resource, &attrs.subresource)
                && resource_name_matches(rule, &attrs.name)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A resource rule from string slices.
    pub(crate) fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: strings(verbs),
            api_groups: Some(strings(groups)),
            resources: Some(strings(resources)),
            ..Default::default()
        }
    }

    pub(crate) fn named(mut r: PolicyRule, names: &[&str]) -> PolicyRule {
        r.resource_names = Some(strings(names));
        r
    }

    pub(crate) fn url_rule(verbs: &[&str], urls: &[&str]) -> PolicyRule {
        PolicyRule {
            verbs: strings(verbs),
            non_resource_urls: Some(strings(urls)),
            ..Default::default()
        }
    }

    pub(crate) fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    pub(crate) fn req(
        verb: &str,
        group: &str,
        resource: &str,
        sub: &str,
        name: &str,
    ) -> Attributes {
        Attributes {
            verb: verb.into(),
            namespace: "dev".into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: name.into(),
            path: None,
        }
    }

    pub(crate) fn url_req(verb: &str, path: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            path: Some(path.into()),
            ..Default::default()
        }
    }

    #[test]
    fn verb_wildcard_and_exact() {
        let r = rule(&["*"], &[""], &["pods"]);
        assert!(rule_allows(&r, &req("delete", "", "pods", "", "")));
        let r = rule(&["get", "list"], &[""], &["pods"]);
        assert!(rule_allows(&r, &req("list", "", "pods", "", "")));
        assert!(!rule_allows(&r, &req("watch", "", "pods", "", "")));
    }

    #[test]
    fn api_group_wildcard_and_exact() {
        let r = rule(&["get"], &["*"], &["deployments"]);
        assert!(rule_allows(&r, &req("get", "apps", "deployments", "", "")));
        let r = rule(&["get"], &[""], &["deployments"]);
        assert!(!rule_allows(&r, &req("get", "apps", "deployments", "", "")));
        let r = rule(&["get"], &["apps"], &["deployments"]);
        assert!(rule_allows(&r, &req("get", "apps", "deployments", "", "")));
        assert!(!rule_allows(&r, &req("get", "", "deployments", "", "")));
    }

    #[test]
    fn resource_wildcard_matches_resources_and_subresources() {
        let r = rule(&["get"], &[""], &["*"]);
        assert!(rule_allows(&r, &req("get", "", "pods", "", "")));
        assert!(rule_allows(&r, &req("get", "", "pods", "status", "")));
    }

    #[test]
    fn pods_does_not_grant_pods_status() {
        let r = rule(&["get", "update"], &[""], &["pods"]);
        assert!(rule_allows(&r, &req("get", "", "pods", "", "p")));
        assert!(!rule_allows(&r, &req("get", "", "pods", "status", "p")));
        assert!(!rule_allows(&r, &req("update", "", "pods", "status", "p")));
    }

    #[test]
    fn resource_slash_subresource_matches_only_that_pair() {
        let r = rule(&["get"], &[""], &["pods/log"]);
        assert!(rule_allows(&r, &req("get", "", "pods", "log", "p")));
        assert!(!rule_allows(&r, &req("get", "", "pods", "", "p")));
        assert!(!rule_allows(&r, &req("get", "", "pods", "exec", "p")));
        assert!(!rule_allows(&r, &req("get", "", "nodes", "log", "p")));
    }

    #[test]
    fn star_slash_scale_grants_deployments_scale() {
        let r = rule(&["update"], &["apps"], &["*/scale"]);
        assert!(rule_allows(
            &r,
            &req("update", "apps", "deployments", "scale", "web")
        ));
        assert!(rule_allows(
            &r,
            &req("update", "apps", "statefulsets", "scale", "db")
        ));
        assert!(!rule_allows(
            &r,
            &req("update", "apps", "deployments", "", "web")
        ));
        assert!(!rule_allows(
            &r,
            &req("update", "apps", "deployments", "status", "web")
        ));
        // the suffix must be the whole subresource
        assert!(!rule_allows(
            &r,
            &req("update", "apps", "deployments", "rescale", "web")
        ));
    }

    #[test]
    fn resource_slash_star_is_not_a_wildcard() {
        // Kubernetes has no `res/*` form: it matches only a subresource literally named `*`.
        let r = rule(&["get"], &[""], &["pods/*"]);
        assert!(!rule_allows(&r, &req("get", "", "pods", "log", "p")));
        assert!(!rule_allows(&r, &req("get", "", "pods", "", "p")));
        assert!(rule_allows(&r, &req("get", "", "pods", "*", "p")));
    }

    #[test]
    fn resource_names_restrict_and_never_match_nameless_requests() {
        let r = named(rule(&["*"], &[""], &["configmaps"]), &["app-config"]);
        assert!(rule_allows(
            &r,
            &req("get", "", "configmaps", "", "app-config")
        ));
        assert!(!rule_allows(&r, &req("get", "", "configmaps", "", "other")));
        assert!(!rule_allows(&r, &req("list", "", "configmaps", "", "")));
        assert!(!rule_allows(&r, &req("create", "", "configmaps", "", "")));
        assert!(!rule_allows(&r, &req("watch", "", "configmaps", "", "")));
        assert!(!rule_allows(
            &r,
            &req("deletecollection", "", "configmaps", "", "")
        ));
    }

    #[test]
    fn non_resource_urls() {
        let r = url_rule(&["get"], &["/healthz", "/foo/*"]);
        assert!(rule_allows(&r, &url_req("get", "/healthz")));
        assert!(!rule_allows(&r, &url_req("get", "/healthz/ready")));
        assert!(rule_allows(&r, &url_req("get", "/foo/bar")));
        assert!(rule_allows(&r, &url_req("get", "/foo/bar/baz")));
        assert!(!rule_allows(&r, &url_req("get", "/foo")));
        assert!(!rule_allows(&r, &url_req("post", "/foo/bar")));
        let all = url_rule(&["*"], &["*"]);
        assert!(rule_allows(&all, &url_req("post", "/anything")));
    }

    #[test]
    fn resource_rules_and_url_rules_do_not_cross() {
        let res = rule(&["*"], &["*"], &["*"]);
        assert!(!rule_allows(&res, &url_req("get", "/healthz")));
        let url = url_rule(&["*"], &["*"]);
        assert!(!rule_allows(&url, &req("get", "", "pods", "", "")));
    }
}
