//! Rewrites kubeconfig users that sign in through the legacy `azure` auth-provider or Azure
//! kubelogin into an exec entry calling `kubectl-entra get-token`, keeping each user's login
//! mode and settings (exec `env:`, client, tenant, timeout, cache directory, certificate,
//! federated token file, managed identity...).
//!
//! Only the `user` of a converted entry changes. Tokens held by the old auth-provider config
//! (access-token, refresh-token, ...) and secrets in kubelogin's args or `env:` (client secret,
//! passwords) are dropped, never copied: they belong in the environment of the job that runs
//! kubectl. A user kubectl-entra cannot serve (PoP tokens, the legacy `spn:` audience, a login
//! mode it does not have) is left as it is, with the reason.
//!
//! `--login MODE` sets one mode for the converted users as kubelogin's `convert-kubeconfig -l`
//! does: when it changes a user's mode to azurecli, msi or workloadidentity, the old client and
//! tenant are not kept (they come from the CLI, the identity, or the webhook's variables); to
//! azurepipelines, the old client is not kept (it comes from the pipeline task's variables).

use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode, Kubeconfig};
use std::collections::HashMap;
use std::fmt;

/// The exec API version kubectl-entra answers with.
pub const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";
/// Shown by kubectl when the plugin is missing from PATH.
pub const INSTALL_HINT: &str =
    "kubectl-entra is required: kubectl krew install entra (or cargo install kubectl-entra)";
/// get-token's default login mode (written as no `--login`).
pub const DEFAULT_LOGIN: &str = "devicecode";

/// Login modes get-token has (keep in step with `entra::LoginMode`).
const MODES: &[&str] = &[
    "devicecode",
    "interactive",
    "azurecli",
    "spn",
    "workloadidentity",
    "msi",
    "azurepipelines",
];

/// Checks the new entry's args with get-token's own rules; `Err` says why it would refuse.
pub type EntryCheck = fn(&[String]) -> Result<(), String>;

/// What to convert and which values override the ones read from the old entries.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Written when neither a flag nor the old entry names a client (the AKS client).
    pub default_client_id: String,
    /// Written when neither a flag nor the old entry names a server (the AKS server).
    pub default_server_id: String,
    /// Convert only the user of this context (otherwise every convertible user).
    pub context: Option<String>,
    /// Login mode for every converted user; `None` keeps each user's own.
    pub login: Option<String>,
    /// Written for users that have no tenant; never replaces one.
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub server_id: Option<String>,
    pub environment: Option<String>,
    pub authority_host: Option<String>,
    /// Written (replacing the old value) for the converted users whose mode uses them.
    pub client_certificate: Option<String>,
    pub federated_token_file: Option<String>,
    pub identity_resource_id: Option<String>,
    pub subscription: Option<String>,
    /// Written for the converted azurepipelines users.
    pub azure_pipelines_service_connection_id: Option<String>,
    /// A user whose new entry this refuses is left as it is, with the reason.
    pub check: Option<EntryCheck>,
}

/// Where a converted user came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    AzureAuthProvider,
    Kubelogin,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceKind::AzureAuthProvider => "azure auth-provider",
            SourceKind::Kubelogin => "kubelogin exec entry",
        })
    }
}

/// One user that was rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub user: String,
    /// Its position in the document's users.
    pub index: usize,
    pub from: SourceKind,
    /// The login mode of the new entry.
    pub login: String,
    /// What was dropped, and what to do instead (one line each).
    pub notes: Vec<String>,
}

/// One user that was left as it is, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub user: String,
    pub from: SourceKind,
    pub reason: String,
}

/// The users of one document that were converted, and those that could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub converted: Vec<Converted>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConvertError {
    #[error("context {name:?} not found in the kubeconfig (contexts: {known})")]
    ContextNotFound { name: String, known: String },
    #[error("context {0:?} names no user")]
    ContextWithoutUser(String),
    #[error("user {0:?} of the context is not in the kubeconfig's users")]
    UserNotFound(String),
}

/// What an old entry says, before overrides and defaults.
#[derive(Debug, Default)]
struct OldEntry {
    tenant_id: Option<String>,
    client_id: Option<String>,
    server_id: Option<String>,
    environment: Option<String>,
    login: Option<String>,
    authority_host: Option<String>,
    /// Settings carried over as they are (flag, value; `None` for a switch), in order.
    kept: Vec<(&'static str, Option<String>)>,
    /// Why kubectl-entra cannot serve this user, if it cannot.
    unsupported: Option<String>,
    notes: Vec<String>,
    env: Option<Vec<HashMap<String, String>>>,
}

/// Converts the users chosen by `opts` (all, or the user of `opts.context`) in place and
/// returns them, in file order. Everything else, fields kube's types do not model included
/// (they keep them in `other`), stays.
pub fn convert_users(
    doc: &mut Kubeconfig,
    opts: &ConvertOptions,
) -> Result<Vec<Converted>, ConvertError> {
    Ok(convert_document(doc, opts)?.converted)
}

/// [`convert_users`] with the users that were left alone and why.
pub fn convert_document(
    doc: &mut Kubeconfig,
    opts: &ConvertOptions,
) -> Result<Report, ConvertError> {
    let only_user = match &opts.context {
        Some(context) => Some(user_of_context(doc, context)?),
        None => None,
    };
    if let Some(only) = &only_user
        && !doc.auth_infos.iter().any(|u| u.name == *only)
    {
        return Err(ConvertError::UserNotFound(only.clone()));
    }
    Ok(convert_selected(doc, opts, &|name| {
        only_user.as_deref().is_none_or(|only| only == name)
    }))
}

/// Converts the convertible users `select` accepts; the rest of the document stays.
pub fn convert_selected(
    doc: &mut Kubeconfig,
    opts: &ConvertOptions,
    select: &dyn Fn(&str) -> bool,
) -> Report {
    let mut report = Report::default();
    for (index, entry) in doc.auth_infos.iter_mut().enumerate() {
        if !select(&entry.name) {
            continue;
        }
        let Some(user) = entry.auth_info.as_mut() else {
            continue;
        };
        let Some((from, old)) = read_old_entry(user) else {
            continue;
        };
        match new_exec_entry(old, opts) {
            Ok((exec, login, notes)) => {
                // Drop every old credential (auth-provider config holds tokens); keep unrelated fields.
                user.auth_provider = None;
                user.token = None;
                user.exec = Some(exec);
                report.converted.push(Converted {
                    user: entry.name.clone(),
                    index,
                    from,
                    login,
                    notes,
                });
            }
            Err(reason) => report.skipped.push(Skipped {
                user: entry.name.clone(),
                from,
                reason,
            }),
        }
    }
    report
}

pub(crate) fn user_of_context(doc: &Kubeconfig, context: &str) -> Result<String, ConvertError> {
    let entry = doc
        .contexts
        .iter()
        .find(|c| c.name == context)
        .ok_or_else(|| ConvertError::ContextNotFound {
            name: context.to_owned(),
            known: doc
                .contexts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    entry
        .context
        .as_ref()
        .and_then(|c| c.user.clone())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ConvertError::ContextWithoutUser(context.to_owned()))
}

/// Recognises the two source forms and reads them. Anything else is left alone.
fn read_old_entry(user: &AuthInfo) -> Option<(SourceKind, OldEntry)> {
    if let Some(provider) = user.auth_provider.as_ref().filter(|p| p.name == "azure") {
        let field = |key: &str| provider.config.get(key).filter(|v| !v.is_empty()).cloned();
        // kubelogin's rule: config-mode "1" is AKS-managed Entra ID; "0" or none is the AAD v1
        // integration, whose API server wants the `spn:` audience.
        let legacy = matches!(field("config-mode").as_deref(), None | Some("0"));
        return Some((
            SourceKind::AzureAuthProvider,
            OldEntry {
                tenant_id: field("tenant-id"),
                client_id: field("client-id"),
                server_id: field("apiserver-id"),
                environment: field("environment"),
                unsupported: legacy.then(|| {
                    "its config-mode is the legacy AAD v1 one (tokens with the `spn:` audience prefix), which kubectl-entra does not issue; if the cluster uses AKS-managed Entra ID, set config-mode: \"1\" in the entry and run again".to_string()
                }),
                ..OldEntry::default()
            },
        ));
    }
    let exec = user.exec.as_ref()?;
    if !is_kubelogin(exec.command.as_deref()?) {
        return None;
    }
    let args: Vec<&str> = exec.args.iter().flatten().map(String::as_str).collect();
    if args.first() != Some(&"get-token") {
        return None;
    }
    let mut old = parse_kubelogin_args(&args[1..]);
    old.env = exec.env.clone();
    Some((SourceKind::Kubelogin, old))
}

/// `kubelogin`, `/usr/local/bin/kubelogin`, `C:\bin\kubelogin.exe`.
pub(crate) fn is_kubelogin(command: &str) -> bool {
    let base = command.rsplit(['/', '\\']).next().unwrap_or(command);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    base == "kubelogin"
}

/// What a `kubelogin get-token` flag means to the conversion.
enum Flag {
    Tenant,
    Client,
    Server,
    Environment,
    Login,
    AuthorityHost,
    /// Carried over under this name (kubelogin's `--cache-dir` is our `--token-cache-dir`).
    Keep(&'static str),
    KeepSwitch(&'static str),
    /// A secret: dropped; the variables that carry it instead.
    Secret(&'static str),
    /// A setting kubectl-entra cannot honour; the user stays as it is.
    Unsupported(&'static str),
    /// Not meaningful to kubectl-entra; dropped with a note (or silently, for logging).
    Drop {
        takes_value: bool,
        quiet: bool,
    },
}

fn flag_kind(flag: &str) -> Flag {
    match flag {
        "--tenant-id" | "-t" => Flag::Tenant,
        "--client-id" => Flag::Client,
        "--server-id" => Flag::Server,
        "--environment" | "-e" => Flag::Environment,
        "--login" | "-l" => Flag::Login,
        "--authority-host" => Flag::AuthorityHost,
        "--timeout" => Flag::Keep("--timeout"),
        "--cache-dir" | "--token-cache-dir" => Flag::Keep("--token-cache-dir"),
        "--client-certificate" => Flag::Keep("--client-certificate"),
        "--federated-token-file" => Flag::Keep("--federated-token-file"),
        "--identity-resource-id" => Flag::Keep("--identity-resource-id"),
        "--subscription" | "-s" => Flag::Keep("--subscription"),
        "--redirect-url" => Flag::Keep("--redirect-url"),
        "--login-hint" => Flag::Keep("--login-hint"),
        "--use-azurerm-env-vars" => Flag::KeepSwitch("--use-azurerm-env-vars"),
        "--disable-environment-override" => Flag::KeepSwitch("--disable-environment-override"),
        "--client-secret" => {
            Flag::Secret("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or AZURE_CLIENT_SECRET")
        }
        "--client-certificate-password" => Flag::Secret(
            "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD or AZURE_CLIENT_CERTIFICATE_PASSWORD",
        ),
        "--password" => Flag::Secret("nothing: kubectl-entra has no ropc login"),
        "--pop-enabled" | "--pop-claims" => Flag::Unsupported(
            "it asks for proof-of-possession (PoP) tokens (--pop-enabled), which kubectl-entra does not issue",
        ),
        "--legacy" => Flag::Unsupported(
            "it asks for the legacy `spn:` audience (--legacy, AAD v1 clusters), which kubectl-entra does not issue",
        ),
        "--azure-pipelines-service-connection-id" => {
            Flag::Keep("--azure-pipelines-service-connection-id")
        }
        "--username" => Flag::Drop {
            takes_value: true,
            quiet: false,
        },
        "-v" | "--v" | "--vmodule" => Flag::Drop {
            takes_value: true,
            quiet: true,
        },
        "--logtostderr" => Flag::Drop {
            takes_value: false,
            quiet: true,
        },
        _ => Flag::Drop {
            takes_value: false,
            quiet: false,
        },
    }
}

/// Reads `kubelogin get-token`'s `--flag value`, `--flag=value` and switches
/// (`--legacy`, `--legacy=true`; `=false` is off).
fn parse_kubelogin_args(args: &[&str]) -> OldEntry {
    let mut old = OldEntry::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i];
        i += 1;
        if !arg.starts_with('-') {
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg, None),
        };
        let kind = flag_kind(flag);
        let switch = matches!(
            kind,
            Flag::KeepSwitch(_)
                | Flag::Unsupported(_)
                | Flag::Drop {
                    takes_value: false,
                    ..
                }
        ) && flag != "--pop-claims";
        let value = if switch {
            if inline
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
            {
                continue;
            }
            None
        } else {
            match inline {
                Some(v) => Some(v),
                None => {
                    let next = args.get(i).map(|v| (*v).to_owned());
                    i += 1;
                    next
                }
            }
        };
        let slot = match kind {
            Flag::Tenant => &mut old.tenant_id,
            Flag::Client => &mut old.client_id,
            Flag::Server => &mut old.server_id,
            Flag::Environment => &mut old.environment,
            Flag::Login => &mut old.login,
            Flag::AuthorityHost => &mut old.authority_host,
            Flag::Keep(name) => {
                old.kept.retain(|(f, _)| *f != name);
                old.kept.push((name, value));
                continue;
            }
            Flag::KeepSwitch(name) => {
                if !old.kept.iter().any(|(f, _)| *f == name) {
                    old.kept.push((name, None));
                }
                continue;
            }
            Flag::Secret(instead) => {
                old.notes.push(format!(
                    "{flag} dropped: kubectl-entra never writes a secret into the kubeconfig; set {instead} where kubectl runs"
                ));
                continue;
            }
            Flag::Unsupported(why) => {
                old.unsupported.get_or_insert_with(|| why.to_string());
                continue;
            }
            Flag::Drop { quiet, .. } => {
                if !quiet {
                    old.notes
                        .push(format!("{flag} dropped: kubectl-entra has no such setting"));
                }
                continue;
            }
        };
        *slot = value.filter(|v| !v.is_empty());
    }
    old
}

/// Variables whose values are secrets: never written back into an exec entry's `env:`.
const SECRET_VARIABLES: &[&str] = &[
    "AAD_SERVICE_PRINCIPAL_CLIENT_SECRET",
    "AZURE_CLIENT_SECRET",
    "ARM_CLIENT_SECRET",
    "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "ARM_CLIENT_CERTIFICATE_PASSWORD",
    "AAD_USER_PRINCIPAL_PASSWORD",
    "AZURE_PASSWORD",
];

/// `--flag value`, or `--flag=value` when the value starts with `-`: written apart, such a value
/// would be read as a flag of its own (found by fuzzing convert-kubeconfig).
fn push_flag(args: &mut Vec<String>, flag: &str, value: &str) {
    if value.starts_with('-') {
        args.push(format!("{flag}={value}"));
    } else {
        args.push(flag.to_string());
        args.push(value.to_string());
    }
}

/// Whether a carried-over setting means something to `mode` (the others are dropped).
fn mode_uses(flag: &str, mode: &str) -> bool {
    match flag {
        "--client-certificate" => mode == "spn",
        "--federated-token-file" => mode == "workloadidentity",
        "--identity-resource-id" => mode == "msi",
        "--subscription" => mode == "azurecli",
        "--azure-pipelines-service-connection-id" => mode == "azurepipelines",
        "--redirect-url" | "--login-hint" => mode == "interactive",
        _ => true,
    }
}

/// The new exec entry, its login mode and notes; `Err` says why the user stays as it is.
fn new_exec_entry(
    mut old: OldEntry,
    opts: &ConvertOptions,
) -> Result<(ExecConfig, String, Vec<String>), String> {
    if let Some(why) = old.unsupported.take() {
        return Err(why);
    }
    let old_mode = old
        .login
        .as_deref()
        .unwrap_or(DEFAULT_LOGIN)
        .trim()
        .to_ascii_lowercase();
    let mode = match &opts.login {
        Some(login) => login.trim().to_ascii_lowercase(),
        None => old_mode.clone(),
    };
    if !MODES.contains(&mode.as_str()) {
        return Err(format!(
            "its login mode {mode:?} is not one kubectl-entra has ({}); pass --login with one of them to convert it",
            MODES.join(", ")
        ));
    }
    // kubelogin's converter: a change to these modes does not keep the user's client and tenant.
    if mode != old_mode && matches!(mode.as_str(), "azurecli" | "msi" | "workloadidentity") {
        old.client_id = None;
        old.tenant_id = None;
    }
    // Nor its client for azurepipelines (the service connection's application comes from
    // AZURESUBSCRIPTION_CLIENT_ID); the tenant stays, as kubelogin writes it.
    if mode != old_mode && mode == "azurepipelines" {
        old.client_id = None;
    }
    let user_sign_in = matches!(mode.as_str(), "devicecode" | "interactive");
    let tenant = old.tenant_id.or_else(|| opts.tenant_id.clone());
    if tenant.is_none() && (user_sign_in || mode == "spn") {
        return Err(format!(
            "it names no tenant and --login {mode} needs one; pass --tenant-id with the Entra tenant of the cluster"
        ));
    }
    let mut client = opts.client_id.clone().or(old.client_id);
    if client.is_none() && user_sign_in {
        client = Some(opts.default_client_id.clone());
    }
    let server = opts
        .server_id
        .clone()
        .or(old.server_id)
        .unwrap_or_else(|| opts.default_server_id.clone());
    let environment = opts.environment.clone().or(old.environment);
    let authority_host = opts.authority_host.clone().or(old.authority_host);

    let mut args = vec!["get-token".to_string()];
    if let Some(tenant) = &tenant {
        push_flag(&mut args, "--tenant-id", tenant);
    }
    if let Some(client) = &client {
        push_flag(&mut args, "--client-id", client);
    }
    push_flag(&mut args, "--server-id", &server);
    if let Some(env) = environment.filter(|e| !is_public_cloud(e)) {
        push_flag(&mut args, "--environment", &env);
    }
    if let Some(host) = authority_host {
        push_flag(&mut args, "--authority-host", &host);
    }
    if mode != DEFAULT_LOGIN {
        push_flag(&mut args, "--login", &mode);
    }
    let mut kept = old.kept;
    for (flag, value) in [
        ("--client-certificate", &opts.client_certificate),
        ("--federated-token-file", &opts.federated_token_file),
        ("--identity-resource-id", &opts.identity_resource_id),
        ("--subscription", &opts.subscription),
        (
            "--azure-pipelines-service-connection-id",
            &opts.azure_pipelines_service_connection_id,
        ),
    ] {
        if let Some(value) = value {
            kept.retain(|(f, _)| *f != flag);
            kept.push((flag, Some(value.clone())));
        }
    }
    let mut notes = old.notes;
    for (flag, value) in kept {
        if !mode_uses(flag, &mode) {
            notes.push(format!("{flag} dropped: --login {mode} does not use it"));
            continue;
        }
        match value {
            Some(value) => push_flag(&mut args, flag, &value),
            None => args.push(flag.to_string()),
        }
    }
    let env = old.env.map(|entries| {
        entries
            .into_iter()
            .filter(|entry| {
                let name = entry.get("name").map(String::as_str).unwrap_or_default();
                let secret = SECRET_VARIABLES.contains(&name);
                if secret {
                    notes.push(format!(
                        "env {name} dropped: kubectl-entra never writes a secret into the kubeconfig; set it where kubectl runs"
                    ));
                }
                !secret
            })
            .collect::<Vec<_>>()
    });
    if let Some(check) = opts.check {
        check(&args)?;
    }
    Ok((
        ExecConfig {
            api_version: Some(EXEC_API_VERSION.into()),
            command: Some("kubectl-entra".into()),
            args: Some(args),
            env: env.filter(|e| !e.is_empty()),
            interactive_mode: Some(ExecInteractiveMode::IfAvailable),
            install_hint: Some(INSTALL_HINT.into()),
            provide_cluster_info: false,
            ..Default::default()
        },
        mode,
        notes,
    ))
}

fn is_public_cloud(environment: &str) -> bool {
    // kubelogin's spellings of the public cloud.
    ["", "AzurePublicCloud", "AzurePublic", "AzureCloud"]
        .iter()
        .any(|name| environment.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AKS_CLIENT_ID: &str = "aks-client";
    const AKS_SERVER_ID: &str = "aks-server";

    fn doc(text: &str) -> Kubeconfig {
        Kubeconfig::from_yaml(text).unwrap()
    }

    fn opts() -> ConvertOptions {
        ConvertOptions {
            default_client_id: AKS_CLIENT_ID.into(),
            default_server_id: AKS_SERVER_ID.into(),
            ..ConvertOptions::default()
        }
    }

    fn exec_of(doc: &Kubeconfig, user: usize) -> &ExecConfig {
        doc.auth_infos[user]
            .auth_info
            .as_ref()
            .and_then(|u| u.exec.as_ref())
            .unwrap()
    }

    fn as_json(doc: &Kubeconfig) -> serde_json::Value {
        serde_json::to_value(doc).unwrap()
    }

    const AZURE: &str = r#"
users:
- name: u1
  user:
    auth-provider:
      name: azure
      config:
        apiserver-id: server-1
        client-id: client-1
        tenant-id: tenant-1
        environment: AzureChinaCloud
        config-mode: "1"
        access-token: SECRET-ACCESS
        refresh-token: SECRET-REFRESH
        expires-on: "1700000000"
"#;

    fn args_of(doc: &Kubeconfig, user: usize) -> Vec<String> {
        exec_of(doc, user).args.clone().unwrap()
    }

    /// One kubelogin user with these args (and `env`), converted with `opts`.
    fn kubelogin(args: &str, env: &str, opts: &ConvertOptions) -> (Kubeconfig, Report) {
        let mut d = doc(&format!(
            "users:\n- name: k\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubelogin\n      args: [get-token, {args}]\n      env: {env}\n"
        ));
        let report = convert_document(&mut d, opts).unwrap();
        (d, report)
    }

    #[test]
    fn azure_auth_provider_keeps_ids_and_drops_tokens() {
        let mut d = doc(AZURE);
        let out = convert_users(&mut d, &opts()).unwrap();
        assert_eq!(out[0].from, SourceKind::AzureAuthProvider);
        assert_eq!(out[0].login, "devicecode");
        assert_eq!(
            args_of(&d, 0),
            [
                "get-token",
                "--tenant-id",
                "tenant-1",
                "--client-id",
                "client-1",
                "--server-id",
                "server-1",
                "--environment",
                "AzureChinaCloud"
            ]
        );
        let text = crate::output::yaml(&d).unwrap();
        assert!(!text.contains("SECRET"), "{text}");
        assert!(!text.contains("auth-provider"));
    }

    #[test]
    fn legacy_config_mode_is_left_alone_with_the_reason() {
        for config in ["{tenant-id: t}", "{tenant-id: t, config-mode: '0'}"] {
            let mut d = doc(&format!(
                "users:\n- name: v1\n  user:\n    auth-provider: {{name: azure, config: {config}}}\n"
            ));
            let before = as_json(&d);
            let report = convert_document(&mut d, &opts()).unwrap();
            assert!(report.converted.is_empty());
            assert!(report.skipped[0].reason.contains("spn:"), "{report:?}");
            assert_eq!(as_json(&d), before);
        }
    }

    #[test]
    fn each_mode_is_kept_with_its_settings() {
        let cases: &[(&str, &[&str])] = &[
            (
                "--login, devicecode, --tenant-id, T, --client-id, C, --server-id, S, --timeout, 2m, --cache-dir, /c",
                &[
                    "--tenant-id",
                    "T",
                    "--client-id",
                    "C",
                    "--server-id",
                    "S",
                    "--timeout",
                    "2m",
                    "--token-cache-dir",
                    "/c",
                ],
            ),
            (
                "-l, interactive, -t, T, --client-id, C, --server-id, S, --redirect-url, 'http://localhost:8400', --login-hint, a@b.c",
                &[
                    "--tenant-id",
                    "T",
                    "--client-id",
                    "C",
                    "--server-id",
                    "S",
                    "--login",
                    "interactive",
                    "--redirect-url",
                    "http://localhost:8400",
                    "--login-hint",
                    "a@b.c",
                ],
            ),
            (
                "--login=spn, --tenant-id=T, --client-id=SP, --server-id=S, --client-certificate, /c.pfx, --environment, AzureUSGovernment",
                &[
                    "--tenant-id",
                    "T",
                    "--client-id",
                    "SP",
                    "--server-id",
                    "S",
                    "--environment",
                    "AzureUSGovernment",
                    "--login",
                    "spn",
                    "--client-certificate",
                    "/c.pfx",
                ],
            ),
            (
                "--login, workloadidentity, --server-id, S, --federated-token-file, /t, --authority-host, 'https://login.microsoftonline.com/'",
                &[
                    "--server-id",
                    "S",
                    "--authority-host",
                    "https://login.microsoftonline.com/",
                    "--login",
                    "workloadidentity",
                    "--federated-token-file",
                    "/t",
                ],
            ),
            (
                "--login, msi, --server-id, S, --identity-resource-id, /subscriptions/x/id",
                &[
                    "--server-id",
                    "S",
                    "--login",
                    "msi",
                    "--identity-resource-id",
                    "/subscriptions/x/id",
                ],
            ),
            (
                // As `kubelogin convert-kubeconfig -l azurepipelines` writes it.
                "--server-id, S, --login, azurepipelines, --tenant-id, T, --azure-pipelines-service-connection-id, SC",
                &[
                    "--tenant-id",
                    "T",
                    "--server-id",
                    "S",
                    "--login",
                    "azurepipelines",
                    "--azure-pipelines-service-connection-id",
                    "SC",
                ],
            ),
            (
                "--login, azurecli, --server-id, S, -s, sub, --use-azurerm-env-vars",
                &[
                    "--server-id",
                    "S",
                    "--login",
                    "azurecli",
                    "--subscription",
                    "sub",
                    "--use-azurerm-env-vars",
                ],
            ),
        ];
        for (old, new) in cases {
            let (d, report) = kubelogin(old, "null", &opts());
            assert!(report.skipped.is_empty(), "{old}: {report:?}");
            assert_eq!(&args_of(&d, 0)[1..], *new, "{old}");
        }
    }

    #[test]
    fn login_flag_sets_one_mode_as_kubelogins_converter_does() {
        let old = "--login, devicecode, --tenant-id, T, --client-id, C, --server-id, S, --environment, AzureChinaCloud";
        let with = |login: &str| ConvertOptions {
            login: Some(login.into()),
            ..opts()
        };
        let (d, _) = kubelogin(old, "null", &with("spn"));
        assert_eq!(
            &args_of(&d, 0)[1..],
            [
                "--tenant-id",
                "T",
                "--client-id",
                "C",
                "--server-id",
                "S",
                "--environment",
                "AzureChinaCloud",
                "--login",
                "spn"
            ]
        );
        for mode in ["azurecli", "msi", "workloadidentity"] {
            let (d, report) = kubelogin(old, "null", &with(mode));
            assert_eq!(report.converted[0].login, mode);
            assert_eq!(
                &args_of(&d, 0)[1..],
                [
                    "--server-id",
                    "S",
                    "--environment",
                    "AzureChinaCloud",
                    "--login",
                    mode
                ],
                "{mode}: client and tenant come from elsewhere"
            );
        }
        // azurepipelines keeps the tenant (as kubelogin), not the public client.
        let o = ConvertOptions {
            azure_pipelines_service_connection_id: Some("SC".into()),
            ..with("azurepipelines")
        };
        let (d, _) = kubelogin(old, "null", &o);
        assert_eq!(
            &args_of(&d, 0)[1..],
            [
                "--tenant-id",
                "T",
                "--server-id",
                "S",
                "--environment",
                "AzureChinaCloud",
                "--login",
                "azurepipelines",
                "--azure-pipelines-service-connection-id",
                "SC"
            ]
        );
        // A flag given to convert-kubeconfig is written, for the modes that use it.
        let o = ConvertOptions {
            identity_resource_id: Some("/id".into()),
            tenant_id: Some("T2".into()),
            ..with("msi")
        };
        let (d, report) = kubelogin(old, "null", &o);
        assert_eq!(
            &args_of(&d, 0)[1..],
            [
                "--tenant-id",
                "T2",
                "--server-id",
                "S",
                "--environment",
                "AzureChinaCloud",
                "--login",
                "msi",
                "--identity-resource-id",
                "/id"
            ]
        );
        assert!(report.converted[0].notes.is_empty());
        let (_, report) = kubelogin(
            old,
            "null",
            &ConvertOptions {
                identity_resource_id: Some("/id".into()),
                ..opts()
            },
        );
        assert!(report.converted[0].notes[0].contains("--identity-resource-id dropped"));
    }

    #[test]
    fn tenant_id_fills_in_and_never_replaces() {
        let o = ConvertOptions {
            tenant_id: Some("filled".into()),
            ..opts()
        };
        let (d, _) = kubelogin("--server-id, S, --tenant-id, own", "null", &o);
        assert_eq!(args_of(&d, 0)[2], "own");
        let (d, _) = kubelogin("--server-id, S", "null", &o);
        assert_eq!(args_of(&d, 0)[2], "filled");
        assert_eq!(args_of(&d, 0)[4], AKS_CLIENT_ID);
        // Without one, a user sign-in cannot be written: left alone, with what to pass.
        let (d, report) = kubelogin("--server-id, S", "null", &opts());
        assert!(
            report.skipped[0].reason.contains("--tenant-id"),
            "{report:?}"
        );
        assert_eq!(exec_of(&d, 0).command.as_deref(), Some("kubelogin"));
    }

    #[test]
    fn secrets_are_dropped_with_where_to_put_them() {
        let (d, report) = kubelogin(
            "--login, spn, -t, T, --client-id, C, --server-id, S, --client-secret, SECRET-1, --client-certificate-password=SECRET-2",
            "[{name: AZURE_CLIENT_SECRET, value: SECRET-3}, {name: AZURE_CONFIG_DIR, value: /az}]",
            &opts(),
        );
        let text = crate::output::yaml(&d).unwrap();
        assert!(!text.contains("SECRET-"), "{text}");
        let notes = &report.converted[0].notes;
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("--client-secret") && notes[0].contains("AZURE_CLIENT_SECRET"));
        assert!(notes.iter().all(|n| !n.contains("SECRET-")));
        let env = exec_of(&d, 0).env.clone().unwrap();
        assert_eq!(env.len(), 1);
        assert_eq!(env[0]["name"], "AZURE_CONFIG_DIR");
    }

    #[test]
    fn users_kubectl_entra_cannot_serve_are_left_alone() {
        for (args, why) in [
            (
                "--login, interactive, -t, T, --server-id, S, --pop-enabled, --pop-claims, u=/x",
                "PoP",
            ),
            ("-t, T, --server-id, S, --legacy", "spn:"),
            (
                "--login, ropc, -t, T, --server-id, S, --username, u",
                "ropc",
            ),
            ("--login, azd, --server-id, S", "azd"),
        ] {
            let (d, report) = kubelogin(args, "null", &opts());
            assert!(report.converted.is_empty(), "{args}");
            assert!(report.skipped[0].reason.contains(why), "{args}: {report:?}");
            assert_eq!(exec_of(&d, 0).command.as_deref(), Some("kubelogin"));
        }
        // A switch turned off is no request; an explicit mode converts an ropc user.
        let (_, report) = kubelogin("-t, T, --server-id, S, --legacy=false", "null", &opts());
        assert_eq!(report.converted.len(), 1);
        let o = ConvertOptions {
            login: Some("devicecode".into()),
            ..opts()
        };
        let (d, report) = kubelogin(
            "--login, ropc, -t, T, --server-id, S, --username, u, --password, SECRET-P",
            "null",
            &o,
        );
        assert_eq!(report.converted.len(), 1);
        assert!(!crate::output::yaml(&d).unwrap().contains("SECRET-P"));
    }

    #[test]
    fn a_refused_entry_is_left_alone_with_the_reason() {
        let o = ConvertOptions {
            check: Some(|args| {
                if args.iter().any(|a| a == "AzureMoon") {
                    Err("unknown cloud AzureMoon".into())
                } else {
                    Ok(())
                }
            }),
            ..opts()
        };
        let (d, report) = kubelogin("-t, T, --server-id, S, -e, AzureMoon", "null", &o);
        assert_eq!(report.skipped[0].reason, "unknown cloud AzureMoon");
        assert_eq!(exec_of(&d, 0).command.as_deref(), Some("kubelogin"));
    }

    #[test]
    fn kubelogin_args_in_both_spellings() {
        let (d, _) = kubelogin(
            "--login, devicecode, --server-id=S, --client-id, C, -t, T, --environment, AzurePublicCloud",
            "null",
            &opts(),
        );
        assert_eq!(
            args_of(&d, 0),
            [
                "get-token",
                "--tenant-id",
                "T",
                "--client-id",
                "C",
                "--server-id",
                "S"
            ]
        );
        let exec = &as_json(&d)["users"][0]["user"]["exec"];
        assert_eq!(exec["apiVersion"], EXEC_API_VERSION);
        assert_eq!(exec["interactiveMode"], "IfAvailable");
        assert!(exec.get("env").is_none());
    }

    #[test]
    fn other_users_and_non_kubelogin_exec_are_untouched() {
        let text = "users:\n- name: a\n  user:\n    exec:\n      command: aws\n      args: [get-token]\n- name: b\n  user:\n    token: abc\n";
        let mut d = doc(text);
        assert!(convert_users(&mut d, &opts()).unwrap().is_empty());
        assert_eq!(as_json(&d), as_json(&doc(text)));
    }

    #[test]
    fn context_selection_and_errors() {
        let text = format!(
            "{AZURE}- name: u2\n  user:\n    auth-provider:\n      name: azure\n      config: {{tenant-id: t2, config-mode: '1'}}\ncontexts:\n- name: c1\n  context: {{cluster: x, user: u1}}\n- name: c2\n  context: {{cluster: x, user: u2}}\n"
        );
        let mut d = doc(&text);
        let opts = ConvertOptions {
            context: Some("c2".into()),
            ..opts()
        };
        let out = convert_users(&mut d, &opts).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].user, "u2");
        assert!(
            as_json(&d)["users"][0]["user"]
                .get("auth-provider")
                .is_some()
        );
        let nope = ConvertOptions {
            context: Some("nope".into()),
            ..super::tests::opts()
        };
        let err = convert_users(&mut doc(&text), &nope).unwrap_err();
        assert!(err.to_string().contains("c1, c2"), "{err}");
    }

    #[test]
    fn a_value_that_looks_like_a_flag_stays_a_value() {
        let mut args = Vec::new();
        push_flag(
            &mut args,
            "--server-id",
            "--authority-host=https://elsewhere.example",
        );
        push_flag(&mut args, "--tenant-id", "t");
        assert_eq!(
            args,
            vec![
                "--server-id=--authority-host=https://elsewhere.example".to_string(),
                "--tenant-id".into(),
                "t".into()
            ]
        );
    }
}
