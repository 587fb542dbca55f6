//! `bind`, `unbind` and `bindings` on the cluster side: who is bound (subjects), the objects to
//! apply (manifests), server-side apply with a permission pre-check and rollback, removal of
//! what bind created, and listing every binding that applies to a namespace.

mod apply;
mod list;
mod manifests;
mod object_names;
mod precheck;
mod subject;
mod unbind;

pub use apply::{Applied, ApplyReport, Outcome, apply_plan};
pub use list::{BindingRow, Scope, apply_display_names, graph_object_ids, list_bindings};
pub use manifests::{
    FULL_ACCESS_ROLE, ManagedObject, Plan, PlanInput, RoleChoice, build_plan, full_access_rules,
    parse_role,
};
pub use object_names::{binding_name, sanitize_dns1123, validate_label, validate_subdomain};
pub use precheck::check_permissions;
pub use subject::{Subject, SubjectKind};
pub use unbind::{NothingBound, UnbindRequest, Unbound, unbind};

/// `app.kubernetes.io/managed-by: kubectl-entra` marks what bind created.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const MANAGER: &str = "kubectl-entra";
pub const ANNOTATION_SUBJECT_NAME: &str = "kubectl-entra.io/subject-name";
pub const ANNOTATION_SUBJECT_ID: &str = "kubectl-entra.io/subject-id";
pub const ANNOTATION_SUBJECT_KIND: &str = "kubectl-entra.io/subject-kind";
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
