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
    assert_eq!(t.to_rfc3339(), "2024-02-29T15:59:59.5Z");
    assert_eq!(t.truncate_to_seconds().to_rfc3339(), "2024-02-29T15:59:59Z");
    assert_eq!(t.unix_millis(), 1_709_222_399_500);
    assert_eq!(Instant::from_unix_millis(t.unix_millis()), t);
    assert!(Instant::parse_rfc3339("2023-02-29T00:00:00Z").is_err());
    assert!(Instant::parse_rfc3339("2024-01-01 00:00:00Z").is_err());
}

#[wasm_bindgen_test]
fn version_export_matches_crate() {
    assert_eq!(nv2::wasm::version(), env!("CARGO_PKG_VERSION"));
}

/// Signs a descriptor with a committed fixture key and verifies the envelope through the whole
/// sans-IO core (policy, trust store, chain rules) inside wasm.
fn sign_and_verify_fixture(key_pem: &str, cert_pem: &str, expect_alg: &str) {
    use nv2::oci::Descriptor;
    use nv2::policy::OciTrustPolicy;
    use nv2::sign::{sign_descriptor, LocalSigner, SignOptions};
    use nv2::truststore::TrustStore;
    use nv2::verify::{verify_envelope, VerifyRequest};
    use std::collections::BTreeMap;

    let target: Descriptor = serde_json::from_str(
        r#"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9","size":517}"#,
    )
    .expect("descriptor");
    let signer = LocalSigner::from_pem(key_pem, cert_pem).expect("signer");
    let now = Instant::parse_rfc3339("2030-01-02T03:04:05Z").expect("time");
    let signed = sign_descriptor(&target, &signer, &SignOptions::new(now)).expect("sign");
    let policy = OciTrustPolicy::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"wasm","registryScopes":["*"],
            "signatureVerification":{"level":"strict"},"trustStores":["ca:fixtures"],
            "trustedIdentities":["*"]}]}"#,
    )
    .expect("policy");
    let mut store = TrustStore::new();
    store
        .add_named_store("ca", "fixtures", &[("leaf.crt".into(), cert_pem.as_bytes().to_vec())])
        .expect("store");
    let reference = "registry.example/app@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";
    let metadata = BTreeMap::new();
    let mut req = VerifyRequest {
        envelope: &signed.envelope,
        media_type: signed.media_type,
        target: &target,
        artifact_reference: reference,
        policy: &policy,
        trust_store: &store,
        now,
        user_metadata: &metadata,
        revocation: None,
    };
    let outcome = verify_envelope(&req).expect("policy applies");
    assert!(outcome.verified, "{:?}", outcome.failure);
    assert_eq!(outcome.algorithm.map(|a| a.jws_name()), Some(expect_alg));

    // One flipped payload byte must fail integrity, whatever runtime runs the check.
    let mut tampered = signed.envelope.clone();
    let pos = tampered
        .windows(11)
        .position(|w| w == b"\"payload\":\"")
        .expect("payload member")
        + 12;
    tampered[pos] = if tampered[pos] == b'A' { b'B' } else { b'A' };
    req.envelope = &tampered;
    let outcome = verify_envelope(&req).expect("policy applies");
    assert!(!outcome.verified);
    assert_eq!(
        outcome.failure.map(|(stage, _)| stage.name()),
        Some("integrity")
    );
}

#[wasm_bindgen_test]
fn sign_and_verify_es256_in_wasm() {
    sign_and_verify_fixture(
        include_str!("../data/keys/p256.key"),
        include_str!("../data/keys/p256.crt"),
        "ES256",
    );
}

#[wasm_bindgen_test]
fn sign_and_verify_ps256_in_wasm() {
    sign_and_verify_fixture(
        include_str!("../data/keys/rsa2048.key"),
        include_str!("../data/keys/rsa2048.crt"),
        "PS256",
    );
}

#[wasm_bindgen_test]
fn sign_and_verify_es512_in_wasm() {
    sign_and_verify_fixture(
        include_str!("../data/keys/p521.key"),
        include_str!("../data/keys/p521.crt"),
        "ES512",
    );
}
