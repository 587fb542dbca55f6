//! `kubectl entra whoami`: the cluster's SelfSubjectReview beside the cached Entra token.

use crate::access::group_names::{graph_warning, names_for};
use crate::access::token::CachedToken;
use crate::access::{TokenView, build_report, render_report};
use crate::cli::{WhoamiArgs, context_auth_args};
use crate::k8s::client::{Target, client};
use crate::k8s::review::self_subject_review;
use crate::output::{error_chain, print_document, print_text};
use crate::say;
use std::process::ExitCode;

pub fn run(args: WhoamiArgs) -> anyhow::Result<ExitCode> {
    let kube = args.kube.clone();
    super::with_convert_hint(super::runtime()?.block_on(run_async(args)), &kube)
}

async fn run_async(args: WhoamiArgs) -> anyhow::Result<ExitCode> {
    let (client, info) = client(&Target::from(&args.kube)).await?;
    // First the cluster: asking it runs the exec plugin, which may sign in and fill the cache.
    let user = self_subject_review(&client).await?;
    let now = jiff::Timestamp::now().as_second();
    let token = match context_auth_args(&info) {
        None => None,
        Some(auth) => match crate::entra::Settings::try_from(&auth)
            .and_then(|settings| crate::entra::peek(&settings))
        {
            Ok(Some(view)) => Some(TokenView::from_cached(&CachedToken::from(view), now)),
            Ok(None) => {
                say!(
                    "note: no cached Entra token for context {:?}: showing the cluster's view only ({} signs in)",
                    info.context,
                    crate::output::with_hint_flags("`kubectl entra login`")
                );
                None
            }
            Err(e) => {
                say!("warning: cannot read the token cache: {}", error_chain(&e));
                None
            }
        },
    };
    // Overage: ask Graph for the groups as AKS does (its own block; see commands/overage.rs).
    if let Some(oid) = super::overage::overage_user(&info) {
        let note = super::overage::note(&info, &args.graph, &oid, &user.groups).await;
        say!("note: {note}");
    }
    let mut ids = user.groups.clone();
    if let Some(t) = &token {
        ids.extend(t.groups.iter().cloned());
    }
    let (names, graph_warning) = match args.graph.access_for_names(&info) {
        Ok(graph) => names_for(graph.as_ref(), &ids).await,
        Err(e) => (Default::default(), Some(graph_warning(&error_chain(&e)))),
    };
    if let Some(w) = graph_warning {
        say!("warning: {w}");
    }
    let report = build_report(user.into(), token, &names);
    for w in &report.warnings {
        say!("warning: {}", crate::output::with_hint_flags(w));
    }
    match args.output.document() {
        None => print_text(&render_report(&report, &names))?,
        Some(format) => print_document(format, &report)?,
    }
    Ok(ExitCode::SUCCESS)
}
