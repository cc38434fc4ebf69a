//! OCSP responses (RFC 6960 §4.2): parse, responder selection, signature checks, CertID matching.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::ocsp(data);
    });
});
