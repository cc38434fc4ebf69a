//! When every signature of an artifact fails, the reported failure is the most specific one
//! (src/error/rank.rs), whatever order the registry listed the signatures in.

use nv2::envelope::EnvelopeError;
use nv2::error::ErrorCode;
use nv2::oci::{Descriptor, Digest};
use nv2::policy::{CheckType, VerificationLevel};
use nv2::registry::{ArtifactVerification, RegistryError, SignatureVerification};
use nv2::time::Instant;
use nv2::verify::{FailureStage, Outcome, VerifyError};

fn digest(n: u8) -> Digest {
    Digest::parse(&format!("sha256:{}", format!("{n:02x}").repeat(32))).unwrap()
}

fn outcome(stage: FailureStage, e: VerifyError) -> Outcome {
    Outcome {
        verified: false,
        level: VerificationLevel::Strict,
        policy_name: "p".into(),
        results: Vec::new(),
        failure: Some((stage, e)),
        signer_chain: Vec::new(),
        signing_scheme: None,
        signing_time: None,
        expiry: None,
        algorithm: None,
        target_artifact: None,
        warnings: Vec::new(),
        signature_checks: 0,
        needs: Vec::new(),
    }
}

fn signature(n: u8, result: Result<Outcome, RegistryError>) -> SignatureVerification {
    SignatureVerification {
        descriptor: Descriptor::new("application/vnd.oci.image.manifest.v1+json", digest(n), 1),
        envelope_media_type: None,
        result,
    }
}

/// One signature of each kind: a registry document that does not parse, a junk envelope, a
/// signature from an untrusted chain, an expired one, and a revoked one.
fn failures() -> Vec<SignatureVerification> {
    let check = |s| FailureStage::Check(s);
    vec![
        signature(1, Err(RegistryError::Parse("not a manifest".into()))),
        signature(
            2,
            Ok(outcome(
                check(CheckType::Integrity),
                VerifyError::Envelope(EnvelopeError::Malformed("junk".into())),
            )),
        ),
        signature(
            3,
            Ok(outcome(
                check(CheckType::Authenticity),
                VerifyError::Untrusted("no trusted certificate".into()),
            )),
        ),
        signature(
            4,
            Ok(outcome(
                check(CheckType::Expiry),
                VerifyError::Expired {
                    expiry: Instant::from_unix_millis(0),
                },
            )),
        ),
        signature(
            5,
            Ok(outcome(
                check(CheckType::Revocation),
                VerifyError::Revoked {
                    subject: "CN=signer".into(),
                    detail: "keyCompromise".into(),
                },
            )),
        ),
    ]
}

fn artifact(signatures: Vec<SignatureVerification>) -> ArtifactVerification {
    ArtifactVerification {
        digest: digest(9),
        reference: "localhost:5000/repo@sha256:…".into(),
        target: Descriptor::new("application/vnd.oci.image.manifest.v1+json", digest(9), 1),
        warnings: Vec::new(),
        verified: false,
        inconclusive: false,
        level: VerificationLevel::Strict,
        policy_name: "p".into(),
        signatures,
        discovery: None,
    }
}

#[test]
fn the_most_specific_failure_is_reported_in_any_order() {
    let all = failures();
    let n = all.len();
    for start in 0..n {
        for reversed in [false, true] {
            let mut order: Vec<SignatureVerification> =
                all[start..].iter().chain(&all[..start]).cloned().collect();
            if reversed {
                order.reverse();
            }
            let first = order[0].failure().unwrap().code();
            let a = artifact(order);
            let reported = a.failure().unwrap();
            assert_eq!(reported.code(), ErrorCode::CertRevoked, "start {start}");
            assert_eq!(
                reported.to_string(),
                "signing certificate with subject \"CN=signer\" is revoked (keyCompromise)"
            );
            if first != ErrorCode::CertRevoked {
                // The old behaviour (the first failure) would have reported something else.
                assert_ne!(first, reported.code());
            }
        }
    }
}

#[test]
fn without_the_revoked_one_the_expired_one_wins_then_the_untrusted_one() {
    let mut sigs = failures();
    sigs.pop();
    assert_eq!(
        artifact(sigs.clone()).failure().unwrap().code(),
        ErrorCode::SignatureExpired
    );
    sigs.pop();
    let a = artifact(sigs.clone());
    assert_eq!(
        a.failure().unwrap().code(),
        ErrorCode::SignatureAuthenticity
    );
    sigs.pop();
    // A junk envelope (integrity) says more than a registry document that does not parse.
    assert_eq!(
        artifact(sigs).failure().unwrap().code(),
        ErrorCode::SignatureIntegrity
    );
}

#[test]
fn a_verified_artifact_reports_no_failure() {
    let mut a = artifact(failures());
    a.verified = true;
    assert!(a.failure().is_none());
    assert!(artifact(Vec::new()).failure().is_none());
}
