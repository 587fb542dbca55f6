//! Graph-style paging: `$top` (default 100, at most 999) and an opaque `$skiptoken`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 999;

/// Page size from `$top`; None when `$top` is not a number in 1..=999.
pub fn page_size(top: Option<&str>) -> Option<usize> {
    match top {
        None => Some(DEFAULT_PAGE),
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n)),
    }
}

/// An opaque token for "continue at offset".
pub fn encode_skiptoken(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("sandbox-skip:{offset}"))
}

pub fn decode_skiptoken(token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("sandbox-skip:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptoken_round_trip_and_top_limits() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(200)), Some(200));
        assert_eq!(decode_skiptoken("garbage!"), None);
        assert_eq!(page_size(None), Some(100));
        assert_eq!(page_size(Some("999")), Some(999));
        assert_eq!(page_size(Some("1000")), None);
        assert_eq!(page_size(Some("0")), None);
    }
}
