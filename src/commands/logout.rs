//! `kubectl entra logout [--all]`: forget cached tokens, in the keyring and in files.
//!
//! Without --all it removes the sign-in's refresh token (shared by every server id of that
//! authority, tenant and client) and every token it holds (the selected server id's, and those
//! of Microsoft Graph and other servers the account record names), so no silent refresh remains.
//! Each key is removed under its lock, so a refresh in flight finishes (within --timeout) before
//! the removal and cannot write its token back after logout said it was gone. Temp files left by
//! a killed run (they hold refresh tokens too) go as well. Which sign-in: the kubeconfig
//! context's get-token entry (`--context`, else the current context when it uses
//! kubectl-entra), under the flags given, as for login.

use crate::cache::CacheKey;
use crate::cli::{LogoutArgs, context_sign_in};
use crate::entra::Settings;
use crate::say;
use std::process::ExitCode;

pub fn run(args: LogoutArgs) -> anyhow::Result<ExitCode> {
    let sign_in = context_sign_in(&args.given, &args.auth, &args.kube)?;
    if let Some(info) = &sign_in.context {
        say!(
            "Signing out of what kubeconfig context {:?} signs in with (user {:?}).",
            info.context,
            info.user
        );
    }
    let settings = Settings::try_from(&sign_in.auth)?;
    let cache = settings.open_cache();
    let max_wait = settings.timeout;
    let mut notice = || {
        say!(
            "kubectl-entra: another kubectl-entra is signing in; waiting for it (up to {}s) before removing the tokens ...",
            max_wait.as_secs()
        )
    };
    if args.all {
        let count = cache.remove_all(max_wait, &mut notice)?;
        say!(
            "Removed {count} cached entr{} (files under {} and their keyring entries).",
            if count == 1 { "y" } else { "ies" },
            cache.dir().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    // Token keys first, then the account key: the order every lock holder uses. The account
    // record names the other server ids (Microsoft Graph, other clusters) this sign-in holds
    // tokens for; each of those holds a refresh token too.
    let mut keys = vec![settings.token_key()];
    let others = cache
        .read_account(&settings.account_key())
        .map(|record| record.token_keys)
        .unwrap_or_default();
    for key in others.iter().filter_map(|name| CacheKey::from_name(name)) {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let servers = keys.len();
    keys.push(settings.account_key());
    if cache.remove(&keys, max_wait, &mut notice)? > 0 {
        say!(
            "Signed out: removed the cached tokens of tenant {}, client {}, server {}{}.",
            settings.tenant,
            settings.client_id,
            settings.resource,
            match servers - 1 {
                0 => String::new(),
                1 => " and of 1 other server (such as Microsoft Graph) signed in with it".into(),
                n =>
                    format!(" and of {n} other servers (such as Microsoft Graph) signed in with it"),
            }
        );
    } else {
        say!(
            "Nothing to remove: no cached tokens for tenant {}, client {}, server {}.",
            settings.tenant,
            settings.client_id,
            settings.resource
        );
    }
    Ok(ExitCode::SUCCESS)
}
