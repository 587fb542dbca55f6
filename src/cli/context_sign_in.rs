//! The sign-in settings of a kubeconfig context whose user runs `kubectl-entra get-token`:
//! its exec entry's arguments (and `env:`) parsed with get-token's own flags, so other commands
//! (whoami, Graph lookups) sign in exactly as kubectl's calls to the plugin do.

use super::AuthArgs;
use super::environment::ExecEnv;
use crate::k8s::client::ContextInfo;
use clap::Parser;

#[derive(Parser)]
#[command(no_binary_name = true)]
struct GetTokenLine {
    #[arg(value_parser = ["get-token"])]
    _command: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// The get-token flags of the context's user, or None when it does not use kubectl-entra.
/// They carry the exec entry's `env:`, whose variables override flags as they do when kubectl
/// runs the plugin.
pub fn context_auth_args(info: &ContextInfo) -> Option<AuthArgs> {
    let args = info.kubectl_entra_args()?;
    let mut auth = GetTokenLine::try_parse_from(args).ok()?.auth;
    auth.exec_env = ExecEnv(
        info.exec
            .iter()
            .flat_map(|exec| exec.env.iter().flatten())
            .filter_map(|e| Some((e.get("name")?.clone(), e.get("value")?.clone())))
            .collect(),
    );
    Some(auth)
}

/// Tokens for other resources (Graph) with a context's or the flags' sign-in settings.
pub struct SignIn(pub crate::entra::Settings);

impl crate::graph::TokenSource for SignIn {
    fn token<'a>(
        &'a self,
        resource: &'a str,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = anyhow::Result<crate::entra::AccessToken>> + Send + 'a>,
    > {
        Box::pin(crate::entra::token_for_resource(
            &self.0,
            resource,
            &crate::sink::Stderr,
        ))
    }
}

/// Tokens for other resources without a sign-in (cache or silent refresh only): shell
/// completion asks Graph with it.
pub struct SilentSignIn(pub crate::entra::Settings);

impl crate::graph::TokenSource for SilentSignIn {
    fn token<'a>(
        &'a self,
        resource: &'a str,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = anyhow::Result<crate::entra::AccessToken>> + Send + 'a>,
    > {
        Box::pin(crate::entra::token_for_resource_silently(&self.0, resource))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::k8s::client::context_info;
    use kube::config::Kubeconfig;

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
- name: env
  context: {cluster: aks, user: with-env}
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
- name: with-env
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
"#;

    #[test]
    fn the_exec_entrys_env_applies_as_when_kubectl_runs_the_plugin() {
        let kc = Kubeconfig::from_yaml(KUBECONFIG).expect("parse");
        let info = context_info(&kc, Some("env")).expect("context");
        let auth = context_auth_args(&info).expect("entra user");
        assert_eq!(auth.tenant_id, "from-flag");
        assert_eq!(
            auth.token_cache_dir.as_deref(),
            Some(std::path::Path::new("/tmp/kc/kubectl-entra"))
        );
        let process: &[(&str, &str)] = &[("AZURE_TENANT_ID", "from-shell")];
        let env = crate::cli::environment::WithExecEnv {
            exec: &auth.exec_env,
            below: &process,
        };
        let settings = crate::cli::settings_with_env(&auth, &env).expect("settings");
        // AZURE_TENANT_ID overrides the flag (kubelogin's rule), the entry's over the shell's;
        // AZURE_CLIENT_ID never changes a device-code sign-in's client.
        assert_eq!(settings.tenant, "from-env");
        assert_eq!(settings.client_id, crate::cli::AKS_CLIENT_ID);
        let debug = format!("{:?}", auth.exec_env);
        assert!(
            debug.contains("AZURE_TENANT_ID") && !debug.contains("from-env"),
            "{debug}"
        );
    }

    #[test]
    fn resolves_the_current_contexts_sign_in_and_only_ours() {
        let kc = Kubeconfig::from_yaml(KUBECONFIG).expect("parse");
        let info = context_info(&kc, None).expect("context");
        let auth = context_auth_args(&info).expect("entra user");
        assert_eq!(auth.tenant_id, "contoso.com");
        let other = context_info(&kc, Some("other")).expect("other");
        assert!(context_auth_args(&other).is_none());
    }
}
