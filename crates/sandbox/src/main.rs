//! `kubectl-entra-sandbox` (`kubectl entra sandbox`): runs the loopback Entra tenant and
//! Kubernetes API stand-in until Ctrl-C; `sandbox approve` signs a device code in through the
//! sandbox's device-login page.

mod cli;

use anyhow::Context as _;
use clap::Parser as _;
use cli::{SandboxApproveArgs, SandboxArgs, SandboxCommand};
use kubectl_entra_sandbox::options::parse_duration;
use kubectl_entra_sandbox::{SandboxOptions, approve};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = SandboxArgs::parse();
    init_logging(args.verbosity);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    if let Some(SandboxCommand::Approve(a)) = args.command {
        return run_approve(a);
    }
    let token_lifetime = args
        .token_lifetime
        .as_deref()
        .map(parse_duration)
        .transpose()?;
    let options = SandboxOptions {
        state_dir: args.state_dir,
        port: args.port,
        api_port: args.api_port,
        port_file: args.port_file,
        auto_approve: args.auto_approve,
        token_lifetime,
        poll_interval: args.poll_interval,
        device_code_lifetime: args.device_code_lifetime,
        plugin_command: args.plugin_command,
        remember: true,
        tls: args.tls,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut signals = Signals::register()?;
        let sandbox = kubectl_entra_sandbox::run(options).await?;
        if let Some(e) = &sandbox.api_error {
            eprintln!("warning: the Kubernetes API stand-in did not start ({e}); serving the identity provider only");
        }
        eprint!("{}", sandbox.walkthrough());
        eprintln!("Port file: {}", sandbox.port_file.display());
        signals.wait().await;
        eprintln!("Stopping the sandbox.");
        sandbox.shutdown().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Ctrl-C / SIGTERM, registered before the sandbox starts so that a signal sent as soon as the
/// port file appears is not lost (the default action would kill the process with no cleanup).
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn register() -> anyhow::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    async fn wait(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => {}
                _ = self.int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn run_approve(args: SandboxApproveArgs) -> anyhow::Result<ExitCode> {
    let found = approve::locate(&approve::Lookup {
        url: args.url.as_deref(),
        port_file: args.port_file.as_deref(),
        state_dir: args.state_dir.as_deref(),
        kubeconfig_env: std::env::var_os("KUBECONFIG"),
        home: dirs::home_dir(),
    })?;
    let message = runtime()?
        .block_on(approve::submit(
            &found.base_url,
            &args.user_code,
            &args.user,
            args.decline,
        ))
        .with_context(|| {
            format!(
                "the sandbox at {} (chosen by {})",
                found.base_url, found.chosen_by
            )
        })?;
    eprintln!(
        "{message} (sandbox at {}, chosen by {})",
        found.base_url, found.chosen_by
    );
    Ok(ExitCode::SUCCESS)
}

/// `-v N` as kubectl-entra's: its levels, on stderr (the plugin forwards its own -v here).
fn init_logging(verbosity: u8) {
    let level = match verbosity {
        0 => return,
        1..=3 => "info",
        4..=6 => "debug",
        _ => "trace",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(format!(
            "warn,kubectl_entra_sandbox={level}"
        )))
        .with_writer(std::io::stderr)
        .with_target(false)
        .log_internal_errors(false)
        .try_init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
