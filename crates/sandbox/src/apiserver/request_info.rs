//! Turns a method and path into the authorizer's attributes, as apiserver's RequestInfoFactory
//! does (`/api/v1/namespaces/dev` is a `get namespaces` *in* namespace `dev`).

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInfo {
    pub is_resource: bool,
    pub path: String,
    pub verb: String,
    pub group: String,
    pub version: String,
    pub namespace: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
}

impl RequestInfo {
    pub fn attributes(&self) -> rbac::Attributes {
        if self.is_resource {
            rbac::Attributes {
                verb: self.verb.clone(),
                namespace: self.namespace.clone(),
                api_group: self.group.clone(),
                resource: self.resource.clone(),
                subresource: self.subresource.clone(),
                name: self.name.clone(),
                path: None,
            }
        } else {
            rbac::Attributes {
                verb: self.verb.clone(),
                path: Some(self.path.clone()),
                ..Default::default()
            }
        }
    }

    /// `pods`, `pods/status`: the stats key part.
    pub fn resource_with_sub(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

pub fn parse(method: &str, path: &str, query: &HashMap<String, String>) -> RequestInfo {
    let non_resource = RequestInfo {
        is_resource: false,
        path: path.to_string(),
        verb: method.to_ascii_lowercase(),
        ..Default::default()
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", v, rest @ ..] if !rest.is_empty() => ("", *v, rest),
        ["apis", g, v, rest @ ..] if !rest.is_empty() => (*g, *v, rest),
        _ => return non_resource,
    };
    let mut rest: &[&str] = rest;
    let mut namespace = "";
    if rest[0] == "namespaces" && rest.len() > 1 {
        namespace = rest[1];
        if rest.len() > 2 && rest[2] != "status" && rest[2] != "finalize" {
            rest = &rest[2..];
        }
    }
    let resource = rest.first().copied().unwrap_or_default();
    let name = rest.get(1).copied().unwrap_or_default();
    let subresource = rest.get(2).copied().unwrap_or_default();
    let watch = query.get("watch").is_some_and(|w| w == "true" || w == "1");
    let verb = match (method, name.is_empty()) {
        ("GET" | "HEAD", true) if watch => "watch",
        ("GET" | "HEAD", true) => "list",
        ("GET" | "HEAD", false) if watch => "watch",
        ("GET" | "HEAD", false) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "deletecollection",
        ("DELETE", false) => "delete",
        _ => "",
    };
    RequestInfo {
        is_resource: true,
        path: path.to_string(),
        verb: verb.to_string(),
        group: group.to_string(),
        version: version.to_string(),
        namespace: namespace.to_string(),
        resource: resource.to_string(),
        subresource: subresource.to_string(),
        name: name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(m: &str, path: &str) -> RequestInfo {
        parse(m, path, &HashMap::new())
    }

    #[test]
    fn shapes() {
        let r = p("GET", "/api/v1/namespaces/dev/pods");
        assert_eq!(
            (r.verb.as_str(), r.namespace.as_str(), r.resource.as_str()),
            ("list", "dev", "pods")
        );
        let r = p("GET", "/api/v1/namespaces/dev");
        assert_eq!(
            (r.resource.as_str(), r.name.as_str(), r.namespace.as_str()),
            ("namespaces", "dev", "dev")
        );
        let r = p("PUT", "/api/v1/namespaces/dev/status");
        assert_eq!(
            (r.resource.as_str(), r.subresource.as_str()),
            ("namespaces", "status")
        );
        let r = p("GET", "/api/v1/namespaces/dev/pods/x/log");
        assert_eq!((r.verb.as_str(), r.subresource.as_str()), ("get", "log"));
        let r = p("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles");
        assert_eq!(
            (r.verb.as_str(), r.group.as_str(), r.namespace.as_str()),
            ("create", "rbac.authorization.k8s.io", "")
        );
        let r = p("GET", "/apis/apps/v1");
        assert!(!r.is_resource);
        let r = p("GET", "/api");
        assert_eq!((r.is_resource, r.verb.as_str()), (false, "get"));
        let r = p("DELETE", "/api/v1/namespaces/dev/pods");
        assert_eq!(r.verb, "deletecollection");
        let mut q = HashMap::new();
        q.insert("watch".to_string(), "true".to_string());
        assert_eq!(parse("GET", "/api/v1/pods", &q).verb, "watch");
    }
}
