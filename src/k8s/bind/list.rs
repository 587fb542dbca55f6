//! Every RoleBinding and ClusterRoleBinding that applies, one row per subject, whoever made it.

use super::{ANNOTATION_SUBJECT_ID, ANNOTATION_SUBJECT_NAME, MANAGED_BY_LABEL, MANAGER};
use crate::graph::is_object_id;
use crate::k8s::error::readable;
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// RoleBindings of one namespace, plus ClusterRoleBindings (they apply there too).
    Namespace(String),
    /// Every RoleBinding and ClusterRoleBinding.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingRow {
    /// None for a ClusterRoleBinding.
    pub namespace: Option<String>,
    pub binding: String,
    pub binding_kind: String,
    /// `Role/x` or `ClusterRole/x`.
    pub role: String,
    pub subject_kind: String,
    /// The name in the binding: object id, UPN, or `NS:NAME` for service accounts.
    pub subject: String,
    /// The Entra display name when known.
    pub display_name: Option<String>,
    pub managed: bool,
}

impl BindingRow {
    /// `appdev (cccc...)`, or the raw subject when no name is known.
    pub fn subject_text(&self) -> String {
        match &self.display_name {
            Some(name) if name != &self.subject => format!("{name} ({})", self.subject),
            _ => self.subject.clone(),
        }
    }
}

fn rows_of(
    meta: &ObjectMeta,
    kind: &str,
    role_ref: &RoleRef,
    subjects: Option<&Vec<Subject>>,
) -> Vec<BindingRow> {
    let managed = meta
        .labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .is_some_and(|v| v == MANAGER);
    let annotations = meta.annotations.clone().unwrap_or_default();
    let noted_id = annotations.get(ANNOTATION_SUBJECT_ID);
    let noted_name = annotations.get(ANNOTATION_SUBJECT_NAME);
    subjects
        .into_iter()
        .flatten()
        .map(|s| {
            let subject = match (&s.namespace, s.kind.as_str()) {
                (Some(ns), "ServiceAccount") => format!("{ns}:{}", s.name),
                _ => s.name.clone(),
            };
            // bind wrote the display name next to the id; Graph may still correct it later.
            // (A service account's name says it all.)
            let display_name = match (noted_id, noted_name) {
                (Some(id), Some(name))
                    if managed
                        && s.kind != "ServiceAccount"
                        && id.eq_ignore_ascii_case(&subject) =>
                {
                    Some(name.clone())
                }
                _ => None,
            };
            BindingRow {
                namespace: meta.namespace.clone(),
                binding: meta.name.clone().unwrap_or_default(),
                binding_kind: kind.to_string(),
                role: format!("{}/{}", role_ref.kind, role_ref.name),
                subject_kind: s.kind.clone(),
                subject,
                display_name,
                managed,
            }
        })
        .collect()
}

/// The rows, and warnings for what the caller may not list (shown, not fatal, unless nothing
/// could be listed at all).
pub async fn list_bindings(
    client: &kube::Client,
    scope: &Scope,
) -> anyhow::Result<(Vec<BindingRow>, Vec<String>)> {
    let lp = ListParams::default();
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    let rb_api: Api<RoleBinding> = match scope {
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
        Scope::All => Api::all(client.clone()),
    };
    let rbs = rb_api.list(&lp).await.map_err(readable);
    let crbs = Api::<ClusterRoleBinding>::all(client.clone())
        .list(&lp)
        .await
        .map_err(readable);
    match (&rbs, &crbs) {
        (Err(e), Err(_)) => anyhow::bail!(
            "cannot list role bindings: {e}; listing needs list on rolebindings.rbac.authorization.k8s.io (check with `kubectl auth can-i list rolebindings`)"
        ),
        (Err(e), _) => warnings.push(format!("cannot list RoleBindings: {e}")),
        (_, Err(e)) => warnings.push(format!(
            "cannot list ClusterRoleBindings ({e}); showing RoleBindings only"
        )),
        _ => {}
    }
    if let Ok(list) = rbs {
        for rb in list.items {
            rows.extend(rows_of(
                &rb.metadata,
                "RoleBinding",
                &rb.role_ref,
                rb.subjects.as_ref(),
            ));
        }
    }
    if let Ok(list) = crbs {
        for crb in list.items {
            rows.extend(rows_of(
                &crb.metadata,
                "ClusterRoleBinding",
                &crb.role_ref,
                crb.subjects.as_ref(),
            ));
        }
    }
    rows.sort_by(|a, b| {
        (a.namespace.is_none(), &a.namespace, &a.binding, &a.subject).cmp(&(
            b.namespace.is_none(),
            &b.namespace,
            &b.binding,
            &b.subject,
        ))
    });
    Ok((rows, warnings))
}

/// Object ids worth asking Graph about: groups, and users bound by object id (guests).
pub fn graph_object_ids(rows: &[BindingRow]) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .iter()
        .filter(|r| r.subject_kind == "Group" || r.subject_kind == "User")
        .filter(|r| is_object_id(&r.subject))
        .map(|r| r.subject.to_ascii_lowercase())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Fills display names from an id -> name map (Graph's answer wins over annotations).
pub fn apply_display_names(rows: &mut [BindingRow], names: &BTreeMap<String, String>) {
    for row in rows {
        if let Some(name) = names.get(&row.subject.to_ascii_lowercase()) {
            row.display_name = Some(name.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_subject_with_annotation_names() {
        let meta = ObjectMeta {
            name: Some("dev-user-access".into()),
            namespace: Some("dev".into()),
            ..Default::default()
        };
        let role_ref = RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name: "dev-user-full-access".into(),
        };
        let subjects = vec![
            Subject {
                kind: "Group".into(),
                api_group: Some("rbac.authorization.k8s.io".into()),
                name: "cccc0000-0000-4000-8000-000000000001".into(),
                namespace: None,
            },
            Subject {
                kind: "ServiceAccount".into(),
                api_group: None,
                name: "deployer".into(),
                namespace: Some("dev".into()),
            },
        ];
        let mut rows = rows_of(&meta, "RoleBinding", &role_ref, Some(&subjects));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].role, "Role/dev-user-full-access");
        assert!(!rows[0].managed);
        assert_eq!(rows[1].subject, "dev:deployer");
        assert_eq!(
            graph_object_ids(&rows),
            vec!["cccc0000-0000-4000-8000-000000000001"]
        );
        let names = BTreeMap::from([(
            "cccc0000-0000-4000-8000-000000000001".to_string(),
            "appdev".to_string(),
        )]);
        apply_display_names(&mut rows, &names);
        assert_eq!(
            rows[0].subject_text(),
            "appdev (cccc0000-0000-4000-8000-000000000001)"
        );
        assert_eq!(rows[1].subject_text(), "dev:deployer");
    }
}
