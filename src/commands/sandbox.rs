//! `kubectl-entra sandbox ...`: the sandbox ships as its own binary, `kubectl-entra-sandbox`,
//! so the plugin links no HTTP server or signing code. kubectl runs that binary directly for
//! `kubectl entra sandbox` when it is on PATH; this forwards the other way in.

use crate::cli::SandboxArgs;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    let binary = find_sandbox().ok_or_else(|| {
        anyhow::anyhow!(
            "the sandbox is a separate binary, kubectl-entra-sandbox, and it is neither beside kubectl-entra nor on PATH; install it with `cargo install kubectl-entra-sandbox` or from the release archive (it carries both binaries)"
        )
    })?;
    let mut command = std::process::Command::new(&binary);
    command.args(&args.args);
    exec(command, &binary)
}

/// Unix: become the sandbox (same pid), so signals and a parent's kill reach it directly.
#[cfg(unix)]
fn exec(mut command: std::process::Command, binary: &std::path::Path) -> anyhow::Result<ExitCode> {
    use std::os::unix::process::CommandExt as _;
    let e = command.exec();
    anyhow::bail!("cannot run {}: {e}", binary.display())
}

/// Elsewhere: run it and pass its exit code on.
#[cfg(not(unix))]
fn exec(mut command: std::process::Command, binary: &std::path::Path) -> anyhow::Result<ExitCode> {
    let status = command
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", binary.display()))?;
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
    ))
}

/// Beside our own executable first (release archives, Krew, `cargo install` put both in one
/// directory), then PATH.
fn find_sandbox() -> Option<PathBuf> {
    let name = format!("kubectl-entra-sandbox{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.canonicalize().ok())
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(&name))
                .find(|p| p.is_file())
        })
    })
}
