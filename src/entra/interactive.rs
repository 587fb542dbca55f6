//! The browser sign-in (`--login interactive`): OAuth 2.0 authorization code with PKCE (S256)
//! against Entra's v2.0 authorize and token endpoints, redirected to a one-shot listener on
//! 127.0.0.1. No terminal is needed: the page is opened in the browser and printed on stderr.

use super::authority::{AuthorizeRequest, BoxFuture, Grant, TokenRequest, authorize_url};
use super::browser;
use super::http::Reply;
use super::loopback::{Loopback, Redirect, duration_text};
use super::sign_in::{SignIn, SignInContext};
use super::wire::TokenResponse;
use crate::sink::printable;

pub struct Interactive;

impl SignIn for Interactive {
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
    let options = &s.interactive;
    let loopback = Loopback::bind(options.redirect_url.as_ref()).await?;
    let redirect_uri = loopback.redirect_uri().to_string();
    let scope = s.scope();
    let authorize = authorize_url(
        &s.authorize_endpoint()?,
        &AuthorizeRequest {
            client_id: &s.client_id,
            scope: &scope,
            redirect_uri: &redirect_uri,
            login_hint: options.login_hint.as_deref(),
            prompt: options.prompt.as_deref(),
        },
    )?;
    let wait = duration_text(options.browser_timeout);
    cx.sink.info(&format!(
        "To sign in, finish the sign-in in the browser on the page below (waiting up to {wait}, --browser-timeout):\n{}",
        authorize.url
    ));
    match browser::open(authorize.url.as_str()) {
        Ok(program) => tracing::debug!("opened the sign-in page with {program}"),
        Err(e) => cx.sink.warn(&format!(
            "{e:#}; open the page above in a browser on this machine (the answer comes back to {redirect_uri})"
        )),
    }
    let code = match loopback
        .wait(&authorize.state, options.browser_timeout)
        .await?
    {
        Redirect::Code(code) => code,
        Redirect::Refused { error, description } => {
            let what = format!(
                "{}: {}",
                printable(&error),
                printable(description.as_deref().unwrap_or("no description"))
            );
            if error == "access_denied" {
                anyhow::bail!(
                    "the sign-in was declined in the browser ({what}); run the command again to sign in"
                );
            }
            anyhow::bail!(
                "the browser sign-in failed ({what}); check --tenant-id, --client-id and --server-id, then run the command again"
            );
        }
    };
    let request = TokenRequest {
        client_id: &s.client_id,
        scope: &scope,
        grant: Grant::AuthorizationCode {
            code: &code,
            verifier: &authorize.verifier,
            redirect_uri: &redirect_uri,
        },
    };
    match cx.authority.token(request).await? {
        Reply::Ok(token) => Ok(token),
        Reply::Oauth(e) => anyhow::bail!(
            "the authority refused the browser sign-in's authorization code ({e}); run the command again to sign in"
        ),
    }
}
