//! What the file store trusts. On unix: a directory we own that no one else can write (not
//! sticky), and regular entry and lock files we own that only we can read. Anything else is
//! refused or ignored, never chmod-ed: the cache dir may be `/tmp` or another user's directory,
//! and we may be root.
//!
//! On Windows there are no owner or mode bits to check: the files live in the user's profile
//! (or a directory the user chose), and the profile's ACLs keep other users out. The checks
//! there only insist on a directory and regular files.
//!
//! The decisions are pure functions over (owner, our uid, mode) so every case is unit-tested,
//! including "owned by another user", which tests running as root cannot create cheaply.

use std::fmt;

/// What to do with a cache directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirVerdict {
    /// Ours and owner-only.
    Private,
    /// Ours, readable by others but writable only by us: safe to tighten to 0700.
    Tighten,
    Refuse(DirProblem),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirProblem {
    NotADirectory,
    OtherOwner {
        owner: u32,
    },
    /// Group- or world-writable: someone else can plant or swap entries.
    Writable {
        mode: u32,
    },
    /// Sticky (like /tmp): a shared directory even if only we can write it today.
    Sticky {
        mode: u32,
    },
}

/// Why an entry or lock file is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileProblem {
    /// A FIFO, device, socket or directory.
    NotRegular,
    OtherOwner {
        owner: u32,
    },
    /// Readable or writable by group or others.
    Open {
        mode: u32,
    },
    TooLarge {
        bytes: u64,
    },
}

/// Owner-only, as created; the setuid/setgid/sticky bits are ignored.
const GROUP_OTHER: u32 = 0o077;
const GROUP_OTHER_WRITE: u32 = 0o022;
const STICKY: u32 = 0o1000;

/// Decides about a directory from its (followed) metadata.
pub(crate) fn judge_dir(is_dir: bool, owner: u32, me: u32, mode: u32) -> DirVerdict {
    let problem = if !is_dir {
        DirProblem::NotADirectory
    } else if owner != me {
        DirProblem::OtherOwner { owner }
    } else if mode & GROUP_OTHER_WRITE != 0 {
        DirProblem::Writable { mode }
    } else if mode & STICKY != 0 {
        DirProblem::Sticky { mode }
    } else if mode & GROUP_OTHER != 0 {
        return DirVerdict::Tighten;
    } else {
        return DirVerdict::Private;
    };
    DirVerdict::Refuse(problem)
}

/// Decides about an opened entry or lock file from its fstat.
pub(crate) fn judge_file(is_file: bool, owner: u32, me: u32, mode: u32) -> Result<(), FileProblem> {
    if !is_file {
        Err(FileProblem::NotRegular)
    } else if owner != me {
        Err(FileProblem::OtherOwner { owner })
    } else if mode & GROUP_OTHER != 0 {
        Err(FileProblem::Open { mode })
    } else {
        Ok(())
    }
}

impl fmt::Display for DirProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DirProblem::NotADirectory => write!(f, "is not a directory"),
            DirProblem::OtherOwner { owner } => write!(f, "belongs to another user (uid {owner})"),
            DirProblem::Writable { mode } => {
                write!(f, "is writable by other users (mode {:04o})", mode & 0o7777)
            }
            DirProblem::Sticky { mode } => {
                write!(
                    f,
                    "is a shared directory (sticky bit, mode {:04o})",
                    mode & 0o7777
                )
            }
        }
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileProblem::NotRegular => write!(f, "is not a regular file"),
            FileProblem::OtherOwner { owner } => write!(f, "belongs to another user (uid {owner})"),
            FileProblem::Open { mode } => write!(
                f,
                "can be read or written by other users (mode {:04o})",
                mode & 0o7777
            ),
            FileProblem::TooLarge { bytes } => {
                write!(f, "is {bytes} bytes, far more than any cache entry")
            }
        }
    }
}

/// Our effective uid, the owner of everything we create.
#[cfg(unix)]
pub(crate) fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The verdict on a directory's metadata (`std::fs::metadata`: a symlink is judged by its target).
#[cfg(unix)]
pub(crate) fn dir_verdict(meta: &std::fs::Metadata) -> DirVerdict {
    use std::os::unix::fs::MetadataExt as _;
    judge_dir(meta.is_dir(), meta.uid(), euid(), meta.mode() & 0o7777)
}

/// Windows: the profile's ACLs protect the directory; only its kind is checked (as if it were
/// ours and 0700).
#[cfg(not(unix))]
pub(crate) fn dir_verdict(meta: &std::fs::Metadata) -> DirVerdict {
    judge_dir(meta.is_dir(), 0, 0, 0o700)
}

/// Checks an opened file's fstat (never a path: the path could be swapped after the open).
#[cfg(unix)]
pub(crate) fn file_check(meta: &std::fs::Metadata) -> Result<(), FileProblem> {
    use std::os::unix::fs::MetadataExt as _;
    judge_file(meta.is_file(), meta.uid(), euid(), meta.mode() & 0o7777)
}

/// Windows: only the kind (the ACLs protect the rest).
#[cfg(not(unix))]
pub(crate) fn file_check(meta: &std::fs::Metadata) -> Result<(), FileProblem> {
    judge_file(meta.is_file(), 0, 0, 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: u32 = 1000;
    const OTHER: u32 = 1001;

    #[test]
    fn directories_we_own_and_only_we_write_are_kept_or_tightened() {
        assert_eq!(judge_dir(true, ME, ME, 0o700), DirVerdict::Private);
        assert_eq!(judge_dir(true, 0, 0, 0o700), DirVerdict::Private);
        for mode in [0o755, 0o750, 0o711, 0o705] {
            assert_eq!(
                judge_dir(true, ME, ME, mode),
                DirVerdict::Tighten,
                "{mode:o}"
            );
        }
    }

    #[test]
    fn foreign_shared_and_writable_directories_are_refused() {
        use DirProblem::*;
        let refuse = |owner, me, mode| match judge_dir(true, owner, me, mode) {
            DirVerdict::Refuse(p) => p,
            other => panic!("{owner} {me} {mode:o}: {other:?}"),
        };
        // Another user's directory, however private, even when we are root.
        assert_eq!(refuse(OTHER, ME, 0o700), OtherOwner { owner: OTHER });
        assert_eq!(refuse(OTHER, 0, 0o700), OtherOwner { owner: OTHER });
        assert_eq!(refuse(0, ME, 0o1777), OtherOwner { owner: 0 });
        // Ours, but others can write it: /tmp as root, a group-shared dir.
        assert_eq!(refuse(0, 0, 0o1777), Writable { mode: 0o1777 });
        assert_eq!(refuse(ME, ME, 0o777), Writable { mode: 0o777 });
        assert_eq!(refuse(ME, ME, 0o770), Writable { mode: 0o770 });
        assert_eq!(refuse(ME, ME, 0o702), Writable { mode: 0o702 });
        // Sticky means shared, even if it is owner-only right now.
        assert_eq!(refuse(ME, ME, 0o1700), Sticky { mode: 0o1700 });
        assert_eq!(
            judge_dir(false, ME, ME, 0o600),
            DirVerdict::Refuse(NotADirectory)
        );
    }

    #[test]
    fn only_private_regular_files_we_own_are_read() {
        use FileProblem::*;
        assert_eq!(judge_file(true, ME, ME, 0o600), Ok(()));
        assert_eq!(judge_file(true, ME, ME, 0o400), Ok(()));
        assert_eq!(
            judge_file(true, OTHER, ME, 0o600),
            Err(OtherOwner { owner: OTHER })
        );
        assert_eq!(
            judge_file(true, OTHER, 0, 0o600),
            Err(OtherOwner { owner: OTHER })
        );
        for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o666] {
            assert_eq!(
                judge_file(true, ME, ME, mode),
                Err(Open { mode }),
                "{mode:o}"
            );
        }
        assert_eq!(judge_file(false, ME, ME, 0o600), Err(NotRegular));
    }

    #[test]
    fn problems_read_as_one_clear_phrase() {
        assert_eq!(
            DirProblem::Writable { mode: 0o1777 }.to_string(),
            "is writable by other users (mode 1777)"
        );
        assert_eq!(
            FileProblem::Open { mode: 0o644 }.to_string(),
            "can be read or written by other users (mode 0644)"
        );
    }
}
