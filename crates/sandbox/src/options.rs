//! What `kubectl entra sandbox` (or a test) asks of a sandbox.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Keys, CA, kubeconfigs and cluster state; `None` makes a new temp dir that is kept.
    pub state_dir: Option<PathBuf>,
    /// Emulator port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// API server port on 127.0.0.1 (0: any free port).
    pub api_port: u16,
    /// Also write the port-file JSON here (it always goes to `<state-dir>/sandbox.json`).
    pub port_file: Option<PathBuf>,
    /// Approve every new device code at once as this user.
    pub auto_approve: Option<String>,
    /// Fixed access-token lifetime (default: random 60-90 minutes, like Entra).
    pub token_lifetime: Option<Duration>,
    /// `interval` of device-code responses, seconds (Entra: 5).
    pub poll_interval: u64,
    /// `expires_in` of device codes, seconds (Entra: 900).
    pub device_code_lifetime: u64,
    /// The credential plugin the user kubeconfig runs (default: this executable).
    pub plugin_command: Option<PathBuf>,
    /// Record this sandbox as the last one started, for `sandbox approve` without flags.
    pub remember: bool,
    /// Serve the Entra emulator (and its Graph subset) over HTTPS with a CA of its own, reported
    /// as `authority_ca_file` in the port file, instead of plain http on loopback.
    pub tls: bool,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            state_dir: None,
            port: 0,
            api_port: 0,
            port_file: None,
            auto_approve: None,
            token_lifetime: None,
            poll_interval: 5,
            device_code_lifetime: 900,
            plugin_command: None,
            remember: true,
            tls: false,
        }
    }
}

/// `90s`, `75m`, `2h`, `1h 30m` or plain seconds.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let t = text.trim();
    let secs: i64 = if let Ok(n) = t.parse::<i64>() {
        n
    } else {
        let d: jiff::SignedDuration = t.parse().map_err(|_| {
            anyhow::anyhow!(
                "invalid duration '{text}'; use a number with a unit, e.g. 90s, 75m or 2h"
            )
        })?;
        d.as_secs()
    };
    if secs <= 0 {
        anyhow::bail!("invalid duration '{text}'; it must be at least 1s");
    }
    Ok(Duration::from_secs(secs.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").ok(), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("75m").ok(), Some(Duration::from_secs(4500)));
        assert_eq!(parse_duration("2h").ok(), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("120").ok(), Some(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("0s").is_err());
    }
}
