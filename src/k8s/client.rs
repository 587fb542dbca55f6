//! A kube client for the kubeconfig and context the user chose, the way kubectl picks them
//! (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`; `--context`, else current-context).

use crate::cli::{AuthArgs, KubeconfigArgs};
use anyhow::Context as _;
use clap::Parser;
use kube::config::{ExecConfig, KubeConfigOptions, Kubeconfig};

/// The resolved kubeconfig context.
#[derive(Debug, Clone)]
pub struct ContextInfo {
    pub context: String,
    pub cluster: String,
    pub user: String,
    /// The context's default namespace ("default" when unset), as kubectl uses it.
    pub namespace: String,
    pub server: String,
    /// The user's exec entry, when it has one.
    pub exec: Option<ExecConfig>,
}

/// Loads the kubeconfig as kubectl would.
pub fn load_kubeconfig(args: &KubeconfigArgs) -> anyhow::Result<Kubeconfig> {
    match &args.kubeconfig {
        Some(path) => Kubeconfig::read_from(path)
            .with_context(|| format!("cannot read kubeconfig {}", path.display())),
        None => Kubeconfig::read().context(
            "cannot read the kubeconfig (set --kubeconfig or KUBECONFIG, or create ~/.kube/config)",
        ),
    }
}

/// Builds a client and describes the context it uses.
pub async fn client(args: &KubeconfigArgs) -> anyhow::Result<(kube::Client, ContextInfo)> {
    client_with_impersonation(args, None, &[]).await
}

/// Like [`client`], acting as another user (`--as`) and groups (`--as-group`) through the API
/// server's impersonation, as kubectl does. Groups without a user are refused, as kubectl does.
pub async fn client_with_impersonation(
    args: &KubeconfigArgs,
    user: Option<&str>,
    groups: &[String],
) -> anyhow::Result<(kube::Client, ContextInfo)> {
    if user.is_none() && !groups.is_empty() {
        anyhow::bail!("--as-group needs --as: requesting groups without impersonating a user");
    }
    let kubeconfig = load_kubeconfig(args)?;
    let info = context_info(&kubeconfig, args.context.as_deref())?;
    let options = KubeConfigOptions {
        context: Some(info.context.clone()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .with_context(|| format!("cannot use kubeconfig context {:?}", info.context))?;
    let mut config = config;
    if let Some(user) = user {
        config.auth_info.impersonate = Some(user.to_string());
        if !groups.is_empty() {
            config.auth_info.impersonate_groups = Some(groups.to_vec());
        }
    }
    // kube retries 429/503/504 up to 15 times with backoff (minutes); a command-line tool should
    // say what is wrong instead of hanging.
    config.default_retry = false;
    let client = kube::Client::try_from(config).context("cannot build a Kubernetes client")?;
    Ok((client, info))
}

/// Finds the context (named, else current) and what it points at.
pub fn context_info(kubeconfig: &Kubeconfig, context: Option<&str>) -> anyhow::Result<ContextInfo> {
    let name = match context {
        Some(name) => name.to_string(),
        None => kubeconfig.current_context.clone().context(
            "the kubeconfig has no current-context; pass --context NAME (see `kubectl config get-contexts`)",
        )?,
    };
    let named = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == name)
        .with_context(|| format!("context {name:?} not found in the kubeconfig"))?;
    let ctx = named
        .context
        .as_ref()
        .with_context(|| format!("context {name:?} is empty"))?;
    let user = ctx.user.clone().unwrap_or_default();
    let server = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == ctx.cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    let exec = kubeconfig
        .auth_infos
        .iter()
        .find(|a| a.name == user)
        .and_then(|a| a.auth_info.as_ref())
        .and_then(|a| a.exec.clone());
    Ok(ContextInfo {
        context: name,
        cluster: ctx.cluster.clone(),
        user,
        namespace: ctx
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string()),
        server,
        exec,
    })
}

#[derive(Parser)]
#[command(no_binary_name = true)]
struct GetTokenLine {
    #[arg(value_parser = ["get-token"])]
    _command: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// The sign-in settings of a context whose user runs `kubectl-entra get-token`, parsed with the
/// same flags (and environment) the plugin itself would see. None for any other user.
pub fn entra_auth_args(info: &ContextInfo) -> Option<AuthArgs> {
    let exec = info.exec.as_ref()?;
    let command = exec.command.as_deref()?;
    let file = std::path::Path::new(command).file_name()?.to_string_lossy();
    let is_ours = file.starts_with("kubectl-entra")
        || (file.starts_with("kubectl")
            && exec.args.as_ref()?.first().map(String::as_str) == Some("entra"));
    if !is_ours {
        return None;
    }
    let mut args: Vec<String> = exec.args.clone().unwrap_or_default();
    if args.first().map(String::as_str) == Some("entra") {
        args.remove(0);
    }
    args.extend(exec_env_as_flags(exec, &args));
    GetTokenLine::try_parse_from(args)
        .ok()
        .map(|line| line.auth)
}

/// The plugin runs with the exec entry's `env:` over kubectl's environment; the flags win over
/// both. To see the settings the plugin will see, an `env:` value becomes its flag unless the
/// flag is already given.
fn exec_env_as_flags(exec: &ExecConfig, args: &[String]) -> Vec<String> {
    const ENV_FLAGS: &[(&str, &str)] = &[
        ("AZURE_TENANT_ID", "--tenant-id"),
        ("AZURE_CLIENT_ID", "--client-id"),
        ("AAD_LOGIN_METHOD", "--login"),
        ("AZURE_ENVIRONMENT", "--environment"),
        ("AZURE_AUTHORITY_HOST", "--authority-host"),
        ("KUBECTL_ENTRA_TOKEN_CACHE", "--token-cache"),
        ("KUBECACHEDIR", "--token-cache-dir"),
    ];
    let given = |flag: &str| {
        args.iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut out = Vec::new();
    for entry in exec.env.iter().flatten() {
        let (Some(name), Some(value)) = (entry.get("name"), entry.get("value")) else {
            continue;
        };
        let Some((_, flag)) = ENV_FLAGS.iter().find(|(env, _)| env == name) else {
            continue;
        };
        if given(flag) {
            continue;
        }
        let value = if *name == "KUBECACHEDIR" {
            std::path::Path::new(value)
                .join("kubectl-entra")
                .to_string_lossy()
                .into_owned()
        } else {
            value.clone()
        };
        out.push(format!("{flag}={value}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: aks
clusters:
- name: aks
  cluster: {server: "https://127.0.0.1:6443"}
contexts:
- name: aks
  context: {cluster: aks, user: entra, namespace: dev}
- name: other
  context: {cluster: aks, user: plain}
users:
- name: entra
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/kubectl-entra
      args: [get-token, --tenant-id, contoso.com, --server-id, "6dae42f8-4368-4678-94ff-3960e28e3630"]
      interactiveMode: IfAvailable
- name: plain
  user: {token: not-a-real-token}
"#;

    #[test]
    fn the_exec_entrys_env_counts_below_its_flags() {
        let kc = Kubeconfig::from_yaml(
            r#"
apiVersion: v1
kind: Config
current-context: aks
clusters: [{name: aks, cluster: {server: "https://127.0.0.1:6443"}}]
contexts: [{name: aks, context: {cluster: aks, user: entra}}]
users:
- name: entra
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-entra
      args: [get-token, --tenant-id, from-flag]
      env:
      - {name: AZURE_TENANT_ID, value: from-env}
      - {name: KUBECACHEDIR, value: /tmp/kc}
      - {name: AZURE_CLIENT_ID, value: 11111111-2222-3333-4444-555555555555}
      interactiveMode: IfAvailable
"#,
        )
        .expect("parse");
        let info = context_info(&kc, None).expect("context");
        let auth = entra_auth_args(&info).expect("entra user");
        assert_eq!(auth.tenant_id, "from-flag");
        assert_eq!(auth.client_id, "11111111-2222-3333-4444-555555555555");
        assert_eq!(
            auth.token_cache_dir.as_deref(),
            Some(std::path::Path::new("/tmp/kc/kubectl-entra"))
        );
    }

    #[test]
    fn resolves_current_context_and_entra_args() {
        let kc = Kubeconfig::from_yaml(KUBECONFIG).expect("parse");
        let info = context_info(&kc, None).expect("context");
        assert_eq!(info.namespace, "dev");
        assert_eq!(info.server, "https://127.0.0.1:6443");
        let auth = entra_auth_args(&info).expect("entra user");
        assert_eq!(auth.tenant_id, "contoso.com");
        let other = context_info(&kc, Some("other")).expect("other");
        assert_eq!(other.namespace, "default");
        assert!(entra_auth_args(&other).is_none());
        assert!(context_info(&kc, Some("missing")).is_err());
    }
}
