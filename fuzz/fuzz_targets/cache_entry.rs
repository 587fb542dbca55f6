//! Bytes read back from the cache directory or the keyring.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| kubectl_entra::fuzzing::cache_entry(data));
