//! Signature envelopes: JWS (`application/jose+json`, spec §3) and COSE_Sign1
//! (`application/cose`, spec §4).
//!
//! Parse, don't validate, with a typestate: [`UnverifiedEnvelope::parse`] turns wire bytes into
//! typed header values and rejects every structural rule violation; only
//! [`UnverifiedEnvelope::verify_integrity`] — which checks the signature with the leaf key and the
//! algorithm derived from it — yields a [`VerifiedEnvelope`], the only type that exposes the
//! payload (notation-core-go: "content is trusted only after the successful call to Verify").
//!
//! Certificate-chain profile rules (spec §6) are applied by the verifier on top of this, as part
//! of the same integrity check.

use crate::crypto::SignatureAlgorithm;
use crate::time::Instant;

/// Media type of a JWS envelope (spec §3).
pub const MEDIA_TYPE_JWS: &str = "application/jose+json";
/// Media type of a COSE_Sign1 envelope (spec §4).
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
    /// The format for an envelope media type; anything else is unsupported (spec §1.1).
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            MEDIA_TYPE_JWS => Some(EnvelopeFormat::Jws),
            MEDIA_TYPE_COSE => Some(EnvelopeFormat::Cose),
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

/// The signing scheme (spec §3.2 `io.cncf.notary.signingScheme`).
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

/// An extended (non-Notary-reserved) protected header attribute (spec §3.2 "any other name").
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
    /// The primitive signature bytes (what an RFC 3161 timestamp stamps, spec §8 step 6c).
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
