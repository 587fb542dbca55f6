//! Entry points for `fuzz/` (cargo-fuzz) and the property tests below: request bodies as the
//! API server stand-in decodes them (JSON, YAML, Kubernetes protobuf), asserting the
//! invariants, panicking on a violation. Not an API: hidden from the docs.

use crate::apiserver::{body, protobuf};
use serde_json::Value;

/// The media types the decoder knows, plus ones it must refuse; a fuzz input picks one.
pub const MEDIA: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
    "text/yaml",
    "",
    "text/plain",
];

/// One request body of one media type: decoding never panics, an answer is a JSON value that
/// serializes, a refusal is 400 (bad body) or 415 (unknown media), and JSON decodes exactly as
/// serde_json would.
pub fn body(bytes: &[u8], media: &str) {
    match body::decode(bytes, media) {
        Ok(v) => {
            serde_json::to_vec(&v).expect("a decoded body serializes");
            if media.ends_with("json") || media.is_empty() {
                let plain: Value = serde_json::from_slice(bytes).expect("serde_json agrees");
                assert_eq!(plain, v);
            }
            if media == "application/vnd.kubernetes.protobuf" {
                check_protobuf_object(&v);
            }
        }
        Err(e) => assert!(matches!(e.code, 400 | 415), "{} {}", e.code, e.message),
    }
    match body::decode_object(bytes, media) {
        Ok(v) => assert!(v.is_object()),
        Err(e) => assert!(matches!(e.code, 400 | 415), "{} {}", e.code, e.message),
    }
}

/// `application/vnd.kubernetes.protobuf` alone.
pub fn protobuf(bytes: &[u8]) {
    match protobuf::decode(bytes) {
        Ok(v) => check_protobuf_object(&v),
        Err(e) => assert!(matches!(e.code, 400 | 415), "{} {}", e.code, e.message),
    }
}

fn check_protobuf_object(v: &Value) {
    assert!(v.is_object(), "{v}");
    let kind = v["kind"].as_str().expect("a decoded object names its kind");
    assert!(!kind.is_empty());
    serde_json::to_vec(v).expect("a decoded object serializes");
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    /// A length-delimited protobuf field.
    fn len_field(num: u32, b: &[u8]) -> Vec<u8> {
        let mut out = vec![((num << 3) | 2) as u8];
        let mut len = b.len();
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(b);
        out
    }

    /// A `runtime.Unknown` envelope of `kind` around `raw`.
    fn envelope(kind: &str, raw: &[u8]) -> Vec<u8> {
        let tm = [len_field(1, b"v1"), len_field(2, kind.as_bytes())].concat();
        [b"k8s\x00".to_vec(), len_field(1, &tm), len_field(2, raw)].concat()
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_bytes_any_media(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
            media in proptest::sample::select(MEDIA),
        ) {
            body(&bytes, media);
        }

        #[test]
        fn protobuf_envelopes_with_garbage_inside(
            kind in prop_oneof![Just("Namespace"), Just("ConfigMap"), Just("Secret"),
                Just("RoleBinding"), Just("SelfSubjectAccessReview"), Just("Nope")],
            raw in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            protobuf(&envelope(kind, &raw));
        }

        #[test]
        fn protobuf_nested_fields(
            fields in proptest::collection::vec((1u32..16, proptest::collection::vec(any::<u8>(), 0..20)), 0..8)
        ) {
            let meta: Vec<u8> = fields.iter().flat_map(|(n, b)| len_field(*n, b)).collect();
            protobuf(&envelope("ConfigMap", &len_field(1, &meta)));
            protobuf(&envelope("Namespace", &meta));
        }

        #[test]
        fn yaml_and_json_text(text in "\\PC{0,120}", media in proptest::sample::select(MEDIA)) {
            body(text.as_bytes(), media);
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        // Past both parsers' recursion limits; kept small because libyaml's flow-level
        // handling is slow on deep nesting (see fuzz/README.md).
        let deep = "[".repeat(2_000);
        body(deep.as_bytes(), "application/json");
        body(deep.as_bytes(), "application/yaml");
    }

    #[test]
    fn alias_bombs() {
        let anchors = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
        body(anchors.as_bytes(), "application/yaml");
        let refused = body::decode(anchors.as_bytes(), "application/yaml").map_err(|e| e.code);
        assert_eq!(refused.err(), Some(400), "a 400-byte alias bomb expands");
    }
}
