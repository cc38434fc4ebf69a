//! Trust policy documents (OCI and blob) and the DN parser.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::trust_policy(data);
    });
});
