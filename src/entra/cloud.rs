//! Azure clouds and their authority hosts, and the rule that authorities are https.

use url::{Host, Url};

/// The national clouds kubectl-entra knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Public,
    China,
    UsGovernment,
}

/// Canonical names first, then Azure kubelogin's aliases.
const NAMES: &[(&str, Cloud)] = &[
    ("AzurePublicCloud", Cloud::Public),
    ("AzureChinaCloud", Cloud::China),
    ("AzureUSGovernment", Cloud::UsGovernment),
    ("AzureCloud", Cloud::Public),
    ("AzurePublic", Cloud::Public),
    ("AzureUSGovernmentCloud", Cloud::UsGovernment),
];

impl Cloud {
    /// Case-insensitive; an unknown name is an error listing the valid ones, never a fallback.
    pub fn from_name(name: &str) -> anyhow::Result<Cloud> {
        let name = name.trim();
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| *c)
            .ok_or_else(|| {
                let valid: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                anyhow::anyhow!(
                    "unknown --environment {name:?}; valid names (case-insensitive): {}",
                    valid.join(", ")
                )
            })
    }

    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com/",
            Cloud::China => "https://login.chinacloudapi.cn/",
            Cloud::UsGovernment => "https://login.microsoftonline.us/",
        }
    }
}

/// Parses an authority host URL: https, or http for loopback hosts only (127.0.0.0/8, ::1,
/// localhost), so a token can never be sent in clear text over a network. The result always
/// ends with `/` so tenant paths join under it.
pub fn parse_authority(text: &str) -> anyhow::Result<Url> {
    let mut url = Url::parse(text.trim()).map_err(|e| {
        anyhow::anyhow!("--authority-host {text:?} is not a URL ({e}); expected e.g. https://login.microsoftonline.com/")
    })?;
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => anyhow::bail!("--authority-host {text:?} has no host"),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => anyhow::bail!(
            "--authority-host {text:?} uses http; only https is allowed, except for loopback hosts (127.0.0.1, ::1, localhost)"
        ),
        other => anyhow::bail!("--authority-host {text:?} has scheme {other:?}; use https"),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        anyhow::bail!("--authority-host {text:?} must not carry a query, fragment or user name");
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_names_and_aliases_case_insensitive() {
        assert_eq!(Cloud::from_name("azurepubliccloud").unwrap(), Cloud::Public);
        assert_eq!(Cloud::from_name("AZURECHINACLOUD").unwrap(), Cloud::China);
        assert_eq!(
            Cloud::from_name("AzureUSGovernment").unwrap(),
            Cloud::UsGovernment
        );
        assert_eq!(Cloud::from_name("AzureCloud").unwrap(), Cloud::Public);
        assert_eq!(Cloud::from_name("azurepublic").unwrap(), Cloud::Public);
        assert_eq!(
            Cloud::from_name("AzureUSGovernmentCloud").unwrap(),
            Cloud::UsGovernment
        );
        let err = Cloud::from_name("AzureGermanCloud")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("AzureGermanCloud") && err.contains("AzureChinaCloud"),
            "{err}"
        );
    }

    #[test]
    fn authority_rules() {
        assert_eq!(
            parse_authority("https://login.microsoftonline.com")
                .unwrap()
                .as_str(),
            "https://login.microsoftonline.com/"
        );
        assert_eq!(
            parse_authority("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert!(parse_authority("http://127.8.9.10/").is_ok());
        assert!(parse_authority("http://[::1]:1/").is_ok());
        assert!(parse_authority("http://LOCALHOST:9/x").is_ok());
        assert!(parse_authority("http://localhost/").is_ok());
        assert!(parse_authority("https://login.microsoftonline.us").is_ok());
        for bad in [
            "http://login.microsoftonline.com/",
            "http://10.0.0.1/",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.com/",
            "http://127.0.0.1.nip.io/",
            "http://[::ffff:10.0.0.1]/",
            "https://user@login.microsoftonline.com/",
            "ftp://127.0.0.1/",
            "not a url",
            "https://h/?q=1",
        ] {
            assert!(parse_authority(bad).is_err(), "{bad} must be rejected");
        }
        assert_eq!(
            parse_authority("https://h/base")
                .unwrap()
                .join("t/oauth2")
                .unwrap()
                .as_str(),
            "https://h/base/t/oauth2"
        );
    }
}
