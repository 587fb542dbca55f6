//! One file per command: each reads its args, calls the layers below and prints through `output`.

mod audit;
mod bind;
mod bindings;
mod can_i;
mod can_i_why;
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
    remember_hint_target(&cli.command);
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
        Command::Sandbox(mut args) => {
            // `kubectl entra -v 4 sandbox ...`: the same -v for the sandbox.
            let has_own = args.args.iter().any(|a| {
                let a = a.to_string_lossy();
                a == "-v" || a == "--v" || a.starts_with("--v=") || a.starts_with("-v")
            });
            if cli.verbosity > 0 && !has_own {
                args.args.push(format!("--v={}", cli.verbosity).into());
            }
            sandbox::run(args)
        }
    }
}

/// An error of a command that talks to the cluster, with how to convert the context when it
/// still signs in with the azure auth-provider or a kubelogin that is not installed.
pub(crate) fn with_convert_hint<T>(
    result: anyhow::Result<T>,
    kube: &crate::cli::KubeconfigArgs,
) -> anyhow::Result<T> {
    result.map_err(|err| {
        let hint = crate::k8s::client::load_kubeconfig(kube.kubeconfig.as_deref())
            .ok()
            .and_then(|doc| {
                crate::kubeconfig::conversion_hint(
                    &doc,
                    kube.context.as_deref(),
                    std::env::var_os("PATH").as_deref(),
                )
            });
        match hint {
            Some(hint) => err.context(hint),
            None => err,
        }
    })
}

/// The sign-in hints a command prints (`kubectl entra logout`, ...) name its kubeconfig and
/// context, so they act on the same sign-in.
fn remember_hint_target(command: &Command) {
    let kube = match command {
        Command::Login(a) => &a.kube,
        Command::Logout(a) => &a.kube,
        Command::Whoami(a) => &a.kube,
        Command::CanI(a) => &a.kube,
        Command::Bind(a) => &a.kube,
        Command::Unbind(a) => &a.kube,
        Command::Bindings(a) => &a.kube,
        _ => return,
    };
    crate::output::set_hint_target(kube.kubeconfig.as_deref(), kube.context.as_deref());
    crate::output::set_request_timeout(kube.request_timeout);
}

/// A runtime for commands that need the network. get-token on a warm cache never builds one.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Installs a stderr logger for `-v N`, the one verbosity mechanism of every command (and of
/// the sandbox, which gets the same `-v`). At 0 nothing is installed: human messages go
/// through `say!`, and the hot path stays free of logger setup.
pub fn init_logging(verbosity: u8) {
    if verbosity == 0 {
        return;
    }
    let filter = tracing_subscriber::EnvFilter::new(log_filter(verbosity));
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

/// The filter for `-v N`: kubectl's levels (1-3 what happens, 4-6 details, 7+ everything),
/// and from 6 on the Kubernetes client's requests (method, URL, status), as kubectl -v 6 shows
/// them. Never headers or bodies: kube logs neither at debug, and tokens stay out of logs.
pub fn log_filter(verbosity: u8) -> String {
    let level = match verbosity {
        0 => return "off".to_string(),
        1..=3 => "info",
        4..=6 => "debug",
        _ => "trace",
    };
    let mut filter = format!("warn,kubectl_entra={level},kubectl_entra_sandbox={level}");
    if verbosity >= 6 {
        filter.push_str(",kube_client=debug");
    }
    filter
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
    fn one_filter_per_level() {
        assert_eq!(log_filter(0), "off");
        assert!(log_filter(2).contains("kubectl_entra=info"));
        assert!(!log_filter(5).contains("kube_client"));
        assert!(log_filter(6).ends_with(",kube_client=debug"));
        assert!(log_filter(9).contains("kubectl_entra=trace"));
        assert!(
            !log_filter(9).contains("kube_client=trace"),
            "never kube's trace (bodies)"
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(wants_colour(true, None));
        assert!(wants_colour(true, Some(OsStr::new(""))));
        assert!(!wants_colour(true, Some(OsStr::new("1"))));
        assert!(!wants_colour(false, None));
    }
}
