//! The sign-in settings of a kubeconfig context whose user runs `kubectl-entra get-token`:
//! its exec entry's arguments (and `env:`) parsed with get-token's own flags, so other commands
//! (whoami, Graph lookups) sign in exactly as kubectl's calls to the plugin do.

use super::AuthArgs;
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
pub fn context_auth_args(info: &ContextInfo) -> Option<AuthArgs> {
    let args = info.kubectl_entra_args()?;
    GetTokenLine::try_parse_from(args)
        .ok()
        .map(|line| line.auth)
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
    fn the_exec_entrys_env_counts_below_its_flags() {
        let kc = Kubeconfig::from_yaml(KUBECONFIG).expect("parse");
        let info = context_info(&kc, Some("env")).expect("context");
        let auth = context_auth_args(&info).expect("entra user");
        assert_eq!(auth.tenant_id, "from-flag");
        assert_eq!(auth.client_id, "11111111-2222-3333-4444-555555555555");
        assert_eq!(
            auth.token_cache_dir.as_deref(),
            Some(std::path::Path::new("/tmp/kc/kubectl-entra"))
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
