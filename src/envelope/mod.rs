//! Signature envelopes: JWS (`application/jose+json`, signature-envelope-jws.md) and COSE_Sign1
//! (`application/cose`, signature-envelope-cose.md).
//!
//! Parse, don't validate, with a typestate: [`UnverifiedEnvelope::parse`] turns wire bytes into
//! typed header values and rejects every structural rule violation; only
//! [`UnverifiedEnvelope::verify_integrity`] — which checks the signature with the leaf key and the
//! algorithm derived from it — yields a [`VerifiedEnvelope`], the only type that exposes the
//! payload (notation-core-go: "content is trusted only after the successful call to Verify").
//!
//! Certificate-chain profile rules (signature-specification.md §Certificate Requirements) are
//! applied by the verifier on top of this, as part of the same integrity check.

use core::fmt;

use crate::crypto::{CryptoError, PublicKey, SignatureAlgorithm};
use crate::encoding::EncodingError;
use crate::error::ErrorCode;
use crate::limits::LimitExceeded;
use crate::payload::MEDIA_TYPE_PAYLOAD;
use crate::time::Instant;

pub(crate) mod cbor;
pub mod cose;
pub(crate) mod headers;
pub mod jws;

/// Largest envelope accepted (threat model 13: envelope ≤ 32 MiB, as notation's fetch limit).
pub const MAX_ENVELOPE_SIZE: usize = 32 * 1024 * 1024;

/// Most certificates accepted in an envelope's chain (threat model 9, 13).
pub(crate) const MAX_CERT_CHAIN_LEN: usize = crate::limits::CHAIN_CERTIFICATES;

/// Media type of a JWS envelope (signature-envelope-jws.md).
pub const MEDIA_TYPE_JWS: &str = "application/jose+json";
/// Media type of a COSE_Sign1 envelope (signature-envelope-cose.md).
pub const MEDIA_TYPE_COSE: &str = "application/cose";

/// The two envelope formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeFormat {
    /// Flattened JWS JSON serialization.
    Jws,
    /// COSE_Sign1_Tagged.
    Cose,
}

impl EnvelopeFormat {
    /// The format for an envelope media type; anything else is unsupported
    /// (signature-specification.md §OCI Signatures).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            MEDIA_TYPE_JWS => Some(EnvelopeFormat::Jws),
            MEDIA_TYPE_COSE => Some(EnvelopeFormat::Cose),
            _ => None,
        }
    }

    /// The format named `jws` or `cose` (notation's `--signature-format` values).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "jws" => Some(EnvelopeFormat::Jws),
            "cose" => Some(EnvelopeFormat::Cose),
            _ => None,
        }
    }

    /// The envelope media type.
    pub fn media_type(self) -> &'static str {
        match self {
            EnvelopeFormat::Jws => MEDIA_TYPE_JWS,
            EnvelopeFormat::Cose => MEDIA_TYPE_COSE,
        }
    }
}

/// The signing scheme (signature-envelope-jws.md §Protected Headers
/// `io.cncf.notary.signingScheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigningScheme {
    /// `notary.x509`: signing time is unauthenticated; trust anchors from `ca` stores.
    X509,
    /// `notary.x509.signingAuthority`: authentic signing time; anchors from `signingAuthority`.
    X509SigningAuthority,
}

impl SigningScheme {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            SigningScheme::X509 => "notary.x509",
            SigningScheme::X509SigningAuthority => "notary.x509.signingAuthority",
        }
    }

    /// The scheme named by a header value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "notary.x509" => Some(SigningScheme::X509),
            "notary.x509.signingAuthority" => Some(SigningScheme::X509SigningAuthority),
            _ => None,
        }
    }
}

/// An extended (non-Notary-reserved) protected header attribute (signature-specification.md
/// §Extended attributes).
#[derive(Clone, Debug, PartialEq)]
pub struct ExtendedAttribute {
    /// Header name (JWS) or label rendered as text (COSE).
    pub key: String,
    /// Whether the signer listed it in `crit`.
    pub critical: bool,
    /// Its value as JSON (COSE values are converted).
    pub value: serde_json::Value,
}

/// The signed (protected) attributes of an envelope, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedAttributes {
    /// `alg`, as declared by the signer; must equal the algorithm derived from the leaf key.
    pub algorithm: SignatureAlgorithm,
    /// `cty` / COSE label 3: must be the Notary payload media type for integrity to pass.
    pub content_type: String,
    /// `io.cncf.notary.signingScheme`.
    pub signing_scheme: SigningScheme,
    /// `io.cncf.notary.signingTime` (notary.x509 only; unauthenticated, never used for trust).
    pub signing_time: Option<Instant>,
    /// `io.cncf.notary.authenticSigningTime` (notary.x509.signingAuthority only).
    pub authentic_signing_time: Option<Instant>,
    /// `io.cncf.notary.expiry`.
    pub expiry: Option<Instant>,
    /// `io.cncf.notary.verificationPlugin`, when present (critical).
    pub verification_plugin: Option<String>,
    /// `io.cncf.notary.verificationPluginMinVersion`, when present (critical).
    pub verification_plugin_min_version: Option<String>,
    /// Every other protected attribute.
    pub extended_attributes: Vec<ExtendedAttribute>,
}

/// An envelope whose structure has been checked but whose signature has not.
///
/// Its payload is deliberately not reachable: call [`UnverifiedEnvelope::verify_integrity`].
#[derive(Clone, Debug)]
pub struct UnverifiedEnvelope {
    pub(crate) format: EnvelopeFormat,
    pub(crate) signed: SignedAttributes,
    /// DER certificates from `x5c` / COSE label 33, leaf first.
    pub(crate) cert_chain: Vec<Vec<u8>>,
    /// The primitive signature bytes (JWS decoded `signature`; COSE signature bstr).
    pub(crate) signature: Vec<u8>,
    /// The exact bytes the signature covers (JWS signing input; COSE Sig_structure).
    pub(crate) to_be_signed: Vec<u8>,
    /// Raw payload bytes (untrusted until verified).
    pub(crate) payload: Vec<u8>,
    /// `io.cncf.notary.timestampSignature` (RFC 3161 TimeStampToken DER), unsigned attribute.
    pub(crate) timestamp_token: Option<Vec<u8>>,
    /// `io.cncf.notary.signingAgent`, informational only.
    pub(crate) signing_agent: Option<String>,
}

impl UnverifiedEnvelope {
    /// The envelope format.
    pub fn format(&self) -> EnvelopeFormat {
        self.format
    }
    /// The typed signed attributes (still unauthenticated).
    pub fn signed_attributes(&self) -> &SignedAttributes {
        &self.signed
    }
    /// DER certificates, leaf first.
    pub fn cert_chain(&self) -> &[Vec<u8>] {
        &self.cert_chain
    }
    /// The primitive signature bytes (what an RFC 3161 timestamp stamps,
    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp").
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
    /// The RFC 3161 countersignature, if any.
    pub fn timestamp_token(&self) -> Option<&[u8]> {
        self.timestamp_token.as_deref()
    }
    /// The signing agent string, if any (never validated).
    pub fn signing_agent(&self) -> Option<&str> {
        self.signing_agent.as_deref()
    }
}

/// An envelope whose signature verified under its leaf certificate's key with the algorithm that
/// key dictates. Only this type exposes the payload.
#[derive(Clone, Debug)]
pub struct VerifiedEnvelope {
    pub(crate) inner: UnverifiedEnvelope,
}

impl VerifiedEnvelope {
    /// The envelope (headers, chain, signature).
    pub fn envelope(&self) -> &UnverifiedEnvelope {
        &self.inner
    }
    /// The verified payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.inner.payload
    }
}

/// Why an envelope was refused. Every variant except [`EnvelopeError::UnsupportedMediaType`] and
/// [`EnvelopeError::Limit`] is an integrity failure (trust-store-trust-policy.md §Signature
/// Verification step "Validate Integrity"), enforced at every verification level.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The envelope media type is neither JWS nor COSE (signature-specification.md §OCI
    /// Signatures).
    UnsupportedMediaType(String),
    /// A base64 / base64url field is not in its strict canonical form (signature-envelope-jws.md
    /// §Signature Envelope, §Unprotected Headers, docs/conformance.md §D3).
    Base64 {
        /// The envelope member holding the value.
        field: &'static str,
        /// Position details.
        error: EncodingError,
    },
    /// A JSON document (envelope, header, payload) is malformed or has duplicate member names
    /// (docs/conformance.md §D2).
    Json {
        /// Which document.
        what: &'static str,
        /// What is wrong.
        error: EncodingError,
    },
    /// The envelope structure is wrong: missing or unknown member, wrong type, bad CBOR
    /// (signature-envelope-jws.md §Signature Envelope, signature-envelope-cose.md).
    Malformed(String),
    /// A header value is invalid (wrong type, bad time, blank plugin name;
    /// signature-envelope-jws.md §Protected Headers, signature-envelope-cose.md).
    InvalidHeader {
        /// Header name (or COSE label).
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A header that must not be present is present (the other scheme's time, `b64`, a
    /// case-variant of a registered name; signature-envelope-jws.md §Protected Headers,
    /// docs/conformance.md §D2).
    ForbiddenHeader(String),
    /// A required header is missing (signature-envelope-jws.md §Protected Headers).
    MissingHeader(String),
    /// `crit` is missing or empty (signature-envelope-jws.md §Protected Headers).
    MissingCrit,
    /// A `crit` entry names a header that is absent or may not be critical
    /// (signature-envelope-jws.md §Protected Headers).
    CriticalNotPresent(String),
    /// Headers that must be critical are not listed in `crit` (signature-envelope-jws.md §Protected
    /// Headers).
    NotMarkedCritical(Vec<String>),
    /// An extended attribute is critical but nv2 does not understand it and no verification
    /// plugin is named (signature-envelope-jws.md §Protected Headers, docs/conformance.md §D1).
    UnsupportedCriticalAttribute(String),
    /// The signing-time header is absent (signature-envelope-jws.md §Protected Headers).
    SigningTimeMissing,
    /// Expiry is not strictly after the signing time (signature-envelope-jws.md §Protected
    /// Headers).
    ExpiryNotAfterSigningTime,
    /// `alg` is not one of the six Notary algorithms (signature-envelope-jws.md §Protected Headers,
    /// signature-specification.md §Signature Algorithm Requirements).
    UnsupportedAlgorithm(String),
    /// `io.cncf.notary.signingScheme` is unknown (signature-envelope-jws.md §Protected Headers).
    UnsupportedSigningScheme(String),
    /// The content type is not the Notary payload type (signature-specification.md §Payload).
    UnsupportedContentType(String),
    /// The signing certificate cannot be decoded or its key is not allowed
    /// (signature-specification.md §Signature Algorithm Requirements).
    Certificate(String),
    /// The header algorithm differs from the one the signing key dictates
    /// (signature-specification.md §Signature Algorithm Requirements).
    AlgorithmMismatch {
        /// Derived from the leaf certificate's key.
        derived: SignatureAlgorithm,
        /// Declared in the header.
        declared: SignatureAlgorithm,
    },
    /// The signature does not verify (deliberately without detail).
    SignatureInvalid,
    /// The payload is not a JSON object (signature-envelope-jws.md §Protected Headers).
    PayloadNotObject,
    /// A structural budget (nesting depth, entry or certificate count; [`crate::limits`]) was
    /// exceeded (threat model 13a).
    Limit(LimitExceeded),
    /// The envelope is larger than [`MAX_ENVELOPE_SIZE`] (threat model 13b).
    TooLarge(String),
    /// Producing an envelope failed (invalid options, or the signature does not verify under the
    /// leaf key; threat model 3d).
    Signing(String),
}

impl EnvelopeError {
    /// Stable error code: `ERR_UNSUPPORTED_ENVELOPE`, `ERR_LIMIT` (size and structural budgets,
    /// JSON nesting included) or `ERR_SIGNATURE_INTEGRITY`. Production failures are `ERR_SIGNING`.
    pub fn code(&self) -> ErrorCode {
        match self {
            EnvelopeError::UnsupportedMediaType(_) => ErrorCode::UnsupportedEnvelope,
            // Threat model 13b: an envelope over the byte budget is refused before parsing; 13a:
            // so is one over a structural budget (docs/limits.md).
            EnvelopeError::TooLarge(_)
            | EnvelopeError::Limit(_)
            | EnvelopeError::Json {
                error: EncodingError::TooDeep,
                ..
            } => ErrorCode::Limit,
            EnvelopeError::Signing(_) => ErrorCode::Signing,
            _ => ErrorCode::SignatureIntegrity,
        }
    }

    pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> Self {
        EnvelopeError::InvalidHeader {
            name: name.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvelopeError::UnsupportedMediaType(m) => write!(
                f,
                "signature envelope format with media type {m:?} is not supported"
            ),
            EnvelopeError::Base64 { error, .. } => error.fmt(f),
            EnvelopeError::Json { what, error } => write!(f, "{what}: {error}"),
            EnvelopeError::Malformed(s) => write!(f, "malformed signature envelope: {s}"),
            EnvelopeError::InvalidHeader { name, reason } => {
                write!(f, "invalid {name:?} header: {reason}")
            }
            EnvelopeError::ForbiddenHeader(s) => f.write_str(s),
            EnvelopeError::MissingHeader(h) => write!(f, "missing {h:?} header"),
            EnvelopeError::MissingCrit => f.write_str("missing \"crit\" header"),
            EnvelopeError::CriticalNotPresent(h) => {
                write!(f, "{h:?} header is marked critical but not present")
            }
            EnvelopeError::NotMarkedCritical(v) => write!(
                f,
                "these required headers are not marked as critical: [{}]",
                v.join(" ")
            ),
            EnvelopeError::UnsupportedCriticalAttribute(h) => write!(
                f,
                "critical extended attribute {h:?} is not supported without a verification plugin"
            ),
            EnvelopeError::SigningTimeMissing => f.write_str("signing-time not present"),
            EnvelopeError::ExpiryNotAfterSigningTime => {
                f.write_str("expiry cannot be equal or before the signing time")
            }
            EnvelopeError::UnsupportedAlgorithm(a) => {
                write!(f, "signature algorithm {a:?} is not supported")
            }
            EnvelopeError::UnsupportedSigningScheme(s) => {
                write!(f, "signing scheme {s:?} is not supported")
            }
            EnvelopeError::UnsupportedContentType(c) => {
                write!(f, "payload content type {c:?} not supported")
            }
            EnvelopeError::Certificate(s) => f.write_str(s),
            EnvelopeError::AlgorithmMismatch { derived, declared } => write!(
                f,
                "mismatch between signature algorithm derived from signing certificate ({derived}) and signing algorithm specified ({declared})"
            ),
            EnvelopeError::SignatureInvalid => f.write_str("signature is invalid"),
            EnvelopeError::PayloadNotObject => f.write_str("payload is not a JSON object"),
            EnvelopeError::Limit(l) => l.fmt(f),
            EnvelopeError::TooLarge(s) => f.write_str(s),
            EnvelopeError::Signing(s) => write!(f, "failed to produce the envelope: {s}"),
        }
    }
}

impl std::error::Error for EnvelopeError {}

impl From<LimitExceeded> for EnvelopeError {
    fn from(l: LimitExceeded) -> Self {
        EnvelopeError::Limit(l)
    }
}

/// A certificate failure inside an envelope: a budget stays a budget (`ERR_LIMIT`), anything else
/// is the envelope's certificate failure, prefixed by `what`.
pub(crate) fn cert_failure(what: &str, e: crate::x509::CertError) -> EnvelopeError {
    match e {
        crate::x509::CertError::Limit(l) => EnvelopeError::Limit(l),
        e if what.is_empty() => EnvelopeError::Certificate(e.to_string()),
        e => EnvelopeError::Certificate(format!("{what}: {e}")),
    }
}

impl UnverifiedEnvelope {
    /// Parses an envelope of media type `media_type` (signature-specification.md §OCI Signatures):
    /// `application/jose+json` ([`jws::parse`], signature-envelope-jws.md) or `application/cose`
    /// ([`cose::parse`], signature-envelope-cose.md). Every structural rule is checked here; the
    /// signature is not.
    pub fn parse(media_type: &str, bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let format = EnvelopeFormat::from_media_type(media_type)
            .ok_or_else(|| EnvelopeError::UnsupportedMediaType(media_type.to_string()))?;
        if bytes.len() > MAX_ENVELOPE_SIZE {
            return Err(EnvelopeError::TooLarge(format!(
                "signature envelope of {} bytes exceeds the limit of {MAX_ENVELOPE_SIZE} bytes",
                bytes.len()
            )));
        }
        match format {
            EnvelopeFormat::Jws => jws::parse(bytes),
            EnvelopeFormat::Cose => cose::parse(bytes),
        }
    }

    /// Checks the envelope's integrity (trust-store-trust-policy.md §Signature Verification step
    /// "Validate Integrity", signature-specification.md §Signature Algorithm Requirements): decodes
    /// the leaf certificate (`x5c[0]` / `x5chain[0]`), derives the algorithm from its key, requires
    /// the header `alg` to equal it, requires the Notary payload content type, verifies the
    /// signature over the exact signed bytes, and requires the payload to be a JSON object.
    ///
    /// Certificate-chain profile rules (signature-specification.md §Certificate Requirements) are
    /// not checked here; the verifier applies them as part of the same integrity step.
    pub fn verify_integrity(self) -> Result<VerifiedEnvelope, EnvelopeError> {
        let leaf = self
            .cert_chain
            .first()
            .ok_or_else(|| EnvelopeError::Certificate("certificate chain is empty".into()))?;
        let key = leaf_public_key(leaf)?;
        let derived = key.notary_algorithm().map_err(|e| match e {
            CryptoError::UnsupportedKey(s) => EnvelopeError::Certificate(s),
            other => EnvelopeError::Certificate(other.to_string()),
        })?;
        if derived != self.signed.algorithm {
            return Err(EnvelopeError::AlgorithmMismatch {
                derived,
                declared: self.signed.algorithm,
            });
        }
        if self.signed.content_type != MEDIA_TYPE_PAYLOAD {
            return Err(EnvelopeError::UnsupportedContentType(
                self.signed.content_type.clone(),
            ));
        }
        key.verify_notary(derived, &self.to_be_signed, &self.signature)
            .map_err(|_| EnvelopeError::SignatureInvalid)?;
        // signature-envelope-jws.md §Protected Headers: the payload must be a JSON object (strict:
        // no duplicate members).
        match crate::encoding::parse_json_strict(&self.payload) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => return Err(EnvelopeError::PayloadNotObject),
            Err(error) => {
                return Err(EnvelopeError::Json {
                    what: "payload",
                    error,
                })
            }
        }
        Ok(VerifiedEnvelope { inner: self })
    }
}

/// What a producer needs to build an envelope, JWS ([`jws::prepare`], signature-envelope-jws.md) or
/// COSE ([`cose::prepare`], signature-envelope-cose.md).
#[derive(Clone, Debug)]
pub struct EnvelopeSigningOptions {
    /// The signature algorithm; must be the one the leaf certificate's key dictates
    /// (signature-specification.md §Signature Algorithm Requirements).
    pub algorithm: SignatureAlgorithm,
    /// The signing scheme (signature-envelope-jws.md §Protected Headers).
    pub signing_scheme: SigningScheme,
    /// Signing time, written as `io.cncf.notary.signingTime` (`notary.x509`) or
    /// `io.cncf.notary.authenticSigningTime` (`notary.x509.signingAuthority`), truncated to
    /// whole seconds (JWS: RFC 3339 UTC; COSE: tag 1 epoch seconds).
    pub signing_time: Instant,
    /// Optional expiry (critical); must be after the signing time.
    pub expiry: Option<Instant>,
    /// Optional `io.cncf.notary.signingAgent`.
    pub signing_agent: Option<String>,
    /// Extra protected attributes. Names must not be registered JWS names, Notary headers, or
    /// use the reserved `io.cncf.notary` prefix. A critical one makes the envelope unverifiable
    /// without a verification plugin (docs/conformance.md §D1).
    pub extended_attributes: Vec<ExtendedAttribute>,
    /// DER certificates, leaf first (signature-envelope-jws.md §Unprotected Headers `x5c`,
    /// signature-envelope-cose.md x5chain).
    pub cert_chain: Vec<Vec<u8>>,
}

/// The checks both producers make before building anything: a leaf certificate whose key
/// dictates `opts.algorithm` (signature-specification.md §Signature Algorithm Requirements), a
/// bounded chain, and an expiry after the signing time (signature-envelope-jws.md §Protected
/// Headers). Gives the leaf key and the two times truncated to whole seconds.
pub(crate) fn check_signing_options(
    opts: &EnvelopeSigningOptions,
) -> Result<(PublicKey, Instant, Option<Instant>), EnvelopeError> {
    let signing_err = |s: String| EnvelopeError::Signing(s);
    let leaf = opts
        .cert_chain
        .first()
        .ok_or_else(|| signing_err("the certificate chain is empty".into()))?;
    if opts.cert_chain.len() > MAX_CERT_CHAIN_LEN {
        return Err(signing_err(format!(
            "the certificate chain has more than {MAX_CERT_CHAIN_LEN} certificates"
        )));
    }
    let key = leaf_public_key(leaf).map_err(|e| signing_err(e.to_string()))?;
    let derived = key
        .notary_algorithm()
        .map_err(|e| signing_err(e.to_string()))?;
    if derived != opts.algorithm {
        return Err(signing_err(
            EnvelopeError::AlgorithmMismatch {
                derived,
                declared: opts.algorithm,
            }
            .to_string(),
        ));
    }
    // signature-envelope-jws.md §Protected Headers, signature-envelope-cose.md: signers write whole
    // seconds.
    let signing_time = opts.signing_time.truncate_to_seconds();
    let expiry = opts.expiry.map(|e| e.truncate_to_seconds());
    if let Some(e) = expiry {
        if e <= signing_time {
            return Err(signing_err(
                EnvelopeError::ExpiryNotAfterSigningTime.to_string(),
            ));
        }
    }
    Ok((key, signing_time, expiry))
}

/// Which optional Notary headers an envelope carries, for the `crit` rule.
pub(crate) struct PresentHeaders {
    pub(crate) signing_scheme: SigningScheme,
    pub(crate) authentic_signing_time: bool,
    pub(crate) expiry: bool,
    pub(crate) verification_plugin: bool,
    pub(crate) verification_plugin_min_version: bool,
}

// Defined here, not in `payload`, so the payload module does not depend on the envelope (the
// envelope carries a payload; a payload knows nothing of envelopes).
impl crate::payload::Payload {
    /// Decodes the payload of a verified envelope.
    pub fn from_verified(envelope: &VerifiedEnvelope) -> Result<Self, crate::oci::OciError> {
        Self::from_verified_bytes(envelope.payload())
    }
}

/// signature-envelope-jws.md §Protected Headers / signature-envelope-cose.md:
/// `io.cncf.notary.signingScheme` must be critical, and so must the authentic signing time
/// (signingAuthority scheme), the expiry and the plugin headers when present. One rule for both
/// envelope formats; `is_crit` says whether a header name is listed in `crit`.
pub(crate) fn check_required_critical(
    present: &PresentHeaders,
    is_crit: impl Fn(&str) -> bool,
) -> Result<(), EnvelopeError> {
    use headers::{
        HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_SCHEME,
        HEADER_VERIFICATION_PLUGIN, HEADER_VERIFICATION_PLUGIN_MIN_VERSION,
    };
    let mut required = vec![HEADER_SIGNING_SCHEME];
    if present.signing_scheme == SigningScheme::X509SigningAuthority
        && present.authentic_signing_time
    {
        required.push(HEADER_AUTHENTIC_SIGNING_TIME);
    }
    if present.expiry {
        required.push(HEADER_EXPIRY);
    }
    if present.verification_plugin {
        required.push(HEADER_VERIFICATION_PLUGIN);
    }
    if present.verification_plugin_min_version {
        required.push(HEADER_VERIFICATION_PLUGIN_MIN_VERSION);
    }
    let missing: Vec<String> = required
        .into_iter()
        .filter(|r| !is_crit(r))
        .map(str::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(EnvelopeError::NotMarkedCritical(missing))
    }
}

/// The public key of a DER certificate (its SubjectPublicKeyInfo), as a Notary key
/// (signature-specification.md §Signature Algorithm Requirements).
pub(crate) fn leaf_public_key(cert_der: &[u8]) -> Result<PublicKey, EnvelopeError> {
    let malformed = |e| cert_failure("malformed signing certificate", e);
    let spki_der = crate::x509::Certificate::from_der(cert_der).map_err(malformed)?;
    PublicKey::from_spki_der(spki_der.spki_der()).map_err(|e| match e {
        CryptoError::UnsupportedKey(s) => EnvelopeError::Certificate(s),
        other => EnvelopeError::Certificate(other.to_string()),
    })
}
