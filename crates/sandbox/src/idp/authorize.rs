//! `GET|POST /{tenant}/oauth2/v2.0/authorize` and the `authorization_code` grant of the token
//! endpoint: Entra's authorization code flow with PKCE for public clients.
//!
//! Entra's rules, as the emulator plays them: the `redirect_uri` of a public client may be
//! `http` only on loopback (`localhost`, `127.0.0.1`, `[::1]`), on any port; a bad client or
//! redirect is an error page (Entra never redirects to an unverified URI), later errors go back
//! to the redirect with `state`. Codes are single-use and live 10 minutes; the token request
//! must name the same `redirect_uri` and, when the authorize request had a `code_challenge`, the
//! matching `code_verifier`.

use super::devicelogin::{escape, page};
use super::directory::{Client, check_consent, check_tenant, client, parse_scope, resource_app_id};
use super::form;
use super::issue::{IssueRequest, issue, opaque};
use super::response::OAuthError;
use crate::state::{IdpState, OidcScopes, Shared};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use sha2::Digest as _;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long an authorization code can be redeemed (Entra: about 10 minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// The request parameters the sign-in form carries through (hidden fields).
const CARRIED: [&str; 9] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "response_mode",
];

/// An issued authorization code, by its value.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub user_oid: String,
    pub resource: String,
    pub oidc: OidcScopes,
    pub redirect_uri: String,
    /// (challenge, method) when the authorize request had one.
    pub pkce: Option<(String, String)>,
    pub expires_at: Instant,
    pub redeemed: bool,
}

/// A checked authorize request.
struct Checked {
    client: &'static Client,
    redirect_uri: String,
    resource: String,
    oidc: OidcScopes,
    pkce: Option<(String, String)>,
}

/// Why an authorize request fails: before the redirect is trusted (a page), or after (a
/// redirect with `error`).
enum Refusal {
    Page(OAuthError),
    Redirect(OAuthError),
}

/// `http` on a loopback host, any port, no fragment: Entra's rule for public clients.
pub fn loopback_redirect(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    url.scheme() == "http"
        && matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
        && url.fragment().is_none()
}

fn check(state: &IdpState, tenant: &str, q: &HashMap<String, String>) -> Result<Checked, Refusal> {
    check_tenant(&state.tenant, tenant).map_err(Refusal::Page)?;
    let client_id = q
        .get("client_id")
        .ok_or_else(|| Refusal::Page(OAuthError::missing("client_id")))?;
    let client = client(client_id).map_err(Refusal::Page)?;
    let redirect_uri = q
        .get("redirect_uri")
        .ok_or_else(|| Refusal::Page(OAuthError::missing("redirect_uri")))?;
    if !loopback_redirect(redirect_uri) {
        return Err(Refusal::Page(OAuthError::new(
            "invalid_request",
            50011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{}'. A public client may use http only on localhost.",
                client.id
            ),
        )));
    }
    if q.get("response_type").map(String::as_str) != Some("code") {
        return Err(Refusal::Redirect(OAuthError::new(
            "unsupported_response_type",
            700054,
            "The response_type must be 'code' for this application.",
        )));
    }
    let scope = q
        .get("scope")
        .ok_or_else(|| Refusal::Redirect(OAuthError::missing("scope")))?;
    let request = parse_scope(scope).map_err(Refusal::Redirect)?;
    let resource = request.resource.ok_or_else(|| {
        Refusal::Redirect(OAuthError::new(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. Scope: '{scope}'."
            ),
        ))
    })?;
    let app_id = resource_app_id(&resource, &state.tenant).map_err(Refusal::Redirect)?;
    check_consent(client, app_id, None).map_err(Refusal::Redirect)?;
    let pkce = match q.get("code_challenge").filter(|c| !c.is_empty()) {
        None => None,
        Some(challenge) => {
            let method = q
                .get("code_challenge_method")
                .map(String::as_str)
                .unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(Refusal::Redirect(OAuthError::new(
                    "invalid_request",
                    501491,
                    "Invalid code_challenge_method: it must be S256 or plain.",
                )));
            }
            Some((challenge.clone(), method.to_string()))
        }
    };
    Ok(Checked {
        client,
        redirect_uri: redirect_uri.clone(),
        resource,
        oidc: request.oidc,
        pkce,
    })
}

/// The redirect back to the client: `code` or `error`, always with `state`.
fn redirect_to(uri: &str, params: &[(&str, &str)], state: Option<&String>) -> Response {
    let mut url = match url::Url::parse(uri) {
        Ok(url) => url,
        Err(_) => return error_page(&OAuthError::missing("redirect_uri")),
    };
    {
        let mut pairs = url.query_pairs_mut();
        pairs.extend_pairs(params);
        if let Some(s) = state {
            pairs.append_pair("state", s);
        }
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, url.to_string())],
        Html(String::new()),
    )
        .into_response()
}

fn refusal_response(r: Refusal, q: &HashMap<String, String>) -> Response {
    match r {
        Refusal::Page(e) => error_page(&e),
        Refusal::Redirect(e) => {
            let description = format!("AADSTS{}: {}", e.aadsts, e.message);
            redirect_to(
                q.get("redirect_uri").map(String::as_str).unwrap_or(""),
                &[
                    ("error", e.error.as_str()),
                    ("error_description", description.as_str()),
                ],
                q.get("state"),
            )
        }
    }
}

fn error_page(e: &OAuthError) -> Response {
    let body = format!(
        "<p id=\"result\">AADSTS{}: {}</p>\n<p>Error: <code>{}</code></p>",
        e.aadsts,
        escape(&e.message),
        escape(&e.error)
    );
    (StatusCode::BAD_REQUEST, Html(page("Sign-in error", &body))).into_response()
}

pub async fn show(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    state.stats.incr("authorize", "get");
    let checked = match check(&state, &tenant, &q) {
        Ok(c) => c,
        Err(r) => return refusal_response(r, &q),
    };
    let hint = q.get("login_hint").map(|h| h.trim().to_ascii_lowercase());
    let prompt = q.get("prompt").map(String::as_str);
    // The sandbox keeps no browser session: a silent request cannot be answered, unless the
    // sandbox runs with --auto-approve (which plays a signed-in session).
    let session = state
        .config
        .auto_approve
        .as_deref()
        .and_then(|upn| state.tenant.user_by_upn(upn));
    if let Some(user) = session
        && prompt != Some("login")
        && prompt != Some("select_account")
    {
        let oid = user.object_id.clone();
        return grant_code(&state, checked, &oid, q.get("state"));
    }
    if prompt == Some("none") {
        return refusal_response(
            Refusal::Redirect(OAuthError::new(
                "login_required",
                50058,
                "A silent sign-in request was sent but no user is signed in.",
            )),
            &q,
        );
    }
    let mut options = String::new();
    for u in &state.tenant.users {
        let selected = if hint.as_deref() == Some(u.upn.to_ascii_lowercase().as_str()) {
            " selected"
        } else {
            ""
        };
        options.push_str(&format!(
            "<option value=\"{}\"{selected}>{} ({})</option>\n",
            escape(&u.upn),
            escape(&u.display_name),
            escape(&u.upn)
        ));
    }
    let mut hidden = String::new();
    for name in CARRIED {
        if let Some(v) = q.get(name) {
            hidden.push_str(&format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                escape(v)
            ));
        }
    }
    let app = checked.client.name;
    let body = format!(
        "<p>Sign in to <b>{app}</b> in the kubectl-entra sandbox tenant <b>{domain}</b>. Sandbox \
accounts are not real; every password is <code>sandbox</code>.</p>\n\
<form method=\"post\" action=\"/{tenant}/oauth2/v2.0/authorize\">\n{hidden}\
<label for=\"user\">Account</label>\n<select id=\"user\" name=\"user\">\n{options}</select>\n\
<label for=\"password\">Password (optional)</label>\n\
<input type=\"password\" id=\"password\" name=\"password\" value=\"\">\n\
<div>\n<button type=\"submit\" id=\"accept\" name=\"action\" value=\"accept\">Sign in</button>\n\
<button type=\"submit\" id=\"decline\" name=\"action\" value=\"decline\">Cancel</button>\n</div>\n</form>",
        app = escape(app),
        domain = escape(&state.tenant.domain),
        tenant = escape(&tenant),
    );
    Html(page("Sign in", &body)).into_response()
}

pub async fn submit(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    state.stats.incr("authorize", "post");
    let form = form::parse(&body);
    let checked = match check(&state, &tenant, &form) {
        Ok(c) => c,
        Err(r) => return refusal_response(r, &form),
    };
    if form.get("action").map(String::as_str) == Some("decline") {
        return redirect_to(
            &checked.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_subcode", "cancel"),
                (
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                ),
            ],
            form.get("state"),
        );
    }
    let upn = form.get("user").map(|u| u.trim()).unwrap_or("");
    let Some(user) = state.tenant.user_by_upn(upn) else {
        return error_page(&OAuthError::new(
            "invalid_request",
            50034,
            "The user account does not exist in the sandbox tenant.",
        ));
    };
    if let Some(pw) = form.get("password").filter(|p| !p.is_empty())
        && *pw != user.password
    {
        let body = "<p id=\"result\">Your password is incorrect.</p>";
        return (StatusCode::UNAUTHORIZED, Html(page("Sign-in failed", body))).into_response();
    }
    let oid = user.object_id.clone();
    grant_code(&state, checked, &oid, form.get("state"))
}

fn grant_code(
    state: &IdpState,
    checked: Checked,
    user_oid: &str,
    client_state: Option<&String>,
) -> Response {
    let code = format!("1.AQ{}", opaque(96));
    let redirect_uri = checked.redirect_uri.clone();
    state.grants().auth_codes.insert(
        code.clone(),
        CodeGrant {
            client_id: checked.client.id.to_string(),
            user_oid: user_oid.to_string(),
            resource: checked.resource,
            oidc: checked.oidc,
            redirect_uri: checked.redirect_uri,
            pkce: checked.pkce,
            expires_at: Instant::now() + CODE_LIFETIME,
            redeemed: false,
        },
    );
    state.stats.incr("authorize", "codes");
    let session = uuid::Uuid::new_v4().to_string();
    redirect_to(
        &redirect_uri,
        &[("code", code.as_str()), ("session_state", session.as_str())],
        client_state,
    )
}

/// The token endpoint's `authorization_code` arm.
pub fn redeem(
    state: &IdpState,
    client: &'static Client,
    form: &HashMap<String, String>,
    client_info: bool,
) -> Result<serde_json::Value, OAuthError> {
    let code = form
        .get("code")
        .ok_or_else(|| OAuthError::missing("code"))?;
    let redirect_uri = form
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::missing("redirect_uri"))?;
    let grant = {
        let mut grants = state.grants();
        let Some(grant) = grants.auth_codes.get_mut(code) else {
            return Err(OAuthError::new(
                "invalid_grant",
                9002313,
                "Invalid request. Request is malformed or invalid. The authorization code was not recognised.",
            ));
        };
        if grant.redeemed {
            return Err(OAuthError::new(
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ));
        }
        if Instant::now() >= grant.expires_at {
            return Err(OAuthError::new(
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
            ));
        }
        if !grant.client_id.eq_ignore_ascii_case(client.id) {
            return Err(OAuthError::new(
                "invalid_grant",
                70000,
                "Provided grant is invalid or malformed. The authorization code was issued to a different client.",
            ));
        }
        if grant.redirect_uri != *redirect_uri {
            return Err(OAuthError::new(
                "invalid_grant",
                500112,
                format!(
                    "The reply address '{redirect_uri}' does not match the reply address '{}' provided when requesting Authorization code.",
                    grant.redirect_uri
                ),
            ));
        }
        if let Some((challenge, method)) = &grant.pkce
            && !pkce_matches(challenge, method, form.get("code_verifier"))
        {
            return Err(OAuthError::new(
                "invalid_grant",
                501481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ));
        }
        grant.redeemed = true;
        grant.clone()
    };
    let user = state.user(&grant.user_oid).ok_or_else(|| {
        OAuthError::new(
            "invalid_grant",
            50057,
            "The user account is disabled or no longer exists.",
        )
    })?;
    let app_id = resource_app_id(&grant.resource, &state.tenant)?;
    check_consent(client, app_id, Some(&user.upn))?;
    issue(
        state,
        &IssueRequest {
            user,
            client,
            resource: &grant.resource,
            app_id,
            oidc: grant.oidc,
            client_info,
            force_refresh_token: false,
        },
    )
    .map_err(|e| {
        OAuthError::new(
            "server_error",
            50000,
            format!("There was an error issuing a token: {e}"),
        )
        .status(StatusCode::INTERNAL_SERVER_ERROR)
    })
}

/// RFC 7636 §4.6: S256 compares base64url(SHA-256(verifier)); plain compares the strings.
fn pkce_matches(challenge: &str, method: &str, verifier: Option<&String>) -> bool {
    let Some(verifier) = verifier.filter(|v| (43..=128).contains(&v.len())) else {
        return false;
    };
    match method {
        "S256" => {
            let digest = sha2::Sha256::digest(verifier.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == challenge
        }
        _ => verifier == challenge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_are_loopback_http_on_any_port() {
        for ok in [
            "http://localhost/",
            "http://localhost:49152/",
            "http://127.0.0.1:8400/cb",
            "http://[::1]:1/",
        ] {
            assert!(loopback_redirect(ok), "{ok}");
        }
        for bad in [
            "https://evil.example/",
            "http://evil.example:80/",
            "http://localhost.evil.example/",
            "ftp://localhost/",
            "http://localhost/#x",
            "nonsense",
        ] {
            assert!(!loopback_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn pkce_s256_and_plain() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_string();
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(challenge, "S256", Some(&verifier)));
        assert!(!pkce_matches(
            challenge,
            "S256",
            Some(&format!("{verifier}x"))
        ));
        assert!(!pkce_matches(challenge, "S256", None));
        assert!(!pkce_matches(challenge, "S256", Some(&"short".to_string())));
        assert!(pkce_matches(&verifier, "plain", Some(&verifier)));
    }
}
