//! The freedesktop Secret Service (GNOME Keyring, KWallet) on Linux, over zbus (pure Rust
//! D-Bus) with the secret-service crate's Rust crypto: nothing new at build time.
//!
//! Entries go to the default collection with a label users recognise in Seahorse
//! ("kubectl-entra token for <server> (<tenant>)") and attributes that name the tenant, client
//! and server, and the cache directory: two HOMEs or two `--token-cache-dir` values never see
//! each other's entries. An entry is found by (application, cache dir, key name).
//!
//! Calls run on one worker thread per process with its own single-threaded runtime and one
//! D-Bus connection: the cache API is synchronous and may be called from inside the command's
//! runtime, and a get-token reads up to three entries, which should not cost three connections.
//!
//! A locked collection is unlocked through the desktop's prompt (as other apps do) when a
//! display is there to show it; without one the call fails and `auto` falls back to files.

use super::CacheKey;
use super::keyring_store::Lookup;
use secret_service::{EncryptionType, SecretService};
use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

const APPLICATION: &str = "kubectl-entra";
/// Seahorse groups items by schema.
const SCHEMA: &str = "io.github.kubectl_entra.Token";
/// A D-Bus call that takes longer than this is a service that does not answer.
const CALL_LIMIT: Duration = Duration::from_secs(10);
/// How long a person has to answer the desktop's unlock prompt.
const PROMPT_LIMIT: Duration = Duration::from_secs(120);

type Connected = Result<SecretService<'static>, String>;
type BoxFut<'s, T> = Pin<Box<dyn Future<Output = T> + 's>>;
type Job = Box<dyn for<'s> FnOnce(&'s Connected) -> BoxFut<'s, ()> + Send + 'static>;

/// The worker's inbox; None when the worker could not be started.
fn worker() -> Option<&'static Mutex<mpsc::Sender<Job>>> {
    static WORKER: OnceLock<Option<Mutex<mpsc::Sender<Job>>>> = OnceLock::new();
    WORKER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Job>();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            std::thread::Builder::new()
                .name("secret-service".into())
                .spawn(move || {
                    runtime.block_on(async move {
                        let connected: Connected = match tokio::time::timeout(
                            CALL_LIMIT,
                            SecretService::connect(EncryptionType::Dh),
                        )
                        .await
                        {
                            Ok(Ok(ss)) => Ok(ss),
                            Ok(Err(e)) => Err(describe(&e)),
                            Err(_) => Err("the session bus did not answer".into()),
                        };
                        // Jobs come one at a time; the connection's own tasks run while they wait.
                        while let Ok(job) = rx.recv() {
                            job(&connected).await;
                        }
                    })
                })
                .ok()?;
            Some(Mutex::new(tx))
        })
        .as_ref()
}

/// Runs `op` on the worker and waits for its answer.
fn call<T: Send + 'static>(
    op: impl for<'s> FnOnce(&'s SecretService<'static>) -> BoxFut<'s, Result<T, String>>
    + Send
    + 'static,
) -> Result<T, String> {
    let (reply_tx, reply_rx) = mpsc::channel();
    let job: Job = Box::new(move |connected| {
        Box::pin(async move {
            let result = match connected {
                Ok(ss) => op(ss).await,
                Err(why) => Err(why.clone()),
            };
            let _ = reply_tx.send(result);
        })
    });
    let sent = worker()
        .ok_or_else(|| "cannot start the Secret Service worker".to_string())?
        .lock()
        .map_err(|_| "the Secret Service worker failed".to_string())?
        .send(job);
    sent.map_err(|_| "the Secret Service worker stopped".to_string())?;
    reply_rx
        .recv_timeout(PROMPT_LIMIT + CALL_LIMIT * 2)
        .map_err(|_| "the Secret Service did not answer".to_string())?
}

/// Bounds one D-Bus exchange.
async fn bounded<T>(
    f: impl Future<Output = Result<T, secret_service::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(CALL_LIMIT, f).await {
        Ok(r) => r.map_err(|e| describe(&e)),
        Err(_) => Err("the Secret Service did not answer within 10 s".into()),
    }
}

fn describe(e: &secret_service::Error) -> String {
    use secret_service::Error as E;
    let text = match e {
        E::Unavailable => "no session bus or no Secret Service on it".to_string(),
        E::Locked => "the keyring is locked".to_string(),
        E::Prompt => "the unlock prompt was dismissed".to_string(),
        E::NoResult => "there is no default keyring".to_string(),
        other => other.to_string(),
    };
    crate::sink::printable(&text).into_owned()
}

/// Whether the desktop can show an unlock prompt: a graphical session is there.
fn can_prompt() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
}

/// The default collection, unlocked (prompting through the desktop when it can).
async fn unlocked_default<'s>(
    ss: &'s SecretService<'static>,
) -> Result<secret_service::Collection<'s>, String> {
    let collection = bounded(ss.get_default_collection()).await?;
    if bounded(collection.is_locked()).await? {
        if !can_prompt() {
            return Err(
                "the default keyring is locked and no desktop session is there to prompt for its password"
                    .into(),
            );
        }
        match tokio::time::timeout(PROMPT_LIMIT, collection.unlock()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(describe(&e)),
            Err(_) => return Err("the unlock prompt was not answered within 2 minutes".into()),
        }
    }
    Ok(collection)
}

/// The cache directory as it is named in the attributes (absolute, symlinks resolved when it
/// exists), so the same directory always matches.
fn dir_attribute(dir: &Path) -> String {
    let dir: PathBuf = dir
        .canonicalize()
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf());
    dir.to_string_lossy().into_owned()
}

/// What finds an entry again.
fn identity(dir: &Path, key: &CacheKey) -> Vec<(&'static str, String)> {
    vec![
        ("application", APPLICATION.to_string()),
        ("cache-dir", dir_attribute(dir)),
        ("cache-key", key.name().to_string()),
    ]
}

/// The label users see in Seahorse.
pub(crate) fn label(key: &CacheKey) -> String {
    match key.described() {
        Some(about) => match &about.server {
            Some(server) => format!("kubectl-entra token for {server} ({})", about.tenant),
            None => format!(
                "kubectl-entra sign-in for {} (client {})",
                about.tenant, about.client_id
            ),
        },
        None => format!("kubectl-entra {}", key.name()),
    }
}

fn as_map(attrs: &[(&'static str, String)]) -> HashMap<&'static str, String> {
    attrs.iter().cloned().collect()
}

fn borrowed<'a>(map: &'a HashMap<&'static str, String>) -> HashMap<&'a str, &'a str> {
    map.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

pub(crate) fn read(dir: &Path, key: &CacheKey) -> Lookup {
    let wanted = as_map(&identity(dir, key));
    let result = call(move |ss| {
        Box::pin(async move {
            let collection = unlocked_default(ss).await?;
            let items = bounded(collection.search_items(borrowed(&wanted))).await?;
            match items.first() {
                Some(item) => bounded(item.get_secret()).await.map(Some),
                None => Ok(None),
            }
        })
    });
    match result {
        Ok(Some(bytes)) => Lookup::Found(bytes),
        Ok(None) => Lookup::Missing,
        Err(why) => Lookup::Unavailable(why),
    }
}

pub(crate) fn write(dir: &Path, key: &CacheKey, bytes: &[u8]) -> Result<(), String> {
    let mut attrs = as_map(&identity(dir, key));
    attrs.insert("xdg:schema", SCHEMA.to_string());
    if let Some(about) = key.described() {
        attrs.insert("tenant", about.tenant.clone());
        attrs.insert("client-id", about.client_id.clone());
        if let Some(server) = &about.server {
            attrs.insert("server", server.clone());
        }
    }
    let label = label(key);
    let secret = bytes.to_vec();
    call(move |ss| {
        Box::pin(async move {
            let collection = unlocked_default(ss).await?;
            bounded(collection.create_item(
                &label,
                borrowed(&attrs),
                &secret,
                true,
                "application/json",
            ))
            .await
            .map(drop)
        })
    })
}

/// Removes the entry; `Ok(false)` when there was none.
pub(crate) fn remove(dir: &Path, key: &CacheKey) -> Result<bool, String> {
    let wanted = as_map(&identity(dir, key));
    call(move |ss| {
        Box::pin(async move {
            let collection = unlocked_default(ss).await?;
            let items = bounded(collection.search_items(borrowed(&wanted))).await?;
            for item in &items {
                bounded(item.delete()).await?;
            }
            Ok(!items.is_empty())
        })
    })
}

/// The key names stored for `dir` (for `logout --all`).
pub(crate) fn names(dir: &Path) -> Result<Vec<String>, String> {
    let wanted: HashMap<&'static str, String> = [
        ("application", APPLICATION.to_string()),
        ("cache-dir", dir_attribute(dir)),
    ]
    .into_iter()
    .collect();
    call(move |ss| {
        Box::pin(async move {
            let collection = unlocked_default(ss).await?;
            let items = bounded(collection.search_items(borrowed(&wanted))).await?;
            let mut names = Vec::new();
            for item in &items {
                let attrs = bounded(item.get_attributes()).await?;
                if let Some(name) = attrs.get("cache-key") {
                    names.push(name.clone());
                }
            }
            Ok(names)
        })
    })
}

/// A human description of where an entry lives.
pub(crate) fn location(key: &CacheKey) -> String {
    format!(
        "Secret Service (default keyring), item {:?}, attribute cache-key={}",
        label(key),
        key.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_server_and_tenant() {
        let token = CacheKey::token(
            "https://login.microsoftonline.com/",
            "contoso.onmicrosoft.com",
            "client",
            "6dae42f8-4368-4678-94ff-3960e28e3630/.default offline_access openid profile",
            "devicecode",
        );
        assert_eq!(
            label(&token),
            "kubectl-entra token for 6dae42f8-4368-4678-94ff-3960e28e3630 (contoso.onmicrosoft.com)"
        );
        let account = CacheKey::account("https://a/", "t1", "c1");
        assert_eq!(label(&account), "kubectl-entra sign-in for t1 (client c1)");
    }

    #[test]
    fn two_cache_dirs_are_two_identities() {
        let key = CacheKey::account("https://a/", "t1", "c1");
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_ne!(identity(a.path(), &key), identity(b.path(), &key));
        assert_eq!(identity(a.path(), &key), identity(a.path(), &key));
    }
}
