//! Cache keys: a sha256 of everything that makes two tokens different, so two tenants, clients,
//! clusters or clouds never see each other's tokens, and file names reveal nothing.

use sha2::{Digest, Sha256};

/// A cache key; its name is used for the file, the lock file and the keyring entry. Keys built
/// from their parts also carry the tenant, client and server in clear, for the Secret Service's
/// label and attributes (what a user sees in Seahorse); two keys are equal when their names are.
#[derive(Debug, Clone)]
pub struct CacheKey {
    name: String,
    about: Option<About>,
}

/// What a key is for, in words a user recognises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct About {
    pub tenant: String,
    pub client_id: String,
    /// The resource of a token key (the scope without `/.default ...`); None for an account key.
    pub server: Option<String>,
}

impl PartialEq for CacheKey {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CacheKey {}

impl std::hash::Hash for CacheKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl CacheKey {
    /// The key of one access token: authority, tenant, client, scope and login mode.
    pub fn token(authority: &str, tenant: &str, client_id: &str, scope: &str, mode: &str) -> Self {
        let server = scope.split_whitespace().next().unwrap_or(scope);
        let server = server.strip_suffix("/.default").unwrap_or(server);
        Self::hashed("token", &[authority, tenant, client_id, scope, mode]).about(About {
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            server: Some(server.to_string()),
        })
    }

    /// The key of the account-level refresh token record of one sign-in (authority, tenant,
    /// client): a refresh token is not tied to a resource, so other server ids reuse it.
    pub fn account(authority: &str, tenant: &str, client_id: &str) -> Self {
        Self::hashed("account", &[authority, tenant, client_id]).about(About {
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            server: None,
        })
    }

    fn about(mut self, about: About) -> Self {
        self.about = Some(about);
        self
    }

    /// The tenant, client and server in clear, when the key was built from them.
    // Only the Secret Service (Linux) labels entries.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn described(&self) -> Option<&About> {
        self.about.as_ref()
    }

    fn hashed(kind: &str, parts: &[&str]) -> Self {
        // A JSON array keeps the parts unambiguous whatever characters they hold; case does not
        // matter to Entra for any of them.
        let parts: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
        let input = serde_json::json!([kind, parts]).to_string();
        let digest = Sha256::digest(input.as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
        }
        CacheKey {
            name: format!("{kind}-{hex}"),
            about: None,
        }
    }

    /// `token-<sha256 hex>` or `account-<sha256 hex>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Parses a name found on disk back into a key (used by `logout --all`).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        let (kind, hex) = name.split_once('-')?;
        let ok = matches!(kind, "token" | "account")
            && hex.len() == 64
            && hex.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| CacheKey {
            name: name.to_string(),
            about: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: [&str; 5] = [
        "https://login.microsoftonline.com/",
        "tenant-a",
        "client-a",
        "server-a/.default offline_access openid profile",
        "devicecode",
    ];

    fn key(parts: [&str; 5]) -> CacheKey {
        CacheKey::token(parts[0], parts[1], parts[2], parts[3], parts[4])
    }

    #[test]
    fn every_part_changes_the_key() {
        let base = key(BASE);
        for i in 0..5 {
            let mut parts = BASE;
            parts[i] = "something-else";
            assert_ne!(key(parts), base, "part {i} must be in the key");
        }
    }

    #[test]
    fn keys_are_stable_case_insensitive_and_unambiguous() {
        assert_eq!(key(BASE), key(BASE));
        let mut upper = BASE;
        upper[1] = "TENANT-A";
        assert_eq!(key(upper), key(BASE));
        // Moving characters between parts must not collide.
        let a = CacheKey::account("ab", "c", "d");
        let b = CacheKey::account("a", "bc", "d");
        assert_ne!(a, b);
    }

    #[test]
    fn account_and_token_keys_differ_and_round_trip() {
        let t = key(BASE);
        let a = CacheKey::account(BASE[0], BASE[1], BASE[2]);
        assert!(t.name().starts_with("token-"));
        assert!(a.name().starts_with("account-"));
        assert_eq!(CacheKey::from_name(t.name()), Some(t));
        assert_eq!(CacheKey::from_name("token-xyz"), None);
        assert_eq!(CacheKey::from_name("../etc"), None);
    }
}
