//! The refresh-token grant (public client: no secret), with `client_info=1` and the scope, as
//! MSAL sends it. The scope may name another resource than the original sign-in.

use super::http::{Http, Reply};
use super::settings::Settings;
use super::wire::TokenResponse;

pub async fn redeem(
    http: &Http,
    s: &Settings,
    refresh_token: &str,
) -> anyhow::Result<Reply<TokenResponse>> {
    let scope = s.scope();
    http.post_form(
        &s.token_endpoint()?,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &s.client_id),
            ("refresh_token", refresh_token),
            ("scope", &scope),
            ("client_info", "1"),
        ],
        "the token refresh",
    )
    .await
}
