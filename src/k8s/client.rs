//! A kube client for the kubeconfig and context the user chose, the way kubectl picks them
//! (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`; `--context`, else current-context).

use anyhow::Context as _;
use kube::config::{ExecConfig, KubeConfigOptions, Kubeconfig};
use std::path::{Path, PathBuf};

/// Which cluster, and as whom: kubectl's `--kubeconfig`, `--context`, `--as`, `--as-group`.
/// Built from the command-line flags in `cli`.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    /// Impersonated user (`--as`); groups need a user, as in kubectl.
    pub impersonate: Option<String>,
    pub impersonate_groups: Vec<String>,
    /// kubectl's `--request-timeout`: the limit on each request (connect, write, read); None
    /// keeps kube's defaults.
    pub request_timeout: Option<std::time::Duration>,
}

impl Target {
    /// The same cluster, as the caller (no impersonation).
    pub fn as_caller(&self) -> Target {
        Target {
            impersonate: None,
            impersonate_groups: Vec::new(),
            ..self.clone()
        }
    }
}

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

/// Loads the kubeconfig as kubectl would: the file given, else `$KUBECONFIG`, else
/// `~/.kube/config`.
pub fn load_kubeconfig(path: Option<&Path>) -> anyhow::Result<Kubeconfig> {
    tracing::debug!(
        ?path,
        "reading the kubeconfig (none given: $KUBECONFIG or ~/.kube/config)"
    );
    match path {
        Some(path) => Kubeconfig::read_from(path)
            .with_context(|| format!("cannot read kubeconfig {}", path.display())),
        None => Kubeconfig::read().context(
            "cannot read the kubeconfig (set --kubeconfig or KUBECONFIG, or create ~/.kube/config)",
        ),
    }
}

/// The context `target` names (else the current one), without building a client.
pub fn target_context(target: &Target) -> anyhow::Result<ContextInfo> {
    let kubeconfig = load_kubeconfig(target.kubeconfig.as_deref())?;
    context_info(&kubeconfig, target.context.as_deref())
}

/// Builds a client for `target` and describes the context it uses. Impersonation goes through
/// the API server, as kubectl's `--as`/`--as-group`; groups without a user are refused, as
/// kubectl does.
pub async fn client(target: &Target) -> anyhow::Result<(kube::Client, ContextInfo)> {
    if target.impersonate.is_none() && !target.impersonate_groups.is_empty() {
        anyhow::bail!("--as-group needs --as: requesting groups without impersonating a user");
    }
    let kubeconfig = load_kubeconfig(target.kubeconfig.as_deref())?;
    let info = context_info(&kubeconfig, target.context.as_deref())?;
    let options = KubeConfigOptions {
        context: Some(info.context.clone()),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .with_context(|| format!("cannot use kubeconfig context {:?}", info.context))?;
    if let Some(user) = &target.impersonate {
        config.auth_info.impersonate = Some(user.clone());
        if !target.impersonate_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(target.impersonate_groups.clone());
        }
    }
    // kube retries 429/503/504 up to 15 times with backoff (minutes); a command-line tool should
    // say what is wrong instead of hanging.
    config.default_retry = false;
    if let Some(limit) = target.request_timeout {
        config.connect_timeout = Some(limit);
        config.read_timeout = Some(limit);
        config.write_timeout = Some(limit);
    }
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

impl ContextInfo {
    /// The `get-token ...` command line of a user whose exec entry runs kubectl-entra
    /// (`kubectl-entra get-token ...` or `kubectl entra get-token ...`), with the entry's `env:`
    /// folded in as flags, so that parsing it gives the settings the plugin itself will see.
    /// None for any other user.
    pub fn kubectl_entra_args(&self) -> Option<Vec<String>> {
        let exec = self.exec.as_ref()?;
        let command = exec.command.as_deref()?;
        let file = Path::new(command).file_name()?.to_string_lossy();
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
        let env = exec_env_as_flags(exec, &args);
        args.extend(env);
        Some(args)
    }
}

/// The plugin runs with the exec entry's `env:` over kubectl's environment. To see the settings
/// the plugin will see, an `env:` value that only fills in a flag becomes that flag unless the
/// flag is already given. (The variables that override flags, AZURE_TENANT_ID, AZURE_CLIENT_ID,
/// AAD_LOGIN_METHOD and the credentials, are applied from the exec env by the cli layer.)
fn exec_env_as_flags(exec: &ExecConfig, args: &[String]) -> Vec<String> {
    const ENV_FLAGS: &[(&str, &str)] = &[
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

    #[test]
    fn the_exec_entrys_env_becomes_flags_unless_given() {
        let kc = Kubeconfig::from_yaml(
            r#"
apiVersion: v1
kind: Config
current-context: aks
clusters: [{name: aks, cluster: {server: "https://127.0.0.1:6443"}}]
contexts: [{name: aks, context: {cluster: aks, user: entra, namespace: dev}}, {name: other, context: {cluster: aks, user: plain}}]
users:
- name: entra
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /usr/local/bin/kubectl
      args: [entra, get-token, --tenant-id, from-flag]
      env:
      - {name: AZURE_TENANT_ID, value: from-env}
      - {name: KUBECACHEDIR, value: /tmp/kc}
      - {name: UNRELATED, value: x}
      interactiveMode: IfAvailable
- name: plain
  user: {token: not-a-real-token}
"#,
        )
        .expect("parse");
        let info = context_info(&kc, None).expect("context");
        assert_eq!(info.namespace, "dev");
        assert_eq!(info.server, "https://127.0.0.1:6443");
        let kc_dir = Path::new("/tmp/kc").join("kubectl-entra");
        assert_eq!(
            info.kubectl_entra_args().expect("ours"),
            vec![
                "get-token".to_string(),
                "--tenant-id".into(),
                "from-flag".into(),
                format!("--token-cache-dir={}", kc_dir.display()),
            ]
        );
        let other = context_info(&kc, Some("other")).expect("other");
        assert_eq!(other.namespace, "default");
        assert_eq!(other.kubectl_entra_args(), None);
        assert!(context_info(&kc, Some("missing")).is_err());
    }
}
