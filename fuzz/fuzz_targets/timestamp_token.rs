//! RFC 3161 timestamp tokens: CMS SignedData + TSTInfo parsing and the imprint check.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::timestamp_token(data);
    });
});
