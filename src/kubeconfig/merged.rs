//! Converting across the files of a merged `KUBECONFIG=a:b`, with kubectl's merge rule: the
//! first file that names a context or user defines it, so each user is converted in (and
//! written back to) the file that defines it; later definitions of the same name, which kubectl
//! never uses, stay as they are.

use super::convert::{ConvertError, ConvertOptions, Report, convert_selected, user_of_context};
use kube::config::Kubeconfig;
use std::collections::HashSet;

/// Converts the users `opts` chooses across `docs` (in KUBECONFIG order); one report per doc.
pub fn convert_merged(
    docs: &mut [Kubeconfig],
    opts: &ConvertOptions,
) -> Result<Vec<Report>, ConvertError> {
    if let Some(context) = &opts.context {
        let Some(defining) = docs
            .iter()
            .find(|d| d.contexts.iter().any(|c| c.name == *context))
        else {
            let known: Vec<&str> = docs
                .iter()
                .flat_map(|d| d.contexts.iter().map(|c| c.name.as_str()))
                .collect();
            return Err(ConvertError::ContextNotFound {
                name: context.clone(),
                known: known.join(", "),
            });
        };
        let user = user_of_context(defining, context)?;
        let owner = docs
            .iter()
            .position(|d| d.auth_infos.iter().any(|u| u.name == user))
            .ok_or_else(|| ConvertError::UserNotFound(user.clone()))?;
        return Ok(docs
            .iter_mut()
            .enumerate()
            .map(|(i, doc)| {
                if i == owner {
                    convert_selected(doc, opts, &|name| name == user)
                } else {
                    Report::default()
                }
            })
            .collect());
    }
    let mut defined_earlier: HashSet<String> = HashSet::new();
    let mut reports = Vec::with_capacity(docs.len());
    for doc in docs.iter_mut() {
        let earlier = defined_earlier.clone();
        reports.push(convert_selected(doc, opts, &|name| !earlier.contains(name)));
        defined_earlier.extend(doc.auth_infos.iter().map(|u| u.name.clone()));
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(users: &[&str], contexts: &[(&str, &str)]) -> Kubeconfig {
        let mut text = String::from("users:\n");
        for u in users {
            text.push_str(&format!(
                "- name: {u}\n  user:\n    exec: {{command: kubelogin, args: [get-token, --tenant-id, t, --server-id, s]}}\n"
            ));
        }
        text.push_str("contexts:\n");
        for (c, u) in contexts {
            text.push_str(&format!(
                "- name: {c}\n  context: {{cluster: x, user: {u}}}\n"
            ));
        }
        Kubeconfig::from_yaml(&text).unwrap()
    }

    fn converted(reports: &[Report]) -> Vec<Vec<String>> {
        reports
            .iter()
            .map(|r| r.converted.iter().map(|c| c.user.clone()).collect())
            .collect()
    }

    #[test]
    fn each_user_in_the_file_that_defines_it() {
        let mut docs = vec![
            doc(&["a", "shared"], &[("ca", "a")]),
            doc(&["b", "shared"], &[("cb", "b"), ("ca", "b")]),
        ];
        let reports = convert_merged(&mut docs, &ConvertOptions::default()).unwrap();
        assert_eq!(converted(&reports), [vec!["a", "shared"], vec!["b"]]);
        // The shadowed definition is left for kubectl to ignore.
        let shadowed = docs[1].auth_infos[1].auth_info.as_ref().unwrap();
        assert_eq!(
            shadowed.exec.as_ref().unwrap().command.as_deref(),
            Some("kubelogin")
        );
    }

    #[test]
    fn a_context_picks_its_first_definition_and_its_users_owner() {
        let mut docs = vec![
            doc(&["a"], &[("ca", "b")]),
            doc(&["b"], &[("ca", "a"), ("cb", "b")]),
        ];
        let opts = ConvertOptions {
            context: Some("ca".into()),
            ..ConvertOptions::default()
        };
        let reports = convert_merged(&mut docs, &opts).unwrap();
        assert_eq!(converted(&reports), [vec![], vec!["b"]]);
        let opts = ConvertOptions {
            context: Some("nope".into()),
            ..ConvertOptions::default()
        };
        let err = convert_merged(&mut docs, &opts).unwrap_err().to_string();
        assert!(err.contains("ca, ca, cb") || err.contains("ca"), "{err}");
        let mut orphan = vec![doc(&[], &[("c", "ghost")])];
        let opts = ConvertOptions {
            context: Some("c".into()),
            ..ConvertOptions::default()
        };
        assert_eq!(
            convert_merged(&mut orphan, &opts).unwrap_err(),
            ConvertError::UserNotFound("ghost".into())
        );
    }
}
