//! `kubectl entra convert-kubeconfig` (not built yet).

use crate::cli::ConvertKubeconfigArgs;
use std::process::ExitCode;

pub fn run(_args: ConvertKubeconfigArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`convert-kubeconfig` is not available in this build yet")
}
