//! `audit`: bindings that cannot work on an Entra-integrated (AKS) cluster, why, and the
//! `kubectl entra bind`/`unbind` commands that fix them. Pure: the command reads the RBAC
//! objects and asks Graph the few questions [`graph_questions`] lists (batched), then
//! [`audit`] decides.
//!
//! What AKS matches (ENTRA-PROTOCOL §3.4): groups by object id only; users by UPN for members
//! and by object id for guests and service principals (their v1 tokens carry no `upn`).

use crate::graph::{DirectoryObject, is_object_id};
use crate::k8s::bind::{
    ANNOTATION_SUBJECT_ID, ANNOTATION_SUBJECT_KIND, FULL_ACCESS_ROLE, MANAGED_BY_LABEL, MANAGER,
    RBAC_GROUP, full_access_rules,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rbac::MemorySource;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What is wrong, as a stable code for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// A Group subject holding a display name: AKS matches group object ids only.
    GroupDisplayName,
    /// A User subject holding a guest's `#EXT#` UPN: guests are named by object id.
    GuestUpn,
    /// A User subject holding a member's object id: members are named by UPN.
    MemberObjectId,
    /// An object id Entra does not know (deleted group or user).
    UnknownObjectId,
    /// The Role/ClusterRole the binding refers to does not exist: it grants nothing.
    MissingRole,
    /// A namespace on a Group/User subject: ignored by Kubernetes, so the binding does not hold
    /// where its author may think.
    NamespaceOnSubject,
    /// A `managed-by=kubectl-entra` object that differs from what bind writes.
    EditedByHand,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub problem: Problem,
    /// `RoleBinding`, `ClusterRoleBinding`, `Role` or `ClusterRole`.
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `Group appdev`, when the problem is one subject's.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    pub why: String,
    /// Commands to run, in order.
    pub fix: Vec<String>,
}

/// What Graph said about the subjects (absent: Graph was not asked, e.g. `--no-graph`).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// getByIds results by lower-case object id.
    pub objects: BTreeMap<String, DirectoryObject>,
    /// Group display name (lower-case) -> object ids of the groups with that name.
    pub groups_by_name: BTreeMap<String, Vec<String>>,
    /// Guest UPN (lower-case) -> object id.
    pub users_by_upn: BTreeMap<String, String>,
}

/// The Graph questions an audit needs, each subject once: object ids (for one batched
/// getByIds), group display names, guest UPNs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphQuestions {
    pub ids: Vec<String>,
    pub group_names: Vec<String>,
    pub guest_upns: Vec<String>,
}

fn is_guest_upn(name: &str) -> bool {
    name.to_ascii_uppercase().contains("#EXT#")
}

/// One binding, whichever its kind.
struct Binding<'a> {
    kind: &'static str,
    meta: &'a ObjectMeta,
    role_ref: &'a RoleRef,
    subjects: &'a [Subject],
}

impl Binding<'_> {
    fn name(&self) -> &str {
        self.meta.name.as_deref().unwrap_or_default()
    }
    fn namespace(&self) -> &str {
        self.meta.namespace.as_deref().unwrap_or_default()
    }
    /// `-n dev`, or `--cluster-wide`.
    fn where_flags(&self, bind: bool) -> String {
        match (self.kind, bind) {
            ("RoleBinding", _) => format!("-n {}", sh_quote(self.namespace())),
            (_, true) => "--cluster-wide --yes-cluster-wide".to_string(),
            (_, false) => "--cluster-wide".to_string(),
        }
    }
    fn role_flag(&self) -> String {
        if self.role_ref.name == FULL_ACCESS_ROLE {
            "full-access".to_string()
        } else {
            sh_quote(&self.role_ref.name)
        }
    }
    fn unbind(&self) -> String {
        format!(
            "kubectl entra unbind {} --force {}",
            self.where_flags(false),
            sh_quote(self.name())
        )
    }
    fn bind(&self, subject_flag: &str) -> String {
        format!(
            "kubectl entra bind {subject_flag} {} --role {}",
            self.where_flags(true),
            self.role_flag()
        )
    }
}

fn bindings(src: &MemorySource) -> Vec<Binding<'_>> {
    let mut out: Vec<Binding<'_>> = src
        .cluster_role_bindings
        .iter()
        .map(|b| Binding {
            kind: "ClusterRoleBinding",
            meta: &b.metadata,
            role_ref: &b.role_ref,
            subjects: b.subjects.as_deref().unwrap_or(&[]),
        })
        .collect();
    out.extend(src.role_bindings.iter().map(|b| Binding {
        kind: "RoleBinding",
        meta: &b.metadata,
        role_ref: &b.role_ref,
        subjects: b.subjects.as_deref().unwrap_or(&[]),
    }));
    out
}

/// Everything Graph needs to be asked, deduplicated.
pub fn graph_questions(src: &MemorySource) -> GraphQuestions {
    let (mut ids, mut names, mut upns) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for b in bindings(src) {
        for s in b.subjects {
            match s.kind.as_str() {
                "Group" | "User" if is_object_id(&s.name) => {
                    ids.insert(s.name.to_ascii_lowercase());
                }
                "Group" if !s.name.starts_with("system:") => {
                    names.insert(s.name.clone());
                }
                "User" if is_guest_upn(&s.name) => {
                    upns.insert(s.name.clone());
                }
                _ => {}
            }
        }
    }
    GraphQuestions {
        ids: ids.into_iter().collect(),
        group_names: names.into_iter().collect(),
        guest_upns: upns.into_iter().collect(),
    }
}

/// Single-quotes a shell word when it needs it (`o'brien` becomes `'o'\''brien'`).
pub fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn is_managed(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .is_some_and(|v| v == MANAGER)
}

/// The one subject bind writes for the binding's annotations, if they are intact.
fn expected_subject(meta: &ObjectMeta) -> Option<Subject> {
    let a = meta.annotations.as_ref()?;
    let kind = a.get(ANNOTATION_SUBJECT_KIND)?;
    let id = a.get(ANNOTATION_SUBJECT_ID)?;
    Some(match kind.as_str() {
        "ServiceAccount" => {
            let (ns, name) = id.split_once(':')?;
            Subject {
                kind: kind.clone(),
                api_group: None,
                name: name.to_string(),
                namespace: Some(ns.to_string()),
            }
        }
        "Group" | "User" => Subject {
            kind: kind.clone(),
            api_group: Some(RBAC_GROUP.to_string()),
            name: id.clone(),
            namespace: None,
        },
        _ => return None,
    })
}

fn same_subject(a: &Subject, b: &Subject) -> bool {
    a.kind == b.kind
        && a.name.eq_ignore_ascii_case(&b.name)
        && a.namespace.as_deref().unwrap_or("") == b.namespace.as_deref().unwrap_or("")
}

/// The `bind` flag for a subject, when it is in a form bind accepts.
fn subject_flag(s: &Subject) -> Option<String> {
    match s.kind.as_str() {
        "Group" if is_object_id(&s.name) => Some(format!("--group-id {}", s.name)),
        "User" if !is_guest_upn(&s.name) => Some(format!("--user {}", sh_quote(&s.name))),
        "ServiceAccount" => s
            .namespace
            .as_deref()
            .filter(|ns| !ns.is_empty())
            .map(|ns| {
                format!(
                    "--service-account {}",
                    sh_quote(&format!("{ns}:{}", s.name))
                )
            }),
        _ => None,
    }
}

/// Audits the bindings (and kubectl-entra's own roles) in `src`. `directory` is None when
/// Graph was not asked: then deleted object ids cannot be found and fixes for display names
/// and guest UPNs look the object id up with Graph (`--group NAME`) or Azure CLI.
pub fn audit(src: &MemorySource, directory: Option<&Directory>) -> Vec<Finding> {
    let mut out = Vec::new();
    let cluster_roles: BTreeSet<&str> = src
        .cluster_roles
        .iter()
        .filter_map(|r| r.metadata.name.as_deref())
        .collect();
    let roles: BTreeSet<(&str, &str)> = src
        .roles
        .iter()
        .filter_map(|r| {
            Some((
                r.metadata.namespace.as_deref().unwrap_or_default(),
                r.metadata.name.as_deref()?,
            ))
        })
        .collect();
    for b in bindings(src) {
        let finding = |problem, subject: String, why: String, fix: Vec<String>| Finding {
            problem,
            kind: b.kind.to_string(),
            name: b.name().to_string(),
            namespace: b.namespace().to_string(),
            subject,
            why,
            fix,
        };
        let role_exists = match b.role_ref.kind.as_str() {
            "ClusterRole" => cluster_roles.contains(b.role_ref.name.as_str()),
            "Role" => roles.contains(&(b.namespace(), b.role_ref.name.as_str())),
            _ => false,
        };
        if !role_exists {
            let mut fix = Vec::new();
            if b.role_ref.name == FULL_ACCESS_ROLE
                && let Some(flag) = b.subjects.iter().find_map(subject_flag)
            {
                // bind writes the full-access role again.
                fix.push(b.bind(&flag));
            } else {
                fix.push(b.unbind());
            }
            out.push(finding(
                Problem::MissingRole,
                String::new(),
                format!(
                    "it refers to the {} {:?}, which does not exist, so it grants nothing (create the role, or remove the binding)",
                    b.role_ref.kind, b.role_ref.name
                ),
                fix,
            ));
        }
        if is_managed(b.meta) {
            let expected = expected_subject(b.meta);
            let intact = match &expected {
                Some(e) => b.subjects.len() == 1 && same_subject(&b.subjects[0], e),
                None => false,
            };
            if !intact {
                let why = match &expected {
                    Some(e) => format!(
                        "it is labelled {MANAGED_BY_LABEL}={MANAGER} but its subjects were changed: bind wrote only {} {:?}; unbind and bindings trust the label and annotations, so remove the hand edits by binding again",
                        e.kind, e.name
                    ),
                    None => format!(
                        "it is labelled {MANAGED_BY_LABEL}={MANAGER} but the kubectl-entra.io/subject-* annotations are missing or changed, so unbind cannot tell whose it is"
                    ),
                };
                let mut fix = vec![b.unbind()];
                if let Some(flag) = expected.as_ref().and_then(subject_flag) {
                    fix.push(b.bind(&flag));
                }
                out.push(finding(Problem::EditedByHand, String::new(), why, fix));
            }
        }
        let sole = b.subjects.len() == 1;
        for s in b.subjects {
            let label = format!("{} {}", s.kind, s.name);
            // The fix for a subject that is in the wrong form: replace it with `good`.
            let replace = |good: Option<String>| -> Vec<String> {
                let mut fix = Vec::new();
                if sole {
                    fix.push(b.unbind());
                }
                if let Some(flag) = good {
                    fix.push(b.bind(&flag));
                }
                fix
            };
            let others = if sole {
                String::new()
            } else {
                format!(
                    "; the binding has other subjects, so remove this one by hand (kubectl edit {} {}{})",
                    b.kind.to_ascii_lowercase(),
                    b.name(),
                    if b.namespace().is_empty() {
                        String::new()
                    } else {
                        format!(" -n {}", b.namespace())
                    }
                )
            };
            // The AKS article itself writes `namespace: dev` on the Group subject of a
            // RoleBinding in dev: harmless. It misleads in a ClusterRoleBinding (the grant holds
            // everywhere) or when it names another namespace.
            if matches!(s.kind.as_str(), "Group" | "User")
                && let Some(ns) = s
                    .namespace
                    .as_deref()
                    .filter(|ns| !ns.is_empty() && *ns != b.namespace())
            {
                let holds = if b.kind == "RoleBinding" {
                    format!("in namespace {:?} only", b.namespace())
                } else {
                    "in every namespace".to_string()
                };
                let fix = match subject_flag(&Subject {
                    namespace: None,
                    ..s.clone()
                }) {
                    Some(flag) if b.kind == "ClusterRoleBinding" && sole => vec![
                        b.unbind(),
                        format!(
                            "kubectl entra bind {flag} -n {} --role {}",
                            sh_quote(ns),
                            b.role_flag()
                        ),
                    ],
                    Some(flag) => replace(Some(flag)),
                    None => Vec::new(),
                };
                out.push(finding(
                    Problem::NamespaceOnSubject,
                    label.clone(),
                    format!(
                        "a {} subject has no namespace: {ns:?} is ignored and the binding holds {holds}{others}",
                        s.kind
                    ),
                    fix,
                ));
            }
            match s.kind.as_str() {
                "Group" if s.name.starts_with("system:") => {}
                "Group" if !is_object_id(&s.name) => {
                    let ids = directory
                        .and_then(|d| d.groups_by_name.get(&s.name.to_ascii_lowercase()))
                        .cloned();
                    let (good, found) = match ids.as_deref() {
                        Some([id]) => (
                            Some(format!("--group-id {id}")),
                            format!("; the Entra group named {:?} is {id}", s.name),
                        ),
                        Some([]) => (None, format!("; no Entra group is named {:?}", s.name)),
                        Some(many) => (
                            None,
                            format!(
                                "; {} Entra groups are named {:?} ({}): bind the right one with --group-id",
                                many.len(),
                                s.name,
                                many.join(", ")
                            ),
                        ),
                        None => (
                            Some(format!("--group {}", sh_quote(&s.name))),
                            String::new(),
                        ),
                    };
                    out.push(finding(
                        Problem::GroupDisplayName,
                        label,
                        format!("AKS puts group object ids in the user's groups, never display names, so this subject matches nobody{found}{others}"),
                        replace(good),
                    ));
                }
                "User" if is_guest_upn(&s.name) => {
                    let oid = directory
                        .and_then(|d| d.users_by_upn.get(&s.name.to_ascii_lowercase()))
                        .cloned();
                    let good = match &oid {
                        Some(id) => format!("--user {id}"),
                        None => format!(
                            "--user \"$(az ad user show --id {} --query id -o tsv)\"",
                            sh_quote(&s.name)
                        ),
                    };
                    out.push(finding(
                        Problem::GuestUpn,
                        label,
                        format!("a guest's token carries no upn, so AKS names the guest by object id{}{others}", oid.map(|id| format!(" ({id})")).unwrap_or_default()),
                        replace(Some(good)),
                    ));
                }
                "Group" | "User" if is_object_id(&s.name) => {
                    let Some(d) = directory else { continue };
                    match d.objects.get(&s.name.to_ascii_lowercase()) {
                        None => out.push(finding(
                            Problem::UnknownObjectId,
                            label,
                            format!("no Entra object has this id (deleted?), so the subject matches nobody{others}"),
                            replace(None),
                        )),
                        Some(o) if s.kind == "User" => {
                            if let Some(upn) = o
                                .user_principal_name
                                .as_deref()
                                .filter(|u| !is_guest_upn(u))
                            {
                                out.push(finding(
                                    Problem::MemberObjectId,
                                    label,
                                    format!("this is the member {upn:?}; AKS names members by UPN, so the object id matches nobody{others}"),
                                    replace(Some(format!("--user {}", sh_quote(upn)))),
                                ));
                            }
                        }
                        Some(_) => {}
                    }
                }
                _ => {}
            }
        }
    }
    // kubectl-entra's own full-access roles with other rules.
    let role_edited = |meta: &ObjectMeta, rules: &Option<Vec<PolicyRule>>| {
        is_managed(meta)
            && meta.name.as_deref() == Some(FULL_ACCESS_ROLE)
            && rules.as_deref().unwrap_or(&[]) != full_access_rules().as_slice()
    };
    for r in &src.roles {
        if role_edited(&r.metadata, &r.rules) {
            out.push(edited_role("Role", &r.metadata));
        }
    }
    for r in &src.cluster_roles {
        if role_edited(&r.metadata, &r.rules) {
            out.push(edited_role("ClusterRole", &r.metadata));
        }
    }
    // Hand-edited objects first: their fix (unbind, bind again) must run before another
    // finding's fix binds the same subject and role, which would meet the hand edit.
    out.sort_by(|a, b| {
        let key = |f: &Finding| (f.problem != Problem::EditedByHand, f.namespace.clone());
        (key(a), &a.kind, &a.name, a.problem, &a.subject).cmp(&(
            key(b),
            &b.kind,
            &b.name,
            b.problem,
            &b.subject,
        ))
    });
    out
}

fn edited_role(kind: &str, meta: &ObjectMeta) -> Finding {
    let ns = meta.namespace.clone().unwrap_or_default();
    let apply = if ns.is_empty() {
        format!("kubectl get clusterrole {FULL_ACCESS_ROLE} -o yaml")
    } else {
        format!("kubectl get role {FULL_ACCESS_ROLE} -n {ns} -o yaml")
    };
    Finding {
        problem: Problem::EditedByHand,
        kind: kind.to_string(),
        name: FULL_ACCESS_ROLE.to_string(),
        namespace: ns,
        subject: String::new(),
        why: format!(
            "it is labelled {MANAGED_BY_LABEL}={MANAGER} but its rules differ from the AKS article's that bind writes (see `{apply}`); bind does not overwrite them, so unbind its bindings and bind again, or drop the label to own it"
        ),
        fix: Vec::new(),
    }
}

/// kubectl-like table.
pub fn render_table(findings: &[Finding], headers: bool) -> String {
    let mut table = crate::output::Table::new(&["namespace", "kind", "name", "problem", "subject"]);
    for f in findings {
        let problem = serde_json::to_value(f.problem)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        table.row([
            if f.namespace.is_empty() {
                "*".to_string()
            } else {
                f.namespace.clone()
            },
            f.kind.clone(),
            f.name.clone(),
            problem,
            f.subject.clone(),
        ]);
    }
    table.render(headers)
}

/// The explanations and fixes under the table.
pub fn render_fixes(findings: &[Finding]) -> String {
    let mut text = String::new();
    for f in findings {
        let place = if f.namespace.is_empty() {
            format!("{} {}", f.kind, f.name)
        } else {
            format!("{} {}/{}", f.kind, f.namespace, f.name)
        };
        let subject = if f.subject.is_empty() {
            String::new()
        } else {
            format!(", {}", f.subject)
        };
        text.push_str(&format!("\n{place}{subject}: {}\n", f.why));
        for cmd in &f.fix {
            text.push_str(&format!("  fix: {cmd}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPDEV: &str = "cccc0000-0000-4000-8000-000000000001";
    const GONE: &str = "dead0000-0000-4000-8000-000000000001";
    const DEV: &str = "aaaa0000-0000-4000-8000-000000000001";
    const GUEST: &str = "aaaa0000-0000-4000-8000-000000000004";

    fn src() -> MemorySource {
        MemorySource::from_yaml(&format!(
            r#"
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: reader, namespace: dev}}
rules: []
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: by-name, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects: [{{kind: Group, name: appdev, apiGroup: rbac.authorization.k8s.io}}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: article, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects: [{{kind: Group, name: "{APPDEV}", namespace: dev, apiGroup: rbac.authorization.k8s.io}}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: guest, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects: [{{kind: User, name: "partner_fabrikam.com#EXT#@contoso.com", apiGroup: rbac.authorization.k8s.io}}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: mixed, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects:
- {{kind: Group, name: "{GONE}", apiGroup: rbac.authorization.k8s.io}}
- {{kind: User, name: "{DEV}", apiGroup: rbac.authorization.k8s.io}}
- {{kind: User, name: "{GUEST}", apiGroup: rbac.authorization.k8s.io}}
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: no-role, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nope}}
subjects: [{{kind: Group, name: "{APPDEV}", apiGroup: rbac.authorization.k8s.io}}]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: ns-on-group}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}
subjects: [{{kind: Group, name: "{APPDEV}", namespace: dev, apiGroup: rbac.authorization.k8s.io}}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: view}}
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: entra-appdev-view
  namespace: dev
  labels: {{app.kubernetes.io/managed-by: kubectl-entra}}
  annotations: {{kubectl-entra.io/subject-kind: Group, kubectl-entra.io/subject-id: "{APPDEV}", kubectl-entra.io/subject-name: appdev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}
subjects:
- {{kind: Group, name: "{APPDEV}", apiGroup: rbac.authorization.k8s.io}}
- {{kind: User, name: mallory@contoso.com, apiGroup: rbac.authorization.k8s.io}}
"#
        ))
        .expect("yaml")
    }

    fn directory() -> Directory {
        let obj = |id: &str, upn: Option<&str>| DirectoryObject {
            id: id.into(),
            display_name: None,
            odata_type: None,
            user_principal_name: upn.map(str::to_string),
        };
        Directory {
            objects: [
                (APPDEV.to_string(), obj(APPDEV, None)),
                (DEV.to_string(), obj(DEV, Some("aksdev@contoso.com"))),
                (
                    GUEST.to_string(),
                    obj(GUEST, Some("partner_fabrikam.com#EXT#@contoso.com")),
                ),
            ]
            .into(),
            groups_by_name: [("appdev".to_string(), vec![APPDEV.to_string()])].into(),
            users_by_upn: [(
                "partner_fabrikam.com#ext#@contoso.com".to_string(),
                GUEST.to_string(),
            )]
            .into(),
        }
    }

    #[test]
    fn every_problem_is_found_with_its_fix() {
        let src = src();
        let q = graph_questions(&src);
        assert_eq!(q.ids, [DEV, GUEST, APPDEV, GONE]);
        assert_eq!(q.group_names, ["appdev"]);
        assert_eq!(q.guest_upns, ["partner_fabrikam.com#EXT#@contoso.com"]);
        let found = audit(&src, Some(&directory()));
        let got: Vec<(Problem, &str)> =
            found.iter().map(|f| (f.problem, f.name.as_str())).collect();
        assert_eq!(
            got,
            [
                (Problem::EditedByHand, "entra-appdev-view"),
                (Problem::NamespaceOnSubject, "ns-on-group"),
                (Problem::GroupDisplayName, "by-name"),
                (Problem::GuestUpn, "guest"),
                (Problem::MemberObjectId, "mixed"),
                (Problem::UnknownObjectId, "mixed"),
                (Problem::MissingRole, "no-role"),
            ]
        );
        let fix = |name: &str, p: Problem| {
            found
                .iter()
                .find(|f| f.name == name && f.problem == p)
                .map(|f| f.fix.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            fix("by-name", Problem::GroupDisplayName),
            [
                "kubectl entra unbind -n dev --force by-name".to_string(),
                format!("kubectl entra bind --group-id {APPDEV} -n dev --role reader")
            ]
        );
        assert_eq!(
            fix("guest", Problem::GuestUpn)[1],
            format!("kubectl entra bind --user {GUEST} -n dev --role reader")
        );
        assert_eq!(
            fix("mixed", Problem::MemberObjectId),
            ["kubectl entra bind --user aksdev@contoso.com -n dev --role reader"]
        );
        assert!(fix("mixed", Problem::UnknownObjectId).is_empty());
        assert_eq!(
            fix("ns-on-group", Problem::NamespaceOnSubject),
            [
                "kubectl entra unbind --cluster-wide --force ns-on-group".to_string(),
                format!("kubectl entra bind --group-id {APPDEV} -n dev --role view")
            ]
        );
        assert_eq!(
            fix("entra-appdev-view", Problem::EditedByHand),
            [
                "kubectl entra unbind -n dev --force entra-appdev-view".to_string(),
                format!("kubectl entra bind --group-id {APPDEV} -n dev --role view")
            ]
        );
        assert_eq!(
            fix("no-role", Problem::MissingRole),
            ["kubectl entra unbind -n dev --force no-role"]
        );
        let text = render_fixes(&found);
        assert!(
            text.contains("remove this one by hand (kubectl edit rolebinding mixed -n dev)"),
            "{text}"
        );
        let table = render_table(&found, true);
        assert!(table.starts_with("NAMESPACE"), "{table}");
        assert!(table.contains("group-display-name"), "{table}");
    }

    #[test]
    fn without_graph_names_are_kept_and_ids_not_judged() {
        let found = audit(&src(), None);
        assert!(!found.iter().any(|f| f.problem == Problem::UnknownObjectId));
        let by_name = found
            .iter()
            .find(|f| f.problem == Problem::GroupDisplayName)
            .expect("found");
        assert_eq!(
            by_name.fix[1],
            "kubectl entra bind --group appdev -n dev --role reader"
        );
        let guest = found
            .iter()
            .find(|f| f.problem == Problem::GuestUpn)
            .expect("found");
        assert!(
            guest.fix[1].contains(
                "$(az ad user show --id 'partner_fabrikam.com#EXT#@contoso.com' --query id -o tsv)"
            ),
            "{:?}",
            guest.fix
        );
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(sh_quote("dev"), "dev");
        assert_eq!(sh_quote("o'brien team"), r"'o'\''brien team'");
        assert_eq!(sh_quote(""), "''");
    }
}
