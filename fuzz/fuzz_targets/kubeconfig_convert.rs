//! Kubeconfig text given to `convert-kubeconfig`; the first byte picks the flags.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let tenant = (flags & 1 != 0).then_some("00000000-0000-0000-0000-000000000001");
    let context = (flags & 2 != 0).then_some("aks");
    kubectl_entra::fuzzing::kubeconfig_convert(text, tenant, context);
});
