//! `login` and `logout` act on a kubeconfig context's sign-in: the get-token arguments of its
//! exec entry (with its `env:`), parsed as get-token parses them, under the flags typed on the
//! command line (a flag given to login wins over the entry's). So `kubectl entra login` before
//! a CI job signs in exactly as kubectl's exec call will, and `kubectl entra logout` after a
//! hint removes the tokens that hint meant.

use super::context_sign_in::context_auth_args;
use super::{AuthArgs, KubeconfigArgs};
use crate::k8s::client::{ContextInfo, Target, target_context};
use anyhow::Context as _;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches, Parser};
use std::ffi::OsString;

/// The sign-in flags typed on the command line (not from a variable or a default), as
/// `--flag=value` words. Adds no flags: it reads the matches of [`AuthArgs`] beside it, and
/// must come before it in the struct (the derived parser takes values out as it reads them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GivenAuthFlags(pub Vec<OsString>);

impl FromArgMatches for GivenAuthFlags {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let auth = AuthArgs::augment_args(clap::Command::new("auth"));
        let mut words = Vec::new();
        for arg in auth.get_arguments() {
            let id = arg.get_id().as_str();
            let Some(long) = arg.get_long() else { continue };
            if !matches!(m.try_get_raw(id), Ok(Some(_)))
                || m.value_source(id) != Some(ValueSource::CommandLine)
            {
                continue;
            }
            if !arg.get_action().takes_values() {
                words.push(OsString::from(format!("--{long}")));
                continue;
            }
            for value in m.get_raw(id).into_iter().flatten() {
                let mut word = OsString::from(format!("--{long}="));
                word.push(value);
                words.push(word);
            }
        }
        Ok(GivenAuthFlags(words))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = GivenAuthFlags::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for GivenAuthFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd
    }
}

/// get-token's command line with repeated flags allowed: the last one wins, so the flags typed
/// after the context's entry override it.
#[derive(Parser)]
#[command(no_binary_name = true, args_override_self = true)]
struct Layered {
    #[arg(value_parser = ["get-token"])]
    _command: String,
    #[command(flatten)]
    auth: AuthArgs,
}

/// Whose sign-in login or logout acts on.
pub struct ContextSignIn {
    pub auth: AuthArgs,
    /// The context whose exec entry was used; None: the flags alone.
    pub context: Option<ContextInfo>,
}

/// The sign-in settings for login/logout: the context's exec entry under the flags given.
/// With `--context`/`--kubeconfig` that context must sign in with kubectl-entra; without them
/// the current context is used when it does, else the flags alone (as before a kubeconfig).
pub fn context_sign_in(
    given: &GivenAuthFlags,
    parsed: &AuthArgs,
    kube: &KubeconfigArgs,
) -> anyhow::Result<ContextSignIn> {
    let asked = kube.context.is_some() || kube.kubeconfig.is_some();
    let info = match target_context(&Target::from(kube)) {
        Ok(info) => info,
        Err(e) if asked => return Err(e),
        Err(e) => {
            tracing::debug!("no kubeconfig context to read the sign-in from: {e:#}");
            return Ok(flags_only(parsed));
        }
    };
    let Some(entry) = info.kubectl_entra_args() else {
        if asked {
            anyhow::bail!(
                "the kubeconfig context {:?} (user {:?}) does not sign in with kubectl-entra; pass its flags instead (--tenant-id, --client-id, --server-id ...), or convert it with `kubectl entra convert-kubeconfig --context {}`",
                info.context,
                info.user,
                crate::output::shell_word(&info.context)
            );
        }
        tracing::debug!(
            "the current context {:?} does not use kubectl-entra: using the flags alone",
            info.context
        );
        return Ok(flags_only(parsed));
    };
    // The entry must parse on its own: an error there is the kubeconfig's, said as such.
    if context_auth_args(&info).is_none() {
        anyhow::bail!(
            "the exec entry of kubeconfig user {:?} (context {:?}) is not a valid get-token command line: {}",
            info.user,
            info.context,
            entry.join(" ")
        );
    }
    let words = entry
        .into_iter()
        .map(OsString::from)
        .chain(given.0.iter().cloned());
    let layered = Layered::try_parse_from(words)
        .context("cannot combine the context's sign-in with the flags given")?;
    Ok(ContextSignIn {
        auth: layered.auth,
        context: Some(info),
    })
}

fn flags_only(parsed: &AuthArgs) -> ContextSignIn {
    ContextSignIn {
        auth: parsed.clone(),
        context: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::LoginArgs;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        login: LoginArgs,
    }

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: aks
clusters: [{name: aks, cluster: {server: "https://127.0.0.1:6443"}}]
contexts:
- {name: aks, context: {cluster: aks, user: entra}}
- {name: plain, context: {cluster: aks, user: plain}}
users:
- name: entra
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-entra
      args: [get-token, --tenant-id, contoso.com, --client-id, ctx-client, --authority-host, "http://127.0.0.1:9/"]
      env: [{name: KUBECACHEDIR, value: /tmp/ctx-cache}]
      interactiveMode: IfAvailable
- name: plain
  user: {token: not-a-real-token}
"#;

    fn login(args: &[&str]) -> (tempfile::TempDir, ContextSignIn) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).unwrap();
        let mut argv = vec![
            "t".to_string(),
            "--kubeconfig".into(),
            path.display().to_string(),
        ];
        argv.extend(args.iter().map(|a| a.to_string()));
        let t = T::try_parse_from(argv).unwrap();
        let l = t.login;
        let got = context_sign_in(&l.given, &l.auth, &l.kube).unwrap();
        (dir, got)
    }

    #[test]
    fn the_contexts_entry_under_the_flags_given() {
        let (_d, got) = login(&[]);
        assert_eq!(got.context.map(|c| c.context).as_deref(), Some("aks"));
        assert_eq!(got.auth.tenant_id, "contoso.com");
        assert_eq!(got.auth.client_id, "ctx-client");
        assert_eq!(
            got.auth.authority_host.as_deref(),
            Some("http://127.0.0.1:9/")
        );
        assert_eq!(
            got.auth.token_cache_dir,
            Some(std::path::Path::new("/tmp/ctx-cache").join("kubectl-entra"))
        );
        let (_d, got) = login(&["--client-id", "mine", "--token-cache-dir=/tmp/mine"]);
        assert_eq!(got.auth.tenant_id, "contoso.com");
        assert_eq!(got.auth.client_id, "mine");
        assert_eq!(
            got.auth.token_cache_dir.as_deref(),
            Some(std::path::Path::new("/tmp/mine"))
        );
    }

    #[test]
    fn a_named_context_must_sign_in_with_kubectl_entra() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).unwrap();
        let p = path.to_str().unwrap();
        let t = T::try_parse_from(["t", "--kubeconfig", p, "--context", "plain"]).unwrap();
        let l = t.login;
        let err = context_sign_in(&l.given, &l.auth, &l.kube)
            .err()
            .expect("refused");
        assert!(
            err.to_string()
                .contains("does not sign in with kubectl-entra"),
            "{err}"
        );
    }

    #[test]
    fn only_typed_flags_count_as_given() {
        let t = T::try_parse_from([
            "t",
            "--tenant-id",
            "x",
            "-l",
            "devicecode",
            "--use-azurerm-env-vars",
        ])
        .unwrap();
        let words: Vec<String> = t
            .login
            .given
            .0
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            words,
            [
                "--tenant-id=x",
                "--login=devicecode",
                "--use-azurerm-env-vars"
            ]
        );
    }
}
