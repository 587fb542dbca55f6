//! Finding, parsing and safely rewriting a kubeconfig file.

use anyhow::Context as _;
use kube::config::Kubeconfig;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// kubectl's order: the flag, else the first path of $KUBECONFIG, else ~/.kube/config.
pub fn resolve_path(
    flag: Option<&Path>,
    kubeconfig_env: Option<&OsStr>,
) -> anyhow::Result<PathBuf> {
    if let Some(path) = flag {
        return Ok(path.to_owned());
    }
    if let Some(first) = kubeconfig_env
        .into_iter()
        .flat_map(std::env::split_paths)
        .find(|p| !p.as_os_str().is_empty())
    {
        return Ok(first);
    }
    let home = dirs::home_dir()
        .context("cannot find the home directory; pass --kubeconfig or set KUBECONFIG")?;
    Ok(home.join(".kube").join("config"))
}

/// The files kubectl merges: the flag alone, else every path of $KUBECONFIG (first wins, no
/// repeats), else ~/.kube/config.
pub fn resolve_paths(
    flag: Option<&Path>,
    kubeconfig_env: Option<&OsStr>,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if flag.is_none() {
        for p in kubeconfig_env
            .into_iter()
            .flat_map(std::env::split_paths)
            .filter(|p| !p.as_os_str().is_empty())
        {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
    }
    if paths.is_empty() {
        paths.push(resolve_path(flag, None)?);
    }
    Ok(paths)
}

/// Parses kubeconfig text into kube's `Kubeconfig`, which keeps the fields it does not model
/// (`other` maps at every level), so a rewrite leaves them in place. Anything but a kubeconfig
/// mapping (a list, nothing at all, broken YAML) is refused with the file's name.
pub fn parse_document(text: &str, path: &Path) -> anyhow::Result<Kubeconfig> {
    let not_a_kubeconfig = || {
        format!(
            "{} is not a kubeconfig (expected a YAML mapping with users, clusters and contexts); fix it (or restore a backup) and run again",
            path.display()
        )
    };
    if text.trim().is_empty() {
        anyhow::bail!(not_a_kubeconfig());
    }
    Kubeconfig::from_yaml(text).with_context(not_a_kubeconfig)
}

/// The kubeconfig as YAML (serde-saphyr, as kube reads it). Comments are not kept.
pub fn render(doc: &Kubeconfig) -> anyhow::Result<String> {
    crate::output::yaml(doc).context("cannot render the converted kubeconfig")
}

/// The original document with only the users at `indices` (positions in `users`) replaced by
/// `doc`'s, so nothing else changes: rendering the typed model alone would add its defaults
/// (`provideClusterInfo: false`...) to entries that were not converted.
pub fn render_users(original: &str, doc: &Kubeconfig, indices: &[usize]) -> anyhow::Result<String> {
    let mut value: serde_json::Value =
        serde_saphyr::from_str(original).context("cannot re-read the kubeconfig")?;
    let new = serde_json::to_value(doc).context("cannot render the converted kubeconfig")?;
    for &i in indices {
        let replacement = new
            .get("users")
            .and_then(|u| u.get(i))
            .and_then(|u| u.get("user"))
            .cloned()
            .context("the converted user is missing from the rendered kubeconfig")?;
        let slot = value
            .get_mut("users")
            .and_then(|u| u.get_mut(i))
            .and_then(|u| u.as_object_mut())
            .context("the converted user is missing from the original kubeconfig")?;
        slot.insert("user".into(), replacement);
    }
    crate::output::yaml(&value).context("cannot render the converted kubeconfig")
}

/// Copies the original next to itself, then replaces it atomically with `text` (mode 0600).
/// Returns the backup's path. Symlinks are followed so the link itself survives.
pub fn write_with_backup(path: &Path, text: &str) -> anyhow::Result<PathBuf> {
    let target = std::fs::canonicalize(path)
        .with_context(|| format!("cannot resolve {}", path.display()))?;
    let backup = free_backup_path(&target);
    let original =
        std::fs::read(&target).with_context(|| format!("cannot read {}", target.display()))?;
    write_private(&backup, &original, false)
        .with_context(|| format!("cannot write the backup {}", backup.display()))?;
    write_private(&target, text.as_bytes(), true)
        .with_context(|| format!("cannot write {}", target.display()))?;
    Ok(backup)
}

/// `<file>.kubectl-entra.bak`, or `.bak.1`, `.bak.2`, ... so an earlier backup is never lost.
fn free_backup_path(target: &Path) -> PathBuf {
    let mut base = target.as_os_str().to_owned();
    base.push(".kubectl-entra.bak");
    let first = PathBuf::from(&base);
    if !first.exists() {
        return first;
    }
    (1u32..)
        .map(|n| {
            let mut name = base.clone();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        })
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Writes through a temp file in the same directory and renames it into place.
fn write_private(path: &Path, bytes: &[u8], replace: bool) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".kubectl-entra-")
        .tempfile_in(dir)?;
    set_private(tmp.as_file())?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if replace {
        tmp.persist(path)?;
    } else {
        tmp.persist_noclobber(path)?;
    }
    Ok(())
}

#[cfg(unix)]
fn set_private(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_order() {
        let flag = Path::new("/x/flag");
        assert_eq!(resolve_path(Some(flag), None).unwrap(), flag);
        let joined = std::env::join_paths(["/a/one", "/b/two"]).unwrap();
        assert_eq!(
            resolve_path(None, Some(&joined)).unwrap(),
            PathBuf::from("/a/one")
        );
        let home = resolve_path(None, Some(OsStr::new(""))).unwrap();
        assert!(home.ends_with(".kube/config"));
    }

    #[test]
    fn every_path_of_kubeconfig_in_order_once() {
        let joined = std::env::join_paths(["/a/one", "", "/b/two", "/a/one"]).unwrap();
        assert_eq!(
            resolve_paths(None, Some(&joined)).unwrap(),
            [PathBuf::from("/a/one"), PathBuf::from("/b/two")]
        );
        let flag = Path::new("/x/flag");
        assert_eq!(resolve_paths(Some(flag), Some(&joined)).unwrap(), [flag]);
    }

    #[test]
    fn backups_never_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "a: 1\n").unwrap();
        let first = write_with_backup(&path, "a: 2\n").unwrap();
        let second = write_with_backup(&path, "a: 3\n").unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read_to_string(first).unwrap(), "a: 1\n");
        assert_eq!(std::fs::read_to_string(second).unwrap(), "a: 2\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 3\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn only_the_named_users_change() {
        let text = "users:\n- name: a\n  user: {exec: {command: x}}\n- name: b\n  user: {exec: {command: y}}\nx-top: 1\n";
        let mut doc = parse_document(text, Path::new("cfg")).unwrap();
        for u in doc.auth_infos.iter_mut() {
            u.auth_info.as_mut().unwrap().exec.as_mut().unwrap().command = Some("new".into());
        }
        let out: serde_json::Value =
            serde_saphyr::from_str(&render_users(text, &doc, &[1]).unwrap()).unwrap();
        assert_eq!(
            out["users"][0]["user"],
            serde_json::json!({"exec": {"command": "x"}})
        );
        assert_eq!(out["users"][1]["user"]["exec"]["command"], "new");
        assert_eq!(out["x-top"], 1);
    }

    #[test]
    fn malformed_documents_are_refused() {
        let p = Path::new("cfg");
        assert!(parse_document("users: [", p).is_err());
        assert!(parse_document("- a\n", p).is_err());
        assert!(parse_document("  \n", p).is_err());
        assert!(parse_document("apiVersion: v1\n", p).is_ok());
    }

    #[test]
    fn fields_kube_does_not_model_survive_a_round_trip() {
        let text = "apiVersion: v1\nkind: Config\nx-top: {kept: [1, 2]}\npreferences: {colors: true, x-pref: a}\nclusters:\n- name: c\n  x-named: b\n  cluster: {server: \"https://h\", x-cluster: c, extensions: [{name: e, extension: {k: v}}]}\ncontexts:\n- name: k\n  context: {cluster: c, user: u, x-context: d}\nusers:\n- name: u\n  user:\n    x-user: e\n    auth-provider: {name: oidc, x-provider: f, config: {client-id: i, expires-on: 1700000000}}\n";
        let doc = parse_document(text, Path::new("cfg")).unwrap();
        let again: serde_json::Value = serde_saphyr::from_str(&render(&doc).unwrap()).unwrap();
        let before: serde_json::Value = serde_saphyr::from_str(text).unwrap();
        assert_eq!(again["x-top"], before["x-top"]);
        assert_eq!(again["preferences"], before["preferences"]);
        assert_eq!(again["clusters"], before["clusters"]);
        assert_eq!(again["contexts"], before["contexts"]);
        assert_eq!(again["users"][0]["user"]["x-user"], "e");
        assert_eq!(
            again["users"][0]["user"]["auth-provider"]["x-provider"],
            "f"
        );
        assert_eq!(
            again["users"][0]["user"]["auth-provider"]["config"]["expires-on"],
            "1700000000"
        );
    }
}
