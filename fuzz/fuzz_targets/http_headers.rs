//! WWW-Authenticate challenges (RFC 7235), Link rel=next (RFC 8288) and URLs.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        let _ = nv2::fuzz_api::http_headers(data);
    });
});
