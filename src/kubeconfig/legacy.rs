//! Contexts that still sign in the old way (the `azure` auth-provider kubectl dropped, or a
//! kubelogin exec entry whose binary is not installed), so errors can say how to convert them.

use super::convert::is_kubelogin;
use kube::config::Kubeconfig;
use std::ffi::OsStr;
use std::path::Path;

/// The hint for the context `context` (else the current one), if its user needs converting.
/// `path_env` is $PATH, where a bare `kubelogin` command is looked up.
pub fn conversion_hint(
    doc: &Kubeconfig,
    context: Option<&str>,
    path_env: Option<&OsStr>,
) -> Option<String> {
    let name = context
        .map(str::to_owned)
        .or_else(|| doc.current_context.clone())?;
    let user = doc
        .contexts
        .iter()
        .find(|c| c.name == name)?
        .context
        .as_ref()?
        .user
        .clone()?;
    let auth = doc
        .auth_infos
        .iter()
        .find(|u| u.name == user)?
        .auth_info
        .as_ref()?;
    let fix = format!("run `kubectl entra convert-kubeconfig --context {name}`");
    if auth
        .auth_provider
        .as_ref()
        .is_some_and(|p| p.name == "azure")
    {
        return Some(format!(
            "context {name:?} still signs in with the legacy azure auth-provider, which kubectl no longer has; {fix}"
        ));
    }
    let command = auth.exec.as_ref()?.command.as_deref()?;
    if is_kubelogin(command) && !installed(command, path_env) {
        return Some(format!(
            "context {name:?} signs in with kubelogin, which is not installed ({command:?} not found); {fix}"
        ));
    }
    None
}

/// A command with a directory part must exist there; a bare name somewhere on PATH (with
/// `.exe` on Windows), as kubectl's exec would find it. Hand-written: a PATH walk is a few lines.
fn installed(command: &str, path_env: Option<&OsStr>) -> bool {
    if command.contains(['/', '\\']) {
        return Path::new(command).is_file();
    }
    let names = [command.to_string(), format!("{command}.exe")];
    path_env
        .into_iter()
        .flat_map(std::env::split_paths)
        .any(|dir| names.iter().any(|n| dir.join(n).is_file()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
current-context: legacy
contexts:
- {name: legacy, context: {cluster: c, user: azure-user}}
- {name: kl, context: {cluster: c, user: kubelogin-user}}
- {name: other, context: {cluster: c, user: plain}}
users:
- name: azure-user
  user: {auth-provider: {name: azure, config: {tenant-id: t}}}
- name: kubelogin-user
  user: {exec: {command: kubelogin, args: [get-token]}}
- name: plain
  user: {token: x}
"#;

    #[test]
    fn legacy_and_missing_kubelogin_contexts_get_the_command() {
        let doc = Kubeconfig::from_yaml(DOC).unwrap();
        let empty = tempfile::tempdir().unwrap();
        let path = Some(empty.path().as_os_str());
        let hint = conversion_hint(&doc, None, path).unwrap();
        assert!(
            hint.contains("azure auth-provider")
                && hint.contains("kubectl entra convert-kubeconfig --context legacy"),
            "{hint}"
        );
        let hint = conversion_hint(&doc, Some("kl"), path).unwrap();
        assert!(
            hint.contains("not installed") && hint.contains("--context kl"),
            "{hint}"
        );
        assert_eq!(conversion_hint(&doc, Some("other"), path), None);
        assert_eq!(conversion_hint(&doc, Some("nope"), path), None);
        // kubelogin on PATH: nothing to say.
        std::fs::write(empty.path().join("kubelogin"), "").unwrap();
        assert_eq!(conversion_hint(&doc, Some("kl"), path), None);
    }
}
