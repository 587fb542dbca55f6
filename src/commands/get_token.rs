//! `kubectl entra get-token`: look in the cache, else refresh under the lock, else sign in with
//! a device code, then print the ExecCredential on stdout.

use crate::cache::{TokenCache, TokenEntry};
use crate::cli::AuthArgs;
use crate::credential;
use crate::entra::{self, Clock as _, Outcome, Settings, SystemClock};
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(args: AuthArgs) -> anyhow::Result<ExitCode> {
    let info = credential::exec_info_from_env()?;
    let settings = Settings::try_from(&args)?;
    let cache = settings.open_cache();
    // Hot path: no lock, no runtime, no TLS.
    let entry = match entra::cached_fresh(&settings, &cache, SystemClock.now()) {
        Some(entry) => {
            tracing::debug!("token cache hit ({})", cache.backend().as_str());
            entry
        }
        None => obtain(&settings, &cache)?.entry,
    };
    print_credential(info.api_version, &entry)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the credential to stdout. kubectl may have gone away (a closed pipe): that is an
/// error with a plain message, never a panic.
fn print_credential(api: credential::ApiVersion, entry: &TokenEntry) -> anyhow::Result<()> {
    let text = credential::render(
        api,
        &entry.access_token,
        entry.expires_on,
        SystemClock.now(),
    );
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => anyhow::anyhow!(
                "stdout was closed before the credential was written (did kubectl stop waiting?); the token stays cached"
            ),
            _ => anyhow::anyhow!("cannot write the credential to stdout: {e}"),
        })
}

/// Runs the slow path on a fresh runtime, stopping cleanly on Ctrl-C/SIGTERM: then the error
/// is [`entra::Interrupted`], which the caller turns into exit code 130 or 143.
pub(super) fn obtain(settings: &Settings, cache: &TokenCache) -> anyhow::Result<Outcome> {
    let runtime = super::runtime()?;
    let result = runtime.block_on(entra::until_interrupted(entra::acquire(
        settings,
        cache,
        &crate::sink::Stderr,
    )));
    // A thread still blocked on the lock must not keep us alive.
    runtime.shutdown_background();
    result
}
