//! `kubectl entra bindings` (not built yet).

use crate::cli::BindingsArgs;
use std::process::ExitCode;

pub fn run(_args: BindingsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bindings` is not available in this build yet")
}
