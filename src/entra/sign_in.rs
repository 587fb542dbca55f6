//! Sign-in modes, one unit each behind [`SignIn`]: each says how to get a token and whether a
//! refresh token comes back. The cache, the lock, the refresh window and the fallbacks around
//! them are shared ([`super::flow`]).

use super::authority::{Authority, BoxFuture};
use super::settings::{LoginMode, Settings};
use super::wire::TokenResponse;
use crate::net::Clock;
use crate::sink::Sink;

/// What a mode gets to work with.
pub struct SignInContext<'a> {
    pub settings: &'a Settings,
    pub authority: &'a dyn Authority,
    pub clock: &'a dyn Clock,
    pub sink: &'a dyn Sink,
}

pub trait SignIn: Send + Sync {
    /// Whether the answer carries a refresh token worth keeping and trying before the next
    /// sign-in (a user's sign-in: yes; a service principal or managed identity: no).
    fn returns_refresh_token(&self) -> bool;

    /// Gets a new token (prompting the user if the mode needs one).
    fn sign_in<'a>(
        &'a self,
        cx: &'a SignInContext<'a>,
    ) -> BoxFuture<'a, anyhow::Result<TokenResponse>>;
}

/// The mode the settings name.
pub fn for_mode(mode: LoginMode) -> anyhow::Result<Box<dyn SignIn>> {
    Ok(match mode {
        LoginMode::DeviceCode => Box::new(super::device_code::DeviceCode),
        LoginMode::Interactive => Box::new(super::interactive::Interactive),
        LoginMode::AzureCli => Box::new(super::azure_cli::AzureCli),
        LoginMode::Spn => Box::new(super::spn::ServicePrincipal),
        LoginMode::WorkloadIdentity => Box::new(super::workload_identity::WorkloadIdentity),
        LoginMode::Msi => Box::new(super::managed_identity::ManagedIdentity),
        LoginMode::AzurePipelines => Box::new(super::azure_pipelines::AzurePipelines),
    })
}
