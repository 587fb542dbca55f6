//! Kubeconfig files handled as plain YAML values: finding the file, converting users to
//! kubectl-entra, writing the result back safely.
//!
//! Everything works on `serde_yaml::Value` rather than kube's typed `Kubeconfig`, because the
//! typed form drops fields it does not know, and a rewrite must leave those untouched.

pub mod convert;
pub mod file;

pub use convert::{
    ConvertError, ConvertOptions, Converted, DEFAULT_LOGIN, SourceKind, convert_users,
};
pub use file::{parse_document, resolve_path, write_with_backup};
