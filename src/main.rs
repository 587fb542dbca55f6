//! `kubectl-entra`: kubectl finds this binary on PATH and runs it for `kubectl entra ...`.

fn main() -> std::process::ExitCode {
    kubectl_entra::run(std::env::args_os())
}
