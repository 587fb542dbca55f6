//! Memberships: a group's transitive members (who-can --members), and a user's groups when the
//! token carries the overage markers instead of `groups` (ENTRA-PROTOCOL §3.3-3.4: AKS asks
//! Graph the same question).

use super::client::{Call, GraphClient, Page, decode};
use super::error::GraphError;
use super::odata::encode_query_value;
use super::{DirectoryObject, is_object_id};

/// checkMemberGroups takes at most this many group ids per call.
const CHECK_MEMBER_GROUPS_CHUNK: usize = 20;

/// A group's members, at most `cap` of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    pub members: Vec<DirectoryObject>,
    /// More members exist than were read.
    pub truncated: bool,
}

#[derive(serde::Deserialize)]
struct Ids {
    #[serde(default)]
    value: Vec<String>,
}

/// Only object ids and UPNs go into a Graph path (never a `/` or `?` from a binding).
fn path_id(id: &str) -> String {
    encode_query_value(id)
}

impl GraphClient {
    /// Users, groups and service principals in the group, through nested groups, following
    /// `@odata.nextLink` until `cap` members are read.
    pub async fn transitive_members(
        &self,
        group_id: &str,
        cap: usize,
    ) -> Result<Members, GraphError> {
        let call = Call {
            action: &format!("list the members of group {group_id}"),
            permission: "GroupMember.Read.All (or Directory.Read.All)",
            hint: "leave out --members to list the groups only",
            what: &format!("group with object id {group_id}"),
        };
        let mut out = Members::default();
        if !is_object_id(group_id) {
            return Ok(out);
        }
        let page_size = cap.clamp(1, 999);
        let mut next = Some(format!(
            "{}/groups/{}/transitiveMembers?$select=id,displayName,userPrincipalName&$top={page_size}",
            self.base(),
            path_id(group_id)
        ));
        while let Some(url) = next.take() {
            if out.members.len() >= cap {
                out.truncated = true;
                break;
            }
            self.check_same_origin(&url, &call)?;
            let resp = self.send(|| self.http.get(&url), false, &call).await?;
            let page: Page<DirectoryObject> = decode(resp, &call).await?;
            let room = cap - out.members.len();
            if page.value.len() > room {
                out.truncated = true;
            }
            out.members.extend(page.value.into_iter().take(room));
            next = page.next_link;
        }
        Ok(out)
    }

    /// A user by UPN or object id (`None` when Entra has no such user), e.g. a guest's object
    /// id from its `#EXT#` UPN.
    pub async fn user(&self, id_or_upn: &str) -> Result<Option<DirectoryObject>, GraphError> {
        let call = Call {
            action: &format!("look up the user {id_or_upn}"),
            permission: "User.ReadBasic.All (or User.Read.All)",
            hint: "use --no-graph to skip the lookup",
            what: &format!("user {id_or_upn}"),
        };
        let url = format!(
            "{}/users/{}?$select=id,displayName,userPrincipalName",
            self.base(),
            path_id(id_or_upn)
        );
        match self.send(|| self.http.get(&url), false, &call).await {
            Ok(resp) => decode(resp, &call).await.map(Some),
            Err(GraphError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The object ids of every group (and directory role) the user is in, transitively: what
    /// AKS asks for an overage token (`getMemberObjects`, security and other groups alike).
    pub async fn member_objects(&self, user: &str) -> Result<Vec<String>, GraphError> {
        let call = Call {
            action: &format!("list the groups of {user}"),
            permission: "User.Read (your own groups) or GroupMember.Read.All",
            hint: "use --no-graph to skip the lookup",
            what: &format!("user {user}"),
        };
        let url = format!("{}/users/{}/getMemberObjects", self.base(), path_id(user));
        let body = serde_json::json!({ "securityEnabledOnly": false });
        let resp = self
            .send(|| self.http.post(&url).json(&body), false, &call)
            .await?;
        let ids: Ids = decode(resp, &call).await?;
        Ok(ids.value)
    }

    /// Which of `group_ids` the user is a (transitive) member of, 20 ids per call.
    pub async fn check_member_groups(
        &self,
        user: &str,
        group_ids: &[String],
    ) -> Result<Vec<String>, GraphError> {
        let call = Call {
            action: &format!("check the group memberships of {user}"),
            permission: "User.Read (your own groups) or GroupMember.Read.All",
            hint: "use --no-graph to skip the lookup",
            what: &format!("user {user}"),
        };
        let url = format!("{}/users/{}/checkMemberGroups", self.base(), path_id(user));
        let ids: Vec<&String> = group_ids.iter().filter(|g| is_object_id(g)).collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(CHECK_MEMBER_GROUPS_CHUNK) {
            let body = serde_json::json!({ "groupIds": chunk });
            let resp = self
                .send(|| self.http.post(&url).json(&body), false, &call)
                .await?;
            let found: Ids = decode(resp, &call).await?;
            out.extend(found.value);
        }
        Ok(out)
    }
}
