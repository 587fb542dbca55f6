//! Ctrl-C and SIGTERM while we wait for the network or the user: the work future is dropped
//! (which releases the lock and deletes any temp file), then the command exits 130 or 143.

use std::future::Future;

/// The run was stopped by a signal; the command turns this into its exit code.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {signal}; nothing was cached")]
pub struct Interrupted {
    pub signal: &'static str,
    pub exit_code: u8,
}

/// Runs `work` until it finishes or a SIGINT/SIGTERM arrives.
pub async fn until_interrupted<T>(
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        result = work => result,
        _ = int.recv() => Err(Interrupted { signal: "SIGINT", exit_code: 130 }.into()),
        _ = term.recv() => Err(Interrupted { signal: "SIGTERM", exit_code: 143 }.into()),
    }
}
