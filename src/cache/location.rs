//! Where the file store and the lock files live.

use std::path::PathBuf;

/// `$KUBECACHEDIR/kubectl-entra`, else `~/.kube/cache/kubectl-entra` (kubectl's own cache root).
pub fn default_dir() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("KUBECACHEDIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("kubectl-entra"));
    }
    let home = dirs::home_dir().ok_or_else(|| {
        anyhow::anyhow!(
            "cannot find the home directory for the token cache; set HOME, KUBECACHEDIR or --token-cache-dir"
        )
    })?;
    Ok(home.join(".kube").join("cache").join("kubectl-entra"))
}
