//! Whether a binding's subject is the requesting user (kube-apiserver's `appliesToUser`).

use super::UserInfo;
use k8s_openapi::api::rbac::v1::Subject;

/// The username prefix of service-account tokens.
pub const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";

/// The first subject that names `user`, if any. `binding_namespace` is the RoleBinding's namespace
/// ("" for ClusterRoleBindings): it is the default for ServiceAccount subjects without one.
pub fn applies_to<'a>(
    user: &UserInfo,
    subjects: &'a [Subject],
    binding_namespace: &str,
) -> Option<&'a Subject> {
    subjects
        .iter()
        .find(|s| subject_matches(user, s, binding_namespace))
}

/// One subject against the user. `*` is not a wildcard for any kind.
pub fn subject_matches(user: &UserInfo, subject: &Subject, binding_namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => user.name == subject.name,
        "Group" => user.groups.contains(&subject.name),
        "ServiceAccount" => {
            let ns = match subject.namespace.as_deref() {
                Some(ns) if !ns.is_empty() => ns,
                _ => binding_namespace,
            };
            !ns.is_empty() && user.name == service_account_username(ns, &subject.name)
        }
        _ => false,
    }
}

/// `system:serviceaccount:<namespace>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn subject(kind: &str, name: &str, namespace: Option<&str>) -> Subject {
        Subject {
            api_group: match kind {
                "ServiceAccount" => None,
                _ => Some("rbac.authorization.k8s.io".into()),
            },
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(str::to_string),
        }
    }

    fn user(name: &str, groups: &[&str]) -> UserInfo {
        UserInfo {
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn user_subject_is_exact_and_star_is_not_a_wildcard() {
        let alice = user("alice", &[]);
        assert!(subject_matches(&alice, &subject("User", "alice", None), ""));
        assert!(!subject_matches(
            &alice,
            &subject("User", "Alice", None),
            ""
        ));
        assert!(!subject_matches(&alice, &subject("User", "*", None), ""));
        assert!(!subject_matches(&alice, &subject("Group", "*", None), ""));
    }

    #[test]
    fn group_subject_matches_membership() {
        let u = user(
            "aksdev@contoso.com",
            &["appdev-oid", "system:authenticated"],
        );
        assert!(subject_matches(
            &u,
            &subject("Group", "appdev-oid", None),
            "dev"
        ));
        assert!(!subject_matches(
            &u,
            &subject("Group", "opssre-oid", None),
            "dev"
        ));
        // a group name is not a user name and vice versa
        assert!(!subject_matches(
            &u,
            &subject("User", "appdev-oid", None),
            "dev"
        ));
        assert!(!subject_matches(
            &u,
            &subject("Group", "aksdev@contoso.com", None),
            "dev"
        ));
    }

    #[test]
    fn service_account_subject_defaults_to_binding_namespace() {
        let sa = user("system:serviceaccount:dev:builder", &[]);
        assert!(subject_matches(
            &sa,
            &subject("ServiceAccount", "builder", Some("dev")),
            "x"
        ));
        assert!(subject_matches(
            &sa,
            &subject("ServiceAccount", "builder", None),
            "dev"
        ));
        assert!(subject_matches(
            &sa,
            &subject("ServiceAccount", "builder", Some("")),
            "dev"
        ));
        assert!(!subject_matches(
            &sa,
            &subject("ServiceAccount", "builder", None),
            "sre"
        ));
        // a ClusterRoleBinding has no namespace to default to
        assert!(!subject_matches(
            &sa,
            &subject("ServiceAccount", "builder", None),
            ""
        ));
        assert!(!subject_matches(
            &sa,
            &subject("ServiceAccount", "other", Some("dev")),
            ""
        ));
    }

    #[test]
    fn unknown_kind_never_matches() {
        let u = user("alice", &[]);
        assert!(!subject_matches(&u, &subject("Robot", "alice", None), ""));
    }

    #[test]
    fn first_matching_subject_is_reported() {
        let u = user("alice", &["devs"]);
        let subjects = vec![
            subject("User", "bob", None),
            subject("Group", "devs", None),
            subject("User", "alice", None),
        ];
        let found = applies_to(&u, &subjects, "").expect("applies");
        assert_eq!(found.kind, "Group");
        assert!(applies_to(&user("carol", &[]), &subjects, "").is_none());
    }
}
