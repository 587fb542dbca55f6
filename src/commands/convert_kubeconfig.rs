//! `kubectl entra convert-kubeconfig`: point users written by `az aks get-credentials` (azure
//! auth-provider or kubelogin) at kubectl-entra.

use crate::cli::{AKS_CLIENT_ID, AKS_SERVER_ID, AuthArgs, ConvertKubeconfigArgs, TokenCacheKind};
use crate::entra::Settings;
use crate::kubeconfig::{self, ConvertOptions};
use crate::say;
use anyhow::Context as _;
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
        default_client_id: AKS_CLIENT_ID.into(),
        default_server_id: AKS_SERVER_ID.into(),
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
    for c in &converted {
        check_new_entry(&doc, &c.user)?;
    }
    if converted.is_empty() {
        say!(
            "No user in {} uses the azure auth-provider or kubelogin; nothing to convert.",
            path.display()
        );
    }
    for c in &converted {
        say!("user {:?}: {} -> kubectl-entra get-token", c.user, c.from);
    }

    let out = kubeconfig::render(&doc)?;
    if args.dry_run {
        crate::output::print_text(&out)?;
        say!("Dry run: {} was not changed.", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    if converted.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let backup = kubeconfig::write_with_backup(&path, &out)?;
    say!(
        "Wrote {} (backup of the original: {}). Comments in the file are not kept.",
        path.display(),
        backup.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses to write an entry that get-token would reject when kubectl runs it (an unknown
/// --login or --environment, an http authority, a malformed tenant), with get-token's own rules.
fn check_new_entry(doc: &kube::config::Kubeconfig, user: &str) -> anyhow::Result<()> {
    let args: Vec<String> = doc
        .auth_infos
        .iter()
        .find(|u| u.name == user)
        .and_then(|u| u.auth_info.as_ref()?.exec.as_ref()?.args.clone())
        .unwrap_or_default();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    // Built field by field (not parsed) so the converting shell's AZURE_* variables play no part.
    let auth = AuthArgs {
        tenant_id: value("--tenant-id").unwrap_or_default(),
        client_id: value("--client-id").unwrap_or_default(),
        server_id: value("--server-id").unwrap_or_default(),
        login: value("--login").unwrap_or_else(|| kubeconfig::DEFAULT_LOGIN.into()),
        environment: value("--environment")
            .unwrap_or_else(|| crate::entra::DEFAULT_ENVIRONMENT.into()),
        authority_host: value("--authority-host"),
        token_cache_dir: Some(".".into()),
        token_cache: TokenCacheKind::File,
        timeout: "60s".into(),
        sources: Default::default(),
        client_secret: None,
        client_certificate: value("--client-certificate").map(Into::into),
        client_certificate_password: None,
        federated_token_file: value("--federated-token-file").map(Into::into),
        identity_resource_id: value("--identity-resource-id"),
        subscription: None,
        use_azurerm_env_vars: false,
        disable_environment_override: true,
        redirect_url: value("--redirect-url"),
        login_hint: value("--login-hint"),
        prompt: value("--prompt"),
        browser_timeout: value("--browser-timeout").unwrap_or_else(|| "5m".into()),
    };
    Settings::try_from(&auth).map(drop).with_context(|| {
        format!(
            "user {user:?} cannot be converted as it is: kubectl-entra get-token would refuse these settings; pass the right value to convert-kubeconfig (nothing was written)"
        )
    })
}
