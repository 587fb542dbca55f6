//! KUBERNETES_EXEC_INFO as kubectl (or anyone who sets the variable) hands it over.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        kubectl_entra::fuzzing::exec_info(text);
    }
});
