//! The Entra-shaped identity provider: discovery, JWKS, device code, authorize (code + PKCE),
//! token, and the device-login page, with Entra's paths, JSON fields and error codes (see ENTRA-PROTOCOL.md §1-4).

pub mod arc;
pub mod authorize;
pub mod client_credentials;
pub mod devicecode;
pub mod devicelogin;
pub mod directory;
pub mod discovery;
pub mod form;
pub mod imds;
pub mod inject;
pub mod issue;
pub mod pipelines;
pub mod response;
pub mod token;

use super::state::Shared;
use axum::Router;
use axum::routing::{get, post};

pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_v2),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(discovery::openid_v1),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/discovery/keys", get(discovery::keys))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(devicecode::devicecode),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route(imds::IMDS_PATH, get(imds::imds_token))
        .route(imds::APP_SERVICE_PATH, get(imds::app_service_token))
        .route(pipelines::OIDC_PATH, post(pipelines::oidc_token))
        .route(arc::ARC_PATH, get(arc::arc_token))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::show).post(authorize::submit),
        )
        .route(
            "/devicelogin",
            get(devicelogin::show).post(devicelogin::submit),
        )
        .with_state(state)
}
