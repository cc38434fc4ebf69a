//! PEM certificates (trust store reader), the PEM scanner, and private keys (PKCS#8, SEC1, PKCS#1).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::pem_keys(data);
    });
});
