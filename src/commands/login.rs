//! `kubectl entra login`: sign in if needed (cache, refresh or device code, like get-token) and
//! say on stderr who is signed in. Never prints a token. The settings are those of the
//! kubeconfig context's get-token entry (`--context`, else the current context when it uses
//! kubectl-entra), under the flags given.

use crate::cli::{LoginArgs, context_sign_in};
use crate::credential::rfc3339;
use crate::entra::{Settings, Source};
use crate::sink::printable;
use std::process::ExitCode;

pub fn run(args: LoginArgs) -> anyhow::Result<ExitCode> {
    let sign_in = context_sign_in(&args.given, &args.auth, &args.kube)?;
    if let Some(info) = &sign_in.context {
        crate::say!(
            "Signing in as kubeconfig context {:?} does (user {:?}, server {}).",
            info.context,
            info.user,
            printable(&info.server)
        );
    }
    let settings = Settings::try_from(&sign_in.auth)?;
    let cache = settings.open_cache();
    let outcome = super::get_token::obtain(&settings, &cache)?;
    let account = &outcome.entry.account;
    // The names come from the token: shown through `printable`.
    let who = printable(
        account
            .upn
            .as_deref()
            .or(account.oid.as_deref())
            .unwrap_or("(unknown account)"),
    );
    let tenant = printable(account.tid.as_deref().unwrap_or(&settings.tenant));
    let how = match outcome.source {
        Source::Cache => "Already signed in",
        Source::Refreshed => "Signed in (refreshed)",
        Source::SignedIn => "Signed in",
    };
    crate::say!(
        "{how} as {who} (tenant {tenant}); the token for {} is valid until {}. Tokens are kept in the {} store.",
        printable(&settings.resource),
        rfc3339(outcome.entry.expires_on),
        cache.backend().as_str()
    );
    Ok(ExitCode::SUCCESS)
}
