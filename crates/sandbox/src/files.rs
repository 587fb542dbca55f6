//! Private files of the sandbox state dir: 0700 directories, 0600 files written atomically, so a
//! crash never leaves a half-written key, kubeconfig or port file behind.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Creates `dir` (and parents) and restricts it to the owner.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {} to 0700", dir.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temp file in the same directory, fsync and rename; mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // tempfile creates the file 0600 on unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temp file in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_owner_only_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("a");
        ensure_private_dir(&sub).expect("dir");
        let file = sub.join("f.txt");
        write_private(&file, b"one").expect("write");
        write_private(&file, b"two").expect("overwrite");
        assert_eq!(std::fs::read(&file).expect("read"), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(&sub).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
