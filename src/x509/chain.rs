//! Chain validation (signature-specification.md §Other requirements), as notation-core-go's
//! `ValidateCodeSigningCertChain` and `ValidateTimestampingCertChain`.
//!
//! The chain is given in order: signing (or TSA) certificate, intermediates, root. Every
//! certificate except the last must be issued by the next one (signature, CA status, raw names;
//! see [`Certificate::verify_issued_by`]); the last must be self-signed; no certificate before
//! the last may be self-signed. So extra, unrelated or reordered certificates fail (threat 9).
//! There is no path building: the chain is checked exactly as given (docs/conformance.md §D5).

use super::cert::Certificate;
use super::profile::{
    validate_ca, validate_code_signing_leaf, validate_timestamping_ca, validate_timestamping_leaf,
};
use super::{CertError, MAX_CHAIN_LEN};
use crate::time::Instant;

/// Which profile the chain is checked against.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    CodeSigning,
    Timestamping,
}

impl Purpose {
    fn leaf(self, cert: &Certificate) -> Result<(), CertError> {
        match self {
            Purpose::CodeSigning => validate_code_signing_leaf(cert),
            Purpose::Timestamping => validate_timestamping_leaf(cert),
        }
    }

    fn ca(self, cert: &Certificate, expected_path_len: usize) -> Result<(), CertError> {
        match self {
            Purpose::CodeSigning => validate_ca(cert, expected_path_len),
            Purpose::Timestamping => validate_timestamping_ca(cert, expected_path_len),
        }
    }
}

/// Validates a code-signing chain (signature-specification.md §Certificate Requirements): chain
/// shape, leaf rules on the first certificate, CA rules (with `pathLenConstraint`) on the others. A
/// one-certificate chain must be self-signed and satisfy the leaf rules (so it is not a CA).
///
/// `signing_time`, when given, must fall within every certificate's validity (bounds
/// inclusive, docs/conformance.md §D7). notation applies it only when signing; at verification time
/// pass `None` and check validity in the expiry / timestamp steps (trust-store-trust-policy.md
/// §Signature Verification).
///
/// Chains longer than [`MAX_CHAIN_LEN`] are refused before any signature is checked.
pub fn validate_code_signing_chain(
    chain: &[Certificate],
    signing_time: Option<Instant>,
) -> Result<(), CertError> {
    validate_chain(chain, signing_time, Purpose::CodeSigning)
}

/// Validates an RFC 3161 timestamping (TSA) chain (signature-specification.md §Certificate
/// Requirements): chain shape, the timestamping leaf rules (EKU exactly `id-kp-timeStamping`,
/// critical) and CA rules (keyUsage need not be critical). `signing_time` as in
/// [`validate_code_signing_chain`] (notation passes none here; the timestamp step checks the TSA
/// certificates at genTime).
pub fn validate_timestamping_chain(
    chain: &[Certificate],
    signing_time: Option<Instant>,
) -> Result<(), CertError> {
    validate_chain(chain, signing_time, Purpose::Timestamping)
}

/// signature-specification.md §Certificate Requirements: each certificate valid at the signing
/// time, bounds inclusive.
fn check_time(cert: &Certificate, signing_time: Option<Instant>) -> Result<(), CertError> {
    match signing_time {
        Some(t) if !cert.is_valid_at(t) => Err(CertError::InvalidAtSigningTime {
            subject: cert.subject_rfc4514(),
            signing_time: t,
            not_before: cert.not_before(),
            not_after: cert.not_after(),
        }),
        _ => Ok(()),
    }
}

fn validate_chain(
    chain: &[Certificate],
    signing_time: Option<Instant>,
    purpose: Purpose,
) -> Result<(), CertError> {
    // Threat 9 / 13: bound the work before any signature check.
    if chain.len() > MAX_CHAIN_LEN {
        return Err(CertError::ChainTooLong { len: chain.len() });
    }
    let [leaf] = chain else {
        return validate_multi(chain, signing_time, purpose);
    };
    // signature-specification.md §Other requirements (a chain of one certificate): self-signed
    // (signature with its own key; no CA requirement, as Go's `CheckSignature`) and self-issued,
    // then the leaf rules.
    leaf.check_signature(leaf)
        .map_err(|reason| CertError::InvalidSelfSigned {
            subject: leaf.subject_rfc4514(),
            reason,
        })?;
    if !leaf.is_self_issued() {
        return Err(CertError::SelfIssuedMismatch {
            subject: leaf.subject_rfc4514(),
            issuer: leaf.issuer_rfc4514(),
            timestamping: purpose == Purpose::Timestamping,
        });
    }
    check_time(leaf, signing_time)?;
    purpose
        .leaf(leaf)
        .map_err(|e| CertError::InvalidSelfSignedLeaf(Box::new(e)))
}

fn validate_multi(
    chain: &[Certificate],
    signing_time: Option<Instant>,
    purpose: Purpose,
) -> Result<(), CertError> {
    if chain.is_empty() {
        return Err(CertError::EmptyChain);
    }
    for (i, cert) in chain.iter().enumerate() {
        check_time(cert, signing_time)?;
        match chain.get(i + 1) {
            None => {
                // The root: self-signed through Go's `CheckSignatureFrom` (so it must be a CA)
                // and self-issued.
                match cert.is_issued_by(cert) {
                    Err(reason) => {
                        return Err(CertError::RootInvalid {
                            subject: cert.subject_rfc4514(),
                            reason,
                        })
                    }
                    Ok(false) => {
                        return Err(CertError::RootNotSelfIssued {
                            subject: cert.subject_rfc4514(),
                        })
                    }
                    Ok(true) => {}
                }
            }
            Some(parent) => {
                // No self-signed certificate before the last (threat 9: a second root or a
                // self-signed intermediate).
                if let Ok(true) = cert.is_issued_by(cert) {
                    return Err(CertError::SelfSignedInChain {
                        subject: cert.subject_rfc4514(),
                        leaf: i == 0,
                    });
                }
                cert.verify_issued_by(parent)?;
            }
        }
        if i == 0 {
            purpose.leaf(cert)?;
        } else {
            // GO: expected path length = position - 1 (intermediates below this CA).
            purpose.ca(cert, i - 1)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use const_oid::db::rfc5280 as oids;

    use super::*;
    use crate::x509::testpki::{self, build, key, Spec};
    use crate::x509::SignatureError;

    fn at(secs: i64) -> Option<Instant> {
        Some(Instant::from_unix_seconds(secs))
    }

    #[test]
    fn valid_chain_passes() {
        let chain = testpki::chain3();
        validate_code_signing_chain(&chain, None).unwrap();
        validate_code_signing_chain(&chain, at(1_700_000_000)).unwrap();
    }

    #[test]
    fn signing_time_bounds_are_inclusive() {
        let chain = testpki::chain3();
        let nb = testpki::NOT_BEFORE as i64;
        let na = testpki::NOT_AFTER as i64;
        validate_code_signing_chain(&chain, at(nb)).unwrap();
        validate_code_signing_chain(&chain, at(na)).unwrap();
        let err = validate_code_signing_chain(&chain, at(na + 1)).unwrap_err();
        assert!(
            matches!(err, CertError::InvalidAtSigningTime { .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "certificate with subject \"CN=Leaf\" was invalid at signing time of 2040-01-01 \
             00:00:01 +0000 UTC. Certificate is valid from [2020-01-01 00:00:00 +0000 UTC] to \
             [2040-01-01 00:00:00 +0000 UTC]"
        );
        assert!(validate_code_signing_chain(&chain, at(nb - 1)).is_err());
    }

    #[test]
    fn ca_as_leaf_fails() {
        let (kl, kr) = (key(1), key(3));
        let mut spec = Spec::leaf("CN=Leaf", "CN=Root");
        spec.bc = Some((true, None));
        let chain = vec![
            build(&spec, &kl, &kr),
            build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr),
        ];
        let err = validate_code_signing_chain(&chain, None).unwrap_err();
        assert_eq!(
            err,
            CertError::LeafIsCa {
                subject: "CN=Leaf".into()
            }
        );
        assert_eq!(err.code(), "ERR_CERT_INVALID");
    }

    #[test]
    fn key_cert_sign_on_leaf_fails() {
        let (kl, kr) = (key(1), key(3));
        let mut spec = Spec::leaf("CN=Leaf", "CN=Root");
        spec.ku = Some((
            crate::x509::cert::ku::DIGITAL_SIGNATURE | crate::x509::cert::ku::KEY_CERT_SIGN,
            true,
        ));
        let chain = vec![
            build(&spec, &kl, &kr),
            build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr),
        ];
        let err = validate_code_signing_chain(&chain, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the certificate with subject \"CN=Leaf\" is invalid. The key usage must be \
             \"Digital Signature\" only, but found \"CertSign\""
        );
    }

    #[test]
    fn server_auth_eku_fails_code_signing_eku_passes() {
        let (kl, kr) = (key(1), key(3));
        let root = build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr);
        let mut spec = Spec::leaf("CN=Leaf", "CN=Root");
        spec.eku = Some((
            vec![oids::ID_KP_CODE_SIGNING, oids::ID_KP_SERVER_AUTH],
            false,
        ));
        let chain = vec![build(&spec, &kl, &kr), root.clone()];
        let err = validate_code_signing_chain(&chain, None).unwrap_err();
        assert_eq!(
            err,
            CertError::ForbiddenExtKeyUsage {
                subject: "CN=Leaf".into(),
                eku: "ServerAuth"
            }
        );
        spec.eku = Some((vec![oids::ID_KP_CODE_SIGNING], false));
        validate_code_signing_chain(&[build(&spec, &kl, &kr), root], None).unwrap();
    }

    #[test]
    fn non_critical_key_usage_fails() {
        let (kl, kr) = (key(1), key(3));
        let mut spec = Spec::leaf("CN=Leaf", "CN=Root");
        spec.ku = Some((crate::x509::cert::ku::DIGITAL_SIGNATURE, false));
        let chain = vec![
            build(&spec, &kl, &kr),
            build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr),
        ];
        assert_eq!(
            validate_code_signing_chain(&chain, None).unwrap_err(),
            CertError::KeyUsageNotCritical {
                subject: "CN=Leaf".into()
            }
        );
        // On a CA too.
        let mut ca = Spec::ca("CN=Root", "CN=Root");
        ca.ku = Some((crate::x509::cert::ku::KEY_CERT_SIGN, false));
        let chain = vec![
            build(&Spec::leaf("CN=Leaf", "CN=Root"), &kl, &kr),
            build(&ca, &kr, &kr),
        ];
        assert!(matches!(
            validate_code_signing_chain(&chain, None).unwrap_err(),
            CertError::KeyUsageNotCritical { .. }
        ));
    }

    #[test]
    fn extra_certificate_fails() {
        let mut chain = testpki::chain3();
        // A second root after the real one: the real root is now a self-signed intermediate.
        chain.push(testpki::root("CN=Other Root", 9));
        let err = validate_code_signing_chain(&chain, None).unwrap_err();
        assert_eq!(
            err,
            CertError::SelfSignedInChain {
                subject: "CN=Root".into(),
                leaf: false
            }
        );
        // An unrelated CA in the middle.
        let mut chain = testpki::chain3();
        chain.insert(1, testpki::root("CN=Int", 9));
        let err = validate_code_signing_chain(&chain, None).unwrap_err();
        assert!(matches!(err, CertError::NotIssuedBy { .. }), "{err}");
    }

    #[test]
    fn reversed_chain_fails() {
        let mut chain = testpki::chain3();
        chain.reverse();
        assert_eq!(
            validate_code_signing_chain(&chain, None).unwrap_err(),
            CertError::SelfSignedInChain {
                subject: "CN=Root".into(),
                leaf: true
            }
        );
    }

    #[test]
    fn self_signed_intermediate_fails() {
        let chain = testpki::chain3();
        let bad = vec![chain[0].clone(), chain[2].clone(), chain[2].clone()];
        let err = validate_code_signing_chain(&bad, None).unwrap_err();
        // The leaf is not issued by "CN=Root" (different key); check the intermediate case with
        // a real self-signed intermediate.
        assert!(matches!(err, CertError::NotIssuedBy { .. }), "{err}");
        let k = key(2);
        let self_int = build(&Spec::ca("CN=Int", "CN=Int"), &k, &k);
        let bad = vec![chain[0].clone(), self_int, chain[2].clone()];
        assert_eq!(
            validate_code_signing_chain(&bad, None).unwrap_err(),
            CertError::SelfSignedInChain {
                subject: "CN=Int".into(),
                leaf: false
            }
        );
    }

    /// A chain of `n` certificates: leaf, `n-2` intermediates, root.
    fn long_chain(n: usize) -> Vec<Certificate> {
        let names: Vec<String> = (0..n).map(|i| format!("CN=C{i}")).collect();
        let keys: Vec<_> = (0..n).map(|i| key(i as u8 + 1)).collect();
        (0..n)
            .map(|i| {
                let issuer = if i + 1 < n { i + 1 } else { i };
                let spec = if i == 0 {
                    Spec::leaf(&names[0], &names[issuer])
                } else {
                    Spec::ca(&names[i], &names[issuer])
                };
                build(&spec, &keys[i], &keys[issuer])
            })
            .collect()
    }

    #[test]
    fn chain_length_is_capped() {
        validate_code_signing_chain(&long_chain(MAX_CHAIN_LEN), None).unwrap();
        let err = validate_code_signing_chain(&long_chain(MAX_CHAIN_LEN + 1), None).unwrap_err();
        assert_eq!(err, CertError::ChainTooLong { len: 11 });
        assert_eq!(err.code(), "ERR_PARSE");
        assert_eq!(
            validate_timestamping_chain(&long_chain(11), None).unwrap_err(),
            CertError::ChainTooLong { len: 11 }
        );
    }

    #[test]
    fn empty_chain_fails() {
        assert_eq!(
            validate_code_signing_chain(&[], None).unwrap_err(),
            CertError::EmptyChain
        );
    }

    #[test]
    fn path_len_is_enforced() {
        let (kl, k1, k2, kr) = (key(1), key(2), key(3), key(4));
        let mut root = Spec::ca("CN=Root", "CN=Root");
        root.bc = Some((true, Some(0)));
        let chain = vec![
            build(&Spec::leaf("CN=Leaf", "CN=I1"), &kl, &k1),
            build(&Spec::ca("CN=I1", "CN=I2"), &k1, &k2),
            build(&Spec::ca("CN=I2", "CN=Root"), &k2, &kr),
            build(&root, &kr, &kr),
        ];
        assert_eq!(
            validate_code_signing_chain(&chain, None).unwrap_err(),
            CertError::PathLen {
                subject: "CN=Root".into(),
                expected: 2,
                actual: 0
            }
        );
    }

    #[test]
    fn parent_must_be_ca() {
        let (kl, ki, kr) = (key(1), key(2), key(3));
        let mut not_ca = Spec::ca("CN=Int", "CN=Root");
        not_ca.bc = None;
        let chain = vec![
            build(&Spec::leaf("CN=Leaf", "CN=Int"), &kl, &ki),
            build(&not_ca, &ki, &kr),
            build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr),
        ];
        assert_eq!(
            validate_code_signing_chain(&chain, None).unwrap_err(),
            CertError::NotIssuedBy {
                subject: "CN=Leaf".into(),
                issuer: "CN=Int".into(),
                reason: Some(SignatureError::ParentNotCa)
            }
        );
    }

    #[test]
    fn issuer_name_must_match() {
        let (kl, kr) = (key(1), key(3));
        let chain = vec![
            build(&Spec::leaf("CN=Leaf", "CN=Someone Else"), &kl, &kr),
            build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr),
        ];
        assert_eq!(
            validate_code_signing_chain(&chain, None)
                .unwrap_err()
                .to_string(),
            "certificate with subject \"CN=Leaf\" is not issued by \"CN=Root\""
        );
    }

    #[test]
    fn single_certificate_rules() {
        let k = key(5);
        // A self-signed leaf is a valid one-certificate chain.
        let leaf = build(&Spec::leaf("CN=Self", "CN=Self"), &k, &k);
        validate_code_signing_chain(std::slice::from_ref(&leaf), None).unwrap();
        // A self-signed CA is not (leaf rules).
        let ca = testpki::root("CN=Root", 5);
        let err = validate_code_signing_chain(std::slice::from_ref(&ca), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid self-signed certificate. Error: certificate with subject \"CN=Root\": if \
             the basic constraints extension is present, the ca field must be set to false"
        );
        // Not self-issued.
        let odd = build(&Spec::leaf("CN=A", "CN=B"), &k, &k);
        assert_eq!(
            validate_code_signing_chain(std::slice::from_ref(&odd), None)
                .unwrap_err()
                .to_string(),
            "invalid self-signed certificate. subject: \"CN=A\". Error: issuer(CN=B) and \
             subject(CN=A) are not the same"
        );
        assert_eq!(
            validate_timestamping_chain(std::slice::from_ref(&odd), None)
                .unwrap_err()
                .to_string(),
            "invalid self-signed certificate. subject: \"CN=A\". Error: issuer (CN=B) and \
             subject (CN=A) are not the same"
        );
        // Signed by another key.
        let forged = build(&Spec::leaf("CN=Self", "CN=Self"), &k, &key(6));
        assert!(matches!(
            validate_code_signing_chain(std::slice::from_ref(&forged), None).unwrap_err(),
            CertError::InvalidSelfSigned {
                reason: SignatureError::BadSignature { rsa: false },
                ..
            }
        ));
    }

    #[test]
    fn sha1_signatures_are_refused() {
        let k = key(5);
        let mut spec = Spec::leaf("CN=Self", "CN=Self");
        spec.inner_alg = testpki::ECDSA_SHA1;
        spec.outer_alg = testpki::ECDSA_SHA1;
        let cert = build(&spec, &k, &k);
        let err = validate_code_signing_chain(std::slice::from_ref(&cert), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid self-signed certificate. subject: \"CN=Self\". Error: x509: cannot verify \
             signature: insecure algorithm ECDSA-SHA1"
        );
        assert!(!cert.is_self_signed());
    }

    #[test]
    fn timestamping_chain() {
        let (kl, kr) = (key(1), key(3));
        let mut root = Spec::ca("CN=TSA Root", "CN=TSA Root");
        // Timestamping CAs need keyUsage, not its criticality.
        root.ku = Some((crate::x509::cert::ku::KEY_CERT_SIGN, false));
        let root = build(&root, &kr, &kr);
        let leaf = build(&Spec::tsa("CN=TSA", "CN=TSA Root"), &kl, &kr);
        validate_timestamping_chain(&[leaf.clone(), root.clone()], None).unwrap();
        // The same root fails the code-signing CA rules, and the TSA leaf the code-signing EKU.
        assert!(validate_code_signing_chain(&[leaf, root.clone()], None).is_err());
        let cs_leaf = build(&Spec::leaf("CN=TSA", "CN=TSA Root"), &kl, &kr);
        assert_eq!(
            validate_timestamping_chain(&[cs_leaf, root], None).unwrap_err(),
            CertError::TimestampingEku {
                subject: "CN=TSA".into()
            }
        );
    }
}
