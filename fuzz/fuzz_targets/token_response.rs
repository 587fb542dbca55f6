//! A 2xx `/token` body from the authority (or whatever answers in its place).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kubectl_entra::fuzzing::token_response(data));
