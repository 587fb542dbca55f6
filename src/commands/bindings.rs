//! `kubectl entra bindings`: who is bound to what, with Entra display names instead of GUIDs.

use crate::cli::{BindingsArgs, BindingsFormat};
use crate::k8s::bind::{
    BindingRow, Scope, apply_display_names, graph_object_ids, list_bindings, validate_label,
};
use crate::k8s::client::{ContextInfo, Target};
use crate::output::{self, Table};
use crate::say;
use std::collections::BTreeMap;
use std::process::ExitCode;

pub fn run(args: BindingsArgs) -> anyhow::Result<ExitCode> {
    if let Some(ns) = &args.namespace {
        validate_label("namespace", ns)?;
    }
    super::runtime()?.block_on(async move {
        let (client, info) = crate::k8s::client::client(&Target::from(&args.kube)).await?;
        let scope = if args.all_namespaces {
            Scope::All
        } else {
            Scope::Namespace(
                args.namespace
                    .clone()
                    .unwrap_or_else(|| info.namespace.clone()),
            )
        };
        let (mut rows, warnings) = list_bindings(&client, &scope).await?;
        for w in warnings {
            say!("warning: {w}");
        }
        if !args.graph.no_graph {
            resolve_names(&args, &info, &mut rows).await;
        }
        print(&args, &scope, &rows)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Graph display names for group (and guest) object ids; on failure the ids stay, with a note.
async fn resolve_names(args: &BindingsArgs, info: &ContextInfo, rows: &mut [BindingRow]) {
    let ids = graph_object_ids(rows);
    if ids.is_empty() {
        return;
    }
    let result = async {
        let graph = args.graph.access(info)?.connect().await?;
        let found = graph
            .get_by_ids(&ids, &["group", "user", "servicePrincipal"])
            .await?;
        anyhow::Ok(found)
    }
    .await;
    match result {
        Ok(found) => {
            let names: BTreeMap<String, String> = found
                .into_iter()
                .filter_map(|o| Some((o.id.to_ascii_lowercase(), o.display_name?)))
                .collect();
            apply_display_names(rows, &names);
        }
        Err(e) => say!(
            "warning: showing object ids, not names: {} (use --no-graph to skip the lookup)",
            output::error_chain(&e)
        ),
    }
}

/// `-o name`: each binding once, as kubectl get -o name prints it.
fn names(rows: &[BindingRow]) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let mut text = String::new();
    for r in rows {
        let resource = match r.namespace {
            Some(_) => "rolebinding.rbac.authorization.k8s.io",
            None => "clusterrolebinding.rbac.authorization.k8s.io",
        };
        if seen.insert((r.namespace.clone(), r.binding.clone())) {
            text.push_str(&format!(
                "{resource}/{}\n",
                crate::sink::printable(&r.binding)
            ));
        }
    }
    text
}

fn print(args: &BindingsArgs, scope: &Scope, rows: &[BindingRow]) -> anyhow::Result<()> {
    if let Some(format) = args.output.document() {
        return output::print_document(format, &serde_json::json!({ "items": rows }));
    }
    match args.output {
        BindingsFormat::Name => output::print_text(&names(rows)),
        _ => {
            if rows.is_empty() {
                match scope {
                    Scope::Namespace(ns) => say!("No bindings found in {ns} namespace."),
                    Scope::All => say!("No bindings found."),
                }
                return Ok(());
            }
            let wide = args.output == BindingsFormat::Wide;
            let mut headers = vec!["namespace", "binding", "role", "kind", "subject", "managed"];
            if wide {
                headers = vec![
                    "namespace",
                    "binding",
                    "binding kind",
                    "role",
                    "kind",
                    "subject",
                    "entra name",
                    "managed",
                ];
            }
            let mut table = Table::new(&headers);
            for r in rows {
                let namespace = r.namespace.clone().unwrap_or_else(|| "*".to_string());
                let managed = if r.managed { "yes" } else { "no" }.to_string();
                if wide {
                    table.row([
                        namespace,
                        r.binding.clone(),
                        r.binding_kind.clone(),
                        r.role.clone(),
                        r.subject_kind.clone(),
                        r.subject.clone(),
                        r.display_name
                            .clone()
                            .unwrap_or_else(|| "<none>".to_string()),
                        managed,
                    ]);
                } else {
                    table.row([
                        namespace,
                        r.binding.clone(),
                        r.role.clone(),
                        r.subject_kind.clone(),
                        r.subject_text(),
                        managed,
                    ]);
                }
            }
            table.print(!args.no_headers)
        }
    }
}
