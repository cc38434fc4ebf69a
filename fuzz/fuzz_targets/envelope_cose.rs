//! COSE_Sign1 envelopes (RFC 9052, signature-envelope-cose.md) through parsing and the integrity check.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::envelope_cose(data);
    });
});
