//! SelfSubjectReview, SelfSubjectAccessReview and SelfSubjectRulesReview: answered from the
//! caller's identity and the RBAC module, never stored.

use super::authz;
use super::resources::ResourceDef;
use super::status::{ApiError, ApiResult};
use super::store::Store;
use rbac::{self, Attributes, UserInfo};
use serde_json::{Value, json};

pub fn answer(res: &ResourceDef, store: &Store, user: &UserInfo, body: &Value) -> ApiResult<Value> {
    let mut out = json!({
        "kind": res.kind,
        "apiVersion": res.api_version(),
        "metadata": {"creationTimestamp": null},
    });
    match res.plural {
        "selfsubjectreviews" => {
            let mut ui = json!({"username": user.name, "groups": user.groups});
            if !user.uid.is_empty() {
                ui["uid"] = json!(user.uid);
            }
            if !user.extra.is_empty() {
                ui["extra"] = json!(user.extra);
            }
            out["status"] = json!({"userInfo": ui});
        }
        "selfsubjectaccessreviews" => {
            let spec = body.get("spec").cloned().unwrap_or(json!({}));
            let s = |v: &Value, k: &str| {
                v.get(k)
                    .and_then(|x| x.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let attrs = if let Some(r) = spec.get("resourceAttributes").filter(|r| r.is_object()) {
                Attributes {
                    verb: s(r, "verb"),
                    namespace: s(r, "namespace"),
                    api_group: s(r, "group"),
                    resource: s(r, "resource"),
                    subresource: s(r, "subresource"),
                    name: s(r, "name"),
                    path: None,
                }
            } else if let Some(n) = spec.get("nonResourceAttributes").filter(|r| r.is_object()) {
                Attributes {
                    verb: s(n, "verb"),
                    path: Some(s(n, "path")),
                    ..Default::default()
                }
            } else {
                return Err(ApiError::invalid(
                    "authorization.k8s.io",
                    res.kind,
                    "",
                    &[super::status::FieldError::required(
                        "spec.resourceAttributes",
                        "exactly one of nonResourceAttributes or resourceAttributes must be specified",
                    )],
                ));
            };
            let d = authz::authorize(store, user, &attrs);
            let mut status = json!({"allowed": d.allowed});
            if !d.reason.is_empty() {
                status["reason"] = json!(d.reason);
            }
            out["spec"] = spec;
            out["status"] = status;
        }
        "selfsubjectrulesreviews" => {
            let ns = body
                .pointer("/spec/namespace")
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            if ns.is_empty() {
                return Err(ApiError::bad_request("no namespace on request"));
            }
            let set = rbac::rules_for(store, user, ns);
            let resource_rules: Vec<Value> = set
                .resource_rules
                .iter()
                .map(|r| {
                    let mut v = json!({"verbs": r.verbs});
                    if let Some(g) = &r.api_groups {
                        v["apiGroups"] = json!(g);
                    }
                    if let Some(x) = &r.resources {
                        v["resources"] = json!(x);
                    }
                    if let Some(x) = r.resource_names.as_ref().filter(|x| !x.is_empty()) {
                        v["resourceNames"] = json!(x);
                    }
                    v
                })
                .collect();
            let non_resource_rules: Vec<Value> = set
                .non_resource_rules
                .iter()
                .map(|r| json!({"verbs": r.verbs, "nonResourceURLs": r.non_resource_urls.clone().unwrap_or_default()}))
                .collect();
            let mut status = json!({
                "resourceRules": resource_rules,
                "nonResourceRules": non_resource_rules,
                "incomplete": set.incomplete,
            });
            if !set.evaluation_error.is_empty() {
                status["evaluationError"] = json!(set.evaluation_error);
            }
            out["spec"] = json!({"namespace": ns});
            out["status"] = status;
        }
        _ => return Err(ApiError::path_not_found()),
    }
    Ok(out)
}
