//! RFC 3161 timestamp countersignatures (trust-store-trust-policy.md §Signature Verification step
//! "Validate Authentic Timestamp", threat model 20).
//!
//! A `notary.x509` signature may carry an RFC 3161 timestamp token over its primitive signature
//! bytes. When the trust policy asks for timestamp verification the token decides which time the
//! signing chain must have been valid at: the range `genTime ± accuracy` (docs/conformance.md §D6).
//!
//! The token is untrusted input (threat model 1, 13): it is size-capped ([`MAX_TOKEN_LEN`]),
//! normalised from BER to DER with a depth bound, and decoded by a small hand-written DER reader
//! (no CMS crate: the wasm size budget). Verification follows notation-go / tspclient-go and
//! reports their messages:
//!
//! 1. [`SignedToken::parse`]: CMS `ContentInfo` / `SignedData` version 3 with eContentType
//!    `id-ct-TSTInfo` (step b);
//! 2. [`SignedToken::info`] and [`TstInfo::validate`]: TSTInfo version 1, message imprint =
//!    SHA-256/384/512 of the primitive signature, accuracy → time range (steps c, g);
//! 3. [`SignedToken::verify`]: a SignerInfo (version 1) whose `signingCertificateV2` attribute
//!    selects the TSA certificate among the token's certificates, a chain from it to a trusted
//!    TSA root valid at genTime, the signature over the DER signed attributes, the content-type
//!    and message-digest attributes, the TSA EKU (step e);
//! 4. [`crate::x509::validate_timestamping_chain`] on that chain (step f), then
//!    [`check_tsa_revocation`] (step h).
//!
//! [`verify_timestamp_token`] runs all of them; [`crate::verify`] runs them in notation-go's
//! order, interleaving the trust-store loading and the signing-chain bounds (step 6 d, g).

use core::fmt;

use const_oid::db::rfc5280::{ANY_EXTENDED_KEY_USAGE, ID_KP_TIME_STAMPING};
use const_oid::db::rfc5912 as algs;
use const_oid::ObjectIdentifier as Oid;

use crate::crypto::{CryptoError, HashAlgorithm, PublicKey};
use crate::error::ErrorCode;
use crate::revocation::{check_chain, ChainStatus, Purpose, RevocationChecker};
use crate::time::Instant;
use crate::x509::{self, CertError, Certificate, MAX_CHAIN_LEN};

/// The largest timestamp token accepted (threat model 13): real tokens are a few KiB.
pub const MAX_TOKEN_LEN: usize = 1 << 20;
/// Nesting bound of the BER → DER normalisation (threat model 13).
const MAX_DEPTH: usize = 64;
/// Bound on certificates and SignerInfos in a token, and on signature checks while building the
/// TSA chain (threat model 13: no unbounded work from attacker-chosen counts).
const MAX_ITEMS: usize = 32;

const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const SIGNING_CERT_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// ETSI baseline timestamp policy (RFC 3628 §5.1): accuracy of one second when absent.
const BASELINE_POLICY: Oid = Oid::new_unwrap("0.4.0.2023.1.1");

/// Why a timestamp token was refused (trust-store-trust-policy.md §Signature Verification step
/// "Validate Authentic Timestamp"). Display is tspclient-go's message;
/// [`TimestampError::notation_message`] adds notation-go's context for the verification step.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampError {
    /// The token is larger than [`MAX_TOKEN_LEN`] (threat model 13).
    TooLarge(usize),
    /// Not a CMS SignedData holding a TSTInfo (step b).
    Parse(String),
    /// A structural budget of the token (signed attributes; [`crate::limits`]).
    Limit(crate::limits::LimitExceeded),
    /// The TSTInfo does not decode (step c).
    Info(String),
    /// The TSTInfo is invalid or stamps another message (step c; threat 20: token from another
    /// signature).
    InvalidInfo(String),
    /// No SignerInfo verifies: signing certificate, chain to a trusted TSA root at genTime,
    /// signature, signed attributes, EKU (step e; threat 20: untrusted TSA).
    Verify(String),
    /// The TSA chain breaks the timestamping certificate rules (step f, signature-specification.md
    /// §Certificate Requirements).
    Chain(CertError),
    /// A TSA chain certificate is revoked (step h).
    Revoked {
        /// Subject of the revoked certificate.
        subject: String,
        /// Detail from the checker.
        detail: String,
    },
    /// The revocation status of a TSA chain certificate is unknown (step h).
    RevocationUnknown {
        /// Subject of the certificate.
        subject: String,
        /// Detail from the checker.
        detail: String,
    },
}

impl TimestampError {
    /// Stable error code: `ERR_VERIFICATION_INCONCLUSIVE` for an unknown revocation status,
    /// else `ERR_TIMESTAMP`.
    pub fn code(&self) -> ErrorCode {
        match self {
            TimestampError::RevocationUnknown { .. } => ErrorCode::VerificationInconclusive,
            TimestampError::Limit(_) => ErrorCode::Limit,
            _ => ErrorCode::Timestamp,
        }
    }

    /// The message notation-go reports for this failure in the authenticTimestamp step.
    pub fn notation_message(&self) -> String {
        let context = match self {
            TimestampError::TooLarge(_) | TimestampError::Parse(_) | TimestampError::Limit(_) => {
                "failed to parse timestamp countersignature"
            }
            TimestampError::Info(_) => "failed to get the timestamp TSTInfo",
            TimestampError::InvalidInfo(_) => {
                "failed to get timestamp from timestamp countersignature"
            }
            TimestampError::Verify(_) => "failed to verify the timestamp countersignature",
            TimestampError::Chain(_) => "failed to validate the timestamping certificate chain",
            _ => return self.to_string(),
        };
        format!("{context} with error: {self}")
    }
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampError::TooLarge(n) => write!(
                f,
                "cms: syntax error: timestamp token of {n} bytes exceeds {MAX_TOKEN_LEN} bytes"
            ),
            TimestampError::Parse(s) => f.write_str(s),
            TimestampError::Limit(l) => l.fmt(f),
            TimestampError::Info(s) => {
                write!(f, "cannot unmarshal TSTInfo from timestamp token: {s}")
            }
            TimestampError::InvalidInfo(s) => write!(f, "invalid TSTInfo: {s}"),
            TimestampError::Verify(s) => write!(f, "failed to verify signed token: {s}"),
            TimestampError::Chain(e) => e.fmt(f),
            TimestampError::Revoked { subject, detail } => write!(
                f,
                "timestamping certificate with subject \"{subject}\" is revoked ({detail})"
            ),
            TimestampError::RevocationUnknown { subject, detail } => write!(
                f,
                "timestamping certificate with subject \"{subject}\" revocation status is unknown ({detail})"
            ),
        }
    }
}

impl std::error::Error for TimestampError {}

/// A verified timestamp: the TSA's time, the range the signature was made in, and the TSA chain.
#[derive(Clone, Debug, PartialEq)]
pub struct TimestampRange {
    /// TSTInfo `genTime`.
    pub gen_time: Instant,
    /// `genTime - accuracy` (trust-store-trust-policy.md §Signature Verification step "Validate
    /// Authentic Timestamp").
    pub lower: Instant,
    /// `genTime + accuracy`.
    pub upper: Instant,
    /// The TSA chain, TSA certificate first, ending at a trusted TSA root.
    pub tsa_chain: Vec<Certificate>,
}

/// The time a TSTInfo states, with its accuracy applied (trust-store-trust-policy.md §Signature
/// Verification step "Validate Authentic Timestamp").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// TSTInfo `genTime`.
    pub gen_time: Instant,
    /// `genTime - accuracy`.
    pub lower: Instant,
    /// `genTime + accuracy`.
    pub upper: Instant,
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp" in one
/// call: parse `token_der` (the countersignature), check that it stamps `signature` (the primitive
/// signature bytes), verify it against `tsa_roots` at its genTime, validate the TSA chain
/// (signature-specification.md §Certificate Requirements) and check its revocation through
/// `checker` ([`Purpose::Timestamping`]; revoked or unknown is an error).
///
/// The signing-chain bounds (step 6g, second half) are the caller's: every signing certificate
/// must satisfy `notBefore <= lower` and `upper <= notAfter`.
pub fn verify_timestamp_token(
    token_der: &[u8],
    signature: &[u8],
    tsa_roots: &[Certificate],
    checker: &dyn RevocationChecker,
) -> Result<TimestampRange, TimestampError> {
    let token = SignedToken::parse(token_der)?;
    let ts = token.info()?.validate(signature)?;
    let tsa_chain = token.verify(tsa_roots, ts.gen_time)?;
    x509::validate_timestamping_chain(&tsa_chain, None).map_err(TimestampError::Chain)?;
    check_tsa_revocation(checker, &tsa_chain)?;
    Ok(TimestampRange {
        gen_time: ts.gen_time,
        lower: ts.lower,
        upper: ts.upper,
        tsa_chain,
    })
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp":
/// revocation of the TSA chain (the root is not checked, trust-store-trust-policy.md §Certificate
/// Revocation Evaluation).
pub fn check_tsa_revocation(
    checker: &dyn RevocationChecker,
    tsa_chain: &[Certificate],
) -> Result<(), TimestampError> {
    match check_chain(checker, tsa_chain, Purpose::Timestamping, None) {
        ChainStatus::Ok => Ok(()),
        ChainStatus::Revoked { subject, detail } => {
            Err(TimestampError::Revoked { subject, detail })
        }
        ChainStatus::Unknown { subject, detail } => {
            Err(TimestampError::RevocationUnknown { subject, detail })
        }
    }
}

mod countersig;
pub(crate) mod der;
mod token;

pub use token::{SignedToken, TstInfo};

#[cfg(test)]
mod tests;
