//! `kubectl entra can-i`: one question (yes/no like kubectl, `--why`), `--list`, `--matrix`.
//!
//! Output: the answer line (`yes`, `no`, `no - REASON`) is always the first line on stdout;
//! `--why` prints its explanation on stdout after it, as the report the user asked for.
//! Warnings and notes go to stderr. Exit 0 for yes, 1 for no.

use crate::access::fetch::{
    complete_with_access_reviews, explain, namespace_matrix, namespace_names,
};
use crate::access::names::group_id_by_name;
use crate::access::{
    DEFAULT_VERBS, NamespaceMode, Style, answer_line, build_query, evaluate, exit_code,
    is_known_verb, list_table, render_matrix, resolve_target, scope_warning, sorted_compact_rules,
};
use crate::cli::{CanIArgs, OutputFormat};
use crate::k8s::client::{ContextInfo, client_with_impersonation, context_info, load_kubeconfig};
use crate::k8s::discovery::{ResourceInfo, discover, parse_resource_arg, resolve};
use crate::k8s::review::{access_review, rules_review};
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

pub fn run(args: CanIArgs) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(run_async(args))
}

/// kubectl's own refusals, checked before any request (same wording, plus what to do instead).
fn validate(args: &CanIArgs) -> anyhow::Result<()> {
    if args.list && (args.quiet || args.all_namespaces || args.subresource.is_some()) {
        let hint = if args.all_namespaces {
            "; for every namespace use `kubectl entra can-i --matrix -A RESOURCE`"
        } else {
            ""
        };
        anyhow::bail!(
            "list option can't be specified with neither quiet, all-namespaces nor subresource options{hint}"
        );
    }
    if args.no_headers && !args.list && !args.matrix {
        anyhow::bail!("--no-headers cannot be set without --list specified (or --matrix)");
    }
    Ok(())
}

async fn run_async(args: CanIArgs) -> anyhow::Result<ExitCode> {
    validate(&args)?;
    let mut groups = args.as_group.clone();
    if !args.as_entra_group.is_empty() {
        let kubeconfig = load_kubeconfig(&args.kube)?;
        let info = context_info(&kubeconfig, args.kube.context.as_deref())?;
        for name in &args.as_entra_group {
            groups.push(group_id_by_name(&args.graph, &info, name).await?);
        }
    }
    let (client, info) =
        client_with_impersonation(&args.kube, args.as_user.as_deref(), &groups).await?;
    let namespace = if args.all_namespaces {
        NamespaceMode::All
    } else {
        NamespaceMode::Namespace(
            args.namespace
                .clone()
                .unwrap_or_else(|| info.namespace.clone()),
        )
    };
    if args.matrix {
        return matrix(&args, &client, &namespace).await;
    }
    if args.list {
        return list(&args, &client, &namespace).await;
    }
    single(&args, &client, &info, &namespace).await
}

fn out(text: &str) -> anyhow::Result<()> {
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

async fn single(
    args: &CanIArgs,
    client: &kube::Client,
    info: &ContextInfo,
    namespace: &NamespaceMode,
) -> anyhow::Result<ExitCode> {
    let (Some(verb), Some(typed)) = (&args.verb, &args.resource) else {
        anyhow::bail!(
            "give a VERB and a RESOURCE (or a /non/resource/url), e.g. `kubectl entra can-i create pods -n dev`"
        );
    };
    let non_resource = typed.starts_with('/');
    if non_resource && args.subresource.is_some() {
        anyhow::bail!("--subresource can not be used with NonResourceURL");
    }
    let resources = if non_resource {
        Vec::new()
    } else {
        discover(client).await?
    };
    let (target, warning) = resolve_target(&resources, typed);
    // kubectl's order: unknown resource, not namespace scoped, unknown verb.
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    if !args.all_namespaces
        && let Some(w) = scope_warning(&target)
    {
        eprintln!("{w}");
        if let Some(ns) = &args.namespace {
            eprintln!(
                "note: asked cluster-wide, without namespace {ns:?}: a RoleBinding there cannot grant it (`kubectl auth can-i` sends the namespace and can answer a false yes)"
            );
        }
    }
    if !is_known_verb(verb, non_resource) {
        eprintln!("Warning: verb '{verb}' is not a known verb");
    }
    let query = build_query(
        verb,
        &target,
        args.subresource.as_deref().unwrap_or(""),
        namespace,
    );
    let answer = access_review(client, &query).await?;
    let why = if args.why && !args.quiet {
        // With --as, RBAC objects are read as the caller (the admin), not as the subject.
        let reader = match &args.as_user {
            Some(_) => client_with_impersonation(&args.kube, None, &[]).await?.0,
            None => client.clone(),
        };
        Some(
            explain(
                client,
                &reader,
                info,
                &args.graph,
                &query,
                &answer.reason,
                answer.allowed,
            )
            .await,
        )
    } else {
        None
    };
    match args.output {
        Some(OutputFormat::Json | OutputFormat::Yaml) if !args.quiet => {
            let doc = serde_json::json!({
                "allowed": answer.allowed,
                "denied": answer.denied,
                "reason": answer.reason,
                "evaluationError": answer.evaluation_error,
                "why": why,
            });
            if args.output == Some(OutputFormat::Yaml) {
                crate::output::print_yaml(&doc)?;
            } else {
                crate::output::print_json(&doc)?;
            }
        }
        _ if args.quiet => {}
        _ => {
            let mut text = answer_line(&answer);
            text.push('\n');
            for line in why.unwrap_or_default() {
                text.push_str(&line);
                text.push('\n');
            }
            out(&text)?;
        }
    }
    Ok(ExitCode::from(exit_code(&answer)))
}

async fn list(
    args: &CanIArgs,
    client: &kube::Client,
    namespace: &NamespaceMode,
) -> anyhow::Result<ExitCode> {
    let ns = match namespace {
        NamespaceMode::Namespace(ns) => ns.clone(),
        NamespaceMode::All => String::new(),
    };
    let mut set = rules_review(client, &ns).await?;
    if set.incomplete {
        eprintln!(
            "warning: the list may be incomplete: {}",
            set.evaluation_error
        );
        let (checked, added) = complete_with_access_reviews(client, &mut set, &ns).await?;
        eprintln!(
            "note: checked {checked} common actions with access reviews; {added} more are allowed and listed"
        );
    }
    match args.output {
        Some(OutputFormat::Json) => crate::output::print_json(&sorted_compact_rules(&set))?,
        Some(OutputFormat::Yaml) => crate::output::print_yaml(&sorted_compact_rules(&set))?,
        _ => out(&list_table(&set, !args.no_headers))?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn matrix(
    args: &CanIArgs,
    client: &kube::Client,
    namespace: &NamespaceMode,
) -> anyhow::Result<ExitCode> {
    let verbs: Vec<String> = if args.verbs.is_empty() {
        DEFAULT_VERBS.iter().map(|v| v.to_string()).collect()
    } else {
        args.verbs.clone()
    };
    // `--matrix -A pods`: the one positional is the resource.
    let typed = args.resource.as_ref().or(args.verb.as_ref());
    let resources = discover(client).await?;
    let m = match namespace {
        NamespaceMode::All => {
            let typed = match typed {
                Some(t) => t.clone(),
                None => {
                    eprintln!(
                        "note: showing pods; name a resource to see another (`kubectl entra can-i --matrix -A deployments`)"
                    );
                    "pods".to_string()
                }
            };
            let (target, warning) = resolve_target(&resources, &typed);
            if let Some(w) = warning {
                eprintln!("{w}");
            }
            let namespaces = namespace_names(client).await?;
            namespace_matrix(client, &namespaces, &target, &verbs).await?
        }
        NamespaceMode::Namespace(ns) => {
            // A resource narrows the rows to it.
            let shown: Vec<ResourceInfo> = match typed {
                Some(t) => match resolve(&resources, &parse_resource_arg(t)) {
                    Ok(found) => vec![found],
                    Err(e) => anyhow::bail!("{e}"),
                },
                None => resources,
            };
            if let [one] = shown.as_slice()
                && !one.namespaced
            {
                // A rules review mixes in the namespace's Roles, which cannot grant it.
                anyhow::bail!(
                    "{} is cluster-scoped, and the matrix shows namespaced resources; ask one question at a time, e.g. `kubectl entra can-i list {}`",
                    one.resource,
                    one.resource
                );
            }
            let set = rules_review(client, ns).await?;
            evaluate(&set, &shown, ns, &verbs)
        }
    };
    if !m.incomplete.is_empty() {
        eprintln!(
            "warning: the rules review was incomplete in {} (a webhook authorizer such as Azure RBAC decides too): \"no\" cells may be wrong; confirm one with `kubectl entra can-i VERB RESOURCE -n NAMESPACE`",
            m.incomplete.join(", ")
        );
    }
    match args.output {
        Some(OutputFormat::Json) => crate::output::print_json(&m)?,
        Some(OutputFormat::Yaml) => crate::output::print_yaml(&m)?,
        _ => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let style = Style::detect(std::io::stdout().is_terminal(), no_color);
            out(&render_matrix(&m, style, !args.no_headers))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
