//! `kubectl entra whoami` (not built yet).

use crate::cli::WhoamiArgs;
use std::process::ExitCode;

pub fn run(_args: WhoamiArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`whoami` is not available in this build yet")
}
