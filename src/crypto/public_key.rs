//! Public keys: decoding from SPKI, the Notary algorithm a key signs with, and verification of
//! Notary envelope signatures and X.509 / CMS signatures.

use const_oid::ObjectIdentifier;
use der::asn1::UintRef;
use der::{Decode, Reader, SliceReader};
use rsa::traits::PublicKeyParts;
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use spki::{EncodePublicKey, SubjectPublicKeyInfoRef};

use super::pss::{parse_pss_params, verify_pss, verify_pss_salt};
use super::{malformed, sequence_contents, CryptoError, HashAlgorithm, SignatureAlgorithm};

/// A public key of a kind nv2 can verify with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum PublicKey {
    /// RSA (any size; size rules apply when it signs a Notary payload).
    Rsa(rsa::PublicKey),
    /// ECDSA over P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA over P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// ECDSA over P-521.
    P521(p521::ecdsa::VerifyingKey),
}

pub(super) const RSA_ENCRYPTION: ObjectIdentifier = const_oid::db::rfc5912::RSA_ENCRYPTION;
pub(super) const ID_EC_PUBLIC_KEY: ObjectIdentifier = const_oid::db::rfc5912::ID_EC_PUBLIC_KEY;
const SECP256R1: ObjectIdentifier = const_oid::db::rfc5912::SECP_256_R_1;
const SECP384R1: ObjectIdentifier = const_oid::db::rfc5912::SECP_384_R_1;
const SECP521R1: ObjectIdentifier = const_oid::db::rfc5912::SECP_521_R_1;

/// An ECDSA public key from the uncompressed SEC1 point `04 ‖ x ‖ y` (SEC 1 §2.3.3), which
/// must lie on the curve and not be the identity.
///
/// Compressed (and compact) points are refused, as Go's `crypto/x509` refuses them in a
/// certificate (and so notation does): reading only this form keeps the point-decompression
/// square root out of the wasm.
macro_rules! ec_point {
    ($curve:ident, $point:expr) => {{
        use $curve::elliptic_curve::point::AffineCoordinates;
        let point: &[u8] = $point;
        let n = <$curve::FieldBytes>::default().len();
        let bad = |why: &str| CryptoError::Malformed(format!("EC public key: {why}"));
        match point.split_first() {
            Some((0x04, xy)) if xy.len() == 2 * n => {
                let (x, y) = xy.split_at(n);
                let (mut fx, mut fy) = (
                    <$curve::FieldBytes>::default(),
                    <$curve::FieldBytes>::default(),
                );
                fx.copy_from_slice(x);
                fy.copy_from_slice(y);
                Option::<$curve::AffinePoint>::from($curve::AffinePoint::from_coordinates(&fx, &fy))
                    .ok_or_else(|| bad("point is not on the curve"))
                    .and_then(|p| {
                        $curve::ecdsa::VerifyingKey::from_affine(p)
                            .map_err(|_| bad("point is the identity"))
                    })
            }
            Some((0x02 | 0x03 | 0x05, _)) => Err(bad(
                "compressed points are not supported (as in Go's crypto/x509)",
            )),
            _ => Err(bad("not an uncompressed point")),
        }
    }};
}

/// The three curves a Notary key may use (signature-specification.md §Signature Algorithm
/// Requirements).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The curve named by `oid`; any other curve is refused (signature-specification.md §Signature
    /// Algorithm Requirements, docs/conformance.md §D10).
    pub(super) fn from_oid(oid: ObjectIdentifier) -> Result<Self, CryptoError> {
        match oid {
            SECP256R1 => Ok(Curve::P256),
            SECP384R1 => Ok(Curve::P384),
            SECP521R1 => Ok(Curve::P521),
            other => Err(CryptoError::UnsupportedKey(format!("ecdsa curve {other}"))),
        }
    }

    /// The curve in an id-ecPublicKey `AlgorithmIdentifier`'s parameters.
    pub(super) fn from_parameters(
        parameters: Option<&der::AnyRef<'_>>,
    ) -> Result<Self, CryptoError> {
        let oid: ObjectIdentifier = parameters
            .ok_or_else(|| CryptoError::Malformed("EC key without curve".into()))?
            .decode_as()
            .map_err(malformed("EC curve"))?;
        Self::from_oid(oid)
    }
}
const ID_RSASSA_PSS: ObjectIdentifier = const_oid::db::rfc5912::ID_RSASSA_PSS;

impl PublicKey {
    /// Decodes a DER `SubjectPublicKeyInfo`. Unknown key types and curves are refused.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(malformed("public key"))?;
        let oid = spki.algorithm.oid;
        // The keys are built from the SPKI parsed above (`try_from`: the same checks as
        // `from_public_key_der`), not re-parsed from the DER by each key type (less wasm).
        if oid == RSA_ENCRYPTION {
            return rsa::PublicKey::try_from(spki)
                .map(PublicKey::Rsa)
                .map_err(|e| CryptoError::Malformed(format!("RSA public key: {e}")));
        }
        if oid != ID_EC_PUBLIC_KEY {
            return Err(CryptoError::UnsupportedKey(format!("key algorithm {oid}")));
        }
        let curve = Curve::from_parameters(spki.algorithm.parameters.as_ref())?;
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| CryptoError::Malformed("EC public key: unused bits".into()))?;
        Ok(match curve {
            Curve::P256 => PublicKey::P256(ec_point!(p256, point)?),
            Curve::P384 => PublicKey::P384(ec_point!(p384, point)?),
            Curve::P521 => PublicKey::P521(ec_point!(p521, point)?),
        })
    }

    /// Whether `self` and `other` are the same key: the same curve and point, or the same RSA
    /// modulus and public exponent.
    ///
    /// Compares values rather than SPKI encodings, so signing needs no SPKI encoder (about 11 KB
    /// of wasm). Leading zero bytes are ignored: the two integers' widths depend on how each key
    /// was decoded.
    pub fn same_key(&self, other: &PublicKey) -> bool {
        fn trimmed(b: &[u8]) -> &[u8] {
            let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
            b.get(start..).unwrap_or(&[])
        }
        match (self, other) {
            (PublicKey::Rsa(a), PublicKey::Rsa(b)) => {
                trimmed(&a.n().to_be_bytes()) == trimmed(&b.n().to_be_bytes())
                    && trimmed(&a.e().to_be_bytes()) == trimmed(&b.e().to_be_bytes())
            }
            (PublicKey::P256(a), PublicKey::P256(b)) => a == b,
            (PublicKey::P384(a), PublicKey::P384(b)) => a == b,
            (PublicKey::P521(a), PublicKey::P521(b)) => a == b,
            _ => false,
        }
    }

    /// The DER `SubjectPublicKeyInfo` of this key.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        let doc = match self {
            PublicKey::Rsa(k) => k.to_public_key_der(),
            PublicKey::P256(k) => k.to_public_key_der(),
            PublicKey::P384(k) => k.to_public_key_der(),
            PublicKey::P521(k) => k.to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec())
            .map_err(|e| CryptoError::Malformed(format!("public key encoding: {e}")))
    }

    /// Key size in bits (RSA modulus length, or curve size).
    pub fn size_bits(&self) -> usize {
        match self {
            PublicKey::Rsa(k) => k.n().bit_width() as usize,
            PublicKey::P256(_) => 256,
            PublicKey::P384(_) => 384,
            PublicKey::P521(_) => 521,
        }
    }

    /// `"RSA"` or `"ECDSA"`.
    pub fn kind(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "RSA",
            _ => "ECDSA",
        }
    }

    /// The Notary algorithm this key signs with (signature-specification.md §Signature Algorithm
    /// Requirements): RSA 2048/3072/4096 → PS256/384/512, P-256/384/521 → ES256/384/512. Other RSA
    /// sizes are refused with notation-go's message.
    pub fn notary_algorithm(&self) -> Result<SignatureAlgorithm, CryptoError> {
        match self {
            PublicKey::Rsa(_) => match self.size_bits() {
                2048 => Ok(SignatureAlgorithm::Ps256),
                3072 => Ok(SignatureAlgorithm::Ps384),
                4096 => Ok(SignatureAlgorithm::Ps512),
                n => Err(CryptoError::UnsupportedKey(format!(
                    "rsa key size {n} bits is not supported"
                ))),
            },
            PublicKey::P256(_) => Ok(SignatureAlgorithm::Es256),
            PublicKey::P384(_) => Ok(SignatureAlgorithm::Es384),
            PublicKey::P521(_) => Ok(SignatureAlgorithm::Es512),
        }
    }

    /// Verifies a Notary envelope signature made with `alg` over `message`.
    ///
    /// The key must be the one `alg` belongs to (signature-specification.md §Signature Algorithm
    /// Requirements: the algorithm is a function of the signing key; a mismatch is an
    /// algorithm-substitution attempt). PSS salt must equal the hash length; ECDSA signatures are
    /// raw `r || s` of the curve's fixed length (signature-envelope-jws.md §Signature).
    pub fn verify_notary(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        super::count_check();
        let derived = self.notary_algorithm()?;
        if derived != alg {
            return Err(CryptoError::UnsupportedAlgorithm(format!(
                "algorithm {alg} does not match the {} {}-bit key (expects {derived})",
                self.kind(),
                self.size_bits()
            )));
        }
        let prehash = alg.hash().digest(message);
        match self {
            PublicKey::Rsa(k) => verify_pss(k, alg.hash(), &prehash, signature, true),
            PublicKey::P256(k) => {
                let sig = p256::ecdsa::Signature::from_slice(signature)
                    .map_err(|_| CryptoError::BadSignature)?;
                k.verify_prehash(&prehash, &sig)
                    .map_err(|_| CryptoError::BadSignature)
            }
            PublicKey::P384(k) => {
                let sig = p384::ecdsa::Signature::from_slice(signature)
                    .map_err(|_| CryptoError::BadSignature)?;
                k.verify_prehash(&prehash, &sig)
                    .map_err(|_| CryptoError::BadSignature)
            }
            PublicKey::P521(k) => {
                let sig = p521::ecdsa::Signature::from_slice(signature)
                    .map_err(|_| CryptoError::BadSignature)?;
                k.verify_prehash(&prehash, &sig)
                    .map_err(|_| CryptoError::BadSignature)
            }
        }
    }

    /// Verifies an X.509 (or CMS) signature: `signature` by this key over `message` under the
    /// `AlgorithmIdentifier` `(oid, parameters DER)`. Accepts sha{256,384,512}WithRSAEncryption,
    /// RSASSA-PSS with SHA-2 parameters, and ecdsa-with-SHA{256,384,512} (DER signature).
    pub fn verify_x509(
        &self,
        algorithm: &ObjectIdentifier,
        parameters: Option<&[u8]>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        use const_oid::db::rfc5912 as oids;
        super::count_check();
        let pkcs1 = [
            (oids::SHA_256_WITH_RSA_ENCRYPTION, HashAlgorithm::Sha256),
            (oids::SHA_384_WITH_RSA_ENCRYPTION, HashAlgorithm::Sha384),
            (oids::SHA_512_WITH_RSA_ENCRYPTION, HashAlgorithm::Sha512),
        ];
        let ecdsa = [
            (oids::ECDSA_WITH_SHA_256, HashAlgorithm::Sha256),
            (oids::ECDSA_WITH_SHA_384, HashAlgorithm::Sha384),
            (oids::ECDSA_WITH_SHA_512, HashAlgorithm::Sha512),
        ];
        if let Some((_, h)) = pkcs1.iter().find(|(o, _)| o == algorithm) {
            let PublicKey::Rsa(k) = self else {
                return Err(CryptoError::UnsupportedAlgorithm(format!(
                    "{algorithm} with a non-RSA key"
                )));
            };
            let prehash = h.digest(message);
            let scheme = match h {
                HashAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
                HashAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
                HashAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
            };
            return k
                .verify(scheme, &prehash, signature)
                .map_err(|_| CryptoError::BadSignature);
        }
        if *algorithm == ID_RSASSA_PSS {
            let PublicKey::Rsa(k) = self else {
                return Err(CryptoError::UnsupportedAlgorithm(
                    "RSASSA-PSS with a non-RSA key".into(),
                ));
            };
            let (h, salt) = parse_pss_params(parameters)?;
            let prehash = h.digest(message);
            return verify_pss_salt(k, h, &prehash, signature, salt);
        }
        if let Some((_, h)) = ecdsa.iter().find(|(o, _)| o == algorithm) {
            let prehash = h.digest(message);
            let field_len = match self {
                PublicKey::P256(_) => 32,
                PublicKey::P384(_) => 48,
                PublicKey::P521(_) => 66,
                PublicKey::Rsa(_) => {
                    return Err(CryptoError::UnsupportedAlgorithm(format!(
                        "{algorithm} with an RSA key"
                    )))
                }
            };
            // The DER form is turned into `r || s` and checked like a Notary signature: the
            // same code as `verify_notary`, instead of a DER-signature copy per curve.
            let raw = ecdsa_der_to_raw(signature, field_len).ok_or(CryptoError::BadSignature)?;
            let ok = match self {
                PublicKey::P256(k) => p256::ecdsa::Signature::from_slice(&raw)
                    .ok()
                    .map(|s| k.verify_prehash(&prehash, &s).is_ok()),
                PublicKey::P384(k) => p384::ecdsa::Signature::from_slice(&raw)
                    .ok()
                    .map(|s| k.verify_prehash(&prehash, &s).is_ok()),
                PublicKey::P521(k) => p521::ecdsa::Signature::from_slice(&raw)
                    .ok()
                    .map(|s| k.verify_prehash(&prehash, &s).is_ok()),
                PublicKey::Rsa(_) => None,
            };
            return match ok {
                Some(true) => Ok(()),
                _ => Err(CryptoError::BadSignature),
            };
        }
        Err(CryptoError::UnsupportedAlgorithm(format!(
            "signature algorithm {algorithm}"
        )))
    }
}

/// An `ECDSA-Sig-Value` (RFC 5480 §2.2: `SEQUENCE { r INTEGER, s INTEGER }`, DER, nothing
/// after it) as the fixed-length `r || s` of a curve whose scalars take `field_len` bytes. The
/// integers must be non-negative and minimally encoded (`UintRef`) and fit the field, as
/// `ecdsa::der::Signature` requires; range checks are left to `Signature::from_slice`.
fn ecdsa_der_to_raw(sig: &[u8], field_len: usize) -> Option<Vec<u8>> {
    let mut reader = SliceReader::new(sequence_contents(sig).ok()?).ok()?;
    let r = UintRef::decode(&mut reader).ok()?;
    let s = UintRef::decode(&mut reader).ok()?;
    reader.finish().ok()?;
    let mut raw = vec![0u8; 2 * field_len];
    for (i, n) in [r.as_bytes(), s.as_bytes()].into_iter().enumerate() {
        if n.len() > field_len {
            return None;
        }
        let end = (i + 1) * field_len;
        raw.get_mut(end - n.len()..end)?.copy_from_slice(n);
    }
    Some(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::PrivateKey;
    use der::Encode;

    #[test]
    fn same_key_compares_key_values() {
        let read = |name: &str| {
            std::fs::read(format!(
                "{}/tests/data/keys/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        let names = ["p256", "p384", "p521", "rsa2048", "rsa3072"];
        let keys: Vec<PublicKey> = names
            .iter()
            .map(|n| {
                let pem = String::from_utf8(read(&format!("{n}.key"))).unwrap();
                PrivateKey::from_pem(&pem).unwrap().public_key()
            })
            .collect();
        for (i, name) in names.iter().enumerate() {
            // The certificate's key (decoded from its SPKI) is the private key's public key.
            let cert = crate::x509::Certificate::parse_pem_or_der(&read(&format!("{name}.crt")))
                .unwrap()
                .remove(0);
            let from_cert = cert.public_key().unwrap();
            assert!(from_cert.same_key(&keys[i]), "{name}");
            assert!(keys[i].same_key(&from_cert), "{name}");
            for (j, other) in keys.iter().enumerate() {
                assert_eq!(from_cert.same_key(other), i == j, "{name} vs {}", names[j]);
            }
        }
        // PKCS#1 and SEC1 encodings of the same keys decode to the same values.
        let pkcs1 = String::from_utf8(read("rsa2048.pkcs1.key")).unwrap();
        let sec1 = String::from_utf8(read("p256.sec1.key")).unwrap();
        let pkcs1 = PrivateKey::from_pem(&pkcs1).unwrap().public_key();
        let sec1 = PrivateKey::from_pem(&sec1).unwrap().public_key();
        assert_eq!(
            pkcs1.same_key(&keys[3]),
            pkcs1.to_spki_der().unwrap() == keys[3].to_spki_der().unwrap()
        );
        assert_eq!(
            sec1.same_key(&keys[0]),
            sec1.to_spki_der().unwrap() == keys[0].to_spki_der().unwrap()
        );
    }

    #[test]
    fn ec_spki_points_are_read_uncompressed_only() {
        use spki::DecodePublicKey;
        let p256 = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let p384 = p384::ecdsa::SigningKey::from_slice(&[7u8; 48]).unwrap();
        let p521 = p521::ecdsa::SigningKey::from_slice(&[1u8; 66]).unwrap();
        let keys = [
            PublicKey::P256(*p256.verifying_key()),
            PublicKey::P384(*p384.verifying_key()),
            PublicKey::P521(*p521.verifying_key()),
        ];
        for key in keys {
            let spki = key.to_spki_der().unwrap();
            let parsed = PublicKey::from_spki_der(&spki).unwrap();
            assert!(parsed.same_key(&key));
            // The point is the SPKI's tail; every change to it is judged as the ecdsa crate
            // judges it, except compressed points, which Go's crypto/x509 refuses (so do we).
            let point_len = match key {
                PublicKey::P256(_) => 65,
                PublicKey::P384(_) => 97,
                _ => 133,
            };
            let start = spki.len() - point_len;
            for i in start..spki.len() {
                for v in [spki[i] ^ 0x01, spki[i] ^ 0x80, 0x00, 0x02, 0x03, 0x05, 0x06] {
                    let mut m = spki.clone();
                    m[i] = v;
                    let reference = match key {
                        PublicKey::P256(_) => p256::ecdsa::VerifyingKey::from_public_key_der(&m)
                            .map(|k| k.to_sec1_point(false).as_bytes().to_vec()),
                        PublicKey::P384(_) => p384::ecdsa::VerifyingKey::from_public_key_der(&m)
                            .map(|k| k.to_sec1_point(false).as_bytes().to_vec()),
                        _ => p521::ecdsa::VerifyingKey::from_public_key_der(&m)
                            .map(|k| k.to_sec1_point(false).as_bytes().to_vec()),
                    };
                    let ours = PublicKey::from_spki_der(&m);
                    let compressed = i == start && m[i] != 0x04;
                    if compressed {
                        assert!(ours.is_err());
                    } else {
                        assert_eq!(ours.is_ok(), reference.is_ok(), "byte {i} = {v:#x}");
                    }
                }
            }
            // A compressed encoding of the very same key: refused with a clear reason.
            let compressed = match key {
                PublicKey::P256(k) => k.to_sec1_point(true).as_bytes().to_vec(),
                PublicKey::P384(k) => k.to_sec1_point(true).as_bytes().to_vec(),
                PublicKey::P521(k) => k.to_sec1_point(true).as_bytes().to_vec(),
                PublicKey::Rsa(_) => unreachable!(),
            };
            let info = SubjectPublicKeyInfoRef::from_der(&spki).unwrap();
            let m = SubjectPublicKeyInfoRef {
                algorithm: info.algorithm,
                subject_public_key: der::asn1::BitStringRef::from_bytes(&compressed).unwrap(),
            }
            .to_der()
            .unwrap();
            let err = PublicKey::from_spki_der(&m).unwrap_err();
            assert!(err.to_string().contains("compressed points"), "{err}");
            // The ecdsa crate would have decompressed it: this refusal is deliberate.
            let reference_accepts = match key {
                PublicKey::P256(_) => p256::ecdsa::VerifyingKey::from_public_key_der(&m).is_ok(),
                PublicKey::P384(_) => p384::ecdsa::VerifyingKey::from_public_key_der(&m).is_ok(),
                _ => p521::ecdsa::VerifyingKey::from_public_key_der(&m).is_ok(),
            };
            assert!(reference_accepts);
        }
    }

    #[test]
    fn ecdsa_der_signatures_decode_like_the_ecdsa_crate() {
        use signature::hazmat::PrehashSigner;
        // Ours: DER → r || s → Signature; reference: ecdsa's DER signature → Signature.
        macro_rules! check {
            ($curve:ident, $key:expr, $field_len:expr) => {{
                let key = $curve::ecdsa::SigningKey::from_slice(&$key).unwrap();
                let field_len: usize = $field_len;
                let ours = |der: &[u8]| {
                    ecdsa_der_to_raw(der, field_len)
                        .and_then(|raw| $curve::ecdsa::Signature::from_slice(&raw).ok())
                };
                let reference = |der: &[u8]| {
                    $curve::ecdsa::DerSignature::from_bytes(der)
                        .ok()
                        .and_then(|d| $curve::ecdsa::Signature::try_from(d).ok())
                };
                let mut encodings = Vec::new();
                for i in 0..8u8 {
                    let sig: $curve::ecdsa::Signature = key.sign_prehash(&[i; 32]).unwrap();
                    let der = sig.to_der();
                    assert_eq!(ours(der.as_bytes()), Some(sig));
                    encodings.push(der.as_bytes().to_vec());
                }
                // Hand-made: zero r, non-minimal and negative integers, oversized r and s,
                // trailing data.
                let seq = |r: &[u8], s: &[u8]| {
                    let body = [&[0x02, r.len() as u8][..], r, &[0x02, s.len() as u8], s].concat();
                    [&[0x30, body.len() as u8][..], &body].concat()
                };
                let one = [1u8];
                let wide = vec![1u8; field_len + 1];
                encodings.extend([
                    seq(&[0], &one),
                    seq(&[0, 1], &one),
                    seq(&[0x81], &one),
                    seq(&one, &wide),
                    seq(&wide, &one),
                    [seq(&one, &one), vec![0]].concat(),
                ]);
                for der in &encodings {
                    assert_eq!(ours(der), reference(der), "{der:02x?}");
                    for i in 0..der.len().min(8) {
                        for b in [0x00, 0x01, 0x02, 0x30, 0x7f, 0x80, 0xff] {
                            let mut m = der.clone();
                            m[i] = b;
                            assert_eq!(ours(&m), reference(&m), "{m:02x?}");
                        }
                        assert_eq!(ours(&der[..i]), reference(&der[..i]));
                    }
                }
            }};
        }
        check!(p256, [7u8; 32], 32);
        check!(p384, [7u8; 48], 48);
        let mut k521 = [7u8; 66];
        k521[0] = 1;
        check!(p521, k521, 66);
    }
}
