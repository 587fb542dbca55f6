//! `kubectl entra login`: sign in if needed (cache, refresh or device code, like get-token) and
//! say on stderr who is signed in. Never prints a token.

use crate::cli::LoginArgs;
use crate::credential::rfc3339;
use crate::entra::{Settings, Source};
use std::process::ExitCode;

pub fn run(args: LoginArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(&args.auth)?;
    let cache = settings.open_cache();
    let outcome = match super::get_token::obtain(&settings, &cache)? {
        Ok(outcome) => outcome,
        Err(code) => return Ok(code),
    };
    let account = &outcome.entry.account;
    let who = account
        .upn
        .as_deref()
        .or(account.oid.as_deref())
        .unwrap_or("(unknown account)");
    let tenant = account.tid.as_deref().unwrap_or(&settings.tenant);
    let how = match outcome.source {
        Source::Cache => "Already signed in",
        Source::Refreshed => "Signed in (refreshed)",
        Source::SignedIn => "Signed in",
    };
    crate::say!(
        "{how} as {who} (tenant {tenant}); the token for {} is valid until {}. Tokens are kept in the {} store.",
        settings.resource,
        rfc3339(outcome.entry.expires_on),
        cache.backend().as_str()
    );
    Ok(ExitCode::SUCCESS)
}
