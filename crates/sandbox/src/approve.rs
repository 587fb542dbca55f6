//! `kubectl entra sandbox approve`: submits the device-login page's form over loopback HTTP, the
//! same request a browser sends, so scripts exercise the page itself.

use super::idp::devicelogin::{FIELD_ACTION, FIELD_CODE, FIELD_USER, result_message};
use super::info::{SandboxInfo, last_sandbox_pointer};
use anyhow::Context;
use std::path::Path;

/// The emulator's base URL from `--url`, a port file, or the last sandbox started.
pub fn find_sandbox(url: Option<&str>, port_file: Option<&Path>) -> anyhow::Result<String> {
    if let Some(u) = url {
        return Ok(u.trim_end_matches('/').to_string());
    }
    let path = match port_file {
        Some(p) => p.to_path_buf(),
        None => {
            let pointer = last_sandbox_pointer();
            let text = std::fs::read_to_string(&pointer).with_context(|| {
                format!(
                    "no sandbox found ({} is missing); start `kubectl entra sandbox`, or pass --port-file or --url",
                    pointer.display()
                )
            })?;
            text.trim().into()
        }
    };
    Ok(SandboxInfo::read(&path)?.authority_host)
}

/// Posts the form; `Ok` carries the result page's message, `Err` the failure's.
pub async fn submit(
    base_url: &str,
    user_code: &str,
    upn: &str,
    decline: bool,
) -> anyhow::Result<String> {
    let url = format!("{base_url}/devicelogin");
    let parsed =
        url::Url::parse(&url).with_context(|| format!("invalid sandbox URL {base_url}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if !loopback {
        anyhow::bail!("{base_url} is not a loopback address; the sandbox only runs on 127.0.0.1");
    }
    // A `--tls` sandbox serves a certificate of its own CA. The host is loopback (checked above)
    // and the form carries no credential, so its certificate is not checked.
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .no_proxy()
        .danger_accept_invalid_certs(parsed.scheme() == "https")
        .build()?;
    let action = if decline { "decline" } else { "approve" };
    let response = client
        .post(&url)
        .form(&[
            (FIELD_CODE, user_code),
            (FIELD_USER, upn),
            (FIELD_ACTION, action),
        ])
        .send()
        .await
        .with_context(|| format!("cannot reach the sandbox at {base_url}; is it running?"))?;
    let status = response.status();
    let html = response.text().await.unwrap_or_default();
    let message = result_message(&html)
        .unwrap_or_else(|| format!("the sandbox answered {status} without a result message"));
    if status.is_success() {
        Ok(message)
    } else {
        anyhow::bail!("{message}")
    }
}
