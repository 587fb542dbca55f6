//! Reading the API server's RBAC reason on an allowed access review:
//! `RBAC: allowed by RoleBinding "dev-user-access/dev" of Role "dev-user-full-access" to Group "<oid>"`.
//! Hand-written because the format is one fixed sentence with Go-quoted names (see rbac::reason,
//! which writes the same sentence for the sandbox).

use serde::Serialize;

/// The binding, role and subject named by an allowed reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedBy {
    /// `RoleBinding` or `ClusterRoleBinding`.
    pub binding_kind: String,
    pub binding_name: String,
    /// "" for a ClusterRoleBinding.
    pub binding_namespace: String,
    pub role_kind: String,
    pub role_name: String,
    /// `User`, `Group` or `ServiceAccount`.
    pub subject_kind: String,
    /// For a ServiceAccount: `name/namespace`.
    pub subject_name: String,
}

/// Reads one Go-quoted string at the start of `s`; returns it and the rest.
fn quoted(s: &str) -> Option<(String, &str)> {
    let s = s.strip_prefix('"')?;
    let mut escaped = false;
    for (i, ch) in s.char_indices() {
        match ch {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                let literal = format!("\"{}\"", &s[..i]);
                let value: String = serde_json::from_str(&literal).ok()?;
                return Some((value, &s[i + 1..]));
            }
            _ => escaped = false,
        }
    }
    None
}

/// `KIND "NAME"` at the start of `s`.
fn kind_and_name(s: &str) -> Option<(String, String, &str)> {
    let (kind, rest) = s.split_once(' ')?;
    let (name, rest) = quoted(rest)?;
    Some((kind.to_string(), name, rest))
}

/// Parses the reason; None when it is not RBAC's allowed sentence (another authorizer, or
/// `system:masters`, which the API server allows with an empty reason).
pub fn parse_allowed_reason(reason: &str) -> Option<AllowedBy> {
    let rest = reason.trim().strip_prefix("RBAC: allowed by ")?;
    let (binding_kind, binding, rest) = kind_and_name(rest)?;
    let rest = rest.strip_prefix(" of ")?;
    let (role_kind, role_name, rest) = kind_and_name(rest)?;
    let rest = rest.strip_prefix(" to ")?;
    let (subject_kind, subject_name, _) = kind_and_name(rest)?;
    let (binding_name, binding_namespace) = if binding_kind == "RoleBinding" {
        match binding.rsplit_once('/') {
            Some((name, ns)) => (name.to_string(), ns.to_string()),
            None => (binding, String::new()),
        }
    } else {
        (binding, String::new())
    };
    Some(AllowedBy {
        binding_kind,
        binding_name,
        binding_namespace,
        role_kind,
        role_name,
        subject_kind,
        subject_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_role_binding_reasons() {
        let r = parse_allowed_reason(
            r#"RBAC: allowed by RoleBinding "dev-user-access/dev" of Role "dev-user-full-access" to Group "cccccccc-0000-4000-8000-000000000010""#,
        )
        .expect("parsed");
        assert_eq!(
            r,
            AllowedBy {
                binding_kind: "RoleBinding".into(),
                binding_name: "dev-user-access".into(),
                binding_namespace: "dev".into(),
                role_kind: "Role".into(),
                role_name: "dev-user-full-access".into(),
                subject_kind: "Group".into(),
                subject_name: "cccccccc-0000-4000-8000-000000000010".into(),
            }
        );
    }

    #[test]
    fn parses_cluster_bindings_service_accounts_and_escapes() {
        let r = parse_allowed_reason(
            r#"RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated""#,
        )
        .expect("parsed");
        assert_eq!(r.binding_kind, "ClusterRoleBinding");
        assert_eq!(r.binding_name, "system:basic-user");
        assert_eq!(r.binding_namespace, "");
        let r = parse_allowed_reason(
            r#"RBAC: allowed by RoleBinding "b/dev" of ClusterRole "edit" to ServiceAccount "ci/dev""#,
        )
        .expect("parsed");
        assert_eq!(
            (r.subject_kind.as_str(), r.subject_name.as_str()),
            ("ServiceAccount", "ci/dev")
        );
        let r = parse_allowed_reason(
            r#"RBAC: allowed by ClusterRoleBinding "odd \"name\"" of ClusterRole "r" to User "u""#,
        )
        .expect("parsed");
        assert_eq!(r.binding_name, "odd \"name\"");
    }

    #[test]
    fn other_reasons_are_not_rbac() {
        assert_eq!(parse_allowed_reason(""), None);
        assert_eq!(parse_allowed_reason("allowed by webhook"), None);
        assert_eq!(
            parse_allowed_reason(r#"RBAC: allowed by RoleBinding "x"#),
            None
        );
    }
}
