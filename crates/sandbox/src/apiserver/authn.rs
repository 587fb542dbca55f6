//! Bearer-token authentication the way AKS (guard) does it: an RS256 JWT from the Entra
//! emulator, `iss` exact, `aud` = server id, `exp` without leeway, `nbf` with one minute;
//! username = `upn` or else `oid`, groups = the `groups` claim + `system:authenticated`.
//!
//! Groups overage (`_claim_names.groups` without `groups`): AKS (guard) asks Microsoft Graph for
//! the user's groups; the sandbox asks its own directory the same question (see
//! [`Authenticator::resolve_overage`]).

use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use rbac::UserInfo;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// `nbf` may be this far in the future (go-oidc's leeway).
const NBF_LEEWAY_SECS: i64 = 60;

pub struct Authenticator {
    issuer: String,
    audience: String,
    keys: Vec<(Option<String>, DecodingKey)>,
    admin_token_hash: [u8; 32],
    /// The tenant that answers overage lookups (AKS asks Graph); None: groups stay unresolved.
    directory: Option<std::sync::Arc<crate::tenant::Tenant>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

impl Authenticator {
    pub fn new(issuer: &str, audience: &str, jwks: &serde_json::Value, admin_token: &str) -> Self {
        let keys = serde_json::from_value::<JwkSet>(jwks.clone())
            .map(|set| {
                set.keys
                    .iter()
                    .filter_map(|k| {
                        let key = DecodingKey::from_jwk(k).ok()?;
                        Some((k.common.key_id.clone(), key))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Authenticator {
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            keys,
            admin_token_hash: digest(admin_token),
            directory: None,
        }
    }

    /// Resolves overage tokens' groups in `directory`, as AKS resolves them through Graph.
    pub fn with_directory(
        mut self,
        directory: Option<std::sync::Arc<crate::tenant::Tenant>>,
    ) -> Self {
        self.directory = directory;
        self
    }

    /// The user behind an `Authorization` header value, or `None` (answer 401).
    pub fn authenticate(&self, authorization: Option<&str>) -> Option<UserInfo> {
        let (scheme, token) = authorization?.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let token = token.trim();
        if token.is_empty() {
            return None;
        }
        // Compared through digests so the comparison time does not depend on the token.
        if digest(token) == self.admin_token_hash {
            return Some(UserInfo {
                name: "sandbox-admin".into(),
                uid: String::new(),
                groups: vec!["system:masters".into(), "system:authenticated".into()],
                extra: BTreeMap::new(),
            });
        }
        let claims = self.verify(token)?;
        let mut user = user_from_claims(&claims)?;
        self.resolve_overage(&claims, &mut user);
        Some(user)
    }

    /// guard's overage path (ENTRA-PROTOCOL §3.4): no `groups` claim but `_claim_names.groups`
    /// present means the user is in more than 200 groups; the memberships come from the
    /// directory (`getMemberGroups` of the user), transitively, as object ids. App-only tokens
    /// are not resolved (guard refuses them: OBO does not work for service principals).
    fn resolve_overage(
        &self,
        claims: &serde_json::Map<String, serde_json::Value>,
        user: &mut UserInfo,
    ) {
        let overage = claims.get("groups").is_none()
            && claims
                .get("_claim_names")
                .and_then(|n| n.get("groups"))
                .is_some();
        let app = claims.get("idtyp").and_then(|v| v.as_str()) == Some("app");
        let Some(directory) = self.directory.as_ref().filter(|_| overage && !app) else {
            return;
        };
        let Some(found) = directory
            .user_by_id(&user.uid)
            .or_else(|| directory.user_by_upn(&user.name))
        else {
            return;
        };
        let ids: Vec<String> = directory
            .groups_of(&found.object_id)
            .into_iter()
            .map(|g| g.object_id.clone())
            .collect();
        // `system:authenticated` stays last, as for tokens with a groups claim.
        let at = user.groups.len().saturating_sub(1);
        user.groups.splice(at..at, ids);
    }

    fn verify(&self, token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::RS256 {
            return None;
        }
        let mut v = Validation::new(Algorithm::RS256);
        v.leeway = 0;
        v.validate_exp = true;
        v.validate_nbf = false;
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
        let candidates = self
            .keys
            .iter()
            .filter(|(kid, _)| header.kid.is_none() || kid.is_none() || *kid == header.kid);
        for (_, key) in candidates {
            if let Ok(data) =
                jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, key, &v)
            {
                let claims = data.claims;
                if let Some(nbf) = claims.get("nbf").and_then(|n| n.as_f64()) {
                    let now = jiff::Timestamp::now().as_second();
                    if nbf as i64 > now + NBF_LEEWAY_SECS {
                        return None;
                    }
                }
                return Some(claims);
            }
        }
        None
    }
}

fn user_from_claims(claims: &serde_json::Map<String, serde_json::Value>) -> Option<UserInfo> {
    let s = |k: &str| {
        claims
            .get(k)
            .and_then(|v| v.as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let oid = s("oid");
    let name = s("upn").or_else(|| oid.clone())?;
    let mut groups: Vec<String> = match claims.get("groups") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|g| g.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(g)) => vec![g.clone()],
        _ => Vec::new(),
    };
    groups.push("system:authenticated".into());
    let mut extra = BTreeMap::new();
    if let Some(oid) = &oid {
        extra.insert("oid".to_string(), vec![oid.clone()]);
    }
    Some(UserInfo {
        name,
        uid: oid.unwrap_or_default(),
        groups,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn upn_then_oid() {
        let u = user_from_claims(&claims(json!({"upn":"a@b","oid":"o1","groups":["g1"]})));
        let u = u.unwrap_or_default();
        assert_eq!(u.name, "a@b");
        assert_eq!(u.uid, "o1");
        assert_eq!(u.groups, vec!["g1", "system:authenticated"]);
        assert_eq!(u.extra["oid"], vec!["o1"]);
        let guest = user_from_claims(&claims(json!({"oid":"o2"}))).unwrap_or_default();
        assert_eq!(guest.name, "o2");
        assert_eq!(guest.groups, vec!["system:authenticated"]);
        assert!(user_from_claims(&claims(json!({"sub":"x"}))).is_none());
    }

    #[test]
    fn overage_groups_come_from_the_directory() {
        let tenant = std::sync::Arc::new(crate::tenant::Tenant::seed());
        let many = tenant
            .user_by_upn("manygroups@contoso.com")
            .expect("manygroups")
            .clone();
        let a = Authenticator::new("i", "a", &json!({"keys":[]}), "x")
            .with_directory(Some(tenant.clone()));
        let c = claims(json!({
            "upn": many.upn, "oid": many.object_id,
            "_claim_names": {"groups": "src1"},
            "_claim_sources": {"src1": {"endpoint": "https://graph.windows.net/t/users/o/getMemberObjects"}}
        }));
        let mut u = user_from_claims(&c).unwrap_or_default();
        a.resolve_overage(&c, &mut u);
        assert_eq!(u.groups.len(), tenant.groups_of(&many.object_id).len() + 1);
        assert_eq!(
            u.groups.last().map(String::as_str),
            Some("system:authenticated")
        );
        // an app token with overage, or a token with groups, is left alone
        let mut app = c.clone();
        app.insert("idtyp".into(), json!("app"));
        let mut u = user_from_claims(&app).unwrap_or_default();
        a.resolve_overage(&app, &mut u);
        assert_eq!(u.groups, vec!["system:authenticated"]);
    }

    #[test]
    fn admin_token_and_garbage() {
        let a = Authenticator::new("i", "a", &json!({"keys":[]}), "secret-admin");
        let u = a
            .authenticate(Some("Bearer secret-admin"))
            .unwrap_or_default();
        assert_eq!(u.name, "sandbox-admin");
        assert!(u.groups.contains(&"system:masters".to_string()));
        assert!(a.authenticate(Some("Bearer nope")).is_none());
        assert!(a.authenticate(Some("Basic x")).is_none());
        assert!(a.authenticate(Some("bearer secret-admin")).is_some());
        assert!(a.authenticate(Some("Bearer")).is_none());
        assert!(a.authenticate(None).is_none());
    }
}
