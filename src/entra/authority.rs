//! The authority as the flows see it: start a device-code sign-in, redeem a grant at the token
//! endpoint. One implementation talks HTTP to Entra ([`EntraAuthority`]); tests script a fake.
//!
//! Each grant (refresh token, device code, authorization code + PKCE, client credentials with a
//! secret or an assertion) is one [`Grant`] variant. The `oauth2` crate builds the requests and
//! reads the answers (PKCE, the authorization URL, code exchange, refresh, client credentials,
//! the device authorization request) over our HTTP rules ([`OauthHttp`]); only the device-code
//! poll is sent by hand (see `wire.rs` for why).

use super::error::EntraError;
use super::http::{EntraHttp, Failure, OauthHttp, Reply, describe_json_error, host_of};
use super::settings::Settings;
use super::wire::{DeviceCodeResponse, TokenResponse, flexible_i64};
use crate::net::Clock;
use crate::sink::{Sink, printable};
use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, ClientId, DeviceAuthorizationUrl, EndpointNotSet, EndpointSet, RequestTokenError,
    Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// RFC 8628's grant type (Entra also accepts the bare `device_code` that MSAL sends).
const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// RFC 7523's assertion type for client authentication with a JWT.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What is traded for a token. Debug never shows the secret.
#[derive(Clone, Copy)]
pub enum Grant<'a> {
    /// A refresh token (public client: no secret). The scope may name another resource.
    RefreshToken(&'a str),
    /// A device code being polled.
    DeviceCode(&'a str),
    /// An authorization code from the browser redirect, with its PKCE verifier and the exact
    /// redirect URI the authorize request named (Entra compares them).
    AuthorizationCode {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    /// Client credentials of a confidential client (service principal) with its secret.
    ClientSecret(&'a str),
    /// Client credentials proven by a signed JWT: a certificate-signed assertion or a federated
    /// (workload identity) token.
    ClientAssertion(&'a str),
}

impl Grant<'_> {
    /// For messages: "the token refresh", "the sign-in poll".
    pub fn what(&self) -> &'static str {
        match self {
            Grant::RefreshToken(_) => "the token refresh",
            Grant::DeviceCode(_) => "the sign-in poll",
            Grant::AuthorizationCode { .. } => "the authorization code redemption",
            Grant::ClientSecret(_) | Grant::ClientAssertion(_) => "the client credentials request",
        }
    }
}

impl std::fmt::Debug for Grant<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Grant::RefreshToken(_) => "RefreshToken",
            Grant::DeviceCode(_) => "DeviceCode",
            Grant::AuthorizationCode { .. } => "AuthorizationCode",
            Grant::ClientSecret(_) => "ClientSecret",
            Grant::ClientAssertion(_) => "ClientAssertion",
        };
        write!(f, "{name}(<redacted>)")
    }
}

/// One call to the token endpoint.
#[derive(Debug, Clone, Copy)]
pub struct TokenRequest<'a> {
    pub client_id: &'a str,
    pub scope: &'a str,
    pub grant: Grant<'a>,
}

/// The operations the sign-in modes need. `Err` is a failure to get an answer at all
/// (transport, timeout, an answer too large, a redirect, throttling beyond the retries);
/// `Ok(Reply::Oauth)` is the authority saying no.
pub trait Authority: Send + Sync {
    fn device_code<'a>(
        &'a self,
        client_id: &'a str,
        scope: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>>;

    fn token<'a>(
        &'a self,
        request: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>>;
}

/// Entra's token answer as oauth2 reads it: the standard fields plus the two Entra adds that we
/// use. Debug never shows the id token.
#[derive(Clone, serde::Deserialize, serde::Serialize)]
pub struct EntraTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    /// v1 endpoints send it; v2 does not. A string of digits there.
    #[serde(
        default,
        deserialize_with = "flexible_i64",
        skip_serializing_if = "Option::is_none"
    )]
    expires_on: Option<i64>,
}

impl std::fmt::Debug for EntraTokenFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntraTokenFields")
            .field("id_token", &self.id_token.as_ref().map(|_| "<redacted>"))
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

impl oauth2::ExtraTokenFields for EntraTokenFields {}

/// Entra's device authorization answer beyond RFC 8628: the ready-made, localized sentence.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct EntraDeviceFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

impl oauth2::ExtraDeviceAuthorizationFields for EntraDeviceFields {}

type EntraTokenAnswer = StandardTokenResponse<EntraTokenFields, BasicTokenType>;

/// oauth2's client with Entra's error type and token fields, and the authorize, device
/// authorization and token endpoints set.
type OauthClient = oauth2::Client<
    EntraError,
    EntraTokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Entra's v2.0 endpoints under the settings' authority and tenant.
pub struct EntraAuthority<'a> {
    http: EntraHttp<'a>,
    authorize: url::Url,
    devicecode: url::Url,
    token: url::Url,
}

impl<'a> EntraAuthority<'a> {
    pub fn new(
        s: &Settings,
        clock: &'a dyn Clock,
        sink: &'a dyn Sink,
    ) -> anyhow::Result<EntraAuthority<'a>> {
        Ok(EntraAuthority {
            http: EntraHttp::new(s.timeout, clock, sink)?.with_ca_file(s.ca_file.as_deref())?,
            authorize: s.authorize_endpoint()?,
            devicecode: s.devicecode_endpoint()?,
            token: s.token_endpoint()?,
        })
    }

    fn client(&self, client_id: &str) -> OauthClient {
        oauth2_client(&self.authorize, &self.devicecode, &self.token, client_id)
    }
}

fn oauth2_client(
    authorize: &url::Url,
    devicecode: &url::Url,
    token: &url::Url,
    client_id: &str,
) -> OauthClient {
    oauth2::Client::new(ClientId::new(client_id.to_string()))
        .set_auth_uri(AuthUrl::from_url(authorize.clone()))
        .set_device_authorization_url(DeviceAuthorizationUrl::from_url(devicecode.clone()))
        .set_token_uri(TokenUrl::from_url(token.clone()))
        // Entra takes client credentials in the body (as MSAL sends them), never Basic auth.
        .set_auth_type(oauth2::AuthType::RequestBody)
}

/// The browser's first stop: the authorize URL with a fresh PKCE (S256) challenge and `state`.
/// The verifier and the state stay with the caller; neither is ever printed.
pub struct AuthorizeUrl {
    pub url: url::Url,
    pub state: String,
    pub verifier: String,
}

/// What the authorize request asks for.
pub struct AuthorizeRequest<'a> {
    pub client_id: &'a str,
    pub scope: &'a str,
    pub redirect_uri: &'a str,
    pub login_hint: Option<&'a str>,
    pub prompt: Option<&'a str>,
}

/// Builds Entra's authorize URL for an authorization code + PKCE sign-in (S256 only).
pub fn authorize_url(
    endpoint: &url::Url,
    r: &AuthorizeRequest<'_>,
) -> anyhow::Result<AuthorizeUrl> {
    let (challenge, verifier) = oauth2::PkceCodeChallenge::new_random_sha256();
    let client = oauth2::basic::BasicClient::new(ClientId::new(r.client_id.to_string()))
        .set_auth_uri(AuthUrl::from_url(endpoint.clone()))
        .set_redirect_uri(oauth2::RedirectUrl::new(r.redirect_uri.to_string())?);
    let mut request = client
        .authorize_url(oauth2::CsrfToken::new_random)
        .add_scope(Scope::new(r.scope.to_string()))
        .set_pkce_challenge(challenge)
        // As MSAL asks: the account's home ids come back with the tokens.
        .add_extra_param("client_info", "1");
    if let Some(hint) = r.login_hint {
        request = request.add_extra_param("login_hint", hint);
    }
    if let Some(prompt) = r.prompt {
        request = request.add_extra_param("prompt", prompt);
    }
    let (url, state) = request.url();
    Ok(AuthorizeUrl {
        url,
        state: state.secret().clone(),
        verifier: verifier.secret().clone(),
    })
}

impl Authority for EntraAuthority<'_> {
    fn device_code<'a>(
        &'a self,
        client_id: &'a str,
        scope: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<Reply<DeviceCodeResponse>>> {
        Box::pin(async move {
            let what = "the device code request";
            let http = OauthHttp::new(&self.http, what);
            let client = self.client(client_id);
            let result = client
                .exchange_device_code()
                .add_scope(Scope::new(scope.to_string()))
                .request_async::<_, EntraDeviceFields>(&http)
                .await;
            let answer = match result {
                Ok(answer) => answer,
                Err(e) => return refused(e, &http, what, &self.devicecode),
            };
            Ok(Reply::Ok(DeviceCodeResponse {
                user_code: answer.user_code().secret().clone(),
                device_code: answer.device_code().secret().clone(),
                verification_uri: Some(answer.verification_uri().to_string()),
                verification_url: None,
                expires_in: i64::try_from(answer.expires_in().as_secs()).ok(),
                interval: i64::try_from(answer.interval().as_secs()).ok(),
                message: answer.extra_fields().message.clone(),
            }))
        })
    }

    fn token<'a>(
        &'a self,
        r: TokenRequest<'a>,
    ) -> BoxFuture<'a, anyhow::Result<Reply<TokenResponse>>> {
        Box::pin(async move {
            let what = r.grant.what();
            let http = OauthHttp::new(&self.http, what);
            let client = self.client(r.client_id);
            let scope = Scope::new(r.scope.to_string());
            let result = match r.grant {
                Grant::DeviceCode(code) => {
                    // Sent by hand: oauth2's device poll would drop Entra's error codes.
                    let form = vec![
                        ("client_id", r.client_id),
                        ("scope", r.scope),
                        ("grant_type", GRANT_DEVICE_CODE),
                        ("device_code", code),
                        ("client_info", "1"),
                    ];
                    return self.http.post_form(&self.token, form, what).await;
                }
                Grant::RefreshToken(rt) => {
                    let rt = oauth2::RefreshToken::new(rt.to_string());
                    client
                        .exchange_refresh_token(&rt)
                        .add_scope(scope)
                        .add_extra_param("client_info", "1")
                        .request_async(&http)
                        .await
                }
                Grant::AuthorizationCode {
                    code,
                    verifier,
                    redirect_uri,
                } => {
                    let redirect = oauth2::RedirectUrl::new(redirect_uri.to_string())?;
                    client
                        .exchange_code(oauth2::AuthorizationCode::new(code.to_string()))
                        .set_pkce_verifier(oauth2::PkceCodeVerifier::new(verifier.to_string()))
                        .set_redirect_uri(std::borrow::Cow::Owned(redirect))
                        .add_extra_param("scope", r.scope)
                        .add_extra_param("client_info", "1")
                        .request_async(&http)
                        .await
                }
                Grant::ClientSecret(secret) => {
                    client
                        .set_client_secret(oauth2::ClientSecret::new(secret.to_string()))
                        .exchange_client_credentials()
                        .add_scope(scope)
                        .add_extra_param("client_info", "1")
                        .request_async(&http)
                        .await
                }
                Grant::ClientAssertion(assertion) => {
                    client
                        .exchange_client_credentials()
                        .add_scope(scope)
                        .add_extra_param("client_assertion_type", CLIENT_ASSERTION_TYPE)
                        .add_extra_param("client_assertion", assertion)
                        .add_extra_param("client_info", "1")
                        .request_async(&http)
                        .await
                }
            };
            match result {
                Ok(answer) => Ok(Reply::Ok(token_response(answer))),
                Err(e) => refused(e, &http, what, &self.token),
            }
        })
    }
}

fn token_response(answer: EntraTokenAnswer) -> TokenResponse {
    TokenResponse {
        access_token: answer.access_token().secret().clone(),
        token_type: Some(answer.token_type().as_ref().to_string()),
        expires_in: answer
            .expires_in()
            .and_then(|d| i64::try_from(d.as_secs()).ok()),
        expires_on: answer.extra_fields().expires_on,
        refresh_token: answer.refresh_token().map(|t| t.secret().clone()),
        id_token: answer.extra_fields().id_token.clone(),
    }
}

/// An oauth2 failure as the flows expect it: Entra's refusal (with the HTTP details
/// [`OauthHttp`] kept), or an error that names the call and never quotes the body.
fn refused<T>(
    e: RequestTokenError<Failure, EntraError>,
    http: &OauthHttp<'_, '_>,
    what: &str,
    url: &url::Url,
) -> anyhow::Result<Reply<T>> {
    if let Some(refusal) = http.take_refusal() {
        return Ok(Reply::Oauth(refusal));
    }
    let host = host_of(url);
    Err(match e {
        RequestTokenError::ServerResponse(e) => return Ok(Reply::Oauth(e)),
        RequestTokenError::Request(Failure(e)) => e,
        RequestTokenError::Parse(e, _body) => anyhow::anyhow!(
            "{what}: {host} answered HTTP 200 with a body that is not the expected JSON ({}, at {}); check --authority-host and try again",
            describe_json_error(e.inner()),
            printable(&e.path().to_string())
        ),
        RequestTokenError::Other(message) => {
            anyhow::anyhow!("{what}: {host}: {}", printable(&message))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::SystemClock;
    use crate::sink::Recorder;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// An authority on 127.0.0.1 that records each request's form and answers `status`/`body`.
    async fn authority(
        status: u16,
        body: &'static str,
    ) -> (String, Arc<Mutex<Vec<HashMap<String, String>>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let forms = seen.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    raw.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&raw).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if raw.len() >= end + 4 + len || n == 0 {
                            let form = url::form_urlencoded::parse(&raw[end + 4..])
                                .into_owned()
                                .collect();
                            forms.lock().unwrap().push(form);
                            break;
                        }
                    }
                    if n == 0 {
                        break;
                    }
                }
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            }
        });
        (format!("http://{addr}/"), seen)
    }

    fn settings(authority: &str) -> Settings {
        Settings {
            authority: url::Url::parse(authority).unwrap(),
            tenant: "t1".into(),
            client_id: "app".into(),
            resource: "6dae".into(),
            login: super::super::settings::LoginMode::Spn,
            timeout: std::time::Duration::from_secs(10),
            store: crate::cache::StoreMode::File,
            cache_dir: "/nonexistent".into(),
            ca_file: None,
            credentials: Default::default(),
            interactive: Default::default(),
        }
    }

    const TOKEN: &str = r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"AT","refresh_token":"RT","id_token":"ID"}"#;

    async fn redeem(grant: Grant<'_>) -> (Reply<TokenResponse>, HashMap<String, String>) {
        let (url, seen) = authority(200, TOKEN).await;
        let sink = Recorder::default();
        let a = EntraAuthority::new(&settings(&url), &SystemClock, &sink).unwrap();
        let reply = a
            .token(TokenRequest {
                client_id: "app",
                scope: "6dae/.default",
                grant,
            })
            .await
            .unwrap();
        let form = seen.lock().unwrap().pop().unwrap();
        (reply, form)
    }

    #[tokio::test]
    async fn client_secret_grant_sends_the_secret_in_the_body() {
        let (reply, form) = redeem(Grant::ClientSecret("s3cret")).await;
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["client_id"], "app");
        assert_eq!(form["client_secret"], "s3cret");
        assert_eq!(form["scope"], "6dae/.default");
        assert!(!form.contains_key("client_assertion"));
        let Reply::Ok(t) = reply else {
            panic!("refused")
        };
        assert_eq!(t.access_token, "AT");
        assert_eq!(t.expires_in, Some(3599));
        assert_eq!(t.id_token.as_deref(), Some("ID"));
    }

    #[tokio::test]
    async fn client_assertion_grant_sends_the_jwt_bearer_assertion() {
        let (reply, form) = redeem(Grant::ClientAssertion("eyJ.assert.ion")).await;
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["client_assertion_type"], CLIENT_ASSERTION_TYPE);
        assert_eq!(form["client_assertion"], "eyJ.assert.ion");
        assert_eq!(form["client_id"], "app");
        assert!(!form.contains_key("client_secret"));
        assert!(matches!(reply, Reply::Ok(_)));
    }

    #[tokio::test]
    async fn code_refresh_and_device_grants() {
        let (_, form) = redeem(Grant::AuthorizationCode {
            code: "C",
            verifier: "V",
            redirect_uri: "http://localhost:1234/",
        })
        .await;
        assert_eq!(form["grant_type"], "authorization_code");
        assert_eq!(form["code"], "C");
        assert_eq!(form["code_verifier"], "V");
        assert_eq!(form["redirect_uri"], "http://localhost:1234/");
        assert_eq!(form["scope"], "6dae/.default");
        let (reply, form) = redeem(Grant::RefreshToken("R")).await;
        assert_eq!(form["grant_type"], "refresh_token");
        assert_eq!(form["refresh_token"], "R");
        assert_eq!(form["client_info"], "1");
        let Reply::Ok(t) = reply else {
            panic!("refused")
        };
        assert_eq!(t.refresh_token.as_deref(), Some("RT"));
        let (_, form) = redeem(Grant::DeviceCode("D")).await;
        assert_eq!(form["grant_type"], GRANT_DEVICE_CODE);
        assert_eq!(form["device_code"], "D");
    }

    #[tokio::test]
    async fn refusals_keep_entra_codes_and_status() {
        let (url, _) = authority(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"correlation_id":"c-1"}"#,
        )
        .await;
        let sink = Recorder::default();
        let a = EntraAuthority::new(&settings(&url), &SystemClock, &sink).unwrap();
        let reply = a
            .token(TokenRequest {
                client_id: "app",
                scope: "6dae/.default",
                grant: Grant::ClientSecret("wrong-secret"),
            })
            .await
            .unwrap();
        let Reply::Oauth(e) = reply else {
            panic!("accepted")
        };
        assert_eq!(e.status, 401);
        assert_eq!(e.aadsts().as_deref(), Some("AADSTS7000215"));
        assert_eq!(e.correlation_id.as_deref(), Some("c-1"));
        assert!(!e.to_string().contains("wrong-secret"));
    }

    #[tokio::test]
    async fn broken_answers_never_quote_the_body() {
        let (url, _) = authority(200, r#"{"access_token":"AT-secret","expires_in":3599}"#).await;
        let sink = Recorder::default();
        let a = EntraAuthority::new(&settings(&url), &SystemClock, &sink).unwrap();
        let err = a
            .token(TokenRequest {
                client_id: "app",
                scope: "s",
                grant: Grant::ClientSecret("x"),
            })
            .await
            .err()
            .expect("no token_type");
        let text = format!("{err:#}");
        assert!(text.contains("not the expected JSON"), "{text}");
        assert!(!text.contains("AT-secret"), "{text}");
    }

    #[tokio::test]
    async fn device_authorization_through_oauth2() {
        let (url, seen) = authority(
            200,
            r#"{"user_code":"QX7","device_code":"DC","verification_url":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"Go there."}"#,
        )
        .await;
        let sink = Recorder::default();
        let a = EntraAuthority::new(&settings(&url), &SystemClock, &sink).unwrap();
        let Reply::Ok(code) = a.device_code("app", "6dae/.default").await.unwrap() else {
            panic!("refused")
        };
        assert_eq!(code.device_code, "DC");
        assert_eq!(
            code.verification(),
            Some("https://microsoft.com/devicelogin")
        );
        assert_eq!(code.prompt(), "Go there.");
        assert_eq!(code.poll_interval().as_secs(), 5);
        assert_eq!(seen.lock().unwrap()[0]["scope"], "6dae/.default");
    }

    #[test]
    fn authorize_urls_carry_an_s256_challenge_and_a_fresh_state() {
        use base64::Engine as _;
        use sha2::Digest as _;
        let endpoint =
            url::Url::parse("https://login.microsoftonline.com/t1/oauth2/v2.0/authorize").unwrap();
        let request = AuthorizeRequest {
            client_id: "app",
            scope: "6dae/.default offline_access openid profile",
            redirect_uri: "http://localhost:4000/",
            login_hint: Some("dev@contoso.com"),
            prompt: Some("select_account"),
        };
        let a = authorize_url(&endpoint, &request).unwrap();
        let q: HashMap<String, String> = a.url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(sha2::Sha256::digest(a.verifier.as_bytes()));
        assert_eq!(q["code_challenge"], expected);
        assert_eq!(q["state"], a.state);
        assert_eq!(q["redirect_uri"], "http://localhost:4000/");
        assert_eq!(q["scope"], request.scope);
        assert_eq!(q["login_hint"], "dev@contoso.com");
        assert_eq!(q["prompt"], "select_account");
        assert!(!a.url.as_str().contains(&a.verifier));
        let b = authorize_url(&endpoint, &request).unwrap();
        assert_ne!(a.state, b.state);
        assert_ne!(a.verifier, b.verifier);
    }
}
