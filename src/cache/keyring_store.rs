//! The OS keyring (kernel keyutils on Linux, Keychain on macOS, Credential Manager on Windows)
//! through the keyring crate: service `kubectl-entra`, one entry per key name.
//!
//! With keyutils, the first entry a process creates links the user's persistent keyring into
//! its session keyring, and a search through that same entry can still miss keys that live only
//! in the persistent keyring (observed: the first lookup in a fresh process says "no entry", a
//! second entry object finds it). So a miss is confirmed with a second, fresh entry.

const SERVICE: &str = "kubectl-entra";

/// How a keyring lookup went.
pub(crate) enum Lookup {
    Found(Vec<u8>),
    Missing,
    /// The keyring did not answer (no daemon, blocked syscalls, locked store).
    Unavailable(String),
}

fn entry(name: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, name).map_err(|e| e.to_string())
}

/// Runs `op` on an entry, and once more on a fresh entry if the first says "no entry".
fn twice<T>(
    name: &str,
    op: impl Fn(&keyring::Entry) -> keyring::Result<T>,
) -> Result<Option<T>, String> {
    for attempt in 0..2 {
        match op(&entry(name)?) {
            Ok(value) => return Ok(Some(value)),
            Err(keyring::Error::NoEntry) if attempt == 0 => continue,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(None)
}

pub(crate) fn read(name: &str) -> Lookup {
    match twice(name, |e| e.get_secret()) {
        Ok(Some(bytes)) => Lookup::Found(bytes),
        Ok(None) => Lookup::Missing,
        Err(e) => Lookup::Unavailable(e),
    }
}

pub(crate) fn write(name: &str, bytes: &[u8]) -> Result<(), String> {
    entry(name)?.set_secret(bytes).map_err(|e| e.to_string())
}

/// Removes an entry; `Ok(false)` when there was none.
pub(crate) fn remove(name: &str) -> Result<bool, String> {
    twice(name, |e| e.delete_credential()).map(|done| done.is_some())
}

/// A human description of where an entry lives.
pub(crate) fn location(name: &str) -> String {
    format!("OS keyring, service {SERVICE:?}, entry {name:?}")
}
