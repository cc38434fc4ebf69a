//! Test-only PKI: certificates with chosen names, extensions and validity, signed at test time
//! with ECDSA P-256 keys derived from a small seed (no fixtures, no network).

use core::str::FromStr;
use core::time::Duration;

use const_oid::db::rfc5280 as oids;
use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, Ia5String, OctetString, UtcTime};
use der::{Encode, Tag, TagNumber};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, BasicConstraints, CrlDistributionPoints,
    ExtendedKeyUsage,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;

use super::cert::ku;
use super::Certificate;
use crate::crypto::{PrivateKey, SignatureAlgorithm};

/// ecdsa-with-SHA256.
pub const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384.
pub const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA1.
pub const ECDSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");

/// 2020-01-01T00:00:00Z.
pub const NOT_BEFORE: u64 = 1_577_836_800;
/// 2040-01-01T00:00:00Z.
pub const NOT_AFTER: u64 = 2_208_988_800;

/// A P-256 key from a one-byte seed.
pub fn key(seed: u8) -> PrivateKey {
    PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(&[seed.max(1); 32]).unwrap())
}

/// What to put in a certificate.
#[derive(Clone)]
pub struct Spec {
    pub subject: String,
    pub issuer: String,
    pub serial: u8,
    /// `None`: no basicConstraints; `Some((ca, pathLen))`.
    pub bc: Option<(bool, Option<u8>)>,
    /// `None`: no keyUsage; `Some((bits, critical))`.
    pub ku: Option<(u16, bool)>,
    /// `None`: no EKU; `Some((purposes, critical))`.
    pub eku: Option<(Vec<ObjectIdentifier>, bool)>,
    pub not_before: u64,
    pub not_after: u64,
    /// v3 when true, v1 (no version field, no extensions) when false.
    pub v3: bool,
    pub inner_alg: ObjectIdentifier,
    pub outer_alg: ObjectIdentifier,
    pub extra: Vec<Extension>,
}

impl Spec {
    /// A code-signing leaf: KU digitalSignature (critical), no BC, no EKU.
    pub fn leaf(subject: &str, issuer: &str) -> Self {
        Spec {
            subject: subject.into(),
            issuer: issuer.into(),
            serial: 1,
            bc: None,
            ku: Some((ku::DIGITAL_SIGNATURE, true)),
            eku: None,
            not_before: NOT_BEFORE,
            not_after: NOT_AFTER,
            v3: true,
            inner_alg: ECDSA_SHA256,
            outer_alg: ECDSA_SHA256,
            extra: Vec::new(),
        }
    }

    /// A CA: BC cA (critical), KU keyCertSign (critical).
    pub fn ca(subject: &str, issuer: &str) -> Self {
        Spec {
            bc: Some((true, None)),
            ku: Some((ku::KEY_CERT_SIGN | ku::CRL_SIGN, true)),
            serial: 2,
            ..Spec::leaf(subject, issuer)
        }
    }

    /// A TSA leaf: KU digitalSignature, EKU timeStamping (critical).
    pub fn tsa(subject: &str, issuer: &str) -> Self {
        Spec {
            eku: Some((vec![oids::ID_KP_TIME_STAMPING], true)),
            ..Spec::leaf(subject, issuer)
        }
    }
}

fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
    Any::new(tag, content.to_vec()).unwrap().to_der().unwrap()
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(Tag::Sequence, &parts.concat())
}

fn ctx(n: u32, content: &[u8]) -> Vec<u8> {
    tlv(
        Tag::ContextSpecific {
            constructed: true,
            number: TagNumber(n),
        },
        content,
    )
}

fn alg(oid: ObjectIdentifier) -> Vec<u8> {
    seq(&[oid.to_der().unwrap()])
}

/// Go's key-usage bits as a DER BIT STRING.
pub fn key_usage_der(bits: u16) -> Vec<u8> {
    if bits == 0 {
        return BitString::new(0, Vec::new()).unwrap().to_der().unwrap();
    }
    let highest = 15 - bits.leading_zeros() as usize;
    let nbits = highest + 1;
    let nbytes = nbits.div_ceil(8);
    let mut bytes = vec![0u8; nbytes];
    for i in 0..nbits {
        if bits & (1 << i) != 0 {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    BitString::new((nbytes * 8 - nbits) as u8, bytes)
        .unwrap()
        .to_der()
        .unwrap()
}

/// An extension with a DER value.
pub fn ext(oid: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value).unwrap(),
    }
}

/// AIA with one OCSP URL and CRL distribution points with one URL.
pub fn revocation_exts(ocsp: &str, crl: &str) -> Vec<Extension> {
    let uri = |s: &str| GeneralName::UniformResourceIdentifier(Ia5String::new(s).unwrap());
    let aia = AuthorityInfoAccessSyntax(vec![AccessDescription {
        access_method: oids::ID_AD_OCSP,
        access_location: uri(ocsp),
    }]);
    let cdp = CrlDistributionPoints(vec![DistributionPoint {
        distribution_point: Some(DistributionPointName::FullName(vec![uri(crl)])),
        reasons: None,
        crl_issuer: None,
    }]);
    vec![
        ext(
            oids::ID_PE_AUTHORITY_INFO_ACCESS,
            false,
            aia.to_der().unwrap(),
        ),
        ext(
            oids::ID_CE_CRL_DISTRIBUTION_POINTS,
            false,
            cdp.to_der().unwrap(),
        ),
    ]
}

fn time(secs: u64) -> Vec<u8> {
    UtcTime::from_unix_duration(Duration::from_secs(secs))
        .unwrap()
        .to_der()
        .unwrap()
}

/// Builds the DER of a certificate for `spec`, subject key `subject_key`, signed by
/// `issuer_key`.
pub fn build_der(spec: &Spec, subject_key: &PrivateKey, issuer_key: &PrivateKey) -> Vec<u8> {
    let mut exts: Vec<Extension> = Vec::new();
    if let Some((ca, path_len)) = spec.bc {
        let v = BasicConstraints {
            ca,
            path_len_constraint: path_len,
        };
        exts.push(ext(
            oids::ID_CE_BASIC_CONSTRAINTS,
            true,
            v.to_der().unwrap(),
        ));
    }
    if let Some((bits, critical)) = spec.ku {
        exts.push(ext(oids::ID_CE_KEY_USAGE, critical, key_usage_der(bits)));
    }
    if let Some((purposes, critical)) = &spec.eku {
        let v = ExtendedKeyUsage(purposes.clone());
        exts.push(ext(
            oids::ID_CE_EXT_KEY_USAGE,
            *critical,
            v.to_der().unwrap(),
        ));
    }
    exts.extend(spec.extra.iter().cloned());

    let mut tbs_parts = Vec::new();
    if spec.v3 {
        tbs_parts.push(ctx(0, &2u8.to_der().unwrap()));
    }
    tbs_parts.push(u32::from(spec.serial).to_der().unwrap());
    tbs_parts.push(alg(spec.inner_alg));
    tbs_parts.push(Name::from_str(&spec.issuer).unwrap().to_der().unwrap());
    tbs_parts.push(seq(&[time(spec.not_before), time(spec.not_after)]));
    tbs_parts.push(Name::from_str(&spec.subject).unwrap().to_der().unwrap());
    tbs_parts.push(subject_key.public_key().to_spki_der().unwrap());
    if spec.v3 && !exts.is_empty() {
        let list: Vec<Vec<u8>> = exts.iter().map(|e| e.to_der().unwrap()).collect();
        tbs_parts.push(ctx(3, &seq(&list)));
    }
    let tbs = seq(&tbs_parts);
    let raw = issuer_key
        .sign_notary(SignatureAlgorithm::Es256, &tbs)
        .unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
    let sig_bits = BitString::from_bytes(sig.as_bytes())
        .unwrap()
        .to_der()
        .unwrap();
    seq(&[tbs, alg(spec.outer_alg), sig_bits])
}

/// Builds and parses a certificate.
pub fn build(spec: &Spec, subject_key: &PrivateKey, issuer_key: &PrivateKey) -> Certificate {
    Certificate::from_der(&build_der(spec, subject_key, issuer_key)).unwrap()
}

/// A valid three-certificate code-signing chain: leaf, intermediate, root.
pub fn chain3() -> Vec<Certificate> {
    let (kl, ki, kr) = (key(1), key(2), key(3));
    vec![
        build(&Spec::leaf("CN=Leaf", "CN=Int"), &kl, &ki),
        build(&Spec::ca("CN=Int", "CN=Root"), &ki, &kr),
        build(&Spec::ca("CN=Root", "CN=Root"), &kr, &kr),
    ]
}

/// A self-signed root with key seed `seed`.
pub fn root(name: &str, seed: u8) -> Certificate {
    let k = key(seed);
    build(&Spec::ca(name, name), &k, &k)
}
