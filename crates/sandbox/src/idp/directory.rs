//! Who may ask for what: the tenant aliases the emulator answers to, the public clients it knows,
//! the resources each may get tokens for, and how a `scope` string names a resource.

use super::response::OAuthError;
use crate::state::OidcScopes;
use crate::tenant::Tenant;

pub const AKS_SERVER_ID: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";
pub const AKS_CLIENT_ID: &str = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";
pub const AZURE_CLI_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub const GRAPH_URL: &str = "https://graph.microsoft.com";

/// A public client application registered in (or pre-authorized for) the sandbox tenant.
#[derive(Debug)]
pub struct Client {
    pub id: &'static str,
    pub name: &'static str,
    /// App ids of the resources it may get tokens for (consent / pre-authorization).
    pub resources: &'static [&'static str],
    /// FOCI family member (Azure CLI): the token response carries `foci: "1"`.
    pub foci: bool,
}

const CLIENTS: &[Client] = &[
    Client {
        id: AKS_CLIENT_ID,
        name: "Azure Kubernetes Service AAD Client",
        resources: &[AKS_SERVER_ID, GRAPH_APP_ID],
        foci: false,
    },
    Client {
        id: AZURE_CLI_ID,
        name: "Microsoft Azure CLI",
        resources: &[AKS_SERVER_ID, GRAPH_APP_ID],
        foci: true,
    },
];

pub fn client(client_id: &str) -> Result<&'static Client, OAuthError> {
    CLIENTS
        .iter()
        .find(|c| c.id.eq_ignore_ascii_case(client_id.trim()))
        .ok_or_else(|| {
            OAuthError::new(
                "unauthorized_client",
                700016,
                format!(
                    "Application with identifier '{client_id}' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
                ),
            )
        })
}

/// Accepts the tenant id, its verified domains, `organizations` and `common`.
pub fn check_tenant(tenant: &Tenant, alias: &str) -> Result<(), OAuthError> {
    let a = alias.to_ascii_lowercase();
    let onmicrosoft = format!(
        "{}.onmicrosoft.com",
        tenant.domain.split('.').next().unwrap_or_default()
    );
    if a == tenant.id.to_ascii_lowercase()
        || a == tenant.domain.to_ascii_lowercase()
        || a == onmicrosoft
        || a == "organizations"
        || a == "common"
    {
        Ok(())
    } else {
        Err(OAuthError::new(
            "invalid_request",
            90002,
            format!(
                "Tenant '{alias}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        ))
    }
}

/// The resource a scope string asks for: as written by the client and as an app id (`aud`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRequest {
    /// `6dae...` or `https://graph.microsoft.com`, as the client wrote it (echoed in `scope`).
    pub resource: Option<String>,
    pub oidc: OidcScopes,
}

const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];

/// Splits `scope` into the OIDC scopes and the single resource the others belong to.
pub fn parse_scope(scope: &str) -> Result<ScopeRequest, OAuthError> {
    let mut oidc = OidcScopes::default();
    let mut resource: Option<String> = None;
    for s in scope.split_whitespace() {
        let lower = s.to_ascii_lowercase();
        if OIDC_SCOPES.contains(&lower.as_str()) {
            match lower.as_str() {
                "openid" => oidc.openid = true,
                "profile" => oidc.profile = true,
                "offline_access" => oidc.offline_access = true,
                _ => {}
            }
            continue;
        }
        let Some((res, _perm)) = s
            .rsplit_once('/')
            .filter(|(r, p)| !r.is_empty() && !p.is_empty())
        else {
            return Err(invalid_scope(
                scope,
                "Scopes must name a resource, like '<resource>/.default'.",
            ));
        };
        match &resource {
            Some(prev) if !prev.eq_ignore_ascii_case(res) => {
                return Err(invalid_scope(
                    scope,
                    "Scopes from more than one resource were requested; ask for one resource at a time.",
                ));
            }
            _ => resource = Some(res.to_string()),
        }
    }
    Ok(ScopeRequest { resource, oidc })
}

fn invalid_scope(scope: &str, why: &str) -> OAuthError {
    OAuthError::new(
        "invalid_scope",
        70011,
        format!(
            "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. {why} Scope: '{scope}'."
        ),
    )
}

/// The app id (`aud` of its tokens) of a resource named in a scope.
pub fn resource_app_id(resource: &str, tenant: &Tenant) -> Result<&'static str, OAuthError> {
    let r = resource.trim_end_matches('/').to_ascii_lowercase();
    if r == AKS_SERVER_ID || r == format!("spn:{AKS_SERVER_ID}") {
        Ok(AKS_SERVER_ID)
    } else if r == GRAPH_APP_ID || r == GRAPH_URL {
        Ok(GRAPH_APP_ID)
    } else {
        Err(OAuthError::new(
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {resource} was not found in the tenant named {} ({}). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
                tenant.domain, tenant.id
            ),
        ))
    }
}

/// Checks `client` may get tokens for `app_id` (AADSTS65001 otherwise).
pub fn check_consent(client: &Client, app_id: &str, upn: Option<&str>) -> Result<(), OAuthError> {
    if client.resources.contains(&app_id) {
        return Ok(());
    }
    let who = upn.unwrap_or("the user");
    Err(OAuthError::new(
        "invalid_grant",
        65001,
        format!(
            "The user or administrator has not consented to use the application with ID '{}' named '{}'. Send an interactive authorization request for {who} and resource '{app_id}'.",
            client.id, client.name
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_parsing() {
        let s = parse_scope(&format!(
            "{AKS_SERVER_ID}/.default openid offline_access profile"
        ))
        .expect("ok");
        assert_eq!(s.resource.as_deref(), Some(AKS_SERVER_ID));
        assert!(s.oidc.openid && s.oidc.offline_access && s.oidc.profile);
        let g = parse_scope("https://graph.microsoft.com/.default").expect("ok");
        assert_eq!(g.resource.as_deref(), Some("https://graph.microsoft.com"));
        let mixed = parse_scope(&format!(
            "{AKS_SERVER_ID}/.default https://graph.microsoft.com/.default"
        ));
        assert_eq!(mixed.map_err(|e| e.aadsts), Err(70011));
        assert_eq!(parse_scope("openid").expect("ok").resource, None);
        assert_eq!(
            parse_scope("bogus").map_err(|e| e.error),
            Err("invalid_scope".to_string())
        );
    }

    #[test]
    fn tenants_clients_resources() {
        let t = Tenant::seed();
        assert!(check_tenant(&t, &t.id.to_uppercase()).is_ok());
        assert!(check_tenant(&t, "contoso.com").is_ok());
        assert!(check_tenant(&t, "organizations").is_ok());
        assert_eq!(
            check_tenant(&t, "fabrikam.com").map_err(|e| e.aadsts),
            Err(90002)
        );
        assert!(client(AKS_CLIENT_ID).is_ok());
        assert_eq!(
            client("11111111-2222-3333-4444-555555555555")
                .map(|c| c.id)
                .map_err(|e| e.aadsts),
            Err(700016)
        );
        assert_eq!(resource_app_id(GRAPH_URL, &t).ok(), Some(GRAPH_APP_ID));
        assert_eq!(
            resource_app_id("11111111-2222-3333-4444-555555555555", &t).map_err(|e| e.aadsts),
            Err(500011)
        );
    }
}
