//! `can-i --why`: which binding allowed it, or what exists and what is missing when it did not.
//! Pure text building; the command fetches the identity, RBAC snapshot and names first.

use super::group_names::GroupNames;
use super::reason::parse_allowed_reason;
use super::snapshot::RbacReadAccess;
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};
use rbac::{
    Attributes, MemorySource, PRIVILEGED_GROUP, RbacSource, UserInfo, bindings_for, compact_string,
    role_ref_rules, rules_allow,
};

/// How many of a role's rules the explanation lists before "… N more".
const RULES_SHOWN: usize = 6;

/// `Group "appdev" (cccc…)` for a resolved Entra group, `User "x"` otherwise.
pub fn subject_label(kind: &str, name: &str, names: &GroupNames) -> String {
    match names.name(name) {
        Some(display) if kind == "Group" => format!("Group {display:?} ({name})"),
        _ => format!("{kind} {name:?}"),
    }
}

fn binding_label(kind: &str, name: &str, namespace: &str) -> String {
    if namespace.is_empty() {
        format!("{kind} {name:?}")
    } else {
        format!("{kind} {name:?} in namespace {namespace:?}")
    }
}

/// What the request is, in words: `create pods in namespace "dev"`.
pub fn describe_request(attrs: &Attributes) -> String {
    if let Some(path) = &attrs.path {
        return format!("{} {path}", attrs.verb);
    }
    let mut what = attrs.resource.clone();
    if !attrs.api_group.is_empty() {
        what = format!("{what}.{}", attrs.api_group);
    }
    if !attrs.subresource.is_empty() {
        what = format!("{what}/{}", attrs.subresource);
    }
    if !attrs.name.is_empty() {
        what = format!("{what} named {:?}", attrs.name);
    }
    let scope = if attrs.namespace.is_empty() {
        "cluster-wide".to_string()
    } else {
        format!("in namespace {:?}", attrs.namespace)
    };
    format!("{} {what} {scope}", attrs.verb)
}

/// The explanation of a yes, from the review's reason.
pub fn explain_yes(reason: &str, user: Option<&UserInfo>, names: &GroupNames) -> Vec<String> {
    if let Some(by) = parse_allowed_reason(reason) {
        return vec![
            format!(
                "allowed by {}",
                binding_label(&by.binding_kind, &by.binding_name, &by.binding_namespace)
            ),
            format!("  role:    {} {:?}", by.role_kind, by.role_name),
            format!(
                "  subject: {}",
                subject_label(&by.subject_kind, &by.subject_name, names)
            ),
        ];
    }
    let masters = user.is_some_and(|u| u.groups.iter().any(|g| g == PRIVILEGED_GROUP));
    if reason.is_empty() && masters {
        return vec![format!(
            "allowed because you are in the group {PRIVILEGED_GROUP}: the API server lets it do anything before RBAC is asked, no binding involved"
        )];
    }
    if reason.is_empty() {
        return vec![
            "allowed, but the API server gave no reason: an authorizer other than RBAC (a webhook such as Azure RBAC for Kubernetes) allowed it".to_string(),
        ];
    }
    vec![format!("allowed: {reason}")]
}

/// The role `kubectl entra bind` would need, and the minimal rule, for a denied request.
pub fn suggest_role(attrs: &Attributes) -> (String, String) {
    if let Some(path) = &attrs.path {
        return (
            "a ClusterRole".to_string(),
            format!("verbs: [{}] nonResourceURLs: [{path:?}]", attrs.verb),
        );
    }
    let read = matches!(attrs.verb.as_str(), "get" | "list" | "watch");
    let sensitive = attrs.api_group == "rbac.authorization.k8s.io"
        || matches!(
            attrs.verb.as_str(),
            "bind" | "escalate" | "impersonate" | "*"
        )
        || attrs.resource == "resourcequotas";
    let role = if sensitive {
        "admin"
    } else if read && attrs.resource != "secrets" {
        "view"
    } else {
        "edit"
    };
    let resource = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    let mut rule = format!(
        "verbs: [{}] apiGroups: [{:?}] resources: [{resource}]",
        attrs.verb, attrs.api_group
    );
    if !attrs.name.is_empty() {
        rule.push_str(&format!(" resourceNames: [{}]", attrs.name));
    }
    (role.to_string(), rule)
}

fn rules_summary(src: &MemorySource, role_ref: &RoleRef, namespace: &str) -> Vec<String> {
    match role_ref_rules(src, role_ref, namespace) {
        Ok(rules) if rules.is_empty() => vec!["(no rules)".to_string()],
        Ok(rules) => {
            let mut out: Vec<String> = rules.iter().take(RULES_SHOWN).map(compact_string).collect();
            if rules.len() > RULES_SHOWN {
                out.push(format!("… {} more", rules.len() - RULES_SHOWN));
            }
            out
        }
        Err(e) => vec![format!("(cannot read the role: {e})")],
    }
}

fn role_ref(kind: &str, name: &str) -> RoleRef {
    RoleRef {
        api_group: "rbac.authorization.k8s.io".into(),
        kind: kind.into(),
        name: name.into(),
    }
}

/// Bindings (in the namespace and cluster-wide) whose role allows the request, with their
/// subjects: who already has it, i.e. what would give it to you.
fn bindings_that_allow(src: &MemorySource, attrs: &Attributes) -> Vec<(String, Vec<Subject>)> {
    let mut out = Vec::new();
    for b in src.cluster_role_bindings() {
        let rr = &b.role_ref;
        if let Ok(rules) = role_ref_rules(src, rr, "")
            && rules_allow(&rules, attrs)
        {
            out.push((
                format!(
                    "{} -> {} {:?}",
                    binding_label(
                        "ClusterRoleBinding",
                        b.metadata.name.as_deref().unwrap_or(""),
                        ""
                    ),
                    rr.kind,
                    rr.name
                ),
                b.subjects.clone().unwrap_or_default(),
            ));
        }
    }
    if !attrs.namespace.is_empty() {
        for b in src.role_bindings(&attrs.namespace) {
            let rr = &b.role_ref;
            if let Ok(rules) = role_ref_rules(src, rr, &attrs.namespace)
                && rules_allow(&rules, attrs)
            {
                out.push((
                    format!(
                        "{} -> {} {:?}",
                        binding_label(
                            "RoleBinding",
                            b.metadata.name.as_deref().unwrap_or(""),
                            &attrs.namespace
                        ),
                        rr.kind,
                        rr.name
                    ),
                    b.subjects.clone().unwrap_or_default(),
                ));
            }
        }
    }
    out
}

/// The explanation of a no. `snapshot` is None when nothing could be read at all.
pub fn explain_no(
    attrs: &Attributes,
    user: &UserInfo,
    names: &GroupNames,
    snapshot: Option<(&MemorySource, &RbacReadAccess)>,
) -> Vec<String> {
    let mut out = Vec::new();
    let groups: Vec<String> = user.groups.iter().map(|g| names.label(g)).collect();
    out.push(format!(
        "no RBAC rule lets User {:?} (groups: {}) {}",
        user.name,
        if groups.is_empty() {
            "none".to_string()
        } else {
            groups.join(", ")
        },
        describe_request(attrs)
    ));
    let where_ = if attrs.namespace.is_empty() {
        "cluster-wide".to_string()
    } else {
        format!("in namespace {:?} and cluster-wide", attrs.namespace)
    };
    match snapshot {
        Some((src, access)) => {
            let missing = access.missing(&attrs.namespace);
            if !missing.is_empty() {
                out.push(format!(
                    "you may not {}, so the list below is partial",
                    missing.join(", ")
                ));
            }
            let applying = bindings_for(src, user, &attrs.namespace);
            if applying.is_empty() {
                out.push(format!("no bindings {where_} apply to you"));
            } else {
                out.push(format!(
                    "bindings {where_} that apply to you, and what they grant:"
                ));
                for b in &applying {
                    out.push(format!(
                        "  {} -> {} {:?}, through {}",
                        binding_label(&b.binding_kind, &b.binding_name, &b.binding_namespace),
                        b.role_kind,
                        b.role_name,
                        subject_label(&b.subject.kind, &b.subject.name, names)
                    ));
                    for rule in rules_summary(
                        src,
                        &role_ref(&b.role_kind, &b.role_name),
                        &b.binding_namespace,
                    ) {
                        out.push(format!("      {rule}"));
                    }
                }
            }
            let allowing = bindings_that_allow(src, attrs);
            if !allowing.is_empty() {
                out.push("these bindings allow it, for other subjects:".to_string());
                for (label, subjects) in &allowing {
                    let who: Vec<String> = subjects
                        .iter()
                        .map(|s| subject_label(&s.kind, &s.name, names))
                        .collect();
                    out.push(format!("  {label}, to {}", who.join(", ")));
                }
                let groups: Vec<String> = allowing
                    .iter()
                    .flat_map(|(_, s)| s.iter())
                    .filter(|s| s.kind == "Group" && !s.name.starts_with("system:"))
                    .map(|s| names.name(&s.name).unwrap_or(&s.name).to_string())
                    .collect();
                if !groups.is_empty() {
                    out.push(format!(
                        "  joining one of the Entra groups {} would give it to you (then sign in again: `kubectl entra logout`)",
                        groups.join(", ")
                    ));
                }
            }
        }
        None => {
            // The admin must impersonate the groups too, or the answer changes.
            let mut as_flags = format!("--as {}", user.name);
            for g in user.groups.iter().filter(|g| !g.starts_with("system:")) {
                as_flags.push_str(&format!(" --as-group {g}"));
            }
            out.push(format!(
                "you may not read the RBAC bindings {where_}, so they cannot be listed; an admin can run `kubectl entra bindings -n {}` or `kubectl entra can-i {} --why {as_flags}`",
                if attrs.namespace.is_empty() {
                    "NAMESPACE"
                } else {
                    &attrs.namespace
                },
                short_question(attrs),
            ));
        }
    }
    let (role, rule) = suggest_role(attrs);
    let target = if attrs.namespace.is_empty() {
        "--cluster-wide".to_string()
    } else {
        format!("-n {}", attrs.namespace)
    };
    let group = user
        .groups
        .iter()
        .find(|g| !g.starts_with("system:"))
        .map(|g| match names.name(g) {
            Some(n) => format!("--group {n}"),
            None => format!("--group-id {g}"),
        })
        .unwrap_or_else(|| "--group <your Entra group>".to_string());
    out.push(format!(
        "needed: a rule {{{rule}}} {}",
        if attrs.namespace.is_empty() {
            "in a ClusterRole".to_string()
        } else {
            format!("in namespace {:?}", attrs.namespace)
        }
    ));
    if attrs.path.is_none() {
        out.push(format!(
            "  e.g. an admin runs: kubectl entra bind {group} {target} --role {role}"
        ));
    } else {
        out.push(format!(
            "  e.g. an admin binds {role} holding that rule to you"
        ));
    }
    out
}

fn short_question(attrs: &Attributes) -> String {
    if let Some(path) = &attrs.path {
        return format!("{} {path}", attrs.verb);
    }
    let mut r = attrs.resource.clone();
    if !attrs.api_group.is_empty() {
        r = format!("{r}.{}", attrs.api_group);
    }
    let ns = if attrs.namespace.is_empty() {
        String::new()
    } else {
        format!(" -n {}", attrs.namespace)
    };
    format!("{} {r}{ns}", attrs.verb)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPDEV: &str = "cccccccc-0000-4000-8000-000000000010";
    const OPSSRE: &str = "cccccccc-0000-4000-8000-000000000011";

    fn names() -> GroupNames {
        let mut n = GroupNames::default();
        n.insert(APPDEV, "appdev");
        n.insert(OPSSRE, "opssre");
        n
    }

    fn aksdev() -> UserInfo {
        UserInfo {
            name: "aksdev@contoso.com".into(),
            groups: vec![APPDEV.into(), "system:authenticated".into()],
            ..Default::default()
        }
    }

    fn article() -> MemorySource {
        let yaml = format!(
            r#"
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: dev-user-full-access, namespace: dev}}
rules:
- apiGroups: ["", "extensions", "apps"]
  resources: ["*"]
  verbs: ["*"]
- apiGroups: ["batch"]
  resources: [jobs, cronjobs]
  verbs: ["*"]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: dev-user-access, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev-user-full-access}}
subjects: [{{kind: Group, name: {APPDEV}, apiGroup: rbac.authorization.k8s.io}}]
---
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: sre-user-full-access, namespace: sre}}
rules:
- apiGroups: ["", "extensions", "apps"]
  resources: ["*"]
  verbs: ["*"]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: sre-user-access, namespace: sre}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: sre-user-full-access}}
subjects: [{{kind: Group, name: {OPSSRE}, apiGroup: rbac.authorization.k8s.io}}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: system:basic-user}}
rules:
- apiGroups: [authorization.k8s.io]
  resources: [selfsubjectaccessreviews, selfsubjectrulesreviews]
  verbs: [create]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: system:basic-user}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:basic-user}}
subjects: [{{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}}]
"#
        );
        MemorySource::from_yaml(&yaml).expect("fixture")
    }

    fn create_pods(ns: &str) -> Attributes {
        Attributes {
            verb: "create".into(),
            namespace: ns.into(),
            resource: "pods".into(),
            ..Default::default()
        }
    }

    #[test]
    fn yes_names_binding_role_and_entra_group() {
        let reason = format!(
            r#"RBAC: allowed by RoleBinding "dev-user-access/dev" of Role "dev-user-full-access" to Group "{APPDEV}""#
        );
        let text = explain_yes(&reason, Some(&aksdev()), &names()).join("\n");
        assert_eq!(
            text,
            format!(
                "allowed by RoleBinding \"dev-user-access\" in namespace \"dev\"\n  role:    Role \"dev-user-full-access\"\n  subject: Group \"appdev\" ({APPDEV})"
            )
        );
        let masters = UserInfo {
            groups: vec!["system:masters".into()],
            ..Default::default()
        };
        assert!(explain_yes("", Some(&masters), &names())[0].contains("system:masters"));
        assert!(explain_yes("", None, &names())[0].contains("other than RBAC"));
        assert_eq!(
            explain_yes("by webhook", None, &names()),
            ["allowed: by webhook"]
        );
    }

    #[test]
    fn no_lists_applying_bindings_the_allowing_one_and_a_suggestion() {
        let src = article();
        let all = RbacReadAccess {
            roles: true,
            role_bindings: true,
            cluster_roles: true,
            cluster_role_bindings: true,
        };
        let text =
            explain_no(&create_pods("sre"), &aksdev(), &names(), Some((&src, &all))).join("\n");
        assert!(
            text.contains(&format!("groups: appdev ({APPDEV}), system:authenticated")),
            "{text}"
        );
        assert!(text.contains("create pods in namespace \"sre\""), "{text}");
        assert!(text.contains("ClusterRoleBinding \"system:basic-user\" -> ClusterRole \"system:basic-user\", through Group \"system:authenticated\""), "{text}");
        assert!(
            text.contains("Resources:[\"selfsubjectaccessreviews\" \"selfsubjectrulesreviews\"]"),
            "{text}"
        );
        assert!(text.contains(&format!("RoleBinding \"sre-user-access\" in namespace \"sre\" -> Role \"sre-user-full-access\", to Group \"opssre\" ({OPSSRE})")), "{text}");
        assert!(
            text.contains("joining one of the Entra groups opssre"),
            "{text}"
        );
        assert!(text.contains("needed: a rule {verbs: [create] apiGroups: [\"\"] resources: [pods]} in namespace \"sre\""), "{text}");
        assert!(
            text.contains("kubectl entra bind --group appdev -n sre --role edit"),
            "{text}"
        );
        assert!(!text.contains("partial"), "{text}");
    }

    #[test]
    fn cluster_wide_questions_need_no_namespaced_read_access() {
        let src = article();
        let cluster_only = RbacReadAccess {
            cluster_roles: true,
            cluster_role_bindings: true,
            ..Default::default()
        };
        let text = explain_no(
            &create_pods(""),
            &aksdev(),
            &names(),
            Some((&src, &cluster_only)),
        )
        .join("\n");
        assert!(!text.contains("you may not"), "{text}");
        assert!(text.contains("bindings cluster-wide that apply"), "{text}");
        let text = explain_no(
            &create_pods("sre"),
            &aksdev(),
            &names(),
            Some((&src, &cluster_only)),
        )
        .join("\n");
        assert!(
            text.contains("you may not list rolebindings in \"sre\", list roles in \"sre\", so the list below is partial"),
            "{text}"
        );
    }

    #[test]
    fn no_without_rbac_read_says_so() {
        let text = explain_no(&create_pods("sre"), &aksdev(), &names(), None).join("\n");
        assert!(
            text.contains("you may not read the RBAC bindings in namespace \"sre\""),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "kubectl entra can-i create pods -n sre --why --as aksdev@contoso.com --as-group {APPDEV}`"
            )),
            "{text}"
        );
        let src = MemorySource::new();
        let partial = RbacReadAccess {
            cluster_roles: true,
            cluster_role_bindings: true,
            ..Default::default()
        };
        let text = explain_no(
            &create_pods("sre"),
            &aksdev(),
            &GroupNames::default(),
            Some((&src, &partial)),
        )
        .join("\n");
        assert!(text.contains("you may not list rolebindings in \"sre\", list roles in \"sre\", so the list below is partial"), "{text}");
        assert!(text.contains(&format!("--group-id {APPDEV}")), "{text}");
    }

    #[test]
    fn suggested_roles_follow_the_verb_and_resource() {
        let mut a = create_pods("dev");
        assert_eq!(suggest_role(&a).0, "edit");
        a.verb = "list".into();
        assert_eq!(suggest_role(&a).0, "view");
        a.resource = "secrets".into();
        assert_eq!(suggest_role(&a).0, "edit");
        a.api_group = "rbac.authorization.k8s.io".into();
        a.resource = "rolebindings".into();
        assert_eq!(suggest_role(&a).0, "admin");
        let logs = Attributes {
            verb: "get".into(),
            resource: "pods".into(),
            subresource: "log".into(),
            name: "web".into(),
            ..Default::default()
        };
        assert_eq!(
            suggest_role(&logs).1,
            "verbs: [get] apiGroups: [\"\"] resources: [pods/log] resourceNames: [web]"
        );
    }
}
