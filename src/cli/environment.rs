//! Environment variables over the kubeconfig's flags, as Azure kubelogin applies them (its
//! `UpdateFromEnv`): a CI job exports `AAD_LOGIN_METHOD=spn` and a service principal's
//! variables and reuses the kubeconfig `az aks get-credentials` wrote, whose exec args name
//! `--login devicecode`.
//!
//! The rules, in kubelogin's order (a later one wins):
//! - `AAD_SERVICE_PRINCIPAL_CLIENT_ID`, then `AZURE_CLIENT_ID` over `--client-id`; the same pairs
//!   for the secret (`..._CLIENT_SECRET`), the certificate (`AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE`,
//!   `AZURE_CLIENT_CERTIFICATE_PATH`) and its password (`..._CLIENT_CERTIFICATE_PASSWORD`);
//!   `AZURE_TENANT_ID` over `--tenant-id`. With `--use-azurerm-env-vars` the `ARM_*` set
//!   (`ARM_CLIENT_ID`, `ARM_CLIENT_SECRET`, `ARM_CLIENT_CERTIFICATE_PATH`,
//!   `ARM_CLIENT_CERTIFICATE_PASSWORD`, `ARM_TENANT_ID`) instead of those.
//! - `AAD_LOGIN_METHOD` over `--login`.
//! - For workloadidentity (the mode after `AAD_LOGIN_METHOD`): `AZURE_CLIENT_ID` (even with the
//!   `ARM_*` set), `AZURE_FEDERATED_TOKEN_FILE` and `AZURE_AUTHORITY_HOST`, the variables the AKS
//!   workload identity webhook injects. The authority host then wins over `--authority-host`
//!   and `--environment`.
//! - For azurepipelines (the mode after `AAD_LOGIN_METHOD`): the variables an `AzureCLI@2` task
//!   sets for its service connection fill in what no flag or earlier variable gave:
//!   `AZURESUBSCRIPTION_CLIENT_ID` the client id, `AZURESUBSCRIPTION_TENANT_ID` the tenant,
//!   `AZURESUBSCRIPTION_SERVICE_CONNECTION_ID` `--azure-pipelines-service-connection-id`. The
//!   job's own `SYSTEM_OIDCREQUESTURI`/`SYSTEM_ACCESSTOKEN` are its ambient credential, read in
//!   `cli/settings.rs` whatever this layer does.
//! - `AZURE_CLI_TIMEOUT` over `--timeout` when it is a duration.
//! - `--disable-environment-override` turns all of this off.
//!
//! Where kubectl-entra differs on purpose:
//! - A variable never changes the client id of a devicecode or interactive sign-in: that is the
//!   public client the user signs in with, and an `AZURE_CLIENT_ID` exported for some other tool
//!   (Terraform, an SDK) would otherwise send the user to a client that cannot sign them in.
//! - For azurepipelines, `AZURESUBSCRIPTION_CLIENT_ID` also replaces a `--client-id` naming
//!   the public AKS client (as `az aks get-credentials` writes it): that client is never a
//!   service connection's application, and kubelogin would send it to Entra and fail.
//! - An empty variable counts as unset (kubelogin would replace the flag with an empty value and
//!   then fail).
//!
//! Variables that only fill in a flag that is not given (`AZURE_ENVIRONMENT`,
//! `AZURE_AUTHORITY_HOST` outside workloadidentity, `KUBECTL_ENTRA_TOKEN_CACHE`, `KUBECACHEDIR`)
//! are clap defaults in `auth.rs`, not part of this layer.

use super::AuthArgs;
use crate::entra::{LoginMode, Secret};
use clap::parser::ValueSource;
use std::fmt;
use std::path::PathBuf;

pub const AAD_LOGIN_METHOD: &str = "AAD_LOGIN_METHOD";
pub const AZURE_TENANT_ID: &str = "AZURE_TENANT_ID";
pub const AZURE_CLIENT_ID: &str = "AZURE_CLIENT_ID";
pub const AZURE_FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
pub const AZURE_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
pub const AZURE_CLI_TIMEOUT: &str = "AZURE_CLI_TIMEOUT";
// Set by Azure Pipelines' AzureCLI@2 / AzurePowerShell tasks for their service connection.
pub const AZURESUBSCRIPTION_CLIENT_ID: &str = "AZURESUBSCRIPTION_CLIENT_ID";
pub const AZURESUBSCRIPTION_TENANT_ID: &str = "AZURESUBSCRIPTION_TENANT_ID";
pub const AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: &str = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID";

/// One family of credential variables; within a list a later name wins, as in kubelogin.
struct Names {
    client_id: &'static [&'static str],
    client_secret: &'static [&'static str],
    client_certificate: &'static [&'static str],
    client_certificate_password: &'static [&'static str],
    tenant_id: &'static [&'static str],
}

/// kubelogin's own names, then the Azure SDKs' (which win).
const AZURE: Names = Names {
    client_id: &["AAD_SERVICE_PRINCIPAL_CLIENT_ID", AZURE_CLIENT_ID],
    client_secret: &["AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "AZURE_CLIENT_SECRET"],
    client_certificate: &[
        "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE",
        "AZURE_CLIENT_CERTIFICATE_PATH",
    ],
    client_certificate_password: &[
        "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    ],
    tenant_id: &[AZURE_TENANT_ID],
};

/// The Terraform AzureRM provider's names (`--use-azurerm-env-vars`).
const ARM: Names = Names {
    client_id: &["ARM_CLIENT_ID"],
    client_secret: &["ARM_CLIENT_SECRET"],
    client_certificate: &["ARM_CLIENT_CERTIFICATE_PATH"],
    client_certificate_password: &["ARM_CLIENT_CERTIFICATE_PASSWORD"],
    tenant_id: &["ARM_TENANT_ID"],
};

/// Reads one variable: the process environment, or a fake one in tests.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The environment this process runs in.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for &[(&str, &str)] {
    fn var(&self, name: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// A kubeconfig exec entry's `env:` (name, value), which kubectl sets over its own environment
/// when it runs the plugin. Debug shows the names only: values may be secrets.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ExecEnv(pub Vec<(String, String)>);

impl fmt::Debug for ExecEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// The exec entry's `env:` over another environment; the last entry of a name wins, as in the
/// environment kubectl builds.
pub struct WithExecEnv<'a> {
    pub exec: &'a ExecEnv,
    pub below: &'a dyn Env,
}

impl Env for WithExecEnv<'_> {
    fn var(&self, name: &str) -> Option<String> {
        match self.exec.0.iter().rev().find(|(n, _)| n == name) {
            Some((_, value)) => Some(value.clone()),
            None => self.below.var(name),
        }
    }
}

/// Where a setting's value came from, for `-v 1`. Never carries the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A flag: on the command line, or in the kubeconfig's exec args kubectl ran us with.
    Flag(&'static str),
    Variable(&'static str),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Variable(name) => write!(f, "variable {name}"),
            Origin::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Sourced<T> {
    fn flag(value: T, flag: &'static str) -> Sourced<T> {
        Sourced {
            value,
            origin: Origin::Flag(flag),
        }
    }

    fn variable(value: T, name: &'static str) -> Sourced<T> {
        Sourced {
            value,
            origin: Origin::Variable(name),
        }
    }
}

/// The sign-in values the environment may change, after it did, each with its origin.
#[derive(Debug, Clone)]
pub struct Effective {
    pub login: Sourced<String>,
    pub tenant_id: Sourced<String>,
    pub client_id: Sourced<String>,
    pub client_secret: Option<Sourced<Secret>>,
    pub client_certificate: Option<Sourced<PathBuf>>,
    pub client_certificate_password: Option<Sourced<Secret>>,
    pub federated_token_file: Option<Sourced<PathBuf>>,
    /// Only when a variable chose it (`AZURE_AUTHORITY_HOST` for workloadidentity); it then
    /// wins over `--authority-host` and `--environment`.
    pub authority_host: Option<Sourced<String>>,
    pub timeout: Sourced<String>,
    /// azurepipelines' service connection.
    pub service_connection_id: Option<Sourced<String>>,
    /// Variables that are set but were not applied, and why.
    pub ignored: Vec<(&'static str, &'static str)>,
    /// `--disable-environment-override`: no variable was looked at.
    pub overrides_disabled: bool,
}

const USER_CLIENT_KEPT: &str =
    "a variable never changes the client id of a devicecode or interactive sign-in";

/// Applies the environment over the flags, as the module documentation says.
pub fn apply(args: &AuthArgs, env: &dyn Env) -> Effective {
    let mut out = from_flags(args);
    if args.disable_environment_override {
        out.overrides_disabled = true;
        return out;
    }
    let names = if args.use_azurerm_env_vars {
        &ARM
    } else {
        &AZURE
    };
    let last = |list: &'static [&'static str]| {
        list.iter()
            .filter_map(|name| set(env, name).map(|v| (*name, v)))
            .next_back()
    };
    if let Some((name, v)) = last(names.client_secret) {
        out.client_secret = Some(Sourced::variable(Secret::new(v), name));
    }
    if let Some((name, v)) = last(names.client_certificate) {
        out.client_certificate = Some(Sourced::variable(v.into(), name));
    }
    if let Some((name, v)) = last(names.client_certificate_password) {
        out.client_certificate_password = Some(Sourced::variable(Secret::new(v), name));
    }
    if let Some((name, v)) = last(names.tenant_id) {
        out.tenant_id = Sourced::variable(v, name);
    }
    let mut client = last(names.client_id);
    if let Some(v) = set(env, AAD_LOGIN_METHOD) {
        out.login = Sourced::variable(v, AAD_LOGIN_METHOD);
    }
    let mode = LoginMode::parse(&out.login.value).ok();
    if mode == Some(LoginMode::WorkloadIdentity) {
        if let Some(v) = set(env, AZURE_CLIENT_ID) {
            client = Some((AZURE_CLIENT_ID, v));
        }
        if let Some(v) = set(env, AZURE_FEDERATED_TOKEN_FILE) {
            out.federated_token_file =
                Some(Sourced::variable(v.into(), AZURE_FEDERATED_TOKEN_FILE));
        }
        if let Some(v) = set(env, AZURE_AUTHORITY_HOST) {
            out.authority_host = Some(Sourced::variable(v, AZURE_AUTHORITY_HOST));
        }
    }
    if mode == Some(LoginMode::AzurePipelines) {
        let public_client = out
            .client_id
            .value
            .eq_ignore_ascii_case(super::AKS_CLIENT_ID);
        if client.is_none()
            && (out.client_id.origin == Origin::Default || public_client)
            && let Some(v) = set(env, AZURESUBSCRIPTION_CLIENT_ID)
        {
            client = Some((AZURESUBSCRIPTION_CLIENT_ID, v));
        }
        if out.tenant_id.origin == Origin::Default
            && let Some(v) = set(env, AZURESUBSCRIPTION_TENANT_ID)
        {
            out.tenant_id = Sourced::variable(v, AZURESUBSCRIPTION_TENANT_ID);
        }
        if out.service_connection_id.is_none()
            && let Some(v) = set(env, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)
        {
            out.service_connection_id = Some(Sourced::variable(
                v,
                AZURESUBSCRIPTION_SERVICE_CONNECTION_ID,
            ));
        }
    }
    match client {
        Some((name, _)) if mode.is_some_and(LoginMode::is_user_sign_in) => {
            out.ignored.push((name, USER_CLIENT_KEPT));
        }
        Some((name, v)) => out.client_id = Sourced::variable(v, name),
        None => {}
    }
    if let Some(v) = set(env, AZURE_CLI_TIMEOUT) {
        if crate::entra::parse_timeout(&v).is_ok() {
            out.timeout = Sourced::variable(v, AZURE_CLI_TIMEOUT);
        } else {
            out.ignored
                .push((AZURE_CLI_TIMEOUT, "not a duration such as 30s or 2m"));
        }
    }
    out
}

/// Set and not blank.
fn set(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name).filter(|v| !v.trim().is_empty())
}

/// The flags' values and origins, before any variable.
fn from_flags(args: &AuthArgs) -> Effective {
    let s = &args.sources;
    Effective {
        login: Sourced {
            value: args.login.clone(),
            origin: origin(s.login, "--login", args.login == "devicecode"),
        },
        tenant_id: Sourced {
            value: args.tenant_id.clone(),
            origin: origin(
                s.tenant_id,
                "--tenant-id",
                args.tenant_id == "organizations",
            ),
        },
        client_id: Sourced {
            value: args.client_id.clone(),
            origin: origin(
                s.client_id,
                "--client-id",
                args.client_id == super::AKS_CLIENT_ID,
            ),
        },
        client_secret: args
            .client_secret
            .clone()
            .map(|v| Sourced::flag(Secret::new(v), "--client-secret")),
        client_certificate: args
            .client_certificate
            .clone()
            .map(|v| Sourced::flag(v, "--client-certificate")),
        client_certificate_password: args
            .client_certificate_password
            .clone()
            .map(|v| Sourced::flag(Secret::new(v), "--client-certificate-password")),
        federated_token_file: args
            .federated_token_file
            .clone()
            .map(|v| Sourced::flag(v, "--federated-token-file")),
        authority_host: None,
        timeout: Sourced {
            value: args.timeout.clone(),
            origin: origin(s.timeout, "--timeout", args.timeout == "60s"),
        },
        service_connection_id: args
            .azure_pipelines_service_connection_id
            .clone()
            .filter(|v| !v.trim().is_empty())
            .map(|v| Sourced::flag(v, "--azure-pipelines-service-connection-id")),
        ignored: Vec::new(),
        overrides_disabled: false,
    }
}

/// clap's value source when the args were parsed; for args built by hand, a value equal to the
/// default counts as the default.
fn origin(source: Option<ValueSource>, flag: &'static str, is_default: bool) -> Origin {
    match source {
        Some(ValueSource::DefaultValue) => Origin::Default,
        Some(_) => Origin::Flag(flag),
        None if is_default => Origin::Default,
        None => Origin::Flag(flag),
    }
}

impl Effective {
    /// One line per setting at `-v 1` (info): where it came from, and the value unless secret.
    pub fn log_origins(&self) {
        if !tracing::enabled!(tracing::Level::INFO) {
            return;
        }
        for line in self.origin_lines() {
            tracing::info!("{line}");
        }
    }

    fn origin_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("login mode {} from {}", self.login.value, self.login.origin),
            format!(
                "tenant {} from {}",
                self.tenant_id.value, self.tenant_id.origin
            ),
            format!(
                "client id {} from {}",
                self.client_id.value, self.client_id.origin
            ),
            format!(
                "timeout {} from {}",
                self.timeout.value, self.timeout.origin
            ),
        ];
        if let Some(s) = &self.client_secret {
            lines.push(format!("client secret from {}", s.origin));
        }
        if let Some(c) = &self.client_certificate {
            lines.push(format!(
                "client certificate {} from {}",
                c.value.display(),
                c.origin
            ));
        }
        if let Some(p) = &self.client_certificate_password {
            lines.push(format!("client certificate password from {}", p.origin));
        }
        if let Some(f) = &self.federated_token_file {
            lines.push(format!(
                "federated token file {} from {}",
                f.value.display(),
                f.origin
            ));
        }
        if let Some(h) = &self.authority_host {
            lines.push(format!("authority host {} from {}", h.value, h.origin));
        }
        if let Some(c) = &self.service_connection_id {
            lines.push(format!("service connection {} from {}", c.value, c.origin));
        }
        for (name, why) in &self.ignored {
            lines.push(format!("{name} is set but not used: {why}"));
        }
        if self.overrides_disabled {
            lines.push(
                "--disable-environment-override: no variable overrides the flags".to_string(),
            );
        }
        lines
            .into_iter()
            .map(|l| crate::sink::printable(&l).into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        auth: AuthArgs,
    }

    /// Flags as the kubeconfig `az aks get-credentials` writes them, plus `extra`.
    fn kubeconfig_flags(extra: &[&str]) -> AuthArgs {
        let mut argv = vec![
            "t",
            "--tenant-id",
            "kubeconfig-tenant",
            "--client-id",
            "kubeconfig-client",
        ];
        argv.extend_from_slice(extra);
        T::try_parse_from(argv).unwrap().auth
    }

    fn run(extra: &[&str], env: &[(&str, &str)]) -> Effective {
        apply(&kubeconfig_flags(extra), &env)
    }

    fn var(name: &'static str) -> Origin {
        Origin::Variable(name)
    }

    const SPN: &[(&str, &str)] = &[
        ("AAD_LOGIN_METHOD", "spn"),
        ("AAD_SERVICE_PRINCIPAL_CLIENT_ID", "aad-client"),
        ("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET", "aad-secret"),
        ("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE", "/aad.pem"),
        (
            "AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD",
            "aad-pw",
        ),
    ];

    #[test]
    fn without_variables_the_flags_and_defaults_stand() {
        let e = run(&[], &[]);
        assert_eq!(e.login.value, "devicecode");
        assert_eq!(e.login.origin, Origin::Default);
        assert_eq!(e.tenant_id.origin, Origin::Flag("--tenant-id"));
        assert_eq!(e.client_id.origin, Origin::Flag("--client-id"));
        assert_eq!(e.timeout.origin, Origin::Default);
        assert!(e.client_secret.is_none() && e.authority_host.is_none());
        assert!(e.ignored.is_empty());
    }

    #[test]
    fn login_method_tenant_and_a_service_principal_override_the_kubeconfig() {
        let e = run(&["--login", "devicecode"], SPN);
        assert_eq!(e.login, Sourced::variable("spn".into(), "AAD_LOGIN_METHOD"));
        assert_eq!(
            e.client_id,
            Sourced::variable("aad-client".into(), "AAD_SERVICE_PRINCIPAL_CLIENT_ID")
        );
        let secret = e.client_secret.as_ref().unwrap();
        assert_eq!(secret.value.expose(), "aad-secret");
        assert_eq!(secret.origin, var("AAD_SERVICE_PRINCIPAL_CLIENT_SECRET"));
        assert_eq!(
            e.client_certificate.as_ref().unwrap().value,
            PathBuf::from("/aad.pem")
        );
        assert_eq!(
            e.client_certificate_password.as_ref().unwrap().origin,
            var("AAD_SERVICE_PRINCIPAL_CLIENT_CERTIFICATE_PASSWORD")
        );
        // No AZURE_TENANT_ID: the kubeconfig's tenant stays.
        assert_eq!(e.tenant_id.value, "kubeconfig-tenant");
        let e = run(&[], &[("AZURE_TENANT_ID", "ci-tenant")]);
        assert_eq!(
            e.tenant_id,
            Sourced::variable("ci-tenant".into(), "AZURE_TENANT_ID")
        );
    }

    #[test]
    fn azure_sdk_names_win_over_kubelogins_own() {
        let mut env = SPN.to_vec();
        env.extend([
            ("AZURE_CLIENT_ID", "azure-client"),
            ("AZURE_CLIENT_SECRET", "azure-secret"),
            ("AZURE_CLIENT_CERTIFICATE_PATH", "/azure.pfx"),
            ("AZURE_CLIENT_CERTIFICATE_PASSWORD", "azure-pw"),
        ]);
        let e = run(&[], &env);
        assert_eq!(e.client_id.value, "azure-client");
        assert_eq!(e.client_secret.unwrap().value.expose(), "azure-secret");
        assert_eq!(
            e.client_certificate.unwrap().origin,
            var("AZURE_CLIENT_CERTIFICATE_PATH")
        );
        assert_eq!(
            e.client_certificate_password.unwrap().value.expose(),
            "azure-pw"
        );
    }

    #[test]
    fn a_variable_never_changes_a_user_sign_ins_client() {
        for (flags, env) in [
            (
                &["--login", "devicecode"][..],
                &[("AZURE_CLIENT_ID", "other")][..],
            ),
            (
                &["--login", "interactive"],
                &[("AAD_SERVICE_PRINCIPAL_CLIENT_ID", "other")],
            ),
            (
                &["--login", "spn"],
                &[
                    ("AAD_LOGIN_METHOD", "devicecode"),
                    ("AZURE_CLIENT_ID", "other"),
                ],
            ),
            (&["--use-azurerm-env-vars"], &[("ARM_CLIENT_ID", "other")]),
        ] {
            let e = run(flags, env);
            assert_eq!(
                e.client_id,
                Sourced::flag("kubeconfig-client".into(), "--client-id"),
                "{flags:?} {env:?}"
            );
            assert_eq!(e.ignored.len(), 1, "{flags:?}");
            assert!(e.origin_lines().iter().any(|l| l.contains("never changes")));
        }
        // The tenant is not the client: it follows kubelogin for every mode.
        let e = run(&[], &[("AZURE_TENANT_ID", "t2")]);
        assert_eq!(e.tenant_id.value, "t2");
    }

    #[test]
    fn azurerm_names_replace_the_others() {
        let env = [
            ("AAD_LOGIN_METHOD", "spn"),
            ("AZURE_CLIENT_ID", "azure-client"),
            ("AZURE_CLIENT_SECRET", "azure-secret"),
            ("AZURE_TENANT_ID", "azure-tenant"),
            ("ARM_CLIENT_ID", "arm-client"),
            ("ARM_CLIENT_SECRET", "arm-secret"),
            ("ARM_CLIENT_CERTIFICATE_PATH", "/arm.pfx"),
            ("ARM_CLIENT_CERTIFICATE_PASSWORD", "arm-pw"),
            ("ARM_TENANT_ID", "arm-tenant"),
        ];
        let e = run(&["--use-azurerm-env-vars"], &env);
        assert_eq!(
            e.client_id,
            Sourced::variable("arm-client".into(), "ARM_CLIENT_ID")
        );
        assert_eq!(e.client_secret.unwrap().value.expose(), "arm-secret");
        assert_eq!(
            e.client_certificate.unwrap().value,
            PathBuf::from("/arm.pfx")
        );
        assert_eq!(
            e.client_certificate_password.unwrap().origin,
            var("ARM_CLIENT_CERTIFICATE_PASSWORD")
        );
        assert_eq!(
            e.tenant_id,
            Sourced::variable("arm-tenant".into(), "ARM_TENANT_ID")
        );
        // Without the flag the ARM_* set means nothing.
        let e = run(&[], &env[..1]);
        let e2 = run(
            &[],
            &[("AAD_LOGIN_METHOD", "spn"), ("ARM_CLIENT_ID", "arm-client")],
        );
        assert_eq!(e.client_id, e2.client_id);
        assert_eq!(e2.client_id.value, "kubeconfig-client");
    }

    #[test]
    fn workload_identity_takes_the_webhooks_variables() {
        let env = [
            ("AAD_LOGIN_METHOD", "workloadidentity"),
            ("AZURE_CLIENT_ID", "wi-client"),
            ("AZURE_TENANT_ID", "wi-tenant"),
            (
                "AZURE_FEDERATED_TOKEN_FILE",
                "/var/run/secrets/azure/tokens/azure-identity-token",
            ),
            ("AZURE_AUTHORITY_HOST", "https://login.microsoftonline.com/"),
            ("ARM_CLIENT_ID", "arm-client"),
        ];
        let flags = [
            "--federated-token-file",
            "/flag",
            "--authority-host",
            "https://flag.example/",
        ];
        let e = run(&flags, &env);
        assert_eq!(e.login.value, "workloadidentity");
        assert_eq!(e.client_id.value, "wi-client");
        assert_eq!(e.tenant_id.value, "wi-tenant");
        assert_eq!(
            e.federated_token_file.unwrap().origin,
            var("AZURE_FEDERATED_TOKEN_FILE")
        );
        assert_eq!(
            e.authority_host.unwrap(),
            Sourced::variable(
                "https://login.microsoftonline.com/".into(),
                "AZURE_AUTHORITY_HOST"
            )
        );
        // AZURE_CLIENT_ID wins over ARM_CLIENT_ID for workload identity, as in kubelogin.
        let mut flags_arm = flags.to_vec();
        flags_arm.push("--use-azurerm-env-vars");
        let e = run(&flags_arm, &env);
        assert_eq!(e.client_id.value, "wi-client");
        assert_eq!(
            e.tenant_id.value, "kubeconfig-tenant",
            "ARM_TENANT_ID unset"
        );
        // The same variables leave other modes alone.
        let e = run(
            &["--login", "spn", "--federated-token-file", "/flag"],
            &env[2..],
        );
        assert_eq!(
            e.federated_token_file.unwrap().origin,
            Origin::Flag("--federated-token-file")
        );
        assert!(e.authority_host.is_none());
    }

    /// What an AzureCLI@2 task sets for its service connection.
    const PIPELINES: &[(&str, &str)] = &[
        ("AAD_LOGIN_METHOD", "azurepipelines"),
        ("AZURESUBSCRIPTION_CLIENT_ID", "sc-client"),
        ("AZURESUBSCRIPTION_TENANT_ID", "sc-tenant"),
        ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "sc-id"),
    ];

    #[test]
    fn azure_pipelines_variables_fill_in_what_no_flag_gives() {
        // Only --server-id given: the task's variables say the rest.
        let e = apply(&T::try_parse_from(["t"]).unwrap().auth, &PIPELINES);
        assert_eq!(e.login.value, "azurepipelines");
        assert_eq!(
            e.client_id,
            Sourced::variable("sc-client".into(), "AZURESUBSCRIPTION_CLIENT_ID")
        );
        assert_eq!(
            e.tenant_id,
            Sourced::variable("sc-tenant".into(), "AZURESUBSCRIPTION_TENANT_ID")
        );
        assert_eq!(
            e.service_connection_id.as_ref().unwrap().origin,
            var("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID")
        );
        assert!(e.origin_lines().iter().any(|l| l
            == "service connection sc-id from variable AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"));
        // The public AKS client az aks get-credentials writes is no service connection's app.
        let aks = T::try_parse_from(["t", "--client-id", crate::cli::AKS_CLIENT_ID]).unwrap();
        let e = apply(&aks.auth, &PIPELINES);
        assert_eq!(e.client_id.value, "sc-client");
        // Flags win (as kubelogin documents), and so do the general variables.
        let e = run(
            &["--azure-pipelines-service-connection-id", "flag-sc"],
            PIPELINES,
        );
        assert_eq!(e.client_id.origin, Origin::Flag("--client-id"));
        assert_eq!(e.tenant_id.value, "kubeconfig-tenant");
        assert_eq!(
            e.service_connection_id.unwrap(),
            Sourced::flag("flag-sc".into(), "--azure-pipelines-service-connection-id")
        );
        let mut env = PIPELINES.to_vec();
        env.push(("AZURE_CLIENT_ID", "azure-client"));
        let e = run(&[], &env);
        assert_eq!(e.client_id.value, "azure-client");
        // Other modes leave them alone; so does --disable-environment-override.
        let e = run(&["--login", "spn"], &PIPELINES[1..]);
        assert!(e.service_connection_id.is_none());
        assert_eq!(e.tenant_id.value, "kubeconfig-tenant");
        let e = run(
            &[
                "--login",
                "azurepipelines",
                "--disable-environment-override",
            ],
            &PIPELINES[1..],
        );
        assert!(e.service_connection_id.is_none());
        assert_eq!(e.client_id.value, "kubeconfig-client");
    }

    #[test]
    fn disable_environment_override_ignores_every_variable() {
        let mut env = SPN.to_vec();
        env.extend([("AZURE_TENANT_ID", "x"), ("AZURE_CLI_TIMEOUT", "5s")]);
        let e = run(&["--disable-environment-override"], &env);
        assert_eq!(e.login.value, "devicecode");
        assert_eq!(e.tenant_id.value, "kubeconfig-tenant");
        assert_eq!(e.client_id.value, "kubeconfig-client");
        assert!(e.client_secret.is_none() && e.client_certificate.is_none());
        assert_eq!(e.timeout.value, "60s");
        assert!(e.overrides_disabled);
        assert!(
            e.origin_lines()
                .iter()
                .any(|l| l.contains("--disable-environment-override"))
        );
    }

    #[test]
    fn cli_timeout_and_blank_values() {
        let e = run(&["--timeout", "2m"], &[("AZURE_CLI_TIMEOUT", "90s")]);
        assert_eq!(
            e.timeout,
            Sourced::variable("90s".into(), "AZURE_CLI_TIMEOUT")
        );
        let e = run(&["--timeout", "2m"], &[("AZURE_CLI_TIMEOUT", "soon")]);
        assert_eq!(e.timeout, Sourced::flag("2m".into(), "--timeout"));
        assert_eq!(e.ignored[0].0, "AZURE_CLI_TIMEOUT");
        // Blank counts as unset (kubelogin would apply the empty value).
        let e = run(&[], &[("AZURE_TENANT_ID", ""), ("AAD_LOGIN_METHOD", "  ")]);
        assert_eq!(e.tenant_id.value, "kubeconfig-tenant");
        assert_eq!(e.login.value, "devicecode");
    }

    #[test]
    fn origin_lines_name_sources_never_secrets() {
        let mut env = SPN.to_vec();
        env.push(("AZURE_TENANT_ID", "t\u{1b}[2J"));
        let lines = run(&["--client-secret", "flag-secret"], &env).origin_lines();
        let text = lines.join("\n");
        for secret in ["aad-secret", "aad-pw", "flag-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(
            text.contains("client secret from variable AAD_SERVICE_PRINCIPAL_CLIENT_SECRET"),
            "{text}"
        );
        assert!(
            text.contains("login mode spn from variable AAD_LOGIN_METHOD"),
            "{text}"
        );
        assert!(
            text.contains("client id aad-client from variable AAD_SERVICE_PRINCIPAL_CLIENT_ID"),
            "{text}"
        );
        assert!(text.contains("timeout 60s from default"), "{text}");
        assert!(
            !text.contains('\u{1b}'),
            "control characters escaped: {text}"
        );
        let debug = format!("{:?}", run(&[], &env));
        assert!(
            !debug.contains("aad-secret") && !debug.contains("aad-pw"),
            "{debug}"
        );
    }

    #[test]
    fn the_exec_entrys_env_sits_over_the_process_env() {
        let exec = ExecEnv(vec![
            ("AZURE_TENANT_ID".into(), "first".into()),
            ("AZURE_TENANT_ID".into(), "exec".into()),
        ]);
        let below: &[(&str, &str)] = &[("AZURE_TENANT_ID", "shell"), ("AAD_LOGIN_METHOD", "spn")];
        let env = WithExecEnv {
            exec: &exec,
            below: &below,
        };
        assert_eq!(env.var("AZURE_TENANT_ID").as_deref(), Some("exec"));
        assert_eq!(env.var("AAD_LOGIN_METHOD").as_deref(), Some("spn"));
        assert_eq!(env.var("NOPE"), None);
    }

    #[test]
    fn hand_built_args_infer_their_origins() {
        let mut a = kubeconfig_flags(&[]);
        a.sources = Default::default();
        a.login = "devicecode".into();
        let none: &[(&str, &str)] = &[];
        let e = apply(&a, &none);
        assert_eq!(e.login.origin, Origin::Default);
        assert_eq!(e.tenant_id.origin, Origin::Flag("--tenant-id"));
    }
}
