//! X.509 certificates and the Notary Project certificate rules (signature-specification.md
//! §Signature Algorithm Requirements, §Certificate Requirements).
//!
//! * [`Certificate`] wraps one DER certificate decoded by a flat DER walk (`asn1`), keeps the
//!   raw bytes Go compares (TBS, issuer and subject names, public key) and caches the three
//!   extensions the Notary rules interpret: basicConstraints, keyUsage and extendedKeyUsage
//!   (signature-specification.md §Certificate Requirements, "only basicConstraints, keyUsage and
//!   EKU are interpreted"), plus the revocation pointers (AIA OCSP, CRL distribution points) for
//!   the revocation step (trust-store-trust-policy.md §Certificate Revocation Evaluation).
//! * [`validate_code_signing_chain`] / [`validate_timestamping_chain`] implement
//!   signature-specification.md §Other requirements with the leaf and CA profiles, in
//!   notation-core-go's order of checks, so the first failure reported is the one notation reports.
//! * Every [`CertError`] renders as notation-core-go's message (subjects quoted as Go's `%q` of
//!   `pkix.Name.String()`), so the conformance vectors can compare text.
//!
//! Deliberate choices:
//! * SHA-1 (and MD5) certificate signatures are refused everywhere, including the single
//!   self-signed certificate case where notation-go still accepts SHA-1
//!   (signature-specification.md §Other requirements: the SPEC forbids SHA-1; we follow the SPEC).
//!   The message is Go's "insecure algorithm" text.
//! * Leaf EKU (docs/conformance.md §D9): the union of both lists is forbidden — notation-go's
//!   serverAuth, clientAuth, emailProtection, timeStamping, OCSPSigning, plus the SPEC's
//!   anyExtendedKeyUsage.
//! * Chains longer than [`MAX_CHAIN_LEN`] are refused before any signature work (threat 9, 13).
//! * A PEM block labelled other than `CERTIFICATE` in a certificate file is an error (notation-go
//!   parses every block as a certificate whatever its label).
//! * AIA and CRL distribution points are read with Go's leniency (non-URI names skipped), so every
//!   certificate Go parses for revocation also parses here; a malformed freshestCRL extension
//!   only fails [`Certificate::freshest_crl_urls`], as in notation-core-go.
//!
//! Not interpreted (signature-specification.md §Other requirements "only basicConstraints, keyUsage
//! and EKU"): name constraints, policy constraints and any other extension, critical or not.
//!
//! Parsing is bounded: all decoding goes through `der`'s reader and primitive decoders, which
//! return errors on hostile input; no code here indexes without a check.

pub(crate) mod asn1;
pub(crate) mod cert;
mod chain;
mod name;
pub(crate) mod pem;
mod profile;

#[cfg(test)]
pub(crate) mod testpki;

use core::fmt;

use crate::error::ErrorCode;
use crate::time::Instant;

pub(crate) use cert::parse_crl_distribution_points;
pub use cert::Certificate;

/// A DER `Name` rendered as Go's `pkix.Name.String()` renders it (the form trust policies and
/// messages use), e.g. for a CRL's issuer.
pub(crate) fn render_name(raw: &[u8]) -> Result<String, CertError> {
    let attrs = asn1::name_attributes(raw).map_err(|e| CertError::Parse(format!("name: {e}")))?;
    name::go_name_string(&attrs)
}
pub use chain::{validate_code_signing_chain, validate_timestamping_chain};
pub use profile::{validate_ca, validate_code_signing_leaf, validate_timestamping_leaf};

/// The longest certificate chain nv2 accepts (threat model 9 and 13: an `x5c` or TSA chain longer
/// than this is refused before any signature is checked).
pub const MAX_CHAIN_LEN: usize = 10;

/// Why a certificate signature check (Go's `CheckSignature` / `CheckSignatureFrom`) failed.
///
/// Display renders Go's `crypto/x509` message, since notation-core-go embeds it in its errors.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature does not verify under the issuer's key. `rsa` selects Go's message
    /// (`crypto/rsa: verification error` or `x509: ECDSA verification failure`).
    BadSignature {
        /// Whether the verifying key is RSA.
        rsa: bool,
    },
    /// The signature algorithm is SHA-1 or MD5 based (signature-specification.md §Signature
    /// Algorithm Requirements: forbidden).
    InsecureAlgorithm(&'static str),
    /// The would-be parent is not allowed to sign certificates: a v3 certificate without
    /// basicConstraints `cA=true`, or a keyUsage without keyCertSign (RFC 5280 §4.2.1.9, as Go's
    /// `CheckSignatureFrom`; signature-specification.md §Other requirements).
    ParentNotCa,
    /// The algorithm or key is not one nv2 can verify with.
    Unsupported(String),
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::BadSignature { rsa: true } => {
                f.write_str("crypto/rsa: verification error")
            }
            SignatureError::BadSignature { rsa: false } => {
                f.write_str("x509: ECDSA verification failure")
            }
            SignatureError::InsecureAlgorithm(name) => {
                write!(
                    f,
                    "x509: cannot verify signature: insecure algorithm {name}"
                )
            }
            SignatureError::ParentNotCa => f.write_str(
                "x509: invalid signature: parent certificate cannot sign this kind of certificate",
            ),
            SignatureError::Unsupported(detail) => write!(
                f,
                "x509: cannot verify signature: algorithm unimplemented ({detail})"
            ),
        }
    }
}

impl std::error::Error for SignatureError {}

/// A certificate that could not be decoded, or that breaks a Notary certificate rule
/// (signature-specification.md §Certificate Requirements).
///
/// Display is notation-core-go's message for the same failure; subjects and issuers are rendered
/// as Go's `pkix.Name.String()` ([`Certificate::subject_rfc4514`]), quoted as Go's `%q` where Go
/// quotes them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertError {
    /// signature-specification.md §Root and Intermediate CA Certificates: basicConstraints must be
    /// present with `cA` true.
    CaBasicConstraints {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// The chain has more than [`MAX_CHAIN_LEN`] certificates (threat model 9, 13a).
    ChainTooLong {
        /// Number of certificates supplied.
        len: usize,
    },
    /// signature-specification.md §Other requirements: a chain needs at least one certificate.
    EmptyChain,
    /// A structural budget of a certificate (extensions, names; [`crate::limits`]) was exceeded.
    Limit(crate::limits::LimitExceeded),
    /// signature-specification.md §Leaf Certificates: the EKU extension lists a purpose that is not
    /// allowed for the leaf (serverAuth, clientAuth, emailProtection, timeStamping, OCSPSigning,
    /// any; docs/conformance.md §D9).
    ForbiddenExtKeyUsage {
        /// Subject of the offending certificate.
        subject: String,
        /// Go's name of the purpose (`ServerAuth`, `OCSPSigning`, `Any`, ...).
        eku: &'static str,
    },
    /// signature-specification.md §Leaf Certificates: keyUsage has bits other than digitalSignature
    /// / nonRepudiation.
    ForbiddenKeyUsage {
        /// Subject of the offending certificate.
        subject: String,
        /// Go's names of the offending bits, in Go's order (`"CertSign"`, `"CRLSign"`, ...).
        usages: Vec<&'static str>,
    },
    /// signature-specification.md §Other requirements (validity at signing time): the certificate
    /// was not valid at the given time (bounds inclusive, docs/conformance.md §D7).
    InvalidAtSigningTime {
        /// Subject of the offending certificate.
        subject: String,
        /// The time checked.
        signing_time: Instant,
        /// The certificate's notBefore.
        not_before: Instant,
        /// The certificate's notAfter.
        not_after: Instant,
    },
    /// signature-specification.md §Other requirements (a chain of one certificate): the
    /// certificate's signature does not verify under its own key.
    InvalidSelfSigned {
        /// Subject of the offending certificate.
        subject: String,
        /// Why the signature check failed.
        reason: SignatureError,
    },
    /// signature-specification.md §Other requirements (a chain of one certificate): the certificate
    /// breaks the leaf rules.
    InvalidSelfSignedLeaf(Box<CertError>),
    /// signature-specification.md §Certificate Requirements: the keyUsage extension is absent (leaf
    /// and CA, code signing and timestamping).
    KeyUsageMissing {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Root and Intermediate CA Certificates: keyUsage lacks
    /// keyCertSign.
    KeyUsageMissingCertSign {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Leaf Certificates: keyUsage lacks digitalSignature.
    KeyUsageMissingDigitalSignature {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Leaf Certificates and §Root and Intermediate CA Certificates
    /// (code signing): keyUsage must be critical.
    KeyUsageNotCritical {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Leaf Certificates: basicConstraints, when present, must have
    /// `cA` false (threat 8: a CA certificate used as a signing certificate).
    LeafIsCa {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// An extension value does not decode; the text is Go's message (`x509: invalid CRL
    /// distribution point`, ...).
    MalformedExtension(&'static str),
    /// The input holds no certificate at all (trust-store-trust-policy.md §Trust Store file
    /// semantics).
    NoCertificates,
    /// signature-specification.md §Other requirements: certificate *i* is not issued by certificate
    /// *i+1* (signature, CA status or issuer/subject name mismatch; threat 9: extra or reordered
    /// certificates).
    NotIssuedBy {
        /// Subject of the child certificate.
        subject: String,
        /// Subject of the certificate that should have issued it.
        issuer: String,
        /// The signature failure; `None` when the signature verified but the names differ.
        reason: Option<SignatureError>,
    },
    /// The bytes are not a DER certificate (or PEM holding one).
    Parse(String),
    /// signature-specification.md §Root and Intermediate CA Certificates: `pathLenConstraint` is
    /// smaller than the number of CAs below.
    PathLen {
        /// Subject of the offending certificate.
        subject: String,
        /// Number of intermediate CAs below the certificate.
        expected: usize,
        /// The certificate's `pathLenConstraint`.
        actual: i64,
    },
    /// signature-specification.md §Other requirements: the last certificate's self-signature does
    /// not verify (or it may not sign certificates).
    RootInvalid {
        /// Subject of the offending certificate.
        subject: String,
        /// Why the signature check failed.
        reason: SignatureError,
    },
    /// signature-specification.md §Other requirements: the last certificate's signature verifies
    /// but its issuer and subject names differ.
    RootNotSelfIssued {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Other requirements (a chain of one certificate): issuer and
    /// subject names differ.
    SelfIssuedMismatch {
        /// Subject of the certificate.
        subject: String,
        /// Issuer of the certificate.
        issuer: String,
        /// Timestamping chains use Go's spacing variant of the message.
        timestamping: bool,
    },
    /// signature-specification.md §Other requirements: a self-signed certificate before the last
    /// position (threat 9).
    SelfSignedInChain {
        /// Subject of the offending certificate.
        subject: String,
        /// Whether it is the leaf (position 0) rather than an intermediate.
        leaf: bool,
    },
    /// signature-specification.md §Leaf Certificates (timestamping): EKU must be exactly
    /// `id-kp-timeStamping`.
    TimestampingEku {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Leaf Certificates (timestamping): the EKU extension must be
    /// critical.
    TimestampingEkuNotCritical {
        /// Subject of the offending certificate.
        subject: String,
    },
    /// signature-specification.md §Signature Algorithm Requirements / docs/conformance.md §D10: the
    /// leaf key is not RSA 2048/3072/4096 or EC P-256/384/521.
    UnsupportedKey {
        /// Subject of the offending certificate.
        subject: String,
        /// Go's reason (`rsa key size 1024 bits is not supported`, ...).
        reason: String,
    },
}

impl CertError {
    /// Stable error code: `ERR_PARSE` for undecodable input (and over-long chains, threat model
    /// 13a), `ERR_CERT_INVALID` for every certificate or chain rule violation.
    pub fn code(&self) -> ErrorCode {
        match self {
            CertError::Parse(_)
            | CertError::MalformedExtension(_)
            | CertError::NoCertificates
            | CertError::ChainTooLong { .. } => ErrorCode::Parse,
            CertError::Limit(_) => ErrorCode::Limit,
            _ => ErrorCode::CertInvalid,
        }
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CertError as E;
        match self {
            E::CaBasicConstraints { subject } => write!(
                f,
                "certificate with subject {}: ca field in basic constraints must be present, \
                 critical, and set to true",
                go_quote(subject)
            ),
            E::Limit(l) => l.fmt(f),
            E::ChainTooLong { len } => write!(
                f,
                "certificate chain has {len} certificates, more than the maximum of \
                 {MAX_CHAIN_LEN}"
            ),
            E::EmptyChain => f.write_str("certificate chain must contain at least one certificate"),
            E::ForbiddenExtKeyUsage { subject, eku } => write!(
                f,
                "certificate with subject {}: extended key usage must not contain {eku} eku",
                go_quote(subject)
            ),
            E::ForbiddenKeyUsage { subject, usages } => {
                let list: Vec<String> = usages.iter().map(|u| format!("\"{u}\"")).collect();
                write!(
                    f,
                    "the certificate with subject {} is invalid. The key usage must be \
                     \"Digital Signature\" only, but found {}",
                    go_quote(subject),
                    list.join(", ")
                )
            }
            E::InvalidAtSigningTime {
                subject,
                signing_time,
                not_before,
                not_after,
            } => write!(
                f,
                "certificate with subject {} was invalid at signing time of {}. Certificate is \
                 valid from [{}] to [{}]",
                go_quote(subject),
                go_time(signing_time),
                go_time(not_before),
                go_time(not_after)
            ),
            E::InvalidSelfSigned { subject, reason } => write!(
                f,
                "invalid self-signed certificate. subject: {}. Error: {reason}",
                go_quote(subject)
            ),
            E::InvalidSelfSignedLeaf(inner) => {
                write!(f, "invalid self-signed certificate. Error: {inner}")
            }
            E::KeyUsageMissingCertSign { subject } => write!(
                f,
                "certificate with subject {}: key usage must have the bit positions for key cert \
                 sign set",
                go_quote(subject)
            ),
            E::KeyUsageMissingDigitalSignature { subject } => write!(
                f,
                "the certificate with subject {} is invalid. The key usage must have the bit \
                 positions for \"Digital Signature\" set",
                go_quote(subject)
            ),
            E::KeyUsageMissing { subject } => write!(
                f,
                "certificate with subject {}: key usage extension must be present",
                go_quote(subject)
            ),
            E::KeyUsageNotCritical { subject } => write!(
                f,
                "certificate with subject {}: key usage extension must be marked critical",
                go_quote(subject)
            ),
            E::LeafIsCa { subject } => write!(
                f,
                "certificate with subject {}: if the basic constraints extension is present, the \
                 ca field must be set to false",
                go_quote(subject)
            ),
            E::MalformedExtension(msg) => f.write_str(msg),
            E::NoCertificates => f.write_str("no x509 certificates were found"),
            E::NotIssuedBy {
                subject,
                issuer,
                reason: Some(reason),
            } => write!(
                f,
                "invalid certificates or certificate with subject {} is not issued by {}. \
                 Error: {reason}",
                go_quote(subject),
                go_quote(issuer)
            ),
            E::NotIssuedBy {
                subject,
                issuer,
                reason: None,
            } => write!(
                f,
                "certificate with subject {} is not issued by {}",
                go_quote(subject),
                go_quote(issuer)
            ),
            E::Parse(detail) => write!(f, "x509: malformed certificate: {detail}"),
            E::PathLen {
                subject,
                expected,
                actual,
            } => write!(
                f,
                "certificate with subject {}: expected path length of {expected} but certificate \
                 has path length {actual} instead",
                go_quote(subject)
            ),
            E::RootInvalid { subject, reason } => write!(
                f,
                "root certificate with subject {} is invalid or not self-signed. Certificate \
                 chain must end with a valid self-signed root certificate. Error: {reason}",
                go_quote(subject)
            ),
            E::RootNotSelfIssued { subject } => write!(
                f,
                "root certificate with subject {} is not self-signed. Certificate chain must end \
                 with a valid self-signed root certificate",
                go_quote(subject)
            ),
            E::SelfIssuedMismatch {
                subject,
                issuer,
                timestamping,
            } => {
                // notation-core-go spells the two chain validators differently.
                let sp = if *timestamping { " " } else { "" };
                write!(
                    f,
                    "invalid self-signed certificate. subject: {}. Error: issuer{sp}({issuer}) \
                     and subject{sp}({subject}) are not the same",
                    go_quote(subject)
                )
            }
            E::SelfSignedInChain {
                subject,
                leaf: true,
            } => write!(
                f,
                "leaf certificate with subject {} is self-signed. Certificate chain must not \
                 contain self-signed leaf certificate",
                go_quote(subject)
            ),
            E::SelfSignedInChain {
                subject,
                leaf: false,
            } => write!(
                f,
                "intermediate certificate with subject {} is self-signed. Certificate chain must \
                 not contain self-signed intermediate certificate",
                go_quote(subject)
            ),
            E::TimestampingEku { subject } => write!(
                f,
                "timestamp signing certificate with subject {} must have and only have \
                 Timestamping as extended key usage",
                go_quote(subject)
            ),
            E::TimestampingEkuNotCritical { subject } => write!(
                f,
                "timestamp signing certificate with subject {} must have extended key usage \
                 extension marked as critical",
                go_quote(subject)
            ),
            E::UnsupportedKey { subject, reason } => {
                write!(
                    f,
                    "certificate with subject {}: {reason}",
                    go_quote(subject)
                )
            }
        }
    }
}

impl std::error::Error for CertError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CertError::InvalidSelfSigned { reason, .. } | CertError::RootInvalid { reason, .. } => {
                Some(reason)
            }
            CertError::NotIssuedBy {
                reason: Some(reason),
                ..
            } => Some(reason),
            CertError::InvalidSelfSignedLeaf(inner) => Some(inner.as_ref()),
            _ => None,
        }
    }
}

/// Go's `strconv.Quote` (what `%q` prints): double quotes, backslash escapes for `"` and `\`,
/// C-style escapes for control characters, `\u`/`\U` for other non-printable characters.
///
/// Go's notion of "printable" is Unicode's L/M/N/P/S categories plus U+0020; without a Unicode
/// category table this approximates it by treating control characters, whitespace other than
/// U+0020 and the common format characters (bidi controls, zero-width characters, BOM) as
/// non-printable, which covers every character that could mislead a reader (threat 18).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_is_print(c) => out.push(c),
            c if u32::from(c) < 0x80 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Approximation of Go's `strconv.IsPrint` (see [`go_quote`]).
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(
        u32::from(c),
        0xAD | 0x600..=0x605
            | 0x61C
            | 0x6DD
            | 0x70F
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0xE000..=0xF8FF
    )
}

/// Go's `time.Time.String()` for a UTC time: `2006-01-02 15:04:05[.fraction] +0000 UTC`, the
/// fraction without trailing zeros (notation-core-go prints signing-time errors this way).
pub(crate) fn go_time(t: &Instant) -> String {
    let (y, mo, d, h, mi, s) = t.to_utc();
    let mut out = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
    let nanos = t.subsec_nanos();
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push_str(" +0000 UTC");
    out
}

#[cfg(test)]
mod tests;
