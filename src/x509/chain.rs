//! Chain validation (spec §6 "Chain shape"), as notation-core-go's `ValidateCodeSigningCertChain`
//! and `ValidateTimestampingCertChain`.
//!
//! The chain is given in order: signing (or TSA) certificate, intermediates, root. Every
//! certificate except the last must be issued by the next one (signature, CA status, raw names;
//! see [`Certificate::verify_issued_by`]); the last must be self-signed; no certificate before
//! the last may be self-signed. So extra, unrelated or reordered certificates fail (threat 9).
//! There is no path building: the chain is checked exactly as given (spec §11.5).

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

/// Validates a code-signing chain (spec §6): chain shape, leaf rules on the first certificate,
/// CA rules (with `pathLenConstraint`) on the others. A one-certificate chain must be
/// self-signed and satisfy the leaf rules (so it is not a CA).
///
/// `signing_time`, when given, must fall within every certificate's validity (bounds
/// inclusive, spec §11.7). notation applies it only when signing; at verification time pass
/// `None` and check validity in the expiry / timestamp steps (spec §8).
///
/// Chains longer than [`MAX_CHAIN_LEN`] are refused before any signature is checked.
pub fn validate_code_signing_chain(
    chain: &[Certificate],
    signing_time: Option<Instant>,
) -> Result<(), CertError> {
    validate_chain(chain, signing_time, Purpose::CodeSigning)
}

/// Validates an RFC 3161 timestamping (TSA) chain (spec §6): chain shape, the timestamping leaf
/// rules (EKU exactly `id-kp-timeStamping`, critical) and CA rules (keyUsage need not be
/// critical). `signing_time` as in [`validate_code_signing_chain`] (notation passes none here;
/// the timestamp step checks the TSA certificates at genTime).
pub fn validate_timestamping_chain(
    chain: &[Certificate],
    signing_time: Option<Instant>,
) -> Result<(), CertError> {
    validate_chain(chain, signing_time, Purpose::Timestamping)
}

/// Spec §6: each certificate valid at the signing time, bounds inclusive.
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
    // Spec §6 one-certificate chain: self-signed (signature with its own key; no CA
    // requirement, as Go's `CheckSignature`) and self-issued, then the leaf rules.
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
