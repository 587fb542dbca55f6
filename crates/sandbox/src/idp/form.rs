//! `application/x-www-form-urlencoded` bodies, parsed by hand into a map so a bad body becomes an
//! Entra error rather than axum's plain-text rejection.

use std::collections::HashMap;

/// First value wins for repeated fields; an unparsable body is an empty form.
pub fn parse(body: &[u8]) -> HashMap<String, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut map = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_insert(v);
    }
    map
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_and_keeps_the_first_value() {
        let f = super::parse(b"a=1&b=x+y%2Fz&a=2");
        assert_eq!(f["a"], "1");
        assert_eq!(f["b"], "x y/z");
        assert!(super::parse(b"%%%").is_empty() || super::parse(b"%%%").len() <= 1);
    }
}
