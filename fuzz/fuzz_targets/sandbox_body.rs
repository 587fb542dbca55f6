//! A request body to the sandbox's API server; the first byte picks the media type
//! (JSON, YAML, Kubernetes protobuf, ...).
#![no_main]
use kubectl_entra_sandbox::fuzzing::{MEDIA, body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    body(rest, MEDIA[usize::from(*selector) % MEDIA.len()]);
});
