//! The Graph calls kubectl-entra makes, with paging and retries.

use super::error::{GraphError, classify, parse_error_body};
use super::odata::{display_name_filter, display_name_prefix_filter, encode_query_value};
use super::retry::RetryPolicy;
use crate::entra::AccessToken;
use crate::net::{self, Clock, SystemClock};
use crate::sink::printable;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Graph accepts at most this many ids per `getByIds` call.
const GET_BY_IDS_CHUNK: usize = 1000;

/// A group, user or other directory object, as much of it as we read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct DirectoryObject {
    pub id: String,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
    #[serde(
        rename = "@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub odata_type: Option<String>,
    #[serde(
        rename = "userPrincipalName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub user_principal_name: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Page<T> {
    #[serde(default = "Vec::new")]
    pub(super) value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub(super) next_link: Option<String>,
}

/// A Graph client bound to one base URL and one access token. Debug never shows the token.
#[derive(Clone)]
pub struct GraphClient {
    pub(super) http: reqwest::Client,
    base: String,
    token: AccessToken,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// What a call is, for messages: the verb phrase, the permission it needs, how to do without
/// it, what a 404 means.
pub(super) struct Call<'a> {
    pub(super) action: &'a str,
    pub(super) permission: &'static str,
    pub(super) hint: &'static str,
    pub(super) what: &'a str,
}

const GROUP_ID_HINT: &str = "pass the object id with --group-id to skip the lookup";

impl GraphClient {
    /// `base` is e.g. `https://graph.microsoft.com/v1.0` (see [`super::base_url`]); https, or
    /// http on loopback only, since every call carries the bearer token.
    pub fn new(base: &str, token: AccessToken) -> anyhow::Result<Self> {
        let url = url::Url::parse(base)
            .map_err(|e| anyhow::anyhow!("invalid Microsoft Graph URL {base:?}: {e}"))?;
        net::ensure_secret_url(&url, "Microsoft Graph")?;
        Ok(GraphClient {
            http: net::client(std::time::Duration::from_secs(60))?,
            base: base.trim_end_matches('/').to_string(),
            token,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The clock retries read and wait on (tests pass a manual one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Groups whose display name is `name` (0, 1 or several: display names are not unique).
    pub async fn find_groups_by_name(
        &self,
        name: &str,
    ) -> Result<Vec<DirectoryObject>, GraphError> {
        let url = format!(
            "{}/groups?$filter={}&$select=id,displayName",
            self.base,
            encode_query_value(&display_name_filter(name))
        );
        let call = Call {
            action: &format!("look up the group named {name:?}"),
            permission: "Group.Read.All (or Directory.Read.All)",
            hint: GROUP_ID_HINT,
            what: "group",
        };
        self.get_all(url, false, &call).await
    }

    /// Up to `top` groups whose display name starts with `prefix` (case-insensitive), one
    /// page only: enough to complete a name as it is typed.
    pub async fn groups_starting_with(
        &self,
        prefix: &str,
        top: usize,
    ) -> Result<Vec<DirectoryObject>, GraphError> {
        let url = format!(
            "{}/groups?$filter={}&$select=id,displayName&$top={}",
            self.base,
            encode_query_value(&display_name_prefix_filter(prefix)),
            top.clamp(1, 999)
        );
        let call = Call {
            action: &format!("list the groups whose names start with {prefix:?}"),
            permission: "Group.Read.All (or Directory.Read.All)",
            hint: GROUP_ID_HINT,
            what: "group",
        };
        let resp = self.send(|| self.http.get(&url), false, &call).await?;
        let page: Page<DirectoryObject> = decode(resp, &call).await?;
        Ok(page.value)
    }

    /// One group by object id.
    pub async fn get_group(&self, id: &str) -> Result<DirectoryObject, GraphError> {
        let url = format!(
            "{}/groups/{}?$select=id,displayName",
            self.base,
            encode_query_value(id)
        );
        let call = Call {
            action: &format!("read the group {id}"),
            permission: "Group.Read.All (or Directory.Read.All)",
            hint: GROUP_ID_HINT,
            what: &format!("group with object id {id}"),
        };
        let resp = self.send(|| self.http.get(&url), false, &call).await?;
        decode(resp, &call).await
    }

    /// Directory objects by id, in chunks of 1000; unknown ids are simply absent.
    pub async fn get_by_ids(
        &self,
        ids: &[String],
        types: &[&str],
    ) -> Result<Vec<DirectoryObject>, GraphError> {
        let url = format!("{}/directoryObjects/getByIds", self.base);
        let call = Call {
            action: "resolve object ids to names",
            permission: "Directory.Read.All",
            hint: "use --no-graph to show object ids without names",
            what: "directory objects",
        };
        let mut out = Vec::new();
        for chunk in ids.chunks(GET_BY_IDS_CHUNK) {
            let body = serde_json::json!({ "ids": chunk, "types": types });
            let resp = self
                .send(|| self.http.post(&url).json(&body), false, &call)
                .await?;
            let page: Page<DirectoryObject> = decode(resp, &call).await?;
            out.extend(page.value);
        }
        Ok(out)
    }

    /// Every group the signed-in user belongs to, directly or through nesting (all pages).
    pub async fn transitive_groups_of_me(&self) -> Result<Vec<DirectoryObject>, GraphError> {
        // The OData cast needs ConsistencyLevel: eventual and $count=true.
        let url = format!(
            "{}/me/transitiveMemberOf/microsoft.graph.group?$count=true&$select=id,displayName",
            self.base
        );
        let call = Call {
            action: "list your groups",
            permission: "GroupMember.Read.All (or Directory.Read.All)",
            hint: "use --no-graph to skip the lookup",
            what: "signed-in user",
        };
        self.get_all(url, true, &call).await
    }

    /// GET and follow `@odata.nextLink` as an opaque URL until it is absent.
    async fn get_all<T: DeserializeOwned>(
        &self,
        first: String,
        eventual: bool,
        call: &Call<'_>,
    ) -> Result<Vec<T>, GraphError> {
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            self.check_same_origin(&url, call)?;
            let resp = self.send(|| self.http.get(&url), eventual, call).await?;
            let page: Page<T> = decode(resp, call).await?;
            out.extend(page.value);
            next = page.next_link;
        }
        Ok(out)
    }

    /// The token goes only to the Graph origin we were configured with, never to a host a
    /// response names.
    pub(super) fn check_same_origin(&self, url: &str, call: &Call<'_>) -> Result<(), GraphError> {
        let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
        if origin(url).is_some() && origin(url) == origin(&self.base) {
            Ok(())
        } else {
            Err(GraphError::BadResponse {
                action: call.action.to_string(),
                detail: format!(
                    "@odata.nextLink {:?} is not on {}",
                    printable(url),
                    self.base
                ),
            })
        }
    }

    /// Sends with the bearer token, retrying 429/503/504 as the policy allows. A redirect is
    /// not followed (it would carry the token elsewhere).
    pub(super) async fn send(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        eventual: bool,
        call: &Call<'_>,
    ) -> Result<reqwest::Response, GraphError> {
        let policy = net::RetryPolicy::from(&self.retry);
        let mut attempt = 1;
        loop {
            let mut req = build()
                .bearer_auth(&self.token.secret)
                .header(reqwest::header::ACCEPT, "application/json");
            if eventual {
                req = req.header("ConsistencyLevel", "eventual");
            }
            let resp = req.send().await.map_err(|source| GraphError::Transport {
                action: call.action.to_string(),
                detail: net::describe_transport(&source.without_url()),
            })?;
            let status = resp.status().as_u16();
            if resp.status().is_success() {
                return Ok(resp);
            }
            if let Some(target) = net::redirect_target(&resp) {
                return Err(GraphError::BadResponse {
                    action: call.action.to_string(),
                    detail: format!(
                        "HTTP {status}, a redirect to {target}; it was not followed, because the request carries the access token"
                    ),
                });
            }
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| net::parse_retry_after(v, self.clock.now()));
            let body = net::read_capped(resp, net::ENTRA_BODY_LIMIT)
                .await
                .unwrap_or_default();
            let (code, message) = parse_error_body(&body);
            let (code, message) = (
                printable(&code).into_owned(),
                printable(&message).into_owned(),
            );
            if matches!(status, 429 | 503 | 504) {
                if let Some(wait) = policy.wait(attempt, retry_after) {
                    tracing::info!(status, code, ?wait, "Microsoft Graph asked to retry later");
                    self.clock.sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                return Err(GraphError::Throttled {
                    action: call.action.to_string(),
                    attempts: attempt,
                    status,
                    code,
                });
            }
            return Err(classify(
                call.action,
                call.permission,
                call.hint,
                call.what,
                status,
                code,
                message,
            ));
        }
    }
}

/// Reads a success body (at most [`net::GRAPH_BODY_LIMIT`]) and parses it.
pub(super) async fn decode<T: DeserializeOwned>(
    resp: reqwest::Response,
    call: &Call<'_>,
) -> Result<T, GraphError> {
    let body = net::read_capped(resp, net::GRAPH_BODY_LIMIT)
        .await
        .map_err(|e| match e {
            net::BodyError::Transport(source) => GraphError::Transport {
                action: call.action.to_string(),
                detail: net::describe_transport(&source.without_url()),
            },
            too_large => GraphError::BadResponse {
                action: call.action.to_string(),
                detail: too_large.to_string(),
            },
        })?;
    serde_json::from_slice(&body).map_err(|e| GraphError::BadResponse {
        action: call.action.to_string(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let token = AccessToken {
            secret: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part".to_string(),
            expires_on: jiff::Timestamp::UNIX_EPOCH,
        };
        let client = GraphClient::new("https://graph.microsoft.com/v1.0", token).expect("client");
        let text = format!("{client:?} {:#?}", client.clone());
        assert!(!text.contains("secret-part"), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
    }

    fn token() -> AccessToken {
        AccessToken {
            secret: "bearer-secret".to_string(),
            expires_on: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_token_goes_over_https_or_to_loopback_only() {
        assert!(GraphClient::new("http://graph.example.com/v1.0", token()).is_err());
        assert!(GraphClient::new("http://127.0.0.1:1/v1.0", token()).is_ok());
        assert!(GraphClient::new("https://graph.microsoft.com/v1.0", token()).is_ok());
    }

    #[tokio::test]
    async fn a_huge_page_is_a_clear_error() {
        let base = crate::net::body::tests::endless_server(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
            None,
        )
        .await;
        let g = GraphClient::new(&format!("{base}v1.0"), token()).unwrap();
        let err = g.find_groups_by_name("appdev").await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, GraphError::BadResponse { .. }), "{text}");
        assert!(text.contains("larger than 16777216"), "{text}");
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let base = crate::net::body::tests::endless_server(
            "HTTP/1.1 301 Moved\r\nlocation: https://evil.example/x\r\ncontent-length: 0\r\n\r\n",
            Some(0),
        )
        .await;
        let g = GraphClient::new(&format!("{base}v1.0"), token()).unwrap();
        let text = g.get_group("x").await.unwrap_err().to_string();
        assert!(
            text.contains("evil.example") && text.contains("not followed"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn graph_error_text_is_made_printable() {
        let base = crate::net::body::tests::endless_server(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 59\r\n\r\n{\"error\":{\"code\":\"Bad\\u001b[2J\",\"message\":\"m\\u0007\"}}      ",
            Some(0),
        )
        .await;
        let g = GraphClient::new(&format!("{base}v1.0"), token()).unwrap();
        let text = g.get_group("x").await.unwrap_err().to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.contains("Bad"), "{text}");
    }

    #[tokio::test]
    async fn prefix_search_sends_an_escaped_startswith_filter_and_one_page() {
        use axum::extract::RawQuery;
        use std::sync::Mutex;
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let app = axum::Router::new().route(
            "/v1.0/groups",
            axum::routing::get(move |RawQuery(q): RawQuery| {
                log.lock().unwrap().push(q.unwrap_or_default());
                async {
                    axum::Json(serde_json::json!({
                        "value": [{"id": "g1", "displayName": "o'brien-team"}],
                        "@odata.nextLink": "http://127.0.0.1:1/never-followed"
                    }))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let g = GraphClient::new(&format!("http://{addr}/v1.0"), token()).unwrap();
        let found = g.groups_starting_with("o'b", 25).await.unwrap();
        assert_eq!(found[0].display_name.as_deref(), Some("o'brien-team"));
        let queries = seen.lock().unwrap().clone();
        // The URL parser sends the quotes percent-encoded (WHATWG's special-query set).
        assert_eq!(
            queries,
            ["$filter=startswith%28displayName%2C%27o%27%27b%27%29&$select=id,displayName&$top=25"]
        );
    }
}
