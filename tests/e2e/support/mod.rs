//! Shared test helpers: the binaries under test and the sandbox launchers.
#![allow(dead_code)]

pub mod apiserver;
pub mod can_i;
pub mod connect_proxy;
pub mod get_token;
pub mod sandbox;
#[cfg(target_os = "linux")]
pub mod secret_service;

use std::path::PathBuf;
use std::sync::OnceLock;

/// The plugin binary under test.
pub fn plugin_bin() -> &'static str {
    env!("CARGO_BIN_EXE_kubectl-entra")
}

/// The sandbox binary. `cargo test --workspace` builds it (the sandbox crate has integration
/// tests of its own), in the same directory as the plugin, where `kubectl-entra sandbox` finds it.
pub fn sandbox_bin() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let plugin = PathBuf::from(plugin_bin());
        let dir = plugin.parent().expect("target dir").to_path_buf();
        let bin = dir.join(format!(
            "kubectl-entra-sandbox{}",
            std::env::consts::EXE_SUFFIX
        ));
        assert!(
            bin.is_file(),
            "{} is missing: run the tests with `cargo test --workspace`, which builds it",
            bin.display()
        );
        bin
    })
}
