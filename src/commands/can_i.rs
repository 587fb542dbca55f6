//! `kubectl entra can-i`: one question (yes/no like kubectl, `--why`), `--list`, `--matrix`.
//!
//! Output: the answer line (`yes`, `no`, `no - REASON`) is always the first line on stdout;
//! `--why` prints its explanation on stdout after it, as the report the user asked for.
//! Warnings and notes go to stderr. Exit 0 for yes, 1 for no; every error, usage errors
//! included, exits 2 (`crate::EXIT_CAN_I_ERROR`), so a script never reads one as "no".

use crate::access::fetch::{complete_with_access_reviews, explain, namespace_matrix};
use crate::access::group_names::{graph_warning, group_id_by_name};
use crate::access::matrix::namespaces_named;
use crate::access::{
    EVERYDAY_VERBS, NamespaceMode, Style, answer_line, build_query, evaluate, exit_code,
    is_known_verb, list_table, render_matrix, resolve_target, scope_warning, sorted_compact_rules,
};
use crate::cli::{CanIArgs, OutputFormat};
use crate::k8s::client::{ContextInfo, Target, client, target_context};
use crate::k8s::discovery::{Discovery, ResourceInfo, discover, parse_resource_arg, resolve};
use crate::k8s::review::{access_review, rules_review};
use crate::output::{error_chain, print_document, print_text, with_hint_flags};
use crate::say;
use anyhow::Context as _;
use std::io::IsTerminal as _;
use std::process::ExitCode;

pub fn run(args: CanIArgs) -> anyhow::Result<ExitCode> {
    let kube = args.kube.clone();
    super::with_convert_hint(super::runtime()?.block_on(run_async(args)), &kube)
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
    let mut target = Target::from(&args.kube);
    target.impersonate = args.as_user.clone();
    target.impersonate_groups = args.as_group.clone();
    if let Some(first) = args.as_entra_group.first() {
        let info = target_context(&target)?;
        let graph = async { args.graph.access(&info)?.connect().await }
            .await
            .with_context(|| {
                format!("--as-entra-group {first:?} needs Microsoft Graph to find the group's object id (or give the id with --as-group OBJECT_ID)")
            })?;
        for name in &args.as_entra_group {
            target
                .impersonate_groups
                .push(group_id_by_name(&graph, name).await?);
        }
    }
    let (client, info) = client(&target).await?;
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
        return matrix(&args, &target.as_caller(), &client, &info, &namespace).await;
    }
    if args.list {
        return list(&args, &client, &namespace).await;
    }
    single(&args, &target.as_caller(), &client, &info, &namespace).await
}

/// Discovery, with the groups it left out shown as warnings.
async fn discover_resources(client: &kube::Client) -> anyhow::Result<Vec<ResourceInfo>> {
    let Discovery {
        resources,
        warnings,
    } = discover(client).await?;
    for w in warnings {
        say!("warning: {w}");
    }
    Ok(resources)
}

async fn single(
    args: &CanIArgs,
    caller: &Target,
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
        discover_resources(client).await?
    };
    let (target, warning) = resolve_target(&resources, typed);
    // kubectl's order: unknown resource, not namespace scoped, unknown verb.
    if let Some(w) = warning {
        say!("{w}");
    }
    if !args.all_namespaces
        && let Some(w) = scope_warning(&target)
    {
        say!("{w}");
        if let Some(ns) = &args.namespace {
            say!(
                "note: asked cluster-wide, without namespace {ns:?}: a RoleBinding there cannot grant it (`kubectl auth can-i` sends the namespace and can answer a false yes)"
            );
        }
    }
    if !is_known_verb(verb, non_resource) {
        say!("Warning: verb '{verb}' is not a known verb");
    }
    let query = build_query(
        verb,
        &target,
        args.subresource.as_deref().unwrap_or(""),
        namespace,
    );
    let answer = access_review(client, &query).await?;
    let document = matches!(args.output, Some(OutputFormat::Json | OutputFormat::Yaml));
    let why = if args.why && !args.quiet {
        // With --as, RBAC objects are read as the caller (the admin), not as the subject.
        let reader = match &args.as_user {
            Some(_) => crate::k8s::client::client(caller).await?.0,
            None => client.clone(),
        };
        let graph = match args.graph.access_for_names(info) {
            Ok(graph) => graph,
            Err(e) => {
                say!("warning: {}", graph_warning(&error_chain(&e)));
                None
            }
        };
        // Overage: say what Graph lists, and that AKS resolves the groups the same way.
        if let Some(oid) = super::overage::overage_user(info).filter(|_| args.as_user.is_none()) {
            let groups = crate::k8s::review::self_subject_review(client)
                .await
                .map(|u| u.groups)
                .unwrap_or_default();
            let note = super::overage::note(info, &args.graph, &oid, &groups).await;
            say!("note: {note}");
        }
        if document {
            // Data for scripts, not the display lines.
            let data = super::can_i_why::gather(
                client,
                &reader,
                graph.as_ref(),
                &query,
                &answer.reason,
                answer.allowed,
            )
            .await;
            for w in &data.warnings {
                say!("warning: {}", with_hint_flags(w));
            }
            Some(serde_json::to_value(&data)?)
        } else {
            let why = explain(
                client,
                &reader,
                graph.as_ref(),
                &query,
                &answer.reason,
                answer.allowed,
            )
            .await;
            for w in &why.warnings {
                say!("warning: {}", with_hint_flags(w));
            }
            Some(serde_json::Value::from(
                why.lines
                    .iter()
                    .map(|l| with_hint_flags(l))
                    .collect::<Vec<_>>(),
            ))
        }
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
            let format = args.output.and_then(OutputFormat::document);
            print_document(format.unwrap_or(crate::output::DocumentFormat::Json), &doc)?;
        }
        _ if args.quiet => {}
        _ => {
            let mut text = answer_line(&answer);
            text.push('\n');
            let lines = why.as_ref().and_then(|w| w.as_array()).cloned();
            for line in lines.unwrap_or_default() {
                text.push_str(line.as_str().unwrap_or_default());
                text.push('\n');
            }
            print_text(&text)?;
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
        say!(
            "warning: the list may be incomplete: {}",
            set.evaluation_error
        );
        let (checked, added) = complete_with_access_reviews(client, &mut set, &ns).await?;
        say!(
            "note: checked {checked} common actions with access reviews; {added} more are allowed and listed"
        );
    }
    match args.output.and_then(OutputFormat::document) {
        Some(format) => print_document(format, &sorted_compact_rules(&set))?,
        None => print_text(&list_table(&set, !args.no_headers))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The namespaces of `--matrix -A`: all of them when you may list them; else the ones your own
/// rules name (`resourceNames` on namespaces, cluster-wide and in the context's namespace), the
/// context's namespace and those of the kubeconfig's other contexts for this cluster, said on
/// stderr. kubectl answers `auth can-i -A` without listing namespaces, so neither does this fail.
async fn matrix_namespaces(
    client: &kube::Client,
    target: &Target,
    info: &ContextInfo,
) -> anyhow::Result<Vec<String>> {
    use k8s_openapi::api::core::v1::Namespace;
    let listed = kube::Api::<Namespace>::all(client.clone())
        .list(&kube::api::ListParams::default())
        .await;
    let status = match listed {
        Ok(list) => {
            let mut names: Vec<String> = list
                .items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect();
            names.sort();
            return Ok(names);
        }
        Err(kube::Error::Api(status)) if status.code == 403 => status,
        Err(e) => {
            return Err(crate::k8s::error::readable(e)).context("cannot list namespaces");
        }
    };
    let mut names = vec![info.namespace.clone()];
    for ns in ["", info.namespace.as_str()] {
        match rules_review(client, ns).await {
            Ok(set) => names.extend(namespaces_named(&set)),
            Err(e) => say!("warning: {}", error_chain(&e)),
        }
    }
    names.extend(kubeconfig_namespaces(target, info));
    names.sort();
    names.dedup();
    say!(
        "note: you may not list namespaces ({}): showing {} (from your rules and your kubeconfig); ask about another with -n NAMESPACE",
        crate::sink::printable(&status.message),
        names.join(", ")
    );
    Ok(names)
}

/// The namespaces the kubeconfig's contexts set for the cluster `info` points at.
fn kubeconfig_namespaces(target: &Target, info: &ContextInfo) -> Vec<String> {
    let Ok(config) = crate::k8s::client::load_kubeconfig(target.kubeconfig.as_deref()) else {
        return Vec::new();
    };
    config
        .contexts
        .iter()
        .filter_map(|c| crate::k8s::client::context_info(&config, Some(&c.name)).ok())
        .filter(|c| c.server == info.server && c.namespace != "default")
        .map(|c| c.namespace)
        .collect()
}

async fn matrix(
    args: &CanIArgs,
    target: &Target,
    client: &kube::Client,
    info: &ContextInfo,
    namespace: &NamespaceMode,
) -> anyhow::Result<ExitCode> {
    let verbs: Vec<String> = if args.verbs.is_empty() {
        EVERYDAY_VERBS.iter().map(|v| v.to_string()).collect()
    } else {
        args.verbs.clone()
    };
    // `--matrix -A pods`: the one positional is the resource.
    let typed = args.resource.as_ref().or(args.verb.as_ref());
    let resources = discover_resources(client).await?;
    let m = match namespace {
        NamespaceMode::All => {
            let typed = match typed {
                Some(t) => t.clone(),
                None => {
                    say!(
                        "note: showing pods; name a resource to see another (`kubectl entra can-i --matrix -A deployments`)"
                    );
                    "pods".to_string()
                }
            };
            let (resolved, warning) = resolve_target(&resources, &typed);
            if let Some(w) = warning {
                say!("{w}");
            }
            let namespaces = matrix_namespaces(client, target, info).await?;
            namespace_matrix(client, &namespaces, &resolved, &verbs).await?
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
        say!(
            "warning: the rules review was incomplete in {} (a webhook authorizer such as Azure RBAC decides too): \"no\" cells may be wrong; confirm one with `kubectl entra can-i VERB RESOURCE -n NAMESPACE`",
            m.incomplete.join(", ")
        );
    }
    match args.output.and_then(OutputFormat::document) {
        Some(format) => print_document(format, &m)?,
        None => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let style = Style::detect(std::io::stdout().is_terminal(), no_color);
            print_text(&render_matrix(&m, style, !args.no_headers))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
