//! Kubernetes names: DNS-1123 validation, and readable binding names built from display names.

use sha2::{Digest, Sha256};

/// Longest name we generate; DNS-1123 labels stop at 63, and short names read better in tables.
const MAX_GENERATED: usize = 63;

/// A DNS-1123 label (namespaces): lower-case alphanumerics and '-', alphanumeric at both ends,
/// at most 63 characters.
pub fn validate_label(what: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if !ok {
        anyhow::bail!(
            "invalid {what} {value:?}: it must be a DNS-1123 label (at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit), e.g. \"dev\""
        );
    }
    Ok(())
}

/// A DNS-1123 subdomain (Role, ClusterRole and binding names): labels joined by '.', at most
/// 253 characters.
pub fn validate_subdomain(what: &str, value: &str) -> anyhow::Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 253
        && value.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
    if !ok {
        anyhow::bail!(
            "invalid {what} {value:?}: it must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit), e.g. \"pod-reader\""
        );
    }
    Ok(())
}

/// Lower-cases, turns every run of other characters into one '-', and trims '-' at the ends.
pub fn sanitize_dns1123(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// `entra-<subject>-<role>`, sanitised; when too long, cut and ended with a hash of the full
/// name so that two long names stay distinct.
pub fn binding_name(subject_display: &str, role: &str) -> String {
    let subject = match sanitize_dns1123(subject_display) {
        s if s.is_empty() => "subject".to_string(),
        s => s,
    };
    let full = format!("entra-{subject}-{}", sanitize_dns1123(role));
    if full.len() <= MAX_GENERATED {
        return full;
    }
    let hash = Sha256::digest(full.as_bytes());
    let suffix: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let keep = MAX_GENERATED - suffix.len() - 1;
    format!("{}-{suffix}", full[..keep].trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains() {
        assert!(validate_label("namespace", "dev").is_ok());
        assert!(validate_label("namespace", "team-01").is_ok());
        for bad in ["", "Dev", "-dev", "dev-", "dev_x", "a.b", &"a".repeat(64)] {
            assert!(validate_label("namespace", bad).is_err(), "{bad}");
        }
        assert!(validate_subdomain("role", "system.pod-reader").is_ok());
        assert!(validate_subdomain("role", "Pod_Reader").is_err());
        assert!(validate_subdomain("role", "a..b").is_err());
    }

    #[test]
    fn names_are_sanitised_and_truncated() {
        assert_eq!(sanitize_dns1123("o'brien-team"), "o-brien-team");
        assert_eq!(sanitize_dns1123("  App Dev__Team "), "app-dev-team");
        assert_eq!(
            binding_name("appdev", "full-access"),
            "entra-appdev-full-access"
        );
        assert_eq!(
            binding_name("aksdev@contoso.com", "edit"),
            "entra-aksdev-contoso-com-edit"
        );
        assert_eq!(binding_name("!!!", "view"), "entra-subject-view");
        let long = binding_name(&"very long group name ".repeat(6), "full-access");
        assert!(long.len() <= 63, "{long}");
        assert!(validate_label("name", &long).is_ok(), "{long}");
        let other = binding_name(&"very long group name ".repeat(7), "full-access");
        assert_ne!(long, other);
    }
}
