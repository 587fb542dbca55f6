//! Resolving what the user typed (`po`, `pods`, `deploy`, `deployments.apps`, `cronjobs.batch`,
//! `crontabs.stable.example.com`, `*`) to a resource through the server's discovery, the way
//! kubectl's RESTMapper and short-name expander do, so that can-i knows the API group and whether
//! the resource is namespaced (no namespace is sent for cluster-scoped ones).

use anyhow::Context as _;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;

/// One resource as discovery describes it (preferred version of its group).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ResourceInfo {
    pub group: String,
    pub version: String,
    /// The plural name (`deployments`), or `*`.
    pub resource: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
}

/// `RESOURCE[.VERSION.GROUP | .GROUP][/NAME]`, lower-cased as kubectl does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceArg {
    pub resource: String,
    /// Everything after the first dot (`apps`, `stable.example.com`).
    pub group: String,
    /// With two or more dots, kubectl first tries `RESOURCE.VERSION.GROUP`.
    pub fully_specified: Option<(String, String)>,
    pub name: String,
}

/// The discovery error, in kubectl's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server doesn't have a resource type {0:?}")]
pub struct UnknownResource(pub String);

/// Parses `RESOURCE[.GROUP][/NAME]`.
pub fn parse_resource_arg(arg: &str) -> ResourceArg {
    let (typed, name) = match arg.split_once('/') {
        Some((t, n)) => (t, n.to_string()),
        None => (arg, String::new()),
    };
    let typed = typed.to_lowercase();
    let (resource, group) = match typed.split_once('.') {
        Some((r, g)) => (r.to_string(), g.to_string()),
        None => (typed.clone(), String::new()),
    };
    let fully_specified = group
        .split_once('.')
        .map(|(version, g)| (version.to_string(), g.to_string()));
    ResourceArg {
        resource,
        group,
        fully_specified,
        name,
    }
}

/// Virtual resources that only exist for authorization (impersonation), which kubectl's can-i
/// accepts without discovery.
const VIRTUAL: [&str; 4] = ["users", "groups", "uids", "userextras"];

/// `users`, `groups`, ...: the impersonation resources no API serves.
pub fn is_virtual(group: &str, resource: &str) -> bool {
    group.is_empty() && VIRTUAL.contains(&resource)
}

/// Resolves a parsed argument against a discovery list (server order: core first, then the
/// groups in the order the server lists them; the first match wins, as kubectl's priority
/// mapper picks). `*` resolves to every resource of the core group wildcard, as kubectl sends it.
pub fn resolve(
    resources: &[ResourceInfo],
    arg: &ResourceArg,
) -> Result<ResourceInfo, UnknownResource> {
    if arg.resource == "*" {
        return Ok(ResourceInfo {
            resource: "*".into(),
            group: arg.group.clone(),
            namespaced: true,
            ..Default::default()
        });
    }
    let mut candidates = Vec::new();
    if let Some((version, group)) = &arg.fully_specified {
        candidates.push((group.as_str(), Some(version.as_str())));
    }
    candidates.push((arg.group.as_str(), None));
    for (group, version) in candidates {
        let in_group = |r: &&ResourceInfo| {
            (group.is_empty() || r.group == group) && version.is_none_or(|v| r.version == v)
        };
        // exact plural or singular names win over short names (kubectl's shortcut expander
        // does not expand a name that is some resource's full name)
        let exact = resources
            .iter()
            .filter(in_group)
            .find(|r| r.resource == arg.resource || r.singular == arg.resource);
        if let Some(found) = exact {
            return Ok(found.clone());
        }
        let short = resources
            .iter()
            .filter(in_group)
            .find(|r| r.short_names.contains(&arg.resource));
        if let Some(found) = short {
            return Ok(found.clone());
        }
        let by_kind = resources
            .iter()
            .filter(in_group)
            .find(|r| r.kind.to_lowercase() == arg.resource);
        if let Some(found) = by_kind {
            return Ok(found.clone());
        }
    }
    if is_virtual(&arg.group, &arg.resource) {
        return Ok(ResourceInfo {
            resource: arg.resource.clone(),
            version: "v1".into(),
            namespaced: false,
            verbs: vec!["impersonate".into()],
            ..Default::default()
        });
    }
    let typed = if arg.group.is_empty() {
        arg.resource.clone()
    } else {
        format!("{}.{}", arg.resource, arg.group)
    };
    Err(UnknownResource(typed))
}

/// The resources of one discovery document (subresources such as `pods/log` left out).
pub fn resources_from_list(list: &APIResourceList) -> Vec<ResourceInfo> {
    let (group, version) = match list.group_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), list.group_version.clone()),
    };
    list.resources
        .iter()
        .filter(|r| !r.name.contains('/'))
        .map(|r| ResourceInfo {
            group: r.group.clone().unwrap_or_else(|| group.clone()),
            version: r.version.clone().unwrap_or_else(|| version.clone()),
            resource: r.name.clone(),
            singular: if r.singular_name.is_empty() {
                r.kind.to_lowercase()
            } else {
                r.singular_name.clone()
            },
            kind: r.kind.clone(),
            namespaced: r.namespaced,
            verbs: r.verbs.clone(),
            short_names: r.short_names.clone().unwrap_or_default(),
        })
        .collect()
}

/// Every resource the server serves, in priority order (core `v1` first, then each group's
/// preferred version in the server's order). One request per group, like kubectl's discovery,
/// but all in flight at once: round trips, not groups, set the time on a distant cluster.
pub async fn discover(client: &kube::Client) -> anyhow::Result<Discovery> {
    discover_within(client, GROUP_TIMEOUT).await
}

/// What discovery found, and the groups it had to leave out (one warning each).
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub resources: Vec<ResourceInfo>,
    /// `metrics.k8s.io/v1beta1 ...: its resources are left out`, for the command to show.
    pub warnings: Vec<String>,
}

/// How long one group's discovery may take. kube retries 503 answers with backoff for minutes,
/// and an aggregated API whose backend is down answers 503 every time.
pub const GROUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// `discover`, giving up on a group after `limit`.
pub async fn discover_within(
    client: &kube::Client,
    limit: std::time::Duration,
) -> anyhow::Result<Discovery> {
    let (core, groups) = tokio::join!(client.list_core_api_versions(), client.list_api_groups());
    let core = core
        .map_err(crate::k8s::error::readable)
        .context("cannot read the server's core API versions (/api)")?;
    let groups = groups
        .map_err(crate::k8s::error::readable)
        .context("cannot read the server's API groups (/apis)")?;
    // "/api/v1" for the core group, else a group version such as "apps/v1"
    let mut wanted: Vec<String> = Vec::new();
    if let Some(version) = core.versions.first() {
        wanted.push(format!("/api/{version}"));
    }
    for group in groups.groups {
        if let Some(gv) = group
            .preferred_version
            .map(|p| p.group_version)
            .or_else(|| group.versions.first().map(|v| v.group_version.clone()))
        {
            wanted.push(gv);
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, what) in wanted.iter().enumerate() {
        let client = client.clone();
        let what = what.clone();
        tasks.spawn(async move {
            let fetch = async {
                match what.strip_prefix("/api/") {
                Some(version) => client
                    .list_core_api_resources(version)
                    .await
                    .map_err(crate::k8s::error::readable)
                    .with_context(|| {
                        format!("cannot read the core API resources (/api/{version})")
                    }),
                None => client
                    .list_api_group_resources(&what)
                    .await
                    .map_err(crate::k8s::error::readable)
                    .with_context(|| {
                        format!("cannot read the API resources of {what} (/apis/{what})")
                    }),
                }
            };
            let list = match tokio::time::timeout(limit, fetch).await {
                Ok(list) => list,
                Err(_) => Err(anyhow::anyhow!(
                    "no discovery answer for {what} within {}s (an API service that is down answers 503)",
                    limit.as_secs()
                )),
            };
            (i, list)
        });
    }
    let mut lists = vec![Vec::new(); wanted.len()];
    let mut left_out = vec![None; wanted.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, list) = joined.context("a discovery task failed")?;
        match list {
            Ok(list) => lists[i] = resources_from_list(&list),
            // The core group is needed; an unavailable aggregated API (a broken metrics-server
            // is common) is not, and kubectl goes on without it too.
            Err(e) if i == 0 && wanted[0].starts_with("/api/") => return Err(e),
            Err(e) => {
                left_out[i] = Some(format!(
                    "{}; its resources are left out",
                    crate::output::error_chain(&e)
                ))
            }
        }
    }
    Ok(Discovery {
        resources: lists.into_iter().flatten().collect(),
        warnings: left_out.into_iter().flatten().collect(),
    })
}

/// Discovers and resolves what the user typed; returns the resource and the name after `/`.
pub async fn resolve_resource(
    client: &kube::Client,
    typed: &str,
) -> anyhow::Result<(ResourceInfo, String)> {
    let arg = parse_resource_arg(typed);
    if arg.resource == "*" {
        return Ok((resolve(&[], &arg)?, arg.name));
    }
    let found = resolve(&discover(client).await?.resources, &arg)?;
    Ok((found, arg.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unavailable_aggregated_api_is_left_out_not_fatal() {
        // the mock serves core v1 and apps/v1; metrics.k8s.io answers 503
        let (client, _) = crate::k8s::mock_api::start(Default::default()).await;
        let found = discover_within(&client, std::time::Duration::from_millis(300))
            .await
            .expect("partial discovery");
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
        assert!(
            found.warnings[0].contains("metrics.k8s.io")
                && found.warnings[0].ends_with("its resources are left out"),
            "{:?}",
            found.warnings
        );
        let names: Vec<String> = found
            .resources
            .iter()
            .map(|r| format!("{}.{}", r.resource, r.group))
            .collect();
        assert_eq!(names, ["pods.", "namespaces.", "deployments.apps"]);
    }

    const CORE: &str = r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[
      {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["create","delete","get","list","watch"],"shortNames":["po"]},
      {"name":"pods/status","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","patch","update"]},
      {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["get","list"],"shortNames":["ns"]},
      {"name":"events","singularName":"event","namespaced":true,"kind":"Event","verbs":["get","list"],"shortNames":["ev"]}]}"#;
    const APPS: &str = r#"{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
      {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get","list"],"shortNames":["deploy"]},
      {"name":"deployments/scale","singularName":"","namespaced":true,"group":"autoscaling","version":"v1","kind":"Scale","verbs":["get"]}]}"#;
    const BATCH: &str = r#"{"kind":"APIResourceList","groupVersion":"batch/v1","resources":[
      {"name":"cronjobs","singularName":"cronjob","namespaced":true,"kind":"CronJob","verbs":["get"],"shortNames":["cj"]}]}"#;
    const EVENTS: &str = r#"{"kind":"APIResourceList","groupVersion":"events.k8s.io/v1","resources":[
      {"name":"events","singularName":"event","namespaced":true,"kind":"Event","verbs":["get"],"shortNames":["ev"]}]}"#;
    const RBAC: &str = r#"{"kind":"APIResourceList","groupVersion":"rbac.authorization.k8s.io/v1","resources":[
      {"name":"clusterroles","singularName":"clusterrole","namespaced":false,"kind":"ClusterRole","verbs":["get"]}]}"#;
    const CRD: &str = r#"{"kind":"APIResourceList","groupVersion":"stable.example.com/v1","resources":[
      {"name":"crontabs","singularName":"crontab","namespaced":true,"kind":"CronTab","verbs":["get"],"shortNames":["ct"]}]}"#;

    fn discovery() -> Vec<ResourceInfo> {
        [CORE, APPS, BATCH, EVENTS, RBAC, CRD]
            .iter()
            .flat_map(|doc| {
                let list: APIResourceList = serde_json::from_str(doc).expect("fixture");
                resources_from_list(&list)
            })
            .collect()
    }

    fn resolve_str(typed: &str) -> Result<ResourceInfo, UnknownResource> {
        resolve(&discovery(), &parse_resource_arg(typed))
    }

    #[test]
    fn parses_resource_group_and_name() {
        let a = parse_resource_arg("Deployments.apps/web");
        assert_eq!(a.resource, "deployments");
        assert_eq!(a.group, "apps");
        assert_eq!(a.name, "web");
        assert_eq!(a.fully_specified, None);
        let a = parse_resource_arg("crontabs.stable.example.com");
        assert_eq!(a.group, "stable.example.com");
        assert_eq!(
            a.fully_specified,
            Some(("stable".into(), "example.com".into()))
        );
        let a = parse_resource_arg("pods");
        assert_eq!(
            (a.resource.as_str(), a.group.as_str(), a.name.as_str()),
            ("pods", "", "")
        );
        let a = parse_resource_arg("deployments.v1.apps");
        assert_eq!(a.fully_specified, Some(("v1".into(), "apps".into())));
    }

    #[test]
    fn resolves_plural_singular_short_and_kind() {
        for typed in ["pods", "pod", "po", "Pod", "PODS"] {
            let r = resolve_str(typed).expect(typed);
            assert_eq!(
                (r.group.as_str(), r.resource.as_str()),
                ("", "pods"),
                "{typed}"
            );
            assert!(r.namespaced);
        }
        let r = resolve_str("deploy").expect("deploy");
        assert_eq!((r.group.as_str(), r.version.as_str()), ("apps", "v1"));
        assert_eq!(r.kind, "Deployment");
    }

    #[test]
    fn resolves_group_qualified_names() {
        assert_eq!(
            resolve_str("deployments.apps").expect("d").resource,
            "deployments"
        );
        assert_eq!(resolve_str("deployments.v1.apps").expect("d").group, "apps");
        assert_eq!(resolve_str("cronjobs.batch").expect("cj").group, "batch");
        let ct = resolve_str("crontabs.stable.example.com").expect("crd");
        assert_eq!(
            (ct.group.as_str(), ct.kind.as_str()),
            ("stable.example.com", "CronTab")
        );
        assert_eq!(resolve_str("ct").expect("ct").resource, "crontabs");
        // the group must match
        assert!(resolve_str("deployments.batch").is_err());
    }

    #[test]
    fn core_group_wins_ambiguity_and_group_selects() {
        assert_eq!(resolve_str("events").expect("ev").group, "");
        assert_eq!(resolve_str("ev").expect("ev").group, "");
        assert_eq!(
            resolve_str("events.events.k8s.io").expect("ev").group,
            "events.k8s.io"
        );
    }

    #[test]
    fn cluster_scoped_resources_are_marked() {
        assert!(!resolve_str("ns").expect("ns").namespaced);
        assert!(
            !resolve_str("clusterroles.rbac.authorization.k8s.io")
                .expect("cr")
                .namespaced
        );
    }

    #[test]
    fn subresources_are_not_top_level_resources() {
        assert!(discovery().iter().all(|r| !r.resource.contains('/')));
        // a subresource's own group/version is not the parent's
        assert!(resolve_str("scale").is_err());
    }

    #[test]
    fn star_and_virtual_resources() {
        let all = resolve_str("*").expect("star");
        assert_eq!((all.resource.as_str(), all.group.as_str()), ("*", ""));
        let users = resolve_str("users").expect("users");
        assert!(!users.namespaced);
    }

    #[test]
    fn unknown_resource_uses_kubectls_wording() {
        let err = resolve_str("foo").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            r#"the server doesn't have a resource type "foo""#
        );
        let err = resolve_str("foo.example.com").expect_err("unknown");
        assert_eq!(
            err.to_string(),
            r#"the server doesn't have a resource type "foo.example.com""#
        );
    }
}
