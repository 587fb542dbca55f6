//! `kubectl entra who-can VERB RESOURCE [NAME]`: every subject the RBAC objects allow, with
//! Entra names (one batched Graph call) and, with `--members`, the groups' members.
//! Table or `-o json|yaml` on stdout; notes and warnings on stderr.

use crate::access::who_can::{
    ReadScope, WhoCanReport, apply_names, attributes, build_report, expand_members,
    keep_subjects_of, object_ids, read_rbac_lists, render_table, resolve_user,
};
use crate::access::{is_known_verb, resolve_target, scope_warning};
use crate::cli::WhoCanArgs;
use crate::k8s::client::{Target, client};
use crate::k8s::discovery::{Discovery, discover};
use crate::output::{error_chain, print_document, print_text};
use crate::say;
use std::process::ExitCode;

pub fn run(args: WhoCanArgs) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(run_async(args))
}

async fn run_async(args: WhoCanArgs) -> anyhow::Result<ExitCode> {
    let non_resource = args.resource.starts_with('/');
    if non_resource && (args.subresource.is_some() || args.name.is_some()) {
        anyhow::bail!("a non-resource URL takes no NAME and no --subresource");
    }
    let typed = match &args.name {
        Some(name) if args.resource.contains('/') => anyhow::bail!(
            "give the name once: `{}` or `{} {name}`",
            args.resource,
            args.resource.split('/').next().unwrap_or_default()
        ),
        Some(name) => format!("{}/{name}", args.resource),
        None => args.resource.clone(),
    };
    let (client, info) = client(&Target::from(&args.kube)).await?;
    let resources = if non_resource {
        Vec::new()
    } else {
        let Discovery {
            resources,
            warnings,
        } = discover(&client).await?;
        for w in warnings {
            say!("warning: {w}");
        }
        resources
    };
    let (target, warning) = resolve_target(&resources, &typed);
    if let Some(w) = warning {
        say!("{w}");
    }
    if !args.all_namespaces
        && args.namespace.is_some()
        && let Some(w) = scope_warning(&target)
    {
        say!("{w}");
    }
    if !is_known_verb(&args.verb, non_resource) {
        say!("Warning: verb '{}' is not a known verb", args.verb);
    }
    let namespace = if args.all_namespaces {
        String::new()
    } else {
        args.namespace
            .clone()
            .unwrap_or_else(|| info.namespace.clone())
    };
    let attrs = attributes(
        &args.verb,
        &target,
        args.subresource.as_deref().unwrap_or(""),
        &namespace,
    );
    let namespaced = attrs.path.is_none()
        && matches!(
            target,
            crate::access::ResolvedTarget::Resource {
                namespaced: true,
                ..
            }
        );
    let (read, scope) = match (namespaced, args.all_namespaces) {
        (false, _) => (ReadScope::ClusterOnly, rbac::WhoCanScope::Request),
        (true, true) => (
            ReadScope::All,
            rbac::WhoCanScope::AllNamespaces { namespaced: true },
        ),
        (true, false) => (
            ReadScope::Namespace(namespace.clone()),
            rbac::WhoCanScope::Request,
        ),
    };
    let src = read_rbac_lists(&client, &read).await?;
    let found = rbac::who_can(&src, &attrs, scope);
    let mut report = build_report(&attrs, &target, found);

    let graph = match args.graph.access_for_names(&info) {
        Ok(g) => g,
        Err(e) => {
            say!(
                "warning: cannot use Microsoft Graph ({}); showing object ids",
                error_chain(&e)
            );
            None
        }
    };
    if args.members && graph.is_none() {
        anyhow::bail!(
            "--members lists Entra group members through Microsoft Graph, which this context does not use: pass --graph-tenant-id TENANT (or drop --no-graph)"
        );
    }
    if args.user.is_some() && graph.is_none() {
        anyhow::bail!(
            "--user resolves the user's Entra groups through Microsoft Graph, which this context does not use: pass --graph-tenant-id TENANT (or drop --no-graph)"
        );
    }
    if let (Some(user), Some(access)) = (&args.user, &graph) {
        let graph = access.connect().await?;
        let view = resolve_user(&graph, &report, user).await?;
        keep_subjects_of(&mut report, view);
    }
    let ids = object_ids(&report);
    if let Some(access) = graph.as_ref().filter(|_| !ids.is_empty() || args.members) {
        let result = async {
            let graph = access.connect().await?;
            let found = graph
                .get_by_ids(&ids, &["group", "user", "servicePrincipal"])
                .await?;
            apply_names(&mut report, &found);
            if args.members {
                expand_members(&graph, &mut report, args.members_limit).await?;
            }
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = result {
            if args.members {
                return Err(e);
            }
            say!(
                "warning: showing object ids, not names: {} (use --no-graph to skip the lookup)",
                error_chain(&e)
            );
        }
    }

    for i in &report.ignored {
        say!(
            "note: {} {:?}{} names {} {:?}, which matches nobody: {}",
            i.binding_kind,
            i.binding_name,
            if i.namespace.is_empty() {
                String::new()
            } else {
                format!(" in {:?}", i.namespace)
            },
            i.subject_kind,
            i.subject_name,
            i.reason
        );
    }
    for e in &report.errors {
        say!("warning: {e} (the binding grants nothing)");
    }
    for s in report.subjects.iter().filter(|s| s.members_truncated) {
        say!(
            "note: group {} has more than {} members; raise --members-limit to see them all",
            s.display_name.as_deref().unwrap_or(&s.name),
            args.members_limit
        );
    }
    if let Some(user) = &report.user {
        say!("{}", user_note(user, &report));
    } else if report
        .subjects
        .iter()
        .any(|s| s.kind == "Group" && crate::graph::is_object_id(&s.name))
    {
        say!(
            "note: Entra groups match by object id from the token's groups claim; for users in more than 200 groups (overage) AKS resolves their groups through Microsoft Graph, so they match too"
        );
    }
    match args.output.document() {
        Some(format) => print_document(format, &report)?,
        None => print_text(&render_table(&report, !args.no_headers))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `--user`: whom the list was narrowed to, and where their groups came from.
fn user_note(user: &crate::access::who_can::UserView, report: &WhoCanReport) -> String {
    let who = match &user.display_name {
        Some(name) => format!("{} ({name})", user.username),
        None => user.username.clone(),
    };
    let groups = format!(
        "Microsoft Graph checkMemberGroups puts them in {} of the {} bound Entra groups; AKS sees the same groups, from the token or, for a user in more than 200 groups (overage), from Graph",
        user.member_of.len(),
        user.groups_checked
    );
    if report.subjects.is_empty() {
        format!("note: no binding lets {who} do this: {groups}")
    } else {
        format!("note: only the subjects that give {who} the access are listed: {groups}")
    }
}
