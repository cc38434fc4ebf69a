//! The sans-IO OCSP core (RFC 6960): builds requests and checks responses; it never fetches.
//!
//! The fetching layer sends [`request_der`] (POST `application/ocsp-request`, or GET with
//! [`request_get_suffix`] appended to the responder URL) and hands the body it read (at most
//! [`MAX_OCSP_RESPONSE_BYTES`]) to [`check_response`], which answers [`OcspAnswer`] or a typed
//! [`OcspError`]. The behavioural reference is notation-core-go's `revocation/internal/ocsp`,
//! which leaves parsing and signature checks to `golang.org/x/crypto/ocsp.ParseResponseForCert`;
//! nv2 follows RFC 6960 where that library is looser, and says so below.
//!
//! Checks of [`check_response`], in order:
//! 1. At most [`MAX_OCSP_RESPONSE_BYTES`] (notation-core-go's `ocspMaxResponseSize`).
//! 2. `responseStatus` is `successful` (§4.2.1), else [`OcspError::Unsuccessful`] naming it.
//! 3. `responseBytes` is present and of type `id-pkix-ocsp-basic` (§4.2.1).
//! 4. The `BasicOCSPResponse` decodes as strict DER (the project's flat DER walker), version v1,
//!    within the budgets `ocsp.responses`, `ocsp.certificates`, `ocsp.extensions`
//!    (docs/limits.md), with no extension twice and no critical extension nv2 does not know in
//!    the response or single extensions (§4.4; RFC 5280 §4.2 semantics).
//! 5. The signer (§4.2.2.2) is the one the `responderID` names (§4.2.2.3): the issuer itself, or
//!    a certificate of `certs` issued by the issuer ([`Certificate::verify_issued_by`]) that
//!    carries the EKU `id-kp-OCSPSigning` and is valid at `now`. x/crypto/ocsp takes `certs[0]`
//!    whatever the responderID says and checks neither the EKU nor the validity; RFC 6960
//!    §4.2.2.2 requires the EKU.
//! 6. The signature verifies under the signer's key through [`PublicKey::verify_x509`] (counted
//!    in the verification's signature-check budget; SHA-1 signatures refused, as Go's
//!    `CheckSignature` does).
//! 7. Exactly the `SingleResponse` for `cert` is used: the first whose serial is `cert`'s; its
//!    CertID must use SHA-1 or SHA-256 and match the issuer's name and key hashes (x/crypto/ocsp
//!    compares only the serial). None for the serial is [`OcspError::NoMatchingResponse`].
//! 8. `thisUpdate <= now + skew` and, when present, `nextUpdate >= now - skew`, with
//!    [`MAX_CLOCK_SKEW_SECONDS`] (§4.2.2.1; notation-core-go compares `nextUpdate` with its clock
//!    and no skew, and ignores `thisUpdate`).
//!
//! Not done here, for the checker above it: notation-core-go treats a response without
//! `nextUpdate` as expired (Go's zero time), and a revoked status with an `invalidityDate` after
//! the signing time as good; [`OcspAnswer`] carries both so the checker decides. The responder
//! certificate's own revocation status is not checked (§4.2.2.2.1 `id-pkix-ocsp-nocheck`; as
//! notation-core-go).
//!
//! Everything is bounded and linear in the input; no input panics.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};
use sha1::Digest as _;

use crate::crypto::{CryptoError, HashAlgorithm, PublicKey};
use crate::error::ErrorCode;
use crate::limits::{LimitExceeded, EXTENSIONS, OCSP_CERTIFICATES, OCSP_RESPONSES};
use crate::time::Instant;
use crate::x509::asn1::{
    self, alg_id, bit_string_bytes, ctx, explicit, generalized_time, seq, sequence_contents, take,
};
use crate::x509::Certificate;

/// Largest OCSP response accepted, in bytes: notation-core-go's `ocspMaxResponseSize` (20,480;
/// typical responses are about 4 KB). The fetching layer should stop reading after it.
pub const MAX_OCSP_RESPONSE_BYTES: usize = 20 * 1024;

/// Tolerance between the responder's clock and `now` for `thisUpdate` and `nextUpdate`
/// (RFC 6960 §4.2.2.1 leaves it to local policy): five minutes, OpenSSL's default
/// (`MAX_VALIDITY_PERIOD` of `openssl ocsp`, `OCSP_check_validity`). notation-core-go uses none.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 5 * 60;

/// GET is used when the [`request_get_suffix`] is shorter than this (RFC 5019 §5: "less than 255
/// bytes"; notation-core-go requires both the base64 and the escaped form to be shorter), else
/// POST with `Content-Type: application/ocsp-request` (RFC 6960 Appendix A.1).
pub const MAX_GET_SUFFIX_LEN: usize = 255;

/// `id-pkix-ocsp-basic` (RFC 6960 §4.2.1).
const ID_PKIX_OCSP_BASIC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");
/// `id-pkix-ocsp-nonce` (RFC 6960 §4.4.1): nv2 sends none, so one in the response is ignored.
const ID_PKIX_OCSP_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
/// `id-pkix-ocsp-crl` (CRL references, RFC 6960 §4.4.2): informational.
const ID_PKIX_OCSP_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.3");
/// `id-pkix-ocsp-archive-cutoff` (RFC 6960 §4.4.4): informational.
const ID_PKIX_OCSP_ARCHIVE_CUTOFF: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.6");
/// `id-ce-invalidityDate` (RFC 5280 §5.3.2, RFC 6960 §4.4.5 single extension).
const ID_CE_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
/// `id-kp-OCSPSigning` (RFC 6960 §4.2.2.2).
const ID_KP_OCSP_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.9");
/// `id-sha1` (RFC 3279 §2.2) and `id-sha256` (RFC 5754 §2), the CertID hashes accepted.
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");

/// `OCSPResponseStatus` (RFC 6960 §4.2.1) of an unsuccessful response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspResponseStatus {
    /// `malformedRequest` (1).
    MalformedRequest,
    /// `internalError` (2).
    InternalError,
    /// `tryLater` (3).
    TryLater,
    /// `sigRequired` (5).
    SigRequired,
    /// `unauthorized` (6).
    Unauthorized,
    /// Any other value (4 is unused, §4.2.1).
    Other(u8),
}

impl OcspResponseStatus {
    fn from_code(code: u8) -> Self {
        match code {
            1 => Self::MalformedRequest,
            2 => Self::InternalError,
            3 => Self::TryLater,
            5 => Self::SigRequired,
            6 => Self::Unauthorized,
            n => Self::Other(n),
        }
    }

    /// The ASN.1 name (RFC 6960 §4.2.1).
    pub fn name(&self) -> String {
        match self {
            Self::MalformedRequest => "malformedRequest".into(),
            Self::InternalError => "internalError".into(),
            Self::TryLater => "tryLater".into(),
            Self::SigRequired => "sigRequired".into(),
            Self::Unauthorized => "unauthorized".into(),
            Self::Other(n) => format!("status {n}"),
        }
    }
}

/// `CertStatus` of the matching `SingleResponse` (RFC 6960 §4.2.1, §2.2).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspCertStatus {
    /// `good`: not revoked (at least not known to be).
    Good,
    /// `revoked` (`RevokedInfo`).
    Revoked {
        /// `revocationTime`.
        time: Instant,
        /// `revocationReason`, a CRLReason (RFC 5280 §5.3.1), when given.
        reason: Option<u8>,
        /// The single extension `invalidityDate` (RFC 6960 §4.4.5, RFC 5280 §5.3.2), when given
        /// (notation-core-go: a signing time before it means not revoked).
        invalidity_date: Option<Instant>,
    },
    /// `unknown`: the responder does not know the certificate.
    Unknown,
}

/// What a checked response says about the certificate (RFC 6960 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspAnswer {
    /// The certificate's status.
    pub status: OcspCertStatus,
    /// `thisUpdate` of the matching `SingleResponse`.
    pub this_update: Instant,
    /// `nextUpdate` of the matching `SingleResponse`, when set (§4.2.2.1: absent means newer
    /// information is always available; notation-core-go treats it as expired).
    pub next_update: Option<Instant>,
    /// `producedAt` of the response.
    pub produced_at: Instant,
}

/// Why an OCSP response was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OcspError {
    /// Longer than [`MAX_OCSP_RESPONSE_BYTES`].
    TooLarge {
        /// The response's length.
        len: usize,
    },
    /// A structural budget ([`crate::limits`]: `ocsp.responses`, `ocsp.certificates`,
    /// `ocsp.extensions`).
    Budget(LimitExceeded),
    /// Not a DER `OCSPResponse` / `BasicOCSPResponse` (RFC 6960 §4.2.1), or a structural rule is
    /// broken (duplicate extension, unsupported version, invalid reason code).
    Malformed(String),
    /// `responseStatus` is not `successful` (RFC 6960 §4.2.1, §2.3).
    Unsuccessful(OcspResponseStatus),
    /// `responseType` is not `id-pkix-ocsp-basic` (RFC 6960 §4.2.1).
    UnsupportedResponseType(ObjectIdentifier),
    /// The matching `SingleResponse`'s CertID uses a hash other than SHA-1 or SHA-256.
    UnsupportedHashAlgorithm(ObjectIdentifier),
    /// The `responderID` names neither the issuer nor any certificate in `certs`
    /// (RFC 6960 §4.2.2.3).
    ResponderNotFound,
    /// The certificate the `responderID` names is not an authorized responder for the issuer
    /// (RFC 6960 §4.2.2.2): not issued by it, no `id-kp-OCSPSigning`, or not valid at `now`.
    UnauthorizedResponder {
        /// Subject of the responder certificate (Go's `pkix.Name.String()`).
        subject: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The response's signature does not verify under the signer's key.
    BadSignature,
    /// The signature algorithm or the signer's key is not one nv2 verifies (SHA-1 included).
    UnsupportedSignature(String),
    /// No `SingleResponse` is for the certificate's serial (RFC 6960 §4.2.2.3 CertID).
    NoMatchingResponse {
        /// The certificate's serial, lower-case hex.
        serial: String,
    },
    /// The `SingleResponse` for the serial names another issuer (its name or key hash differs).
    CertIdMismatch,
    /// `thisUpdate` is later than `now` plus [`MAX_CLOCK_SKEW_SECONDS`] (RFC 6960 §4.2.2.1).
    NotYetValid {
        /// `thisUpdate`.
        this_update: Instant,
        /// The verification time.
        now: Instant,
    },
    /// `nextUpdate` is earlier than `now` minus [`MAX_CLOCK_SKEW_SECONDS`] (RFC 6960 §4.2.2.1).
    Expired {
        /// `nextUpdate`.
        next_update: Instant,
        /// The verification time.
        now: Instant,
    },
    /// A critical extension nv2 does not process (RFC 6960 §4.4; RFC 5280 §4.2).
    UnknownCriticalExtension(ObjectIdentifier),
}

impl OcspError {
    /// Stable error code, in the CRL family ([`crate::revocation::CrlError::code`]): `ERR_PARSE`
    /// for malformed bytes, `ERR_LIMIT` for a size or budget, and `ERR_VERIFICATION_INCONCLUSIVE`
    /// for a response that parses but cannot establish the status (what a revocation checker
    /// reports as unknown).
    pub fn code(&self) -> ErrorCode {
        match self {
            OcspError::Malformed(_) => ErrorCode::Parse,
            OcspError::TooLarge { .. } | OcspError::Budget(_) => ErrorCode::Limit,
            _ => ErrorCode::VerificationInconclusive,
        }
    }
}

impl core::fmt::Display for OcspError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            OcspError::TooLarge { len } => write!(
                f,
                "OCSP response of {len} bytes exceeds the limit of {MAX_OCSP_RESPONSE_BYTES} bytes"
            ),
            OcspError::Budget(l) => l.fmt(f),
            OcspError::Malformed(d) => write!(f, "malformed OCSP response: {d}"),
            OcspError::Unsuccessful(s) => {
                write!(f, "OCSP response status is {}, not successful", s.name())
            }
            OcspError::UnsupportedResponseType(oid) => {
                write!(f, "unsupported OCSP response type {oid}")
            }
            OcspError::UnsupportedHashAlgorithm(oid) => {
                write!(f, "unsupported OCSP CertID hash algorithm {oid}")
            }
            OcspError::ResponderNotFound => f.write_str(
                "OCSP responder ID names neither the issuer nor a certificate of the response",
            ),
            OcspError::UnauthorizedResponder { subject, reason } => {
                write!(f, "OCSP responder {subject:?} is not authorized: {reason}")
            }
            OcspError::BadSignature => f.write_str("bad OCSP signature: signature is invalid"),
            OcspError::UnsupportedSignature(d) => write!(f, "bad OCSP signature: {d}"),
            OcspError::NoMatchingResponse { serial } => write!(
                f,
                "no OCSP response matching the certificate with serial {serial}"
            ),
            OcspError::CertIdMismatch => f.write_str(
                "the OCSP response for the serial is for another issuer (CertID hashes differ)",
            ),
            OcspError::NotYetValid { this_update, now } => write!(
                f,
                "OCSP response is not yet valid: thisUpdate {} is after {}",
                this_update.to_rfc3339(),
                now.to_rfc3339()
            ),
            OcspError::Expired { next_update, now } => write!(
                f,
                "expired OCSP response: nextUpdate {} is before {}",
                next_update.to_rfc3339(),
                now.to_rfc3339()
            ),
            OcspError::UnknownCriticalExtension(oid) => {
                write!(f, "unsupported critical extension in OCSP response: {oid}")
            }
        }
    }
}

impl std::error::Error for OcspError {}

mod request;
mod response;

use request::public_key_bits;
pub use request::{request_der, request_der_with, request_get_suffix, CertIdHash};
use response::{parse, Basic};

/// The certificate that signed the response (RFC 6960 §4.2.2.2): the issuer when the responder
/// ID names it, else the certificate of `certs` it names, which must be issued by the issuer,
/// carry `id-kp-OCSPSigning` and be valid at `now`.
fn signer(basic: &Basic<'_>, issuer: &Certificate, now: Instant) -> Result<Certificate, OcspError> {
    if basic.responder.names(issuer) {
        return Ok(issuer.clone());
    }
    // Certificates that do not parse cannot be the signer; they are skipped like unrelated ones.
    let Some(responder) = basic
        .certs
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .find(|c| basic.responder.names(c))
    else {
        return Err(OcspError::ResponderNotFound);
    };
    let unauthorized = |reason: String| OcspError::UnauthorizedResponder {
        subject: responder.subject_rfc4514(),
        reason,
    };
    responder
        .verify_issued_by(issuer)
        .map_err(|e| unauthorized(e.to_string()))?;
    let ocsp_signing = responder
        .ext_key_usage()
        .is_some_and(|eku| eku.purposes.contains(&ID_KP_OCSP_SIGNING));
    if !ocsp_signing {
        return Err(unauthorized(
            "its extended key usage does not include OCSPSigning".into(),
        ));
    }
    if !responder.is_valid_at(now) {
        return Err(unauthorized(format!(
            "it is not valid at {} (valid from {} to {})",
            now.to_rfc3339(),
            responder.not_before().to_rfc3339(),
            responder.not_after().to_rfc3339()
        )));
    }
    Ok(responder)
}

/// Parses and checks one DER `OCSPResponse` (RFC 6960 §4.2.1) for `cert` issued by `issuer` at
/// `now`: the checks of the module documentation, in that order. `Ok` only when the response is
/// authentic, current and about `cert`; the status may still be revoked or unknown.
pub fn check_response(
    der: &[u8],
    cert: &Certificate,
    issuer: &Certificate,
    now: Instant,
) -> Result<OcspAnswer, OcspError> {
    if der.len() > MAX_OCSP_RESPONSE_BYTES {
        return Err(OcspError::TooLarge { len: der.len() });
    }
    let basic = parse(der)?;

    // §4.2.2.2 / §3.2 steps 2-3: the signer is authorized and its signature verifies.
    let signer = signer(&basic, issuer, now)?;
    let key = PublicKey::from_spki_der(signer.spki_der())
        .map_err(|e| OcspError::UnsupportedSignature(e.to_string()))?;
    let Some(signature) = basic.signature else {
        return Err(OcspError::BadSignature);
    };
    key.verify_x509(
        &basic.sig_alg.oid,
        basic.sig_alg.params,
        basic.tbs,
        signature,
    )
    .map_err(|e| match e {
        CryptoError::BadSignature => OcspError::BadSignature,
        other => OcspError::UnsupportedSignature(other.to_string()),
    })?;

    // §3.2 step 1 / §4.1.1: the SingleResponse for this certificate. The first with the serial
    // decides (as x/crypto/ocsp); its CertID must name this issuer.
    let Some(single) = basic.responses.iter().find(|s| s.serial == cert.serial()) else {
        return Err(OcspError::NoMatchingResponse {
            serial: cert.serial_hex(),
        });
    };
    let hash = match single.hash_alg {
        oid if oid == ID_SHA1 => CertIdHash::Sha1,
        oid if oid == ID_SHA256 => CertIdHash::Sha256,
        oid => return Err(OcspError::UnsupportedHashAlgorithm(oid)),
    };
    if single.name_hash != hash.digest(issuer.raw_subject()).as_slice()
        || single.key_hash != hash.digest(&public_key_bits(issuer)).as_slice()
    {
        return Err(OcspError::CertIdMismatch);
    }

    // §3.2 steps 4-5, §4.2.2.1: current within the skew.
    if single.this_update > now.add_seconds(MAX_CLOCK_SKEW_SECONDS) {
        return Err(OcspError::NotYetValid {
            this_update: single.this_update,
            now,
        });
    }
    if let Some(next) = single.next_update {
        if next < now.add_seconds(-MAX_CLOCK_SKEW_SECONDS) {
            return Err(OcspError::Expired {
                next_update: next,
                now,
            });
        }
    }
    Ok(OcspAnswer {
        status: single.status.clone(),
        this_update: single.this_update,
        next_update: single.next_update,
        produced_at: basic.produced_at,
    })
}

#[cfg(test)]
mod tests;
