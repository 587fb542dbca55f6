//! Ctrl-C and termination while we wait for the network or the user: the work future is
//! dropped (which releases the lock and deletes any temp file), and the command ends with
//! [`Interrupted`], which the error-to-exit-code layer turns into 130 or 143.

use std::future::Future;

/// The run was stopped by a signal.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {signal}; nothing was cached")]
pub struct Interrupted {
    pub signal: &'static str,
    pub exit_code: u8,
}

/// Runs `work` until it finishes or the user or the system stops it.
pub async fn until_interrupted<T>(
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let stop = stopped()?;
    tokio::select! {
        result = work => result,
        interrupted = stop => Err(interrupted.into()),
    }
}

/// SIGINT -> 130, SIGTERM -> 143, as shells report them.
#[cfg(unix)]
fn stopped() -> anyhow::Result<impl Future<Output = Interrupted>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => Interrupted { signal: "SIGINT", exit_code: 130 },
            _ = term.recv() => Interrupted { signal: "SIGTERM", exit_code: 143 },
        }
    })
}

/// Ctrl-C and Ctrl-Break -> 130 (what cmd and PowerShell users expect from an interrupt).
#[cfg(windows)]
fn stopped() -> anyhow::Result<impl Future<Output = Interrupted>> {
    let mut c = tokio::signal::windows::ctrl_c()?;
    let mut brk = tokio::signal::windows::ctrl_break()?;
    Ok(async move {
        tokio::select! {
            _ = c.recv() => Interrupted { signal: "Ctrl-C", exit_code: 130 },
            _ = brk.recv() => Interrupted { signal: "Ctrl-Break", exit_code: 130 },
        }
    })
}
