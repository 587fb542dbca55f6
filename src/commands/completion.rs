//! `kubectl entra completion` (not built yet).

use crate::cli::CompletionArgs;
use std::process::ExitCode;

pub fn run(_args: CompletionArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`completion` is not available in this build yet")
}
