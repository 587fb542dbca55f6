//! Rewrites kubeconfig users that sign in through the legacy `azure` auth-provider or Azure
//! kubelogin into an exec entry calling `kubectl-entra get-token` with the same ids.
//!
//! Only the `user` of a converted entry changes. Tokens held by the old auth-provider config
//! (access-token, refresh-token, ...) are dropped, never copied.

use kube::config::{AuthInfo, ExecConfig, ExecInteractiveMode, Kubeconfig};
use std::fmt;

/// The exec API version kubectl-entra answers with.
pub const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";
/// Shown by kubectl when the plugin is missing from PATH.
pub const INSTALL_HINT: &str =
    "kubectl-entra is required: kubectl krew install entra (or cargo install kubectl-entra)";
/// Login mode written when the user asks for nothing else; get-token's default.
pub const DEFAULT_LOGIN: &str = "devicecode";

/// What to convert and which values override the ones read from the old entries.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// Written when neither a flag nor the old entry names a client (the AKS client).
    pub default_client_id: String,
    /// Written when neither a flag nor the old entry names a server (the AKS server).
    pub default_server_id: String,
    /// Convert only the user of this context (otherwise every convertible user).
    pub context: Option<String>,
    /// Login mode for the new entry; `None` or `devicecode` writes no `--login`.
    pub login: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub server_id: Option<String>,
    pub environment: Option<String>,
    pub authority_host: Option<String>,
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
    pub from: SourceKind,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConvertError {
    #[error("context {name:?} not found in the kubeconfig (contexts: {known})")]
    ContextNotFound { name: String, known: String },
    #[error("context {0:?} names no user")]
    ContextWithoutUser(String),
    #[error("user {0:?} of the context is not in the kubeconfig's users")]
    UserNotFound(String),
    #[error(
        "user {user:?} ({from}) has no tenant id; pass --tenant-id with the Entra tenant of the cluster"
    )]
    MissingTenant { user: String, from: SourceKind },
}

/// The ids read from an old entry, before overrides and defaults.
#[derive(Debug, Default)]
struct OldIds {
    tenant_id: Option<String>,
    client_id: Option<String>,
    server_id: Option<String>,
    environment: Option<String>,
    login: Option<String>,
    authority_host: Option<String>,
}

/// Converts the users chosen by `opts` in place and returns them, in file order. Everything
/// else, fields kube's types do not model included (they keep them in `other`), stays.
/// On error the document may be partly converted: callers write nothing then.
pub fn convert_users(
    doc: &mut Kubeconfig,
    opts: &ConvertOptions,
) -> Result<Vec<Converted>, ConvertError> {
    let only_user = match &opts.context {
        Some(context) => Some(user_of_context(doc, context)?),
        None => None,
    };
    let mut converted = Vec::new();
    let mut seen_only_user = false;
    for entry in doc.auth_infos.iter_mut() {
        if let Some(only) = &only_user {
            if *only != entry.name {
                continue;
            }
            seen_only_user = true;
        }
        let Some(user) = entry.auth_info.as_mut() else {
            continue;
        };
        let Some((from, old)) = read_old_entry(user) else {
            continue;
        };
        let exec = new_exec_entry(&entry.name, from, old, opts)?;
        // Drop every old credential (auth-provider config holds tokens); keep unrelated fields.
        user.auth_provider = None;
        user.token = None;
        user.exec = Some(exec);
        converted.push(Converted {
            user: entry.name.clone(),
            from,
        });
    }
    if let Some(only) = only_user
        && !seen_only_user
    {
        return Err(ConvertError::UserNotFound(only));
    }
    Ok(converted)
}

fn user_of_context(doc: &Kubeconfig, context: &str) -> Result<String, ConvertError> {
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

/// Recognises the two source forms and reads their ids. Anything else is left alone.
fn read_old_entry(user: &AuthInfo) -> Option<(SourceKind, OldIds)> {
    if let Some(provider) = user.auth_provider.as_ref().filter(|p| p.name == "azure") {
        let field = |key: &str| provider.config.get(key).filter(|v| !v.is_empty()).cloned();
        return Some((
            SourceKind::AzureAuthProvider,
            OldIds {
                tenant_id: field("tenant-id"),
                client_id: field("client-id"),
                server_id: field("apiserver-id"),
                environment: field("environment"),
                login: None,
                authority_host: None,
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
    Some((SourceKind::Kubelogin, parse_kubelogin_args(&args[1..])))
}

/// `kubelogin`, `/usr/local/bin/kubelogin`, `C:\bin\kubelogin.exe`.
fn is_kubelogin(command: &str) -> bool {
    let base = command.rsplit(['/', '\\']).next().unwrap_or(command);
    let base = base.strip_suffix(".exe").unwrap_or(base);
    base == "kubelogin"
}

/// Reads `--flag value` and `--flag=value` pairs of `kubelogin get-token`.
fn parse_kubelogin_args(args: &[&str]) -> OldIds {
    let mut ids = OldIds::default();
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_owned())),
            _ => (args[i], None),
        };
        let slot = match flag {
            "--tenant-id" | "-t" => Some(&mut ids.tenant_id),
            "--client-id" => Some(&mut ids.client_id),
            "--server-id" => Some(&mut ids.server_id),
            "--environment" | "-e" => Some(&mut ids.environment),
            "--login" | "-l" => Some(&mut ids.login),
            "--authority-host" => Some(&mut ids.authority_host),
            _ => None,
        };
        match (slot, inline) {
            (Some(slot), Some(value)) => *slot = Some(value),
            (Some(slot), None) => {
                if let Some(value) = args.get(i + 1) {
                    *slot = Some((*value).to_owned());
                    i += 1;
                }
            }
            (None, _) => {}
        }
        i += 1;
    }
    ids
}

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

fn new_exec_entry(
    user: &str,
    from: SourceKind,
    old: OldIds,
    opts: &ConvertOptions,
) -> Result<ExecConfig, ConvertError> {
    let pick = |flag: &Option<String>, old: Option<String>| flag.clone().or(old);
    let tenant =
        pick(&opts.tenant_id, old.tenant_id).ok_or_else(|| ConvertError::MissingTenant {
            user: user.to_owned(),
            from,
        })?;
    let client =
        pick(&opts.client_id, old.client_id).unwrap_or_else(|| opts.default_client_id.clone());
    let server =
        pick(&opts.server_id, old.server_id).unwrap_or_else(|| opts.default_server_id.clone());
    let environment = pick(&opts.environment, old.environment);
    let authority_host = pick(&opts.authority_host, old.authority_host);
    // The old login mode is not kept: kubectl-entra signs in its own way (--login).
    let login = opts.login.clone();

    let mut args = vec!["get-token".to_string()];
    push_flag(&mut args, "--tenant-id", &tenant);
    push_flag(&mut args, "--client-id", &client);
    push_flag(&mut args, "--server-id", &server);
    if let Some(env) = environment.filter(|e| !is_public_cloud(e)) {
        push_flag(&mut args, "--environment", &env);
    }
    if let Some(host) = authority_host {
        push_flag(&mut args, "--authority-host", &host);
    }
    if let Some(login) = login.filter(|l| l != DEFAULT_LOGIN) {
        push_flag(&mut args, "--login", &login);
    }
    Ok(ExecConfig {
        api_version: Some(EXEC_API_VERSION.into()),
        command: Some("kubectl-entra".into()),
        args: Some(args),
        interactive_mode: Some(ExecInteractiveMode::IfAvailable),
        install_hint: Some(INSTALL_HINT.into()),
        provide_cluster_info: false,
        ..Default::default()
    })
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
            context: None,
            login: None,
            tenant_id: None,
            client_id: None,
            server_id: None,
            environment: None,
            authority_host: None,
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

    #[test]
    fn azure_auth_provider_keeps_ids_and_drops_tokens() {
        let mut d = doc(AZURE);
        let out = convert_users(&mut d, &opts()).unwrap();
        assert_eq!(out[0].from, SourceKind::AzureAuthProvider);
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
    fn kubelogin_args_in_both_spellings() {
        let mut d = doc(r#"
users:
- name: k
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /usr/local/bin/kubelogin
      args: [get-token, --login, azurecli, --server-id=S, --client-id, C, -t, T, --environment, AzurePublicCloud]
      env: null
"#);
        let opts = ConvertOptions {
            login: Some("devicecode".into()),
            ..opts()
        };
        convert_users(&mut d, &opts).unwrap();
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
    fn flags_override_and_missing_tenant_is_an_error() {
        let mut d = doc(
            "users:\n- name: k\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token]\n",
        );
        let err = convert_users(&mut d.clone(), &opts()).unwrap_err();
        assert!(matches!(err, ConvertError::MissingTenant { .. }));
        let opts = ConvertOptions {
            tenant_id: Some("contoso.onmicrosoft.com".into()),
            login: Some("interactive".into()),
            ..opts()
        };
        convert_users(&mut d, &opts).unwrap();
        let args = args_of(&d, 0);
        assert_eq!(args[2], "contoso.onmicrosoft.com");
        assert_eq!(args[4], AKS_CLIENT_ID);
        assert_eq!(args[6], AKS_SERVER_ID);
        assert_eq!(&args[7..], ["--login", "interactive"]);
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
            "{AZURE}- name: u2\n  user:\n    auth-provider:\n      name: azure\n      config: {{tenant-id: t2}}\ncontexts:\n- name: c1\n  context: {{cluster: x, user: u1}}\n- name: c2\n  context: {{cluster: x, user: u2}}\n"
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
