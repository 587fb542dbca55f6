//! can-i's single question: what the user typed becomes a SelfSubjectAccessReview, and the
//! answer becomes kubectl's `yes` / `no - REASON` line and exit code.

use crate::k8s::discovery::{ResourceInfo, is_virtual, parse_resource_arg, resolve};
use crate::k8s::review::{AccessAnswer, AccessQuery};

/// kubectl auth can-i's exit codes.
pub const EXIT_YES: u8 = 0;
pub const EXIT_NO: u8 = 1;

/// Where to ask: one namespace (the context's by default) or all of them (`-A`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceMode {
    Namespace(String),
    All,
}

/// What the question is about, after discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedTarget {
    Resource {
        group: String,
        resource: String,
        name: String,
        namespaced: bool,
    },
    NonResource {
        path: String,
    },
}

impl ResolvedTarget {
    /// `pods`, `deployments.apps`, `/healthz`: how messages name it.
    pub fn display(&self) -> String {
        match self {
            ResolvedTarget::Resource {
                group, resource, ..
            } if group.is_empty() => resource.clone(),
            ResolvedTarget::Resource {
                group, resource, ..
            } => format!("{resource}.{group}"),
            ResolvedTarget::NonResource { path } => path.clone(),
        }
    }
}

/// Resolves what the user typed against discovery. An unknown resource is not an error (as in
/// kubectl, which asks anyway: RBAC may name resources no API serves); the warning says so.
pub fn resolve_target(resources: &[ResourceInfo], typed: &str) -> (ResolvedTarget, Option<String>) {
    if typed.starts_with('/') {
        return (
            ResolvedTarget::NonResource {
                path: typed.to_string(),
            },
            None,
        );
    }
    let arg = parse_resource_arg(typed);
    match resolve(resources, &arg) {
        Ok(info) => (
            ResolvedTarget::Resource {
                group: info.group,
                resource: info.resource,
                name: arg.name,
                namespaced: info.namespaced,
            },
            None,
        ),
        Err(_) => {
            let warning = if arg.group.is_empty() {
                format!(
                    "Warning: the server doesn't have a resource type '{}'",
                    arg.resource
                )
            } else {
                format!(
                    "Warning: the server doesn't have a resource type '{}' in group '{}'",
                    arg.resource, arg.group
                )
            };
            (
                ResolvedTarget::Resource {
                    group: arg.group,
                    resource: arg.resource,
                    name: arg.name,
                    namespaced: true,
                },
                Some(warning),
            )
        }
    }
}

/// kubectl's warning for a cluster-scoped resource asked without `-A` (same wording), e.g.
/// `Warning: resource 'clusterroles' is not namespace scoped in group 'rbac.authorization.k8s.io'`.
/// Like kubectl, none for the impersonation resources (`users`, `groups`), which discovery
/// does not list.
pub fn scope_warning(target: &ResolvedTarget) -> Option<String> {
    match target {
        ResolvedTarget::Resource {
            group, resource, ..
        } if is_virtual(group, resource) => None,
        ResolvedTarget::Resource {
            namespaced: false,
            group,
            resource,
            ..
        } if group.is_empty() => Some(format!(
            "Warning: resource '{resource}' is not namespace scoped"
        )),
        ResolvedTarget::Resource {
            namespaced: false,
            group,
            resource,
            ..
        } => Some(format!(
            "Warning: resource '{resource}' is not namespace scoped in group '{group}'"
        )),
        _ => None,
    }
}

/// The access review for a question. Cluster-scoped resources get no namespace (kubectl sends
/// one and can answer a false yes through a RoleBinding); `-A` asks with namespace "".
pub fn build_query(
    verb: &str,
    target: &ResolvedTarget,
    subresource: &str,
    namespace: &NamespaceMode,
) -> AccessQuery {
    match target {
        ResolvedTarget::NonResource { path } => AccessQuery {
            verb: verb.to_string(),
            path: Some(path.clone()),
            ..Default::default()
        },
        ResolvedTarget::Resource {
            group,
            resource,
            name,
            namespaced,
        } => AccessQuery {
            verb: verb.to_string(),
            namespace: match (namespaced, namespace) {
                (true, NamespaceMode::Namespace(ns)) => ns.clone(),
                _ => String::new(),
            },
            group: group.clone(),
            resource: resource.clone(),
            subresource: subresource.to_string(),
            name: name.clone(),
            ..Default::default()
        },
    }
}

/// kubectl's answer line: `yes`, or `no`, then ` - REASON` and ` - EVALUATION ERROR` when set.
pub fn answer_line(answer: &AccessAnswer) -> String {
    if answer.allowed {
        return "yes".to_string();
    }
    let mut line = "no".to_string();
    if !answer.reason.is_empty() {
        line.push_str(" - ");
        line.push_str(&answer.reason);
    }
    if !answer.evaluation_error.is_empty() {
        line.push_str(" - ");
        line.push_str(&answer.evaluation_error);
    }
    line
}

/// 0 for yes, 1 for no.
pub fn exit_code(answer: &AccessAnswer) -> u8 {
    if answer.allowed { EXIT_YES } else { EXIT_NO }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discovery() -> Vec<ResourceInfo> {
        let r = |group: &str, resource: &str, singular: &str, short: &[&str], namespaced| {
            ResourceInfo {
                group: group.into(),
                version: "v1".into(),
                resource: resource.into(),
                singular: singular.into(),
                kind: String::new(),
                namespaced,
                verbs: vec![],
                short_names: short.iter().map(|s| s.to_string()).collect(),
            }
        };
        vec![
            r("", "pods", "pod", &["po"], true),
            r("", "namespaces", "namespace", &["ns"], false),
            r("apps", "deployments", "deployment", &["deploy"], true),
            r("stable.example.com", "crontabs", "crontab", &["ct"], true),
        ]
    }

    fn ask(typed: &str, ns: &NamespaceMode) -> (AccessQuery, Option<String>) {
        let (target, warning) = resolve_target(&discovery(), typed);
        (build_query("get", &target, "", ns), warning)
    }

    #[test]
    fn cluster_scoped_resources_send_no_namespace() {
        let dev = NamespaceMode::Namespace("dev".into());
        let (q, w) = ask("ns", &dev);
        assert_eq!(
            (q.resource.as_str(), q.namespace.as_str()),
            ("namespaces", "")
        );
        assert!(w.is_none());
        let (q, _) = ask("po/web", &dev);
        assert_eq!(
            (q.resource.as_str(), q.namespace.as_str(), q.name.as_str()),
            ("pods", "dev", "web")
        );
        let (q, _) = ask("pods", &NamespaceMode::All);
        assert_eq!(q.namespace, "");
        let (q, _) = ask("deploy", &dev);
        assert_eq!(q.group, "apps");
        let (q, _) = ask("crontabs.stable.example.com", &dev);
        assert_eq!(
            (q.group.as_str(), q.resource.as_str()),
            ("stable.example.com", "crontabs")
        );
        let (q, _) = ask("crontabs.v1.stable.example.com", &dev);
        assert_eq!(q.group, "stable.example.com");
    }

    #[test]
    fn cluster_scoped_resources_get_kubectls_warning() {
        let (target, _) = resolve_target(&discovery(), "ns/dev");
        assert_eq!(
            scope_warning(&target).as_deref(),
            Some("Warning: resource 'namespaces' is not namespace scoped")
        );
        let target = ResolvedTarget::Resource {
            group: "rbac.authorization.k8s.io".into(),
            resource: "clusterroles".into(),
            name: String::new(),
            namespaced: false,
        };
        assert_eq!(
            scope_warning(&target).as_deref(),
            Some(
                "Warning: resource 'clusterroles' is not namespace scoped in group 'rbac.authorization.k8s.io'"
            )
        );
        let (target, _) = resolve_target(&discovery(), "pods");
        assert_eq!(scope_warning(&target), None);
        let (target, _) = resolve_target(&discovery(), "widgets");
        assert_eq!(scope_warning(&target), None, "unknown: assumed namespaced");
        let (target, _) = resolve_target(&discovery(), "users");
        assert_eq!(
            scope_warning(&target),
            None,
            "kubectl is silent for users too"
        );
    }

    #[test]
    fn unknown_resources_warn_like_kubectl_and_are_asked_anyway() {
        let dev = NamespaceMode::Namespace("dev".into());
        let (q, w) = ask("widgets", &dev);
        assert_eq!(
            w.as_deref(),
            Some("Warning: the server doesn't have a resource type 'widgets'")
        );
        assert_eq!(
            (q.resource.as_str(), q.namespace.as_str()),
            ("widgets", "dev")
        );
        let (q, w) = ask("widgets.acme.io", &dev);
        assert_eq!(
            w.as_deref(),
            Some("Warning: the server doesn't have a resource type 'widgets' in group 'acme.io'")
        );
        assert_eq!(q.group, "acme.io");
    }

    #[test]
    fn non_resource_urls_carry_only_verb_and_path() {
        let (target, _) = resolve_target(&[], "/logs/*");
        let q = build_query("get", &target, "", &NamespaceMode::Namespace("dev".into()));
        assert_eq!(q.path.as_deref(), Some("/logs/*"));
        assert_eq!(q.namespace, "");
        assert_eq!(target.display(), "/logs/*");
    }

    #[test]
    fn answer_lines_and_exit_codes_match_kubectl() {
        let yes = AccessAnswer {
            allowed: true,
            reason: "RBAC: allowed by ...".into(),
            ..Default::default()
        };
        assert_eq!(answer_line(&yes), "yes");
        assert_eq!(exit_code(&yes), 0);
        let no = AccessAnswer::default();
        assert_eq!(answer_line(&no), "no");
        assert_eq!(exit_code(&no), 1);
        let no = AccessAnswer {
            reason: "denied by policy".into(),
            evaluation_error: "webhook down".into(),
            ..Default::default()
        };
        assert_eq!(answer_line(&no), "no - denied by policy - webhook down");
    }
}
