//! JWS envelopes (signature-envelope-jws.md) through parsing and the integrity check.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::envelope_jws(data);
    });
});
