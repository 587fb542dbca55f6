//! `kubectl entra logout` (not built yet).

use crate::cli::LogoutArgs;
use std::process::ExitCode;

pub fn run(_args: LogoutArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`logout` is not available in this build yet")
}
