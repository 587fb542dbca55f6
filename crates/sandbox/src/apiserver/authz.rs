//! Authorization: the privileged-group authorizer (`system:masters`) in front of RBAC, as in
//! kube-apiserver, the Forbidden wording, and RBAC escalation prevention on roles and bindings.

use super::request_info::RequestInfo;
use super::status::{ApiError, ApiResult};
use super::store::Store;
use k8s_openapi::api::rbac::v1::PolicyRule;
use rbac::{self, Attributes, Decision, UserInfo};
use serde_json::Value;

const MASTERS: &str = "system:masters";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

pub fn authorize(store: &Store, user: &UserInfo, attrs: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == MASTERS) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    rbac::authorize(store, user, attrs)
}

/// apiserver's `responsewriters.Forbidden`: `forbiddenMessage`, then `: <reason>` when the
/// authorizer gave one (RBAC's resolution errors), wrapped by `NewForbidden`.
pub fn forbidden(user: &UserInfo, info: &RequestInfo, reason: &str) -> ApiError {
    let with_reason = |why: String| {
        if reason.is_empty() {
            why
        } else {
            format!("{why}: {reason}")
        }
    };
    if !info.is_resource {
        let why = format!(
            "User {:?} cannot {} path {:?}",
            user.name, info.verb, info.path
        );
        return ApiError::forbidden("", "", "", &with_reason(why));
    }
    let resource = info.resource_with_sub();
    let why = if info.namespace.is_empty() {
        format!(
            "User {:?} cannot {} resource {:?} in API group {:?} at the cluster scope",
            user.name, info.verb, resource, info.group
        )
    } else {
        format!(
            "User {:?} cannot {} resource {:?} in API group {:?} in the namespace {:?}",
            user.name, info.verb, resource, info.group, info.namespace
        )
    };
    ApiError::forbidden(&info.group, &info.resource, &info.name, &with_reason(why))
}

/// Go's `%q` of a string slice: `["a" "b"]`.
fn go_quoted_list(items: &[String]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", q.join(" "))
}

/// rbacv1helpers.CompactString.
fn compact(rule: &PolicyRule) -> String {
    let mut parts = Vec::new();
    let mut push = |label: &str, v: &Option<Vec<String>>| {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            parts.push(format!("{label}:{}", go_quoted_list(v)));
        }
    };
    push("APIGroups", &rule.api_groups);
    push("Resources", &rule.resources);
    push("NonResourceURLs", &rule.non_resource_urls);
    push("ResourceNames", &rule.resource_names);
    push("Verbs", &Some(rule.verbs.clone()));
    format!("{{{}}}", parts.join(", "))
}

/// The rules `user` holds in `namespace` (resource and non-resource).
fn owner_rules(store: &Store, user: &UserInfo, namespace: &str) -> Vec<PolicyRule> {
    let set = rbac::rules_for(store, user, namespace);
    let mut rules = set.resource_rules;
    rules.extend(set.non_resource_rules);
    rules
}

/// `ConfirmNoEscalation`: the requested rules must be covered by what the user holds.
fn confirm_no_escalation(
    store: &Store,
    user: &UserInfo,
    namespace: &str,
    requested: &[PolicyRule],
    resource: &str,
    name: &str,
) -> ApiResult<()> {
    let missing = rbac::uncovered_rules(&owner_rules(store, user, namespace), requested);
    if missing.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = missing.iter().map(compact).collect();
    lines.sort();
    lines.dedup();
    let why = format!(
        "user {:?} (groups={}) is attempting to grant RBAC permissions not currently held:\n{}",
        user.name,
        go_quoted_list(&user.groups),
        lines.join("\n")
    );
    Err(ApiError::forbidden(RBAC_GROUP, resource, name, &why))
}

fn allowed(
    store: &Store,
    user: &UserInfo,
    verb: &str,
    ns: &str,
    resource: &str,
    name: &str,
) -> bool {
    authorize(
        store,
        user,
        &Attributes {
            verb: verb.into(),
            namespace: ns.into(),
            api_group: RBAC_GROUP.into(),
            resource: resource.into(),
            name: name.into(),
            ..Default::default()
        },
    )
    .allowed
}

fn rules_of(obj: &Value) -> Vec<PolicyRule> {
    obj.get("rules")
        .and_then(|r| serde_json::from_value(r.clone()).ok())
        .unwrap_or_default()
}

/// Escalation prevention for writes of RBAC objects; other resources pass.
pub fn check_escalation(
    store: &Store,
    user: &UserInfo,
    resource: &str,
    namespace: &str,
    obj: &Value,
) -> ApiResult<()> {
    if user.groups.iter().any(|g| g == MASTERS) {
        return Ok(());
    }
    let name = super::store::meta_str(obj, "name");
    match resource {
        "roles" | "clusterroles" => {
            if allowed(store, user, "escalate", namespace, resource, name) {
                return Ok(());
            }
            confirm_no_escalation(store, user, namespace, &rules_of(obj), resource, name)
        }
        "rolebindings" | "clusterrolebindings" => {
            let kind = obj
                .pointer("/roleRef/kind")
                .and_then(|k| k.as_str())
                .unwrap_or_default();
            let role_name = obj
                .pointer("/roleRef/name")
                .and_then(|k| k.as_str())
                .unwrap_or_default();
            let role_resource = if kind == "Role" {
                "roles"
            } else {
                "clusterroles"
            };
            if allowed(store, user, "bind", namespace, role_resource, role_name) {
                return Ok(());
            }
            let role = if kind == "Role" {
                store.get(super::store::ROLES, namespace, role_name)
            } else {
                store.get(super::store::CLUSTER_ROLES, "", role_name)
            };
            let Some(role) = role else {
                return Err(ApiError::not_found(RBAC_GROUP, role_resource, role_name));
            };
            confirm_no_escalation(store, user, namespace, &rules_of(role), resource, name)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording() {
        let user = UserInfo {
            name: "aksdev@contoso.com".into(),
            ..Default::default()
        };
        let info = RequestInfo {
            is_resource: true,
            verb: "list".into(),
            resource: "pods".into(),
            ..Default::default()
        };
        assert_eq!(
            forbidden(&user, &info, "").message,
            "pods is forbidden: User \"aksdev@contoso.com\" cannot list resource \"pods\" in API group \"\" at the cluster scope"
        );
        let info = RequestInfo {
            is_resource: true,
            verb: "get".into(),
            resource: "pods".into(),
            name: "x".into(),
            namespace: "sre".into(),
            ..Default::default()
        };
        assert_eq!(
            forbidden(&user, &info, "").message,
            "pods \"x\" is forbidden: User \"aksdev@contoso.com\" cannot get resource \"pods\" in API group \"\" in the namespace \"sre\""
        );
        let info = RequestInfo {
            verb: "get".into(),
            path: "/foo".into(),
            ..Default::default()
        };
        assert_eq!(
            forbidden(&user, &info, "").message,
            "forbidden: User \"aksdev@contoso.com\" cannot get path \"/foo\""
        );
    }

    #[test]
    fn compact_string() {
        let r = PolicyRule {
            api_groups: Some(vec!["".into()]),
            resources: Some(vec!["pods".into()]),
            verbs: vec!["get".into()],
            ..Default::default()
        };
        assert_eq!(
            compact(&r),
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}"
        );
        assert_eq!(go_quoted_list(&["a".into(), "b".into()]), "[\"a\" \"b\"]");
    }
}
