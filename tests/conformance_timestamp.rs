//! Conformance: the `timestamp-token` cases (tspclient-go tokens, good and malformed) through
//! `nv2::timestamp::verify_timestamp_token`, and the `timestamp-step` cases (notation-go's
//! authenticTimestamp step with a token injected into an envelope) through
//! `nv2::verify::authentic_timestamp` (trust-store-trust-policy.md §Signature Verification step
//! "Validate Authentic Timestamp").
//!
//! A case passes when the verdict matches and, where the case gives notation's error text, nv2's
//! message equals it (`go_error`) or contains it (`go_error_contains`). Cases nv2 knowingly
//! decides or words differently are listed with their reason in `tests/exceptions.json`.

mod support;

use std::path::Path;

use nv2::encoding::{base64_std_encode, base64url_encode};
use nv2::envelope::UnverifiedEnvelope;
use nv2::policy::OciTrustPolicy;
use nv2::revocation::{CertStatus, Purpose, RevocationChecker};
use nv2::time::Instant;
use nv2::timestamp::{verify_timestamp_token, SignedToken};
use nv2::truststore::TrustStore;
use nv2::verify::authentic_timestamp;
use nv2::x509::Certificate;
use serde_json::Value;

use support::vectors::{conformance_dir, exceptions, load_cases, read};

/// tspclient-go verifies tokens without revocation checking: every certificate is good.
struct AllGood;

impl RevocationChecker for AllGood {
    fn check(
        &self,
        _: &Certificate,
        _: &Certificate,
        _: Purpose,
        _: Option<Instant>,
    ) -> CertStatus {
        CertStatus::Good
    }
}

/// Every well-formed named store under `dir/x509/<type>/<name>` (as `conformance_verify.rs`).
fn trust_store(root: &Path) -> TrustStore {
    let mut store = TrustStore::new();
    for store_type in ["ca", "signingAuthority", "tsa"] {
        let Ok(entries) = std::fs::read_dir(root.join("x509").join(store_type)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Ok(files) = nv2::truststore::fs::load_named_store(root, store_type, &name) {
                let _ = store.add_named_store(store_type, &name, &files);
            }
        }
    }
    store
}

/// Result of one case: verdict and message (checked fields only).
fn run_token_case(dir: &Path, case: &Value) -> Result<(), String> {
    let token = read(&dir.join(case["token"].as_str().unwrap()));
    let message = case["message_utf8"].as_str().unwrap().as_bytes();
    let roots: Vec<Certificate> = case["tsa_roots"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| Certificate::parse_pem_or_der(&read(&dir.join(f.as_str().unwrap()))).unwrap())
        .collect();
    assert_eq!(case["verify_time"], "genTime");
    let range = verify_timestamp_token(&token, message, &roots, &AllGood).map_err(|e| {
        assert_eq!(e.code(), "ERR_TIMESTAMP");
        e.to_string()
    })?;
    let expect = &case["expect"];
    if let Some(gen) = expect["genTime"].as_str() {
        assert_eq!(range.gen_time, Instant::parse_rfc3339(gen).unwrap());
    }
    if let Some(acc) = expect["accuracy_seconds"].as_i64() {
        assert_eq!(range.upper, range.gen_time.add_seconds(acc));
        assert_eq!(range.lower, range.gen_time.add_seconds(-acc));
    }
    assert!(
        range.tsa_chain.len() >= 2,
        "TSA chain ends at the trusted root"
    );
    assert!(roots.contains(range.tsa_chain.last().unwrap()));
    // The staged API agrees with the one-call API.
    let staged = SignedToken::parse(&token).unwrap();
    assert_eq!(staged.info().unwrap().gen_time, range.gen_time);
    Ok(())
}

fn run_step_case(dir: &Path, case: &Value) -> Result<(), String> {
    assert_eq!(case["envelope_media_type"], "application/jose+json");
    let mut env: Value =
        serde_json::from_slice(&read(&dir.join(case["base_envelope"].as_str().unwrap()))).unwrap();
    let token = read(&dir.join(case["inject_timestamp_token"].as_str().unwrap()));
    env["header"]["io.cncf.notary.timestampSignature"] = base64_std_encode(&token).into();
    if let Some(sig) = case["override_primitive_signature_utf8"].as_str() {
        env["signature"] = base64url_encode(sig.as_bytes()).into();
    }
    let bytes = serde_json::to_vec(&env).unwrap();
    let envelope = UnverifiedEnvelope::parse("application/jose+json", &bytes).unwrap();
    let chain: Vec<Certificate> = envelope
        .cert_chain()
        .iter()
        .map(|d| Certificate::from_der(d).unwrap())
        .collect();
    let policy =
        OciTrustPolicy::from_json(&read(&dir.join(case["policy"].as_str().unwrap()))).unwrap();
    let statement = policy
        .applicable_statement("localhost:5000/timestamp@sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda")
        .unwrap();
    let store = trust_store(&dir.join(case["truststore"]["dir"].as_str().unwrap()));
    let now = Instant::parse_rfc3339(case["now"].as_str().unwrap()).unwrap();
    assert_eq!(case["expect"]["fail_at"], "authenticTimestamp");
    authentic_timestamp(statement, &envelope, &chain, &store, &AllGood, now)
        .map_err(|e| e.to_string())
}

#[test]
fn notation_timestamp_vectors() {
    let dir = conformance_dir();
    let exceptions = exceptions();
    let (mut passed, mut failed, mut excepted) = (0, 0, 0);
    for case in load_cases(&dir) {
        let kind = case["kind"].as_str().unwrap();
        let got = match kind {
            "timestamp-token" => run_token_case(&dir, &case),
            "timestamp-step" => run_step_case(&dir, &case),
            _ => continue,
        };
        let id = case["id"].as_str().unwrap();
        let expect = &case["expect"];
        let same = match (&got, expect["ok"].as_bool().unwrap()) {
            (Ok(()), true) => true,
            (Err(msg), false) => match (
                expect["go_error"].as_str(),
                expect["go_error_contains"].as_str(),
            ) {
                (Some(exact), _) => msg == exact,
                (None, Some(part)) => msg.contains(part),
                (None, None) => true,
            },
            _ => false,
        };
        match (same, exceptions.get(id)) {
            (true, None) => passed += 1,
            (true, Some(_)) => {
                excepted += 1;
                println!("EXCEPTION NOW PASSES {id}: prune it from tests/exceptions.json");
            }
            (false, Some(reason)) => {
                excepted += 1;
                println!("exception {id}: {reason} (got {got:?})");
            }
            (false, None) => {
                failed += 1;
                println!("FAIL {id}: got {got:?}, want {expect}");
            }
        }
    }
    println!("timestamp conformance: {passed} passed, {failed} failed, {excepted} exceptions");
    assert_eq!(failed, 0, "unexpected verdicts");
    assert!(passed >= 15);
}

/// RFC 5035 v1 `signingCertificate` is not accepted (trust-store-trust-policy.md §Signature
/// Verification step "Validate Authentic Timestamp"): the signer step alone reports tspclient-go's
/// error for the v1 token (whose imprint is not of "notation", see `tests/exceptions.json`).
#[test]
fn signing_certificate_v1_is_refused() {
    let dir = conformance_dir().join("tspclient-go/testdata");
    let roots = Certificate::parse_pem_or_der(&read(&dir.join("GlobalSignRootCA.crt"))).unwrap();
    let token = SignedToken::parse(&read(
        &dir.join("TimeStampTokenWithSigningCertificateV1.p7s"),
    ))
    .unwrap();
    let at = token.info().unwrap().gen_time;
    let err = token.verify(&roots, at).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to verify signed token: failed to get SigningCertificateV2 from signed attributes: attribute not found"
    );
}

/// Threat model 20a: a token over another signature, and a TSA outside the trusted roots.
#[test]
fn token_for_other_signature_or_untrusted_tsa_is_refused() {
    let dir = conformance_dir().join("tspclient-go/testdata");
    let token = read(&dir.join("TimeStampToken.p7s"));
    let roots = Certificate::parse_pem_or_der(&read(&dir.join("GlobalSignRootCA.crt"))).unwrap();
    let e = verify_timestamp_token(&token, b"other", &roots, &AllGood).unwrap_err();
    assert_eq!(e.to_string(), "invalid TSTInfo: mismatched message");
    let other_root = Certificate::parse_pem_or_der(&read(&conformance_dir().join(
        "notation-go/verifier/testdata/truststore/x509/tsa/test-mismatch/DigiCertTSARootSHA384.cer",
    )))
    .unwrap();
    let e = verify_timestamp_token(&token, b"notation", &other_root, &AllGood).unwrap_err();
    assert_eq!(e.code(), "ERR_TIMESTAMP");
    assert!(
        e.to_string()
            .ends_with("x509: certificate signed by unknown authority"),
        "{e}"
    );
    // Offline, the GlobalSign TSA chain (OCSP/CRL URLs) has an unknown revocation status.
    let e = verify_timestamp_token(
        &token,
        b"notation",
        &roots,
        &nv2::revocation::OfflineRevocationChecker,
    )
    .unwrap_err();
    assert_eq!(e.code(), "ERR_VERIFICATION_INCONCLUSIVE");
    // A token truncated anywhere is refused without panicking.
    for n in (0..token.len()).step_by(97) {
        assert!(verify_timestamp_token(&token[..n], b"notation", &roots, &AllGood).is_err());
    }
}
