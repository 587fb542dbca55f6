//! What the cache keeps. Debug never shows a token.

use serde::{Deserialize, Serialize};

/// Bumped when the stored shape changes; entries of any other version are misses.
pub const FORMAT_VERSION: u32 = 1;

/// Who signed in, from the id token (never verified here: it came over TLS from the authority).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One access token for one (authority, tenant, client, scope, mode).
#[derive(Clone, Serialize, Deserialize)]
pub struct TokenEntry {
    pub version: u32,
    pub access_token: String,
    /// Unix seconds.
    pub expires_on: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub account: Account,
}

/// The refresh token of one sign-in (authority, tenant, client), shared by every server id.
#[derive(Clone, Serialize, Deserialize)]
pub struct AccountRecord {
    pub version: u32,
    pub refresh_token: String,
    #[serde(default)]
    pub account: Account,
    /// The token keys (names) this sign-in holds tokens under, one per server id (the cluster,
    /// Microsoft Graph, ...): each of those entries carries a refresh token too, so `logout`
    /// must remove them all to leave nothing that can refresh silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_keys: Vec<String>,
}

/// At most this many server ids are remembered per sign-in (a bound on the record's size; a
/// user signs in to a handful of clusters and Graph).
pub const MAX_TOKEN_KEYS: usize = 64;

impl AccountRecord {
    /// Adds `key` to the remembered token keys, keeping the most recent [`MAX_TOKEN_KEYS`].
    pub fn remember(&mut self, key: &str) {
        self.token_keys.retain(|k| k != key);
        self.token_keys.push(key.to_string());
        let excess = self.token_keys.len().saturating_sub(MAX_TOKEN_KEYS);
        self.token_keys.drain(..excess);
    }
}

impl TokenEntry {
    /// Seconds of validity left at `now` (unix seconds); negative once expired.
    pub fn seconds_left(&self, now: i64) -> i64 {
        self.expires_on.saturating_sub(now)
    }
}

impl std::fmt::Debug for TokenEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEntry")
            .field("version", &self.version)
            .field("access_token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("account", &self.account)
            .finish()
    }
}

impl std::fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRecord")
            .field("version", &self.version)
            .field("refresh_token", &"<redacted>")
            .field("account", &self.account)
            .field("token_keys", &self.token_keys.len())
            .finish()
    }
}

/// Something stored with a format version.
pub(crate) trait Versioned: serde::de::DeserializeOwned + Serialize {
    fn version(&self) -> u32;
}

impl Versioned for TokenEntry {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Versioned for AccountRecord {
    fn version(&self) -> u32 {
        self.version
    }
}

/// Decodes stored bytes; anything unreadable or of another version is a miss.
pub(crate) fn decode<T: Versioned>(bytes: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(bytes).ok()?;
    (value.version() == FORMAT_VERSION).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> TokenEntry {
        TokenEntry {
            version: FORMAT_VERSION,
            access_token: "AT-secret".into(),
            expires_on: 100,
            refresh_token: Some("RT-secret".into()),
            account: Account {
                upn: Some("a@b".into()),
                ..Default::default()
            },
        }
    }

    #[test]
    fn round_trips() {
        let bytes = serde_json::to_vec(&entry()).unwrap();
        let back: TokenEntry = decode(&bytes).unwrap();
        assert_eq!(back.access_token, "AT-secret");
        assert_eq!(back.account.upn.as_deref(), Some("a@b"));
    }

    #[test]
    fn corrupt_truncated_and_foreign_entries_are_misses() {
        let bytes = serde_json::to_vec(&entry()).unwrap();
        assert!(decode::<TokenEntry>(&bytes[..bytes.len() / 2]).is_none());
        assert!(decode::<TokenEntry>(b"").is_none());
        assert!(decode::<TokenEntry>(b"\xff\xfe garbage").is_none());
        assert!(decode::<TokenEntry>(b"[1,2,3]").is_none());
        let mut foreign = entry();
        foreign.version = 99;
        let bytes = serde_json::to_vec(&foreign).unwrap();
        assert!(decode::<TokenEntry>(&bytes).is_none());
        assert!(decode::<TokenEntry>(br#"{"access_token":"x","expires_on":1}"#).is_none());
    }

    #[test]
    fn debug_redacts_tokens() {
        let text = format!("{:?}", entry());
        assert!(!text.contains("secret"), "{text}");
        let record = AccountRecord {
            version: 1,
            refresh_token: "RT-secret".into(),
            account: Account::default(),
            token_keys: vec![],
        };
        assert!(!format!("{record:?}").contains("secret"));
    }

    #[test]
    fn remembers_token_keys_once_and_boundedly() {
        let mut record = AccountRecord {
            version: 1,
            refresh_token: "RT".into(),
            account: Account::default(),
            token_keys: vec![],
        };
        record.remember("token-a");
        record.remember("token-b");
        record.remember("token-a");
        assert_eq!(record.token_keys, ["token-b", "token-a"]);
        for i in 0..100 {
            record.remember(&format!("token-{i}"));
        }
        assert_eq!(record.token_keys.len(), MAX_TOKEN_KEYS);
        assert_eq!(
            record.token_keys.last().map(String::as_str),
            Some("token-99")
        );
        // Records written before the field existed still read.
        let old: AccountRecord =
            serde_json::from_str(r#"{"version":1,"refresh_token":"RT"}"#).unwrap();
        assert!(old.token_keys.is_empty());
    }

    #[test]
    fn seconds_left() {
        assert_eq!(entry().seconds_left(40), 60);
        assert_eq!(entry().seconds_left(140), -40);
    }
}
