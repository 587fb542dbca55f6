//! `kubectl entra convert-kubeconfig`: point users written by `az aks get-credentials` (azure
//! auth-provider or kubelogin) at kubectl-entra.

use crate::cli::ConvertKubeconfigArgs;
use crate::kubeconfig::{self, ConvertOptions};
use anyhow::Context as _;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: ConvertKubeconfigArgs) -> anyhow::Result<ExitCode> {
    let kubeconfig_env = std::env::var_os("KUBECONFIG");
    let path = kubeconfig::resolve_path(args.kubeconfig.as_deref(), kubeconfig_env.as_deref())?;
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read the kubeconfig {} (pass --kubeconfig or set KUBECONFIG)",
            path.display()
        )
    })?;
    let mut doc = kubeconfig::parse_document(&text, &path)?;

    let opts = ConvertOptions {
        context: args.context.clone(),
        login: Some(args.login.clone()),
        tenant_id: args.tenant_id.clone(),
        client_id: args.client_id.clone(),
        server_id: args.server_id.clone(),
        environment: args.environment.clone(),
        authority_host: args.authority_host.clone(),
    };
    let converted = kubeconfig::convert_users(&mut doc, &opts)
        .with_context(|| format!("cannot convert {}", path.display()))?;
    if converted.is_empty() {
        eprintln!(
            "No user in {} uses the azure auth-provider or kubelogin; nothing to convert.",
            path.display()
        );
    }
    for c in &converted {
        eprintln!("user {:?}: {} -> kubectl-entra get-token", c.user, c.from);
    }

    let out = serde_yaml::to_string(&doc).context("cannot render the converted kubeconfig")?;
    if args.dry_run {
        std::io::stdout().lock().write_all(out.as_bytes())?;
        eprintln!("Dry run: {} was not changed.", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    if converted.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let backup = kubeconfig::write_with_backup(&path, &out)?;
    eprintln!(
        "Wrote {} (backup of the original: {}). Comments in the file are not kept.",
        path.display(),
        backup.display()
    );
    Ok(ExitCode::SUCCESS)
}
