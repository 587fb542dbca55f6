//! ClusterRole aggregation, as the cluster-role-aggregation controller computes it: the union of
//! the rules of every other ClusterRole selected by the aggregationRule, roles visited in name
//! order, duplicates dropped, first occurrence kept.

use super::rule::list;
use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// Whether a label selector selects `labels`. An empty selector selects everything; an invalid
/// one (unknown operator, In/NotIn without values, Exists/DoesNotExist with values) selects
/// nothing, as the controller then refuses to aggregate.
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let equal = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    equal
        && selector.match_expressions.iter().flatten().all(|req| {
            let values = list(&req.values);
            let value = labels.get(&req.key);
            match req.operator.as_str() {
                "In" => !values.is_empty() && value.is_some_and(|v| values.contains(v)),
                "NotIn" => !values.is_empty() && value.is_none_or(|v| !values.contains(v)),
                "Exists" => values.is_empty() && value.is_some(),
                "DoesNotExist" => values.is_empty() && value.is_none(),
                _ => false,
            }
        })
}

/// The ClusterRole's effective rules: its own rules when it has no aggregationRule, otherwise
/// the aggregated union (nested aggregation resolved, cycles cut).
pub fn aggregate(target: &ClusterRole, all: &[ClusterRole]) -> Vec<PolicyRule> {
    let mut visiting = Vec::new();
    effective(target, all, &mut visiting)
}

fn effective<'a>(
    target: &'a ClusterRole,
    all: &'a [ClusterRole],
    visiting: &mut Vec<&'a str>,
) -> Vec<PolicyRule> {
    let Some(selectors) = target
        .aggregation_rule
        .as_ref()
        .map(|a| a.cluster_role_selectors.as_deref().unwrap_or(&[]))
    else {
        return target.rules.clone().unwrap_or_default();
    };
    let name = target.metadata.name.as_deref().unwrap_or("");
    visiting.push(name);
    let empty = BTreeMap::new();
    let mut selected: Vec<&ClusterRole> = all
        .iter()
        .filter(|cr| {
            let labels = cr.metadata.labels.as_ref().unwrap_or(&empty);
            let other = cr.metadata.name.as_deref().unwrap_or("");
            other != name && selectors.iter().any(|s| selector_matches(s, labels))
        })
        .collect();
    selected.sort_by_key(|cr| cr.metadata.name.as_deref().unwrap_or(""));
    let mut rules: Vec<PolicyRule> = Vec::new();
    for cr in selected {
        let other = cr.metadata.name.as_deref().unwrap_or("");
        let theirs = if visiting.contains(&other) {
            cr.rules.clone().unwrap_or_default()
        } else {
            effective(cr, all, visiting)
        };
        for rule in theirs {
            if !rules.iter().any(|r| same_rule(r, &rule)) {
                rules.push(rule);
            }
        }
    }
    visiting.pop();
    rules
}

/// Semantic equality: an absent list equals an empty one.
fn same_rule(a: &PolicyRule, b: &PolicyRule) -> bool {
    a.verbs == b.verbs
        && list(&a.api_groups) == list(&b.api_groups)
        && list(&a.resources) == list(&b.resources)
        && list(&a.resource_names) == list(&b.resource_names)
        && list(&a.non_resource_urls) == list(&b.non_resource_urls)
}

/// All ClusterRoles with aggregated rules filled in (what a store shows after the controller ran).
pub fn aggregate_all(all: &[ClusterRole]) -> Vec<ClusterRole> {
    all.iter()
        .map(|cr| match cr.aggregation_rule {
            Some(_) => ClusterRole {
                rules: Some(aggregate(cr, all)),
                ..cr.clone()
            },
            None => cr.clone(),
        })
        .collect()
}
