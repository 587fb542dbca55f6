//! Entra group object ids shown with their display names (`appdev (cccc…)`), resolved through
//! Microsoft Graph `getByIds` in one batched call; ids Graph does not know stay bare.

use std::collections::BTreeMap;

/// One group as whoami prints it: the id the cluster sees, and the Entra name when known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupName {
    pub id: String,
    pub name: Option<String>,
}

/// Object id -> display name, for the ids Graph resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupNames(pub BTreeMap<String, String>);

impl GroupNames {
    pub fn insert(&mut self, id: impl Into<String>, name: impl Into<String>) {
        self.0.insert(id.into().to_lowercase(), name.into());
    }

    pub fn name(&self, id: &str) -> Option<&str> {
        self.0.get(&id.to_lowercase()).map(String::as_str)
    }

    /// `appdev (cccccccc-…)` when the name is known, else the id as is.
    pub fn label(&self, id: &str) -> String {
        match self.name(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }

    /// The groups in the cluster's order, each with its name when known.
    pub fn describe(&self, ids: &[String]) -> Vec<GroupName> {
        ids.iter()
            .map(|id| GroupName {
                id: id.clone(),
                name: self.name(id).map(str::to_string),
            })
            .collect()
    }
}

use crate::graph::is_object_id;

/// The ids worth asking Graph about: GUIDs only, each once.
pub fn ids_to_resolve<'a>(ids: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if is_object_id(id) && !out.iter().any(|o| o.eq_ignore_ascii_case(id)) {
            out.push(id.clone());
        }
    }
    out
}

/// Resolves `ids` with Graph (batched by the client). A Graph failure is returned as a warning
/// with the next step, and the ids stay bare.
pub async fn resolve_with_graph(
    graph: &crate::graph::GraphClient,
    ids: &[String],
) -> (GroupNames, Option<String>) {
    let mut names = GroupNames::default();
    if ids.is_empty() {
        return (names, None);
    }
    match graph.get_by_ids(ids, &["group"]).await {
        Ok(objects) => {
            for o in objects {
                if let Some(name) = o.display_name {
                    names.insert(o.id, name);
                }
            }
            (names, None)
        }
        Err(e) => (names, Some(graph_warning(&e.to_string()))),
    }
}

/// Names for the given ids, when there is Graph access and something needs a name (`None`:
/// no Graph, e.g. `--no-graph`). A Graph failure becomes a warning and the ids stay bare.
pub async fn names_for(
    graph: Option<&crate::graph::GraphAccess>,
    ids: &[String],
) -> (GroupNames, Option<String>) {
    let ids = ids_to_resolve(ids);
    let Some(graph) = graph.filter(|_| !ids.is_empty()) else {
        return (GroupNames::default(), None);
    };
    match graph.connect().await {
        Ok(client) => resolve_with_graph(&client, &ids).await,
        Err(e) => (
            GroupNames::default(),
            Some(graph_warning(&crate::output::error_chain(&e))),
        ),
    }
}

/// The warning shown when group names cannot be had from Graph.
pub fn graph_warning(cause: &str) -> String {
    format!(
        "cannot resolve group names with Microsoft Graph ({cause}); showing object ids (pass --no-graph to skip Graph)"
    )
}

/// The object id of the Entra group named `name` (exactly one must match), for `--as-entra-group`.
pub async fn group_id_by_name(
    client: &crate::graph::GraphClient,
    name: &str,
) -> anyhow::Result<String> {
    Ok(crate::graph::one_group_named(client, name, "--as-group")
        .await?
        .id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const APPDEV: &str = "cccccccc-0000-4000-8000-000000000010";

    #[test]
    fn labels_known_ids_and_keeps_the_rest() {
        let mut names = GroupNames::default();
        names.insert(APPDEV, "appdev");
        assert_eq!(names.label(APPDEV), format!("appdev ({APPDEV})"));
        assert_eq!(
            names.label(&APPDEV.to_uppercase()),
            format!("appdev ({})", APPDEV.to_uppercase())
        );
        assert_eq!(names.label("system:authenticated"), "system:authenticated");
        let described = names.describe(&[APPDEV.to_string(), "system:authenticated".into()]);
        assert_eq!(described[0].name.as_deref(), Some("appdev"));
        assert_eq!(described[1].name, None);
    }

    #[test]
    fn only_guids_go_to_graph_once() {
        let ids = vec![
            APPDEV.to_string(),
            "system:authenticated".to_string(),
            APPDEV.to_uppercase(),
        ];
        assert_eq!(ids_to_resolve(&ids), vec![APPDEV.to_string()]);
    }
}
