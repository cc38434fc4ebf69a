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

/// The hash of a `CertID` (RFC 6960 §4.1.1): the two accepted in responses, and the choice for
/// [`request_der_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertIdHash {
    /// `id-sha1` (RFC 3279 §2.2): what notation-core-go requests. Only a lookup key here, never
    /// a signature hash.
    Sha1,
    /// `id-sha256` (RFC 5754 §2): what [`request_der`] requests.
    Sha256,
}

impl CertIdHash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            CertIdHash::Sha1 => sha1::Sha1::digest(data).to_vec(),
            CertIdHash::Sha256 => HashAlgorithm::Sha256.digest(data),
        }
    }
}

/// The contents of a certificate's `subjectPublicKey` BIT STRING (RFC 6960 §4.1.1
/// `issuerKeyHash`, §4.2.1 `KeyHash`: "excluding the tag and length fields"), without the
/// unused-bits octet, as Go and OpenSSL hash it.
fn public_key_bits(cert: &Certificate) -> Vec<u8> {
    let bits = (|| -> der::Result<Vec<u8>> {
        let mut r = SliceReader::new(sequence_contents(cert.spki_der())?)?;
        alg_id(&mut r)?;
        Ok(BitStringRef::decode(&mut r)?.raw_bytes().to_vec())
    })();
    // The certificate's parse already walked this SPKI; an error cannot happen.
    bits.unwrap_or_default()
}

/// Appends a DER TLV with a definite, minimal length (X.690 §8.1.3, §10.1).
fn push_tlv(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let sig = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | sig.len() as u8);
        out.extend_from_slice(sig);
    }
    out.extend_from_slice(contents);
}

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(contents.len() + 4);
    push_tlv(&mut out, tag, contents);
    out
}

/// The DER `CertID` (RFC 6960 §4.1.1) of `cert` under `issuer` with `hash`: the
/// AlgorithmIdentifier with NULL parameters (as Go, OpenSSL and pyca `cryptography` write it),
/// the hash of the issuer's raw subject name, of its public key bits, and the serial.
fn cert_id(cert: &Certificate, issuer: &Certificate, hash: CertIdHash) -> Vec<u8> {
    let oid = match hash {
        CertIdHash::Sha1 => ID_SHA1,
        CertIdHash::Sha256 => ID_SHA256,
    };
    let mut alg = tlv(0x06, oid.as_bytes());
    push_tlv(&mut alg, 0x05, &[]);
    let mut id = tlv(0x30, &alg);
    push_tlv(&mut id, 0x04, &hash.digest(issuer.raw_subject()));
    push_tlv(&mut id, 0x04, &hash.digest(&public_key_bits(issuer)));
    push_tlv(&mut id, 0x02, cert.serial());
    tlv(0x30, &id)
}

/// The DER `OCSPRequest` (RFC 6960 §4.1.1) for `cert` issued by `issuer`: one `Request` whose
/// `CertID` is SHA-256 over the issuer's raw subject name and its `subjectPublicKey` BIT STRING
/// contents, with `cert`'s serial; version v1 (DEFAULT, so not encoded), no requestorName, no
/// extensions (no nonce) and no signature.
///
/// notation-core-go sends the same request but with a SHA-1 CertID (x/crypto/ocsp
/// `CreateRequest` with `crypto.SHA1`: its comment says the Microsoft, Entrust, Let's Encrypt and
/// some DigiCert responders did not answer SHA-256 CertIDs); a fetching layer that meets such a
/// responder can retry with [`request_der_with`] and [`CertIdHash::Sha1`]. Responses with either
/// hash are accepted by [`check_response`]. The bytes are those of pyca `cryptography`'s
/// `OCSPRequestBuilder` with `SHA256` (tests/revocation_ocsp.rs).
pub fn request_der(cert: &Certificate, issuer: &Certificate) -> Vec<u8> {
    request_der_with(cert, issuer, CertIdHash::Sha256)
}

/// [`request_der`] with the CertID hash chosen (RFC 6960 §4.1.1); with [`CertIdHash::Sha1`] the
/// request notation-core-go sends, byte for byte that of `openssl ocsp -no_nonce`
/// (tests/revocation_ocsp.rs).
pub fn request_der_with(cert: &Certificate, issuer: &Certificate, hash: CertIdHash) -> Vec<u8> {
    let request = tlv(0x30, &cert_id(cert, issuer, hash));
    let request_list = tlv(0x30, &request);
    let tbs_request = tlv(0x30, &request_list);
    tlv(0x30, &tbs_request)
}

/// The path segment of an OCSP GET (RFC 6960 Appendix A.1, RFC 5019 §5): the request in standard
/// base64 (with padding), then URL-encoded (`+`, `/`, `=` percent-encoded, as Go's
/// `url.QueryEscape`). Callers append it to the responder URL after a `/` when it is shorter
/// than [`MAX_GET_SUFFIX_LEN`] and POST the DER otherwise.
pub fn request_get_suffix(request_der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let b64 = Base64::encode_string(request_der);
    let mut out = String::with_capacity(b64.len() + 16);
    for c in b64.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    out
}

/// `ResponderID` (RFC 6960 §4.2.1): `byName [1] Name` or `byKey [2] KeyHash` (explicit tags: the
/// module is `DEFINITIONS EXPLICIT TAGS`, Appendix B.1).
enum ResponderId<'a> {
    ByName(&'a [u8]),
    ByKey(&'a [u8]),
}

impl ResponderId<'_> {
    /// Whether the responder ID designates `cert` (byName: raw subject bytes; byKey: SHA-1 of
    /// its public key bits).
    fn names(&self, cert: &Certificate) -> bool {
        match self {
            ResponderId::ByName(name) => *name == cert.raw_subject(),
            ResponderId::ByKey(hash) => *hash == CertIdHash::Sha1.digest(&public_key_bits(cert)),
        }
    }
}

/// One `SingleResponse` (RFC 6960 §4.2.1), decoded.
struct Single<'a> {
    hash_alg: ObjectIdentifier,
    name_hash: &'a [u8],
    key_hash: &'a [u8],
    serial: &'a [u8],
    status: OcspCertStatus,
    this_update: Instant,
    next_update: Option<Instant>,
}

/// `BasicOCSPResponse` (RFC 6960 §4.2.1), decoded.
struct Basic<'a> {
    tbs: &'a [u8],
    sig_alg: asn1::AlgId<'a>,
    signature: Option<&'a [u8]>,
    responder: ResponderId<'a>,
    produced_at: Instant,
    responses: Vec<Single<'a>>,
    certs: Vec<&'a [u8]>,
}

/// A failure while reading the response: a DER error (reported as [`OcspError::Malformed`] with
/// the part being read) or one of the checks' own errors.
enum Fail {
    Der(der::Error),
    Ocsp(OcspError),
}

impl From<der::Error> for Fail {
    fn from(e: der::Error) -> Self {
        Fail::Der(e)
    }
}

impl From<OcspError> for Fail {
    fn from(e: OcspError) -> Self {
        Fail::Ocsp(e)
    }
}

fn bad(what: &str) -> Fail {
    Fail::Ocsp(OcspError::Malformed(what.into()))
}

/// A reader over `contents`, which must hold one SEQUENCE and nothing else; the SEQUENCE's
/// contents.
fn only_seq(contents: &[u8]) -> der::Result<SliceReader<'_>> {
    let mut outer = SliceReader::new(contents)?;
    let inner = seq(&mut outer)?;
    outer.finish()?;
    Ok(inner)
}

/// OPTIONAL `[n] EXPLICIT Extensions`, checked: within the budget, no OID twice, no unknown
/// critical one (`known` lists the OIDs nv2 processes or may ignore). Returns the list.
fn checked_extensions<'a>(
    r: &mut SliceReader<'a>,
    what: &mut &'static str,
    n: u32,
    known: &[ObjectIdentifier],
) -> Result<Vec<asn1::Ext<'a>>, Fail> {
    *what = "extensions";
    let list = asn1::explicit_extensions(r, n)?;
    LimitExceeded::check("ocsp.extensions", EXTENSIONS, list.len()).map_err(OcspError::Budget)?;
    if let Some(id) = asn1::duplicate_extension(&list) {
        return Err(OcspError::Malformed(format!("duplicate extension {id}")).into());
    }
    if let Some(ext) = list.iter().find(|e| e.critical && !known.contains(&e.id)) {
        return Err(OcspError::UnknownCriticalExtension(ext.id).into());
    }
    Ok(list)
}

/// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
/// unknown [2] IMPLICIT UnknownInfo }` (RFC 6960 §4.2.1). The invalidity date is filled from the
/// single extensions later.
fn cert_status(r: &mut SliceReader<'_>, what: &mut &'static str) -> Result<OcspCertStatus, Fail> {
    *what = "certStatus";
    let any = AnyRef::decode(r)?;
    let tag = any.tag();
    if tag == ctx(0, false) && any.value().is_empty() {
        return Ok(OcspCertStatus::Good);
    }
    if tag == ctx(2, false) && any.value().is_empty() {
        return Ok(OcspCertStatus::Unknown);
    }
    if tag != ctx(1, true) {
        return Err(bad("certStatus: not good, revoked or unknown"));
    }
    *what = "revokedInfo";
    let mut info = SliceReader::new(any.value())?;
    let time = generalized_time(&mut info)?;
    let reason = match explicit(&mut info, 0)? {
        Some(v) => {
            // CRLReason ::= ENUMERATED (RFC 5280 §5.3.1).
            let mut v = SliceReader::new(v)?;
            let e = take(&mut v, Tag::Enumerated)?;
            v.finish()?;
            Some(e)
        }
        None => None,
    };
    info.finish()?;
    let reason = match reason {
        None => None,
        // 0..=10 without 7 (RFC 5280 §5.3.1: value 7 is not used).
        Some([code]) if *code <= 10 && *code != 7 => Some(*code),
        Some(_) => return Err(bad("certStatus: invalid revocation reason")),
    };
    Ok(OcspCertStatus::Revoked {
        time,
        reason,
        invalidity_date: None,
    })
}

fn single_response<'a>(
    r: &mut SliceReader<'a>,
    what: &mut &'static str,
) -> Result<Single<'a>, Fail> {
    *what = "SingleResponse";
    let mut s = seq(r)?;
    *what = "CertID";
    let mut id = seq(&mut s)?;
    let hash_alg = alg_id(&mut id)?.oid;
    let name_hash = take(&mut id, Tag::OctetString)?;
    let key_hash = take(&mut id, Tag::OctetString)?;
    let serial = asn1::serial(&mut id)?;
    id.finish()?;
    let mut status = cert_status(&mut s, what)?;
    *what = "thisUpdate";
    let this_update = generalized_time(&mut s)?;
    *what = "nextUpdate";
    let next_update = match explicit(&mut s, 0)? {
        Some(v) => Some(asn1::only_generalized_time(v)?),
        None => None,
    };
    let exts = checked_extensions(
        &mut s,
        what,
        1,
        &[
            ID_CE_INVALIDITY_DATE,
            ID_PKIX_OCSP_CRL,
            ID_PKIX_OCSP_ARCHIVE_CUTOFF,
        ],
    )?;
    *what = "SingleResponse";
    s.finish()?;
    if let OcspCertStatus::Revoked {
        invalidity_date, ..
    } = &mut status
    {
        if let Some(ext) = exts.iter().find(|e| e.id == ID_CE_INVALIDITY_DATE) {
            *what = "invalidityDate";
            *invalidity_date = Some(asn1::only_generalized_time(ext.value)?);
        }
    }
    Ok(Single {
        hash_alg,
        name_hash,
        key_hash,
        serial,
        status,
        this_update,
        next_update,
    })
}

/// `OCSPResponse` (RFC 6960 §4.2.1) down to the `BasicOCSPResponse`, with nothing after it. A
/// DER error is reported with the part being read (`what`).
fn parse(der: &[u8]) -> Result<Basic<'_>, OcspError> {
    let mut what = "OCSPResponse";
    match read(der, &mut what) {
        Ok(basic) => Ok(basic),
        Err(Fail::Der(e)) => Err(OcspError::Malformed(format!("{what}: {e}"))),
        Err(Fail::Ocsp(e)) => Err(e),
    }
}

fn read<'a>(der: &'a [u8], what: &mut &'static str) -> Result<Basic<'a>, Fail> {
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT OPTIONAL }
    let mut r = SliceReader::new(sequence_contents(der)?)?;
    let status = take(&mut r, Tag::Enumerated)?;
    let bytes = explicit(&mut r, 0)?;
    r.finish()?;
    match status {
        [0] => {}
        // ENUMERATED contents: one octet for 0..=127 (X.690 §8.4, §8.3.2 minimal).
        [code] if *code < 0x80 => {
            return Err(OcspError::Unsuccessful(OcspResponseStatus::from_code(*code)).into())
        }
        _ => return Err(bad("invalid responseStatus")),
    }
    let Some(bytes) = bytes else {
        return Err(bad("successful response without responseBytes"));
    };
    // ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
    *what = "ResponseBytes";
    let mut rb = only_seq(bytes)?;
    let kind = ObjectIdentifier::decode(&mut rb)?;
    let response = take(&mut rb, Tag::OctetString)?;
    rb.finish()?;
    if kind != ID_PKIX_OCSP_BASIC {
        return Err(OcspError::UnsupportedResponseType(kind).into());
    }

    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
    //   certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
    *what = "BasicOCSPResponse";
    let mut b = SliceReader::new(sequence_contents(response)?)?;
    *what = "ResponseData";
    let tbs = b.tlv_bytes()?;
    *what = "signatureAlgorithm";
    let sig_alg = alg_id(&mut b)?;
    *what = "signature";
    let signature = bit_string_bytes(&mut b)?;
    *what = "certs";
    let mut certs = Vec::new();
    if let Some(list) = explicit(&mut b, 0)? {
        let mut list = only_seq(list)?;
        while !list.is_finished() {
            let c = list.tlv_bytes()?;
            LimitExceeded::check("ocsp.certificates", OCSP_CERTIFICATES, certs.len() + 1)
                .map_err(OcspError::Budget)?;
            certs.push(c);
        }
    }
    *what = "BasicOCSPResponse";
    b.finish()?;

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, responderID,
    //   producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
    //   responseExtensions [1] EXPLICIT Extensions OPTIONAL }
    *what = "ResponseData";
    let mut t = SliceReader::new(sequence_contents(tbs)?)?;
    *what = "version";
    if let Some(v) = explicit(&mut t, 0)? {
        let mut v = SliceReader::new(v)?;
        let n = u8::decode(&mut v)?;
        v.finish()?;
        if n != 0 {
            return Err(OcspError::Malformed(format!("unsupported version {}", n + 1)).into());
        }
    }
    *what = "responderID";
    let any = AnyRef::decode(&mut t)?;
    let mut inner = SliceReader::new(any.value())?;
    let responder = match any.tag() {
        tag if tag == ctx(1, true) => {
            let name = inner.tlv_bytes()?;
            asn1::name_attributes(name)?;
            ResponderId::ByName(name)
        }
        tag if tag == ctx(2, true) => ResponderId::ByKey(take(&mut inner, Tag::OctetString)?),
        tag => return Err(asn1::unexpected(None, tag).into()),
    };
    inner.finish()?;
    *what = "producedAt";
    let produced_at = generalized_time(&mut t)?;
    *what = "responses";
    let mut list = seq(&mut t)?;
    let mut responses = Vec::new();
    while !list.is_finished() {
        LimitExceeded::check("ocsp.responses", OCSP_RESPONSES, responses.len() + 1)
            .map_err(OcspError::Budget)?;
        responses.push(single_response(&mut list, what)?);
    }
    checked_extensions(&mut t, what, 1, &[ID_PKIX_OCSP_NONCE])?;
    *what = "ResponseData";
    t.finish()?;
    Ok(Basic {
        tbs,
        sig_alg,
        signature,
        responder,
        produced_at,
        responses,
        certs,
    })
}

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
