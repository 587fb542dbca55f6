//! Form POSTs to the authority, each bounded by `--timeout`, with errors that name the call and
//! never include the request body (it holds refresh tokens and device codes).

use super::error::EntraError;
use serde::de::DeserializeOwned;
use std::time::Duration;
use url::Url;

/// The authority answered: what we asked for, or an OAuth error body.
pub enum Reply<T> {
    Ok(T),
    Oauth(EntraError),
}

/// How many times one call is repeated when the authority asks with `Retry-After`.
pub const MAX_RETRIES: u32 = 2;
/// The longest `Retry-After` honoured by waiting; longer ones end the call with an error.
pub const MAX_RETRY_AFTER_SECONDS: u64 = 30;

pub struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

impl Http {
    pub fn new(timeout: Duration) -> anyhow::Result<Http> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("kubectl-entra/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up HTTPS: {e}"))?;
        Ok(Http { client, timeout })
    }

    /// POSTs a form. `what` names the call in errors ("the device code request").
    ///
    /// Throttling (429) and server errors (5xx) that carry `Retry-After: N` are retried after N
    /// seconds, as MSAL honours it, but at most [`MAX_RETRIES`] times and only when N is at most
    /// [`MAX_RETRY_AFTER_SECONDS`]: kubectl is waiting, so a longer pause is a clear error instead.
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        what: &str,
    ) -> anyhow::Result<Reply<T>> {
        let host = url.host_str().unwrap_or("the authority").to_string();
        let mut attempt = 0;
        loop {
            tracing::debug!("POST {url} ({what})");
            let request_id = uuid::Uuid::new_v4().to_string();
            let response = self
                .client
                .post(url.clone())
                .header("client-request-id", &request_id)
                .header("return-client-request-id", "true")
                .header(reqwest::header::ACCEPT, "application/json")
                .form(form)
                .send()
                .await
                .map_err(|e| self.transport_error(e, what, &host))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string());
            let body = response
                .bytes()
                .await
                .map_err(|e| self.transport_error(e, what, &host))?;
            tracing::debug!("{what}: HTTP {} ({} bytes)", status.as_u16(), body.len());
            let busy = status.as_u16() == 429 || status.is_server_error();
            let wait = retry_after.as_deref().and_then(|v| v.parse::<u64>().ok());
            if busy
                && attempt < MAX_RETRIES
                && let Some(secs) = wait.filter(|s| *s <= MAX_RETRY_AFTER_SECONDS)
            {
                attempt += 1;
                eprintln!(
                    "kubectl-entra: {host} answered HTTP {} to {what} and asks to retry after {secs} s; retrying ({attempt} of {MAX_RETRIES}).",
                    status.as_u16()
                );
                tokio::time::sleep(Duration::from_secs(secs)).await;
                continue;
            }
            if status.is_success() {
                return match serde_json::from_slice::<T>(&body) {
                    Ok(value) => Ok(Reply::Ok(value)),
                    Err(e) => Err(anyhow::anyhow!(
                        "{what}: {host} answered HTTP {} with a body that is not the expected JSON ({}); check --authority-host and try again",
                        status.as_u16(),
                        describe_json_error(&e)
                    )),
                };
            }
            if let Some(mut err) = EntraError::parse(status.as_u16(), &body) {
                err.retries = attempt;
                err.retry_after = retry_after;
                tracing::debug!("{what}: {}", err.short());
                return Ok(Reply::Oauth(err));
            }
            let retried = if attempt > 0 {
                format!(" (after {attempt} retries)")
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

    fn transport_error(&self, e: reqwest::Error, what: &str, host: &str) -> anyhow::Error {
        if e.is_timeout() {
            anyhow::anyhow!(
                "{what}: no answer from {host} within {} (--timeout); check the network or raise --timeout",
                humanize(self.timeout)
            )
        } else {
            // reqwest's message names the URL (no secrets: those travel in the body).
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            anyhow::anyhow!(
                "{what}: cannot reach {host} ({text}); check the network and --authority-host"
            )
        }
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
}
