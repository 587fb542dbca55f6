//! A 2xx `/devicecode` body from the authority.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kubectl_entra::fuzzing::device_code_response(data));
