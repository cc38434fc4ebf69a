//! [`Certificate`]: one parsed X.509 certificate with the fields the Notary rules read.

use const_oid::db::rfc5280 as oids;
use const_oid::ObjectIdentifier;
use core::fmt;
use der::asn1::{AnyRef, BitStringRef};
use der::{Decode, Reader, SliceReader, Tag, TagNumber, Tagged};

use super::asn1::{self, sequence_contents};
use super::name::go_name_string;
use super::{pem, CertError, SignatureError};
use crate::crypto::{CryptoError, PublicKey};
use crate::limits::{LimitExceeded, EXTENSIONS, NAME_RDNS, URLS};
use crate::time::Instant;

/// Go's `x509.KeyUsage` bit positions (RFC 5280 §4.2.1.3 order).
pub(crate) mod ku {
    /// digitalSignature (0).
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// keyEncipherment (2).
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment (3).
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement (4).
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign (5).
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (6).
    pub const CRL_SIGN: u16 = 1 << 6;
    /// encipherOnly (7).
    pub const ENCIPHER_ONLY: u16 = 1 << 7;
    /// decipherOnly (8).
    pub const DECIPHER_ONLY: u16 = 1 << 8;
}

/// The basicConstraints extension as Go reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BasicConstraints {
    /// `cA`.
    pub ca: bool,
    /// `pathLenConstraint` when encoded (Go's `MaxPathLen`, `MaxPathLenZero`).
    pub path_len: Option<i64>,
}

/// The keyUsage extension: Go's bit mask and the criticality flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KeyUsage {
    /// Bits 0..=8 (see [`ku`]).
    pub bits: u16,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// The extendedKeyUsage extension: purposes in encoding order and the criticality flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExtKeyUsage {
    /// The purposes, in encoding order.
    pub purposes: Vec<ObjectIdentifier>,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// Most certificate signatures remembered as verified.
const MAX_VERIFIED_SIGNATURES: usize = 256;

std::thread_local! {
    /// Certificate signatures already verified, as SHA-256 of (signer SPKI ‖ certificate DER):
    /// the key binds the exact signed bytes, signature and verifying key, so a remembered
    /// success can only stand for the very same check (a pure memo; no clock, no I/O).
    static VERIFIED_SIGNATURES: core::cell::RefCell<Vec<Vec<u8>>> =
        const { core::cell::RefCell::new(Vec::new()) };
}

fn verified_signature_key(signer_spki: &[u8], cert_der: &[u8]) -> Vec<u8> {
    let mut h = crate::crypto::IncrementalHash::new(crate::crypto::HashAlgorithm::Sha256);
    h.update(&(signer_spki.len() as u64).to_be_bytes());
    h.update(signer_spki);
    h.update(cert_der);
    h.finish()
}

/// An X.509 certificate: its DER bytes and the fields the Notary rules use
/// (signature-specification.md §Certificate Requirements), decoded once at parse time by the flat
/// walk in `asn1::certificate`.
///
/// Equality and hashing are over the DER bytes, which is how notation decides that a chain
/// certificate "is" a trusted certificate (docs/conformance.md §D5, threat 9b).
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    /// Version v3 (Go's `CheckSignatureFrom` treats v1/v2 issuers without basicConstraints as
    /// CAs, RFC 5280 §4.2.1.9).
    v3: bool,
    /// The serial number's INTEGER content bytes (leading ones stripped, as `der` reads them).
    serial: Vec<u8>,
    /// The outer signatureAlgorithm's OID (equal to the inner one, checked at parse time).
    sig_alg: ObjectIdentifier,
    /// The outer signatureAlgorithm's parameters TLV, as the signature check takes them.
    raw_sig_params: Option<Vec<u8>>,
    /// The signature BIT STRING's bytes; `None` when it has unused bits (then it never
    /// verifies, as in Go).
    signature: Option<Vec<u8>>,
    raw_tbs: Vec<u8>,
    raw_issuer: Vec<u8>,
    raw_subject: Vec<u8>,
    raw_spki: Vec<u8>,
    /// The subjectPublicKeyInfo algorithm OID and parameters TLV.
    spki_alg: ObjectIdentifier,
    spki_params: Option<Vec<u8>>,
    /// Every extension: OID, criticality, extnValue contents (unique OIDs, checked at parse).
    extensions: Vec<(ObjectIdentifier, bool, Vec<u8>)>,
    subject: String,
    issuer: String,
    not_before: Instant,
    not_after: Instant,
    basic_constraints: Option<BasicConstraints>,
    key_usage: Option<KeyUsage>,
    ext_key_usage: Option<ExtKeyUsage>,
    ocsp_urls: Vec<String>,
    crl_urls: Vec<String>,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl core::hash::Hash for Certificate {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.der.hash(state);
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("sha256", &self.thumbprint_sha256())
            .finish()
    }
}

mod ext;

pub(crate) use ext::parse_crl_distribution_points;
// pub(crate) for nv2::fuzz_api (feature `fuzzing`), which checks the EKU reader in the
// differential x509 target; the x509 module is still its only production caller.
pub(crate) use ext::parse_ext_key_usage;
use ext::{parse_aia_ocsp, parse_basic_constraints, parse_err, parse_key_usage};

/// freshestCRL (RFC 5280 §4.2.1.15, delta CRLs).
const ID_CE_FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");

impl Certificate {
    /// Parses exactly one DER certificate (no trailing data).
    ///
    /// Besides the ASN.1 structure this enforces what Go's `x509.ParseCertificate` enforces and
    /// nv2 relies on: the inner and outer signature algorithms agree, no extension appears twice,
    /// the interpreted extensions (basicConstraints, keyUsage, extendedKeyUsage, AIA, CRL
    /// distribution points) decode, and the names hold string values.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let f = asn1::certificate(der).map_err(parse_err("certificate"))?;
        // Both AlgorithmIdentifiers passed the strict DER walk, so equal values are equal bytes.
        if f.inner_sig_alg.raw != f.sig_alg.raw {
            return Err(CertError::Parse(
                "inner and outer signature algorithm identifiers don't match".into(),
            ));
        }
        for attrs in [&f.subject_attrs, &f.issuer_attrs] {
            LimitExceeded::check("x509.name.attributes", NAME_RDNS, attrs.len())
                .map_err(CertError::Limit)?;
        }
        let subject = go_name_string(&f.subject_attrs)?;
        let issuer = go_name_string(&f.issuer_attrs)?;

        let mut basic_constraints = None;
        let mut key_usage = None;
        let mut ext_key_usage = None;
        let mut ocsp_urls = Vec::new();
        let mut crl_urls = Vec::new();
        // Budgets (crate::limits): extensions and name attributes are counted before anything
        // is interpreted, and duplicates are found with a set, not by comparing each extension
        // with every earlier one (a leaf with 100 000 extensions took minutes).
        LimitExceeded::check("x509.extensions", EXTENSIONS, f.extensions.len())
            .map_err(CertError::Limit)?;
        if asn1::duplicate_extension(&f.extensions).is_some() {
            return Err(CertError::Parse(
                "certificate contains duplicate extensions".into(),
            ));
        }
        for ext in &f.extensions {
            let value = ext.value;
            if ext.id == oids::ID_CE_BASIC_CONSTRAINTS {
                basic_constraints =
                    Some(parse_basic_constraints(value).map_err(parse_err("basic constraints"))?);
            } else if ext.id == oids::ID_CE_KEY_USAGE {
                key_usage = Some(KeyUsage {
                    bits: parse_key_usage(value).map_err(parse_err("key usage"))?,
                    critical: ext.critical,
                });
            } else if ext.id == oids::ID_CE_EXT_KEY_USAGE {
                ext_key_usage = Some(ExtKeyUsage {
                    purposes: parse_ext_key_usage(value)
                        .map_err(parse_err("extended key usage"))?,
                    critical: ext.critical,
                });
            } else if ext.id == oids::ID_PE_AUTHORITY_INFO_ACCESS {
                ocsp_urls = parse_aia_ocsp(value).map_err(|e| CertError::Parse(e.to_string()))?;
            } else if ext.id == oids::ID_CE_CRL_DISTRIBUTION_POINTS {
                crl_urls = parse_crl_distribution_points(value)
                    .map_err(|e| CertError::Parse(e.to_string()))?;
            }
        }
        // Each URL may be matched against each of a CRL's scope URLs: both lists are budgeted.
        LimitExceeded::check("x509.urls", URLS, ocsp_urls.len().max(crl_urls.len()))
            .map_err(CertError::Limit)?;

        Ok(Certificate {
            der: der.to_vec(),
            v3: f.version == 2,
            serial: f.serial.to_vec(),
            sig_alg: f.sig_alg.oid,
            raw_sig_params: f.sig_alg.params.map(<[u8]>::to_vec),
            signature: f.signature.map(<[u8]>::to_vec),
            raw_tbs: f.tbs.to_vec(),
            raw_issuer: f.issuer.to_vec(),
            raw_subject: f.subject.to_vec(),
            raw_spki: f.spki.to_vec(),
            spki_alg: f.spki_alg.oid,
            spki_params: f.spki_alg.params.map(<[u8]>::to_vec),
            extensions: f
                .extensions
                .iter()
                .map(|e| (e.id, e.critical, e.value.to_vec()))
                .collect(),
            subject,
            issuer,
            not_before: f.not_before,
            not_after: f.not_after,
            basic_constraints,
            key_usage,
            ext_key_usage,
            ocsp_urls,
            crl_urls,
        })
    }

    /// Reads a certificate file the way notation-go does (trust-store-trust-policy.md §Trust
    /// Store): if the bytes contain a PEM block, every PEM block is read and must be a
    /// `CERTIFICATE` (text around blocks is ignored, as Go's `pem.Decode` does); otherwise the
    /// bytes are one or more concatenated DER certificates with nothing after the last. No
    /// certificate at all is an error.
    ///
    /// Stricter than notation-go: a PEM block with another label is refused instead of being
    /// parsed as a certificate regardless of its label.
    pub fn parse_pem_or_der(bytes: &[u8]) -> Result<Vec<Self>, CertError> {
        let mut certs = Vec::new();
        match pem::decode(bytes) {
            Some((first, mut rest)) => {
                let mut block = first;
                loop {
                    if block.label != "CERTIFICATE" {
                        return Err(CertError::Parse(format!(
                            "PEM block of type {:?} is not a certificate",
                            block.label
                        )));
                    }
                    certs.push(Self::from_der(&block.bytes)?);
                    match pem::decode(rest) {
                        Some((next, after)) => {
                            block = next;
                            rest = after;
                        }
                        None => break,
                    }
                }
            }
            None => {
                let mut reader = SliceReader::new(bytes).map_err(parse_err("certificate"))?;
                while !reader.is_finished() {
                    let tlv = reader.tlv_bytes().map_err(parse_err("certificate"))?;
                    certs.push(Self::from_der(tlv)?);
                }
            }
        }
        if certs.is_empty() {
            return Err(CertError::NoCertificates);
        }
        Ok(certs)
    }

    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The serial number's INTEGER content bytes (leading ones stripped, as `der` reads them).
    pub(crate) fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// Whether the certificate is v3 (RFC 5280 §4.1.2.1).
    pub(crate) fn is_v3(&self) -> bool {
        self.v3
    }

    /// The raw DER subject name.
    pub(crate) fn raw_subject(&self) -> &[u8] {
        &self.raw_subject
    }

    /// The subjectPublicKeyInfo algorithm: OID and parameters TLV.
    pub(crate) fn spki_algorithm(&self) -> (ObjectIdentifier, Option<&[u8]>) {
        (self.spki_alg, self.spki_params.as_deref())
    }

    /// SHA-256 thumbprint: lower-case hex over the DER (signature-specification.md §OCI Signatures
    /// (thumbprints), signature-specification.md §OCI Signatures).
    pub fn thumbprint_sha256(&self) -> String {
        crate::crypto::sha256_hex(&self.der)
    }

    /// The subject as Go's `pkix.Name.String()` renders it (what notation matches trusted
    /// identities against, trust-store-trust-policy.md §Trust Policy): RDNs reversed, short names
    /// for C, O, OU, CN, L, ST, STREET, POSTALCODE, SERIALNUMBER, other attributes as `OID=#hex`,
    /// RFC 4514 escaping.
    pub fn subject_rfc4514(&self) -> String {
        self.subject.clone()
    }

    /// The issuer, rendered like [`Certificate::subject_rfc4514`].
    pub fn issuer_rfc4514(&self) -> String {
        self.issuer.clone()
    }

    /// Start of the validity period.
    pub fn not_before(&self) -> Instant {
        self.not_before
    }

    /// End of the validity period.
    pub fn not_after(&self) -> Instant {
        self.not_after
    }

    /// Whether `t` is within the validity period, bounds included (docs/conformance.md §D7:
    /// `notBefore <= t <= notAfter`).
    pub fn is_valid_at(&self, t: Instant) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// The subject public key (RSA, or ECDSA P-256/384/521).
    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        PublicKey::from_spki_der(&self.raw_spki)
            .map_err(|e| CertError::Parse(format!("public key: {e}")))
    }

    /// The raw DER `SubjectPublicKeyInfo`.
    pub(crate) fn spki_der(&self) -> &[u8] {
        &self.raw_spki
    }

    /// Whether basicConstraints is present with `cA` true.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// Whether the certificate is self-signed: raw issuer equals raw subject and the signature
    /// verifies with its own key (SHA-1 refused, signature-specification.md §Signature Algorithm
    /// Requirements). Unlike a chain root, a self-signed end-entity certificate need not be a CA
    /// (trust-store-trust-policy.md §Trust Store: such certificates may be trust anchors).
    pub fn is_self_signed(&self) -> bool {
        self.raw_issuer == self.raw_subject && self.check_signature(self).is_ok()
    }

    /// The serial number as lower-case hex of its DER content bytes.
    pub fn serial_hex(&self) -> String {
        crate::crypto::hex(&self.serial)
    }

    /// OCSP responder URLs from the Authority Information Access extension
    /// (trust-store-trust-policy.md §Certificate Revocation Evaluation).
    pub fn ocsp_urls(&self) -> Vec<String> {
        self.ocsp_urls.clone()
    }

    /// CRL URLs from the CRL distribution points extension (`fullName` URIs,
    /// trust-store-trust-policy.md §Certificate Revocation Evaluation).
    pub fn crl_urls(&self) -> Vec<String> {
        self.crl_urls.clone()
    }

    /// The value and criticality of the extension `oid`, if present (extensions are unique,
    /// checked at parse time).
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<(&[u8], bool)> {
        self.extensions
            .iter()
            .find(|e| e.0 == *oid)
            .map(|e| (e.2.as_slice(), e.1))
    }

    /// Delta-CRL URLs from the freshestCRL extension (2.5.29.46, RFC 5280 §4.2.1.15), parsed as
    /// notation-core-go does (same syntax as CRL distribution points). Empty when absent; an
    /// error (Go's message) when malformed — unlike the other extensions, a malformed
    /// freshestCRL does not make the certificate unparsable, as in Go.
    pub fn freshest_crl_urls(&self) -> Result<Vec<String>, CertError> {
        match self.extension(&ID_CE_FRESHEST_CRL) {
            Some((value, _)) => parse_crl_distribution_points(value),
            None => Ok(Vec::new()),
        }
    }

    /// Checks that `issuer` issued this certificate (signature-specification.md §Other
    /// requirements), as notation-core-go's `isIssuedBy`: first Go's `CheckSignatureFrom` (the
    /// issuer may sign certificates — v3 with basicConstraints `cA` true, or a v1/v2 certificate;
    /// keyUsage, if any, has keyCertSign — and its key verifies the signature, SHA-1 refused), then
    /// the raw issuer name of this certificate equals the raw subject name of `issuer`.
    pub fn verify_issued_by(&self, issuer: &Certificate) -> Result<(), CertError> {
        match self.is_issued_by(issuer) {
            Ok(true) => Ok(()),
            Ok(false) => Err(CertError::NotIssuedBy {
                subject: self.subject.clone(),
                issuer: issuer.subject.clone(),
                reason: None,
            }),
            Err(reason) => Err(CertError::NotIssuedBy {
                subject: self.subject.clone(),
                issuer: issuer.subject.clone(),
                reason: Some(reason),
            }),
        }
    }

    /// notation-core-go `isIssuedBy`: `Err` when `CheckSignatureFrom` fails, `Ok(false)` when the
    /// signature is fine but the names differ.
    pub(crate) fn is_issued_by(&self, issuer: &Certificate) -> Result<bool, SignatureError> {
        self.check_signature_from(issuer)?;
        Ok(issuer.raw_subject == self.raw_issuer)
    }

    /// The raw DER issuer name (what CMS `IssuerAndSerialNumber` is compared with, byte for
    /// byte as Go does, trust-store-trust-policy.md §Signature Verification step "Validate
    /// Authentic Timestamp").
    pub(crate) fn raw_issuer(&self) -> &[u8] {
        &self.raw_issuer
    }

    /// Whether the raw issuer and subject names are equal (byte comparison, as Go).
    pub(crate) fn is_self_issued(&self) -> bool {
        self.raw_issuer == self.raw_subject
    }

    /// Go's `CheckSignatureFrom(parent)`: RFC 5280 §4.2.1.9 / §4.2.1.3 constraints on the parent,
    /// then the signature with SHA-1 refused.
    pub(crate) fn check_signature_from(&self, parent: &Certificate) -> Result<(), SignatureError> {
        let v3 = parent.v3;
        let not_ca = match parent.basic_constraints {
            None => v3,
            Some(bc) => !bc.ca,
        };
        if not_ca {
            return Err(SignatureError::ParentNotCa);
        }
        if let Some(k) = parent.key_usage {
            if k.bits != 0 && k.bits & ku::KEY_CERT_SIGN == 0 {
                return Err(SignatureError::ParentNotCa);
            }
        }
        self.check_signature(parent)
    }

    /// Go's `CheckSignature` with `signer`'s key (no CA requirement). SHA-1 and MD5 signatures
    /// are refused (signature-specification.md §Signature Algorithm Requirements; stricter than Go,
    /// which accepts SHA-1 here).
    ///
    /// A signature that verified once is remembered (see [`VERIFIED_SIGNATURES`]), so the same
    /// intermediates and roots behind many artifacts are not verified again on every call.
    pub(crate) fn check_signature(&self, signer: &Certificate) -> Result<(), SignatureError> {
        let alg = &self.sig_alg;
        if let Some(name) = insecure_algorithm_name(alg) {
            return Err(SignatureError::InsecureAlgorithm(name));
        }
        let memo = verified_signature_key(&signer.raw_spki, &self.der);
        if VERIFIED_SIGNATURES.with(|v| v.borrow().contains(&memo)) {
            return Ok(());
        }
        self.check_signature_uncached(signer, alg)?;
        VERIFIED_SIGNATURES.with(|v| {
            let mut v = v.borrow_mut();
            if v.len() >= MAX_VERIFIED_SIGNATURES {
                v.remove(0);
            }
            v.push(memo);
        });
        Ok(())
    }

    fn check_signature_uncached(
        &self,
        signer: &Certificate,
        alg: &ObjectIdentifier,
    ) -> Result<(), SignatureError> {
        let key = PublicKey::from_spki_der(&signer.raw_spki)
            .map_err(|e| SignatureError::Unsupported(e.to_string()))?;
        // The parameters' own DER bytes, kept at parse time: no re-encoding (no DER encoder in
        // the wasm for it).
        let params = self.raw_sig_params.as_deref();
        let rsa = matches!(key, PublicKey::Rsa(_));
        let Some(signature) = self.signature.as_deref() else {
            return Err(SignatureError::BadSignature { rsa });
        };
        key.verify_x509(alg, params, &self.raw_tbs, signature)
            .map_err(|e| match e {
                CryptoError::BadSignature => SignatureError::BadSignature { rsa },
                other => SignatureError::Unsupported(other.to_string()),
            })
    }

    /// basicConstraints, when present.
    pub(crate) fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.basic_constraints
    }

    /// keyUsage, when present.
    pub(crate) fn key_usage(&self) -> Option<KeyUsage> {
        self.key_usage
    }

    /// extendedKeyUsage, when present.
    pub(crate) fn ext_key_usage(&self) -> Option<&ExtKeyUsage> {
        self.ext_key_usage.as_ref()
    }
}

/// Go's name for SHA-1 / MD5 based signature algorithms (`x509.InsecureAlgorithmError`).
fn insecure_algorithm_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    const MD2_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.2");
    const MD5_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4");
    const SHA1_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
    const SHA1_RSA_OIW: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.29");
    const DSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.3");
    const ECDSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
    match *oid {
        o if o == MD2_RSA => Some("MD2-RSA"),
        o if o == MD5_RSA => Some("MD5-RSA"),
        o if o == SHA1_RSA || o == SHA1_RSA_OIW => Some("SHA1-RSA"),
        o if o == DSA_SHA1 => Some("DSA-SHA1"),
        o if o == ECDSA_SHA1 => Some("ECDSA-SHA1"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod extension_tests;
