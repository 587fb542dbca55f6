//! The device-code sign-in: ask for a code, show Entra's message on stderr, poll until the user
//! finishes, declines or the code expires. The wait is bounded by `expires_in` only.

use super::http::{Http, Reply};
use super::settings::Settings;
use super::wire::{DeviceCodeResponse, TokenResponse};
use std::time::{Duration, Instant};

/// RFC 8628's grant type (Entra also accepts the bare `device_code` that MSAL sends).
const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub async fn sign_in(http: &Http, s: &Settings) -> anyhow::Result<TokenResponse> {
    let scope = s.scope();
    let code: DeviceCodeResponse = match http
        .post_form(
            &s.devicecode_endpoint()?,
            &[("client_id", &s.client_id), ("scope", &scope)],
            "the device code request",
        )
        .await?
    {
        Reply::Ok(code) => code,
        Reply::Oauth(e) => anyhow::bail!(
            "the authority refused to start a device-code sign-in: {e}; check --tenant-id, --client-id and --server-id"
        ),
    };
    eprintln!("{}", code.prompt());

    let started = Instant::now();
    let expires = Duration::from_secs(code.expires_seconds());
    let mut interval = code.poll_interval();
    let token_endpoint = s.token_endpoint()?;
    loop {
        if started.elapsed() + interval > expires {
            anyhow::bail!(
                "the device code expired after {} s without a finished sign-in; run the command again for a new code",
                expires.as_secs()
            );
        }
        tokio::time::sleep(interval).await;
        let reply = http
            .post_form::<TokenResponse>(
                &token_endpoint,
                &[
                    ("grant_type", GRANT_DEVICE_CODE),
                    ("client_id", &s.client_id),
                    ("device_code", &code.device_code),
                    ("client_info", "1"),
                    ("scope", &scope),
                ],
                "the sign-in poll",
            )
            .await?;
        let e = match reply {
            Reply::Ok(token) => return Ok(token),
            Reply::Oauth(e) => e,
        };
        match e.error.as_str() {
            "authorization_pending" => continue,
            "slow_down" => {
                interval += Duration::from_secs(5);
                tracing::debug!("slow_down: polling every {} ms", interval.as_millis());
            }
            "authorization_declined" | "access_denied" => {
                anyhow::bail!("the sign-in was declined ({e}); run the command again to sign in")
            }
            "expired_token" | "code_expired" => anyhow::bail!(
                "the device code expired before the sign-in finished ({e}); run the command again for a new code"
            ),
            "bad_verification_code" => anyhow::bail!(
                "the authority did not recognize the device code ({e}); run the command again"
            ),
            "invalid_client" | "unauthorized_client" => anyhow::bail!(
                "client {} may not sign in with a device code in tenant {} ({e}); check --client-id and --tenant-id (the app must allow public client flows)",
                s.client_id,
                s.tenant
            ),
            _ => anyhow::bail!("the sign-in failed: {e}"),
        }
    }
}
