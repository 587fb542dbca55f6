//! The per-key cross-process lock: an OS file lock on `<key>.lock`.
//!
//! The OS releases it when the process exits or dies, so a killed plugin never leaves a lock
//! behind. The lock file itself stays: deleting it would let two processes lock two different
//! inodes of the same name.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Held from the second cache read until the new token is written. Dropping it unlocks.
#[derive(Debug)]
pub struct KeyLock {
    _file: File,
}

impl KeyLock {
    /// Blocks until this process holds the lock.
    pub(crate) fn acquire(path: &Path) -> std::io::Result<KeyLock> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(path)?;
        file.lock()?;
        Ok(KeyLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_waits_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let first = KeyLock::acquire(&path).unwrap();
        let other = File::options().write(true).open(&path).unwrap();
        assert!(
            other.try_lock().is_err(),
            "a second handle must not get the lock"
        );
        drop(first);
        assert!(other.try_lock().is_ok());
    }
}
