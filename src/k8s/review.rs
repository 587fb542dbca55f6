//! The self-reviews whoami and can-i ask the API server: SelfSubjectReview (who am I),
//! SelfSubjectAccessReview (may I) and SelfSubjectRulesReview (what may I).

use super::error::readable;
use anyhow::Context as _;
use k8s_openapi::api::authorization::v1::{
    NonResourceAttributes, ResourceAttributes, SelfSubjectAccessReview,
    SelfSubjectAccessReviewSpec, SelfSubjectRulesReview, SelfSubjectRulesReviewSpec,
};
use k8s_openapi::api::rbac::v1::PolicyRule;
use kube::api::{Api, PostParams};
use rbac::{Attributes, RuleSet, UserInfo};
use std::collections::BTreeMap;

/// The SelfSubjectReview versions, newest first, as `kubectl auth whoami` tries them.
pub const SELF_SUBJECT_REVIEW_VERSIONS: [&str; 3] = ["v1", "v1beta1", "v1alpha1"];

/// Who the cluster thinks the caller is. Falls back to an older API version only when the
/// newer one does not exist (404); any other error is returned.
pub async fn self_subject_review(client: &kube::Client) -> anyhow::Result<UserInfo> {
    for version in SELF_SUBJECT_REVIEW_VERSIONS {
        let path = format!("/apis/authentication.k8s.io/{version}/selfsubjectreviews");
        let body = serde_json::json!({
            "apiVersion": format!("authentication.k8s.io/{version}"),
            "kind": "SelfSubjectReview",
        });
        match post_json(client, &path, &body).await {
            Ok(review) => return user_from_review(&review),
            Err(kube::Error::Api(status)) if status.code == 404 => continue,
            Err(kube::Error::Api(status)) if status.code == 403 => anyhow::bail!(
                "the cluster refused the SelfSubjectReview ({}): the user may not review itself; ask an admin for the `system:basic-user` binding",
                status.message
            ),
            Err(e) => {
                return Err(readable(e))
                    .context("the SelfSubjectReview request to the cluster failed");
            }
        }
    }
    anyhow::bail!(
        "the cluster does not serve the SelfSubjectReview API (authentication.k8s.io v1, v1beta1 or v1alpha1); it needs Kubernetes 1.28 or newer, or the APISelfSubjectReview feature gate"
    )
}

async fn post_json(
    client: &kube::Client,
    path: &str,
    body: &serde_json::Value,
) -> Result<serde_json::Value, kube::Error> {
    let bytes = serde_json::to_vec(body).map_err(kube::Error::SerdeError)?;
    let request = http::Request::post(path)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .body(bytes)
        .map_err(kube::Error::HttpError)?;
    client.request(request).await
}

/// The `status.userInfo` of a SelfSubjectReview of any version.
pub fn user_from_review(review: &serde_json::Value) -> anyhow::Result<UserInfo> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Info {
        username: String,
        uid: String,
        groups: Vec<String>,
        extra: BTreeMap<String, Vec<String>>,
    }
    let info = review
        .pointer("/status/userInfo")
        .context("the SelfSubjectReview answer has no status.userInfo")?;
    let info: Info = serde_json::from_value(info.clone())
        .context("the SelfSubjectReview answer has a malformed status.userInfo")?;
    Ok(UserInfo {
        name: info.username,
        uid: info.uid,
        groups: info.groups,
        extra: info.extra,
    })
}

/// One access question: a resource request, or a non-resource path when `path` is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessQuery {
    pub verb: String,
    /// Empty for cluster-scoped resources and for all namespaces.
    pub namespace: String,
    pub group: String,
    /// Empty means any version (what kubectl sends).
    pub version: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    pub path: Option<String>,
}

impl From<&Attributes> for AccessQuery {
    fn from(a: &Attributes) -> Self {
        AccessQuery {
            verb: a.verb.clone(),
            namespace: a.namespace.clone(),
            group: a.api_group.clone(),
            version: String::new(),
            resource: a.resource.clone(),
            subresource: a.subresource.clone(),
            name: a.name.clone(),
            path: a.path.clone(),
        }
    }
}

/// The API server's answer to an access review.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AccessAnswer {
    pub allowed: bool,
    pub denied: bool,
    pub reason: String,
    pub evaluation_error: String,
}

/// The SelfSubjectAccessReview for a query.
pub fn access_review_request(query: &AccessQuery) -> SelfSubjectAccessReview {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let spec = match &query.path {
        Some(path) => SelfSubjectAccessReviewSpec {
            non_resource_attributes: Some(NonResourceAttributes {
                path: Some(path.clone()),
                verb: opt(&query.verb),
            }),
            ..Default::default()
        },
        None => SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: opt(&query.verb),
                namespace: opt(&query.namespace),
                group: opt(&query.group),
                version: opt(&query.version),
                resource: opt(&query.resource),
                subresource: opt(&query.subresource),
                name: opt(&query.name),
                ..Default::default()
            }),
            ..Default::default()
        },
    };
    SelfSubjectAccessReview {
        spec,
        ..Default::default()
    }
}

/// Asks the API server whether the caller may do `query` (one request).
pub async fn access_review(
    client: &kube::Client,
    query: &AccessQuery,
) -> anyhow::Result<AccessAnswer> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let answer = api
        .create(&PostParams::default(), &access_review_request(query))
        .await
        .map_err(readable)
        .context("the SelfSubjectAccessReview request to the cluster failed")?;
    let status = answer.status.unwrap_or_default();
    Ok(AccessAnswer {
        allowed: status.allowed,
        denied: status.denied.unwrap_or(false),
        reason: status.reason.unwrap_or_default(),
        evaluation_error: status.evaluation_error.unwrap_or_default(),
    })
}

/// Everything the caller may do in `namespace` (one request), as a RuleSet that
/// `rbac::rules_allow` can evaluate locally.
pub async fn rules_review(client: &kube::Client, namespace: &str) -> anyhow::Result<RuleSet> {
    let api: Api<SelfSubjectRulesReview> = Api::all(client.clone());
    let request = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(namespace.to_string()),
        },
        ..Default::default()
    };
    let answer = api
        .create(&PostParams::default(), &request)
        .await
        .map_err(readable)
        .with_context(|| {
            format!("the SelfSubjectRulesReview request for namespace {namespace:?} failed")
        })?;
    Ok(rule_set_from_review(&answer))
}

/// Maps a SelfSubjectRulesReview answer into a RuleSet.
pub fn rule_set_from_review(review: &SelfSubjectRulesReview) -> RuleSet {
    let Some(status) = &review.status else {
        return RuleSet {
            incomplete: true,
            evaluation_error: "the SelfSubjectRulesReview answer has no status".into(),
            ..Default::default()
        };
    };
    let non_empty = |v: &Option<Vec<String>>| v.as_ref().filter(|v| !v.is_empty()).cloned();
    RuleSet {
        resource_rules: status
            .resource_rules
            .iter()
            .map(|r| PolicyRule {
                verbs: r.verbs.clone(),
                api_groups: non_empty(&r.api_groups),
                resources: non_empty(&r.resources),
                resource_names: non_empty(&r.resource_names),
                non_resource_urls: None,
            })
            .collect(),
        non_resource_rules: status
            .non_resource_rules
            .iter()
            .map(|r| PolicyRule {
                verbs: r.verbs.clone(),
                non_resource_urls: non_empty(&r.non_resource_urls),
                ..Default::default()
            })
            .collect(),
        incomplete: status.incomplete,
        evaluation_error: status.evaluation_error.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_refusals_read_as_their_message_with_the_next_step() {
        let status = |code: u16, message: &str| {
            kube::Error::Api(
                kube::core::Status::failure(message, "Forbidden")
                    .with_code(code)
                    .boxed(),
            )
        };
        let e = readable(status(
            403,
            "users \"aksdev\" is forbidden: User \"x\" cannot impersonate resource \"users\"",
        ));
        let text = e.to_string();
        assert!(text.starts_with("users \"aksdev\" is forbidden"), "{text}");
        assert!(text.contains("need the impersonate permission"), "{text}");
        assert!(!text.contains("Status {"), "no Debug dump: {text}");
        assert!(
            readable(status(401, "Unauthorized"))
                .to_string()
                .contains("kubectl entra logout")
        );
        assert_eq!(readable(status(500, "")).to_string(), "HTTP 500 Forbidden");
    }
    use crate::k8s::mock_api::{Mock, start};

    #[tokio::test]
    async fn self_subject_review_uses_v1_when_served() {
        let (client, mock) = start(Mock {
            review_versions: vec!["v1", "v1beta1"],
            ..Default::default()
        })
        .await;
        let user = self_subject_review(&client).await.expect("review");
        assert_eq!(user.name, "aksdev@contoso.com");
        assert_eq!(user.uid, "u-1");
        assert_eq!(user.groups, ["appdev-oid", "system:authenticated"]);
        assert_eq!(user.extra.get("oid"), Some(&vec!["o-1".to_string()]));
        let bodies = mock.bodies.lock().expect("lock");
        assert_eq!(bodies[0]["apiVersion"], "authentication.k8s.io/v1");
    }

    #[tokio::test]
    async fn self_subject_review_falls_back_on_404_only() {
        let (client, mock) = start(Mock {
            review_versions: vec!["v1alpha1"],
            ..Default::default()
        })
        .await;
        let user = self_subject_review(&client).await.expect("review");
        assert_eq!(user.name, "aksdev@contoso.com");
        assert_eq!(
            mock.bodies.lock().expect("lock")[0]["apiVersion"],
            "authentication.k8s.io/v1alpha1"
        );

        let (client, _) = start(Mock {
            review_versions: vec!["v1beta1"],
            v1_review_error: Some(500),
            ..Default::default()
        })
        .await;
        assert!(self_subject_review(&client).await.is_err());

        let (client, _) = start(Mock::default()).await;
        let err = self_subject_review(&client).await.expect_err("no api");
        assert!(
            err.to_string()
                .contains("does not serve the SelfSubjectReview API"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn access_review_sends_resource_or_path_and_reads_the_answer() {
        let (client, mock) = start(Mock::default()).await;
        let query = AccessQuery {
            verb: "create".into(),
            namespace: "dev".into(),
            resource: "pods".into(),
            ..Default::default()
        };
        let answer = access_review(&client, &query).await.expect("review");
        assert!(answer.allowed && !answer.denied);
        assert!(answer.reason.contains("dev-user-access/dev"));
        let cluster_scoped = AccessQuery {
            verb: "list".into(),
            resource: "namespaces".into(),
            ..Default::default()
        };
        let answer = access_review(&client, &cluster_scoped)
            .await
            .expect("review");
        assert_eq!(
            answer,
            AccessAnswer {
                allowed: false,
                denied: true,
                reason: String::new(),
                evaluation_error: "webhook down".into()
            }
        );
        let url = AccessQuery {
            verb: "get".into(),
            path: Some("/healthz".into()),
            ..Default::default()
        };
        access_review(&client, &url).await.expect("review");
        let bodies = mock.bodies.lock().expect("lock");
        assert_eq!(
            bodies[0]["spec"]["resourceAttributes"],
            serde_json::json!({"verb": "create", "namespace": "dev", "resource": "pods"})
        );
        // no namespace key at all for a cluster-scoped question
        assert_eq!(
            bodies[1]["spec"]["resourceAttributes"],
            serde_json::json!({"verb": "list", "resource": "namespaces"})
        );
        assert_eq!(
            bodies[2]["spec"],
            serde_json::json!({"nonResourceAttributes": {"verb": "get", "path": "/healthz"}})
        );
    }

    #[tokio::test]
    async fn rules_review_maps_into_a_rule_set() {
        let (client, mock) = start(Mock::default()).await;
        let set = rules_review(&client, "dev").await.expect("review");
        assert_eq!(
            mock.bodies.lock().expect("lock")[0]["spec"],
            serde_json::json!({"namespace": "dev"})
        );
        assert!(set.incomplete);
        assert_eq!(set.evaluation_error, "webhook authorizer has no rules");
        assert_eq!(set.resource_rules.len(), 2);
        assert_eq!(
            set.resource_rules[1].resource_names,
            Some(vec!["app".to_string()])
        );
        assert_eq!(
            set.non_resource_rules[0].non_resource_urls,
            Some(vec!["/healthz".to_string()])
        );
        let attrs = Attributes {
            verb: "delete".into(),
            namespace: "dev".into(),
            api_group: "apps".into(),
            resource: "deployments".into(),
            ..Default::default()
        };
        assert!(rbac::rules_allow(&set.resource_rules, &attrs));
        assert_eq!(AccessQuery::from(&attrs).group, "apps");
    }

    #[tokio::test]
    async fn discovery_resolves_against_the_server() {
        let (client, _) = start(Mock::default()).await;
        let (deploy, name) = crate::k8s::discovery::resolve_resource(&client, "deploy/web")
            .await
            .expect("deploy");
        assert_eq!(
            (
                deploy.group.as_str(),
                deploy.resource.as_str(),
                name.as_str()
            ),
            ("apps", "deployments", "web")
        );
        let (ns, _) = crate::k8s::discovery::resolve_resource(&client, "ns")
            .await
            .expect("ns");
        assert!(!ns.namespaced);
        let err = crate::k8s::discovery::resolve_resource(&client, "widgets")
            .await
            .expect_err("unknown");
        assert_eq!(
            err.to_string(),
            r#"the server doesn't have a resource type "widgets""#
        );
    }
}
