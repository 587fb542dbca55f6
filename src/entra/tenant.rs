//! What a tenant may be, checked before any request: the tenant becomes a path segment of the
//! authority URL, so `.`/`..`, slashes or percent signs would walk out of the authority's path.

/// The longest DNS name.
const MAX_DOMAIN: usize = 253;

/// A tenant GUID, a domain name (`contoso.onmicrosoft.com`), or `organizations`, `common`,
/// `consumers`. Returns the trimmed tenant.
pub fn validate_tenant(text: &str) -> anyhow::Result<String> {
    let tenant = text.trim();
    let well_known = ["organizations", "common", "consumers"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(tenant));
    if well_known || uuid::Uuid::try_parse(tenant).is_ok() || is_domain(tenant) {
        return Ok(tenant.to_string());
    }
    let shown: String = crate::sink::printable(tenant).chars().take(80).collect();
    let more = if tenant.chars().count() > 80 {
        "..."
    } else {
        ""
    };
    anyhow::bail!(
        "--tenant-id {shown:?}{more} is not a tenant: use the tenant's GUID, one of its domain names (e.g. contoso.onmicrosoft.com), or organizations, common or consumers"
    )
}

/// Labels of letters, digits and hyphens (not at either end), 1-63 characters each, joined by
/// dots, 253 characters at most.
fn is_domain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_DOMAIN
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_guids_domains_and_well_known_names() {
        for ok in [
            "organizations",
            "Common",
            "consumers",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "contoso.onmicrosoft.com",
            "contoso",
            " fabrikam.com ",
            "a-b.c1",
        ] {
            assert!(validate_tenant(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn refuses_paths_escapes_and_huge_values() {
        let huge = "a".repeat(100 * 1024);
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "../x",
            "a%2fb",
            "a..b",
            ".a",
            "a.",
            "-a",
            "a b",
            "a\u{1b}[2J",
            "t?x",
            "t#x",
            "t\\x",
            huge.as_str(),
        ] {
            let err = validate_tenant(bad).unwrap_err().to_string();
            assert!(err.contains("is not a tenant"), "{bad:?}: {err}");
            assert!(err.len() < 400, "the message stays short: {}", err.len());
            assert!(!err.contains('\u{1b}'));
        }
    }
}
