//! `kubectl entra sandbox` (not built yet).

use crate::cli::SandboxArgs;
use std::process::ExitCode;

pub fn run(_args: SandboxArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`sandbox` is not available in this build yet")
}
