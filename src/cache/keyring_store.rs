//! The OS keyring (kernel keyutils on Linux, Keychain on macOS, Credential Manager on Windows)
//! through the keyring crate: service `kubectl-entra`, one entry per key name.

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

pub(crate) fn read(name: &str) -> Lookup {
    let entry = match entry(name) {
        Ok(entry) => entry,
        Err(e) => return Lookup::Unavailable(e),
    };
    match entry.get_secret() {
        Ok(bytes) => Lookup::Found(bytes),
        Err(keyring::Error::NoEntry) => Lookup::Missing,
        Err(e) => Lookup::Unavailable(e.to_string()),
    }
}

pub(crate) fn write(name: &str, bytes: &[u8]) -> Result<(), String> {
    entry(name)?.set_secret(bytes).map_err(|e| e.to_string())
}

/// Removes an entry; `Ok(false)` when there was none.
pub(crate) fn remove(name: &str) -> Result<bool, String> {
    match entry(name)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// A human description of where an entry lives.
pub(crate) fn location(name: &str) -> String {
    format!("OS keyring, service {SERVICE:?}, entry {name:?}")
}
