//! Escalation prevention (kube-apiserver's `Covers` / `ConfirmNoEscalation` and the policy-based
//! storages of roles and bindings): nobody may grant permissions they do not hold, unless they
//! have the `escalate` verb (roles) or the `bind` verb (bindings), or are `system:masters`.

use super::authorizer::{authorize, is_privileged};
use super::reason::{aggregate_errors, compact_string, go_quote, go_quote_list};
use super::resolver::role_ref_rules;
use super::rule::{ALL, list, url_covers};
use super::rules_review::{full_authority, raw_rules_for};
use super::{Attributes, RbacSource, UserInfo};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef};
use std::collections::BTreeSet;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Splits a rule into atomic pieces: one verb × group × resource (× name), or one verb × URL.
pub fn breakdown_rule(rule: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| Some(vec![s.clone()]);
    let mut out = Vec::new();
    for group in list(&rule.api_groups) {
        for resource in list(&rule.resources) {
            for verb in &rule.verbs {
                let base = PolicyRule {
                    verbs: vec![verb.clone()],
                    api_groups: one(group),
                    resources: one(resource),
                    ..Default::default()
                };
                let names = list(&rule.resource_names);
                if names.is_empty() {
                    out.push(base);
                } else {
                    out.extend(names.iter().map(|n| PolicyRule {
                        resource_names: one(n),
                        ..base.clone()
                    }));
                }
            }
        }
    }
    for url in list(&rule.non_resource_urls) {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                verbs: vec![verb.clone()],
                non_resource_urls: one(url),
                ..Default::default()
            });
        }
    }
    out
}

/// The atomic pieces of `requested` that no rule of `owner` covers (empty: no escalation).
pub fn uncovered_rules(owner: &[PolicyRule], requested: &[PolicyRule]) -> Vec<PolicyRule> {
    requested
        .iter()
        .flat_map(breakdown_rule)
        .filter(|piece| !owner.iter().any(|o| rule_covers(o, piece)))
        .collect()
}

/// Whether `owner` holds everything in `requested`.
pub fn covers(owner: &[PolicyRule], requested: &[PolicyRule]) -> bool {
    uncovered_rules(owner, requested).is_empty()
}

/// Whether one owner rule covers one atomic piece.
fn rule_covers(owner: &PolicyRule, piece: &PolicyRule) -> bool {
    let has = |set: &[String], v: &str| set.iter().any(|s| s == v);
    let has_all = |set: &[String], vs: &[String]| vs.iter().all(|v| has(set, v));
    let verbs = has(&owner.verbs, ALL) || has_all(&owner.verbs, &piece.verbs);
    let owner_groups = list(&owner.api_groups);
    let groups = has(owner_groups, ALL) || has_all(owner_groups, list(&piece.api_groups));
    let resources = resources_cover(list(&owner.resources), list(&piece.resources));
    let urls = list(&piece.non_resource_urls).iter().all(|p| {
        list(&owner.non_resource_urls)
            .iter()
            .any(|o| url_covers(o, p))
    });
    let owner_names = list(&owner.resource_names);
    let piece_names = list(&piece.resource_names);
    let names =
        owner_names.is_empty() || (!piece_names.is_empty() && has_all(owner_names, piece_names));
    verbs && groups && resources && names && urls
}

/// `*`, exact names, or `*/sub` for a `res/sub` piece.
fn resources_cover(owner: &[String], pieces: &[String]) -> bool {
    if owner.iter().any(|o| o == ALL) {
        return true;
    }
    pieces.iter().all(|p| {
        owner.contains(p)
            || p.split_once('/')
                .is_some_and(|(_, sub)| owner.iter().any(|o| *o == format!("*/{sub}")))
    })
}

/// Merges pieces that differ only in verbs (rbac/v1 `CompactRules`), for shorter messages.
pub fn compact_rules(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<(Vec<String>, PolicyRule)> = Vec::new();
    for rule in rules {
        let groups = list(&rule.api_groups);
        let resources = list(&rule.resources);
        let names = list(&rule.resource_names);
        let is_simple = groups.len() == 1
            && resources.len() == 1
            && names.len() <= 1
            && list(&rule.non_resource_urls).is_empty();
        if !is_simple {
            out.push(rule.clone());
            continue;
        }
        let key = [groups, resources, names].concat();
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => existing.verbs.extend(rule.verbs.iter().cloned()),
            None => simple.push((key, rule.clone())),
        }
    }
    out.extend(simple.into_iter().map(|(_, r)| r));
    out
}

/// The API server's `ConfirmNoEscalation`: Err with its message when `user`'s rules in
/// `namespace` do not cover `requested`.
pub fn confirm_no_escalation(
    src: &dyn RbacSource,
    user: &UserInfo,
    namespace: &str,
    requested: &[PolicyRule],
) -> Result<(), String> {
    let (owner, errors) = raw_rules_for(src, user, namespace);
    let missing = uncovered_rules(&owner, requested);
    if missing.is_empty() {
        return Ok(());
    }
    let described: BTreeSet<String> = compact_rules(&missing).iter().map(compact_string).collect();
    let mut msg = format!(
        "user {} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        go_quote(&user.name),
        go_quote_list(&user.groups),
        described.into_iter().collect::<Vec<_>>().join("\n")
    );
    if !errors.is_empty() {
        // Go prints a one-element []error holding the aggregate.
        msg.push_str(&format!(
            "; resolution errors: [{}]",
            aggregate_errors(&errors)
        ));
    }
    Err(msg)
}

/// Why writing a Role/ClusterRole/binding is refused. The API server answers `NotFound` with a
/// 404 and `Forbidden` with a 403 whose message is
/// `<resource>.rbac.authorization.k8s.io "<name>" is forbidden: <message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationDenied {
    /// The binding's role does not exist (the message is the not-found error).
    NotFound(String),
    Forbidden(String),
}

/// Creating or updating a Role (`namespace` non-empty) or ClusterRole (`namespace` ""): allowed
/// for `system:masters`, for holders of `escalate` on roles/clusterroles, or when the user already
/// holds every rule. An aggregationRule additionally needs full (`cluster-admin`) authority.
pub fn check_role_write(
    src: &dyn RbacSource,
    user: &UserInfo,
    namespace: &str,
    rules: &[PolicyRule],
    has_aggregation_rule: bool,
) -> Result<(), String> {
    if is_privileged(user) {
        return Ok(());
    }
    let resource = if namespace.is_empty() {
        "clusterroles"
    } else {
        "roles"
    };
    let escalate = Attributes {
        verb: "escalate".into(),
        namespace: namespace.into(),
        api_group: RBAC_GROUP.into(),
        resource: resource.into(),
        ..Default::default()
    };
    if authorize(src, user, &escalate).allowed {
        return Ok(());
    }
    confirm_no_escalation(src, user, namespace, rules)?;
    if has_aggregation_rule
        && confirm_no_escalation(src, user, namespace, &full_authority()).is_err()
    {
        return Err("must have cluster-admin privileges to use the aggregationRule".into());
    }
    Ok(())
}

/// Creating or updating a RoleBinding (`namespace` non-empty) or ClusterRoleBinding (""):
/// allowed for `system:masters`, for holders of `bind` on the referenced role, or when the user
/// already holds every rule of that role.
pub fn check_binding_write(
    src: &dyn RbacSource,
    user: &UserInfo,
    namespace: &str,
    role_ref: &RoleRef,
) -> Result<(), EscalationDenied> {
    if is_privileged(user) {
        return Ok(());
    }
    let resource = if role_ref.kind == "Role" {
        "roles"
    } else {
        "clusterroles"
    };
    let bind = Attributes {
        verb: "bind".into(),
        namespace: namespace.into(),
        api_group: RBAC_GROUP.into(),
        resource: resource.into(),
        name: role_ref.name.clone(),
        ..Default::default()
    };
    if authorize(src, user, &bind).allowed {
        return Ok(());
    }
    let rules = role_ref_rules(src, role_ref, namespace).map_err(EscalationDenied::NotFound)?;
    confirm_no_escalation(src, user, namespace, &rules).map_err(EscalationDenied::Forbidden)
}
