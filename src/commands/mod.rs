//! One file per command: each reads its args, calls the layers below and prints through `output`.

mod audit;
mod bind;
mod bindings;
mod can_i;
mod completion;
mod convert_kubeconfig;
pub mod get_token;
mod login;
mod logout;
mod overage;
mod sandbox;
mod unbind;
mod who_can;
mod whoami;

pub use completion::complete;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

/// Runs the parsed command. `Ok` carries the exit code (can-i answers "no" with 1).
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::GetToken(args) => get_token::run(args),
        Command::Login(args) => login::run(args),
        Command::Logout(args) => logout::run(args),
        Command::Whoami(args) => whoami::run(args),
        Command::CanI(args) => can_i::run(args),
        Command::Bind(args) => bind::run(args),
        Command::Unbind(args) => unbind::run(args),
        Command::Bindings(args) => bindings::run(args),
        Command::WhoCan(args) => who_can::run(args),
        Command::Audit(args) => audit::run(args),
        Command::ConvertKubeconfig(args) => convert_kubeconfig::run(args),
        Command::Completion(args) => completion::run(args),
        Command::Sandbox(args) => sandbox::run(args),
    }
}

/// A runtime for commands that need the network. get-token on a warm cache never builds one.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Installs a stderr logger for `-v N`. At 0 nothing is installed: human messages go through
/// `say!`, and the hot path stays free of logger setup.
pub fn init_logging(verbosity: u8) {
    if verbosity == 0 {
        return;
    }
    let level = match verbosity {
        1..=3 => "info",
        4..=6 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,kubectl_entra={level}"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour_stderr())
        // Its own complaint about a failed write is an eprintln!, which panics on a closed
        // stderr; a log line that cannot be written is simply lost.
        .log_internal_errors(false)
        .with_target(false)
        .try_init();
}

/// Colours on stderr only for a person at a terminal, and never under `NO_COLOR`
/// (https://no-color.org: set and not empty).
fn colour_stderr() -> bool {
    use std::io::IsTerminal as _;
    wants_colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

fn wants_colour(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(wants_colour(true, None));
        assert!(wants_colour(true, Some(OsStr::new(""))));
        assert!(!wants_colour(true, Some(OsStr::new("1"))));
        assert!(!wants_colour(false, None));
    }
}
