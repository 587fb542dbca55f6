//! The emulator's shared state: configuration, signing key, counters, faults and the grants it
//! has issued.
//!
//! Device codes and refresh tokens live in memory only: a restarted sandbox forgets them, so
//! clients holding an old refresh token get `invalid_grant` and sign in again with a device code
//! (the same path a real revoked or expired refresh token takes).

use super::faults::Faults;
use super::keys::SigningKeys;
use super::stats::Stats;
use super::tenant::{Tenant, User};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Knobs of the identity provider (the CLI's sandbox options).
#[derive(Debug, Clone)]
pub struct IdpConfig {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    /// `interval` of device-code responses, in seconds.
    pub poll_interval: u64,
    /// `expires_in` of device codes, in seconds.
    pub device_code_lifetime: u64,
    /// Fixed access-token lifetime; `None` is Entra's random 60-90 minutes.
    pub token_lifetime: Option<Duration>,
    /// Approve every new device code as this user.
    pub auto_approve: Option<String>,
    /// Where the Azure Arc-shaped endpoint writes the key files its challenges name (None: it
    /// answers 404).
    pub arc_key_dir: Option<std::path::PathBuf>,
}

/// The OIDC scopes that change what the token response carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OidcScopes {
    pub openid: bool,
    pub offline_access: bool,
    pub profile: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus {
    Pending,
    Approved { user_oid: String },
    Declined,
    Redeemed,
}

#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub user_code: String,
    pub client_id: String,
    /// The resource as the client named it in the scope (`6dae...` or `https://graph...`).
    pub resource: String,
    pub oidc: OidcScopes,
    pub expires_at: Instant,
    pub status: DeviceStatus,
    /// `client-request-id` of the devicecode request: Entra repeats it in every poll error.
    pub correlation_id: String,
}

#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_oid: String,
    pub resource: String,
    pub oidc: OidcScopes,
    pub revoked: bool,
}

/// Grants by their secret values; the secrets never leave this map except in token responses.
#[derive(Default)]
pub struct Grants {
    pub device: HashMap<String, DeviceGrant>,
    /// user code (upper case) -> device code
    pub user_codes: HashMap<String, String>,
    pub refresh: HashMap<String, RefreshGrant>,
    /// Authorization codes from the authorize endpoint, by value.
    pub auth_codes: HashMap<String, crate::idp::authorize::CodeGrant>,
    /// Users whose refresh tokens were revoked by `/_sandbox/revoke` (refreshes after a new
    /// sign-in work again).
    pub revoked_users: HashSet<String>,
}

impl std::fmt::Debug for Grants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grants")
            .field("device", &self.device.len())
            .field("refresh", &self.refresh.len())
            .finish()
    }
}

#[derive(Debug)]
pub struct IdpState {
    pub tenant: Arc<Tenant>,
    pub keys: Arc<SigningKeys>,
    pub stats: Arc<Stats>,
    pub faults: Arc<Faults>,
    pub config: IdpConfig,
    grants: Mutex<Grants>,
}

pub type Shared = Arc<IdpState>;

/// Why an approval did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApproveError {
    UnknownCode,
    Expired,
    AlreadyUsed,
    UnknownUser,
    WrongPassword,
}

impl std::fmt::Display for ApproveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ApproveError::UnknownCode => {
                "That code was not recognised. Check the code and try again, or start a new sign-in."
            }
            ApproveError::Expired => "That code has expired. Start a new sign-in to get a new code.",
            ApproveError::AlreadyUsed => "That code has already been used. Start a new sign-in.",
            ApproveError::UnknownUser => "There is no such user in the sandbox tenant.",
            ApproveError::WrongPassword => "Your password is incorrect.",
        })
    }
}

/// What an approval did, for the result page.
#[derive(Debug, Clone)]
pub struct Approval {
    pub upn: String,
    pub client_id: String,
    pub declined: bool,
}

impl IdpState {
    pub fn new(
        tenant: Arc<Tenant>,
        keys: Arc<SigningKeys>,
        stats: Arc<Stats>,
        faults: Arc<Faults>,
        config: IdpConfig,
    ) -> IdpState {
        IdpState {
            tenant,
            keys,
            stats,
            faults,
            config,
            grants: Mutex::new(Grants::default()),
        }
    }

    pub fn grants(&self) -> MutexGuard<'_, Grants> {
        self.grants.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `https://sts.windows.net/{tid}/`, the issuer of v1 access tokens (what AKS checks).
    pub fn v1_issuer(&self) -> String {
        format!("https://sts.windows.net/{}/", self.tenant.id)
    }

    /// `{base}/{tid}/v2.0`, the issuer of id tokens and of the v2 discovery document.
    pub fn v2_issuer(&self) -> String {
        format!("{}/{}/v2.0", self.config.base_url, self.tenant.id)
    }

    pub fn verification_uri(&self) -> String {
        format!("{}/devicelogin", self.config.base_url)
    }

    /// Approves or declines a pending user code as `upn` (the device-login page, the JSON
    /// shortcut and `--auto-approve` all come through here).
    pub fn approve(
        &self,
        user_code: &str,
        upn: &str,
        password: Option<&str>,
        decline: bool,
    ) -> Result<Approval, ApproveError> {
        let user = self.tenant.user_by_upn(upn.trim());
        let mut grants = self.grants();
        let code = normalize_user_code(user_code);
        let device_code = grants
            .user_codes
            .get(&code)
            .cloned()
            .ok_or(ApproveError::UnknownCode)?;
        let grant = grants
            .device
            .get_mut(&device_code)
            .ok_or(ApproveError::UnknownCode)?;
        if Instant::now() >= grant.expires_at {
            return Err(ApproveError::Expired);
        }
        if grant.status != DeviceStatus::Pending {
            return Err(ApproveError::AlreadyUsed);
        }
        let user = user.ok_or(ApproveError::UnknownUser)?;
        if let Some(pw) = password.filter(|p| !p.is_empty())
            && pw != user.password
        {
            return Err(ApproveError::WrongPassword);
        }
        grant.status = if decline {
            DeviceStatus::Declined
        } else {
            DeviceStatus::Approved {
                user_oid: user.object_id.clone(),
            }
        };
        Ok(Approval {
            upn: user.upn.clone(),
            client_id: grant.client_id.clone(),
            declined: decline,
        })
    }

    pub fn user(&self, oid: &str) -> Option<&User> {
        self.tenant.user_by_id(oid)
    }

    /// Makes every refresh token of `upn` fail with AADSTS50173. Returns how many were revoked.
    pub fn revoke(&self, upn: &str) -> Option<usize> {
        let oid = self.tenant.user_by_upn(upn)?.object_id.clone();
        let mut grants = self.grants();
        let mut n = 0;
        for rt in grants.refresh.values_mut() {
            if rt.user_oid == oid && !rt.revoked {
                rt.revoked = true;
                n += 1;
            }
        }
        grants.revoked_users.insert(oid);
        Some(n)
    }
}

/// User codes are compared case-insensitively and without spaces or dashes.
pub fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
