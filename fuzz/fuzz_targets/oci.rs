//! OCI descriptors, signature manifests, image indexes (Referrers API / tag schema), copy's manifest children, references and digests.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::oci(data);
    });
});
