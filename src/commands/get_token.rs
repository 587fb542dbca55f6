//! `kubectl entra get-token`: look in the cache, else refresh under the lock, else sign in with
//! a device code, then print the ExecCredential on stdout.

use crate::cache::{TokenCache, TokenEntry};
use crate::cli::AuthArgs;
use crate::credential;
use crate::entra::{self, Interrupted, Outcome, Settings};
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(args: AuthArgs) -> anyhow::Result<ExitCode> {
    let info = credential::exec_info_from_env()?;
    let settings = Settings::from_args(&args)?;
    let cache = settings.open_cache();
    // Hot path: no lock, no runtime, no TLS.
    let entry = match entra::cached_fresh(&settings, &cache) {
        Some(entry) => {
            tracing::debug!("token cache hit ({})", cache.backend().as_str());
            entry
        }
        None => match obtain(&settings, &cache)? {
            Ok(outcome) => outcome.entry,
            Err(code) => return Ok(code),
        },
    };
    print_credential(info.api_version, &entry)?;
    Ok(ExitCode::SUCCESS)
}

fn print_credential(api: credential::ApiVersion, entry: &TokenEntry) -> anyhow::Result<()> {
    let text = credential::render(api, &entry.access_token, entry.expires_on, entra::now());
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Runs the slow path on a fresh runtime, stopping cleanly on Ctrl-C/SIGTERM. `Ok(Err(code))`
/// is the exit code after an interruption (130 or 143).
pub(super) fn obtain(
    settings: &Settings,
    cache: &TokenCache,
) -> anyhow::Result<Result<Outcome, ExitCode>> {
    let runtime = super::runtime()?;
    let result = runtime.block_on(entra::until_interrupted(entra::acquire(settings, cache)));
    // A thread still blocked on the lock must not keep us alive.
    runtime.shutdown_background();
    match result {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(e) => match e.downcast_ref::<Interrupted>() {
            Some(i) => {
                crate::say!("kubectl-entra: {i}");
                Ok(Err(ExitCode::from(i.exit_code)))
            }
            None => Err(e),
        },
    }
}
