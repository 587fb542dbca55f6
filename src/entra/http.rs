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
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &Url,
        form: &[(&str, &str)],
        what: &str,
    ) -> anyhow::Result<Reply<T>> {
        let host = url.host_str().unwrap_or("the authority").to_string();
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
            .map(str::to_string);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e, what, &host))?;
        tracing::debug!("{what}: HTTP {} ({} bytes)", status.as_u16(), body.len());
        if status.is_success() {
            return match serde_json::from_slice::<T>(&body) {
                Ok(value) => Ok(Reply::Ok(value)),
                Err(e) => Err(anyhow::anyhow!(
                    "{what}: {host} answered HTTP {} with a body that is not the expected JSON ({e}); check --authority-host and try again",
                    status.as_u16()
                )),
            };
        }
        if let Some(err) = EntraError::parse(status.as_u16(), &body) {
            tracing::debug!("{what}: {}", err.short());
            return Ok(Reply::Oauth(err));
        }
        let hint = match retry_after {
            Some(secs) => format!("; the authority asks to retry after {secs} s"),
            None if status.is_server_error() => {
                "; the authority has a problem, try again in a minute".into()
            }
            None => "; check --authority-host and --tenant-id".into(),
        };
        Err(anyhow::anyhow!(
            "{what}: {host} answered HTTP {} {} without an OAuth error body (client-request-id {request_id}){hint}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        ))
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

fn humanize(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
