//! `kubectl entra unbind`: delete the bindings `bind` made for the subjects, and the
//! full-access role when nothing uses it any more. Hand-made bindings only with `--force NAME`.

use crate::cli::{DryRun, UnbindArgs};
use crate::k8s::bind::{
    NothingBound, Subject, SubjectKind, UnbindRequest, unbind, validate_label, validate_subdomain,
};
use crate::k8s::client::{Target, target_context};
use crate::output::print_text;
use crate::say;
use std::process::ExitCode;

pub fn run(args: UnbindArgs) -> anyhow::Result<ExitCode> {
    let namespace = if args.cluster_wide {
        if args.namespace.is_some() {
            anyhow::bail!("--cluster-wide removes ClusterRoleBindings; drop -n/--namespace");
        }
        None
    } else {
        let ns = args.namespace.clone().ok_or_else(|| {
            anyhow::anyhow!("say which namespace: -n NAMESPACE (or --cluster-wide)")
        })?;
        validate_label("namespace", &ns)?;
        Some(ns)
    };
    if let Some(role) = args.role.as_deref().filter(|r| *r != "full-access") {
        validate_subdomain("role name", role)?;
    }
    for name in &args.force {
        validate_subdomain("binding name", name)?;
    }
    let mut subjects = Vec::new();
    // By name: matched against the display name bind recorded, so no Graph call is needed.
    for name in &args.subjects.groups {
        subjects.push(Subject {
            kind: SubjectKind::Group,
            id: String::new(),
            display: name.clone(),
            namespace: None,
        });
    }
    for id in &args.subjects.group_ids {
        subjects.push(Subject::group(id, id)?);
    }
    for user in &args.subjects.users {
        subjects.push(Subject::user(user)?);
    }
    for sa in &args.subjects.service_accounts {
        subjects.push(Subject::service_account(sa)?);
    }
    if subjects.is_empty() && args.force.is_empty() {
        anyhow::bail!(
            "say whose bindings to remove: --group NAME, --group-id OBJECT_ID, --user UPN|OBJECT_ID, --service-account NS:NAME, or --force BINDING"
        );
    }
    let dry_run = args.dry_run != DryRun::None;
    super::runtime()?.block_on(async move {
        let (client, _info) = crate::k8s::client::client(&Target::from(&args.kube)).await?;
        let request = |subjects, ignore_not_found| UnbindRequest {
            namespace: namespace.as_deref(),
            subjects,
            role: args.role.as_deref(),
            force: &args.force,
            dry_run,
            ignore_not_found,
        };
        // With --ignore-not-found, "nothing under that name" is only final once Graph had its say.
        let first = args.ignore_not_found && !by_name_fallback(&args);
        let unbound = match unbind(&client, &request(&subjects, first)).await {
            Err(e) if e.is::<NothingBound>() && by_name_fallback(&args) => {
                // Nothing recorded under that name: the binding may have been made with
                // --group-id, so ask Graph for the group's object id and look again.
                let resolved = by_id(&args, &subjects).await.map_err(|graph| {
                    anyhow::anyhow!(
                        "{e}; looking the group up in Microsoft Graph did not help either: {}",
                        crate::output::error_chain(&graph)
                    )
                })?;
                unbind(&client, &request(&resolved, args.ignore_not_found)).await?
            }
            other => other?,
        };
        if !unbound.left_alone.is_empty() {
            say!(
                "note: left alone (not made by kubectl-entra): {}",
                unbound.left_alone.join(", ")
            );
        }
        let mut text = String::new();
        for line in &unbound.lines {
            text.push_str(line);
            text.push('\n');
        }
        print_text(&text)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Whether `--group NAME`s may be looked up in Graph when their recorded name matched nothing.
fn by_name_fallback(args: &UnbindArgs) -> bool {
    !args.subjects.groups.is_empty() && !args.graph.no_graph
}

/// The subjects with every `--group NAME` replaced by the group's object id from Graph.
async fn by_id(args: &UnbindArgs, subjects: &[Subject]) -> anyhow::Result<Vec<Subject>> {
    let info = target_context(&Target::from(&args.kube))?;
    let graph = args.graph.access(&info)?.connect().await?;
    let mut out = Vec::new();
    for s in subjects {
        if s.kind == SubjectKind::Group && s.id.is_empty() {
            out.push(super::bind::resolve_group(&graph, &s.display).await?);
        } else {
            out.push(s.clone());
        }
    }
    Ok(out)
}
