//! Rewrites kubeconfig users that sign in through the legacy `azure` auth-provider or Azure
//! kubelogin into an exec entry calling `kubectl-entra get-token` with the same ids.
//!
//! Only the `user` of a converted entry changes. Tokens held by the old auth-provider config
//! (access-token, refresh-token, ...) are dropped, never copied.

use crate::cli::{AKS_CLIENT_ID, AKS_SERVER_ID};
use serde_yaml::{Mapping, Value};
use std::fmt;

/// The exec API version kubectl-entra answers with.
pub const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";
/// Shown by kubectl when the plugin is missing from PATH.
pub const INSTALL_HINT: &str =
    "kubectl-entra is required: kubectl krew install entra (or cargo install kubectl-entra)";
/// Login mode written when the user asks for nothing else; get-token's default.
pub const DEFAULT_LOGIN: &str = "devicecode";

/// What to convert and which values override the ones read from the old entries.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
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
    #[error("the kubeconfig is not a YAML mapping with users, clusters and contexts")]
    NotAKubeconfig,
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

/// Converts the users chosen by `opts` in place and returns them, in file order.
/// On error the document may be partly converted: callers write nothing then.
pub fn convert_users(
    doc: &mut Value,
    opts: &ConvertOptions,
) -> Result<Vec<Converted>, ConvertError> {
    let root = doc.as_mapping_mut().ok_or(ConvertError::NotAKubeconfig)?;
    let only_user = match &opts.context {
        Some(context) => Some(user_of_context(root, context)?),
        None => None,
    };

    let mut converted = Vec::new();
    let Some(users) = root.get_mut("users") else {
        return match only_user {
            Some(name) => Err(ConvertError::UserNotFound(name)),
            None => Ok(converted),
        };
    };
    let users = users
        .as_sequence_mut()
        .ok_or(ConvertError::NotAKubeconfig)?;
    let mut seen_only_user = false;
    for entry in users.iter_mut() {
        let Some(name) = entry.get("name").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        if let Some(only) = &only_user {
            if *only != name {
                continue;
            }
            seen_only_user = true;
        }
        let Some(user) = entry.get_mut("user").and_then(Value::as_mapping_mut) else {
            continue;
        };
        let Some((from, old)) = read_old_entry(user) else {
            continue;
        };
        let exec = new_exec_entry(&name, from, old, opts)?;
        // Drop every old credential (auth-provider config holds tokens); keep unrelated keys.
        for key in ["auth-provider", "exec", "token"] {
            user.remove(key);
        }
        user.insert("exec".into(), exec);
        converted.push(Converted { user: name, from });
    }
    if let Some(only) = only_user
        && !seen_only_user
    {
        return Err(ConvertError::UserNotFound(only));
    }
    Ok(converted)
}

fn user_of_context(root: &Mapping, context: &str) -> Result<String, ConvertError> {
    let contexts = root
        .get("contexts")
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let names = || {
        contexts
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let entry = contexts
        .iter()
        .find(|c| c.get("name").and_then(Value::as_str) == Some(context))
        .ok_or_else(|| ConvertError::ContextNotFound {
            name: context.to_owned(),
            known: names(),
        })?;
    entry
        .get("context")
        .and_then(|c| c.get("user"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ConvertError::ContextWithoutUser(context.to_owned()))
}

/// Recognises the two source forms and reads their ids. Anything else is left alone.
fn read_old_entry(user: &Mapping) -> Option<(SourceKind, OldIds)> {
    if let Some(provider) = user.get("auth-provider")
        && provider.get("name").and_then(Value::as_str) == Some("azure")
    {
        let config = provider.get("config");
        let field = |key: &str| {
            config
                .and_then(|c| c.get(key))
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
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
    let exec = user.get("exec")?;
    let command = exec.get("command").and_then(Value::as_str)?;
    if !is_kubelogin(command) {
        return None;
    }
    let args: Vec<&str> = exec
        .get("args")
        .and_then(Value::as_sequence)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
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

fn new_exec_entry(
    user: &str,
    from: SourceKind,
    old: OldIds,
    opts: &ConvertOptions,
) -> Result<Value, ConvertError> {
    let pick = |flag: &Option<String>, old: Option<String>| flag.clone().or(old);
    let tenant =
        pick(&opts.tenant_id, old.tenant_id).ok_or_else(|| ConvertError::MissingTenant {
            user: user.to_owned(),
            from,
        })?;
    let client = pick(&opts.client_id, old.client_id).unwrap_or_else(|| AKS_CLIENT_ID.into());
    let server = pick(&opts.server_id, old.server_id).unwrap_or_else(|| AKS_SERVER_ID.into());
    let environment = pick(&opts.environment, old.environment);
    let authority_host = pick(&opts.authority_host, old.authority_host);
    // The old login mode is not kept: kubectl-entra signs in its own way (--login).
    let login = opts.login.clone();

    let mut args: Vec<Value> = ["get-token", "--tenant-id", &tenant]
        .into_iter()
        .chain(["--client-id", &client, "--server-id", &server])
        .map(Value::from)
        .collect();
    if let Some(env) = environment.filter(|e| !is_public_cloud(e)) {
        args.extend(["--environment".into(), env.into()]);
    }
    if let Some(host) = authority_host {
        args.extend(["--authority-host".into(), host.into()]);
    }
    if let Some(login) = login.filter(|l| l != DEFAULT_LOGIN) {
        args.extend(["--login".into(), login.into()]);
    }

    let mut exec = Mapping::new();
    exec.insert("apiVersion".into(), EXEC_API_VERSION.into());
    exec.insert("command".into(), "kubectl-entra".into());
    exec.insert("args".into(), Value::Sequence(args));
    exec.insert("interactiveMode".into(), "IfAvailable".into());
    exec.insert("installHint".into(), INSTALL_HINT.into());
    exec.insert("provideClusterInfo".into(), false.into());
    Ok(Value::Mapping(exec))
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

    fn doc(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
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

    fn args_of(doc: &Value, user: usize) -> Vec<String> {
        doc["users"][user]["user"]["exec"]["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn azure_auth_provider_keeps_ids_and_drops_tokens() {
        let mut d = doc(AZURE);
        let out = convert_users(&mut d, &ConvertOptions::default()).unwrap();
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
        let text = serde_yaml::to_string(&d).unwrap();
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
            ..Default::default()
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
        let exec = &d["users"][0]["user"]["exec"];
        assert_eq!(exec["apiVersion"], EXEC_API_VERSION);
        assert_eq!(exec["interactiveMode"], "IfAvailable");
        assert!(exec.get("env").is_none());
    }

    #[test]
    fn flags_override_and_missing_tenant_is_an_error() {
        let mut d = doc(
            "users:\n- name: k\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token]\n",
        );
        let err = convert_users(&mut d.clone(), &ConvertOptions::default()).unwrap_err();
        assert!(matches!(err, ConvertError::MissingTenant { .. }));
        let opts = ConvertOptions {
            tenant_id: Some("contoso.onmicrosoft.com".into()),
            login: Some("interactive".into()),
            ..Default::default()
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
        assert!(
            convert_users(&mut d, &ConvertOptions::default())
                .unwrap()
                .is_empty()
        );
        assert_eq!(d, doc(text));
    }

    #[test]
    fn context_selection_and_errors() {
        let text = format!(
            "{AZURE}- name: u2\n  user:\n    auth-provider:\n      name: azure\n      config: {{tenant-id: t2}}\ncontexts:\n- name: c1\n  context: {{cluster: x, user: u1}}\n- name: c2\n  context: {{cluster: x, user: u2}}\n"
        );
        let mut d = doc(&text);
        let opts = ConvertOptions {
            context: Some("c2".into()),
            ..Default::default()
        };
        let out = convert_users(&mut d, &opts).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].user, "u2");
        assert!(d["users"][0]["user"].get("auth-provider").is_some());
        let opts = ConvertOptions {
            context: Some("nope".into()),
            ..Default::default()
        };
        let err = convert_users(&mut doc(&text), &opts).unwrap_err();
        assert!(err.to_string().contains("c1, c2"), "{err}");
        assert_eq!(
            convert_users(&mut doc("- a\n- b\n"), &ConvertOptions::default()),
            Err(ConvertError::NotAKubeconfig)
        );
    }
}
