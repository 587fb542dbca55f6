//! The token cache: picks the keyring or the file store, reads and writes entries, locks keys.

use super::entry::{AccountRecord, TokenEntry, Versioned, decode};
use super::{CacheKey, KeyLock, file_store, keyring_store};
use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What the user asked for with `--token-cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// The keyring when it answers, else files (said once on stderr).
    Auto,
    Keyring,
    File,
}

/// Where entries actually go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Keyring,
    File,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Keyring => "keyring",
            Backend::File => "file",
        }
    }
}

/// Remembers, per cache directory, that the keyring did not answer, so `auto` says so only once
/// and later calls go straight to the files.
const KEYRING_UNAVAILABLE_MARKER: &str = "keyring-unavailable";

/// The token cache of one directory. Lock files always live in the directory, whatever the store.
#[derive(Debug)]
pub struct TokenCache {
    dir: PathBuf,
    mode: StoreMode,
    chosen: Backend,
    /// Set once the keyring failed in `auto` mode: from then on, files.
    fell_back: AtomicBool,
}

impl Clone for TokenCache {
    fn clone(&self) -> Self {
        TokenCache {
            dir: self.dir.clone(),
            mode: self.mode,
            chosen: self.chosen,
            fell_back: AtomicBool::new(self.fell_back.load(Ordering::Relaxed)),
        }
    }
}

impl TokenCache {
    /// Opens the cache without touching the keyring; `auto` looks only for the fallback marker.
    pub fn open(mode: StoreMode, dir: PathBuf) -> TokenCache {
        let backend = match mode {
            StoreMode::File => Backend::File,
            StoreMode::Keyring => Backend::Keyring,
            StoreMode::Auto if dir.join(KEYRING_UNAVAILABLE_MARKER).exists() => Backend::File,
            StoreMode::Auto => Backend::Keyring,
        };
        TokenCache {
            dir,
            mode,
            chosen: backend,
            fell_back: AtomicBool::new(false),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store in use (it may switch from keyring to file after a failed keyring call).
    pub fn backend(&self) -> Backend {
        if self.fell_back.load(Ordering::Relaxed) {
            Backend::File
        } else {
            self.chosen
        }
    }

    /// Where an entry lives, for people.
    pub fn location(&self, key: &CacheKey) -> String {
        match self.backend() {
            Backend::File => file_store::entry_path(&self.dir, key.name())
                .display()
                .to_string(),
            Backend::Keyring => keyring_store::location(key.name()),
        }
    }

    pub fn read_token(&self, key: &CacheKey) -> Option<TokenEntry> {
        self.read(key)
    }

    pub fn read_account(&self, key: &CacheKey) -> Option<AccountRecord> {
        self.read(key)
    }

    pub fn write_token(&self, key: &CacheKey, entry: &TokenEntry) -> anyhow::Result<()> {
        self.write(key, entry)
    }

    pub fn write_account(&self, key: &CacheKey, record: &AccountRecord) -> anyhow::Result<()> {
        self.write(key, record)
    }

    /// Takes the per-key cross-process lock, blocking until it is free.
    pub fn lock(&self, key: &CacheKey) -> anyhow::Result<KeyLock> {
        file_store::ensure_dir(&self.dir).with_context(|| {
            format!(
                "cannot create the token cache directory {}",
                self.dir.display()
            )
        })?;
        let path = self.dir.join(format!("{}.lock", key.name()));
        KeyLock::acquire(&path).with_context(|| format!("cannot lock {}", path.display()))
    }

    fn read<T: Versioned>(&self, key: &CacheKey) -> Option<T> {
        let bytes = match self.backend() {
            Backend::File => file_store::read(&self.dir, key.name()),
            Backend::Keyring => match keyring_store::read(key.name()) {
                keyring_store::Lookup::Found(bytes) => Some(bytes),
                keyring_store::Lookup::Missing => None,
                keyring_store::Lookup::Unavailable(why) => {
                    if self.mode == StoreMode::Auto {
                        self.fall_back_to_files(&why);
                        file_store::read(&self.dir, key.name())
                    } else {
                        tracing::debug!("keyring read failed: {why}");
                        None
                    }
                }
            },
        }?;
        let value = decode(&bytes);
        if value.is_none() {
            tracing::debug!(
                "cache entry {} is unreadable; treating it as a miss",
                key.name()
            );
        }
        value
    }

    fn write<T: Versioned>(&self, key: &CacheKey, value: &T) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(value)?;
        if self.backend() == Backend::Keyring {
            match keyring_store::write(key.name(), &bytes) {
                Ok(()) => {
                    // An empty marker file lets `logout --all` find keyring entries later.
                    file_store::write(&self.dir, &format!("{}.keyring", key.name()), b"").ok();
                    return Ok(());
                }
                Err(why) if self.mode == StoreMode::Auto => self.fall_back_to_files(&why),
                Err(why) => anyhow::bail!(
                    "cannot store the token in the OS keyring: {why}; use --token-cache file to keep tokens in files instead"
                ),
            }
        }
        file_store::write(&self.dir, key.name(), &bytes).with_context(|| {
            format!(
                "cannot write the token cache in {}; check its permissions or pass --token-cache-dir",
                self.dir.display()
            )
        })
    }

    fn fall_back_to_files(&self, why: &str) {
        self.fell_back.store(true, Ordering::Relaxed);
        let marker = self.dir.join(KEYRING_UNAVAILABLE_MARKER);
        if marker.exists() {
            return;
        }
        crate::say!(
            "kubectl-entra: the OS keyring is not available ({why}); keeping tokens in files under {} (0600). This is said once.",
            self.dir.display()
        );
        let _ = file_store::ensure_dir(&self.dir).and_then(|()| std::fs::write(&marker, b""));
    }

    /// Removes one key from both stores. Returns whether anything was removed.
    pub fn remove(&self, key: &CacheKey) -> anyhow::Result<bool> {
        let mut removed = file_store::remove(&self.dir, key.name())
            .with_context(|| format!("cannot remove a cache file in {}", self.dir.display()))?;
        let marker = format!("{}.keyring", key.name());
        let had_marker = file_store::remove(&self.dir, &marker).unwrap_or(false);
        if self.mode != StoreMode::File || had_marker {
            match keyring_store::remove(key.name()) {
                Ok(r) => {
                    tracing::debug!("keyring entry {}: removed={r}", key.name());
                    removed |= r
                }
                Err(why) if self.mode == StoreMode::Keyring => {
                    anyhow::bail!("cannot remove the keyring entry {}: {why}", key.name())
                }
                Err(why) => tracing::debug!("keyring remove skipped: {why}"),
            }
        }
        Ok(removed)
    }

    /// Removes every entry of this directory from both stores. Returns how many were removed.
    pub fn remove_all(&self) -> anyhow::Result<usize> {
        let read_dir = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot list {}", self.dir.display()));
            }
        };
        let mut keys = std::collections::BTreeSet::new();
        for item in read_dir.flatten() {
            let file = item.file_name();
            let Some(file) = file.to_str() else { continue };
            let stem = file
                .strip_suffix(".keyring.json")
                .or_else(|| file.strip_suffix(".json"));
            if let Some(key) = stem.and_then(CacheKey::from_name) {
                keys.insert(key.name().to_string());
            }
        }
        let mut count = 0;
        for name in keys {
            if let Some(key) = CacheKey::from_name(&name)
                && self.remove(&key)?
            {
                count += 1;
            }
        }
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Account, FORMAT_VERSION};
    use super::*;

    fn entry(token: &str) -> TokenEntry {
        TokenEntry {
            version: FORMAT_VERSION,
            access_token: token.into(),
            expires_on: 10,
            refresh_token: None,
            account: Account::default(),
        }
    }

    #[test]
    fn file_store_round_trip_and_corruption_is_a_miss_then_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::File, dir.path().join("c"));
        let key = CacheKey::token("a", "t", "c", "s", "m");
        assert!(cache.read_token(&key).is_none());
        cache.write_token(&key, &entry("one")).unwrap();
        assert_eq!(cache.read_token(&key).unwrap().access_token, "one");

        let path = file_store::entry_path(cache.dir(), key.name());
        std::fs::write(&path, b"{\"version\":1,\"access_tok").unwrap();
        assert!(
            cache.read_token(&key).is_none(),
            "truncated entry is a miss"
        );
        cache.write_token(&key, &entry("two")).unwrap();
        assert_eq!(cache.read_token(&key).unwrap().access_token, "two");
    }

    #[test]
    fn remove_and_remove_all() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::File, dir.path().to_path_buf());
        let a = CacheKey::token("a", "t", "c", "s", "m");
        let b = CacheKey::account("a", "t", "c");
        cache.write_token(&a, &entry("one")).unwrap();
        cache
            .write_account(
                &b,
                &AccountRecord {
                    version: FORMAT_VERSION,
                    refresh_token: "r".into(),
                    account: Account::default(),
                },
            )
            .unwrap();
        let _lock = cache.lock(&a).unwrap();
        assert!(cache.remove(&a).unwrap());
        assert!(!cache.remove(&a).unwrap());
        cache.write_token(&a, &entry("one")).unwrap();
        assert_eq!(cache.remove_all().unwrap(), 2);
        assert!(cache.read_account(&b).is_none());
    }

    #[test]
    fn auto_uses_files_once_the_marker_exists() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEYRING_UNAVAILABLE_MARKER), b"").unwrap();
        let cache = TokenCache::open(StoreMode::Auto, dir.path().to_path_buf());
        assert_eq!(cache.backend(), Backend::File);
    }

    #[test]
    fn auto_falls_back_to_files_and_remembers_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::Auto, dir.path().join("c"));
        cache.fall_back_to_files("test: no keyring");
        assert_eq!(cache.backend(), Backend::File);
        assert!(cache.dir().join(KEYRING_UNAVAILABLE_MARKER).exists());
        // A later process starts on files straight away.
        let later = TokenCache::open(StoreMode::Auto, dir.path().join("c"));
        assert_eq!(later.backend(), Backend::File);
        let forced = TokenCache::open(StoreMode::Keyring, dir.path().join("c"));
        assert_eq!(forced.backend(), Backend::Keyring);
    }
}
