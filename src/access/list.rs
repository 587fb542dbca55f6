//! `can-i --list`: kubectl's table of a SelfSubjectRulesReview (rules broken down, compacted and
//! sorted as rbac/v1's helpers do, in kubectl's four columns), and the targeted access reviews
//! that fill in an `incomplete` answer.

use super::verbs::EVERYDAY_VERBS;
use crate::output::Table;
use k8s_openapi::api::rbac::v1::PolicyRule;
use rbac::{Attributes, RuleSet, breakdown_rule, compact_rules, rules_allow};

/// Go's `%v` of a string slice: `[a b]`, `[]` when empty or unset.
fn go_list(v: &Option<Vec<String>>) -> String {
    format!("[{}]", v.as_deref().unwrap_or(&[]).join(" "))
}

/// The generated `PolicyRule.String()` kubectl sorts by.
fn sort_key(rule: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:[{}],APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        rule.verbs.join(" "),
        go_list(&rule.api_groups),
        go_list(&rule.resources),
        go_list(&rule.resource_names),
        go_list(&rule.non_resource_urls),
    )
}

/// Resource rules then non-resource rules, broken down, compacted and stably sorted.
pub fn sorted_compact_rules(set: &RuleSet) -> Vec<PolicyRule> {
    let pieces: Vec<PolicyRule> = set
        .resource_rules
        .iter()
        .chain(set.non_resource_rules.iter())
        .flat_map(breakdown_rule)
        .collect();
    let mut rules = compact_rules(&pieces);
    rules.sort_by_cached_key(sort_key);
    rules
}

/// `pods`, `deployments.apps`, one per group × resource, space-separated.
fn resources_and_groups(rule: &PolicyRule) -> String {
    let resources = rule.resources.as_deref().unwrap_or(&[]);
    if resources.is_empty() {
        return String::new();
    }
    let groups = rule.api_groups.as_deref().unwrap_or(&[]);
    if groups.is_empty() {
        return resources.join(" ");
    }
    let mut out = Vec::new();
    for r in resources {
        for g in groups {
            if g.is_empty() {
                out.push(r.clone());
            } else {
                out.push(format!("{r}.{g}"));
            }
        }
    }
    out.join(" ")
}

/// The `kubectl auth can-i --list` table: kubectl's headers as they are (not upper-case) and
/// its tabwriter settings (Go's minimum cell width 6 including padding 3).
pub fn list_table(set: &RuleSet, headers: bool) -> String {
    let mut table =
        Table::exact(&["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]).min_width(3);
    for rule in sorted_compact_rules(set) {
        table.row([
            resources_and_groups(&rule),
            go_list(&rule.non_resource_urls),
            go_list(&rule.resource_names),
            format!("[{}]", rule.verbs.join(" ")),
        ]);
    }
    table.render(headers)
}

/// The resources checked one by one (with [`EVERYDAY_VERBS`]) when a rules review is
/// incomplete.
pub const COMMON_RESOURCES: [(&str, &str); 12] = [
    ("", "pods"),
    ("", "pods/log"),
    ("", "services"),
    ("", "configmaps"),
    ("", "secrets"),
    ("", "persistentvolumeclaims"),
    ("", "serviceaccounts"),
    ("", "events"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("batch", "jobs"),
    ("networking.k8s.io", "ingresses"),
];

/// The common questions the rules do not already answer yes to (these are asked with access
/// reviews when the rules review is incomplete).
pub fn unanswered(set: &RuleSet, namespace: &str) -> Vec<Attributes> {
    let mut out = Vec::new();
    for (group, resource) in COMMON_RESOURCES {
        let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        for &verb in EVERYDAY_VERBS {
            let attrs = Attributes {
                verb: verb.into(),
                namespace: namespace.into(),
                api_group: group.into(),
                resource: resource.into(),
                subresource: subresource.into(),
                ..Default::default()
            };
            if !rules_allow(&set.resource_rules, &attrs) {
                out.push(attrs);
            }
        }
    }
    out
}

/// Adds what the access reviews allowed to the rule set, as one rule per allowed question.
pub fn fill_incomplete(set: &mut RuleSet, allowed: &[Attributes]) {
    for a in allowed {
        let resource = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        set.resource_rules.push(PolicyRule {
            verbs: vec![a.verb.clone()],
            api_groups: Some(vec![a.api_group.clone()]),
            resources: Some(vec![resource]),
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
        let v = |s: &[&str]| Some(s.iter().map(|x| x.to_string()).collect());
        PolicyRule {
            verbs: verbs.iter().map(|x| x.to_string()).collect(),
            api_groups: v(groups),
            resources: v(resources),
            ..Default::default()
        }
    }

    #[test]
    fn table_is_kubectls() {
        let set = RuleSet {
            resource_rules: vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
                rule(&["*"], &["", "apps"], &["*"]),
                PolicyRule {
                    resource_names: Some(vec!["app".into()]),
                    ..rule(&["get"], &[""], &["configmaps"])
                },
            ],
            non_resource_rules: vec![PolicyRule {
                verbs: vec!["get".into()],
                non_resource_urls: Some(vec!["/healthz".into(), "/version".into()]),
                ..Default::default()
            }],
            ..Default::default()
        };
        let text = list_table(&set, true);
        let expected = "\
Resources                                       Non-Resource URLs   Resource Names   Verbs
*                                               []                  []               [*]
*.apps                                          []                  []               [*]
selfsubjectaccessreviews.authorization.k8s.io   []                  []               [create]
selfsubjectrulesreviews.authorization.k8s.io    []                  []               [create]
                                                [/healthz]          []               [get]
                                                [/version]          []               [get]
configmaps                                      []                  [app]            [get]
";
        assert_eq!(text, expected);
        assert!(!list_table(&set, false).contains("Resources"));
    }

    #[test]
    fn simple_rules_merge_their_verbs() {
        let set = RuleSet {
            resource_rules: vec![
                rule(&["get", "list"], &[""], &["pods"]),
                rule(&["watch"], &[""], &["pods"]),
            ],
            ..Default::default()
        };
        assert_eq!(
            sorted_compact_rules(&set),
            vec![rule(&["get", "list", "watch"], &[""], &["pods"])]
        );
    }

    #[test]
    fn incomplete_answers_are_filled_from_reviews() {
        let mut set = RuleSet {
            resource_rules: vec![rule(&["get", "list", "watch"], &[""], &["pods"])],
            incomplete: true,
            ..Default::default()
        };
        let open = unanswered(&set, "dev");
        assert_eq!(
            open.len(),
            COMMON_RESOURCES.len() * EVERYDAY_VERBS.len() - 3
        );
        assert!(open.iter().all(|a| a.namespace == "dev"));
        assert!(
            open.iter()
                .any(|a| a.resource == "pods" && a.subresource == "log")
        );
        let allowed: Vec<Attributes> = open
            .into_iter()
            .filter(|a| a.resource == "deployments" && a.verb == "get")
            .collect();
        fill_incomplete(&mut set, &allowed);
        let text = list_table(&set, false);
        assert!(text.contains("deployments.apps"), "{text}");
    }
}
