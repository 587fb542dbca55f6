//! `kubectl entra sandbox approve`: submits the device-login page's form over loopback HTTP, the
//! same request a browser sends, so scripts exercise the page itself.
//!
//! Which sandbox, when several run: `--url`, else `--port-file` (or `$KUBECTL_ENTRA_SANDBOX`),
//! else `--state-dir`, else the one the calling kubeconfig signs in against (the current
//! context's `--authority-host`, which is the emulator's URL), else the last one started. The
//! answer names the sandbox and why it was chosen.

use super::idp::devicelogin::{FIELD_ACTION, FIELD_CODE, FIELD_USER, result_message};
use super::info::{SandboxInfo, last_sandbox_pointer};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// Where `approve` looks for the sandbox, in this order.
#[derive(Debug, Clone, Default)]
pub struct Lookup<'a> {
    pub url: Option<&'a str>,
    pub port_file: Option<&'a Path>,
    pub state_dir: Option<&'a Path>,
    /// `$KUBECONFIG` as the caller has it (None: ~/.kube/config).
    pub kubeconfig_env: Option<std::ffi::OsString>,
    pub home: Option<PathBuf>,
}

/// The sandbox chosen: its emulator URL and how it was found (for the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub base_url: String,
    pub chosen_by: String,
}

/// The emulator's base URL from `--url`, a port file, or the last sandbox started.
pub fn find_sandbox(url: Option<&str>, port_file: Option<&Path>) -> anyhow::Result<String> {
    let lookup = Lookup {
        url,
        port_file,
        ..Default::default()
    };
    Ok(locate(&lookup)?.base_url)
}

/// Finds the sandbox in the order of the module doc.
pub fn locate(lookup: &Lookup<'_>) -> anyhow::Result<Found> {
    if let Some(u) = lookup.url {
        return Ok(Found {
            base_url: u.trim_end_matches('/').to_string(),
            chosen_by: "--url".into(),
        });
    }
    if let Some(p) = lookup.port_file {
        return Ok(Found {
            base_url: SandboxInfo::read(p)?.authority_host,
            chosen_by: format!("port file {}", p.display()),
        });
    }
    if let Some(dir) = lookup.state_dir {
        let own = dir.join("sandbox.json");
        return Ok(Found {
            base_url: SandboxInfo::read(&own)?.authority_host,
            chosen_by: format!("state directory {}", dir.display()),
        });
    }
    if let Some((base_url, path)) = from_kubeconfig(lookup) {
        return Ok(Found {
            base_url,
            chosen_by: format!("the current context of kubeconfig {}", path.display()),
        });
    }
    let pointer = last_sandbox_pointer();
    let text = std::fs::read_to_string(&pointer).with_context(|| {
        format!(
            "no sandbox found ({} is missing); start `kubectl entra sandbox`, or pass --port-file, --state-dir or --url",
            pointer.display()
        )
    })?;
    let path = PathBuf::from(text.trim());
    Ok(Found {
        base_url: SandboxInfo::read(&path)?.authority_host,
        chosen_by: format!("the last sandbox started (port file {})", path.display()),
    })
}

/// The loopback `--authority-host` of the calling kubeconfig's current context, when its user
/// runs kubectl-entra: the sandbox that context signs in against.
fn from_kubeconfig(lookup: &Lookup<'_>) -> Option<(String, PathBuf)> {
    let path = match lookup.kubeconfig_env.as_ref().filter(|v| !v.is_empty()) {
        Some(list) => std::env::split_paths(list).next()?,
        None => lookup.home.as_ref()?.join(".kube").join("config"),
    };
    let text = std::fs::read_to_string(&path).ok()?;
    let host = authority_host_of_current_context(&text)?;
    let url = url::Url::parse(&host).ok()?;
    let loopback = match url.host()? {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
    };
    loopback.then(|| (host.trim_end_matches('/').to_string(), path))
}

fn authority_host_of_current_context(kubeconfig: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Config {
        #[serde(rename = "current-context")]
        current_context: Option<String>,
        #[serde(default)]
        contexts: Vec<Named<Context>>,
        #[serde(default)]
        users: Vec<Named<User>>,
    }
    #[derive(serde::Deserialize)]
    struct Named<T> {
        name: String,
        #[serde(alias = "user")]
        context: Option<T>,
    }
    #[derive(serde::Deserialize)]
    struct Context {
        user: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct User {
        exec: Option<Exec>,
    }
    #[derive(serde::Deserialize)]
    struct Exec {
        // `null` as written by the sandbox's own kubeconfigs, so not `#[serde(default)]`.
        args: Option<Vec<String>>,
        env: Option<Vec<EnvVar>>,
    }
    #[derive(serde::Deserialize)]
    struct EnvVar {
        name: String,
        value: Option<String>,
    }
    let config: Config = serde_saphyr::from_str(kubeconfig).ok()?;
    let current = config.current_context?;
    let user = config
        .contexts
        .iter()
        .find(|c| c.name == current)?
        .context
        .as_ref()?
        .user
        .clone()?;
    let exec = config
        .users
        .iter()
        .find(|u| u.name == user)?
        .context
        .as_ref()?
        .exec
        .as_ref()?;
    let mut args = exec.args.iter().flatten();
    while let Some(arg) = args.next() {
        if arg == "--authority-host" {
            return args.next().cloned();
        }
        if let Some(value) = arg.strip_prefix("--authority-host=") {
            return Some(value.to_string());
        }
    }
    exec.env
        .iter()
        .flatten()
        .find(|e| e.name == "AZURE_AUTHORITY_HOST")
        .and_then(|e| e.value.clone())
}

/// Posts the form; `Ok` carries the result page's message, `Err` the failure's.
pub async fn submit(
    base_url: &str,
    user_code: &str,
    upn: &str,
    decline: bool,
) -> anyhow::Result<String> {
    let url = format!("{base_url}/devicelogin");
    let parsed =
        url::Url::parse(&url).with_context(|| format!("invalid sandbox URL {base_url}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if !loopback {
        anyhow::bail!("{base_url} is not a loopback address; the sandbox only runs on 127.0.0.1");
    }
    // A `--tls` sandbox serves a certificate of its own CA. The host is loopback (checked above)
    // and the form carries no credential, so its certificate is not checked.
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .no_proxy()
        .danger_accept_invalid_certs(parsed.scheme() == "https")
        .build()?;
    let action = if decline { "decline" } else { "approve" };
    let response = client
        .post(&url)
        .form(&[
            (FIELD_CODE, user_code),
            (FIELD_USER, upn),
            (FIELD_ACTION, action),
        ])
        .send()
        .await
        .with_context(|| format!("cannot reach the sandbox at {base_url}; is it running?"))?;
    let status = response.status();
    let html = response.text().await.unwrap_or_default();
    let message = result_message(&html)
        .unwrap_or_else(|| format!("the sandbox answered {status} without a result message"));
    if status.is_success() {
        Ok(message)
    } else {
        anyhow::bail!("{message}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: sandbox
clusters: [{name: sandbox, cluster: {server: "https://127.0.0.1:6443"}}]
contexts:
- {name: sandbox, context: {cluster: sandbox, user: entra}}
- {name: other, context: {cluster: sandbox, user: remote}}
users:
- name: entra
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-entra
      args: [get-token, --tenant-id, t, --authority-host, "http://127.0.0.1:4321/"]
      env: null
- name: remote
  user:
    exec:
      command: kubectl-entra
      args: [get-token, "--authority-host=https://login.example.com/"]
"#;

    #[test]
    fn the_calling_kubeconfig_names_its_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, KUBECONFIG).unwrap();
        let lookup = Lookup {
            kubeconfig_env: Some(path.clone().into_os_string()),
            ..Default::default()
        };
        let found = locate(&lookup).unwrap();
        assert_eq!(found.base_url, "http://127.0.0.1:4321");
        assert!(found.chosen_by.contains("current context"), "{found:?}");
        // Not loopback: not a sandbox, so not chosen.
        std::fs::write(
            &path,
            KUBECONFIG.replace("current-context: sandbox", "current-context: other"),
        )
        .unwrap();
        assert_eq!(from_kubeconfig(&lookup), None);
    }

    #[test]
    fn flags_come_before_the_kubeconfig() {
        let lookup = Lookup {
            url: Some("http://127.0.0.1:1/"),
            kubeconfig_env: Some("/nonexistent".into()),
            ..Default::default()
        };
        assert_eq!(locate(&lookup).unwrap().base_url, "http://127.0.0.1:1");
        let lookup = Lookup {
            state_dir: Some(Path::new("/nonexistent-state")),
            ..Default::default()
        };
        let err = locate(&lookup).unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent-state"), "{err:#}");
    }
}
