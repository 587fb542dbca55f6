//! SelfSubjectRulesReview content: every rule a user holds in a namespace.

use super::authorizer::is_privileged;
use super::reason::aggregate_errors;
use super::resolver::{Visit, visit_rules_for};
use super::{RbacSource, RuleSet, UserInfo};
use k8s_openapi::api::rbac::v1::PolicyRule;
use std::ops::ControlFlow;

/// The rules of `cluster-admin`: everything, resource and non-resource.
pub fn full_authority() -> Vec<PolicyRule> {
    let all = || Some(vec!["*".to_string()]);
    vec![
        PolicyRule {
            verbs: vec!["*".into()],
            api_groups: all(),
            resources: all(),
            ..Default::default()
        },
        PolicyRule {
            verbs: vec!["*".into()],
            non_resource_urls: all(),
            ..Default::default()
        },
    ]
}

/// Every rule that applies to `user` in `namespace`, in binding order, duplicates kept (as the
/// API server returns them), split like the API server does: a rule with resources becomes a
/// resource rule, a rule with nonResourceURLs a non-resource rule (a rule with both, both).
/// Roles that cannot be resolved are reported in `evaluation_error`; `incomplete` stays false.
///
/// `system:masters` also gets the `cluster-admin` rules when no binding already gave them: the
/// real API server lists only RBAC rules, but its masters always hold a `cluster-admin` binding.
pub fn rules_for(src: &dyn RbacSource, user: &UserInfo, namespace: &str) -> RuleSet {
    let (mut rules, errors) = raw_rules_for(src, user, namespace);
    if is_privileged(user) {
        let missing: Vec<PolicyRule> = full_authority()
            .into_iter()
            .filter(|r| !rules.contains(r))
            .collect();
        rules.splice(0..0, missing);
    }
    let mut set = RuleSet {
        evaluation_error: aggregate_errors(&errors),
        ..Default::default()
    };
    for rule in rules {
        if rule.resources.as_ref().is_some_and(|r| !r.is_empty()) {
            set.resource_rules.push(PolicyRule {
                verbs: rule.verbs.clone(),
                api_groups: non_empty(&rule.api_groups),
                resources: non_empty(&rule.resources),
                resource_names: non_empty(&rule.resource_names),
                non_resource_urls: None,
            });
        }
        if rule
            .non_resource_urls
            .as_ref()
            .is_some_and(|u| !u.is_empty())
        {
            set.non_resource_rules.push(PolicyRule {
                verbs: rule.verbs.clone(),
                non_resource_urls: non_empty(&rule.non_resource_urls),
                ..Default::default()
            });
        }
    }
    set
}

/// The RBAC rules (unsplit) and resolution errors, as the escalation check needs them.
pub fn raw_rules_for(
    src: &dyn RbacSource,
    user: &UserInfo,
    namespace: &str,
) -> (Vec<PolicyRule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    visit_rules_for(src, user, namespace, &mut |visit| {
        match visit {
            Visit::Rule(_, rule) => rules.push(rule.clone()),
            Visit::Error(e) => errors.push(e),
        }
        ControlFlow::Continue(())
    });
    (rules, errors)
}

/// Empty lists become absent, as they are after a JSON round trip (`omitempty`).
fn non_empty(v: &Option<Vec<String>>) -> Option<Vec<String>> {
    v.as_ref().filter(|v| !v.is_empty()).cloned()
}
