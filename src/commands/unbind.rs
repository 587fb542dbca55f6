//! `kubectl entra unbind` (not built yet).

use crate::cli::UnbindArgs;
use std::process::ExitCode;

pub fn run(_args: UnbindArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`unbind` is not available in this build yet")
}
