//! The objects bind applies: the namespace (on request), the article's full-access Role, and
//! one binding per subject, labelled and annotated so that `bindings` and `unbind` find them.

use super::object_names::{binding_name, validate_subdomain};
use super::subject::Subject;
use super::{
    ANNOTATION_SUBJECT_ID, ANNOTATION_SUBJECT_KIND, ANNOTATION_SUBJECT_NAME, MANAGED_BY_LABEL,
    MANAGER, RBAC_GROUP,
};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The Role the AKS article writes, under a kubectl-entra name.
pub const FULL_ACCESS_ROLE: &str = "entra-full-access";

/// What `--role` asked for, once an existing role's kind is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleChoice {
    /// The article's Role (a ClusterRole of the same name with --cluster-wide), created by bind.
    FullAccess,
    /// An existing ClusterRole (admin, edit, view, or any other).
    ClusterRole(String),
    /// An existing Role in the namespace.
    Role(String),
}

impl RoleChoice {
    /// The role part of generated binding names.
    pub fn short_name(&self) -> &str {
        match self {
            RoleChoice::FullAccess => "full-access",
            RoleChoice::ClusterRole(n) | RoleChoice::Role(n) => n,
        }
    }
}

/// `--role`: full-access, a built-in ClusterRole, or the name of an existing role (Ok(None):
/// look it up). Names are checked before any network call.
pub fn parse_role(value: &str) -> anyhow::Result<Option<RoleChoice>> {
    match value {
        "full-access" => Ok(Some(RoleChoice::FullAccess)),
        "admin" | "edit" | "view" | "cluster-admin" => {
            Ok(Some(RoleChoice::ClusterRole(value.to_string())))
        }
        other => {
            validate_subdomain("role name", other)?;
            Ok(None)
        }
    }
}

/// The article's rules: everything in core, extensions and apps; jobs and cronjobs in batch.
pub fn full_access_rules() -> Vec<PolicyRule> {
    let strings = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    vec![
        PolicyRule {
            api_groups: strings(&["", "extensions", "apps"]),
            resources: strings(&["*"]),
            verbs: vec!["*".to_string()],
            ..Default::default()
        },
        PolicyRule {
            api_groups: strings(&["batch"]),
            resources: strings(&["jobs", "cronjobs"]),
            verbs: vec!["*".to_string()],
            ..Default::default()
        },
    ]
}

/// One object bind applies.
#[derive(Debug, Clone, PartialEq)]
pub enum ManagedObject {
    Namespace(Namespace),
    Role(Role),
    ClusterRole(ClusterRole),
    RoleBinding(RoleBinding),
    ClusterRoleBinding(ClusterRoleBinding),
}

impl ManagedObject {
    /// kubectl's `resource.group` prefix, as in `rolebinding.rbac.authorization.k8s.io/x`.
    pub fn resource(&self) -> &'static str {
        match self {
            ManagedObject::Namespace(_) => "namespace",
            ManagedObject::Role(_) => "role.rbac.authorization.k8s.io",
            ManagedObject::ClusterRole(_) => "clusterrole.rbac.authorization.k8s.io",
            ManagedObject::RoleBinding(_) => "rolebinding.rbac.authorization.k8s.io",
            ManagedObject::ClusterRoleBinding(_) => "clusterrolebinding.rbac.authorization.k8s.io",
        }
    }

    pub fn meta(&self) -> &ObjectMeta {
        match self {
            ManagedObject::Namespace(o) => &o.metadata,
            ManagedObject::Role(o) => &o.metadata,
            ManagedObject::ClusterRole(o) => &o.metadata,
            ManagedObject::RoleBinding(o) => &o.metadata,
            ManagedObject::ClusterRoleBinding(o) => &o.metadata,
        }
    }

    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        match self {
            ManagedObject::Namespace(o) => &mut o.metadata,
            ManagedObject::Role(o) => &mut o.metadata,
            ManagedObject::ClusterRole(o) => &mut o.metadata,
            ManagedObject::RoleBinding(o) => &mut o.metadata,
            ManagedObject::ClusterRoleBinding(o) => &mut o.metadata,
        }
    }

    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }

    /// `rolebinding.rbac.authorization.k8s.io/entra-appdev-full-access`
    pub fn display(&self) -> String {
        format!("{}/{}", self.resource(), self.name())
    }

    /// The manifest with apiVersion and kind.
    pub fn to_value(&self) -> serde_json::Value {
        let v = match self {
            ManagedObject::Namespace(o) => serde_json::to_value(o),
            ManagedObject::Role(o) => serde_json::to_value(o),
            ManagedObject::ClusterRole(o) => serde_json::to_value(o),
            ManagedObject::RoleBinding(o) => serde_json::to_value(o),
            ManagedObject::ClusterRoleBinding(o) => serde_json::to_value(o),
        };
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// Everything bind will apply, in order (namespace, role, bindings).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub objects: Vec<ManagedObject>,
}

impl Plan {
    /// A `v1` `List`, as `kubectl get -o json` prints several objects.
    pub fn to_list_json(&self) -> serde_json::Value {
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {},
            "items": self.objects.iter().map(ManagedObject::to_value).collect::<Vec<_>>(),
        })
    }

    /// YAML documents separated by `---`, ready for `kubectl apply -f -`.
    pub fn to_yaml(&self) -> anyhow::Result<String> {
        let mut out = String::new();
        for (i, obj) in self.objects.iter().enumerate() {
            if i > 0 {
                out.push_str("---\n");
            }
            out.push_str(&crate::output::yaml(&obj.to_value())?);
        }
        Ok(out)
    }
}

pub struct PlanInput<'a> {
    /// None: cluster-wide (ClusterRoleBindings).
    pub namespace: Option<&'a str>,
    pub create_namespace: bool,
    pub role: &'a RoleChoice,
    pub subjects: &'a [Subject],
}

fn managed_labels() -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::from([(
        MANAGED_BY_LABEL.to_string(),
        MANAGER.to_string(),
    )]))
}

fn subject_annotations(subject: &Subject) -> Option<BTreeMap<String, String>> {
    Some(BTreeMap::from([
        (ANNOTATION_SUBJECT_NAME.to_string(), subject.display.clone()),
        (ANNOTATION_SUBJECT_ID.to_string(), subject.annotation_id()),
        (
            ANNOTATION_SUBJECT_KIND.to_string(),
            subject.kind.as_str().to_string(),
        ),
    ]))
}

pub fn build_plan(input: &PlanInput<'_>) -> Plan {
    let mut objects = Vec::new();
    if let (Some(ns), true) = (input.namespace, input.create_namespace) {
        objects.push(ManagedObject::Namespace(Namespace {
            metadata: ObjectMeta {
                name: Some(ns.to_string()),
                ..Default::default()
            },
            ..Default::default()
        }));
    }
    let role_meta = |namespace: Option<&str>| ObjectMeta {
        name: Some(FULL_ACCESS_ROLE.to_string()),
        namespace: namespace.map(str::to_string),
        labels: managed_labels(),
        ..Default::default()
    };
    let role_ref = match (input.role, input.namespace) {
        (RoleChoice::FullAccess, Some(ns)) => {
            objects.push(ManagedObject::Role(Role {
                metadata: role_meta(Some(ns)),
                rules: Some(full_access_rules()),
            }));
            ("Role", FULL_ACCESS_ROLE)
        }
        (RoleChoice::FullAccess, None) => {
            objects.push(ManagedObject::ClusterRole(ClusterRole {
                metadata: role_meta(None),
                rules: Some(full_access_rules()),
                ..Default::default()
            }));
            ("ClusterRole", FULL_ACCESS_ROLE)
        }
        (RoleChoice::ClusterRole(name), _) => ("ClusterRole", name.as_str()),
        (RoleChoice::Role(name), _) => ("Role", name.as_str()),
    };
    let role_ref = RoleRef {
        api_group: RBAC_GROUP.to_string(),
        kind: role_ref.0.to_string(),
        name: role_ref.1.to_string(),
    };
    for subject in input.subjects {
        let metadata = ObjectMeta {
            name: Some(binding_name(&subject.display, input.role.short_name())),
            namespace: input.namespace.map(str::to_string),
            labels: managed_labels(),
            annotations: subject_annotations(subject),
            ..Default::default()
        };
        let subjects = Some(vec![subject.to_rbac()]);
        objects.push(match input.namespace {
            Some(_) => ManagedObject::RoleBinding(RoleBinding {
                metadata,
                role_ref: role_ref.clone(),
                subjects,
            }),
            None => ManagedObject::ClusterRoleBinding(ClusterRoleBinding {
                metadata,
                role_ref: role_ref.clone(),
                subjects,
            }),
        });
    }
    Plan { objects }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appdev() -> Subject {
        Subject::group("cccc0000-0000-4000-8000-000000000001", "appdev").expect("group")
    }

    #[test]
    fn full_access_plan_matches_the_article() {
        let subjects = [appdev()];
        let plan = build_plan(&PlanInput {
            namespace: Some("dev"),
            create_namespace: true,
            role: &RoleChoice::FullAccess,
            subjects: &subjects,
        });
        let list = plan.to_list_json();
        let items = list["items"].as_array().expect("items");
        assert_eq!(items.len(), 3);
        assert_eq!(items[0]["kind"], "Namespace");
        assert_eq!(items[1]["kind"], "Role");
        assert_eq!(items[1]["metadata"]["name"], "entra-full-access");
        assert_eq!(
            items[1]["rules"][0]["apiGroups"],
            serde_json::json!(["", "extensions", "apps"])
        );
        assert_eq!(
            items[1]["rules"][1]["resources"],
            serde_json::json!(["jobs", "cronjobs"])
        );
        let rb = &items[2];
        assert_eq!(rb["apiVersion"], "rbac.authorization.k8s.io/v1");
        assert_eq!(rb["metadata"]["name"], "entra-appdev-full-access");
        assert_eq!(rb["metadata"]["namespace"], "dev");
        assert_eq!(
            rb["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "kubectl-entra"
        );
        assert_eq!(
            rb["metadata"]["annotations"]["kubectl-entra.io/subject-id"],
            "cccc0000-0000-4000-8000-000000000001"
        );
        assert_eq!(rb["roleRef"]["kind"], "Role");
        let subject = &rb["subjects"][0];
        assert_eq!(subject["kind"], "Group");
        assert_eq!(subject["apiGroup"], "rbac.authorization.k8s.io");
        assert!(subject.get("namespace").is_none());
        let yaml = plan.to_yaml().expect("yaml");
        assert_eq!(yaml.matches("\n---\n").count(), 2);
    }

    #[test]
    fn builtin_roles_create_no_role_and_cluster_wide_uses_crb() {
        let subjects = [appdev()];
        let role = RoleChoice::ClusterRole("view".into());
        let plan = build_plan(&PlanInput {
            namespace: Some("dev"),
            create_namespace: false,
            role: &role,
            subjects: &subjects,
        });
        assert_eq!(plan.objects.len(), 1);
        assert_eq!(plan.objects[0].name(), "entra-appdev-view");
        let v = plan.objects[0].to_value();
        assert_eq!(v["roleRef"]["kind"], "ClusterRole");
        assert_eq!(v["roleRef"]["name"], "view");

        let cw = build_plan(&PlanInput {
            namespace: None,
            create_namespace: false,
            role: &RoleChoice::FullAccess,
            subjects: &subjects,
        });
        assert!(matches!(cw.objects[0], ManagedObject::ClusterRole(_)));
        assert!(matches!(
            cw.objects[1],
            ManagedObject::ClusterRoleBinding(_)
        ));
        assert!(cw.objects[1].meta().namespace.is_none());
    }

    #[test]
    fn role_parsing() {
        assert_eq!(
            parse_role("full-access").unwrap(),
            Some(RoleChoice::FullAccess)
        );
        assert_eq!(
            parse_role("edit").unwrap(),
            Some(RoleChoice::ClusterRole("edit".into()))
        );
        assert_eq!(parse_role("pod-reader").unwrap(), None);
        assert!(parse_role("Pod Reader").is_err());
    }
}
