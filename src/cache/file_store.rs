//! Files: one JSON document per key, 0600 in a 0700 directory, written atomically.

use std::fs::DirBuilder;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// Creates the cache directory (0700) if needed and tightens it if it is ours and too open.
pub(crate) fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let meta = std::fs::metadata(dir)?;
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

pub(crate) fn entry_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

/// Reads an entry; a missing or unreadable file is a miss.
pub(crate) fn read(dir: &Path, name: &str) -> Option<Vec<u8>> {
    std::fs::read(entry_path(dir, name)).ok()
}

/// Writes through a temp file in the same directory (0600, fsync), then renames it over the
/// entry, so readers see the old or the new document, never half of one. If the process dies
/// first, the temp file is removed by its destructor (or on signal, before exit).
pub(crate) fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    ensure_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    // tempfile creates files 0600 already; set it anyway in case the umask or crate changes.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(entry_path(dir, name)).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub(crate) fn remove(dir: &Path, name: &str) -> std::io::Result<bool> {
    match std::fs::remove_file(entry_path(dir, name)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_0600_files_in_a_0700_dir_atomically() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b/kubectl-entra");
        write(&dir, "token-x", b"one").unwrap();
        write(&dir, "token-x", b"two").unwrap();
        assert_eq!(read(&dir, "token-x").unwrap(), b"two");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
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
    fn tightens_an_open_directory() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("c");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        ensure_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
