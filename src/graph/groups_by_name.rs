//! Entra object ids, and a group display name to exactly one group.

use super::client::{DirectoryObject, GraphClient};

/// Whether `value` is an Entra object id: a GUID in its usual hyphenated form. `system:*`
/// groups, UPNs and unhyphenated GUIDs are not.
pub fn is_object_id(value: &str) -> bool {
    value.len() == 36 && uuid::Uuid::try_parse(value).is_ok()
}

/// The one group named `name` (display names must match exactly), or an error naming the flag
/// that takes an object id instead (`--group-id`, `--as-group`).
pub async fn one_group_named(
    graph: &GraphClient,
    name: &str,
    id_flag: &str,
) -> anyhow::Result<DirectoryObject> {
    let mut found = graph.find_groups_by_name(name).await?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => anyhow::bail!(
            "no Entra group is named {name:?} (display names must match exactly); check the name with `az ad group list --display-name '{name}'`, or pass its object id with {id_flag} OBJECT_ID"
        ),
        n => anyhow::bail!(
            "{n} Entra groups are named {name:?}: {}; pick one with {id_flag} OBJECT_ID",
            found
                .iter()
                .map(|g| g.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_hyphenated_guids() {
        assert!(is_object_id("cccccccc-0000-4000-8000-000000000010"));
        assert!(!is_object_id("system:masters"));
        assert!(!is_object_id("aksdev@contoso.com"));
        assert!(!is_object_id("cccccccc00004000800000000000001a"));
        assert!(!is_object_id("{cccccccc-0000-4000-8000-000000000010}"));
    }
}
