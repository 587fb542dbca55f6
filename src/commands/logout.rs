//! `kubectl entra logout [--all]`: forget cached tokens, in the keyring and in files.
//!
//! Without --all it removes the token of the selected server id and the sign-in's refresh token
//! (shared by every server id of that authority, tenant and client), so no silent refresh remains.

use crate::cli::LogoutArgs;
use crate::entra::Settings;
use std::process::ExitCode;

pub fn run(args: LogoutArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(&args.auth)?;
    let cache = settings.open_cache();
    if args.all {
        let count = cache.remove_all()?;
        crate::say!(
            "Removed {count} cached entr{} (files under {} and their keyring entries).",
            if count == 1 { "y" } else { "ies" },
            cache.dir().display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let token = cache.remove(&settings.token_key())?;
    let account = cache.remove(&settings.account_key())?;
    if token || account {
        crate::say!(
            "Signed out: removed the cached tokens of tenant {}, client {}, server {}.",
            settings.tenant,
            settings.client_id,
            settings.resource
        );
    } else {
        crate::say!(
            "Nothing to remove: no cached tokens for tenant {}, client {}, server {}.",
            settings.tenant,
            settings.client_id,
            settings.resource
        );
    }
    Ok(ExitCode::SUCCESS)
}
