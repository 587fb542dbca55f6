//! `who-can`: every subject the RBAC objects let do one thing, with Entra names. The RBAC
//! objects are read with list calls (one per kind; a refusal names the permission missing),
//! evaluated locally with the `rbac` crate (the same matching as the API server and `can-i`),
//! and Entra object ids are named in one batched Graph `getByIds` call.

use super::answer::ResolvedTarget;
use crate::graph::{DirectoryObject, GraphClient, is_object_id};
use crate::k8s::error::readable;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, ListParams};
use rbac::{Attributes, Grant, MemorySource, WhoCan};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the RBAC objects are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// Roles and RoleBindings of one namespace (plus the cluster-wide kinds).
    Namespace(String),
    /// Every namespace's.
    All,
    /// ClusterRoles and ClusterRoleBindings only (cluster-scoped or non-resource questions).
    ClusterOnly,
}

/// One list call's refusal, worded as the permission to ask for.
fn missing(resource: &str, scope: &ReadScope, namespaced: bool) -> String {
    match (scope, namespaced) {
        (ReadScope::Namespace(ns), true) => {
            format!("list {resource}.rbac.authorization.k8s.io in namespace {ns:?}")
        }
        (_, true) => {
            format!("list {resource}.rbac.authorization.k8s.io in all namespaces")
        }
        (_, false) => format!("list {resource}.rbac.authorization.k8s.io (cluster-wide)"),
    }
}

/// Runs a list call; a 403 becomes the missing permission, anything else an error.
async fn list_or_missing<K>(api: Api<K>, what: String) -> anyhow::Result<Result<Vec<K>, String>>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.list(&ListParams::default()).await {
        Ok(list) => Ok(Ok(list.items)),
        Err(kube::Error::Api(status)) if status.code == 403 => Ok(Err(what)),
        Err(e) => Err(readable(e)),
    }
}

/// The RBAC objects in scope, read with (at most) four concurrent list calls. When any list is
/// refused, the error names every permission missing.
pub async fn read_rbac_lists(
    client: &kube::Client,
    scope: &ReadScope,
) -> anyhow::Result<MemorySource> {
    let c = client.clone();
    let crs = list_or_missing(
        Api::<ClusterRole>::all(c.clone()),
        missing("clusterroles", scope, false),
    );
    let crbs = list_or_missing(
        Api::<ClusterRoleBinding>::all(c.clone()),
        missing("clusterrolebindings", scope, false),
    );
    let (roles_api, rbs_api) = match scope {
        ReadScope::Namespace(ns) => (
            Some(Api::<Role>::namespaced(c.clone(), ns)),
            Some(Api::<RoleBinding>::namespaced(c.clone(), ns)),
        ),
        ReadScope::All => (
            Some(Api::<Role>::all(c.clone())),
            Some(Api::<RoleBinding>::all(c.clone())),
        ),
        ReadScope::ClusterOnly => (None, None),
    };
    let roles = async {
        match roles_api {
            Some(api) => list_or_missing(api, missing("roles", scope, true)).await,
            None => Ok(Ok(Vec::new())),
        }
    };
    let rbs = async {
        match rbs_api {
            Some(api) => list_or_missing(api, missing("rolebindings", scope, true)).await,
            None => Ok(Ok(Vec::new())),
        }
    };
    let (crs, crbs, roles, rbs) = tokio::join!(crs, crbs, roles, rbs);
    let (crs, crbs, roles, rbs) = (crs?, crbs?, roles?, rbs?);
    let refused: Vec<String> = [
        rbs.as_ref().err(),
        roles.as_ref().err(),
        crbs.as_ref().err(),
        crs.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    if !refused.is_empty() {
        anyhow::bail!(
            "cannot read the RBAC objects: the cluster refused to {}. Ask a cluster admin for those permissions (the built-in ClusterRole `view` does not include RBAC objects), or ask as someone who has them",
            refused.join(", ")
        );
    }
    Ok(MemorySource {
        roles: roles.unwrap_or_default(),
        cluster_roles: crs.unwrap_or_default(),
        role_bindings: rbs.unwrap_or_default(),
        cluster_role_bindings: crbs.unwrap_or_default(),
    })
}

/// The request the question stands for; `namespace` is "" for `-A`, cluster-scoped resources
/// and non-resource URLs.
pub fn attributes(
    verb: &str,
    target: &ResolvedTarget,
    subresource: &str,
    namespace: &str,
) -> Attributes {
    match target {
        ResolvedTarget::NonResource { path } => Attributes {
            verb: verb.to_string(),
            path: Some(path.clone()),
            ..Default::default()
        },
        ResolvedTarget::Resource {
            group,
            resource,
            name,
            namespaced,
        } => Attributes {
            verb: verb.to_string(),
            namespace: if *namespaced {
                namespace.to_string()
            } else {
                String::new()
            },
            api_group: group.clone(),
            resource: resource.clone(),
            subresource: subresource.to_string(),
            name: name.clone(),
            path: None,
        },
    }
}

/// An Entra member of a bound group, with the username AKS gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// What a binding must name: the UPN of a member, the object id of a guest or service
    /// principal (ENTRA-PROTOCOL §3.4).
    pub username: String,
}

impl Member {
    pub fn from_object(o: DirectoryObject) -> Member {
        let username = match &o.user_principal_name {
            Some(upn) if !upn.to_ascii_uppercase().contains("#EXT#") => upn.clone(),
            _ => o.id.clone(),
        };
        Member {
            id: o.id,
            display_name: o.display_name,
            username,
        }
    }
}

/// One subject with every binding that lets it do the thing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectEntry {
    pub kind: String,
    pub name: String,
    /// ServiceAccounts only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The Entra display name of an object id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub grants: Vec<GrantEntry>,
    /// `--members`: the group's transitive members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Member>>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub members_truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantEntry {
    /// Where it holds; absent: every namespace (a ClusterRoleBinding).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// `ClusterRoleBinding`, `RoleBinding`, or empty for `system:masters` (no binding needed).
    pub binding_kind: String,
    pub binding_name: String,
    pub role_kind: String,
    pub role_name: String,
}

/// `who-can -o json|yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoCanReport {
    pub verb: String,
    pub resource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subresource: String,
    /// The namespace asked about; absent with `-A` or for cluster-scoped questions.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub subjects: Vec<SubjectEntry>,
    /// Subjects that look bound but match nobody, and why.
    pub ignored: Vec<rbac::Ignored>,
    /// Bindings whose role does not exist (they grant nothing).
    pub errors: Vec<String>,
    /// `--user`: whom the subjects were narrowed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserView>,
}

/// `--user`: the Entra user asked about, as the cluster names them, and which of the bound
/// Entra groups they are in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The Kubernetes username AKS gives them: the UPN, or the object id of a guest.
    pub username: String,
    /// How many bound Entra groups were checked.
    pub groups_checked: usize,
    /// The object ids of those the user is in (transitively), from Graph checkMemberGroups.
    pub member_of: Vec<String>,
}

/// Looks `user` up (UPN or object id) and asks Graph `checkMemberGroups` which of the report's
/// bound Entra groups they are in: 20 groups per call, whatever the number of bindings, and
/// the same answer for a user in more than 200 groups (overage) as for anyone else.
pub async fn resolve_user(
    graph: &GraphClient,
    report: &WhoCanReport,
    user: &str,
) -> anyhow::Result<UserView> {
    let Some(found) = graph.user(user).await? else {
        anyhow::bail!(
            "Microsoft Graph knows no user {user:?}; give their UPN (user@domain) or object id"
        );
    };
    let groups: Vec<String> = report
        .subjects
        .iter()
        .filter(|s| s.kind == "Group" && is_object_id(&s.name))
        .map(|s| s.name.to_ascii_lowercase())
        .collect();
    let mut member_of: Vec<String> = if groups.is_empty() {
        Vec::new()
    } else {
        graph
            .check_member_groups(&found.id, &groups)
            .await?
            .into_iter()
            .map(|g| g.to_ascii_lowercase())
            .collect()
    };
    member_of.sort();
    member_of.dedup();
    let member = Member::from_object(found);
    Ok(UserView {
        id: member.id,
        display_name: member.display_name,
        username: member.username,
        groups_checked: groups.len(),
        member_of,
    })
}

/// Keeps the subjects through which `user` gets the access: a User subject with their
/// username, a bound group they are in, `system:authenticated`. A binding naming a member's
/// object id instead of the UPN does not count: AKS never matches it (audit finds it).
pub fn keep_subjects_of(report: &mut WhoCanReport, user: UserView) {
    report.subjects.retain(|s| match s.kind.as_str() {
        "User" => s.name == user.username,
        "Group" => {
            s.name == "system:authenticated"
                || user.member_of.contains(&s.name.to_ascii_lowercase())
        }
        _ => false,
    });
    report.user = Some(user);
}

/// Groups the grants by subject (sorted by kind, name, namespace).
pub fn build_report(attrs: &Attributes, target: &ResolvedTarget, found: WhoCan) -> WhoCanReport {
    let mut by_subject: BTreeMap<(String, String, String), Vec<GrantEntry>> = BTreeMap::new();
    for Grant {
        subject_kind,
        subject_name,
        subject_namespace,
        namespace,
        binding_kind,
        binding_name,
        role_kind,
        role_name,
    } in found.grants
    {
        by_subject
            .entry((subject_kind, subject_name, subject_namespace))
            .or_default()
            .push(GrantEntry {
                namespace,
                binding_kind,
                binding_name,
                role_kind,
                role_name,
            });
    }
    let subjects = by_subject
        .into_iter()
        .map(|((kind, name, namespace), grants)| SubjectEntry {
            kind,
            name,
            namespace,
            display_name: None,
            grants,
            members: None,
            members_truncated: false,
        })
        .collect();
    WhoCanReport {
        verb: attrs.verb.clone(),
        resource: target.display(),
        name: attrs.name.clone(),
        subresource: attrs.subresource.clone(),
        namespace: attrs.namespace.clone(),
        subjects,
        ignored: found.ignored,
        errors: found.errors,
        user: None,
    }
}

/// The object ids among Group and User subjects (each once), for one batched Graph call.
pub fn object_ids(report: &WhoCanReport) -> Vec<String> {
    let mut ids: Vec<String> = report
        .subjects
        .iter()
        .filter(|s| s.kind != "ServiceAccount" && is_object_id(&s.name))
        .map(|s| s.name.to_ascii_lowercase())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Fills in display names from `getByIds` results.
pub fn apply_names(report: &mut WhoCanReport, objects: &[DirectoryObject]) {
    let names: BTreeMap<String, &str> = objects
        .iter()
        .filter_map(|o| Some((o.id.to_ascii_lowercase(), o.display_name.as_deref()?)))
        .collect();
    for s in &mut report.subjects {
        if s.kind != "ServiceAccount"
            && let Some(name) = names.get(&s.name.to_ascii_lowercase())
        {
            s.display_name = Some(name.to_string());
        }
    }
}

/// `--members`: each bound Entra group's transitive members, at most `cap` per group (one
/// paged Graph listing per group, not per binding).
pub async fn expand_members(
    graph: &GraphClient,
    report: &mut WhoCanReport,
    cap: usize,
) -> anyhow::Result<()> {
    for s in &mut report.subjects {
        if s.kind != "Group" || !is_object_id(&s.name) {
            continue;
        }
        let found = graph.transitive_members(&s.name, cap).await?;
        let mut members: Vec<Member> = found.members.into_iter().map(Member::from_object).collect();
        members.sort_by(|a, b| a.username.cmp(&b.username));
        s.members = Some(members);
        s.members_truncated = found.truncated;
    }
    Ok(())
}

/// `appdev (cccc…)` when the id has a name.
fn subject_text(s: &SubjectEntry) -> String {
    match (&s.display_name, s.kind.as_str()) {
        (_, "ServiceAccount") => format!("{}/{}", s.namespace, s.name),
        (Some(name), _) => format!("{name} ({})", s.name),
        (None, _) => s.name.clone(),
    }
}

/// kubectl-like table: one row per subject and binding, sorted; with members, one row per
/// member under its group (VIA names the group).
pub fn render_table(report: &WhoCanReport, headers: bool) -> String {
    let with_members = report.subjects.iter().any(|s| s.members.is_some());
    let mut columns = vec!["kind", "subject", "namespace", "binding", "role"];
    if with_members {
        columns.push("via");
    }
    let mut table = crate::output::Table::new(&columns);
    for s in &report.subjects {
        for g in &s.grants {
            let namespace = if g.namespace.is_empty() {
                "*".to_string()
            } else {
                g.namespace.clone()
            };
            let (binding, role) = if g.binding_kind.is_empty() {
                (
                    "(none: allowed before RBAC)".to_string(),
                    "(everything)".to_string(),
                )
            } else {
                (
                    format!("{}/{}", g.binding_kind, g.binding_name),
                    format!("{}/{}", g.role_kind, g.role_name),
                )
            };
            let mut row = vec![
                s.kind.clone(),
                subject_text(s),
                namespace.clone(),
                binding.clone(),
                role.clone(),
            ];
            if with_members {
                row.push(String::new());
            }
            table.row(row);
            for m in s.members.iter().flatten() {
                table.row([
                    "User".to_string(),
                    m.username.clone(),
                    namespace.clone(),
                    binding.clone(),
                    role.clone(),
                    s.display_name.clone().unwrap_or_else(|| s.name.clone()),
                ]);
            }
        }
    }
    table.render(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPDEV: &str = "cccc0000-0000-4000-8000-000000000001";

    fn sample() -> (WhoCanReport, Attributes) {
        let yaml = format!(
            r#"
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: full, namespace: dev}}
rules: [{{apiGroups: [""], resources: ["*"], verbs: ["*"]}}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {{name: dev-user-access, namespace: dev}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: full}}
subjects:
- {{kind: Group, name: "{APPDEV}", apiGroup: rbac.authorization.k8s.io}}
- {{kind: ServiceAccount, name: builder}}
"#
        );
        let src = MemorySource::from_yaml(&yaml).expect("yaml");
        let target = ResolvedTarget::Resource {
            group: String::new(),
            resource: "pods".into(),
            name: String::new(),
            namespaced: true,
        };
        let attrs = attributes("create", &target, "", "dev");
        let found = rbac::who_can(&src, &attrs, rbac::WhoCanScope::Request);
        (build_report(&attrs, &target, found), attrs)
    }

    #[test]
    fn report_groups_names_and_renders_sorted() {
        let (mut report, _) = sample();
        let kinds: Vec<&str> = report.subjects.iter().map(|s| s.kind.as_str()).collect();
        assert_eq!(kinds, ["Group", "Group", "ServiceAccount"]);
        assert_eq!(object_ids(&report), [APPDEV]);
        apply_names(
            &mut report,
            &[DirectoryObject {
                id: APPDEV.to_uppercase(),
                display_name: Some("appdev".into()),
                odata_type: None,
                user_principal_name: None,
            }],
        );
        report.subjects[0].members = Some(vec![
            Member::from_object(DirectoryObject {
                id: "a1".into(),
                display_name: Some("AKS Dev".into()),
                odata_type: None,
                user_principal_name: Some("aksdev@contoso.com".into()),
            }),
            Member::from_object(DirectoryObject {
                id: "g1".into(),
                display_name: None,
                odata_type: None,
                user_principal_name: Some("p_fabrikam.com#EXT#@contoso.com".into()),
            }),
        ]);
        let text = render_table(&report, true);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["KIND", "SUBJECT", "NAMESPACE", "BINDING", "ROLE", "VIA"]
        );
        assert!(lines[1].contains(&format!("appdev ({APPDEV})")), "{text}");
        assert!(lines[1].contains("RoleBinding/dev-user-access"), "{text}");
        assert!(
            lines[2].contains("aksdev@contoso.com") && lines[2].ends_with("appdev"),
            "{text}"
        );
        assert!(
            lines[3].contains(" g1 "),
            "a guest is named by object id: {text}"
        );
        assert!(lines[4].contains("system:masters"), "{text}");
        assert!(lines[5].contains("dev/builder"), "{text}");
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["subjects"][0]["displayName"], "appdev");
        assert_eq!(json["subjects"][0]["grants"][0]["namespace"], "dev");
        assert_eq!(json["subjects"][0]["members"][1]["username"], "g1");
        assert_eq!(json["subjects"][2]["namespace"], "dev");
    }

    #[test]
    fn a_user_keeps_their_name_their_groups_and_system_authenticated() {
        let (mut report, _) = sample();
        report.subjects.push(SubjectEntry {
            kind: "User".into(),
            name: "manygroups@contoso.com".into(),
            namespace: String::new(),
            display_name: None,
            grants: Vec::new(),
            members: None,
            members_truncated: false,
        });
        for name in [
            "system:authenticated",
            "aaaa0000-0000-4000-8000-000000000005",
        ] {
            report.subjects.push(SubjectEntry {
                kind: if name.contains(':') { "Group" } else { "User" }.into(),
                name: name.into(),
                ..report.subjects[3].clone()
            });
        }
        let user = UserView {
            id: "aaaa0000-0000-4000-8000-000000000005".into(),
            display_name: None,
            username: "manygroups@contoso.com".into(),
            groups_checked: 1,
            member_of: vec![APPDEV.into()],
        };
        let mut without_groups = report.clone();
        keep_subjects_of(&mut report, user.clone());
        let kept: Vec<&str> = report.subjects.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            kept,
            [APPDEV, "manygroups@contoso.com", "system:authenticated"],
            "not system:masters, the ServiceAccount, nor a binding to a member's object id"
        );
        keep_subjects_of(
            &mut without_groups,
            UserView {
                member_of: Vec::new(),
                ..user
            },
        );
        assert!(without_groups.subjects.iter().all(|s| s.name != APPDEV));
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["user"]["username"], "manygroups@contoso.com");
        assert_eq!(json["user"]["memberOf"][0], APPDEV);
    }

    #[test]
    fn refusals_name_the_permission() {
        assert_eq!(
            missing("rolebindings", &ReadScope::Namespace("dev".into()), true),
            "list rolebindings.rbac.authorization.k8s.io in namespace \"dev\""
        );
        assert_eq!(
            missing("clusterroles", &ReadScope::All, false),
            "list clusterroles.rbac.authorization.k8s.io (cluster-wide)"
        );
    }
}
