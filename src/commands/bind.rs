//! `kubectl entra bind` (not built yet).

use crate::cli::BindArgs;
use std::process::ExitCode;

pub fn run(_args: BindArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`bind` is not available in this build yet")
}
