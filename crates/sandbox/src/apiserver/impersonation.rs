//! `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>`,
//! as kube-apiserver's impersonation filter handles them: each thing asked for is authorized
//! (verb `impersonate`) for the authenticated requester, then the request runs as the
//! impersonated user (its groups plus `system:authenticated`, not the requester's).

use super::authz;
use super::request_info::RequestInfo;
use super::status::ApiError;
use super::store::Store;
use super::validate;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rbac::UserInfo;

const USER: &str = "impersonate-user";
const GROUP: &str = "impersonate-group";
const UID: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";
const AUTHENTICATED: &str = "system:authenticated";
const UNAUTHENTICATED: &str = "system:unauthenticated";
const ANONYMOUS: &str = "system:anonymous";
const SA_PREFIX: &str = "system:serviceaccount:";

/// Why impersonation was refused.
#[derive(Debug)]
pub enum Refusal {
    /// 403 `Status`, worded as the real server's.
    Forbidden(ApiError),
    /// Groups, extras or a uid without a user: the real server answers a plain-text 500.
    WithoutUser { uri: String, detail: String },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Forbidden(e) => e.into_response(),
            Refusal::WithoutUser { uri, detail } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("Internal Server Error: {uri:?}: {detail}\n"),
            )
                .into_response(),
        }
    }
}

/// One thing to impersonate (apiserver's ObjectReference list).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    ServiceAccount { namespace: String, name: String },
    User(String),
    Group(String),
    Extra { key: String, value: String },
    Uid(String),
}

impl Wanted {
    /// The authorization attributes, as a request (so the Forbidden wording is shared).
    fn request_info(&self) -> RequestInfo {
        let (group, resource, subresource, namespace, name) = match self {
            Wanted::ServiceAccount { namespace, name } => {
                ("", "serviceaccounts", "", namespace.as_str(), name.as_str())
            }
            Wanted::User(n) => ("", "users", "", "", n.as_str()),
            Wanted::Group(n) => ("", "groups", "", "", n.as_str()),
            Wanted::Extra { key, value } => (
                "authentication.k8s.io",
                "userextras",
                key.as_str(),
                "",
                value.as_str(),
            ),
            Wanted::Uid(u) => ("authentication.k8s.io", "uids", "", "", u.as_str()),
        };
        RequestInfo {
            is_resource: true,
            verb: "impersonate".into(),
            group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            namespace: namespace.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    /// Go's `%v` of the ObjectReference, for the "without impersonating a user" message.
    fn go_debug(&self) -> String {
        // {Kind Namespace Name UID APIVersion ResourceVersion FieldPath}
        let (kind, ns, name, api_version, field) = match self {
            Wanted::ServiceAccount { namespace, name } => {
                ("ServiceAccount", namespace.as_str(), name.as_str(), "", "")
            }
            Wanted::User(n) => ("User", "", n.as_str(), "", ""),
            Wanted::Group(n) => ("Group", "", n.as_str(), "", ""),
            Wanted::Extra { key, value } => (
                "UserExtra",
                "",
                value.as_str(),
                "authentication.k8s.io/v1",
                key.as_str(),
            ),
            Wanted::Uid(u) => ("UID", "", u.as_str(), "authentication.k8s.io/v1", ""),
        };
        format!("{{{kind} {ns} {name}  {api_version}  {field}}}")
    }
}

fn text(v: &axum::http::HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

/// `serviceaccount.SplitUsername`: namespace and name of `system:serviceaccount:NS:NAME`.
fn split_service_account(user: &str) -> Option<(String, String)> {
    let rest = user.strip_prefix(SA_PREFIX)?;
    let (ns, name) = rest.split_once(':')?;
    if name.contains(':')
        || !validate::name_problems(super::resources::NameRule::Dns1123Label, ns).is_empty()
        || !validate::name_problems(super::resources::NameRule::Dns1123Subdomain, name).is_empty()
    {
        return None;
    }
    Some((ns.to_string(), name.to_string()))
}

/// The impersonation requests in the headers, in the order the real server checks them.
fn wanted(headers: &HeaderMap, uri: &str) -> Result<Vec<Wanted>, Refusal> {
    let mut out = Vec::new();
    let user = headers.get(USER).map(text).filter(|u| !u.is_empty());
    if let Some(user) = &user {
        out.push(match split_service_account(user) {
            Some((namespace, name)) => Wanted::ServiceAccount { namespace, name },
            None => Wanted::User(user.clone()),
        });
    }
    let before = out.len();
    out.extend(
        headers
            .get_all(GROUP)
            .iter()
            .map(|g| Wanted::Group(text(g))),
    );
    let mut extras: Vec<Wanted> = Vec::new();
    for (name, value) in headers {
        let Some(raw_key) = name.as_str().strip_prefix(EXTRA_PREFIX) else {
            continue;
        };
        // Keys are percent-encoded in header names (`Impersonate-Extra-acme.com%2Fproject`).
        let key = percent_encoding::percent_decode_str(&raw_key.to_ascii_lowercase())
            .decode_utf8()
            .map(|k| k.into_owned())
            .unwrap_or_else(|_| raw_key.to_string());
        extras.push(Wanted::Extra {
            key,
            value: text(value),
        });
    }
    out.extend(extras);
    if let Some(uid) = headers.get(UID).map(text).filter(|u| !u.is_empty()) {
        out.push(Wanted::Uid(uid));
    }
    if user.is_none() && out.len() > before {
        let list: Vec<String> = out.iter().map(Wanted::go_debug).collect();
        return Err(Refusal::WithoutUser {
            uri: uri.to_string(),
            detail: format!(
                "requested [{}] without impersonating a user",
                list.join(" ")
            ),
        });
    }
    Ok(out)
}

/// The user a request runs as: `requester` itself when no impersonation header is present,
/// else the impersonated user, once the requester may impersonate every part of it.
pub fn effective_user(
    store: &Store,
    requester: UserInfo,
    headers: &HeaderMap,
    uri: &str,
) -> Result<UserInfo, Refusal> {
    let wanted = wanted(headers, uri)?;
    if wanted.is_empty() {
        return Ok(requester);
    }
    let groups_given = headers.get(GROUP).is_some();
    let mut user = UserInfo::default();
    for w in &wanted {
        let info = w.request_info();
        let decision = authz::authorize(store, &requester, &info.attributes());
        if !decision.allowed {
            return Err(Refusal::Forbidden(authz::forbidden(
                &requester,
                &info,
                &decision.reason,
            )));
        }
        match w {
            Wanted::ServiceAccount { namespace, name } => {
                user.name = format!("{SA_PREFIX}{namespace}:{name}");
                if !groups_given {
                    user.groups = vec![
                        "system:serviceaccounts".into(),
                        format!("system:serviceaccounts:{namespace}"),
                    ];
                }
            }
            Wanted::User(n) => user.name = n.clone(),
            Wanted::Group(g) => user.groups.push(g.clone()),
            Wanted::Extra { key, value } => user
                .extra
                .entry(key.clone())
                .or_insert_with(Vec::new)
                .push(value.clone()),
            Wanted::Uid(u) => user.uid = u.clone(),
        }
    }
    let implicit = if user.name == ANONYMOUS {
        UNAUTHENTICATED
    } else {
        AUTHENTICATED
    };
    if !user
        .groups
        .iter()
        .any(|g| g == implicit || g == UNAUTHENTICATED)
    {
        user.groups.push(implicit.into());
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap_or(header::ACCEPT),
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn parses_users_service_accounts_groups_extras_and_uid() {
        let h = headers(&[
            ("Impersonate-User", "system:serviceaccount:dev:builder"),
            ("Impersonate-Group", "g1"),
            ("Impersonate-Group", "g2"),
            ("Impersonate-Extra-Acme.com%2Fproject", "p1"),
            ("Impersonate-Uid", "u-1"),
        ]);
        let w = wanted(&h, "/api").unwrap_or_default();
        assert_eq!(
            w,
            vec![
                Wanted::ServiceAccount {
                    namespace: "dev".into(),
                    name: "builder".into()
                },
                Wanted::Group("g1".into()),
                Wanted::Group("g2".into()),
                Wanted::Extra {
                    key: "acme.com/project".into(),
                    value: "p1".into()
                },
                Wanted::Uid("u-1".into()),
            ]
        );
        // Not a valid service account name: an ordinary user.
        let w = wanted(
            &headers(&[("Impersonate-User", "system:serviceaccount:Dev:x")]),
            "/",
        )
        .unwrap_or_default();
        assert_eq!(w, vec![Wanted::User("system:serviceaccount:Dev:x".into())]);
        assert!(wanted(&HeaderMap::new(), "/").is_ok_and(|w| w.is_empty()));
    }

    #[test]
    fn groups_without_a_user_are_an_internal_error_as_upstream() {
        let Err(Refusal::WithoutUser { detail, .. }) =
            wanted(&headers(&[("Impersonate-Group", "g1")]), "/api/v1/pods")
        else {
            panic!("expected a refusal");
        };
        assert_eq!(
            detail,
            "requested [{Group  g1    }] without impersonating a user"
        );
    }

    #[test]
    fn forbidden_wording_per_kind() {
        let requester = UserInfo {
            name: "x".into(),
            ..Default::default()
        };
        let msg = |w: Wanted| authz::forbidden(&requester, &w.request_info(), "").message;
        assert_eq!(
            msg(Wanted::User("aksdev@contoso.com".into())),
            "users \"aksdev@contoso.com\" is forbidden: User \"x\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        );
        assert_eq!(
            msg(Wanted::ServiceAccount {
                namespace: "dev".into(),
                name: "b".into()
            }),
            "serviceaccounts \"b\" is forbidden: User \"x\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"dev\""
        );
        assert_eq!(
            msg(Wanted::Extra {
                key: "scopes".into(),
                value: "v".into()
            }),
            "userextras.authentication.k8s.io \"v\" is forbidden: User \"x\" cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\" at the cluster scope"
        );
        assert_eq!(
            msg(Wanted::Uid("u".into())),
            "uids.authentication.k8s.io \"u\" is forbidden: User \"x\" cannot impersonate resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope"
        );
    }
}
