//! The sandbox tenant: the AKS article's users and groups, with stable object ids, shared by the
//! Entra emulator (token claims), the Graph subset and the walkthrough.

use serde::{Deserialize, Serialize};

/// The sandbox's tenant id (stable, so kubeconfigs and bindings survive restarts).
pub const TENANT_ID: &str = "c0ffee00-0000-4000-8000-00000000aa01";
pub const TENANT_DOMAIN: &str = "contoso.com";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserType {
    Member,
    /// B2B guest: no `upn` in v1 tokens, so AKS names the user by object id.
    Guest,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub object_id: String,
    /// For guests this is the `#EXT#` UPN of the resource tenant.
    pub upn: String,
    pub display_name: String,
    pub given_name: String,
    pub family_name: String,
    pub user_type: UserType,
    /// Sandbox sign-in password for the device-login page (the page may skip the check).
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub object_id: String,
    pub display_name: String,
    pub description: String,
    /// Object ids of the direct members (users).
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub domain: String,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    /// Applications that sign in with client credentials (see `apps.rs`).
    #[serde(default)]
    pub service_principals: Vec<crate::apps::ServicePrincipal>,
}

/// Group count above which a token carries the overage markers instead of `groups`.
pub const GROUPS_CLAIM_LIMIT: usize = 200;

fn oid(kind: u32, n: u32) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

impl Tenant {
    /// The article's tenant: aksdev (appdev), akssre (opssre), an admin, a guest, a user in so
    /// many groups that tokens overflow, two groups sharing a display name, and enough groups
    /// that Graph has to page.
    pub fn seed() -> Tenant {
        let user =
            |n: u32, upn: &str, display: &str, given: &str, family: &str, t: UserType| User {
                object_id: oid(0xaaaa_0000, n),
                upn: upn.to_string(),
                display_name: display.to_string(),
                given_name: given.to_string(),
                family_name: family.to_string(),
                user_type: t,
                password: "sandbox".to_string(),
            };
        let users = vec![
            user(
                1,
                "aksdev@contoso.com",
                "AKS Dev",
                "AKS",
                "Dev",
                UserType::Member,
            ),
            user(
                2,
                "akssre@contoso.com",
                "AKS SRE",
                "AKS",
                "SRE",
                UserType::Member,
            ),
            user(
                3,
                "aksadmin@contoso.com",
                "AKS Admin",
                "AKS",
                "Admin",
                UserType::Member,
            ),
            user(
                4,
                "partner_fabrikam.com#EXT#@contoso.com",
                "Fabrikam Partner",
                "Fabrikam",
                "Partner",
                UserType::Guest,
            ),
            user(
                5,
                "manygroups@contoso.com",
                "Many Groups",
                "Many",
                "Groups",
                UserType::Member,
            ),
        ];
        let (dev, sre, admin, guest, many) = (
            users[0].object_id.clone(),
            users[1].object_id.clone(),
            users[2].object_id.clone(),
            users[3].object_id.clone(),
            users[4].object_id.clone(),
        );
        let group = |n: u32, name: &str, desc: &str, members: Vec<String>| Group {
            object_id: oid(0xcccc_0000, n),
            display_name: name.to_string(),
            description: desc.to_string(),
            members,
        };
        let mut groups = vec![
            group(
                1,
                "appdev",
                "Application developers",
                vec![dev.clone(), guest, many.clone()],
            ),
            group(
                2,
                "opssre",
                "Operations and site reliability engineers",
                vec![sre],
            ),
            group(3, "aks-admins", "AKS cluster administrators", vec![admin]),
            group(4, "platform", "Platform team (EMEA)", vec![]),
            group(5, "platform", "Platform team (Americas)", vec![]),
            group(
                6,
                "o'brien-team",
                "A name with a quote, for OData escaping",
                vec![dev],
            ),
        ];
        for n in 0..(GROUPS_CLAIM_LIMIT as u32 + 10) {
            groups.push(group(
                0x100 + n,
                &format!("team-{n:03}"),
                "Filler group for paging and overage",
                vec![many.clone()],
            ));
        }
        Tenant {
            id: TENANT_ID.to_string(),
            domain: TENANT_DOMAIN.to_string(),
            users,
            groups,
            service_principals: crate::apps::seed(TENANT_ID),
        }
    }

    /// The service principal of application `app_id`.
    pub fn service_principal(&self, app_id: &str) -> Option<&crate::apps::ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|sp| sp.app_id.eq_ignore_ascii_case(app_id.trim()))
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn))
    }

    pub fn user_by_id(&self, object_id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.object_id.eq_ignore_ascii_case(object_id))
    }

    pub fn group_by_id(&self, object_id: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.object_id.eq_ignore_ascii_case(object_id))
    }

    /// Groups whose display name equals `name` (Graph's `eq` is case-insensitive).
    pub fn groups_named(&self, name: &str) -> Vec<&Group> {
        self.groups
            .iter()
            .filter(|g| g.display_name.eq_ignore_ascii_case(name))
            .collect()
    }

    /// Groups whose display name starts with `prefix` (Graph's `startswith` is
    /// case-insensitive).
    pub fn groups_starting_with(&self, prefix: &str) -> Vec<&Group> {
        let prefix = prefix.to_lowercase();
        self.groups
            .iter()
            .filter(|g| g.display_name.to_lowercase().starts_with(&prefix))
            .collect()
    }

    /// Object ids of the groups the user belongs to (no nesting in the sandbox).
    pub fn groups_of(&self, user_object_id: &str) -> Vec<&Group> {
        self.groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user_object_id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_the_article_tenant() {
        let t = Tenant::seed();
        let dev = t.user_by_upn("aksdev@contoso.com").expect("aksdev");
        let names: Vec<_> = t
            .groups_of(&dev.object_id)
            .iter()
            .map(|g| g.display_name.clone())
            .collect();
        assert!(names.contains(&"appdev".to_string()));
        assert_eq!(t.groups_named("platform").len(), 2);
        assert_eq!(t.groups_starting_with("PLAT").len(), 2);
        assert_eq!(
            t.groups_starting_with("o'b")[0].display_name,
            "o'brien-team"
        );
        let many = t.user_by_upn("manygroups@contoso.com").expect("many");
        assert!(t.groups_of(&many.object_id).len() > GROUPS_CLAIM_LIMIT);
        // Object ids are unique.
        let mut ids: Vec<_> = t
            .groups
            .iter()
            .map(|g| &g.object_id)
            .chain(t.users.iter().map(|u| &u.object_id))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), t.groups.len() + t.users.len());
    }
}
