//! `kubectl entra audit [-n NS | -A]`: bindings that cannot work on an Entra-integrated cluster,
//! why, and the commands that fix them. Exit 1 when something was found (a pipeline gate), 0
//! when clean; errors exit as every other command's.

use crate::access::audit::{Directory, audit, graph_questions, render_fixes, render_table};
use crate::access::who_can::{ReadScope, read_rbac_lists};
use crate::cli::AuditArgs;
use crate::graph::GraphClient;
use crate::k8s::client::{Target, client};
use crate::output::{error_chain, print_document, print_text};
use crate::say;
use std::process::ExitCode;

pub fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(run_async(args))
}

/// Asks Graph what the audit needs: one getByIds per 1000 object ids, one lookup per distinct
/// group display name and guest UPN (never one call per binding).
async fn ask_graph(graph: &GraphClient, src: &rbac::MemorySource) -> anyhow::Result<Directory> {
    let q = graph_questions(src);
    let mut d = Directory::default();
    if !q.ids.is_empty() {
        for o in graph
            .get_by_ids(&q.ids, &["group", "user", "servicePrincipal"])
            .await?
        {
            d.objects.insert(o.id.to_ascii_lowercase(), o);
        }
    }
    for name in &q.group_names {
        let ids = graph
            .find_groups_by_name(name)
            .await?
            .into_iter()
            .map(|g| g.id.to_ascii_lowercase())
            .collect();
        d.groups_by_name.insert(name.to_ascii_lowercase(), ids);
    }
    for upn in &q.guest_upns {
        if let Some(u) = graph.user(upn).await? {
            d.users_by_upn
                .insert(upn.to_ascii_lowercase(), u.id.to_ascii_lowercase());
        }
    }
    Ok(d)
}

async fn run_async(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let (client, info) = client(&Target::from(&args.kube)).await?;
    let scope = if args.all_namespaces {
        ReadScope::All
    } else {
        ReadScope::Namespace(
            args.namespace
                .clone()
                .unwrap_or_else(|| info.namespace.clone()),
        )
    };
    let src = read_rbac_lists(&client, &scope).await?;
    let directory = match args.graph.access_for_names(&info) {
        Ok(Some(access)) => match async { ask_graph(&access.connect().await?, &src).await }.await {
            Ok(d) => Some(d),
            Err(e) => {
                say!(
                    "warning: cannot ask Microsoft Graph ({}): object ids that no longer exist are not checked (use --no-graph to skip Graph)",
                    error_chain(&e)
                );
                None
            }
        },
        Ok(None) => {
            say!(
                "note: without Microsoft Graph, object ids that no longer exist and member object ids are not checked (this context does not use kubectl-entra: pass --graph-tenant-id TENANT)"
            );
            None
        }
        Err(e) => {
            say!("warning: cannot use Microsoft Graph ({})", error_chain(&e));
            None
        }
    };
    let findings = audit(&src, directory.as_ref());
    match args.output.document() {
        Some(format) => print_document(format, &serde_json::json!({ "findings": findings }))?,
        None if findings.is_empty() => {
            let place = match &scope {
                ReadScope::Namespace(ns) => format!("in namespace {ns:?} and cluster-wide"),
                _ => "in any namespace or cluster-wide".to_string(),
            };
            say!("No problems found {place}.");
        }
        None => {
            let mut text = render_table(&findings, !args.no_headers);
            text.push_str(&render_fixes(&findings));
            print_text(&text)?;
        }
    }
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
