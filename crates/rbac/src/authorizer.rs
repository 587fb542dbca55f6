//! The authorizer chain of kube-apiserver as far as RBAC is concerned: the privileged-group
//! authorizer for `system:masters`, then RBAC.

use super::reason::{RuleSource, aggregate_errors, allowed_reason};
use super::resolver::{Visit, visit_rules_for};
use super::rule::rule_allows;
use super::{Attributes, Decision, RbacSource, UserInfo};
use k8s_openapi::api::rbac::v1::PolicyRule;
use std::ops::ControlFlow;

/// The group the API server lets do anything, before RBAC is asked.
pub const PRIVILEGED_GROUP: &str = "system:masters";

/// Whether the user is in `system:masters`.
pub fn is_privileged(user: &UserInfo) -> bool {
    user.groups.iter().any(|g| g == PRIVILEGED_GROUP)
}

/// Authorizes a request.
///
/// `system:masters` is allowed with an empty reason, as kube-apiserver's privileged-group
/// authorizer (which runs before RBAC and needs no binding) answers; the reason therefore never
/// names the `cluster-admin` binding for masters, even when it exists.
///
/// A denial has an empty reason, unless a binding that applies refers to a missing role: then,
/// like the API server, the reason carries the resolution errors
/// (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`).
pub fn authorize(src: &dyn RbacSource, user: &UserInfo, attrs: &Attributes) -> Decision {
    if is_privileged(user) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let (found, errors) = find_allowing_rule(src, user, attrs);
    match found {
        Some((source, _)) => Decision {
            allowed: true,
            reason: allowed_reason(&source),
        },
        None if errors.is_empty() => Decision {
            allowed: false,
            reason: String::new(),
        },
        None => Decision {
            allowed: false,
            reason: format!("RBAC: {}", aggregate_errors(&errors)),
        },
    }
}

/// The first binding and rule that allow the request through RBAC (no `system:masters`
/// shortcut), plus the resolution errors met on the way: what `can-i --why` shows.
pub fn find_allowing_rule(
    src: &dyn RbacSource,
    user: &UserInfo,
    attrs: &Attributes,
) -> (Option<(RuleSource, PolicyRule)>, Vec<String>) {
    let mut found = None;
    let mut errors = Vec::new();
    visit_rules_for(src, user, &attrs.namespace, &mut |visit| match visit {
        Visit::Rule(source, rule) if rule_allows(rule, attrs) => {
            found = Some((source.clone(), rule.clone()));
            ControlFlow::Break(())
        }
        Visit::Rule(..) => ControlFlow::Continue(()),
        Visit::Error(e) => {
            errors.push(e);
            ControlFlow::Continue(())
        }
    });
    (found, errors)
}
