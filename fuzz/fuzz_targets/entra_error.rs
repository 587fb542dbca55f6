//! An OAuth error body; the first two bytes are the HTTP status.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]), rest),
        _ => (400, data),
    };
    kubectl_entra::fuzzing::entra_error(status, body);
});
