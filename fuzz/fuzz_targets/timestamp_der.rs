//! The timestamp module's TLV reader and BER → DER normaliser (src/timestamp/der.rs). Oracle
//! beyond panics: the normalised output is DER, so normalising it again changes nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nv2_fuzz::bounded(data.len(), || {
        if let Ok(der) = nv2::fuzz_api::timestamp_der(data) {
            let again = nv2::fuzz_api::timestamp_der(&der).expect("DER output re-reads");
            assert_eq!(again, der, "BER → DER is not idempotent");
        }
    });
});
