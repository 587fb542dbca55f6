//! The token store: cache keys, entries, the Secret Service, keyring and file stores, the
//! cross-process lock.
//!
//! This layer knows nothing about Entra or the command line: callers hand it keys built from
//! plain strings and entries to keep. A corrupt, truncated or foreign-version entry is a miss;
//! so is an entry the file store does not trust (see `trust` and the README's Security section).

pub(crate) mod entry;
mod file_store;
mod key;
mod keyring_store;
mod location;
mod lock;
#[cfg(target_os = "linux")]
mod secret_service;
#[cfg(not(target_os = "linux"))]
#[path = "secret_service_none.rs"]
mod secret_service;
mod store;
mod trust;

pub use entry::{Account, AccountRecord, FORMAT_VERSION, TokenEntry};
pub use key::CacheKey;
pub use location::default_dir;
pub use lock::KeyLock;
pub use store::{Backend, StoreMode, TokenCache};
