// Test cases shared by tests/wasm_node.rs (runs in Node) and tests/wasm_browser.rs (runs in
// headless Chromium), both through wasm-bindgen-test-runner. Included with `include!`, so keep
// this file free of inner attributes. Add cases here; both environments pick them up.

use nv2::crypto::{PrivateKey, SignatureAlgorithm};
use nv2::time::Instant;
use wasm_bindgen_test::wasm_bindgen_test;

fn p256_key() -> PrivateKey {
    PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("valid scalar"))
}

/// ECDSA P-256 sign/verify round trip; signing draws randomness through getrandom's wasm_js
/// backend (crypto.getRandomValues), which is what differs between Node and browsers.
#[wasm_bindgen_test]
fn ecdsa_p256_sign_verify_round_trip() {
    let key = p256_key();
    let msg = b"nv2 wasm round trip";
    let sig = key
        .sign_notary(SignatureAlgorithm::Es256, msg)
        .expect("sign");
    assert_eq!(sig.len(), 64, "JWS ECDSA signatures are raw r||s");
    key.public_key()
        .verify_notary(SignatureAlgorithm::Es256, msg, &sig)
        .expect("verify");
}

#[wasm_bindgen_test]
fn ecdsa_p256_rejects_tampered_message_and_signature() {
    let key = p256_key();
    let sig = key
        .sign_notary(SignatureAlgorithm::Es256, b"original")
        .expect("sign");
    let pk = key.public_key();
    let err = pk
        .verify_notary(SignatureAlgorithm::Es256, b"tampered", &sig)
        .expect_err("tampered message must not verify");
    assert_eq!(err.code(), "ERR_SIGNATURE_INTEGRITY");
    let mut bad = sig.clone();
    bad[10] ^= 1;
    assert!(pk
        .verify_notary(SignatureAlgorithm::Es256, b"original", &bad)
        .is_err());
}

#[wasm_bindgen_test]
fn ecdsa_signatures_are_randomised() {
    let key = p256_key();
    let a = key.sign_notary(SignatureAlgorithm::Es256, b"m").expect("sign");
    let b = key.sign_notary(SignatureAlgorithm::Es256, b"m").expect("sign");
    assert_ne!(a, b, "the RNG must be live in this environment");
}

#[wasm_bindgen_test]
fn algorithm_must_match_key() {
    let key = p256_key();
    let err = key
        .sign_notary(SignatureAlgorithm::Es384, b"m")
        .expect_err("ES384 with a P-256 key");
    assert_eq!(err.code(), "ERR_UNSUPPORTED_ALGORITHM");
}

#[wasm_bindgen_test]
fn rfc3339_parse_and_format() {
    let t = Instant::parse_rfc3339("2024-02-29T23:59:59.5+08:00").expect("parse");
    assert_eq!(t.to_rfc3339(), "2024-02-29T15:59:59Z");
    assert_eq!(t.unix_millis(), 1_709_222_399_500);
    assert_eq!(Instant::from_unix_millis(t.unix_millis()), t);
    assert!(Instant::parse_rfc3339("2023-02-29T00:00:00Z").is_err());
    assert!(Instant::parse_rfc3339("2024-01-01 00:00:00Z").is_err());
}

#[wasm_bindgen_test]
fn version_export_matches_crate() {
    assert_eq!(nv2::wasm::version(), env!("CARGO_PKG_VERSION"));
}
