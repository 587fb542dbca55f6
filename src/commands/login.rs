//! `kubectl entra login` (not built yet).

use crate::cli::LoginArgs;
use std::process::ExitCode;

pub fn run(_args: LoginArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`login` is not available in this build yet")
}
