//! The token cache: picks the OS store (the Secret Service on Linux, the keyring elsewhere, the
//! kernel keyring when asked) or the file store, reads and writes entries, locks keys, and moves
//! entries an earlier version left in the file store or the kernel keyring into the Secret
//! Service, so an upgrade needs no new sign-in.

use super::entry::{AccountRecord, TokenEntry, Versioned, decode};
use super::keyring_store::Lookup;
use super::{CacheKey, KeyLock, file_store, keyring_store, secret_service};
use crate::sink::{Sink, Stderr};
use anyhow::Context as _;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the user asked for with `--token-cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// The OS store when it answers (on Linux the Secret Service), else files (said once).
    Auto,
    /// The OS store only (on Linux the Secret Service).
    Keyring,
    File,
    /// The Linux kernel keyring (keyutils): in memory, emptied at reboot. Only when asked for.
    KernelKeyring,
}

/// Where entries actually go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The freedesktop Secret Service (Linux).
    SecretService,
    /// The keyring crate's store: Keychain, Credential Manager, or the Linux kernel keyring.
    Keyring,
    File,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::Keyring if cfg!(target_os = "linux") => "keyring-kernel",
            Backend::Keyring => "keyring",
            Backend::File => "file",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Backend::SecretService => "the Secret Service",
            Backend::Keyring if cfg!(target_os = "linux") => "the kernel keyring",
            _ => "the OS keyring",
        }
    }
}

/// The OS store of `auto` and `keyring` on this platform.
const NATIVE: Backend = if cfg!(target_os = "linux") {
    Backend::SecretService
} else {
    Backend::Keyring
};

/// Remembers, per cache directory, that the keyring did not answer, so `auto` says so only once
/// and later calls go straight to the files (macOS, Windows: the keyring does not come and go).
const KEYRING_UNAVAILABLE_MARKER: &str = "keyring-unavailable";
/// Remembers that `auto` said the Secret Service is not there, so the line is said once. The
/// service is still asked every time: it comes and goes with the desktop session (SSH, CI).
const SECRET_SERVICE_NOTICE_MARKER: &str = "secret-service-unavailable";

/// The token cache of one directory. Lock files always live in the directory, whatever the store.
pub struct TokenCache {
    dir: PathBuf,
    mode: StoreMode,
    chosen: Backend,
    /// Set once the OS store failed in `auto` mode: from then on, files.
    fell_back: AtomicBool,
    /// Where warnings go (an ignored entry, the keyring fallback).
    sink: Arc<dyn Sink>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("dir", &self.dir)
            .field("mode", &self.mode)
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

impl Clone for TokenCache {
    fn clone(&self) -> Self {
        TokenCache {
            dir: self.dir.clone(),
            mode: self.mode,
            chosen: self.chosen,
            fell_back: AtomicBool::new(self.fell_back.load(Ordering::Relaxed)),
            sink: Arc::clone(&self.sink),
        }
    }
}

/// Says a warning once per process: a get-token reads the same entry up to three times, and a
/// planted file should cost one line, not three.
fn warn_once(sink: &dyn Sink, line: &str) {
    static SAID: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let first = SAID
        .lock()
        .map(|mut said| said.insert(line.to_string()))
        .unwrap_or(true);
    if first {
        sink.warn(line);
    }
}

impl TokenCache {
    /// Opens the cache without touching the OS store. Warnings go to stderr until
    /// [`TokenCache::with_sink`] says otherwise.
    pub fn open(mode: StoreMode, dir: PathBuf) -> TokenCache {
        let backend = match mode {
            StoreMode::File => Backend::File,
            StoreMode::KernelKeyring => Backend::Keyring,
            StoreMode::Keyring => NATIVE,
            StoreMode::Auto
                if NATIVE == Backend::Keyring && dir.join(KEYRING_UNAVAILABLE_MARKER).exists() =>
            {
                Backend::File
            }
            StoreMode::Auto => NATIVE,
        };
        TokenCache {
            dir,
            mode,
            chosen: backend,
            fell_back: AtomicBool::new(false),
            sink: Arc::new(Stderr),
        }
    }

    /// Sends the cache's warnings to `sink` instead of stderr.
    pub fn with_sink(mut self, sink: Arc<dyn Sink>) -> TokenCache {
        self.sink = sink;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store in use (it may switch from the OS store to files after a failed call).
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
            Backend::SecretService => secret_service::location(key),
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

    /// Takes the per-key cross-process lock, waiting at most `max_wait`. `on_wait` is called once
    /// if the wait passes a second (the caller says another kubectl-entra is signing in). A lock
    /// whose holder died is free at once. Creates the cache directory (0700) if needed and
    /// refuses one that is shared or not ours.
    pub fn lock(
        &self,
        key: &CacheKey,
        max_wait: Duration,
        on_wait: &mut dyn FnMut(),
    ) -> anyhow::Result<KeyLock> {
        file_store::ensure_dir(&self.dir)?;
        let path = self.dir.join(format!("{}.lock", key.name()));
        KeyLock::acquire(&path, max_wait, on_wait)
    }

    fn os_read(&self, backend: Backend, key: &CacheKey) -> Lookup {
        match backend {
            Backend::SecretService => secret_service::read(&self.dir, key),
            _ => keyring_store::read(key.name()),
        }
    }

    fn os_write(&self, backend: Backend, key: &CacheKey, bytes: &[u8]) -> Result<(), String> {
        match backend {
            Backend::SecretService => secret_service::write(&self.dir, key, bytes),
            _ => keyring_store::write(key.name(), bytes),
        }
    }

    fn read<T: Versioned>(&self, key: &CacheKey) -> Option<T> {
        let bytes = match self.backend() {
            Backend::File => self.read_file(key),
            os => match self.os_read(os, key) {
                Lookup::Found(bytes) => Some(bytes),
                Lookup::Missing if os == Backend::SecretService => self.migrate(key),
                Lookup::Missing => None,
                Lookup::Unavailable(why) => {
                    if self.mode == StoreMode::Auto {
                        self.fall_back_to_files(os, &why);
                        self.read_file(key)
                    } else {
                        tracing::debug!("{} read failed: {why}", os.describe());
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

    /// A Secret Service miss: the entry may still be where an earlier version (or this one,
    /// while the service was away) kept it, in the file store or the kernel keyring. Found there,
    /// it is moved into the Secret Service (left in place if that fails) and used.
    fn migrate(&self, key: &CacheKey) -> Option<Vec<u8>> {
        let (bytes, from_kernel) = match file_store::read(&self.dir, key.name()) {
            file_store::Read::Found(bytes) => (bytes, false),
            file_store::Read::Ignored(why) => {
                warn_once(&*self.sink, &why);
                return None;
            }
            // The earlier version left an empty `<name>.keyring` marker beside each kernel
            // keyring entry; without one there is nothing to look for.
            file_store::Read::Missing if self.kernel_marker(key).exists() => {
                match keyring_store::read(key.name()) {
                    Lookup::Found(bytes) => (bytes, true),
                    _ => return None,
                }
            }
            file_store::Read::Missing => return None,
        };
        match secret_service::write(&self.dir, key, &bytes) {
            Ok(()) => {
                let moved = if from_kernel {
                    let _ = keyring_store::remove(key.name());
                    let _ = std::fs::remove_file(self.kernel_marker(key));
                    "the kernel keyring"
                } else {
                    let _ = file_store::remove(&self.dir, key.name());
                    "the file store"
                };
                tracing::debug!("moved {} from {moved} to the Secret Service", key.name());
            }
            Err(why) => tracing::debug!("cannot move {} to the Secret Service: {why}", key.name()),
        }
        Some(bytes)
    }

    fn kernel_marker(&self, key: &CacheKey) -> PathBuf {
        file_store::entry_path(&self.dir, &format!("{}.keyring", key.name()))
    }

    fn read_file(&self, key: &CacheKey) -> Option<Vec<u8>> {
        match file_store::read(&self.dir, key.name()) {
            file_store::Read::Found(bytes) => Some(bytes),
            file_store::Read::Missing => None,
            file_store::Read::Ignored(why) => {
                warn_once(&*self.sink, &why);
                None
            }
        }
    }

    fn write<T: Versioned>(&self, key: &CacheKey, value: &T) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(value)?;
        let os = self.backend();
        if os != Backend::File {
            match self.os_write(os, key, &bytes) {
                Ok(()) if os == Backend::Keyring => {
                    // An empty marker file lets `logout --all` find keyring entries later.
                    file_store::write(&self.dir, &format!("{}.keyring", key.name()), b"").ok();
                    return Ok(());
                }
                Ok(()) => {
                    // Back again: a later outage is worth saying again.
                    let _ = std::fs::remove_file(self.dir.join(SECRET_SERVICE_NOTICE_MARKER));
                    return Ok(());
                }
                Err(why) if self.mode == StoreMode::Auto => self.fall_back_to_files(os, &why),
                Err(why) => anyhow::bail!(
                    "cannot store the token in {}: {why}; use --token-cache file to keep tokens in files instead",
                    os.describe()
                ),
            }
        }
        file_store::write(&self.dir, key.name(), &bytes)
    }

    fn fall_back_to_files(&self, os: Backend, why: &str) {
        self.fell_back.store(true, Ordering::Relaxed);
        let marker = self.dir.join(match os {
            Backend::SecretService => SECRET_SERVICE_NOTICE_MARKER,
            _ => KEYRING_UNAVAILABLE_MARKER,
        });
        if marker.exists() {
            return;
        }
        warn_once(
            &*self.sink,
            &format!(
                "{} is not available ({why}); keeping tokens in files under {} (0600). This is said once.",
                os.describe(),
                self.dir.display()
            ),
        );
        let created = file_store::ensure_dir(&self.dir).and_then(|()| {
            file_store::open_options_no_follow()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&marker)
                .map_err(anyhow::Error::from)
        });
        if let Err(e) = created {
            tracing::debug!("cannot leave the fallback marker: {e:#}");
        }
    }

    /// Removes `keys` from both stores while holding their locks, so a refresh in flight cannot
    /// write a token back after this returns, then sweeps temp files no live writer holds.
    /// Locks are taken in the order given (token keys before account keys, as the sign-in
    /// flow's would be), within `max_wait` in all; `on_wait` is called at most once. Returns how
    /// many keys had something to remove.
    pub fn remove(
        &self,
        keys: &[CacheKey],
        max_wait: Duration,
        on_wait: &mut dyn FnMut(),
    ) -> anyhow::Result<usize> {
        // Refuses a shared or foreign directory before anything in it is touched.
        file_store::ensure_dir(&self.dir)?;
        let deadline = Instant::now() + max_wait;
        let mut told = false;
        let mut notice = || {
            if !std::mem::replace(&mut told, true) {
                on_wait();
            }
        };
        let mut locks = Vec::with_capacity(keys.len());
        for key in keys {
            let left = deadline.saturating_duration_since(Instant::now());
            locks.push(self.lock(key, left, &mut notice)?);
        }
        let mut count = 0;
        for key in keys {
            if self.remove_locked(key)? {
                count += 1;
            }
        }
        let swept = file_store::remove_orphaned_temp_files(&self.dir, Duration::ZERO);
        tracing::debug!("removed {swept} orphaned temp files");
        drop(locks);
        Ok(count)
    }

    /// Removes every entry of this directory from both stores, under each key's lock (see
    /// [`TokenCache::remove`]). Returns how many keys had something to remove.
    pub fn remove_all(
        &self,
        max_wait: Duration,
        on_wait: &mut dyn FnMut(),
    ) -> anyhow::Result<usize> {
        let read_dir = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot list {}", self.dir.display()));
            }
        };
        // Lock files count too: a key being signed in for may have no entry yet.
        let mut names = BTreeSet::new();
        for item in read_dir.flatten() {
            let file = item.file_name();
            let Some(file) = file.to_str() else { continue };
            let stem = file
                .strip_suffix(".keyring.json")
                .or_else(|| file.strip_suffix(".json"))
                .or_else(|| file.strip_suffix(".lock"));
            if let Some(key) = stem.and_then(CacheKey::from_name) {
                names.insert(key.name().to_string());
            }
        }
        if matches!(self.mode, StoreMode::Auto | StoreMode::Keyring)
            && NATIVE == Backend::SecretService
        {
            match secret_service::names(&self.dir) {
                Ok(found) => names.extend(
                    found
                        .into_iter()
                        .filter(|n| CacheKey::from_name(n).is_some()),
                ),
                Err(why) => tracing::debug!("cannot list the Secret Service entries: {why}"),
            }
        }
        let (tokens, accounts): (Vec<_>, Vec<_>) = names
            .iter()
            .filter_map(|name| CacheKey::from_name(name))
            .partition(|key| key.name().starts_with("token-"));
        let keys: Vec<CacheKey> = tokens.into_iter().chain(accounts).collect();
        self.remove(&keys, max_wait, on_wait)
    }

    /// Removes one key from every store it may be in; the caller holds its lock.
    fn remove_locked(&self, key: &CacheKey) -> anyhow::Result<bool> {
        let mut removed = file_store::remove(&self.dir, key.name())
            .with_context(|| format!("cannot remove a cache file in {}", self.dir.display()))?;
        let marker = format!("{}.keyring", key.name());
        let had_marker = file_store::remove(&self.dir, &marker).unwrap_or(false);
        let wants_native = matches!(self.mode, StoreMode::Auto | StoreMode::Keyring);
        if wants_native && NATIVE == Backend::SecretService {
            match secret_service::remove(&self.dir, key) {
                Ok(r) => removed |= r,
                Err(why) if self.mode == StoreMode::Keyring => {
                    anyhow::bail!(
                        "cannot remove the Secret Service entry {}: {why}",
                        key.name()
                    )
                }
                Err(why) => tracing::debug!("Secret Service remove skipped: {why}"),
            }
        }
        let kernel_or_native_keyring = self.mode == StoreMode::KernelKeyring
            || had_marker
            || (wants_native && NATIVE == Backend::Keyring);
        if kernel_or_native_keyring {
            match keyring_store::remove(key.name()) {
                Ok(r) => {
                    tracing::debug!("keyring entry {}: removed={r}", key.name());
                    removed |= r
                }
                Err(why)
                    if self.mode == StoreMode::KernelKeyring
                        || (self.mode == StoreMode::Keyring && NATIVE == Backend::Keyring) =>
                {
                    anyhow::bail!("cannot remove the keyring entry {}: {why}", key.name())
                }
                Err(why) => tracing::debug!("keyring remove skipped: {why}"),
            }
        }
        Ok(removed)
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

    fn no_wait() -> impl FnMut() {
        || panic!("no wait expected")
    }

    const WAIT: Duration = Duration::from_secs(30);

    fn account(rt: &str) -> AccountRecord {
        AccountRecord {
            version: FORMAT_VERSION,
            refresh_token: rt.into(),
            account: Account::default(),
            token_keys: vec![],
        }
    }

    #[test]
    fn remove_and_remove_all() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::File, dir.path().to_path_buf());
        let a = CacheKey::token("a", "t", "c", "s", "m");
        let b = CacheKey::account("a", "t", "c");
        cache.write_token(&a, &entry("one")).unwrap();
        cache.write_account(&b, &account("r")).unwrap();
        assert_eq!(
            cache
                .remove(std::slice::from_ref(&a), WAIT, &mut no_wait())
                .unwrap(),
            1
        );
        assert_eq!(
            cache
                .remove(std::slice::from_ref(&a), WAIT, &mut no_wait())
                .unwrap(),
            0
        );
        cache.write_token(&a, &entry("one")).unwrap();
        assert_eq!(cache.remove_all(WAIT, &mut no_wait()).unwrap(), 2);
        assert!(cache.read_account(&b).is_none());
        // Only the lock files stay: deleting them would break the lock.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| !n.ends_with(".lock"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    /// A refresh holds the key's lock and writes the new token just before it lets go; logout
    /// must remove what that refresh wrote, not be overtaken by it.
    #[test]
    fn remove_waits_for_a_refresh_in_flight_and_removes_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::File, dir.path().to_path_buf());
        let token = CacheKey::token("a", "t", "c", "s", "m");
        let acct = CacheKey::account("a", "t", "c");
        cache.write_token(&token, &entry("old")).unwrap();
        let held = cache.lock(&token, Duration::ZERO, &mut no_wait()).unwrap();
        let (waiting_tx, waiting_rx) = std::sync::mpsc::channel();
        let refresh = std::thread::spawn({
            let cache = cache.clone();
            let (token, acct) = (token.clone(), acct.clone());
            move || {
                // Logout is waiting: the refresh finishes now, writes, then unlocks.
                waiting_rx.recv().unwrap();
                cache.write_token(&token, &entry("refreshed")).unwrap();
                cache.write_account(&acct, &account("rt")).unwrap();
                drop(held);
            }
        });
        let mut notices = 0;
        let removed = cache
            .remove(&[token.clone(), acct.clone()], WAIT, &mut || {
                notices += 1;
                waiting_tx.send(()).unwrap();
            })
            .unwrap();
        refresh.join().unwrap();
        assert_eq!(notices, 1);
        assert_eq!(removed, 2);
        assert!(
            cache.read_token(&token).is_none(),
            "the refresh's token is gone"
        );
        assert!(cache.read_account(&acct).is_none());
    }

    #[test]
    fn remove_gives_up_on_a_lock_held_too_long_and_keeps_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::File, dir.path().to_path_buf());
        let token = CacheKey::token("a", "t", "c", "s", "m");
        cache.write_token(&token, &entry("one")).unwrap();
        let _held = cache.lock(&token, Duration::ZERO, &mut no_wait()).unwrap();
        let err = cache
            .remove(
                std::slice::from_ref(&token),
                Duration::from_millis(300),
                &mut || {},
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("has held the token cache lock"),
            "{err}"
        );
        assert_eq!(cache.read_token(&token).unwrap().access_token, "one");
    }

    #[cfg(unix)]
    #[test]
    fn an_untrusted_entry_is_a_miss_with_one_warning_per_process() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let recorder = Arc::new(crate::sink::Recorder::default());
        let cache =
            TokenCache::open(StoreMode::File, dir.path().join("c")).with_sink(recorder.clone());
        let key = CacheKey::token("a", "t", "c", "s", "m");
        cache.write_token(&key, &entry("planted")).unwrap();
        let path = file_store::entry_path(cache.dir(), key.name());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        for _ in 0..3 {
            assert!(cache.read_token(&key).is_none());
        }
        assert!(cache.clone().read_token(&key).is_none());
        let lines = recorder.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("mode 0644"), "{lines:?}");
        assert!(!lines[0].contains("planted"));
    }

    #[test]
    fn logout_sweeps_orphaned_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::open(StoreMode::File, dir.path().to_path_buf());
        let orphan = dir.path().join(".tmp-abc123.partial");
        std::fs::write(&orphan, b"{\"refresh_token\":\"x\"}").unwrap();
        cache.remove_all(WAIT, &mut no_wait()).unwrap();
        assert!(!orphan.exists());
    }

    /// macOS and Windows: the keyring does not come and go, so a failure is remembered.
    #[cfg(not(target_os = "linux"))]
    #[test]
    fn auto_uses_files_once_the_marker_exists() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEYRING_UNAVAILABLE_MARKER), b"").unwrap();
        let cache = TokenCache::open(StoreMode::Auto, dir.path().to_path_buf());
        assert_eq!(cache.backend(), Backend::File);
    }

    #[test]
    fn auto_falls_back_to_files_and_says_so_once_per_directory() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Arc::new(crate::sink::Recorder::default());
        let cache =
            TokenCache::open(StoreMode::Auto, dir.path().join("c")).with_sink(recorder.clone());
        assert_eq!(cache.backend(), NATIVE);
        cache.fall_back_to_files(NATIVE, "test: no store");
        let lines = recorder.lines();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("test: no store") && lines[0].contains("0600"));
        assert_eq!(cache.backend(), Backend::File);
        // A later process is not told again.
        let recorder = Arc::new(crate::sink::Recorder::default());
        let later =
            TokenCache::open(StoreMode::Auto, dir.path().join("c")).with_sink(recorder.clone());
        later.fall_back_to_files(NATIVE, "test: no store, again");
        assert!(recorder.lines().is_empty());
        let forced = TokenCache::open(StoreMode::Keyring, dir.path().join("c"));
        assert_eq!(forced.backend(), NATIVE);
        let kernel = TokenCache::open(StoreMode::KernelKeyring, dir.path().join("c"));
        assert_eq!(kernel.backend(), Backend::Keyring);
    }

    /// Linux: the Secret Service comes and goes with the desktop session, so `auto` asks it
    /// again in every process.
    #[cfg(target_os = "linux")]
    #[test]
    fn auto_asks_the_secret_service_again_after_a_fallback() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRET_SERVICE_NOTICE_MARKER), b"").unwrap();
        let cache = TokenCache::open(StoreMode::Auto, dir.path().to_path_buf());
        assert_eq!(cache.backend(), Backend::SecretService);
    }
}
