//! The API server's wording: where an allowing rule came from, resolution errors, and the compact
//! rule form used in escalation messages.

use k8s_openapi::api::rbac::v1::{PolicyRule, Subject};
use std::fmt;

/// Which binding (and through it which role and subject) a rule was found through.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSource {
    /// `ClusterRoleBinding` or `RoleBinding`.
    pub binding_kind: String,
    pub binding_name: String,
    /// The RoleBinding's namespace; "" for a ClusterRoleBinding.
    pub binding_namespace: String,
    /// `Role` or `ClusterRole`.
    pub role_kind: String,
    pub role_name: String,
    /// The subject through which the binding applies to the user.
    pub subject: Subject,
}

impl fmt::Display for RuleSource {
    /// `ClusterRoleBinding "NAME" of ClusterRole "ROLE" to User "x"` or
    /// `RoleBinding "NAME/NS" of Role "ROLE" to Group "g"`, as in kube-apiserver's describers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let binding = if self.binding_kind == "RoleBinding" {
            format!("{}/{}", self.binding_name, self.binding_namespace)
        } else {
            self.binding_name.clone()
        };
        write!(
            f,
            "{} {} of {} {} to {}",
            self.binding_kind,
            go_quote(&binding),
            self.role_kind,
            go_quote(&self.role_name),
            describe_subject(&self.subject, &self.binding_namespace)
        )
    }
}

/// `User "x"`, `Group "g"`, `ServiceAccount "name/namespace"`.
pub fn describe_subject(subject: &Subject, binding_namespace: &str) -> String {
    if subject.kind == "ServiceAccount" {
        let ns = match subject.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => ns,
            _ => binding_namespace,
        };
        format!(
            "{} {}",
            subject.kind,
            go_quote(&format!("{}/{ns}", subject.name))
        )
    } else {
        format!("{} {}", subject.kind, go_quote(&subject.name))
    }
}

/// The reason of an allowed decision.
pub fn allowed_reason(source: &RuleSource) -> String {
    format!("RBAC: allowed by {source}")
}

/// The API server's not-found error for a binding's missing role.
pub fn role_not_found(kind: &str, name: &str) -> String {
    match kind {
        "Role" => format!(
            "role.rbac.authorization.k8s.io {} not found",
            go_quote(name)
        ),
        "ClusterRole" => format!(
            "clusterrole.rbac.authorization.k8s.io {} not found",
            go_quote(name)
        ),
        other => format!("unsupported role reference kind: {}", go_quote(other)),
    }
}

/// Several errors as apimachinery's aggregate error prints them: one as is, more deduplicated,
/// comma-separated, in brackets.
pub fn aggregate_errors(errors: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    match unique.len() {
        0 => String::new(),
        1 => unique[0].to_string(),
        _ => format!("[{}]", unique.join(", ")),
    }
}

/// Go's `%q` for a string (what the API server's messages use). Hand-written because only this
/// one formatting rule is needed: JSON escaping matches `%q` for the printable text of names.
pub fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Go's `%q` for a string slice: `["a" "b"]`.
pub fn go_quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// A rule as rbac/v1 `CompactString` prints it, e.g. `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`.
pub fn compact_string(rule: &PolicyRule) -> String {
    let mut parts = Vec::new();
    let fields: [(&str, &Option<Vec<String>>); 4] = [
        ("APIGroups", &rule.api_groups),
        ("Resources", &rule.resources),
        ("NonResourceURLs", &rule.non_resource_urls),
        ("ResourceNames", &rule.resource_names),
    ];
    for (label, values) in fields {
        if let Some(v) = values.as_ref().filter(|v| !v.is_empty()) {
            parts.push(format!("{label}:{}", go_quote_list(v)));
        }
    }
    if !rule.verbs.is_empty() {
        parts.push(format!("Verbs:{}", go_quote_list(&rule.verbs)));
    }
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::tests::{named, rule, url_rule};
    use crate::subject::tests::subject;

    fn source(
        kind: &str,
        name: &str,
        ns: &str,
        role_kind: &str,
        role: &str,
        s: Subject,
    ) -> RuleSource {
        RuleSource {
            binding_kind: kind.into(),
            binding_name: name.into(),
            binding_namespace: ns.into(),
            role_kind: role_kind.into(),
            role_name: role.into(),
            subject: s,
        }
    }

    #[test]
    fn reason_strings_are_the_api_servers() {
        let crb = source(
            "ClusterRoleBinding",
            "cluster-admin",
            "",
            "ClusterRole",
            "cluster-admin",
            subject("Group", "system:masters", None),
        );
        assert_eq!(
            allowed_reason(&crb),
            r#"RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters""#
        );
        let rb = source(
            "RoleBinding",
            "dev-user-access",
            "dev",
            "Role",
            "dev-user-full-access",
            subject("Group", "0ab1-oid", None),
        );
        assert_eq!(
            allowed_reason(&rb),
            r#"RBAC: allowed by RoleBinding "dev-user-access/dev" of Role "dev-user-full-access" to Group "0ab1-oid""#
        );
        let rb_cr = source(
            "RoleBinding",
            "b",
            "dev",
            "ClusterRole",
            "edit",
            subject("User", "x", None),
        );
        assert_eq!(
            allowed_reason(&rb_cr),
            r#"RBAC: allowed by RoleBinding "b/dev" of ClusterRole "edit" to User "x""#
        );
        let sa = source(
            "RoleBinding",
            "b",
            "dev",
            "Role",
            "r",
            subject("ServiceAccount", "ci", None),
        );
        assert_eq!(
            allowed_reason(&sa),
            r#"RBAC: allowed by RoleBinding "b/dev" of Role "r" to ServiceAccount "ci/dev""#
        );
    }

    #[test]
    fn not_found_and_aggregates() {
        assert_eq!(
            role_not_found("Role", "gone"),
            r#"role.rbac.authorization.k8s.io "gone" not found"#
        );
        assert_eq!(
            role_not_found("ClusterRole", "gone"),
            r#"clusterrole.rbac.authorization.k8s.io "gone" not found"#
        );
        assert_eq!(aggregate_errors(&[]), "");
        let a = "a".to_string();
        let b = "b".to_string();
        assert_eq!(aggregate_errors(std::slice::from_ref(&a)), "a");
        assert_eq!(aggregate_errors(&[a.clone(), a.clone()]), "a");
        assert_eq!(aggregate_errors(&[a.clone(), b, a]), "[a, b]");
    }

    #[test]
    fn compact_strings() {
        assert_eq!(
            compact_string(&rule(&["get", "list"], &[""], &["pods"])),
            r#"{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}"#
        );
        assert_eq!(
            compact_string(&named(
                rule(&["get"], &["apps"], &["deployments"]),
                &["web"]
            )),
            r#"{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]}"#
        );
        assert_eq!(
            compact_string(&url_rule(&["get"], &["/healthz"])),
            r#"{NonResourceURLs:["/healthz"], Verbs:["get"]}"#
        );
    }
}
