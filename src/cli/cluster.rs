//! Flags turned into the settings of the layers below: the cluster target, Graph access.

use super::context_sign_in::{SignIn, SilentSignIn, context_auth_args};
use super::{AuthArgs, GraphArgs, KubeconfigArgs};
use crate::graph::GraphAccess;
use crate::k8s::client::{ContextInfo, Target};
use anyhow::Context as _;
use clap::Parser;

impl From<&KubeconfigArgs> for Target {
    fn from(args: &KubeconfigArgs) -> Self {
        Target {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
            impersonate: None,
            impersonate_groups: Vec::new(),
            request_timeout: args.request_timeout.filter(|t| !t.is_zero()),
        }
    }
}

#[derive(Parser)]
#[command(no_binary_name = true)]
struct Defaults {
    #[command(flatten)]
    auth: AuthArgs,
}

impl GraphArgs {
    /// The sign-in settings for the Graph token: the context's kubectl-entra exec entry (its
    /// tenant replaced by `--graph-tenant-id`), else the defaults and the environment with
    /// `--graph-tenant-id`, else an error telling the user what to pass.
    pub fn auth_args(&self, info: &ContextInfo) -> anyhow::Result<AuthArgs> {
        let mut auth = match context_auth_args(info) {
            Some(auth) => auth,
            None => {
                if self.tenant_id.is_none() {
                    anyhow::bail!(
                        "the kubeconfig context {:?} does not sign in with kubectl-entra, so the Entra tenant for Microsoft Graph is unknown; pass --graph-tenant-id TENANT, or use --group-id OBJECT_ID / --no-graph to avoid Graph",
                        info.context
                    );
                }
                // Defaults plus the environment (AZURE_AUTHORITY_HOST, AZURE_CLIENT_ID, ...).
                Defaults::try_parse_from(Vec::<String>::new())
                    .context("cannot read the sign-in settings from the environment")?
                    .auth
            }
        };
        if let Some(tenant) = &self.tenant_id {
            auth.tenant_id = tenant.clone();
        }
        Ok(auth)
    }

    /// Graph access for a command that needs Graph (an error says what to pass instead).
    pub fn access(&self, info: &ContextInfo) -> anyhow::Result<GraphAccess> {
        self.access_with(info, |settings| Box::new(SignIn(settings)))
    }

    /// Graph access that never signs in (cached or silently refreshed tokens only), for shell
    /// completion.
    pub fn silent_access(&self, info: &ContextInfo) -> anyhow::Result<GraphAccess> {
        self.access_with(info, |settings| Box::new(SilentSignIn(settings)))
    }

    fn access_with(
        &self,
        info: &ContextInfo,
        tokens: impl FnOnce(crate::entra::Settings) -> Box<dyn crate::graph::TokenSource>,
    ) -> anyhow::Result<GraphAccess> {
        let auth = self.auth_args(info)?;
        let mut settings = crate::entra::Settings::try_from(&auth)?;
        // --graph-tenant-id is typed now: no variable overrides it.
        if let Some(tenant) = &self.tenant_id {
            settings.tenant = crate::entra::validate_tenant(tenant)?;
        }
        Ok(GraphAccess {
            endpoint: self.graph_endpoint.clone(),
            environment: auth.environment.clone(),
            authority_host: auth.authority_host.clone(),
            tokens: tokens(settings),
        })
    }

    /// Graph access for showing group names, where Graph is optional: none with `--no-graph`,
    /// or for a context that does not use kubectl-entra unless `--graph-tenant-id` is given.
    pub fn access_for_names(&self, info: &ContextInfo) -> anyhow::Result<Option<GraphAccess>> {
        let ours = context_auth_args(info).is_some();
        if self.no_graph || (!ours && self.tenant_id.is_none()) {
            return Ok(None);
        }
        self.access(info).map(Some)
    }
}
