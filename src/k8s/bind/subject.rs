//! Who a binding names, in the form AKS expects: groups and guests by object id, members by UPN.

use super::RBAC_GROUP;
use k8s_openapi::api::rbac::v1::Subject as RbacSubject;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SubjectKind {
    Group,
    User,
    ServiceAccount,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Group => "Group",
            SubjectKind::User => "User",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// A subject to bind: `id` is what the RBAC subject names (object id, UPN, or the service
/// account's name), `display` what humans read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: String,
    pub display: String,
    /// Only for service accounts.
    pub namespace: Option<String>,
}

use crate::graph::is_object_id;

impl Subject {
    pub fn group(object_id: &str, display: &str) -> anyhow::Result<Subject> {
        if !is_object_id(object_id) {
            anyhow::bail!(
                "--group-id {object_id:?} is not an object id (a GUID such as 00000000-0000-0000-0000-000000000000); to bind by display name use --group NAME"
            );
        }
        Ok(Subject {
            kind: SubjectKind::Group,
            id: object_id.to_ascii_lowercase(),
            display: display.to_string(),
            namespace: None,
        })
    }

    /// `--user`: a member's UPN, or an object id. A guest's `#EXT#` UPN is refused because AKS
    /// never sees it: guests have no `upn` claim, so their Kubernetes user name is the object id.
    pub fn user(value: &str) -> anyhow::Result<Subject> {
        let value = value.trim();
        if value.to_ascii_uppercase().contains("#EXT#") {
            anyhow::bail!(
                "--user {value:?} is a guest (B2B) UPN. AKS names guests by object id, because their tokens carry no upn claim, so a binding to this UPN would never match. Bind the guest's object id instead: --user <object id> (find it with `az ad user show --id '{value}' --query id -o tsv`)"
            );
        }
        if is_object_id(value) {
            return Ok(Subject {
                kind: SubjectKind::User,
                id: value.to_ascii_lowercase(),
                display: value.to_ascii_lowercase(),
                namespace: None,
            });
        }
        let valid_upn = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !value.contains(char::is_whitespace)
        });
        if !valid_upn {
            anyhow::bail!(
                "--user {value:?} is neither a UPN (name@domain) nor an object id; members are bound by UPN, guests and service principals by object id"
            );
        }
        Ok(Subject {
            kind: SubjectKind::User,
            id: value.to_string(),
            display: value.to_string(),
            namespace: None,
        })
    }

    /// `--service-account NS:NAME`.
    pub fn service_account(value: &str) -> anyhow::Result<Subject> {
        let Some((ns, name)) = value.split_once(':') else {
            anyhow::bail!("--service-account {value:?} must be NAMESPACE:NAME, e.g. dev:deployer");
        };
        super::object_names::validate_label("service account namespace", ns)?;
        super::object_names::validate_subdomain("service account name", name)?;
        Ok(Subject {
            kind: SubjectKind::ServiceAccount,
            id: name.to_string(),
            display: format!("{ns}-{name}"),
            namespace: Some(ns.to_string()),
        })
    }

    /// The RBAC subject. Groups and users carry the RBAC apiGroup and never a namespace.
    pub fn to_rbac(&self) -> RbacSubject {
        match self.kind {
            SubjectKind::ServiceAccount => RbacSubject {
                kind: "ServiceAccount".to_string(),
                api_group: None,
                name: self.id.clone(),
                namespace: self.namespace.clone(),
            },
            kind => RbacSubject {
                kind: kind.as_str().to_string(),
                api_group: Some(super::RBAC_GROUP.to_string()),
                name: self.id.clone(),
                namespace: None,
            },
        }
    }

    /// For messages: `group "appdev"`, `user "x@y"`, `service account "dev:deployer"`.
    pub fn describe(&self) -> String {
        match self.kind {
            SubjectKind::Group if self.id.is_empty() || self.display == self.id => {
                format!("group {:?}", self.display)
            }
            SubjectKind::Group => format!("group {:?} ({})", self.display, self.id),
            SubjectKind::User => format!("user {:?}", self.id),
            SubjectKind::ServiceAccount => format!("service account {:?}", self.annotation_id()),
        }
    }

    /// The value of the subject-id annotation: the object id, the UPN, or `NS:NAME`.
    pub fn annotation_id(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}:{}", self.id),
            None => self.id.clone(),
        }
    }

    /// Whether an RBAC subject of some binding names this subject.
    pub fn matches(&self, s: &RbacSubject) -> bool {
        s.kind == self.kind.as_str()
            && match self.kind {
                SubjectKind::ServiceAccount => {
                    s.name == self.id && s.namespace.as_deref() == self.namespace.as_deref()
                }
                SubjectKind::Group => {
                    s.name.eq_ignore_ascii_case(&self.id)
                        && s.api_group.as_deref().unwrap_or(RBAC_GROUP) == RBAC_GROUP
                }
                SubjectKind::User => s.name.eq_ignore_ascii_case(&self.id),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_groups_and_service_accounts() {
        let u = Subject::user("aksdev@contoso.com").expect("upn");
        assert_eq!(u.id, "aksdev@contoso.com");
        let oid = Subject::user("AAAA0000-0000-4000-8000-000000000004").expect("oid");
        assert_eq!(oid.id, "aaaa0000-0000-4000-8000-000000000004");
        let guest = Subject::user("partner_fabrikam.com#EXT#@contoso.com").expect_err("guest");
        assert!(guest.to_string().contains("object id"), "{guest}");
        assert!(Subject::user("not a user").is_err());
        assert!(Subject::group("appdev", "appdev").is_err());

        let g = Subject::group("cccc0000-0000-4000-8000-000000000001", "appdev").expect("g");
        let rbac = g.to_rbac();
        assert_eq!(rbac.kind, "Group");
        assert_eq!(rbac.api_group.as_deref(), Some("rbac.authorization.k8s.io"));
        assert_eq!(rbac.namespace, None);
        assert!(g.matches(&rbac));

        let sa = Subject::service_account("dev:deployer").expect("sa");
        assert_eq!(sa.annotation_id(), "dev:deployer");
        assert_eq!(sa.to_rbac().namespace.as_deref(), Some("dev"));
        assert_eq!(sa.to_rbac().api_group, None);
        assert!(Subject::service_account("deployer").is_err());
        assert!(Subject::service_account("Dev:x").is_err());
    }
}
