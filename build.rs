//! Links the `kubectl-entra` executable as a position-dependent (non-PIE) binary on Linux.
//!
//! kubectl starts `get-token` before every command, so process start-up is the warm path. A PIE
//! build of this binary carries ~32,000 relative relocations that the dynamic loader applies at
//! every start, copying ~135 pages of `.data.rel.ro` on write: about 1 ms, half the warm call.
//! Linked at a fixed address, those pages stay shared with the page cache. The price is that the
//! executable image itself is not randomised (libraries, heap and stacks still are), which is
//! also how Go links kubelogin by default. Only the binary is affected, not the library, tests or
//! benches, and only on glibc Linux where `cc -no-pie` is the toolchain's own switch.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
