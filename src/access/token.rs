//! What the cached Entra token says, read without a sign-in and without ever holding the token
//! text itself: only its decoded claims and where the cache keeps it.

use serde::Serialize;

/// A cache entry as the cache peek describes it (claims only; the token is never copied here).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CachedToken {
    /// Decoded access-token claims.
    pub claims: serde_json::Value,
    /// Unix seconds.
    pub expires_on: i64,
    /// `keyring` or `file`.
    pub store: String,
    /// A path or keyring entry description.
    pub location: String,
}

/// The token side of whoami.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub name: Option<String>,
    pub upn: Option<String>,
    pub oid: Option<String>,
    pub tenant: Option<String>,
    /// The client that requested the token (`appid` in v1, `azp` in v2).
    pub client: Option<String>,
    pub audience: Option<String>,
    pub issuer: Option<String>,
    /// RFC 3339.
    pub expires: String,
    pub expires_in_seconds: i64,
    pub groups: Vec<String>,
    /// `_claim_names.groups` present: more than 200 groups, none in the token.
    pub groups_overage: bool,
    /// `idtyp: app` (a service principal's token).
    pub app_only: bool,
    pub cache_store: String,
    pub cache_location: String,
}

fn text(claims: &serde_json::Value, key: &str) -> Option<String> {
    claims
        .get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl TokenView {
    /// Reads the claims that matter to AKS (ENTRA-PROTOCOL §3): guard's username is `upn`,
    /// else `oid`; groups are GUIDs unless the overage markers replace them.
    pub fn from_cached(cached: &CachedToken, now: i64) -> TokenView {
        let c = &cached.claims;
        let audience = match c.get("aud") {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .first()
                .map(|s| s.to_string()),
            _ => text(c, "aud"),
        };
        let exp = c
            .get("exp")
            .and_then(|v| v.as_i64())
            .unwrap_or(cached.expires_on);
        let expires = jiff::Timestamp::from_second(exp)
            .map(|t| t.to_string())
            .unwrap_or_default();
        let groups = c
            .get("groups")
            .and_then(|g| g.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        TokenView {
            name: text(c, "name"),
            upn: text(c, "upn"),
            oid: text(c, "oid"),
            tenant: text(c, "tid"),
            client: text(c, "appid").or_else(|| text(c, "azp")),
            audience,
            issuer: text(c, "iss"),
            expires,
            expires_in_seconds: exp - now,
            groups,
            groups_overage: c.pointer("/_claim_names/groups").is_some(),
            app_only: text(c, "idtyp").as_deref() == Some("app"),
            cache_store: cached.store.clone(),
            cache_location: cached.location.clone(),
        }
    }

    /// The Kubernetes username AKS derives from this token: `upn`, else `oid`.
    pub fn expected_username(&self) -> Option<&str> {
        self.upn.as_deref().or(self.oid.as_deref())
    }
}

impl From<crate::entra::CachedView> for CachedToken {
    /// What the cache holds for a kubeconfig user's sign-in (`entra::peek`), as whoami shows it.
    fn from(view: crate::entra::CachedView) -> Self {
        CachedToken {
            claims: view.claims,
            expires_on: view.expires_on.as_second(),
            store: view.store.to_string(),
            location: view.location,
        }
    }
}

/// `1h4m`, `4m30s`, `expired 2m ago`: the time left, for people.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.abs();
    let text = if s >= 3600 {
        format!("{}h{}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    };
    if seconds < 0 {
        format!("expired {text} ago")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_member_guest_and_overage_tokens() {
        let member = CachedToken {
            claims: json!({"name":"AKS Dev","upn":"aksdev@contoso.com","oid":"o1","tid":"t1",
                "appid":"80faf920-1908-4b52-b5ef-a8e7bedfc67a","aud":"6dae42f8-4368-4678-94ff-3960e28e3630",
                "exp": 1000, "groups":["g1","g2"]}),
            expires_on: 0,
            store: "file".into(),
            location: "/tmp/c".into(),
        };
        let v = TokenView::from_cached(&member, 700);
        assert_eq!(v.expected_username(), Some("aksdev@contoso.com"));
        assert_eq!(v.expires_in_seconds, 300);
        assert_eq!(v.expires, "1970-01-01T00:16:40Z");
        assert_eq!(v.groups, ["g1", "g2"]);
        assert!(!v.groups_overage);
        assert_eq!(
            v.client.as_deref(),
            Some("80faf920-1908-4b52-b5ef-a8e7bedfc67a")
        );

        let guest = CachedToken {
            claims: json!({"oid":"o2","exp": 10,"_claim_names":{"groups":"src1"}, "aud":["a"]}),
            expires_on: 0,
            ..Default::default()
        };
        let v = TokenView::from_cached(&guest, 0);
        assert_eq!(v.expected_username(), Some("o2"));
        assert!(v.groups_overage && v.groups.is_empty());
        assert_eq!(v.audience.as_deref(), Some("a"));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(3725), "1h2m");
        assert_eq!(human_duration(270), "4m30s");
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(-120), "expired 2m0s ago");
    }
}
