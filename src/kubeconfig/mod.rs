//! Kubeconfig files: finding the file, converting users to kubectl-entra, writing the result
//! back safely.
//!
//! Works on kube's typed `Kubeconfig`, which keeps every field it does not model in `other`
//! maps, so a rewrite leaves them untouched.

pub mod convert;
pub mod file;
pub mod legacy;
pub mod merged;

pub use convert::{
    ConvertError, ConvertOptions, Converted, DEFAULT_LOGIN, EntryCheck, Report, Skipped,
    SourceKind, convert_document, convert_selected, convert_users,
};
pub use file::{
    parse_document, render, render_users, resolve_path, resolve_paths, write_with_backup,
};
pub use legacy::conversion_hint;
pub use merged::convert_merged;
