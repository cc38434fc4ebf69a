//! The strict CBOR reader (RFC 8949 §4.2).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::cbor(data);
    });
});
