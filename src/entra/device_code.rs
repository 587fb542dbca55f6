//! The device-code sign-in: ask for a code, show Entra's message, poll until the user finishes,
//! declines or the code expires. The wait is bounded by `expires_in` only.

use super::authority::{BoxFuture, Grant, TokenRequest};
use super::http::Reply;
use super::sign_in::{SignIn, SignInContext};
use super::wire::TokenResponse;
use std::time::Duration;

pub struct DeviceCode;

impl SignIn for DeviceCode {
    fn returns_refresh_token(&self) -> bool {
        true
    }

    fn sign_in<'a>(
        &'a self,
        cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>> {
        Box::pin(sign_in(cx))
    }
}

async fn sign_in(cx: &SignInContext<'_>) -> anyhow::Result<TokenResponse> {
    let s = cx.settings;
    let scope = s.scope();
    let code = match cx.authority.device_code(&s.client_id, &scope).await? {
        Reply::Ok(code) => code,
        Reply::Oauth(e) => anyhow::bail!(
            "the authority refused to start a device-code sign-in: {e}; check --tenant-id, --client-id and --server-id"
        ),
    };
    cx.sink.info(&code.prompt());

    let started = cx.clock.now();
    let expires = code.expires_seconds() as i64;
    let mut interval = code.poll_interval();
    loop {
        let elapsed = cx.clock.now().saturating_sub(started);
        if elapsed.saturating_add(interval.as_secs() as i64) > expires {
            anyhow::bail!(
                "the device code expired after {expires} s without a finished sign-in; run the command again for a new code"
            );
        }
        cx.clock.sleep(interval).await;
        let request = TokenRequest {
            client_id: &s.client_id,
            scope: &scope,
            grant: Grant::DeviceCode(&code.device_code),
        };
        let e = match cx.authority.token(request).await? {
            Reply::Ok(token) => return Ok(token),
            Reply::Oauth(e) => e,
        };
        if e.blocks_device_code() {
            anyhow::bail!("{}", blocked_device_code(&e));
        }
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

/// The way out when a tenant refuses device code: sign in in the browser instead, now and in
/// the kubeconfig.
pub(crate) fn blocked_device_code(e: &super::error::EntraError) -> String {
    format!(
        "your organization blocks device-code sign-in (Conditional Access: {e}); sign in in a browser instead: run the command again with `--login interactive`, and rewrite the kubeconfig's exec entries with `kubectl entra convert-kubeconfig --login interactive`"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_blocked_message_names_both_fixes() {
        let e = super::super::error::EntraError::parse(
            400,
            br#"{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003]}"#,
        )
        .unwrap();
        let text = super::blocked_device_code(&e);
        assert!(text.contains("AADSTS53003"), "{text}");
        assert!(text.contains("`--login interactive`"), "{text}");
        assert!(
            text.contains("`kubectl entra convert-kubeconfig --login interactive`"),
            "{text}"
        );
    }
}
