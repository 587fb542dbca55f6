//! Token text whose payload is read unverified; an input that is a JSON object is also
//! wrapped in a JWT and must decode back to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        kubectl_entra::fuzzing::jwt_payload(text);
    }
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_slice(data) {
        kubectl_entra::fuzzing::jwt_round_trip(&object);
    }
});
