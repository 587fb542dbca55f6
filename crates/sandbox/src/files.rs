//! Private files of the sandbox state dir: 0700 directories, 0600 files written atomically, so a
//! crash never leaves a half-written key, kubeconfig or port file behind.

use anyhow::Context;
use std::io::Write;
use std::path::Path;

/// Creates `dir` (and missing parents) 0700, or checks an existing one: a directory of ours
/// that others can only read is tightened to 0700; one owned by another user, writable by
/// others or sticky (`--state-dir /tmp`) is refused and left as it is, since chmod-ing a shared
/// directory (as root, /tmp) would break the machine. A symlink is judged by its target.
/// On Windows the user profile's ACLs protect the files; only the kind is checked.
///
/// The rule is the plugin's token-cache rule, written again here because the sandbox must not
/// depend on the plugin.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            create_private_dirs(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            std::fs::metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    match verdict(&meta) {
        Verdict::Private => Ok(()),
        Verdict::Tighten => tighten(dir),
        Verdict::Refuse(why) => anyhow::bail!(
            "refusing the state directory {}: it {why}, and the sandbox never changes a directory that is shared or not yours; use a private subdirectory such as {} or another --state-dir",
            dir.display(),
            dir.join("kubectl-entra-sandbox").display()
        ),
    }
}

/// Creates `dir` and its missing parents, each 0700 (the umask can only narrow that).
fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Private,
    Tighten,
    Refuse(String),
}

/// The decision over (is a directory, owner, our uid, mode), pure so every case is testable.
fn judge(is_dir: bool, owner: u32, me: u32, mode: u32) -> Verdict {
    if !is_dir {
        Verdict::Refuse("is not a directory".into())
    } else if owner != me {
        Verdict::Refuse(format!("belongs to another user (uid {owner})"))
    } else if mode & 0o022 != 0 {
        Verdict::Refuse(format!(
            "is writable by other users (mode {:04o})",
            mode & 0o7777
        ))
    } else if mode & 0o1000 != 0 {
        Verdict::Refuse(format!(
            "is a shared directory (sticky bit, mode {:04o})",
            mode & 0o7777
        ))
    } else if mode & 0o077 != 0 {
        Verdict::Tighten
    } else {
        Verdict::Private
    }
}

#[cfg(unix)]
fn verdict(meta: &std::fs::Metadata) -> Verdict {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    judge(meta.is_dir(), meta.uid(), me, meta.mode() & 0o7777)
}

#[cfg(not(unix))]
fn verdict(meta: &std::fs::Metadata) -> Verdict {
    judge(meta.is_dir(), 0, 0, 0o700)
}

#[cfg(unix)]
fn tighten(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {} to 0700", dir.display()))
}

#[cfg(not(unix))]
fn tighten(_dir: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Writes `bytes` to `path` through a temp file in the same directory, fsync and rename; mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Missing parents are created 0700; existing ones (e.g. where --port-file points) are left.
    if !dir.is_dir() {
        create_private_dirs(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
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

    #[test]
    fn the_rule_keeps_tightens_or_refuses() {
        assert_eq!(judge(true, 7, 7, 0o700), Verdict::Private);
        assert_eq!(judge(true, 7, 7, 0o755), Verdict::Tighten);
        for (owner, me, mode, why) in [
            (8, 7, 0o700, "another user (uid 8)"),
            (8, 0, 0o755, "another user (uid 8)"),
            (0, 0, 0o1777, "writable by other users (mode 1777)"),
            (7, 7, 0o770, "writable by other users (mode 0770)"),
            (7, 7, 0o1700, "sticky bit, mode 1700"),
        ] {
            match judge(true, owner, me, mode) {
                Verdict::Refuse(text) => assert!(text.contains(why), "{text}"),
                other => panic!("{owner} {me} {mode:o}: {other:?}"),
            }
        }
        assert!(matches!(judge(false, 7, 7, 0o700), Verdict::Refuse(_)));
    }

    #[cfg(unix)]
    #[test]
    fn a_shared_state_dir_is_refused_and_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("tempdir");
        let shared = root.path().join("x");
        std::fs::create_dir(&shared).expect("mkdir");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
        let err = ensure_private_dir(&shared)
            .expect_err("refused")
            .to_string();
        assert!(err.contains("mode 1777"), "{err}");
        assert!(err.contains("x/kubectl-entra-sandbox"), "{err}");
        let mode = std::fs::metadata(&shared)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o1777, "never chmod-ed");
        // Its private subdirectory, and parents we create, are 0700.
        let sub = shared.join("a/b");
        ensure_private_dir(&sub).expect("private subdir");
        for dir in [&sub, &shared.join("a")] {
            let mode = std::fs::metadata(dir).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        // Ours but readable by others: tightened.
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        ensure_private_dir(&sub).expect("tighten");
        let mode = std::fs::metadata(&sub).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        if rustix::process::geteuid().is_root() {
            std::os::unix::fs::chown(&sub, Some(4242), None).expect("chown");
            let err = ensure_private_dir(&sub).expect_err("theirs").to_string();
            assert!(err.contains("uid 4242"), "{err}");
        }
    }
}
