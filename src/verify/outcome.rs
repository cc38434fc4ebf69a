//! The result of verifying one envelope: one [`CheckResult`] per check, with the action the
//! policy's level gives it (threat model 18), and what was learnt of the signer.

use super::{FailureStage, VerifyError};
use crate::envelope::SigningScheme;
use crate::oci::Descriptor;
use crate::policy::{Action, CheckType, VerificationLevel};
use crate::time::Instant;
use crate::x509::{CertError, Certificate};

/// The result of one check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// Which check.
    pub check: CheckType,
    /// What the policy does with a failure of it.
    pub action: Action,
    /// Whether it passed (a skipped check is reported as passed, with action `skip`).
    pub ok: bool,
    /// The failure, when it failed.
    pub error: Option<VerifyError>,
}

/// One certificate of the signer's chain, for display (threat model 18: plain strings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject, RFC 4514 as notation renders it.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// SHA-256 over DER, lower-case hex.
    pub thumbprint: String,
    /// Start of validity.
    pub not_before: Instant,
    /// End of validity.
    pub not_after: Instant,
    /// Serial number, hex.
    pub serial: String,
    /// The OCSP responders it names (authorityInfoAccess, RFC 5280 §4.2.2.1).
    pub ocsp_urls: Vec<String>,
    /// The CRL distribution points it names (RFC 5280 §4.2.1.13).
    pub crl_urls: Vec<String>,
}

impl CertSummary {
    /// Summary of `cert`.
    pub fn of(cert: &Certificate) -> Self {
        CertSummary {
            subject: cert.subject_rfc4514(),
            issuer: cert.issuer_rfc4514(),
            thumbprint: cert.thumbprint_sha256(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            serial: cert.serial_hex(),
            ocsp_urls: cert.ocsp_urls(),
            crl_urls: cert.crl_urls(),
        }
    }

    /// Summaries of an envelope's certificate chain (DER, leaf first), for inspection; the
    /// first decoding error otherwise.
    pub fn of_chain(ders: &[Vec<u8>]) -> Result<Vec<Self>, CertError> {
        ders.iter()
            .map(|der| Certificate::from_der(der).map(|c| CertSummary::of(&c)))
            .collect()
    }
}

/// The outcome of verifying one envelope.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Whether the signature satisfies the policy: no enforced check failed and the payload
    /// targets the artifact (notation's verdict; an `audit` policy passes with logged failures).
    pub verified: bool,
    /// The level of the applicable policy statement.
    pub level: VerificationLevel,
    /// The name of the applicable policy statement.
    pub policy_name: String,
    /// One result per check performed or skipped, in order.
    pub results: Vec<CheckResult>,
    /// Where it stopped, when `verified` is false.
    pub failure: Option<(FailureStage, VerifyError)>,
    /// The signer's chain (leaf first), once integrity passed.
    pub signer_chain: Vec<CertSummary>,
    /// The signing scheme, once parsed.
    pub signing_scheme: Option<SigningScheme>,
    /// The signing time (unauthenticated for `notary.x509`) or authentic signing time.
    pub signing_time: Option<Instant>,
    /// The signature expiry, if any.
    pub expiry: Option<Instant>,
    /// The signature algorithm, once integrity passed.
    pub algorithm: Option<crate::crypto::SignatureAlgorithm>,
    /// The signed target descriptor, once integrity passed.
    pub target_artifact: Option<Descriptor>,
    /// Logged (non-enforced) failures and other notes, as text.
    pub warnings: Vec<String>,
    /// Signature checks made (envelope, certificate links, timestamp, CRLs), for the
    /// per-verification budget ([`crate::limits::VERIFICATION_SIGNATURE_CHECKS`]).
    pub signature_checks: usize,
    /// Revocation fetches that could settle what this outcome reports as "unknown" (the "needs"
    /// step, [`crate::revocation::material`]): empty when the outcome is final for the
    /// material it had. A driver performs them and verifies again.
    pub needs: Vec<crate::revocation::RevocationFetch>,
}

impl Outcome {
    /// The result of `check`, if it ran.
    pub fn result(&self, check: CheckType) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }

    /// The checks whose failure was only logged.
    pub fn logged(&self) -> Vec<CheckType> {
        self.results
            .iter()
            .filter(|r| !r.ok && r.action == Action::Log)
            .map(|r| r.check)
            .collect()
    }

    /// Whether integrity and authenticity both passed (the bar for a "signed by" badge,
    /// threat model 18: an audit or skip pass is not a verified signer).
    pub fn signer_authenticated(&self) -> bool {
        [CheckType::Integrity, CheckType::Authenticity]
            .iter()
            .all(|c| {
                self.result(*c)
                    .is_some_and(|r| r.ok && r.action != Action::Skip)
            })
    }
}
