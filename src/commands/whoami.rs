//! `kubectl entra whoami`: the cluster's SelfSubjectReview beside the cached Entra token.

use crate::access::names::names_for;
use crate::access::token::peek_cached;
use crate::access::{TokenView, build_report, render_report};
use crate::cli::{OutputFormat, WhoamiArgs};
use crate::k8s::client::{client, entra_auth_args};
use crate::k8s::review::self_subject_review;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(args: WhoamiArgs) -> anyhow::Result<ExitCode> {
    super::runtime()?.block_on(run_async(args))
}

async fn run_async(args: WhoamiArgs) -> anyhow::Result<ExitCode> {
    let (client, info) = client(&args.kube).await?;
    // First the cluster: asking it runs the exec plugin, which may sign in and fill the cache.
    let user = self_subject_review(&client).await?;
    let now = jiff::Timestamp::now().as_second();
    let token = match entra_auth_args(&info) {
        None => None,
        Some(auth) => match peek_cached(&auth) {
            Ok(Some(cached)) => Some(TokenView::from_cached(&cached, now)),
            Ok(None) => {
                eprintln!(
                    "note: no cached Entra token for context {:?}: showing the cluster's view only (`kubectl entra login` signs in)",
                    info.context
                );
                None
            }
            Err(e) => {
                eprintln!(
                    "warning: cannot read the token cache: {}",
                    crate::output::error_chain(&e)
                );
                None
            }
        },
    };
    let mut ids = user.groups.clone();
    if let Some(t) = &token {
        ids.extend(t.groups.iter().cloned());
    }
    let (names, graph_warning) = names_for(&args.graph, &info, &ids).await;
    if let Some(w) = graph_warning {
        eprintln!("warning: {w}");
    }
    let report = build_report(user.into(), token, &names);
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    match args.output {
        OutputFormat::Json => crate::output::print_json(&report)?,
        OutputFormat::Yaml => crate::output::print_yaml(&report)?,
        OutputFormat::Table => std::io::stdout()
            .lock()
            .write_all(render_report(&report, &names).as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
