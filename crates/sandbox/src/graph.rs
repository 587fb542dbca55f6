//! The Microsoft Graph subset the sandbox serves under `/v1.0` (groups filter, groups/{id},
//! directoryObjects/getByIds, me/transitiveMemberOf, users/{id}/getMemberGroups,
//! users/{id}/getMemberObjects, users/{id}/checkMemberGroups, groups/{id}/transitiveMembers), with Graph's
//! JSON and error shapes (ENTRA-PROTOCOL.md §7).
//!
//! The emulator nests `router` at `/v1.0`. Injected faults (`/_sandbox/faults` with `"endpoint":"graph"`) are the emulator's middleware around
//! this router, so they come before token verification.

mod auth;
mod handlers;
mod members;
mod paging;

use super::stats::Stats;
use super::tenant::Tenant;
use std::sync::Arc;

/// What the Graph handlers need: the tenant, counters, and the key to verify bearer tokens
/// (`aud` must be Graph: `00000003-0000-0000-c000-000000000000` or `https://graph.microsoft.com`).
#[derive(Clone)]
pub struct GraphState {
    pub tenant: Arc<Tenant>,
    pub stats: Arc<Stats>,
    /// `{"keys":[...]}` of the emulator (RS256).
    pub jwks: serde_json::Value,
    /// Accepted issuer, `https://sts.windows.net/{tid}/`.
    pub issuer: String,
}

impl GraphState {
    pub fn new(
        tenant: Arc<Tenant>,
        stats: Arc<Stats>,
        jwks: serde_json::Value,
        issuer: String,
    ) -> Self {
        GraphState {
            tenant,
            stats,
            jwks,
            issuer,
        }
    }
}

/// Routes relative to `/v1.0`.
pub fn router(state: GraphState) -> axum::Router {
    handlers::routes().with_state(state)
}
