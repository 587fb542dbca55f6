//! The token store: cache keys, keyring and file stores, the cross-process lock.
