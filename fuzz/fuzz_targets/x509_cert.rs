//! Certificates: the flat DER walk, differential against x509-cert (same decision, same fields).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        nv2_fuzz::diff_cert(data);
    });
});
