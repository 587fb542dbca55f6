//! `kubectl entra completion SHELL` prints clap_complete's static script, and the hidden
//! `__complete -- WORDS...` answers kubectl's plugin completion (kubectl 1.26+ runs
//! `kubectl_complete-entra`, which calls it) with one candidate per line and a cobra directive.
//!
//! Group names (`--group`, `--as-entra-group`) come from Microsoft Graph with a token the
//! cache already holds; a TAB never signs in.
//!
//! Hand-written because clap_complete's dynamic completion is behind its `unstable-dynamic`
//! feature; this walks the same clap definitions, so it cannot drift from the CLI.

use crate::cli::{Cli, CompletionArgs, Shell};
use clap::builder::ValueHint;
use clap::{Arg, Command, CommandFactory};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The binary name the scripts complete (kubectl runs the plugin under this name).
pub const BIN_NAME: &str = "kubectl-entra";

/// Cobra's ShellCompDirectiveDefault: the shell may fall back to file names.
const DIRECTIVE_FILES: u8 = 0;
/// Cobra's ShellCompDirectiveNoFileComp.
const DIRECTIVE_NO_FILES: u8 = 4;

pub fn run(args: CompletionArgs) -> anyhow::Result<ExitCode> {
    crate::output::print_bytes(&script(args.shell))?;
    Ok(ExitCode::SUCCESS)
}

/// kubectl's plugin completion helper: kubectl (1.26+) runs `kubectl_complete-entra WORDS`
/// from PATH for `kubectl entra <TAB>`; this one asks the plugin itself.
pub const KUBECTL_PLUGIN_HELPER: &str = r#"#!/bin/sh
# Tab completion for `kubectl entra ...` (kubectl 1.26 and later).
# kubectl runs `kubectl_complete-entra <words typed after "entra">` from PATH; this prints one
# candidate per line and ends with a cobra directive line such as ":4" (no file names).
# Install: `kubectl entra completion kubectl-plugin > ~/.local/bin/kubectl_complete-entra`
# and `chmod +x ~/.local/bin/kubectl_complete-entra` (any directory on PATH will do).
exec kubectl-entra __complete -- "$@"
"#;

/// The completion script for `shell`, exactly as checked in under completions/.
pub fn script(shell: Shell) -> Vec<u8> {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
        Shell::KubectlPlugin => return KUBECTL_PLUGIN_HELPER.as_bytes().to_vec(),
    };
    let mut out = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), BIN_NAME, &mut out);
    out
}

/// `kubectl-entra __complete [--] WORDS...`: prints the candidates, then `:<directive>`.
pub fn complete(args: &[OsString]) -> ExitCode {
    let args = match args.first() {
        Some(first) if first == "--" => &args[1..],
        _ => args,
    };
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let (candidates, directive) = candidates(&words);
    let mut text = String::new();
    for c in candidates {
        text.push_str(&c);
        text.push('\n');
    }
    text.push_str(&format!(":{directive}\n"));
    crate::finish(crate::output::print_text(&text).map(|()| ExitCode::SUCCESS))
}

/// Candidates for the last of `words` (the words typed after `kubectl entra`).
pub fn candidates(words: &[String]) -> (Vec<String>, u8) {
    let mut root = Cli::command();
    root.build();
    let (current_word, before) = match words.split_last() {
        Some((last, before)) => (last.as_str(), before),
        None => ("", &[][..]),
    };

    let mut cmd: &Command = &root;
    let mut pending_value: Option<&Arg> = None;
    let mut typed = Typed::default();
    let mut positionals = 0usize;
    let mut only_positionals = false;
    for word in before {
        if let Some(arg) = pending_value.take() {
            typed.remember(arg, word);
            continue;
        }
        if only_positionals {
            positionals += 1;
        } else if word == "--" {
            only_positionals = true;
        } else if let Some(long) = word.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => {
                    if let Some(arg) = find_long(cmd, name) {
                        typed.remember(arg, value);
                    }
                }
                None if long == "no-graph" => typed.no_graph = true,
                None => pending_value = find_long(cmd, long).filter(|a| takes_value(a)),
            }
        } else if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            // `-n dev` takes the next word; `-ndev` carries its value.
            if shorts.chars().count() == 1 {
                let short = shorts.chars().next().unwrap_or_default();
                pending_value = cmd
                    .get_arguments()
                    .find(|a| a.get_short() == Some(short))
                    .filter(|a| takes_value(a));
            }
        } else if let Some(sub) = cmd.find_subcommand(word) {
            cmd = sub;
            positionals = 0;
        } else {
            positionals += 1;
        }
    }

    if let Some(arg) = pending_value {
        if arg.get_id() == "context" {
            return contexts(typed.kubeconfig.as_deref(), current_word, "");
        }
        if arg.get_id() == "namespace" {
            return namespaces(typed.kubeconfig, typed.context, current_word, "");
        }
        if is_group_name(arg) {
            return group_names(&typed, current_word, "");
        }
        return values(arg, current_word, "");
    }
    if !only_positionals
        && let Some(long) = current_word.strip_prefix("--")
        && let Some((name, partial)) = long.split_once('=')
    {
        return match find_long(cmd, name) {
            Some(arg) if arg.get_id() == "context" => {
                contexts(typed.kubeconfig.as_deref(), partial, "--context=")
            }
            Some(arg) if arg.get_id() == "namespace" => {
                namespaces(typed.kubeconfig, typed.context, partial, "--namespace=")
            }
            Some(arg) if is_group_name(arg) => group_names(&typed, partial, &format!("--{name}=")),
            Some(arg) => values(arg, partial, &format!("--{name}=")),
            None => (Vec::new(), DIRECTIVE_NO_FILES),
        };
    }
    if !only_positionals && current_word.starts_with('-') {
        let flags = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .filter(|f| f.starts_with(current_word));
        return (sorted(flags), DIRECTIVE_NO_FILES);
    }

    let mut found: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_owned())
        .filter(|n| n.starts_with(current_word))
        .collect();
    let positional = cmd
        .get_arguments()
        .filter(|a| a.is_positional())
        .nth(positionals);
    if let Some(arg) = positional {
        let (more, directive) = values(arg, current_word, "");
        found.extend(more);
        if found.is_empty() {
            return (found, directive);
        }
    }
    (sorted(found.into_iter()), DIRECTIVE_NO_FILES)
}

/// What the words before the one completed said about where to look.
#[derive(Debug, Default)]
struct Typed {
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    graph_endpoint: Option<String>,
    graph_tenant_id: Option<String>,
    no_graph: bool,
}

impl Typed {
    fn remember(&mut self, arg: &Arg, value: &str) {
        match arg.get_long() {
            Some("kubeconfig") => self.kubeconfig = Some(PathBuf::from(value)),
            Some("context") => self.context = Some(value.to_string()),
            Some("graph-endpoint") => self.graph_endpoint = Some(value.to_string()),
            Some("graph-tenant-id") => self.graph_tenant_id = Some(value.to_string()),
            _ => {}
        }
    }
}

/// Flags that take an Entra group's display name (bind/unbind `--group`, can-i
/// `--as-entra-group`).
fn is_group_name(arg: &Arg) -> bool {
    matches!(arg.get_long(), Some("group" | "as-entra-group"))
}

/// How many groups one TAB asks Graph for.
const GROUP_CANDIDATES: usize = 25;

/// Entra groups whose display name starts with `partial`: one Graph call, at most
/// [`GRAPH_WAIT`], with a cached (or silently refreshed) Graph token of the context's sign-in.
/// Never a sign-in, never a message: without a token, or on any failure, nothing is offered.
fn group_names(typed: &Typed, partial: &str, prefix: &str) -> (Vec<String>, u8) {
    let names = if typed.no_graph {
        Vec::new()
    } else {
        graph_group_names(typed, partial).unwrap_or_default()
    };
    let lower = partial.to_lowercase();
    let matching = names
        .into_iter()
        // Graph matches case-insensitively; a name with control characters would break the
        // one-candidate-per-line protocol.
        .filter(|n| n.to_lowercase().starts_with(&lower) && !n.chars().any(char::is_control))
        .map(|n| format!("{prefix}{n}"));
    (sorted(matching), DIRECTIVE_NO_FILES)
}

/// How long a TAB may wait for Microsoft Graph (the token refresh included).
const GRAPH_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn graph_group_names(typed: &Typed, partial: &str) -> Option<Vec<String>> {
    let target = crate::k8s::client::Target {
        kubeconfig: typed.kubeconfig.clone(),
        context: typed.context.clone(),
        ..Default::default()
    };
    let info = crate::k8s::client::target_context(&target).ok()?;
    if crate::cli::context_auth_args(&info).is_none() && typed.graph_tenant_id.is_none() {
        return None;
    }
    let graph = crate::cli::GraphArgs {
        graph_endpoint: typed.graph_endpoint.clone().or_else(|| {
            std::env::var("KUBECTL_ENTRA_GRAPH_ENDPOINT")
                .ok()
                .filter(|v| !v.is_empty())
        }),
        tenant_id: typed.graph_tenant_id.clone(),
        no_graph: false,
    };
    let access = graph.silent_access(&info).ok()?;
    let runtime = super::runtime().ok()?;
    let found = runtime.block_on(async {
        let search = async {
            let client = access.connect().await.ok()?;
            client
                .groups_starting_with(partial, GROUP_CANDIDATES)
                .await
                .ok()
        };
        tokio::time::timeout(GRAPH_WAIT, search).await.ok()?
    });
    // A refresh still waiting on another process's cache lock must not hold the TAB.
    runtime.shutdown_background();
    Some(found?.into_iter().filter_map(|g| g.display_name).collect())
}

/// Context names of the kubeconfig kubectl would use (`--kubeconfig` typed earlier, else
/// $KUBECONFIG's first file, else ~/.kube/config). An unreadable file offers nothing.
fn contexts(kubeconfig: Option<&Path>, partial: &str, prefix: &str) -> (Vec<String>, u8) {
    let env = std::env::var_os("KUBECONFIG");
    let names = crate::kubeconfig::resolve_path(kubeconfig, env.as_deref())
        .map(|path| context_names(&path))
        .unwrap_or_default();
    let matching = names
        .into_iter()
        .filter(|n| n.starts_with(partial))
        .map(|n| format!("{prefix}{n}"));
    (matching.collect(), DIRECTIVE_NO_FILES)
}

/// Namespace names from the cluster of the context typed (else the current one): one list
/// call, at most [`NAMESPACE_WAIT`]. Never a sign-in: a context that signs in with
/// kubectl-entra is only asked when its cached token is still valid. Anything that fails
/// offers nothing.
fn namespaces(
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    partial: &str,
    prefix: &str,
) -> (Vec<String>, u8) {
    let target = crate::k8s::client::Target {
        kubeconfig,
        context,
        request_timeout: Some(NAMESPACE_WAIT),
        ..Default::default()
    };
    let names = namespace_names(&target).unwrap_or_default();
    let matching = names
        .into_iter()
        .filter(|n| n.starts_with(partial))
        .map(|n| format!("{prefix}{n}"));
    (matching.collect(), DIRECTIVE_NO_FILES)
}

/// How long a TAB may wait for the cluster.
const NAMESPACE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn namespace_names(target: &crate::k8s::client::Target) -> Option<Vec<String>> {
    let info = crate::k8s::client::target_context(target).ok()?;
    if let Some(auth) = crate::cli::context_auth_args(&info) {
        let settings = crate::entra::Settings::try_from(&auth).ok()?;
        let view = crate::entra::peek(&settings).ok()??;
        if view.expires_on <= jiff::Timestamp::now() {
            return None;
        }
    }
    let runtime = super::runtime().ok()?;
    runtime.block_on(async {
        let list = async {
            let (client, _) = crate::k8s::client::client(target).await.ok()?;
            kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(client)
                .list(&kube::api::ListParams::default())
                .await
                .ok()
        };
        let list = tokio::time::timeout(NAMESPACE_WAIT, list).await.ok()??;
        Some(
            list.items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect(),
        )
    })
}

/// Only the names: a context kube's types would refuse (no cluster yet) is still offered.
fn context_names(path: &Path) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Names {
        #[serde(default)]
        contexts: Vec<Named>,
    }
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_saphyr::from_str::<Names>(&text).ok())
        .map(|doc| doc.contexts.into_iter().map(|c| c.name).collect())
        .unwrap_or_default()
}

fn find_long<'a>(cmd: &'a Command, long: &str) -> Option<&'a Arg> {
    cmd.get_arguments().find(|a| a.get_long() == Some(long))
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// Values for one argument: its clap possible values, else well-known ones, else file names
/// when the argument is a path.
fn values(arg: &Arg, partial: &str, prefix: &str) -> (Vec<String>, u8) {
    let mut known: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if known.is_empty() {
        known = well_known_values(arg.get_id().as_str())
            .iter()
            .map(|v| (*v).to_owned())
            .collect();
    }
    if known.is_empty() && is_path(arg) {
        return (Vec::new(), DIRECTIVE_FILES);
    }
    let matching = known
        .into_iter()
        .filter(|v| v.starts_with(partial))
        .map(|v| format!("{prefix}{v}"));
    (matching.collect(), DIRECTIVE_NO_FILES)
}

/// Values that are free text to clap but have a usual set (roles of the AKS article, clouds).
fn well_known_values(id: &str) -> &'static [&'static str] {
    match id {
        "role" => &["full-access", "admin", "edit", "view"],
        "login" => &["devicecode"],
        "environment" => &["AzurePublicCloud", "AzureChinaCloud", "AzureUSGovernment"],
        "verb" => crate::access::verbs::COMPLETION_VERBS,
        _ => &[],
    }
}

fn is_path(arg: &Arg) -> bool {
    matches!(
        arg.get_value_hint(),
        ValueHint::AnyPath | ValueHint::FilePath | ValueHint::DirPath
    ) || arg
        .get_value_names()
        .is_some_and(|names| names.iter().any(|n| *n == "FILE" || *n == "DIR"))
}

fn sorted(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.collect();
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(words: &[&str]) -> (Vec<String>, u8) {
        let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        candidates(&words)
    }

    #[test]
    fn subcommands_by_prefix_without_hidden_ones() {
        assert_eq!(complete(&["b"]).0, ["bind", "bindings"]);
        let all = complete(&[""]).0;
        assert!(all.contains(&"convert-kubeconfig".to_owned()));
        assert!(!all.iter().any(|c| c.starts_with("__")));
        assert_eq!(complete(&["b"]).1, DIRECTIVE_NO_FILES);
    }

    #[test]
    fn flags_and_their_values() {
        let flags = complete(&["bind", "--ro"]).0;
        assert_eq!(flags, ["--role"]);
        assert_eq!(
            complete(&["bind", "--group", "appdev", "--role", ""]).0,
            ["full-access", "admin", "edit", "view"]
        );
        assert_eq!(complete(&["bindings", "-o", "j"]).0, ["json"]);
        assert_eq!(complete(&["bindings", "--output=y"]).0, ["--output=yaml"]);
        assert_eq!(complete(&["completion", "f"]).0, ["fish"]);
        assert!(
            complete(&["-v", "2", "who"])
                .0
                .contains(&"whoami".to_owned())
        );
    }

    #[test]
    fn contexts_come_from_the_kubeconfig_typed_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "contexts:\n- name: aks-dev\n  context: {}\n- name: aks-prod\n  context: {}\n- name: local\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        assert_eq!(
            complete(&["whoami", "--kubeconfig", p, "--context", "aks"]).0,
            ["aks-dev", "aks-prod"]
        );
        let with_equals = format!("--kubeconfig={p}");
        assert_eq!(
            complete(&["bindings", &with_equals, "--context=l"]).0,
            ["--context=local"]
        );
        let missing = dir.path().join("missing");
        assert!(context_names(&missing).is_empty());
    }

    #[test]
    fn group_flags_ask_graph_only_with_a_context_that_can() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let p = missing.to_str().unwrap();
        for words in [
            &["bind", "--kubeconfig", p, "--group", "a"][..],
            &["unbind", "--kubeconfig", p, "--group=a"],
            &["bind", "--kubeconfig", p, "--no-graph", "--group", "a"],
            &["can-i", "--kubeconfig", p, "--as-entra-group", ""],
        ] {
            assert_eq!(
                complete(words),
                (Vec::new(), DIRECTIVE_NO_FILES),
                "{words:?}"
            );
        }
        let root = Cli::command();
        let bind = root.find_subcommand("bind").unwrap();
        assert!(is_group_name(find_long(bind, "group").unwrap()));
        assert!(!is_group_name(find_long(bind, "group-id").unwrap()));
        let mut typed = Typed::default();
        typed.remember(find_long(bind, "graph-tenant-id").unwrap(), "contoso");
        typed.remember(find_long(bind, "graph-endpoint").unwrap(), "https://g");
        typed.remember(find_long(bind, "context").unwrap(), "aks");
        assert_eq!(typed.graph_tenant_id.as_deref(), Some("contoso"));
        assert_eq!(typed.graph_endpoint.as_deref(), Some("https://g"));
        assert_eq!(typed.context.as_deref(), Some("aks"));
    }

    #[test]
    fn paths_fall_back_to_file_names() {
        assert_eq!(
            complete(&["convert-kubeconfig", "--kubeconfig", ""]),
            (Vec::new(), DIRECTIVE_FILES)
        );
    }
}
