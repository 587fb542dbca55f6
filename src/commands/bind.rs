//! `kubectl entra bind`: resolve the subjects (group names through Graph), build the Role and
//! bindings, check the caller may create them, then server-side apply (or print them).

use crate::cli::{BindArgs, DryRun, ManifestFormat, SubjectArgs};
use crate::graph::GraphClient;
use crate::k8s::bind::{
    Outcome, Plan, PlanInput, RoleChoice, Subject, apply_plan, build_plan, check_permissions,
    parse_role, validate_label,
};
use crate::k8s::client::{Target, target_context};
use crate::k8s::error::readable;
use crate::output::{print_document, print_text};
use crate::say;
use anyhow::Context as _;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, Role};
use kube::api::Api;
use std::process::ExitCode;

pub fn run(args: BindArgs) -> anyhow::Result<ExitCode> {
    // Everything that can be checked offline is checked before any network call.
    let scope = scope(&args)?;
    let role = parse_role(&args.role)?;
    let mut subjects = offline_subjects(&args.subjects)?;
    if subjects.is_empty() && args.subjects.groups.is_empty() {
        anyhow::bail!(
            "say whom to bind: --group NAME, --group-id OBJECT_ID, --user UPN|OBJECT_ID or --service-account NS:NAME"
        );
    }
    if !args.subjects.groups.is_empty() && args.graph.no_graph {
        anyhow::bail!(
            "--group NAME needs Microsoft Graph to find the object id, but --no-graph is set; pass --group-id OBJECT_ID instead"
        );
    }
    let format = args.output.unwrap_or(ManifestFormat::Yaml);
    super::runtime()?.block_on(async move {
        if args.dry_run == DryRun::Client {
            resolve_groups(&args, &mut subjects).await?;
            let role = role.unwrap_or_else(|| {
                say!(
                    "note: --dry-run=client does not contact the cluster, so {:?} is assumed to be an existing {}",
                    args.role,
                    if scope.is_some() { "Role in the namespace" } else { "ClusterRole" }
                );
                match scope {
                    Some(_) => RoleChoice::Role(args.role.clone()),
                    None => RoleChoice::ClusterRole(args.role.clone()),
                }
            });
            let plan = plan(scope.as_deref(), args.create_namespace, &role, &subjects);
            return print_plan(&plan, format).map(|()| ExitCode::SUCCESS);
        }
        // The cluster first: a missing namespace or role is found before any Graph sign-in.
        let (client, _info) = crate::k8s::client::client(&Target::from(&args.kube)).await?;
        let role = match role {
            Some(role) => role,
            None => existing_role(&client, scope.as_deref(), &args.role).await?,
        };
        let server_dry_run = args.dry_run == DryRun::Server;
        let mut create_namespace = false;
        let mut namespace_exists = false;
        if let Some(ns) = scope.as_deref() {
            match namespace_state(&client, ns).await? {
                NamespaceState::Exists => namespace_exists = true,
                NamespaceState::Missing if !args.create_namespace => anyhow::bail!(
                    "namespace {ns:?} does not exist; add --create-namespace to create it, or create it with `kubectl create namespace {ns}`"
                ),
                NamespaceState::Missing if server_dry_run => anyhow::bail!(
                    "--dry-run=server cannot validate a Role or RoleBinding in the namespace {ns:?}, because it does not exist yet and the API server checks objects only in an existing namespace; nothing was changed. Use --dry-run=client to see the manifests, or create the namespace first"
                ),
                NamespaceState::Missing | NamespaceState::Unknown => {
                    create_namespace = args.create_namespace
                }
            }
        }
        resolve_groups(&args, &mut subjects).await?;
        let mut plan = plan(scope.as_deref(), create_namespace, &role, &subjects);
        if let Some(warning) = check_permissions(&client, &plan).await? {
            say!("warning: {warning}");
        }
        let report = apply_plan(&client, &mut plan, server_dry_run).await?;
        for note in &report.notes {
            say!("note: {note}");
        }
        if let Some(format) = args.output {
            let items: Vec<_> = report.applied.iter().map(|a| a.object.clone()).collect();
            let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items});
            print_document(format.into(), &list)?;
        } else {
            let suffix = if server_dry_run { " (server dry run)" } else { "" };
            let mut text = String::new();
            if namespace_exists && args.create_namespace {
                // Already there: not applied (that would need rights on namespaces), but
                // reported as kubectl would.
                if let Some(ns) = scope.as_deref() {
                    text.push_str(&format!("namespace/{ns} unchanged{suffix}\n"));
                }
            }
            for applied in &report.applied {
                text.push_str(&format!(
                    "{} {}{suffix}\n",
                    applied.display,
                    applied.outcome.as_str()
                ));
            }
            print_text(&text)?;
        }
        if !server_dry_run && report.applied.iter().all(|a| a.outcome == Outcome::Unchanged) {
            let who: Vec<String> = subjects.iter().map(Subject::describe).collect();
            let place = scope
                .as_deref()
                .map(|ns| format!("in the namespace {ns:?}"))
                .unwrap_or_else(|| "cluster-wide".to_string());
            say!(
                "Nothing changed: {} already bound to {} {place}.",
                who.join(", "),
                role.short_name()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `--group NAME`s to object ids through Microsoft Graph (no Graph sign-in when there are none).
async fn resolve_groups(args: &BindArgs, subjects: &mut Vec<Subject>) -> anyhow::Result<()> {
    if args.subjects.groups.is_empty() {
        return Ok(());
    }
    let info = target_context(&Target::from(&args.kube))?;
    let graph = args.graph.access(&info)?.connect().await?;
    for name in &args.subjects.groups {
        subjects.push(resolve_group(&graph, name).await?);
    }
    Ok(())
}

/// Some(namespace), or None for a cluster-wide binding.
fn scope(args: &BindArgs) -> anyhow::Result<Option<String>> {
    if args.cluster_wide {
        if !args.yes_cluster_wide {
            anyhow::bail!(
                "--cluster-wide grants the role in every namespace, including kube-system; add --yes-cluster-wide to confirm that this is intended"
            );
        }
        if args.namespace.is_some() {
            anyhow::bail!("--cluster-wide binds in every namespace; drop -n/--namespace");
        }
        return Ok(None);
    }
    let ns = args
        .namespace
        .clone()
        .context("say which namespace: -n NAMESPACE (or --cluster-wide)")?;
    validate_label("namespace", &ns)?;
    Ok(Some(ns))
}

fn offline_subjects(args: &SubjectArgs) -> anyhow::Result<Vec<Subject>> {
    let mut out = Vec::new();
    for id in &args.group_ids {
        out.push(Subject::group(id, id)?);
    }
    for user in &args.users {
        out.push(Subject::user(user)?);
    }
    for sa in &args.service_accounts {
        out.push(Subject::service_account(sa)?);
    }
    Ok(out)
}

/// A display name to exactly one group, or an error with the next step.
pub(crate) async fn resolve_group(graph: &GraphClient, name: &str) -> anyhow::Result<Subject> {
    let group = crate::graph::one_group_named(graph, name, "--group-id").await?;
    Subject::group(&group.id, group.display_name.as_deref().unwrap_or(name))
}

/// `--role NAME`: a Role in the namespace, else a ClusterRole.
async fn existing_role(
    client: &kube::Client,
    namespace: Option<&str>,
    name: &str,
) -> anyhow::Result<RoleChoice> {
    if let Some(ns) = namespace {
        let roles: Api<Role> = Api::namespaced(client.clone(), ns);
        if roles.get_opt(name).await.map_err(readable)?.is_some() {
            return Ok(RoleChoice::Role(name.to_string()));
        }
    }
    let cluster_roles: Api<ClusterRole> = Api::all(client.clone());
    if cluster_roles
        .get_opt(name)
        .await
        .map_err(readable)?
        .is_some()
    {
        return Ok(RoleChoice::ClusterRole(name.to_string()));
    }
    let place = namespace
        .map(|ns| format!("Role in the namespace {ns:?} nor a "))
        .unwrap_or_default();
    anyhow::bail!(
        "--role {name:?} is neither a {place}ClusterRole; use full-access, admin, edit or view, or create the role first"
    )
}

enum NamespaceState {
    Exists,
    Missing,
    /// The caller may not read namespaces: the apply will tell.
    Unknown,
}

async fn namespace_state(client: &kube::Client, ns: &str) -> anyhow::Result<NamespaceState> {
    let api: Api<Namespace> = Api::all(client.clone());
    match api.get_opt(ns).await {
        Ok(Some(_)) => Ok(NamespaceState::Exists),
        Ok(None) => Ok(NamespaceState::Missing),
        Err(kube::Error::Api(s)) if s.code == 403 => Ok(NamespaceState::Unknown),
        Err(e) => Err(readable(e)).context("cannot check the namespace"),
    }
}

fn plan(
    namespace: Option<&str>,
    create_namespace: bool,
    role: &RoleChoice,
    subjects: &[Subject],
) -> Plan {
    build_plan(&PlanInput {
        namespace,
        create_namespace,
        role,
        subjects,
    })
}

fn print_plan(plan: &Plan, format: ManifestFormat) -> anyhow::Result<()> {
    match format {
        ManifestFormat::Json => print_document(format.into(), &plan.to_list_json()),
        ManifestFormat::Yaml => print_text(&plan.to_yaml()?),
    }
}
