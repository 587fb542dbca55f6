//! kubectl-entra: a kubectl plugin and exec credential helper for clusters that sign users in
//! with Microsoft Entra ID (AKS with Entra integration).
//!
//! Layers, top to bottom (nothing imports what stands above it): `cli` (clap types, turned
//! into each layer's own settings there) and `commands`, then `access`, `k8s`, `kubeconfig`,
//! then `credential`, `entra`, `graph`, `cache`. `output` (tables, JSON/YAML, error chains) and
//! `sink` (human messages) are leaves every layer may use to format; only commands write to
//! stdout, and errors become exit codes in one place, [`finish`]. RBAC semantics live in the
//! `rbac` crate; the sandbox is its own crate and binary (`kubectl-entra-sandbox`), so this one
//! links no HTTP server or signing code.

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
pub mod net;
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
    let error_code = error_exit_code(&args);
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
                _ => ExitCode::from(error_code),
            };
        }
    };
    commands::init_logging(cli.verbosity);
    match commands::dispatch(cli) {
        Ok(code) => code,
        // can-i: 1 means "no", so its errors (usage or not) have their own code; an
        // interruption or a closed stdout keeps its own.
        Err(err) => match finish(Err(err)) {
            code if code == ExitCode::FAILURE => ExitCode::from(error_code),
            code => code,
        },
    }
}

/// Every error's exit code, usage errors included, as kubectl's (clap's own would be 2).
pub const EXIT_ERROR: u8 = 1;
/// `can-i`'s errors: 0 and 1 are its yes and no, so a script never reads a typo or an
/// unreachable cluster as "no".
pub const EXIT_CAN_I_ERROR: u8 = 2;

/// The exit code for an error of the command `args` name: [`EXIT_CAN_I_ERROR`] for can-i,
/// else [`EXIT_ERROR`]. Read from the words before parsing, since a usage error has no parse.
fn error_exit_code(args: &[OsString]) -> u8 {
    let mut words = args.iter().skip(1);
    while let Some(word) = words.next() {
        let word = word.to_string_lossy();
        if word == "-v" || word == "--v" {
            words.next(); // its value
        } else if word.starts_with('-') {
            continue;
        } else {
            return if word == "can-i" {
                EXIT_CAN_I_ERROR
            } else {
                EXIT_ERROR
            };
        }
    }
    EXIT_ERROR
}

/// Where every error becomes an exit code: kubectl's `error: ...` line on stderr and 1; an
/// interruption (Ctrl-C, SIGTERM) its message and 130/143; a closed stdout (`| head`) nothing
/// and 0. Commands return `Ok(code)` for answers that are not errors (can-i's "no" is 1).
pub fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    let err = match result {
        Ok(code) => return code,
        Err(err) => err,
    };
    if let Some(interrupted) = err.downcast_ref::<entra::Interrupted>() {
        say!(
            "kubectl-entra: {}",
            sink::printable(&interrupted.to_string())
        );
        return ExitCode::from(interrupted.exit_code);
    }
    if output::is_closed_stdout(&err) {
        return ExitCode::SUCCESS;
    }
    let mut text = output::with_hint_flags(&output::error_chain(&err));
    if let Some(note) = output::request_timeout_note(&err) {
        text.push_str("; ");
        text.push_str(&note);
    }
    say!("error: {}", sink::printable(&text));
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interruption_keeps_its_exit_code() {
        let err = anyhow::Error::new(entra::Interrupted {
            signal: "SIGTERM",
            exit_code: 143,
        })
        .context("while signing in");
        assert_eq!(finish(Err(err)), ExitCode::from(143));
        assert_eq!(finish(Ok(ExitCode::from(1))), ExitCode::from(1));
        assert_eq!(finish(Err(anyhow::anyhow!("boom"))), ExitCode::FAILURE);
    }

    #[test]
    fn usage_errors_exit_1_and_can_i_errors_2() {
        let code = |words: &[&str]| {
            let args: Vec<OsString> = words.iter().map(OsString::from).collect();
            error_exit_code(&args)
        };
        assert_eq!(code(&["kubectl-entra", "bind", "--nope"]), EXIT_ERROR);
        assert_eq!(
            code(&["kubectl-entra", "-v", "3", "can-i", "get"]),
            EXIT_CAN_I_ERROR
        );
        assert_eq!(code(&["kubectl-entra", "--v=3", "can-i"]), EXIT_CAN_I_ERROR);
        assert_eq!(code(&["kubectl-entra"]), EXIT_ERROR);
        assert_eq!(
            run(["kubectl-entra", "bindings", "--no-such-flag"]),
            ExitCode::from(1)
        );
        assert_eq!(
            run(["kubectl-entra", "can-i", "--list", "--matrix"]),
            ExitCode::from(2)
        );
    }
}
