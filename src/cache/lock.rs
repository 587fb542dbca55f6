//! The per-key cross-process lock: an OS advisory lock (`File::try_lock`: flock on unix,
//! LockFileEx on Windows) on `<key>.lock`.
//!
//! The OS releases it when the process exits or dies, so a killed plugin never leaves a lock
//! behind and the next process takes it at once. The lock file itself stays: deleting it would
//! let two processes lock two different inodes of the same name. It is opened like an entry:
//! no symlink is followed, a FIFO never blocks the open, and it must be a regular file of ours.
//!
//! Waiting is polled with `try_lock`, not a blocking `lock`, so it can be bounded and can say,
//! after a second, that another process is signing in.

use super::file_store::{open_failure, open_options_no_follow};
use super::trust;
use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a wait goes unmentioned.
pub(crate) const NOTICE_AFTER: Duration = Duration::from_secs(1);
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_millis(200);

/// Held from the second cache read until the new token is written. Dropping it unlocks.
#[derive(Debug)]
pub struct KeyLock {
    _file: File,
}

impl KeyLock {
    /// Waits up to `max_wait` for the lock, calling `on_wait` once if it takes more than
    /// [`NOTICE_AFTER`].
    pub(crate) fn acquire(
        path: &Path,
        max_wait: Duration,
        on_wait: &mut dyn FnMut(),
    ) -> anyhow::Result<KeyLock> {
        let file = open(path)?;
        let started = Instant::now();
        let mut pause = FIRST_PAUSE;
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(KeyLock { _file: file }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    anyhow::bail!("cannot lock {}: {e}", path.display())
                }
            }
            let waited = started.elapsed();
            if waited >= max_wait {
                anyhow::bail!(
                    "another kubectl-entra process has held the token cache lock {} for {}s; if none is running (look for a stopped one, e.g. suspended with Ctrl-Z), remove that file and try again",
                    path.display(),
                    waited.as_secs()
                );
            }
            if !told && waited >= NOTICE_AFTER {
                told = true;
                on_wait();
            }
            std::thread::sleep(pause.min(max_wait - waited));
            pause = (pause * 3 / 2).min(LONGEST_PAUSE);
        }
    }
}

/// Opens (creating, 0600) the lock file and checks the opened descriptor; an owner-only lock
/// file of ours that became more open is tightened, anything else is refused.
fn open(path: &Path) -> anyhow::Result<File> {
    let file = open_options_no_follow()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open the token cache lock: {}; remove it if it is not a regular file",
                open_failure(path, &e)
            )
        })?;
    let meta = file.metadata()?;
    match trust::file_check(&meta) {
        Ok(()) => {}
        #[cfg(unix)]
        Err(trust::FileProblem::Open { .. }) => {
            use std::os::unix::fs::PermissionsExt as _;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Err(problem) => anyhow::bail!(
            "refusing the token cache lock {}: it {problem}; remove it and try again",
            path.display()
        ),
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_notice() -> impl FnMut() {
        || panic!("no wait expected")
    }

    #[test]
    fn second_holder_waits_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let first = KeyLock::acquire(&path, Duration::ZERO, &mut no_notice()).unwrap();
        let other = File::options().write(true).open(&path).unwrap();
        assert!(
            other.try_lock().is_err(),
            "a second handle must not get the lock"
        );
        drop(first);
        assert!(other.try_lock().is_ok());
    }

    #[test]
    fn a_held_lock_is_waited_for_with_one_notice_then_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let _held = KeyLock::acquire(&path, Duration::ZERO, &mut no_notice()).unwrap();
        let mut notices = 0;
        let started = Instant::now();
        let err = KeyLock::acquire(&path, Duration::from_millis(1500), &mut || notices += 1)
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() >= Duration::from_millis(1500));
        assert_eq!(notices, 1, "said once");
        assert!(
            err.contains("another kubectl-entra process has held the token cache lock")
                && err.contains("k.lock for 1s")
                && err.contains("remove that file"),
            "{err}"
        );
    }

    #[test]
    fn a_lock_released_during_the_wait_is_taken_without_a_notice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.lock");
        let held = KeyLock::acquire(&path, Duration::ZERO, &mut no_notice()).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || {
                tx.send(()).unwrap();
                KeyLock::acquire(&path, Duration::from_secs(60), &mut || {}).map(|_| ())
            }
        });
        rx.recv().unwrap();
        drop(held);
        waiter.join().unwrap().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_fifo_and_foreign_lock_files_are_refused_without_blocking() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        let link = dir.path().join("link.lock");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = KeyLock::acquire(&link, Duration::ZERO, &mut no_notice()).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!target.exists(), "the symlink was not followed");

        let fifo = dir.path().join("fifo.lock");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let err = KeyLock::acquire(&fifo, Duration::ZERO, &mut no_notice()).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");

        // An open lock file of ours is tightened to 0600.
        let open = dir.path().join("open.lock");
        std::fs::write(&open, b"").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        KeyLock::acquire(&open, Duration::ZERO, &mut no_notice()).unwrap();
        let mode = std::fs::metadata(&open).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        if trust::euid() == 0 {
            let theirs = dir.path().join("theirs.lock");
            std::fs::write(&theirs, b"").unwrap();
            std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o600)).unwrap();
            std::os::unix::fs::chown(&theirs, Some(4242), None).unwrap();
            let err = KeyLock::acquire(&theirs, Duration::ZERO, &mut no_notice()).unwrap_err();
            assert!(err.to_string().contains("uid 4242"), "{err}");
        }
    }
}
