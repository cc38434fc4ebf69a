//! CRLs (RFC 5280 §5): the flat DER walk, differential against x509-cert, and the Crl constructor.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        nv2_fuzz::diff_crl(data);
    });
});
