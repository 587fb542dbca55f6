//! OpenID discovery documents (v2 and the v1 one AKS's guard reads) and the JWKS.

use super::directory::check_tenant;
use super::inject;
use super::response::client_request_id;
use crate::faults::FaultEndpoint;
use crate::state::{IdpState, Shared};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The tenant segment the document's URLs use: aliases stay, names resolve to the tenant id.
fn url_tenant(state: &IdpState, alias: &str) -> String {
    match alias.to_ascii_lowercase().as_str() {
        a @ ("common" | "organizations") => a.to_string(),
        _ => state.tenant.id.clone(),
    }
}

fn cached(value: serde_json::Value) -> Response {
    let mut r = Json(value).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    r
}

pub fn v2_document(state: &IdpState, alias: &str) -> serde_json::Value {
    let base = &state.config.base_url;
    let t = url_tenant(state, alias);
    let issuer = if t == state.tenant.id {
        state.v2_issuer()
    } else {
        format!("{base}/{{tenantid}}/v2.0")
    };
    serde_json::json!({
        "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/v2.0/logout"),
        "claims_supported": ["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","nonce","preferred_username","name","tid","ver","at_hash","c_hash","email"],
        "kerberos_endpoint": format!("{base}/{t}/kerberos"),
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

pub fn v1_document(state: &IdpState, alias: &str) -> serde_json::Value {
    let base = &state.config.base_url;
    let t = url_tenant(state, alias);
    let issuer = if t == state.tenant.id {
        state.v1_issuer()
    } else {
        "https://sts.windows.net/{tenantid}/".to_string()
    };
    serde_json::json!({
        "token_endpoint": format!("{base}/{t}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/common/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": issuer,
        "microsoft_multi_refresh_token": true,
        "authorization_endpoint": format!("{base}/{t}/oauth2/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/logout"),
        "claims_supported": ["sub","iss","cloud_instance_name","cloud_instance_host_name","cloud_graph_host_name","msgraph_host","aud","exp","iat","auth_time","acr","amr","nonce","email","given_name","family_name","nickname"],
        "check_session_iframe": format!("{base}/{t}/oauth2/checksession"),
        "userinfo_endpoint": format!("{base}/{t}/openid/userinfo"),
        "kerberos_endpoint": format!("{base}/{t}/kerberos"),
        "tenant_region_scope": "WW",
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

async fn guarded(
    state: &IdpState,
    endpoint: FaultEndpoint,
    tenant: Option<&str>,
    headers: &HeaderMap,
) -> Option<Response> {
    let request_id = client_request_id(headers);
    if let Some(r) = inject::apply(state, endpoint, request_id.as_deref()).await {
        return Some(r);
    }
    let t = tenant?;
    check_tenant(&state.tenant, t)
        .err()
        .map(|e| e.into_response_for(request_id.as_deref()))
}

pub async fn openid_v2(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    state.stats.incr("discovery", "v2");
    if let Some(r) = guarded(&state, FaultEndpoint::Discovery, Some(&tenant), &headers).await {
        return r;
    }
    cached(v2_document(&state, &tenant))
}

pub async fn openid_v1(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    state.stats.incr("discovery", "v1");
    if let Some(r) = guarded(&state, FaultEndpoint::Discovery, Some(&tenant), &headers).await {
        return r;
    }
    cached(v1_document(&state, &tenant))
}

/// `/{tenant}/discovery/v2.0/keys` and `/{tenant}/discovery/keys` (incl. `common`).
pub async fn keys(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    state.stats.incr("discovery", "keys");
    if let Some(r) = guarded(&state, FaultEndpoint::Keys, Some(&tenant), &headers).await {
        return r;
    }
    cached(state.keys.jwks())
}
