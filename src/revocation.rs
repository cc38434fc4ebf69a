//! Revocation checking as an injected step (trust-store-trust-policy.md §Certificate Revocation
//! Evaluation, docs/conformance.md §D14).
//!
//! The core never fetches OCSP responses or CRLs: the verifier asks a [`RevocationChecker`] for
//! the status of each non-root certificate. The host supplies one that fetches (online), reads
//! CRLs the caller brought (air-gapped), or nothing at all: [`OfflineRevocationChecker`] behaves
//! as notation does with no network: a certificate that names no OCSP responder and no CRL
//! distribution point cannot be revoked ("non-revokable", OK), one that names any is "unknown".
//! [`CrlRevocationChecker`] answers from CRLs the caller supplies (air-gapped networks).
//! [`ocsp`] builds OCSP requests and checks OCSP responses a host fetched (RFC 6960), without I/O.

use crate::time::Instant;
use crate::x509::Certificate;

pub mod crl;
pub mod fetch;
pub mod material;
pub mod ocsp;

pub use crl::{Crl, CrlError, CrlRevocationChecker};
pub use material::{
    FetchKind, Fetched, FetchedBody, MaterialChecker, RevocationFetch, RevocationMaterial,
};
pub use ocsp::{CertIdHash, OcspAnswer, OcspCertStatus, OcspError, OcspResponseStatus};

/// The revocation status of one certificate (trust-store-trust-policy.md §Certificate Revocation
/// Evaluation).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertStatus {
    /// Checked and not revoked.
    Good,
    /// The certificate names no OCSP responder and no CRL distribution point, so there is
    /// nothing to check (trust-store-trust-policy.md §Certificate Revocation Evaluation: counts as
    /// OK). The root is always this.
    NonRevokable,
    /// Revoked (the reason or source in the text).
    Revoked(String),
    /// The status could not be established (unreachable responder, stale CRL, no checker).
    Unknown(String),
}

/// The combined verdict for a chain (notation-core-go `revocationFinalResult`,
/// trust-store-trust-policy.md §Certificate Revocation Evaluation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainStatus {
    /// Every certificate is good or non-revokable.
    Ok,
    /// The certificate with this subject is revoked.
    Revoked {
        /// Subject (RFC 4514) of the revoked certificate.
        subject: String,
        /// Detail from the checker.
        detail: String,
    },
    /// The status of the certificate with this subject (the failing one closest to the leaf)
    /// is unknown.
    Unknown {
        /// Subject (RFC 4514).
        subject: String,
        /// Detail from the checker.
        detail: String,
    },
}

/// Why a certificate is checked: the signing chain or a timestamping (TSA) chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The envelope's code-signing chain.
    CodeSigning,
    /// A TSA chain from an RFC 3161 countersignature.
    Timestamping,
}

/// Checks the revocation status of one certificate against its issuer.
///
/// Implementations must be bounded (time, bytes) and must answer `Unknown` rather than `Good`
/// whenever they could not establish the status: fail closed (threat model 21).
pub trait RevocationChecker {
    /// The status of `cert`, issued by `issuer`. `signing_time` is the authentic signing time
    /// when the scheme provides one (invalidity-date handling, trust-store-trust-policy.md
    /// §Certificate Revocation Evaluation).
    fn check(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        purpose: Purpose,
        signing_time: Option<Instant>,
    ) -> CertStatus;

    /// The fetches that could settle the certificates this checker answered "unknown" for so
    /// far (the "needs" step, [`material`]); none by default.
    fn needs(&self) -> Vec<RevocationFetch> {
        Vec::new()
    }
}

/// The checker used when the host provides none: no network, no CRLs.
#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineRevocationChecker;

impl RevocationChecker for OfflineRevocationChecker {
    fn check(
        &self,
        cert: &Certificate,
        _: &Certificate,
        _: Purpose,
        _: Option<Instant>,
    ) -> CertStatus {
        if cert.ocsp_urls().is_empty() && cert.crl_urls().is_empty() {
            CertStatus::NonRevokable
        } else {
            CertStatus::Unknown(
                "revocation information is published but no checker is configured".into(),
            )
        }
    }
}

/// Checks every non-root certificate of `chain` (leaf first) and combines the answers
/// (trust-store-trust-policy.md §Certificate Revocation Evaluation: the root is never checked; any
/// revoked → revoked; else any unknown → unknown, reporting the one closest to the leaf).
pub(crate) fn check_chain(
    checker: &dyn RevocationChecker,
    chain: &[Certificate],
    purpose: Purpose,
    signing_time: Option<Instant>,
) -> ChainStatus {
    let mut unknown: Option<ChainStatus> = None;
    for pair in chain.windows(2) {
        let (cert, issuer) = (&pair[0], &pair[1]);
        match checker.check(cert, issuer, purpose, signing_time) {
            CertStatus::Good | CertStatus::NonRevokable => {}
            CertStatus::Revoked(detail) => {
                return ChainStatus::Revoked {
                    subject: cert.subject_rfc4514(),
                    detail,
                }
            }
            CertStatus::Unknown(detail) => {
                if unknown.is_none() {
                    unknown = Some(ChainStatus::Unknown {
                        subject: cert.subject_rfc4514(),
                        detail,
                    });
                }
            }
        }
    }
    unknown.unwrap_or(ChainStatus::Ok)
}
