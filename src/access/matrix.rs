//! `can-i --matrix`: an access matrix like rakkess, but computed locally from one
//! SelfSubjectRulesReview per namespace with `rbac::rules_allow` instead of one access review
//! per cell.

use super::answer::ResolvedTarget;
use crate::k8s::discovery::ResourceInfo;
use crate::output::Table;
use crate::sink::printable;
use rbac::{Attributes, RuleSet, rules_allow};
use serde::Serialize;
use std::collections::BTreeMap;

/// One row: a resource (resources × verbs) or a namespace (namespaces × verbs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixRow {
    pub name: String,
    /// Per verb: allowed, denied, or null when the resource does not serve the verb.
    pub access: BTreeMap<String, Option<bool>>,
}

/// The whole matrix; `-o json` prints it as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Matrix {
    /// `resources` or `namespaces`: what the rows are.
    pub rows_are: String,
    /// The namespace of a resources × verbs matrix ("" = cluster-wide rules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The resource of a namespaces × verbs matrix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub verbs: Vec<String>,
    pub rows: Vec<MatrixRow>,
    /// Namespaces whose rules review was incomplete: their "no" cells may be wrong.
    pub incomplete: Vec<String>,
}

fn resource_name(r: &ResourceInfo) -> String {
    if r.group.is_empty() {
        r.resource.clone()
    } else {
        format!("{}.{}", r.resource, r.group)
    }
}

/// Resources × verbs from one rules review. With a namespace only namespaced resources are
/// shown (a Role cannot grant cluster-scoped ones); with "" (`-A`) every resource is, judged by
/// the cluster-wide rules alone, which is what acting in all namespaces needs.
pub fn evaluate(
    set: &RuleSet,
    resources: &[ResourceInfo],
    namespace: &str,
    verbs: &[String],
) -> Matrix {
    let mut rows: Vec<MatrixRow> = resources
        .iter()
        .filter(|r| namespace.is_empty() || r.namespaced)
        .map(|r| MatrixRow {
            name: resource_name(r),
            access: verbs
                .iter()
                .map(|verb| {
                    let served = r.verbs.is_empty() || r.verbs.contains(verb);
                    let attrs = Attributes {
                        verb: verb.clone(),
                        namespace: if r.namespaced {
                            namespace.to_string()
                        } else {
                            String::new()
                        },
                        api_group: r.group.clone(),
                        resource: r.resource.clone(),
                        ..Default::default()
                    };
                    (
                        verb.clone(),
                        served.then(|| rules_allow(&set.resource_rules, &attrs)),
                    )
                })
                .collect(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows.dedup_by(|a, b| a.name == b.name);
    Matrix {
        rows_are: "resources".into(),
        namespace: Some(namespace.to_string()),
        resource: None,
        verbs: verbs.to_vec(),
        rows,
        incomplete: if set.incomplete {
            vec![namespace.to_string()]
        } else {
            vec![]
        },
    }
}

/// Namespaces × verbs for one resource, from each namespace's rules review.
pub fn evaluate_namespaces(
    sets: &[(String, RuleSet)],
    target: &ResolvedTarget,
    verbs: &[String],
) -> Matrix {
    let (group, resource, subresource) = match target {
        ResolvedTarget::Resource {
            group, resource, ..
        } => {
            let (r, s) = resource.split_once('/').unwrap_or((resource, ""));
            (group.clone(), r.to_string(), s.to_string())
        }
        ResolvedTarget::NonResource { path } => (String::new(), path.clone(), String::new()),
    };
    let rows = sets
        .iter()
        .map(|(ns, set)| MatrixRow {
            name: ns.clone(),
            access: verbs
                .iter()
                .map(|verb| {
                    let attrs = Attributes {
                        verb: verb.clone(),
                        namespace: ns.clone(),
                        api_group: group.clone(),
                        resource: resource.clone(),
                        subresource: subresource.clone(),
                        ..Default::default()
                    };
                    (verb.clone(), Some(rules_allow(&set.resource_rules, &attrs)))
                })
                .collect(),
        })
        .collect();
    Matrix {
        rows_are: "namespaces".into(),
        namespace: None,
        resource: Some(target.display()),
        verbs: verbs.to_vec(),
        rows,
        incomplete: sets
            .iter()
            .filter(|(_, s)| s.incomplete)
            .map(|(ns, _)| ns.clone())
            .collect(),
    }
}

/// The namespaces a rules review names: the `resourceNames` of its rules on `namespaces` in
/// the core group (a Role or ClusterRole that lets someone get their own namespace). Where
/// `--matrix -A` may not list namespaces, these are rows it can still show.
pub fn namespaces_named(set: &RuleSet) -> Vec<String> {
    let mut names: Vec<String> = set
        .resource_rules
        .iter()
        .filter(|r| {
            r.api_groups
                .iter()
                .flatten()
                .any(|g| g.is_empty() || g == "*")
                && r.resources
                    .iter()
                    .flatten()
                    .any(|res| res == "namespaces" || res == "*")
        })
        .flat_map(|r| r.resource_names.clone().unwrap_or_default())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// How cells look: coloured ✔/✖ on a terminal, ✔/✖ without colour under NO_COLOR, and
/// `yes`/`no` when piped (so `grep`/`awk` work without Unicode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Color,
    Symbols,
    Words,
}

impl Style {
    pub fn detect(is_terminal: bool, no_color: bool) -> Style {
        match (is_terminal, no_color) {
            (false, _) => Style::Words,
            (true, true) => Style::Symbols,
            (true, false) => Style::Color,
        }
    }

    /// The cell's text, with colour escapes in the `Color` style.
    fn cell(self, v: Option<bool>) -> &'static str {
        match (self, v) {
            (_, None) => "n/a",
            (Style::Words, Some(true)) => "yes",
            (Style::Words, Some(false)) => "no",
            (Style::Symbols, Some(true)) => "✔",
            (Style::Symbols, Some(false)) => "✖",
            (Style::Color, Some(true)) => "\x1b[32m✔\x1b[0m",
            (Style::Color, Some(false)) => "\x1b[31m✖\x1b[0m",
        }
    }
}

/// The table: `NAME` (or `NAMESPACE`) then one upper-case column per verb. Colour escapes do
/// not count towards the column widths.
pub fn render_matrix(m: &Matrix, style: Style, headers: bool) -> String {
    let first = if m.rows_are == "namespaces" {
        "NAMESPACE"
    } else {
        "NAME"
    };
    let mut header = vec![first.to_string()];
    header.extend(m.verbs.iter().map(|v| v.to_uppercase()));
    let mut table = Table::exact(&header).min_width(0).styled();
    for row in &m.rows {
        let mut line = vec![printable(&row.name).into_owned()];
        for verb in &m.verbs {
            line.push(
                style
                    .cell(row.access.get(verb).copied().unwrap_or(None))
                    .to_string(),
            );
        }
        table.row(line);
    }
    table.render(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_named_by_resource_names_on_namespaces() {
        use k8s_openapi::api::rbac::v1::PolicyRule;
        let rule = |groups: &[&str], resources: &[&str], names: &[&str]| PolicyRule {
            api_groups: Some(groups.iter().map(|s| s.to_string()).collect()),
            resources: Some(resources.iter().map(|s| s.to_string()).collect()),
            resource_names: Some(names.iter().map(|s| s.to_string()).collect()),
            verbs: vec!["get".into()],
            ..Default::default()
        };
        let set = RuleSet {
            resource_rules: vec![
                rule(&[""], &["namespaces"], &["web", "dev"]),
                rule(&["*"], &["*"], &["qa", "dev"]),
                rule(&["apps"], &["namespaces"], &["not-core"]),
                rule(&[""], &["pods"], &["a-pod"]),
            ],
            ..Default::default()
        };
        assert_eq!(namespaces_named(&set), ["dev", "qa", "web"]);
    }
    use k8s_openapi::api::rbac::v1::PolicyRule;

    fn info(group: &str, resource: &str, namespaced: bool, verbs: &[&str]) -> ResourceInfo {
        ResourceInfo {
            group: group.into(),
            version: "v1".into(),
            resource: resource.into(),
            namespaced,
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn set(verbs: &[&str], groups: &[&str], resources: &[&str]) -> RuleSet {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        RuleSet {
            resource_rules: vec![PolicyRule {
                verbs: v(verbs),
                api_groups: Some(v(groups)),
                resources: Some(v(resources)),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn verbs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resources_by_verbs_from_one_rule_set() {
        let resources = [
            info("", "pods", true, &["get", "list", "create"]),
            info("apps", "deployments", true, &["get", "list", "create"]),
            info("", "namespaces", false, &["get", "list"]),
            info("", "bindings", true, &["create"]),
        ];
        let m = evaluate(
            &set(&["get", "list"], &[""], &["pods"]),
            &resources,
            "dev",
            &verbs(&["get", "create"]),
        );
        assert_eq!(
            m.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["bindings", "deployments.apps", "pods"]
        );
        assert_eq!(m.rows[2].access["get"], Some(true));
        assert_eq!(m.rows[2].access["create"], Some(false));
        assert_eq!(m.rows[0].access["get"], None);
        let text = render_matrix(&m, Style::Words, true);
        assert_eq!(
            text,
            "NAME               GET   CREATE\nbindings           n/a   no\ndeployments.apps   no    no\npods               yes   no\n"
        );
        let all = evaluate(
            &set(&["get"], &[""], &["namespaces"]),
            &resources,
            "",
            &verbs(&["get"]),
        );
        assert!(
            all.rows
                .iter()
                .any(|r| r.name == "namespaces" && r.access["get"] == Some(true))
        );
        let json = serde_json::to_value(&m).expect("json");
        assert_eq!(json["rows"][2]["access"]["get"], true);
        assert!(json["rows"][0]["access"]["get"].is_null());
    }

    #[test]
    fn namespaces_by_verbs_and_styles() {
        let sets = vec![
            ("dev".to_string(), set(&["*"], &[""], &["*"])),
            (
                "sre".to_string(),
                RuleSet {
                    incomplete: true,
                    ..Default::default()
                },
            ),
        ];
        let target = ResolvedTarget::Resource {
            group: String::new(),
            resource: "pods".into(),
            name: String::new(),
            namespaced: true,
        };
        let m = evaluate_namespaces(&sets, &target, &verbs(&["get", "delete"]));
        assert_eq!(m.incomplete, ["sre"]);
        assert_eq!(m.resource.as_deref(), Some("pods"));
        let colour = render_matrix(&m, Style::Color, true);
        assert!(colour.contains("\x1b[32m✔\x1b[0m"), "{colour}");
        assert!(colour.contains("\x1b[31m✖\x1b[0m"));
        let lines: Vec<&str> = colour.lines().collect();
        assert_eq!(lines[0], "NAMESPACE   GET   DELETE");
        assert_eq!(
            lines[1],
            "dev         \x1b[32m✔\x1b[0m     \x1b[32m✔\x1b[0m"
        );
        assert_eq!(
            render_matrix(&m, Style::Symbols, false).lines().next(),
            Some("dev   ✔   ✔")
        );
        assert_eq!(Style::detect(false, false), Style::Words);
        assert_eq!(Style::detect(true, true), Style::Symbols);
        assert_eq!(Style::detect(true, false), Style::Color);
    }
}
