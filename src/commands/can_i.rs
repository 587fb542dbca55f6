//! `kubectl entra can-i` (not built yet).

use crate::cli::CanIArgs;
use std::process::ExitCode;

pub fn run(_args: CanIArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`can-i` is not available in this build yet")
}
