//! Removing what bind created: the subject's managed bindings, then the full-access role once
//! nothing uses it. Hand-made objects are only deleted when `--force` names them.

use super::apply::delete_object;
use super::manifests::{FULL_ACCESS_ROLE, ManagedObject};
use super::subject::Subject;
use super::{
    ANNOTATION_SUBJECT_ID, ANNOTATION_SUBJECT_KIND, ANNOTATION_SUBJECT_NAME, MANAGED_BY_LABEL,
    MANAGER,
};
use crate::k8s::error::readable;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding, RoleRef};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams};

pub struct UnbindRequest<'a> {
    /// None: the ClusterRoleBindings of `bind --cluster-wide`.
    pub namespace: Option<&'a str>,
    /// A subject with an empty `id` is matched by its display name (`--group NAME`).
    pub subjects: &'a [Subject],
    /// Only bindings to this role (`full-access`, `view`, a role name).
    pub role: Option<&'a str>,
    /// Binding names to delete even though kubectl-entra did not create them.
    pub force: &'a [String],
    pub dry_run: bool,
    /// kubectl's `--ignore-not-found`: nothing to delete (or a `--force` name that does not
    /// exist) is not an error.
    pub ignore_not_found: bool,
}

/// No binding of kubectl-entra names the subjects here: nothing was deleted. A distinct type so
/// that `unbind --group NAME` can retry with the object id from Microsoft Graph (a binding made
/// with `--group-id` records the id, not the name).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NothingBound(pub String);

fn is_managed(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .is_some_and(|v| v == MANAGER)
}

/// Whether a managed binding was made by bind for one of the subjects.
pub(crate) fn made_for(meta: &ObjectMeta, subjects: &[Subject]) -> bool {
    if !is_managed(meta) {
        return false;
    }
    let a = meta.annotations.clone().unwrap_or_default();
    let get = |k: &str| a.get(k).map(String::as_str).unwrap_or_default();
    subjects.iter().any(|s| {
        get(ANNOTATION_SUBJECT_KIND) == s.kind.as_str()
            && if s.id.is_empty() {
                // Graph's `eq` on displayName ignores case, so this does too.
                get(ANNOTATION_SUBJECT_NAME).eq_ignore_ascii_case(&s.display)
            } else {
                get(ANNOTATION_SUBJECT_ID).eq_ignore_ascii_case(&s.annotation_id())
            }
    })
}

fn subject_id(meta: &ObjectMeta) -> Option<String> {
    meta.annotations
        .as_ref()?
        .get(ANNOTATION_SUBJECT_ID)
        .map(|id| id.to_ascii_lowercase())
}

/// The bindings in scope other than `doomed`, as (metadata, subjects).
async fn other_bindings(
    client: &kube::Client,
    namespace: Option<&str>,
    doomed: &[(ManagedObject, RoleRef)],
) -> anyhow::Result<Vec<(ObjectMeta, Vec<k8s_openapi::api::rbac::v1::Subject>)>> {
    let lp = ListParams::default();
    let all: Vec<(ObjectMeta, Vec<k8s_openapi::api::rbac::v1::Subject>)> = match namespace {
        Some(ns) => Api::<RoleBinding>::namespaced(client.clone(), ns)
            .list(&lp)
            .await
            .map_err(readable)?
            .items
            .into_iter()
            .map(|b| (b.metadata, b.subjects.unwrap_or_default()))
            .collect(),
        None => Api::<ClusterRoleBinding>::all(client.clone())
            .list(&lp)
            .await
            .map_err(readable)?
            .items
            .into_iter()
            .map(|b| (b.metadata, b.subjects.unwrap_or_default()))
            .collect(),
    };
    Ok(all
        .into_iter()
        .filter(|(m, _)| !doomed.iter().any(|(o, _)| o.meta().name == m.name))
        .collect())
}

fn role_matches(role_ref: &RoleRef, wanted: Option<&str>) -> bool {
    match wanted {
        None => true,
        Some("full-access") => role_ref.name == FULL_ACCESS_ROLE,
        Some(name) => role_ref.name == name,
    }
}

/// What unbind did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unbound {
    /// kubectl-style result lines (`... deleted`).
    pub lines: Vec<String>,
    /// Hand-made bindings of the subjects, left alone (`--force NAME` deletes one).
    pub left_alone: Vec<String>,
}

/// Deletes what bind made for the subjects and says what it deleted and what it left alone.
pub async fn unbind(client: &kube::Client, req: &UnbindRequest<'_>) -> anyhow::Result<Unbound> {
    let suffix = if req.dry_run { " (dry run)" } else { "" };
    let mut lines = Vec::new();
    // (object, its roleRef), for managed bindings of the subjects and forced names.
    let mut doomed: Vec<(ManagedObject, RoleRef)> = Vec::new();
    let mut hand_made = Vec::new();
    let lp = ListParams::default();
    match req.namespace {
        Some(ns) => {
            let api: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
            for rb in api.list(&lp).await.map_err(readable)? {
                let name = rb.metadata.name.clone().unwrap_or_default();
                let forced = req.force.contains(&name);
                if forced
                    || (made_for(&rb.metadata, req.subjects)
                        && role_matches(&rb.role_ref, req.role))
                {
                    doomed.push((ManagedObject::RoleBinding(rb.clone()), rb.role_ref.clone()));
                } else if !is_managed(&rb.metadata)
                    && rb
                        .subjects
                        .iter()
                        .flatten()
                        .any(|s| req.subjects.iter().any(|w| w.matches(s)))
                {
                    hand_made.push(name);
                }
            }
        }
        None => {
            let api: Api<ClusterRoleBinding> = Api::all(client.clone());
            for crb in api.list(&lp).await.map_err(readable)? {
                let name = crb.metadata.name.clone().unwrap_or_default();
                let forced = req.force.contains(&name);
                if forced
                    || (made_for(&crb.metadata, req.subjects)
                        && role_matches(&crb.role_ref, req.role))
                {
                    doomed.push((
                        ManagedObject::ClusterRoleBinding(crb.clone()),
                        crb.role_ref.clone(),
                    ));
                } else if !is_managed(&crb.metadata)
                    && crb
                        .subjects
                        .iter()
                        .flatten()
                        .any(|s| req.subjects.iter().any(|w| w.matches(s)))
                {
                    hand_made.push(name);
                }
            }
        }
    }
    // `--group NAME` matched by the recorded name must mean one group: display names are not
    // unique, so two object ids under one name are refused rather than both unbound.
    let mut learned_ids: Vec<String> = Vec::new();
    for wanted in req.subjects.iter().filter(|s| s.id.is_empty()) {
        let mut ids: Vec<String> = doomed
            .iter()
            .filter(|(o, _)| made_for(o.meta(), std::slice::from_ref(wanted)))
            .filter_map(|(o, _)| subject_id(o.meta()))
            .collect();
        ids.sort();
        ids.dedup();
        if ids.len() > 1 {
            anyhow::bail!(
                "bindings for {} different Entra groups named {:?} exist: {}; pick one with --group-id OBJECT_ID. Nothing was deleted",
                ids.len(),
                wanted.display,
                ids.join(", ")
            );
        }
        learned_ids.extend(ids);
    }
    // Hand-made bindings of a group given by name: known by the object id bind recorded.
    if !learned_ids.is_empty() {
        let learned: Vec<Subject> = learned_ids
            .iter()
            .filter_map(|id| Subject::group(id, id).ok())
            .collect();
        let lists = other_bindings(client, req.namespace, &doomed).await?;
        for (meta, subjects) in lists {
            let name = meta.name.clone().unwrap_or_default();
            if !is_managed(&meta)
                && !hand_made.contains(&name)
                && subjects
                    .iter()
                    .any(|s| learned.iter().any(|w| w.matches(s)))
            {
                hand_made.push(name);
            }
        }
    }
    let missing_forced: Vec<&String> = req
        .force
        .iter()
        .filter(|f| !doomed.iter().any(|(o, _)| o.name() == f.as_str()))
        .collect();
    if !missing_forced.is_empty() && !req.ignore_not_found {
        anyhow::bail!(
            "--force names bindings that do not exist{}: {}; nothing was deleted",
            req.namespace
                .map(|n| format!(" in the namespace {n:?}"))
                .unwrap_or_default(),
            missing_forced
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if doomed.is_empty() && req.ignore_not_found {
        return Ok(Unbound {
            lines,
            left_alone: hand_made,
        });
    }
    if doomed.is_empty() {
        let place = req
            .namespace
            .map(|n| format!("in the namespace {n:?}"))
            .unwrap_or_else(|| "cluster-wide".to_string());
        let who: Vec<String> = req.subjects.iter().map(Subject::describe).collect();
        let mut msg = format!(
            "no binding made by kubectl-entra for {} {place}; nothing was deleted",
            who.join(", ")
        );
        if !hand_made.is_empty() {
            msg.push_str(&format!(
                "; these bindings name it but were not made by kubectl-entra, so they stay: {} (pass --force NAME to delete one)",
                hand_made.join(", ")
            ));
        }
        return Err(NothingBound(msg).into());
    }
    for (i, (obj, _)) in doomed.iter().enumerate() {
        if let Err(e) = delete_object(client, obj, req.dry_run).await {
            // Say exactly where this stopped: what is gone, what is still there.
            let gone: Vec<String> = doomed[..i].iter().map(|(o, _)| o.display()).collect();
            let left: Vec<String> = doomed[i..].iter().map(|(o, _)| o.display()).collect();
            anyhow::bail!(
                "cannot delete {}: {e}; {}still there: {}",
                obj.display(),
                if gone.is_empty() {
                    "nothing was deleted; ".to_string()
                } else {
                    format!("already deleted: {}; ", gone.join(", "))
                },
                left.join(", ")
            );
        }
        lines.push(format!("{} deleted{suffix}", obj.display()));
    }
    // The full-access role goes once no binding uses it any more; a dry run names it too, as
    // the real run would delete it (the doomed bindings still exist then, so they are skipped).
    let used_full_access = doomed.iter().any(|(_, r)| r.name == FULL_ACCESS_ROLE);
    let doomed_names: Vec<&str> = doomed.iter().map(|(o, _)| o.name()).collect();
    if used_full_access
        && let Some(line) =
            remove_unused_full_access(client, req.namespace, &doomed_names, req.dry_run).await?
    {
        lines.push(format!("{line}{suffix}"));
    }
    Ok(Unbound {
        lines,
        left_alone: hand_made,
    })
}

async fn remove_unused_full_access(
    client: &kube::Client,
    namespace: Option<&str>,
    doomed: &[&str],
    dry_run: bool,
) -> anyhow::Result<Option<String>> {
    let lp = ListParams::default();
    let kept = |meta: &ObjectMeta| !doomed.contains(&meta.name.as_deref().unwrap_or_default());
    match namespace {
        Some(ns) => {
            let still_used = Api::<RoleBinding>::namespaced(client.clone(), ns)
                .list(&lp)
                .await
                .map_err(readable)?
                .items
                .iter()
                .any(|rb| {
                    kept(&rb.metadata)
                        && rb.role_ref.kind == "Role"
                        && rb.role_ref.name == FULL_ACCESS_ROLE
                });
            let api: Api<Role> = Api::namespaced(client.clone(), ns);
            match api.get_opt(FULL_ACCESS_ROLE).await.map_err(readable)? {
                Some(role) if !still_used && is_managed(&role.metadata) => {
                    delete_object(client, &ManagedObject::Role(role), dry_run).await?;
                    Ok(Some(format!(
                        "role.rbac.authorization.k8s.io/{FULL_ACCESS_ROLE} deleted"
                    )))
                }
                _ => Ok(None),
            }
        }
        None => {
            let still_used = Api::<ClusterRoleBinding>::all(client.clone())
                .list(&lp)
                .await
                .map_err(readable)?
                .items
                .iter()
                .any(|b| {
                    kept(&b.metadata)
                        && b.role_ref.kind == "ClusterRole"
                        && b.role_ref.name == FULL_ACCESS_ROLE
                });
            let in_namespaces = Api::<RoleBinding>::all(client.clone())
                .list(&lp)
                .await
                .map_err(readable)?
                .items
                .iter()
                .any(|b| b.role_ref.kind == "ClusterRole" && b.role_ref.name == FULL_ACCESS_ROLE);
            let api: Api<ClusterRole> = Api::all(client.clone());
            match api.get_opt(FULL_ACCESS_ROLE).await.map_err(readable)? {
                Some(role) if !still_used && !in_namespaces && is_managed(&role.metadata) => {
                    delete_object(client, &ManagedObject::ClusterRole(role), dry_run).await?;
                    Ok(Some(format!(
                        "clusterrole.rbac.authorization.k8s.io/{FULL_ACCESS_ROLE} deleted"
                    )))
                }
                _ => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn matches_by_id_or_by_group_name_and_only_when_managed() {
        let meta = |managed: bool| ObjectMeta {
            labels: managed.then(|| BTreeMap::from([(MANAGED_BY_LABEL.into(), MANAGER.into())])),
            annotations: Some(BTreeMap::from([
                (
                    ANNOTATION_SUBJECT_ID.into(),
                    "cccc0000-0000-4000-8000-000000000001".into(),
                ),
                (ANNOTATION_SUBJECT_NAME.into(), "appdev".into()),
                (ANNOTATION_SUBJECT_KIND.into(), "Group".into()),
            ])),
            ..Default::default()
        };
        let by_id = Subject::group("cccc0000-0000-4000-8000-000000000001", "x").unwrap();
        let mut by_name = by_id.clone();
        by_name.id.clear();
        by_name.display = "AppDev".into();
        let other = Subject::group("cccc0000-0000-4000-8000-000000000002", "appdev2").unwrap();
        assert!(made_for(&meta(true), std::slice::from_ref(&by_id)));
        assert!(made_for(&meta(true), std::slice::from_ref(&by_name)));
        assert!(!made_for(&meta(true), std::slice::from_ref(&other)));
        assert!(!made_for(&meta(false), std::slice::from_ref(&by_id)));
        let user = Subject::user("aksdev@contoso.com").unwrap();
        assert!(!made_for(&meta(true), std::slice::from_ref(&user)));
    }
}
