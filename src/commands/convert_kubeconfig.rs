//! `kubectl entra convert-kubeconfig`: point users written by `az aks get-credentials` (azure
//! auth-provider or kubelogin) at kubectl-entra, each keeping its login mode and settings.

use crate::cli::{AKS_CLIENT_ID, AKS_SERVER_ID, AuthArgs, ConvertKubeconfigArgs, TokenCacheKind};
use crate::entra::Settings;
use crate::kubeconfig::{self, ConvertOptions};
use crate::say;
use anyhow::Context as _;
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(args: ConvertKubeconfigArgs) -> anyhow::Result<ExitCode> {
    check_flags(&args)?;
    let kubeconfig_env = std::env::var_os("KUBECONFIG");
    let paths = kubeconfig::resolve_paths(args.kubeconfig.as_deref(), kubeconfig_env.as_deref())?;
    let (paths, texts, mut docs) = load(&paths)?;
    let shown = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");

    let opts = ConvertOptions {
        default_client_id: AKS_CLIENT_ID.into(),
        default_server_id: AKS_SERVER_ID.into(),
        context: args.context.clone(),
        login: args.login.clone(),
        tenant_id: args.tenant_id.clone(),
        client_id: args.client_id.clone(),
        server_id: args.server_id.clone(),
        environment: args.environment.clone(),
        authority_host: args.authority_host.clone(),
        client_certificate: args.client_certificate.clone(),
        federated_token_file: args.federated_token_file.clone(),
        identity_resource_id: args.identity_resource_id.clone(),
        subscription: args.subscription.clone(),
        azure_pipelines_service_connection_id: args.azure_pipelines_service_connection_id.clone(),
        check: Some(check_new_entry),
    };
    let reports = kubeconfig::convert_merged(&mut docs, &opts)
        .with_context(|| format!("cannot convert {shown}"))?;

    let mut changed = Vec::new();
    for (((path, text), doc), report) in paths.iter().zip(&texts).zip(&docs).zip(&reports) {
        let here = if paths.len() > 1 {
            format!(" in {}", path.display())
        } else {
            String::new()
        };
        for c in &report.converted {
            say!(
                "user {:?}{here}: {} -> kubectl-entra get-token --login {}",
                c.user,
                c.from,
                c.login
            );
            for note in &c.notes {
                say!("  user {:?}: {note}", c.user);
            }
        }
        for s in &report.skipped {
            say!(
                "user {:?}{here} ({}) left as it is: {}",
                s.user,
                s.from,
                s.reason
            );
        }
        if !report.converted.is_empty() {
            let indices: Vec<usize> = report.converted.iter().map(|c| c.index).collect();
            changed.push((path, kubeconfig::render_users(text, doc, &indices)?));
        }
    }
    if reports
        .iter()
        .all(|r| r.converted.is_empty() && r.skipped.is_empty())
    {
        say!("No user in {shown} uses the azure auth-provider or kubelogin; nothing to convert.");
    }

    if args.dry_run {
        if paths.len() == 1 {
            let text = match changed.first() {
                Some((_, text)) => text.clone(),
                None => kubeconfig::render_users(&texts[0], &docs[0], &[])?,
            };
            crate::output::print_text(&text)?;
        } else {
            for (i, (path, text)) in changed.iter().enumerate() {
                say!(
                    "Dry run: document {} is {} converted",
                    i + 1,
                    path.display()
                );
                let separator = if i == 0 { "" } else { "---\n" };
                crate::output::print_text(&format!("{separator}{text}"))?;
            }
        }
        say!("Dry run: {shown} not changed.");
        return Ok(ExitCode::SUCCESS);
    }
    for (path, text) in &changed {
        let backup = kubeconfig::write_with_backup(path, text)?;
        say!(
            "Wrote {} (backup of the original: {}). Comments in the file are not kept.",
            path.display(),
            backup.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads and parses the files. A file named by --kubeconfig (or the only one) must exist; a
/// missing file in a $KUBECONFIG list is skipped, as kubectl does.
type Loaded = (Vec<PathBuf>, Vec<String>, Vec<kube::config::Kubeconfig>);

fn load(paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let mut found = Vec::new();
    let mut texts = Vec::new();
    let mut docs = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if paths.len() > 1 && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "cannot read the kubeconfig {} (pass --kubeconfig or set KUBECONFIG)",
                    path.display()
                )));
            }
        };
        docs.push(kubeconfig::parse_document(&text, path)?);
        texts.push(text);
        found.push(path.clone());
    }
    if found.is_empty() {
        anyhow::bail!(
            "none of the kubeconfig files of KUBECONFIG exists ({}); pass --kubeconfig",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok((found, texts, docs))
}

/// The flags themselves are checked before any file is read: a typo is the caller's to fix.
fn check_flags(args: &ConvertKubeconfigArgs) -> anyhow::Result<()> {
    if let Some(login) = &args.login {
        crate::entra::LoginMode::parse(login)?;
    }
    if let Some(environment) = &args.environment {
        crate::entra::Cloud::from_name(environment)?;
    }
    if let Some(host) = &args.authority_host {
        crate::entra::parse_authority(host)?;
    }
    if let Some(tenant) = &args.tenant_id {
        crate::entra::validate_tenant(tenant).context("--tenant-id")?;
    }
    Ok(())
}

#[derive(Parser)]
#[command(no_binary_name = true)]
struct Defaults {
    #[command(flatten)]
    auth: AuthArgs,
}

/// Refuses an entry that get-token would reject when kubectl runs it (an unknown --login or
/// --environment, an http authority, a malformed tenant), with get-token's own rules. The
/// settings are set one by one over the defaults, so the converting shell's variables play no
/// part and flags get-token does not know yet pass through.
fn check_new_entry(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| {
        let inline = format!("{flag}=");
        args.iter()
            .enumerate()
            .find_map(|(i, a)| match a.strip_prefix(&inline) {
                Some(v) => Some(v.to_string()),
                None if a == flag => args.get(i + 1).cloned(),
                None => None,
            })
    };
    let base = Defaults::try_parse_from(Vec::<String>::new())
        .map_err(|e| e.to_string())?
        .auth;
    let auth = AuthArgs {
        tenant_id: value("--tenant-id").unwrap_or_else(|| "organizations".into()),
        client_id: value("--client-id").unwrap_or_else(|| AKS_CLIENT_ID.into()),
        server_id: value("--server-id").unwrap_or_default(),
        login: value("--login").unwrap_or_else(|| kubeconfig::DEFAULT_LOGIN.into()),
        environment: value("--environment")
            .unwrap_or_else(|| crate::entra::DEFAULT_ENVIRONMENT.into()),
        authority_host: value("--authority-host"),
        token_cache_dir: Some(".".into()),
        token_cache: TokenCacheKind::File,
        timeout: value("--timeout").unwrap_or_else(|| "60s".into()),
        client_certificate: value("--client-certificate").map(Into::into),
        federated_token_file: value("--federated-token-file").map(Into::into),
        identity_resource_id: value("--identity-resource-id"),
        subscription: value("--subscription"),
        azure_pipelines_service_connection_id: value("--azure-pipelines-service-connection-id"),
        disable_environment_override: true,
        redirect_url: value("--redirect-url"),
        login_hint: value("--login-hint"),
        prompt: value("--prompt"),
        browser_timeout: value("--browser-timeout").unwrap_or_else(|| "5m".into()),
        ..base
    };
    Settings::try_from(&auth).map(drop).map_err(|e| {
        format!(
            "kubectl-entra get-token would refuse its settings ({}); pass the right value to convert-kubeconfig",
            crate::output::error_chain(&e)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn entries_get_token_refuses_are_named() {
        assert!(
            check_new_entry(&args(&[
                "get-token",
                "--tenant-id",
                "t",
                "--server-id",
                "s"
            ]))
            .is_ok()
        );
        assert!(
            check_new_entry(&args(&[
                "get-token",
                "--server-id",
                "s",
                "--login",
                "msi",
                "--redirect-url",
                "x"
            ]))
            .is_ok()
        );
        for bad in [
            &[
                "get-token",
                "--environment",
                "AzureMoon",
                "--server-id",
                "s",
            ][..],
            &["get-token", "--tenant-id=a/b", "--server-id", "s"],
            &["get-token", "--server-id", "s", "--timeout", "soon"],
            &[
                "get-token",
                "--server-id",
                "s",
                "--authority-host",
                "http://login.example",
            ],
        ] {
            let err = check_new_entry(&args(bad)).unwrap_err();
            assert!(err.contains("get-token would refuse"), "{err}");
        }
    }

    #[test]
    fn a_missing_file_in_a_list_is_skipped_but_not_alone() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::write(&real, "apiVersion: v1\nkind: Config\n").unwrap();
        let missing = dir.path().join("missing");
        let (found, _, docs) = load(&[missing.clone(), real.clone()]).unwrap();
        assert_eq!((found, docs.len()), (vec![real], 1));
        assert!(load(&[missing]).is_err());
    }
}
