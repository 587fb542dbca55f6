//! Files: one JSON document per key, 0600 in a 0700 directory, written atomically.
//!
//! Reads get the same distrust as writes: a directory that fails [`trust`](super::trust) is not
//! read at all, and an entry is opened without following symlinks and without blocking (a FIFO
//! planted as an entry must not hang get-token), then checked on the opened descriptor (regular
//! file, ours, owner-only) and read with a size cap (a device such as /dev/zero must not be read
//! for gigabytes). On a warm cache that is one stat of the directory and one open, fstat and read
//! of the entry: no directory scan.

use super::trust::{self, DirVerdict, FileProblem};
use std::fs::OpenOptions;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// An entry is a few KB (two tokens and an account); nothing real comes near this.
pub(crate) const MAX_ENTRY_BYTES: u64 = 1 << 20;

/// Temp files of writes that never finished (kill -9 between create and rename) hold live
/// refresh tokens; a write removes the ones at least this old that no writer holds locked.
pub(crate) const STALE_TEMP_AGE: Duration = Duration::from_secs(10);

const TEMP_PREFIX: &str = ".tmp-";
const TEMP_SUFFIX: &str = ".partial";

/// What reading an entry found.
#[derive(Debug)]
pub(crate) enum Read {
    Found(Vec<u8>),
    Missing,
    /// Present but not trusted (or not readable); the text says why and what to do, for a
    /// warning.
    Ignored(String),
}

pub(crate) fn entry_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

fn advice(dir: &Path) -> String {
    format!(
        "use a private subdirectory such as {} or pass --token-cache-dir",
        dir.join("kubectl-entra").display()
    )
}

/// Opens without following a final symlink and without blocking on a FIFO.
pub(crate) fn open_options_no_follow() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt as _;
        options
            .custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32)
            .mode(0o600);
    }
    options
}

/// Says why an open failed, naming a symlink as such (ELOOP reads badly).
pub(crate) fn open_failure(path: &Path, e: &std::io::Error) -> String {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        format!("{} is a symbolic link", path.display())
    } else {
        format!("cannot open {}: {e}", path.display())
    }
}

/// Whether the directory may be read: `Ok(false)` when it does not exist (every read a miss),
/// `Err` with a warning when it fails the checks.
pub(crate) fn dir_readable(dir: &Path) -> Result<bool, String> {
    match std::fs::metadata(dir) {
        Ok(meta) => match trust::dir_verdict(&meta) {
            DirVerdict::Private | DirVerdict::Tighten => Ok(true),
            DirVerdict::Refuse(problem) => Err(format!(
                "not reading the token cache in {}: it {problem}; {}",
                dir.display(),
                advice(dir)
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!(
            "cannot read the token cache in {}: {e}; check its permissions or pass --token-cache-dir",
            dir.display()
        )),
    }
}

/// Reads an entry: missing is a miss; untrusted, odd or oversized is a miss with a reason. A
/// directory that fails the checks is not read at all, quietly: the lock or write that follows
/// refuses it with the one line that says what to do.
pub(crate) fn read(dir: &Path, name: &str) -> Read {
    match dir_readable(dir) {
        Ok(true) => {}
        Ok(false) => return Read::Missing,
        Err(why) => {
            tracing::debug!("{why}");
            return Read::Missing;
        }
    }
    read_entry(&entry_path(dir, name))
}

fn read_entry(path: &Path) -> Read {
    let ignored = |why: String| Read::Ignored(format!("ignoring the cached entry {why}"));
    let mut file = match open_options_no_follow().read(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Read::Missing,
        Err(e) => return ignored(open_failure(path, &e)),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(e) => return ignored(format!("{}: {e}", path.display())),
    };
    let problem = match trust::file_check(&meta) {
        Ok(()) if meta.len() > MAX_ENTRY_BYTES => Err(FileProblem::TooLarge { bytes: meta.len() }),
        checked => checked,
    };
    if let Err(problem) = problem {
        return ignored(format!(
            "{}: it {problem}; remove it (kubectl entra logout) and sign in again",
            path.display()
        ));
    }
    // The file may grow after the fstat: read one byte past the cap to notice.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    match (&mut file)
        .take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        Ok(n) if n as u64 > MAX_ENTRY_BYTES => ignored(format!(
            "{}: it {}; remove it (kubectl entra logout) and sign in again",
            path.display(),
            FileProblem::TooLarge { bytes: n as u64 }
        )),
        Ok(_) => Read::Found(bytes),
        Err(e) => ignored(format!("{}: {e}", path.display())),
    }
}

/// Makes sure `dir` is a private directory we own: creates it (and missing parents) 0700,
/// tightens one of ours that others can only read, and refuses, untouched, one that belongs to
/// someone else, that others can write, or that is sticky. A symlinked cache dir is judged by
/// its target (the target must be ours and private).
pub(crate) fn ensure_dir(dir: &Path) -> anyhow::Result<()> {
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_private_dirs(dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create the token cache directory {}: {e}; check the permissions of its parent or pass --token-cache-dir",
                    dir.display()
                )
            })?;
            std::fs::metadata(dir)?
        }
        Err(e) => anyhow::bail!(
            "cannot use the token cache directory {}: {e}; check its permissions or pass --token-cache-dir",
            dir.display()
        ),
    };
    match trust::dir_verdict(&meta) {
        DirVerdict::Private => Ok(()),
        DirVerdict::Tighten => tighten(dir),
        DirVerdict::Refuse(problem) => anyhow::bail!(
            "refusing to keep tokens in {}: it {problem}, and kubectl-entra never changes a directory that is shared or not yours; {}",
            dir.display(),
            advice(dir)
        ),
    }
}

/// Creates `dir` and its missing parents, each 0700 (the umask can only narrow that).
fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(unix)]
fn tighten(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
        anyhow::anyhow!(
            "cannot restrict the token cache directory {} to 0700: {e}",
            dir.display()
        )
    })
}

#[cfg(not(unix))]
fn tighten(_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Writes through a temp file in the same directory (0600, locked while it lives, fsync), then
/// renames it over the entry, so readers see the old or the new document, never half of one.
/// If the process dies first, its destructor (or the signal handler) removes the temp file; after
/// kill -9, the next write or logout does (see [`remove_orphaned_temp_files`]).
pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    ensure_dir(dir)?;
    remove_orphaned_temp_files(dir, STALE_TEMP_AGE);
    write_in(dir, name, bytes).map_err(|e| {
        anyhow::anyhow!(
            "cannot write the token cache in {}: {e}; check its permissions or pass --token-cache-dir",
            dir.display()
        )
    })
}

fn write_in(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    // Tells cleaners that this temp file is live. Best effort: the age rule still protects it
    // on a file system without locks.
    let _ = tmp.as_file().try_lock();
    // tempfile creates files 0600 already; set it anyway in case the umask or crate changes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(entry_path(dir, name)).map_err(|e| e.error)?;
    // Make the rename itself durable (directories cannot be opened as files on Windows).
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes `.tmp-*.partial` files at least `min_age` old that no live writer holds: a writer
/// locks its temp file from creation to rename, and a dead writer's lock is gone with it. The
/// age rule covers the instant between a writer's create and its lock (and file systems
/// without locks); logout passes zero, since it holds the key locks. Returns how many went.
pub(crate) fn remove_orphaned_temp_files(dir: &Path, min_age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for item in entries.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let path = item.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            continue;
        }
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        if age < min_age {
            continue;
        }
        // A symlink or FIFO fails to open or to lock usefully; it is not a live temp file.
        let held = match open_options_no_follow().read(true).open(&path) {
            Ok(file) if meta.is_file() => match file.try_lock() {
                Ok(()) => Some(file),
                Err(_) => continue,
            },
            _ => None,
        };
        if std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
        drop(held);
    }
    removed
}

pub(crate) fn remove(dir: &Path, name: &str) -> std::io::Result<bool> {
    match std::fs::remove_file(entry_path(dir, name)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs::File;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    fn chmod(p: &Path, mode: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn found(read: Read) -> Vec<u8> {
        match read {
            Read::Found(bytes) => bytes,
            other => panic!("expected an entry, got {other:?}"),
        }
    }

    fn ignored(read: Read) -> String {
        match read {
            Read::Ignored(why) => why,
            other => panic!("expected an ignored entry, got {other:?}"),
        }
    }

    #[test]
    fn writes_0600_files_in_a_0700_dir_atomically() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b/kubectl-entra");
        write(&dir, "token-x", b"one").unwrap();
        write(&dir, "token-x", b"two").unwrap();
        assert_eq!(found(read(&dir, "token-x")), b"two");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.path().join("a")), 0o700, "parents we create too");
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&entry_path(&dir, "token-x")), 0o600);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            names,
            vec!["token-x.json".to_string()],
            "no temp files left"
        );
        assert!(remove(&dir, "token-x").unwrap());
        assert!(!remove(&dir, "token-x").unwrap());
    }

    #[test]
    fn tightens_a_directory_of_ours_that_others_can_only_read() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("c");
        std::fs::create_dir(&dir).unwrap();
        chmod(&dir, 0o755);
        ensure_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }

    #[test]
    fn refuses_shared_and_writable_directories_without_touching_them() {
        for bad in [0o1777, 0o777, 0o770, 0o1700] {
            let root = tempfile::tempdir().unwrap();
            let dir = root.path().join("shared");
            std::fs::create_dir(&dir).unwrap();
            chmod(&dir, bad);
            let err = write(&dir, "token-x", b"secret").unwrap_err().to_string();
            assert!(err.contains("refusing to keep tokens in"), "{err}");
            assert!(err.contains(&format!("mode {bad:04o}")), "{err}");
            assert!(
                err.contains("kubectl-entra or pass --token-cache-dir"),
                "{err}"
            );
            assert!(!err.contains('\n'), "one line: {err}");
            assert_eq!(mode(&dir), bad, "never chmod-ed");
            assert_eq!(
                std::fs::read_dir(&dir).unwrap().count(),
                0,
                "nothing written"
            );
            // Reads refuse the directory too, even with a good entry in it.
            std::fs::write(entry_path(&dir, "token-x"), b"planted").unwrap();
            chmod(&entry_path(&dir, "token-x"), 0o600);
            assert!(matches!(read(&dir, "token-x"), Read::Missing));
            assert!(
                dir_readable(&dir)
                    .unwrap_err()
                    .contains("not reading the token cache")
            );
            // A private subdirectory of it is fine.
            write(&dir.join("kubectl-entra"), "token-x", b"ok").unwrap();
        }
    }

    #[test]
    fn refuses_a_directory_of_another_user() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("theirs");
        std::fs::create_dir(&dir).unwrap();
        chmod(&dir, 0o755);
        if trust::euid() != 0 {
            // Only root can give a directory away; the pure rule is unit-tested in trust.
            return;
        }
        std::os::unix::fs::chown(&dir, Some(4242), Some(4242)).unwrap();
        let err = write(&dir, "token-x", b"secret").unwrap_err().to_string();
        assert!(err.contains("belongs to another user (uid 4242)"), "{err}");
        assert_eq!(mode(&dir), 0o755, "never chmod-ed");
        assert!(dir_readable(&dir).unwrap_err().contains("uid 4242"));
        assert!(matches!(read(&dir, "token-x"), Read::Missing));
    }

    #[test]
    fn follows_a_symlinked_directory_and_judges_its_target() {
        let root = tempfile::tempdir().unwrap();
        let private = root.path().join("private");
        let shared = root.path().join("shared");
        std::fs::create_dir(&private).unwrap();
        std::fs::create_dir(&shared).unwrap();
        chmod(&private, 0o700);
        chmod(&shared, 0o1777);
        let good = root.path().join("good-link");
        let bad = root.path().join("bad-link");
        std::os::unix::fs::symlink(&private, &good).unwrap();
        std::os::unix::fs::symlink(&shared, &bad).unwrap();
        write(&good, "token-x", b"ok").unwrap();
        assert_eq!(found(read(&good, "token-x")), b"ok");
        assert!(write(&bad, "token-x", b"secret").is_err());
        assert_eq!(mode(&shared), 0o1777);
    }

    #[test]
    fn entries_others_can_read_or_that_are_not_ours_are_ignored() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("c");
        write(&dir, "token-x", b"ok").unwrap();
        let path = entry_path(&dir, "token-x");
        chmod(&path, 0o644);
        let why = ignored(read(&dir, "token-x"));
        assert!(why.contains("mode 0644") && why.contains("logout"), "{why}");
        chmod(&path, 0o600);
        if trust::euid() == 0 {
            std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
            assert!(ignored(read(&dir, "token-x")).contains("uid 4242"));
        }
    }

    #[test]
    fn symlinks_fifos_devices_and_huge_entries_are_ignored_without_blocking() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("c");
        ensure_dir(&dir).unwrap();
        // A symlink to /dev/zero: never followed, so never read.
        std::os::unix::fs::symlink("/dev/zero", entry_path(&dir, "zero")).unwrap();
        assert!(ignored(read(&dir, "zero")).contains("symbolic link"));
        // A symlink to a good entry of ours is not followed either.
        write(&dir, "real", b"ok").unwrap();
        std::os::unix::fs::symlink(entry_path(&dir, "real"), entry_path(&dir, "link")).unwrap();
        assert!(ignored(read(&dir, "link")).contains("symbolic link"));
        // A FIFO with no writer: the open must not block.
        let fifo = entry_path(&dir, "fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        assert!(ignored(read(&dir, "fifo")).contains("not a regular file"));
        // A directory in the entry's place.
        std::fs::create_dir(entry_path(&dir, "dir")).unwrap();
        chmod(&entry_path(&dir, "dir"), 0o700);
        assert!(ignored(read(&dir, "dir")).contains("not a regular file"));
        // A sparse 2 GB entry is refused by its size, without reading it.
        let big = File::create(entry_path(&dir, "big")).unwrap();
        big.set_len(2 << 30).unwrap();
        chmod(&entry_path(&dir, "big"), 0o600);
        assert!(ignored(read(&dir, "big")).contains("far more than any cache entry"));
        let at_cap = File::create(entry_path(&dir, "cap")).unwrap();
        at_cap.set_len(MAX_ENTRY_BYTES).unwrap();
        chmod(&entry_path(&dir, "cap"), 0o600);
        assert_eq!(found(read(&dir, "cap")).len() as u64, MAX_ENTRY_BYTES);
    }

    #[test]
    fn orphaned_temp_files_go_but_live_and_fresh_ones_stay() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("c");
        ensure_dir(&dir).unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        let plant = |name: &str, age: SystemTime| {
            let f = File::create(dir.join(name)).unwrap();
            f.set_modified(age).unwrap();
            f
        };
        drop(plant(".tmp-dead.partial", old));
        let live = plant(".tmp-live.partial", old);
        live.try_lock().unwrap();
        drop(plant(".tmp-fresh.partial", SystemTime::now()));
        drop(plant("other.partial", old));

        write(&dir, "token-x", b"ok").unwrap();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".tmp-fresh.partial",
                ".tmp-live.partial",
                "other.partial",
                "token-x.json"
            ]
        );
        // Logout's sweep ignores age but still spares a live writer.
        assert_eq!(remove_orphaned_temp_files(&dir, Duration::ZERO), 1);
        assert!(dir.join(".tmp-live.partial").exists());
        drop(live);
        assert_eq!(remove_orphaned_temp_files(&dir, Duration::ZERO), 1);
    }
}
