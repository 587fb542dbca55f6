//! OData query building: string literals and the `$filter` value in a URL.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters and the OData quote is encoded, so a space
/// becomes `%20` (never `+`) and `&`, `#`, `=` inside a value cannot end the parameter.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'\'');

/// An OData string literal body: a single quote is written twice.
pub fn escape_string_literal(value: &str) -> String {
    value.replace('\'', "''")
}

/// `displayName eq '<value>'` with the value escaped.
pub fn display_name_filter(name: &str) -> String {
    format!("displayName eq '{}'", escape_string_literal(name))
}

/// `startswith(displayName,'<prefix>')` with the prefix escaped (Graph compares it
/// case-insensitively, without `ConsistencyLevel: eventual`).
pub fn display_name_prefix_filter(prefix: &str) -> String {
    format!(
        "startswith(displayName,'{}')",
        escape_string_literal(prefix)
    )
}

/// Percent-encodes a query parameter value.
pub fn encode_query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_value_encoded() {
        assert_eq!(
            display_name_filter("o'brien-team"),
            "displayName eq 'o''brien-team'"
        );
        assert_eq!(
            encode_query_value(&display_name_filter("o'brien-team")),
            "displayName%20eq%20'o''brien-team'"
        );
        assert_eq!(
            encode_query_value(&display_name_filter("a&b=c #1+2")),
            "displayName%20eq%20'a%26b%3Dc%20%231%2B2'"
        );
        assert_eq!(encode_query_value("é"), "%C3%A9");
    }

    #[test]
    fn prefix_filters_escape_quotes_too() {
        assert_eq!(
            display_name_prefix_filter("o'b"),
            "startswith(displayName,'o''b')"
        );
        assert_eq!(
            encode_query_value(&display_name_prefix_filter("a b&")),
            "startswith%28displayName%2C'a%20b%26'%29"
        );
    }
}
