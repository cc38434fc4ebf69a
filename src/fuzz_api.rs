//! Entry points for the cargo-fuzz targets (`fuzz/`) and the regression test
//! (`src/fuzz_api/regressions.rs`), behind the `fuzzing` cargo feature (docs/fuzzing.md).
//!
//! Each function feeds untrusted bytes to one parser exactly as production code does, and
//! returns only owned, plain values (booleans, strings, byte vectors), so no crate-internal type
//! becomes public: the normal public API is unchanged with the feature off, and with it on only
//! this module is added. Panics are the fuzzers' findings; returned errors are not.

use crate::envelope::{UnverifiedEnvelope, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS};
use crate::x509::asn1::{self, AlgId, Attribute, Ext};

/// A JWS envelope through parsing and the integrity check (signature-envelope-jws.md), as
/// `verify` sees it. `Ok` when the envelope verified.
pub fn envelope_jws(bytes: &[u8]) -> Result<(), String> {
    envelope(MEDIA_TYPE_JWS, bytes)
}

/// A COSE_Sign1 envelope through parsing and the integrity check (signature-envelope-cose.md).
pub fn envelope_cose(bytes: &[u8]) -> Result<(), String> {
    envelope(MEDIA_TYPE_COSE, bytes)
}

fn envelope(media_type: &str, bytes: &[u8]) -> Result<(), String> {
    let env = UnverifiedEnvelope::parse(media_type, bytes).map_err(|e| e.to_string())?;
    // The accessors the verifier reads before the signature is checked.
    let _ = (
        env.signed_attributes(),
        env.timestamp_token(),
        env.signing_agent(),
    );
    for der in env.cert_chain() {
        let _ = crate::x509::Certificate::from_der(der);
    }
    let verified = env.verify_integrity().map_err(|e| e.to_string())?;
    let _ = crate::Payload::from_verified(&verified);
    Ok(())
}

/// The strict CBOR reader (RFC 8949 §4.2 deterministic encoding, src/envelope/cbor.rs).
pub fn cbor(bytes: &[u8]) -> Result<(), String> {
    crate::envelope::cbor::decode_all(bytes)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// An `AlgorithmIdentifier` as the flat walk read it: OID (dotted), parameters TLV, whole TLV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgView {
    /// Dotted OID.
    pub oid: String,
    /// The parameters' TLV, when present.
    pub params: Option<Vec<u8>>,
    /// The whole `AlgorithmIdentifier` TLV.
    pub raw: Vec<u8>,
}

/// A name attribute: OID (dotted), value tag (`der::Tag`'s `Debug` form), value contents.
pub type AttrView = (String, String, Vec<u8>);
/// An extension: OID (dotted), critical, `extnValue` contents.
pub type ExtView = (String, bool, Vec<u8>);

/// The certificate fields the flat DER walk (src/x509/asn1.rs) reads, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertView {
    /// 0 (v1), 1 (v2), 2 (v3).
    pub version: u8,
    /// Serial number contents.
    pub serial: Vec<u8>,
    /// Outer `signatureAlgorithm`.
    pub sig_alg: AlgView,
    /// `tbsCertificate.signature`.
    pub inner_sig_alg: AlgView,
    /// Signature bits; `None` when the BIT STRING has unused bits.
    pub signature: Option<Vec<u8>>,
    /// Issuer `Name` TLV.
    pub issuer: Vec<u8>,
    /// Issuer attributes in encoding order.
    pub issuer_attrs: Vec<AttrView>,
    /// Subject `Name` TLV.
    pub subject: Vec<u8>,
    /// Subject attributes in encoding order.
    pub subject_attrs: Vec<AttrView>,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
    /// `SubjectPublicKeyInfo` TLV.
    pub spki: Vec<u8>,
    /// Its algorithm.
    pub spki_alg: AlgView,
    /// Extensions in order.
    pub extensions: Vec<ExtView>,
    /// `extendedKeyUsage` as src/x509/cert.rs reads it (dotted OIDs), per EKU extension:
    /// `None` when that reader refused it.
    pub eku: Vec<Option<Vec<String>>>,
}

/// One `revokedCertificates` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedView {
    /// Serial number contents.
    pub serial: Vec<u8>,
    /// `revocationDate`, Unix seconds.
    pub date: i64,
    /// `crlEntryExtensions`.
    pub extensions: Vec<ExtView>,
}

/// The CRL fields the flat DER walk reads, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrlView {
    /// Outer `signatureAlgorithm`.
    pub sig_alg: AlgView,
    /// `tbsCertList.signature`.
    pub inner_sig_alg: AlgView,
    /// Signature bits; `None` when the BIT STRING has unused bits.
    pub signature: Option<Vec<u8>>,
    /// Issuer `Name` TLV.
    pub issuer: Vec<u8>,
    /// `thisUpdate`, Unix seconds.
    pub this_update: i64,
    /// `nextUpdate`, Unix seconds.
    pub next_update: Option<i64>,
    /// Revoked entries in order.
    pub revoked: Vec<RevokedView>,
    /// `crlExtensions`.
    pub extensions: Vec<ExtView>,
}

fn alg(a: &AlgId<'_>) -> AlgView {
    AlgView {
        oid: a.oid.to_string(),
        params: a.params.map(<[u8]>::to_vec),
        raw: a.raw.to_vec(),
    }
}

fn attrs(list: &[Attribute<'_>]) -> Vec<AttrView> {
    list.iter()
        .map(|(o, t, v)| (o.to_string(), format!("{t:?}"), v.to_vec()))
        .collect()
}

fn exts(list: &[Ext<'_>]) -> Vec<ExtView> {
    list.iter()
        .map(|e| (e.id.to_string(), e.critical, e.value.to_vec()))
        .collect()
}

/// The flat DER certificate walk: the fields read, or the refusal. Also runs the
/// `Certificate` constructor over accepted input (its extension rules may still refuse).
pub fn certificate(der: &[u8]) -> Result<CertView, String> {
    let f = asn1::certificate(der).map_err(|e| e.to_string())?;
    let eku_oid = const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE;
    let eku = f
        .extensions
        .iter()
        .filter(|e| e.id == eku_oid)
        .map(|e| {
            crate::x509::cert::parse_ext_key_usage(e.value)
                .ok()
                .map(|l| l.iter().map(ToString::to_string).collect())
        })
        .collect();
    let view = CertView {
        version: f.version,
        serial: f.serial.to_vec(),
        sig_alg: alg(&f.sig_alg),
        inner_sig_alg: alg(&f.inner_sig_alg),
        signature: f.signature.map(<[u8]>::to_vec),
        issuer: f.issuer.to_vec(),
        issuer_attrs: attrs(&f.issuer_attrs),
        subject: f.subject.to_vec(),
        subject_attrs: attrs(&f.subject_attrs),
        not_before: f.not_before.unix_seconds(),
        not_after: f.not_after.unix_seconds(),
        spki: f.spki.to_vec(),
        spki_alg: alg(&f.spki_alg),
        extensions: exts(&f.extensions),
        eku,
    };
    if let Ok(cert) = crate::x509::Certificate::from_der(der) {
        // What the profile and chain rules read off a parsed certificate.
        let _ = (
            crate::x509::validate_code_signing_leaf(&cert),
            crate::x509::validate_timestamping_leaf(&cert),
            crate::x509::validate_ca(&cert, 1),
            cert.public_key(),
            cert.is_self_signed(),
            cert.freshest_crl_urls(),
        );
    }
    Ok(view)
}

/// The flat DER CRL walk, plus the `Crl` constructor (PEM or DER) over the same bytes.
pub fn crl(der: &[u8]) -> Result<CrlView, String> {
    let _ = crate::revocation::crl::Crl::from_pem_or_der(der);
    let f = asn1::crl(der).map_err(|e| e.to_string())?;
    Ok(CrlView {
        sig_alg: alg(&f.sig_alg),
        inner_sig_alg: alg(&f.inner_sig_alg),
        signature: f.signature.map(<[u8]>::to_vec),
        issuer: f.issuer.to_vec(),
        this_update: f.this_update.unix_seconds(),
        next_update: f.next_update.map(|t| t.unix_seconds()),
        revoked: f
            .revoked
            .iter()
            .map(|r| RevokedView {
                serial: r.serial.to_vec(),
                date: r.date.unix_seconds(),
                extensions: exts(&r.extensions),
            })
            .collect(),
        extensions: exts(&f.extensions),
    })
}

/// An RFC 3161 timestamp token (CMS SignedData holding TSTInfo) through parsing, TSTInfo
/// decoding and the message-imprint check (src/timestamp/token.rs).
pub fn timestamp_token(token: &[u8]) -> Result<(), String> {
    let t = crate::timestamp::SignedToken::parse(token).map_err(|e| e.to_string())?;
    let _ = t.certificates();
    let info = t.info().map_err(|e| e.to_string())?;
    info.validate(b"fuzz").map_err(|e| e.to_string())?;
    Ok(())
}

/// The timestamp module's TLV reader (`split`, recursively over constructed TLVs) and BER → DER
/// normaliser (src/timestamp/der.rs). Returns the normalised DER.
pub fn timestamp_der(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use crate::timestamp::der;
    // Walk every definite-length TLV, descending into constructed ones, with an explicit stack
    // (bounded by the input length: each level consumes at least two octets).
    let mut stack = vec![bytes];
    while let Some(mut rest) = stack.pop() {
        while let Some((tlv, tail)) = der::split(rest) {
            if tlv.tag & 0x20 != 0 && !tlv.body.is_empty() {
                stack.push(tlv.body);
            }
            debug_assert!(tlv.raw.len() <= rest.len());
            rest = tail;
        }
    }
    der::ber_to_der(bytes)
}

/// Trust policy documents (trust-store-trust-policy.md): the OCI and blob forms, and the DN
/// parser of `trustedIdentities` over the same bytes as text.
pub fn trust_policy(bytes: &[u8]) -> Result<(), String> {
    let oci = crate::policy::OciTrustPolicy::from_json(bytes);
    let blob = crate::policy::BlobTrustPolicy::from_json(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = crate::policy::parse_dn(s);
    }
    match (oci, blob) {
        (Err(a), Err(_)) => Err(a.to_string()),
        _ => Ok(()),
    }
}

/// OCI JSON: a descriptor, the Notary signature manifest, an image index as the Referrers API
/// or tag schema serves it (src/registry/referrers.rs), a manifest's content children as copy
/// plans them, and the bytes as text through the reference and digest parsers.
pub fn oci(bytes: &[u8]) -> Result<(), String> {
    let d = crate::oci::Descriptor::from_json(bytes);
    let m = crate::oci::SignatureManifest::parse(bytes);
    let i = {
        use crate::registry::referrers::{parse_index, Skipped, SKIPPED_WARNINGS};
        let mut skipped = Skipped::default();
        let i = parse_index(bytes, "fuzz", &mut skipped);
        // The listing's warnings stay bounded whatever the index holds (issue 9): the spelled
        // out ones, one count line, one cut line.
        let warnings = skipped.into_warnings();
        assert!(
            warnings.len() <= SKIPPED_WARNINGS + 2,
            "{} referrers warnings",
            warnings.len()
        );
        i
    };
    let c = crate::registry::copy::children(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = crate::oci::Reference::parse(s);
        let _ = crate::oci::Digest::parse(s);
    }
    match (d, m, i, c) {
        (Err(e), Err(_), Err(_), Err(_)) => Err(e.to_string()),
        _ => Ok(()),
    }
}

/// PEM and keys: certificates (PEM or DER, the trust store's reader), the Go-compatible PEM
/// scanner, and private keys as PEM (PKCS#8, SEC1, PKCS#1) and as DER.
pub fn pem_keys(bytes: &[u8]) -> Result<(), String> {
    let certs = crate::x509::Certificate::parse_pem_or_der(bytes);
    let mut rest = bytes;
    // Each block consumes at least its own BEGIN line, so this loop ends.
    while let Some((_, tail)) = crate::x509::pem::decode(rest) {
        if tail.len() >= rest.len() {
            break;
        }
        rest = tail;
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = crate::PrivateKey::from_pem(s);
    }
    let _ = crate::PrivateKey::from_pkcs8_der(bytes);
    let _ = crate::PrivateKey::from_sec1_der(bytes);
    certs.map(|_| ()).map_err(|e| e.to_string())
}

/// HTTP header values the registry client parses: `WWW-Authenticate` challenges (RFC 7235
/// §4.1, Docker token auth), `Link` `rel="next"` (RFC 8288) and the URL parser. The input is
/// split into header values at newlines. Returns the challenge schemes and the next link.
pub fn http_headers(bytes: &[u8]) -> (Vec<String>, Option<String>) {
    let text = String::from_utf8_lossy(bytes);
    let challenges = crate::registry::auth::parse_challenges(text.lines());
    let next = crate::registry::http::link_next(text.lines());
    for line in text.lines() {
        let _ = crate::registry::http::Url::parse(line);
    }
    (challenges.into_iter().map(|c| c.scheme).collect(), next)
}

/// An OCSP response (RFC 6960 §4.2) through the whole check (`revocation::ocsp::check_response`)
/// for a fixed certificate and issuer (tests/data/keys `chainleaf` under `root`): parsing,
/// responder selection, signature checks and CertID matching. Returns whether it was accepted.
pub fn ocsp(der: &[u8]) -> Result<(), String> {
    use std::sync::OnceLock;
    type Pair = Option<(crate::x509::Certificate, crate::x509::Certificate)>;
    static PAIR: OnceLock<Pair> = OnceLock::new();
    let pair = PAIR.get_or_init(|| {
        let cert = |b: &[u8]| crate::x509::Certificate::parse_pem_or_der(b).ok()?.pop();
        Some((
            cert(include_bytes!("../tests/data/keys/chainleaf.crt"))?,
            cert(include_bytes!("../tests/data/keys/root.crt"))?,
        ))
    });
    let Some((leaf, issuer)) = pair else {
        return Err("fixture certificates do not parse".into());
    };
    // 2027-01-01T00:00:00Z, inside the fixtures' validity.
    let now = crate::time::Instant::from_unix_millis(1_798_761_600_000);
    crate::revocation::ocsp::check_response(der, leaf, issuer, now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Every committed fuzz finding (fuzz/regressions/<target>/*) through its target's entry point.
#[cfg(test)]
mod regressions;
