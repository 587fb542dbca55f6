//! No Secret Service outside Linux: `auto` and `keyring` use the OS keyring there, so these are
//! never reached; they exist so the store compiles the same everywhere.

use super::CacheKey;
use super::keyring_store::Lookup;
use std::path::Path;

const NONE: &str = "the Secret Service exists only on Linux";

pub(crate) fn read(_dir: &Path, _key: &CacheKey) -> Lookup {
    Lookup::Unavailable(NONE.into())
}

pub(crate) fn write(_dir: &Path, _key: &CacheKey, _bytes: &[u8]) -> Result<(), String> {
    Err(NONE.into())
}

pub(crate) fn remove(_dir: &Path, _key: &CacheKey) -> Result<bool, String> {
    Err(NONE.into())
}

pub(crate) fn names(_dir: &Path) -> Result<Vec<String>, String> {
    Err(NONE.into())
}

pub(crate) fn location(key: &CacheKey) -> String {
    format!("Secret Service entry {}", key.name())
}
