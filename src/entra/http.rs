//! Form POSTs to the authority through `crate::net`: no redirects, answers read with a size
//! limit, `Retry-After` honoured within bounds, errors that name the call and never include the
//! request body (it holds refresh tokens and device codes).

use super::error::EntraError;
use crate::net::{self, Clock, RetryPolicy};
use crate::sink::{Sink, printable};
use serde::de::DeserializeOwned;
use std::time::Duration;
use url::Url;

/// The authority answered: what we asked for, or an OAuth error body.
pub enum Reply<T> {
    Ok(T),
    Oauth(EntraError),
}

pub struct EntraHttp<'a> {
    client: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    clock: &'a dyn Clock,
    sink: &'a dyn Sink,
}

impl<'a> EntraHttp<'a> {
    pub fn new(
        timeout: Duration,
        clock: &'a dyn Clock,
        sink: &'a dyn Sink,
    ) -> anyhow::Result<EntraHttp<'a>> {
        Ok(EntraHttp {
            client: net::client(timeout)?,
            timeout,
            retry: RetryPolicy::entra(),
            clock,
            sink,
        })
    }

    /// Also trusts the CA certificates in `ca_file` (`--authority-ca-file`).
    pub fn with_ca_file(mut self, ca_file: Option<&std::path::Path>) -> anyhow::Result<Self> {
        if ca_file.is_some() {
            self.client = net::client_with_ca(self.timeout, ca_file)?;
        }
        Ok(self)
    }

    /// POSTs a form. `what` names the call in errors ("the device code request").
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &Url,
        form: Vec<(&str, &str)>,
        what: &str,
    ) -> anyhow::Result<Reply<T>> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish()
            .into_bytes();
        let host = host_of(url);
        match self.send(url, body, what).await? {
            Answer::Success { status, body } => match serde_json::from_slice::<T>(&body) {
                Ok(value) => Ok(Reply::Ok(value)),
                Err(e) => Err(anyhow::anyhow!(
                    "{what}: {host} answered HTTP {status} with a body that is not the expected JSON ({}); check --authority-host and try again",
                    describe_json_error(&e)
                )),
            },
            Answer::Refused(e) => Ok(Reply::Oauth(e)),
        }
    }

    /// Sends a form-encoded body (it may hold secrets: it is never logged or quoted) and reads
    /// the answer: a success body, or Entra's OAuth error. Anything else is an `Err` that says
    /// what to do.
    ///
    /// Throttling (429) and server errors (5xx) that carry `Retry-After` are retried as MSAL
    /// does, within [`RetryPolicy::entra`]'s bounds: kubectl is waiting, so a longer pause is a
    /// clear error instead.
    pub(crate) async fn send(
        &self,
        url: &Url,
        body: Vec<u8>,
        what: &str,
    ) -> anyhow::Result<Answer> {
        net::ensure_secret_url(url, what)?;
        let host = host_of(url);
        let mut attempt = 1;
        loop {
            tracing::debug!("POST {url} ({what})");
            let request_id = uuid::Uuid::new_v4().to_string();
            let response = self
                .client
                .post(url.clone())
                .header("client-request-id", &request_id)
                .header("return-client-request-id", "true")
                .header(reqwest::header::ACCEPT, "application/json")
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body.clone())
                .send()
                .await
                .map_err(|e| self.transport_error(&e, what, &host))?;
            let status = response.status();
            if let Some(target) = net::redirect_target(&response) {
                return Err(net::redirect_error(what, &host, status.as_u16(), &target));
            }
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(|v| printable(v.trim()).into_owned());
            let body = net::read_capped(response, net::ENTRA_BODY_LIMIT)
                .await
                .map_err(|e| match e {
                    net::BodyError::Transport(e) => self.transport_error(&e, what, &host),
                    other => anyhow::anyhow!("{what}: {other}"),
                })?;
            tracing::debug!("{what}: HTTP {} ({} bytes)", status.as_u16(), body.len());
            let busy = status.as_u16() == 429 || status.is_server_error();
            let wait = retry_after
                .as_deref()
                .and_then(|v| net::parse_retry_after(v, self.clock.now()));
            if busy && let Some(wait) = self.retry.wait(attempt, wait) {
                let retries = self.retry.max_attempts - 1;
                self.sink.info(&format!(
                    "{host} answered HTTP {} to {what} and asks to retry after {} s; retrying ({attempt} of {retries}).",
                    status.as_u16(),
                    wait.as_secs()
                ));
                self.clock.sleep(wait).await;
                attempt += 1;
                continue;
            }
            let retries = attempt - 1;
            if status.is_success() {
                return Ok(Answer::Success {
                    status: status.as_u16(),
                    body: body.to_vec(),
                });
            }
            if let Some(mut err) = EntraError::parse(status.as_u16(), &body) {
                err.retries = retries;
                err.retry_after = retry_after;
                tracing::debug!("{what}: {}", err.short());
                return Ok(Answer::Refused(err));
            }
            let retried = if retries > 0 {
                format!(" (after {retries} retries)")
            } else {
                String::new()
            };
            let hint = match retry_after {
                Some(v) => format!("; the authority asks to retry after {v} s, try again then"),
                None if status.is_server_error() => {
                    "; the authority has a problem, try again in a minute".into()
                }
                None => "; check --authority-host and --tenant-id".into(),
            };
            return Err(anyhow::anyhow!(
                "{what}: {host} answered HTTP {} {}{retried} without an OAuth error body (client-request-id {request_id}){hint}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ));
        }
    }

    fn transport_error(&self, e: &reqwest::Error, what: &str, host: &str) -> anyhow::Error {
        if e.is_timeout() {
            anyhow::anyhow!(
                "{what}: no answer from {host} within {} (--timeout); check the network or raise --timeout",
                humanize(self.timeout)
            )
        } else if let Some(problem) = net::certificate_problem(e) {
            anyhow::anyhow!("{what}: {problem}")
        } else {
            // reqwest's message names the URL (no secrets: those travel in the body).
            anyhow::anyhow!(
                "{what}: cannot reach {host} ({}); check the network and --authority-host",
                net::describe_transport(e)
            )
        }
    }
}

/// What [`EntraHttp::send`] got back.
pub(crate) enum Answer {
    Success { status: u16, body: Vec<u8> },
    Refused(EntraError),
}

pub(crate) fn host_of(url: &Url) -> String {
    printable(url.host_str().unwrap_or("the authority")).into_owned()
}

/// The `oauth2` crate's HTTP seam over [`EntraHttp`], so its requests keep our rules (no
/// redirects, capped bodies, `Retry-After`, https-or-loopback, errors that name the call).
///
/// oauth2 would parse an error body into the client's error type from the body alone; the
/// status, the retries and `Retry-After` that [`EntraError`] carries are kept here and handed
/// back by [`OauthHttp::take_refusal`].
pub(crate) struct OauthHttp<'h, 'a> {
    http: &'h EntraHttp<'a>,
    what: &'h str,
    refusal: std::sync::Mutex<Option<EntraError>>,
}

/// A failure to get an answer at all, carried through oauth2's `RequestTokenError::Request`.
#[derive(Debug)]
pub(crate) struct Failure(pub anyhow::Error);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for Failure {}

impl<'h, 'a> OauthHttp<'h, 'a> {
    pub fn new(http: &'h EntraHttp<'a>, what: &'h str) -> Self {
        OauthHttp {
            http,
            what,
            refusal: std::sync::Mutex::new(None),
        }
    }

    /// The OAuth error the last call answered, with its HTTP details.
    pub fn take_refusal(&self) -> Option<EntraError> {
        self.refusal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    async fn exchange(
        &self,
        request: oauth2::HttpRequest,
    ) -> Result<oauth2::HttpResponse, Failure> {
        let url = Url::parse(&request.uri().to_string())
            .map_err(|e| Failure(anyhow::anyhow!("{}: bad endpoint URL ({e})", self.what)))?;
        let answer = self
            .http
            .send(&url, request.into_body(), self.what)
            .await
            .map_err(Failure)?;
        let (status, body) = match answer {
            Answer::Success { body, .. } => (200, body),
            Answer::Refused(e) => {
                let status = e.status;
                let body = serde_json::to_vec(&e).map_err(|e| Failure(e.into()))?;
                *self.refusal.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                (status.max(400), body)
            }
        };
        http::Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|e| Failure(e.into()))
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for OauthHttp<'_, '_> {
    type Error = Failure;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, Failure>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(self.exchange(request))
    }
}

/// Where and how a success body failed to parse, without serde's message: for a wrong type it
/// quotes the value, and a body that answered 200 may hold tokens.
pub(crate) fn describe_json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io => "unreadable",
        Category::Syntax => "malformed JSON",
        Category::Data => "JSON of another shape",
        Category::Eof => "truncated JSON",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

fn humanize(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{ManualClock, SystemClock};
    use crate::sink::Recorder;

    #[test]
    fn json_errors_never_quote_the_body() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            access_token: u64,
        }
        let e = serde_json::from_slice::<T>(br#"{"access_token":"eyJ-secret"}"#).unwrap_err();
        assert!(e.to_string().contains("secret"), "serde does quote it");
        let text = describe_json_error(&e);
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("another shape"), "{text}");
        let e = serde_json::from_slice::<T>(br#"{"access_token":"#).unwrap_err();
        assert!(describe_json_error(&e).contains("truncated"));
    }

    async fn post(head: &'static str, chunks: Option<usize>) -> anyhow::Result<Reply<()>> {
        let url = crate::net::body::tests::endless_server(head, chunks).await;
        let sink = Recorder::default();
        let http = EntraHttp::new(Duration::from_secs(10), &SystemClock, &sink)?;
        let url = Url::parse(&url)?.join("t/oauth2/v2.0/token")?;
        http.post_form(
            &url,
            vec![("refresh_token", "RT-secret")],
            "the token refresh",
        )
        .await
    }

    #[tokio::test]
    async fn a_huge_token_answer_is_a_clear_error() {
        let err = post(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            None,
        )
        .await
        .err()
        .expect("refused");
        let text = format!("{err:#}");
        assert!(
            text.contains("the token refresh") && text.contains("1048576"),
            "{text}"
        );
        assert!(text.contains("127.0.0.1"), "{text}");
        // An error body is capped too.
        let err = post(
            "HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n",
            None,
        )
        .await
        .err()
        .expect("refused");
        assert!(format!("{err:#}").contains("larger than"), "{err:#}");
    }

    #[tokio::test]
    async fn a_redirect_is_an_error_naming_the_target() {
        let err = post(
            "HTTP/1.1 302 Found\r\nlocation: https://evil.example/t\r\ncontent-length: 0\r\n\r\n",
            Some(0),
        )
        .await
        .err()
        .expect("refused");
        let text = format!("{err:#}");
        assert!(
            text.contains("evil.example") && text.contains("302"),
            "{text}"
        );
        assert!(!text.contains("RT-secret"), "{text}");
    }

    #[tokio::test]
    async fn secrets_never_go_to_plain_http_elsewhere() {
        let sink = Recorder::default();
        let http = EntraHttp::new(Duration::from_secs(1), &SystemClock, &sink).unwrap();
        let url = Url::parse("http://login.example.com/t/oauth2/v2.0/token").unwrap();
        let err = http
            .post_form::<()>(&url, vec![("refresh_token", "RT")], "the token refresh")
            .await
            .err()
            .expect("refused");
        assert!(err.to_string().contains("only https"), "{err}");
    }

    /// A server answering 429 with `Retry-After: <secs>` `busy` times, then `{}`.
    async fn throttling_server(
        busy: usize,
        secs: u64,
    ) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let calls = std::sync::Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let mut buf = vec![0u8; 16 * 1024];
                let _ = sock.read(&mut buf).await;
                let reply = if n < busy {
                    format!(
                        "HTTP/1.1 429 Too Many Requests\r\nretry-after: {secs}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"
                        .to_string()
                };
                let _ = sock.write_all(reply.as_bytes()).await;
            }
        });
        (format!("http://{addr}/token"), calls)
    }

    #[derive(serde::Deserialize)]
    struct Empty {}

    #[tokio::test]
    async fn retry_after_is_honoured_within_bounds_on_the_passed_clock() {
        let (url, calls) = throttling_server(2, 30).await;
        let clock = ManualClock::at(1_000);
        let sink = Recorder::default();
        let http = EntraHttp::new(Duration::from_secs(5), &clock, &sink).unwrap();
        let reply = http
            .post_form::<Empty>(&Url::parse(&url).unwrap(), vec![], "the token refresh")
            .await
            .unwrap();
        assert!(matches!(reply, Reply::Ok(_)));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
        assert_eq!(
            clock.slept(),
            vec![Duration::from_secs(30); 2],
            "two waits on the passed clock"
        );
        let lines = sink.lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].contains("retry after 30 s") && lines[1].contains("2 of 2"),
            "{lines:?}"
        );
    }

    #[tokio::test]
    async fn retry_after_beyond_the_bound_is_refused_at_once() {
        let (url, calls) = throttling_server(5, 31).await;
        let clock = ManualClock::at(1_000);
        let sink = Recorder::default();
        let http = EntraHttp::new(Duration::from_secs(5), &clock, &sink).unwrap();
        let err = http
            .post_form::<Empty>(&Url::parse(&url).unwrap(), vec![], "the token refresh")
            .await
            .err()
            .expect("refused");
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(err.to_string().contains("retry after 31 s"), "{err}");
        assert!(sink.lines().is_empty());
        assert!(clock.slept().is_empty(), "no wait");
    }
}
