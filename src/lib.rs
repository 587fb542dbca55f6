//! kubectl-entra: a kubectl plugin and exec credential helper for clusters that sign users in
//! with Microsoft Entra ID (AKS with Entra integration).
//!
//! Layers, top to bottom (nothing imports what stands above it):
//! `cli` / `commands` / `output`, then `access`, `k8s`, `kubeconfig`, then `credential`, `entra`,
//! `graph`, `cache`. RBAC semantics live in the `rbac` crate; the sandbox is its own crate and
//! binary (`kubectl-entra-sandbox`), so this one links no HTTP server or signing code.

pub mod access;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod credential;
pub mod entra;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod k8s;
pub mod kubeconfig;
pub mod output;
pub mod sink;

use std::ffi::OsString;
use std::process::ExitCode;

/// Parses the command line, runs the command and turns its error into a message on stderr.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // kubectl_complete-entra runs `kubectl-entra __complete -- WORDS`; answered before clap so
    // the generated completion scripts never offer it.
    if args.get(1).is_some_and(|a| a == "__complete") {
        return commands::complete(&args[2..]);
    }
    // kubectl runs get-token before every command: parse just its flags instead of building the
    // whole command tree. Anything unusual (help, an error) goes through the full parser below.
    if args.get(1).is_some_and(|a| a == "get-token")
        && let Ok(fast) = <cli::GetTokenOnly as clap::Parser>::try_parse_from(&args[1..])
    {
        commands::init_logging(fast.verbosity);
        return finish(commands::get_token::run(fast.auth));
    }
    let cli = match <cli::Cli as clap::Parser>::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version on stdout and usage errors on stderr itself.
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    commands::init_logging(cli.verbosity);
    finish(commands::dispatch(cli))
}

/// Turns a command's error into kubectl's `error: ...` line on stderr.
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", output::error_chain(&err));
            ExitCode::FAILURE
        }
    }
}
