//! Server-side apply of a plan under the field manager `kubectl-entra`, reporting created /
//! configured / unchanged like `kubectl apply`, and undoing this run's creations on failure.

use super::manifests::{ManagedObject, Plan};
use super::{ANNOTATION_SUBJECT_ID, MANAGED_BY_LABEL, MANAGER};
use crate::k8s::error::readable;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::fmt::Debug;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Configured,
    Unchanged,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Configured => "configured",
            Outcome::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Applied {
    /// `rolebinding.rbac.authorization.k8s.io/name`
    pub display: String,
    pub outcome: Outcome,
    /// The object as the server returned it.
    pub object: serde_json::Value,
}

#[derive(Debug, Default)]
pub struct ApplyReport {
    pub applied: Vec<Applied>,
    /// What the command should tell the user (a binding renamed to avoid a collision).
    pub notes: Vec<String>,
}

/// What existed before this run: needed both for "unchanged" and for a safe rollback.
enum Before<K> {
    Missing,
    Present(K),
    /// The caller may not read it (403): apply anyway, never roll it back.
    Unknown,
}

async fn before<K>(api: &Api<K>, name: &str) -> anyhow::Result<Before<K>>
where
    K: Clone + DeserializeOwned + Debug,
{
    match api.get_opt(name).await {
        Ok(Some(obj)) => Ok(Before::Present(obj)),
        Ok(None) => Ok(Before::Missing),
        Err(kube::Error::Api(status)) if status.code == 403 => Ok(Before::Unknown),
        Err(e) => Err(readable(e)),
    }
}

/// The object without what changes on every write, to tell "unchanged" apart.
fn stable_view<K: Serialize>(obj: &K) -> serde_json::Value {
    let mut v = serde_json::to_value(obj).unwrap_or_default();
    if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        for key in [
            "resourceVersion",
            "managedFields",
            "generation",
            "creationTimestamp",
            "uid",
        ] {
            meta.remove(key);
        }
    }
    v
}

async fn step<K>(
    api: Api<K>,
    obj: &K,
    dry_run: bool,
) -> anyhow::Result<(Outcome, bool, serde_json::Value)>
where
    K: Resource + Clone + DeserializeOwned + Serialize + Debug,
{
    let name = obj.name_any();
    let before = before(&api, &name).await?;
    let mut params = PatchParams::apply(MANAGER);
    if dry_run {
        params = params.dry_run();
    }
    let after = api
        .patch(&name, &params, &Patch::Apply(obj))
        .await
        .map_err(readable)?;
    let outcome = match &before {
        Before::Missing => Outcome::Created,
        Before::Present(b)
            if b.meta().resource_version == after.meta().resource_version
                || stable_view(b) == stable_view(&after) =>
        {
            Outcome::Unchanged
        }
        _ => Outcome::Configured,
    };
    let created = matches!(before, Before::Missing) && !dry_run;
    Ok((outcome, created, serde_json::to_value(&after)?))
}

/// If a binding of our name exists for someone else (another subject with the same display
/// name, or a hand-made object), the name gets a suffix derived from the subject id instead of
/// taking that object over.
pub(crate) fn collision_free_name(
    existing: Option<&ObjectMeta>,
    ours: &ObjectMeta,
) -> Option<String> {
    let existing = existing?;
    let annotation = |m: &ObjectMeta| {
        m.annotations
            .as_ref()
            .and_then(|a| a.get(ANNOTATION_SUBJECT_ID))
            .cloned()
    };
    let managed = existing
        .labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .is_some_and(|v| v == MANAGER);
    if managed && annotation(existing) == annotation(ours) {
        return None;
    }
    let id = annotation(ours).unwrap_or_default();
    let hash: String = Sha256::digest(id.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let base = ours.name.as_deref().unwrap_or("entra");
    let keep = base.len().min(63 - 9);
    Some(format!("{}-{hash}", base[..keep].trim_end_matches('-')))
}

/// Renames `meta` when its name is taken by an object bind does not own; returns the note.
async fn rename_on_collision<K>(
    api: Api<K>,
    meta: &mut ObjectMeta,
) -> anyhow::Result<Option<String>>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    let name = meta.name.clone().unwrap_or_default();
    if let Before::Present(existing) = before(&api, &name).await?
        && let Some(new_name) = collision_free_name(Some(existing.meta()), meta)
    {
        meta.name = Some(new_name.clone());
        return Ok(Some(format!(
            "{name} already exists for another subject or was not made by kubectl-entra; using {new_name}"
        )));
    }
    Ok(None)
}

fn namespaced<K>(client: &kube::Client, meta: &ObjectMeta) -> Api<K>
where
    K: Resource<Scope = NamespaceResourceScope>,
    <K as Resource>::DynamicType: Default,
{
    Api::namespaced(
        client.clone(),
        meta.namespace.as_deref().unwrap_or("default"),
    )
}

async fn apply_object(
    client: &kube::Client,
    obj: &mut ManagedObject,
    dry_run: bool,
    notes: &mut Vec<String>,
) -> anyhow::Result<(Outcome, bool, serde_json::Value)> {
    let c = client;
    match obj {
        ManagedObject::Namespace(o) => step(Api::<Namespace>::all(c.clone()), o, dry_run).await,
        ManagedObject::Role(o) => step(namespaced::<Role>(c, &o.metadata), o, dry_run).await,
        ManagedObject::ClusterRole(o) => step(Api::<ClusterRole>::all(c.clone()), o, dry_run).await,
        ManagedObject::RoleBinding(o) => {
            let api = namespaced::<RoleBinding>(c, &o.metadata);
            notes.extend(rename_on_collision(api, &mut o.metadata).await?);
            step(namespaced::<RoleBinding>(c, &o.metadata), o, dry_run).await
        }
        ManagedObject::ClusterRoleBinding(o) => {
            let api = Api::<ClusterRoleBinding>::all(c.clone());
            notes.extend(rename_on_collision(api.clone(), &mut o.metadata).await?);
            step(api, o, dry_run).await
        }
    }
}

/// Deletes one object (used for rollback and unbind).
pub(crate) async fn delete_object(
    client: &kube::Client,
    obj: &ManagedObject,
    dry_run: bool,
) -> anyhow::Result<()> {
    let dp = if dry_run {
        DeleteParams::default().dry_run()
    } else {
        DeleteParams::default()
    };
    let c = client.clone();
    let name = obj.name().to_string();
    match obj {
        ManagedObject::Namespace(_) => Api::<Namespace>::all(c).delete(&name, &dp).await.map(drop),
        ManagedObject::Role(o) => namespaced::<Role>(&c, &o.metadata)
            .delete(&name, &dp)
            .await
            .map(drop),
        ManagedObject::ClusterRole(_) => Api::<ClusterRole>::all(c)
            .delete(&name, &dp)
            .await
            .map(drop),
        ManagedObject::RoleBinding(o) => namespaced::<RoleBinding>(&c, &o.metadata)
            .delete(&name, &dp)
            .await
            .map(drop),
        ManagedObject::ClusterRoleBinding(_) => Api::<ClusterRoleBinding>::all(c)
            .delete(&name, &dp)
            .await
            .map(drop),
    }
    .map_err(readable)?;
    Ok(())
}

/// Applies every object in order. On a failure, deletes what this run created (newest first)
/// and says what was rolled back, or exactly what still exists when the rollback failed too.
pub async fn apply_plan(
    client: &kube::Client,
    plan: &mut Plan,
    dry_run: bool,
) -> anyhow::Result<ApplyReport> {
    let mut report = ApplyReport::default();
    let mut created: Vec<ManagedObject> = Vec::new();
    for obj in plan.objects.iter_mut() {
        match apply_object(client, obj, dry_run, &mut report.notes).await {
            Ok((outcome, was_created, object)) => {
                if was_created {
                    created.push(obj.clone());
                }
                report.applied.push(Applied {
                    display: obj.display(),
                    outcome,
                    object,
                });
            }
            Err(err) => {
                let failed = obj.display();
                let mut rolled_back = Vec::new();
                let mut left = Vec::new();
                for done in created.iter().rev() {
                    match delete_object(client, done, false).await {
                        Ok(()) => rolled_back.push(done.display()),
                        Err(e) => left.push(format!("{} ({e})", done.display())),
                    }
                }
                let changed: Vec<String> = report
                    .applied
                    .iter()
                    .filter(|a| a.outcome == Outcome::Configured)
                    .map(|a| a.display.clone())
                    .collect();
                let mut msg = format!("cannot apply {failed}: {err}");
                if !rolled_back.is_empty() {
                    msg.push_str(&format!(
                        "; rolled back what this run created: {}",
                        rolled_back.join(", ")
                    ));
                }
                if !left.is_empty() {
                    msg.push_str(&format!(
                        "; these objects were created and could NOT be removed, delete them by hand: {}",
                        left.join(", ")
                    ));
                }
                if !changed.is_empty() {
                    msg.push_str(&format!(
                        "; these existing objects were updated and stay as they are now: {}",
                        changed.join(", ")
                    ));
                }
                if rolled_back.is_empty() && left.is_empty() && changed.is_empty() {
                    msg.push_str("; nothing was changed");
                }
                anyhow::bail!(msg);
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn meta(name: &str, managed: bool, id: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_string()),
            labels: managed.then(|| BTreeMap::from([(MANAGED_BY_LABEL.into(), MANAGER.into())])),
            annotations: id.map(|id| BTreeMap::from([(ANNOTATION_SUBJECT_ID.into(), id.into())])),
            ..Default::default()
        }
    }

    #[test]
    fn collisions_get_a_suffix_but_our_own_binding_does_not() {
        let ours = meta("entra-platform-view", true, Some("cccc-5"));
        assert_eq!(collision_free_name(None, &ours), None);
        assert_eq!(
            collision_free_name(
                Some(&meta("entra-platform-view", true, Some("cccc-5"))),
                &ours
            ),
            None
        );
        let other =
            collision_free_name(Some(&meta("x", true, Some("cccc-4"))), &ours).expect("renamed");
        assert!(other.starts_with("entra-platform-view-"), "{other}");
        assert_eq!(other.len(), "entra-platform-view-".len() + 8);
        let hand_made = collision_free_name(Some(&meta("x", false, None)), &ours);
        assert_eq!(hand_made, Some(other));
    }

    #[test]
    fn stable_view_ignores_resource_version() {
        let mut a = Role::default();
        a.metadata.name = Some("r".into());
        let mut b = a.clone();
        b.metadata.resource_version = Some("7".into());
        assert_eq!(stable_view(&a), stable_view(&b));
    }
}
