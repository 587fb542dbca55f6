//! `kubectl entra get-token` (not built yet).

use crate::cli::AuthArgs;
use std::process::ExitCode;

pub fn run(_args: AuthArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`get-token` is not available in this build yet")
}
