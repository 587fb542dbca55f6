//! Name validation with the API server's rules and messages (apimachinery `validation.go`).

use super::resources::NameRule;
use super::status::FieldError;

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// The problems with `name` under `rule`, as messages (empty when valid).
pub fn name_problems(rule: NameRule, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    match rule {
        NameRule::Dns1123Label => {
            if name.len() > 63 {
                out.push("must be no more than 63 characters".to_string());
            }
            if !is_label(name) {
                out.push(LABEL_MSG.to_string());
            }
        }
        NameRule::Dns1035Label => {
            if name.len() > 63 {
                out.push("must be no more than 63 characters".to_string());
            }
            if !is_label(name) || !name.as_bytes()[0].is_ascii_lowercase() {
                out.push(DNS1035_MSG.to_string());
            }
        }
        NameRule::Dns1123Subdomain => {
            if name.len() > 253 {
                out.push("must be no more than 253 characters".to_string());
            }
            if !name.split('.').all(is_label) {
                out.push(SUBDOMAIN_MSG.to_string());
            }
        }
        NameRule::PathSegment => {
            if name == "." || name == ".." {
                out.push(format!("may not be '{name}'"));
            }
            for bad in ["/", "%"] {
                if name.contains(bad) {
                    out.push(format!("may not contain '{bad}'"));
                }
            }
        }
    }
    out
}

/// `metadata.name` errors for an object about to be stored.
pub fn name_errors(rule: NameRule, name: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    name_problems(rule, name)
        .into_iter()
        .map(|m| FieldError::invalid("metadata.name", name, m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(name_problems(NameRule::Dns1123Label, "dev").is_empty());
        assert_eq!(
            name_problems(NameRule::Dns1123Label, "Bad_Name"),
            vec![LABEL_MSG]
        );
        assert!(name_problems(NameRule::Dns1123Label, "a.b").len() == 1);
        assert!(name_problems(NameRule::Dns1123Subdomain, "a.b-c").is_empty());
        assert!(!name_problems(NameRule::Dns1123Subdomain, "-a").is_empty());
        assert!(!name_problems(NameRule::Dns1035Label, "1abc").is_empty());
        assert!(name_problems(NameRule::PathSegment, "system:basic-user").is_empty());
        assert!(!name_problems(NameRule::PathSegment, "a/b").is_empty());
        assert!(!name_problems(NameRule::Dns1123Label, &"a".repeat(64)).is_empty());
        assert_eq!(
            name_errors(NameRule::Dns1123Label, "")[0].reason,
            "FieldValueRequired"
        );
    }
}
