//! Signature algorithms, keys and hashes (spec §5), over RustCrypto.
//!
//! The Notary Project fixes the algorithm by the signing certificate's key: RSA 2048/3072/4096
//! give PS256/PS384/PS512, P-256/P-384/P-521 give ES256/ES384/ES512. Every other key is refused
//! (spec §5, §11.10). Signatures are RSASSA-PSS with MGF1 over the same hash and salt length equal
//! to the hash length (stricter than notation-go's JWS path, spec §11.11), or ECDSA in the raw
//! fixed-length `r || s` form (spec §3.4).
//!
//! X.509 certificate signatures (issuer over child) accept RSA PKCS#1 v1.5 and RSASSA-PSS with
//! SHA-256/384/512 and ECDSA with SHA-256/384/512; SHA-1 is refused (spec §5).
//!
//! Failures are deliberately opaque about *why* a signature did not verify (no padding or math
//! details), so they leak nothing useful to an attacker.

use core::fmt;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, UintRef};
use der::{Decode, Encode, Reader, SliceReader, Tagged};
use pkcs1::DecodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use spki::{AlgorithmIdentifierRef, EncodePublicKey, SubjectPublicKeyInfoRef};

use crate::error::ErrorCode;

/// Why a cryptographic operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// The signature does not verify under the key (deliberately without detail).
    BadSignature,
    /// The key is of a kind or size the Notary Project does not allow (spec §5).
    UnsupportedKey(String),
    /// The signature algorithm is not one nv2 supports (spec §5; SHA-1 is always refused).
    UnsupportedAlgorithm(String),
    /// A key, signature or parameter encoding is malformed.
    Malformed(String),
    /// The signing operation itself failed (random source, key error).
    Signing(String),
    /// An EC private key's embedded public key is not the private key's own (RFC 5915 §3
    /// `publicKey`): the key file was assembled from two keys, so neither half can be trusted.
    KeyMismatch,
}

impl CryptoError {
    /// Stable error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            CryptoError::BadSignature => ErrorCode::SignatureIntegrity,
            CryptoError::UnsupportedKey(_) | CryptoError::UnsupportedAlgorithm(_) => {
                ErrorCode::UnsupportedAlgorithm
            }
            CryptoError::Malformed(_) | CryptoError::KeyMismatch => ErrorCode::Parse,
            CryptoError::Signing(_) => ErrorCode::Signing,
        }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CryptoError::BadSignature => f.write_str("signature is invalid"),
            CryptoError::UnsupportedKey(s) => write!(f, "unsupported key: {s}"),
            CryptoError::UnsupportedAlgorithm(s) => write!(f, "unsupported algorithm: {s}"),
            CryptoError::Malformed(s) => write!(f, "malformed cryptographic data: {s}"),
            CryptoError::Signing(s) => write!(f, "signing failed: {s}"),
            CryptoError::KeyMismatch => {
                f.write_str("private key does not match its embedded public key")
            }
        }
    }
}

impl std::error::Error for CryptoError {}

/// The SHA-2 hashes the Notary Project uses (spec §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The OCI digest algorithm name (`sha256`, `sha384`, `sha512`).
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// The algorithm named by an OCI digest prefix.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha256" => Some(HashAlgorithm::Sha256),
            "sha384" => Some(HashAlgorithm::Sha384),
            "sha512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => Sha256::digest(data).to_vec(),
            HashAlgorithm::Sha384 => Sha384::digest(data).to_vec(),
            HashAlgorithm::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    /// The hash identified by an X.509 / CMS digest algorithm OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        if *oid == const_oid::db::rfc5912::ID_SHA_256 {
            Some(HashAlgorithm::Sha256)
        } else if *oid == const_oid::db::rfc5912::ID_SHA_384 {
            Some(HashAlgorithm::Sha384)
        } else if *oid == const_oid::db::rfc5912::ID_SHA_512 {
            Some(HashAlgorithm::Sha512)
        } else {
            None
        }
    }
}

/// An incremental SHA-2 hash, for content that is streamed through in chunks (a blob copied
/// from one registry to another is hashed on the way and never held whole; threat model 3, 13).
#[derive(Clone)]
pub enum IncrementalHash {
    /// SHA-256 state.
    Sha256(Sha256),
    /// SHA-384 state.
    Sha384(Sha384),
    /// SHA-512 state.
    Sha512(Sha512),
}

impl IncrementalHash {
    /// A fresh state for `algorithm`.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        match algorithm {
            HashAlgorithm::Sha256 => IncrementalHash::Sha256(Sha256::new()),
            HashAlgorithm::Sha384 => IncrementalHash::Sha384(Sha384::new()),
            HashAlgorithm::Sha512 => IncrementalHash::Sha512(Sha512::new()),
        }
    }

    /// Feeds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            IncrementalHash::Sha256(h) => h.update(data),
            IncrementalHash::Sha384(h) => h.update(data),
            IncrementalHash::Sha512(h) => h.update(data),
        }
    }

    /// The hash of everything fed.
    pub fn finish(self) -> Vec<u8> {
        match self {
            IncrementalHash::Sha256(h) => h.finalize().to_vec(),
            IncrementalHash::Sha384(h) => h.finalize().to_vec(),
            IncrementalHash::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// SHA-256 of `data` as lower-case hex (certificate thumbprints, spec §1.1 and §6).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// The six Notary signature algorithms (spec §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PSS with SHA-256 (RSA 2048).
    Ps256,
    /// RSASSA-PSS with SHA-384 (RSA 3072).
    Ps384,
    /// RSASSA-PSS with SHA-512 (RSA 4096).
    Ps512,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// ECDSA P-384 with SHA-384.
    Es384,
    /// ECDSA P-521 with SHA-512.
    Es512,
}

impl SignatureAlgorithm {
    /// All six, in table order.
    pub const ALL: [SignatureAlgorithm; 6] = [
        SignatureAlgorithm::Ps256,
        SignatureAlgorithm::Ps384,
        SignatureAlgorithm::Ps512,
        SignatureAlgorithm::Es256,
        SignatureAlgorithm::Es384,
        SignatureAlgorithm::Es512,
    ];

    /// The JWS `alg` name.
    pub fn jws_name(self) -> &'static str {
        match self {
            SignatureAlgorithm::Ps256 => "PS256",
            SignatureAlgorithm::Ps384 => "PS384",
            SignatureAlgorithm::Ps512 => "PS512",
            SignatureAlgorithm::Es256 => "ES256",
            SignatureAlgorithm::Es384 => "ES384",
            SignatureAlgorithm::Es512 => "ES512",
        }
    }

    /// The algorithm with JWS `alg` name `name` (exact, case-sensitive; `none` and HMAC are not
    /// algorithms here, spec §3.2).
    pub fn from_jws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.jws_name() == name)
    }

    /// The COSE algorithm identifier (spec §4).
    pub fn cose_id(self) -> i64 {
        match self {
            SignatureAlgorithm::Ps256 => -37,
            SignatureAlgorithm::Ps384 => -38,
            SignatureAlgorithm::Ps512 => -39,
            SignatureAlgorithm::Es256 => -7,
            SignatureAlgorithm::Es384 => -35,
            SignatureAlgorithm::Es512 => -36,
        }
    }

    /// The algorithm with COSE identifier `id`.
    pub fn from_cose_id(id: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.cose_id() == id)
    }

    /// The hash paired with the algorithm (also the blob digest and timestamp imprint hash).
    pub fn hash(self) -> HashAlgorithm {
        match self {
            SignatureAlgorithm::Ps256 | SignatureAlgorithm::Es256 => HashAlgorithm::Sha256,
            SignatureAlgorithm::Ps384 | SignatureAlgorithm::Es384 => HashAlgorithm::Sha384,
            SignatureAlgorithm::Ps512 | SignatureAlgorithm::Es512 => HashAlgorithm::Sha512,
        }
    }

    /// The key spec name notation uses (`RSA-2048`, `EC-256`, ...).
    pub fn key_spec(self) -> &'static str {
        match self {
            SignatureAlgorithm::Ps256 => "RSA-2048",
            SignatureAlgorithm::Ps384 => "RSA-3072",
            SignatureAlgorithm::Ps512 => "RSA-4096",
            SignatureAlgorithm::Es256 => "EC-256",
            SignatureAlgorithm::Es384 => "EC-384",
            SignatureAlgorithm::Es512 => "EC-521",
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jws_name())
    }
}

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

const RSA_ENCRYPTION: ObjectIdentifier = const_oid::db::rfc5912::RSA_ENCRYPTION;
const ID_EC_PUBLIC_KEY: ObjectIdentifier = const_oid::db::rfc5912::ID_EC_PUBLIC_KEY;
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

/// The three curves a Notary key may use (spec §5).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The curve named by `oid`; any other curve is refused (spec §5, §11.10).
    fn from_oid(oid: ObjectIdentifier) -> Result<Self, CryptoError> {
        match oid {
            SECP256R1 => Ok(Curve::P256),
            SECP384R1 => Ok(Curve::P384),
            SECP521R1 => Ok(Curve::P521),
            other => Err(CryptoError::UnsupportedKey(format!("ecdsa curve {other}"))),
        }
    }

    /// The curve in an id-ecPublicKey `AlgorithmIdentifier`'s parameters.
    fn from_parameters(parameters: Option<&der::AnyRef<'_>>) -> Result<Self, CryptoError> {
        let oid: ObjectIdentifier = parameters
            .ok_or_else(|| CryptoError::Malformed("EC key without curve".into()))?
            .decode_as()
            .map_err(malformed("EC curve"))?;
        Self::from_oid(oid)
    }
}
const ID_RSASSA_PSS: ObjectIdentifier = const_oid::db::rfc5912::ID_RSASSA_PSS;
const ID_MGF1: ObjectIdentifier = const_oid::db::rfc5912::ID_MGF_1;

fn malformed(what: &str) -> impl Fn(der::Error) -> CryptoError + '_ {
    move |e| CryptoError::Malformed(format!("{what}: {e}"))
}

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

    /// The Notary algorithm this key signs with (spec §5): RSA 2048/3072/4096 → PS256/384/512,
    /// P-256/384/521 → ES256/384/512. Other RSA sizes are refused with notation-go's message.
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
    /// The key must be the one `alg` belongs to (spec §5: the algorithm is a function of the
    /// signing key; a mismatch is an algorithm-substitution attempt). PSS salt must equal the
    /// hash length; ECDSA signatures are raw `r || s` of the curve's fixed length (spec §3.4).
    pub fn verify_notary(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
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

fn verify_pss(
    key: &rsa::PublicKey,
    hash: HashAlgorithm,
    prehash: &[u8],
    signature: &[u8],
    _strict_salt: bool,
) -> Result<(), CryptoError> {
    verify_pss_salt(key, hash, prehash, signature, hash.output_len())
}

fn verify_pss_salt(
    key: &rsa::PublicKey,
    hash: HashAlgorithm,
    prehash: &[u8],
    signature: &[u8],
    salt: usize,
) -> Result<(), CryptoError> {
    let res = match hash {
        HashAlgorithm::Sha256 => {
            key.verify(rsa::Pss::<Sha256>::new_with_salt(salt), prehash, signature)
        }
        HashAlgorithm::Sha384 => {
            key.verify(rsa::Pss::<Sha384>::new_with_salt(salt), prehash, signature)
        }
        HashAlgorithm::Sha512 => {
            key.verify(rsa::Pss::<Sha512>::new_with_salt(salt), prehash, signature)
        }
    };
    res.map_err(|_| CryptoError::BadSignature)
}

/// RSASSA-PSS-params (RFC 4055 §3.1, RFC 8017 A.2.3): hash, MGF1 with the same hash, salt
/// length, trailer 1.
///
/// ```text
/// SEQUENCE { hashAlgorithm    [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1,
///            maskGenAlgorithm [1] EXPLICIT AlgorithmIdentifier DEFAULT mgf1SHA1,
///            saltLength       [2] EXPLICIT INTEGER DEFAULT 20,
///            trailerField     [3] EXPLICIT INTEGER { trailerFieldBC(1) } DEFAULT 1 }
/// ```
///
/// Read with a flat TLV walk rather than `pkcs1`'s derived decoder, which costs the wasm about
/// 10 KB. Each field is decoded as strictly as `pkcs1` decodes it (DER, nothing trailing); in
/// addition, fields must be in order and appear at most once.
fn parse_pss_params(parameters: Option<&[u8]>) -> Result<(HashAlgorithm, usize), CryptoError> {
    let der =
        parameters.ok_or_else(|| CryptoError::Malformed("RSASSA-PSS without parameters".into()))?;
    let bad = malformed("RSASSA-PSS parameters");
    // The contents of the explicit [0]..[3] fields present.
    let mut fields: [Option<&[u8]>; 4] = [None; 4];
    let mut reader = SliceReader::new(sequence_contents(der).map_err(&bad)?).map_err(&bad)?;
    let mut next = 0;
    while !reader.is_finished() {
        let field = AnyRef::decode(&mut reader).map_err(&bad)?;
        let n = match field.tag() {
            der::Tag::ContextSpecific {
                constructed: true,
                number,
            } => number.0 as usize,
            tag => {
                return Err(bad(der::ErrorKind::TagUnexpected {
                    expected: None,
                    actual: tag,
                }
                .into()))
            }
        };
        if n < next || n >= fields.len() {
            return Err(bad(der::Tag::Sequence.value_error().into()));
        }
        fields[n] = Some(field.value());
        next = n + 1;
    }

    let hash_oid = match fields[0] {
        Some(v) => AlgorithmIdentifierRef::from_der(v).map_err(&bad)?.oid,
        None => const_oid::db::rfc5912::ID_SHA_1,
    };
    let hash = HashAlgorithm::from_oid(&hash_oid)
        .ok_or_else(|| CryptoError::UnsupportedAlgorithm(format!("RSASSA-PSS hash {hash_oid}")))?;
    // The MGF1 hash: the default is mgf1SHA1, which never matches a supported hash.
    let mgf_hash = match fields[1] {
        Some(v) => {
            // AlgorithmIdentifier { MGF OID, parameters: itself an AlgorithmIdentifier (RFC 8017
            // A.2.1) }, walked as TLVs so the parameters need no re-encoding.
            let mut mask_gen =
                SliceReader::new(sequence_contents(v).map_err(&bad)?).map_err(&bad)?;
            let mgf_oid = ObjectIdentifier::decode(&mut mask_gen).map_err(&bad)?;
            let params = match mask_gen.is_finished() {
                true => None,
                false => {
                    let tlv = mask_gen.tlv_bytes().map_err(&bad)?;
                    Some(AlgorithmIdentifierRef::from_der(tlv).map_err(&bad)?.oid)
                }
            };
            mask_gen.finish().map_err(&bad)?;
            if mgf_oid != ID_MGF1 {
                return Err(CryptoError::UnsupportedAlgorithm(
                    "RSASSA-PSS mask generation".into(),
                ));
            }
            params.ok_or_else(|| CryptoError::Malformed("MGF1 without hash".into()))?
        }
        None => const_oid::db::rfc5912::ID_SHA_1,
    };
    let salt = match fields[2] {
        Some(v) => u8::from_der(v).map_err(&bad)?,
        None => 20,
    };
    if let Some(v) = fields[3] {
        if u8::from_der(v).map_err(&bad)? != 1 {
            return Err(bad(der::Tag::Integer.value_error().into()));
        }
    }
    if HashAlgorithm::from_oid(&mgf_hash) != Some(hash) {
        return Err(CryptoError::UnsupportedAlgorithm(
            "MGF1 hash differs from the PSS hash".into(),
        ));
    }
    Ok((hash, usize::from(salt)))
}

/// The contents of the single DER SEQUENCE that is all of `der` (no trailing data).
fn sequence_contents(der: &[u8]) -> der::Result<&[u8]> {
    let any = AnyRef::from_der(der)?;
    if any.tag() != der::Tag::Sequence {
        return Err(der::ErrorKind::TagUnexpected {
            expected: Some(der::Tag::Sequence),
            actual: any.tag(),
        }
        .into());
    }
    Ok(any.value())
}

/// A SEC1 `ECPrivateKey` (RFC 5915 §3) on `curve`, or on the curve its parameters name when
/// `curve` is `None` (a bare SEC1 key must name it). Checks what `elliptic-curve`'s PKCS#8
/// decoder checks: the parameters, when present, agree with `curve`; the scalar is in range;
/// the `publicKey`, when present, is the private key's own point (compressed or not).
fn ec_private_key(der: &[u8], curve: Option<Curve>, what: &str) -> Result<PrivateKey, CryptoError> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(malformed(what))?;
    let named = key.parameters.and_then(|p| p.named_curve());
    let curve = match (curve, named) {
        (Some(c), Some(n)) => {
            if Curve::from_oid(n).ok() != Some(c) {
                return Err(CryptoError::Malformed(format!(
                    "{what}: curve parameters disagree"
                )));
            }
            c
        }
        (Some(c), None) => c,
        (None, Some(n)) => Curve::from_oid(n)?,
        (None, None) => {
            return Err(CryptoError::Malformed(
                "SEC1 key without a named curve".into(),
            ))
        }
    };
    let secret = key.private_key;
    let bad = |_| CryptoError::Malformed(format!("{what}: bad scalar"));
    let private = match curve {
        Curve::P256 => PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(secret).map_err(bad)?),
        Curve::P384 => PrivateKey::P384(p384::ecdsa::SigningKey::from_slice(secret).map_err(bad)?),
        Curve::P521 => PrivateKey::P521(p521::ecdsa::SigningKey::from_slice(secret).map_err(bad)?),
    };
    if let Some(embedded) = key.public_key {
        let compress = matches!(embedded.first(), Some(0x02 | 0x03));
        let own = match &private {
            PrivateKey::P256(k) => k
                .verifying_key()
                .to_sec1_point(compress)
                .as_bytes()
                .to_vec(),
            PrivateKey::P384(k) => k
                .verifying_key()
                .to_sec1_point(compress)
                .as_bytes()
                .to_vec(),
            PrivateKey::P521(k) => k
                .verifying_key()
                .to_sec1_point(compress)
                .as_bytes()
                .to_vec(),
            PrivateKey::Rsa(_) => Vec::new(),
        };
        if embedded != own.as_slice() {
            return Err(CryptoError::KeyMismatch);
        }
    }
    Ok(private)
}

/// A private key that can sign Notary payloads.
#[derive(Clone)]
#[non_exhaustive]
pub enum PrivateKey {
    /// RSA.
    Rsa(rsa::PrivateKey),
    /// ECDSA over P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA over P-384.
    P384(p384::ecdsa::SigningKey),
    /// ECDSA over P-521.
    P521(p521::ecdsa::SigningKey),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        write!(f, "PrivateKey({})", self.public_key().kind())
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1
    /// (`RSA PRIVATE KEY`). Encrypted keys are refused.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let (label, der) = pem_rfc7468_decode(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_der(&der)
                .map(PrivateKey::Rsa)
                .map_err(|e| CryptoError::Malformed(format!("RSA private key: {e}"))),
            "ENCRYPTED PRIVATE KEY" => Err(CryptoError::UnsupportedKey(
                "encrypted private keys are not supported".into(),
            )),
            other => Err(CryptoError::Malformed(format!(
                "unexpected PEM label {other:?}"
            ))),
        }
    }

    /// Reads a DER PKCS#8 `PrivateKeyInfo`.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(malformed("PKCS#8 key"))?;
        let bad = |e: pkcs8::Error| CryptoError::Malformed(format!("PKCS#8 key: {e}"));
        // The keys are built from the `PrivateKeyInfo` parsed above (`try_from`), not re-parsed
        // from the DER by each key type's `from_pkcs8_der` (same checks; less wasm).
        if info.algorithm.oid == RSA_ENCRYPTION {
            return rsa::PrivateKey::try_from(info)
                .map(PrivateKey::Rsa)
                .map_err(bad);
        }
        if info.algorithm.oid != ID_EC_PUBLIC_KEY {
            return Err(CryptoError::UnsupportedKey(format!(
                "key algorithm {}",
                info.algorithm.oid
            )));
        }
        // PKCS#8 carries a SEC1 `ECPrivateKey` for EC keys (RFC 5915 §4): both encodings share
        // one reader, so both refuse a mismatched embedded public key the same way.
        let curve = Curve::from_parameters(info.algorithm.parameters.as_ref())?;
        ec_private_key(info.private_key.as_bytes(), Some(curve), "PKCS#8 key")
    }

    /// Reads a DER SEC1 `ECPrivateKey` (the curve must be named in its parameters). An embedded
    /// public key must be the private key's own ([`CryptoError::KeyMismatch`] otherwise).
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, CryptoError> {
        ec_private_key(der, None, "SEC1 key")
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            PrivateKey::P256(k) => PublicKey::P256(*k.verifying_key()),
            PrivateKey::P384(k) => PublicKey::P384(*k.verifying_key()),
            PrivateKey::P521(k) => PublicKey::P521(*k.verifying_key()),
        }
    }

    /// Signs `message` with `alg` (which must be the key's own Notary algorithm), giving the
    /// envelope signature bytes: PSS (salt = hash length) or raw ECDSA `r || s`.
    pub fn sign_notary(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let derived = self.public_key().notary_algorithm()?;
        if derived != alg {
            return Err(CryptoError::UnsupportedAlgorithm(format!(
                "algorithm {alg} does not match the key (expects {derived})"
            )));
        }
        let prehash = alg.hash().digest(message);
        let mut rng = getrandom::SysRng;
        let sign_err = |e: signature::Error| CryptoError::Signing(e.to_string());
        match self {
            PrivateKey::Rsa(k) => {
                let res = match alg.hash() {
                    HashAlgorithm::Sha256 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::<Sha256>::new(), &prehash)
                    }
                    HashAlgorithm::Sha384 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::<Sha384>::new(), &prehash)
                    }
                    HashAlgorithm::Sha512 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::<Sha512>::new(), &prehash)
                    }
                };
                res.map_err(|e| CryptoError::Signing(e.to_string()))
            }
            PrivateKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash_with_rng(&mut rng, &prehash)
                    .map_err(sign_err)?;
                Ok(sig.to_bytes().to_vec())
            }
            PrivateKey::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash_with_rng(&mut rng, &prehash)
                    .map_err(sign_err)?;
                Ok(sig.to_bytes().to_vec())
            }
            PrivateKey::P521(k) => {
                let sig: p521::ecdsa::Signature = k
                    .sign_prehash_with_rng(&mut rng, &prehash)
                    .map_err(sign_err)?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}

/// Decodes the one PEM block that is all of `pem`, returning its label and DER body.
///
/// RFC 7468 §2 strictness (nothing around the block, no headers, one block) on top of the
/// Go-compatible scanner the certificate reader already links ([`crate::x509::pem::decode`]):
/// a second PEM decoder would cost the wasm about 8 KB. The scanner checks the END label and the
/// canonical, padded base64 body.
fn pem_rfc7468_decode(pem: &str) -> Result<(String, Vec<u8>), CryptoError> {
    let bad = |why: &str| CryptoError::Malformed(format!("PEM: {why}"));
    let text = pem.trim();
    if !text.starts_with("-----BEGIN ") || text.matches("-----BEGIN ").count() != 1 {
        return Err(bad("expected exactly one PEM block"));
    }
    // Base64 and the encapsulation lines hold no ':'; Go's scanner would skip header lines.
    if text.contains(':') {
        return Err(bad("PEM headers are not allowed"));
    }
    match crate::x509::pem::decode(text.as_bytes()) {
        Some((block, [])) => Ok((block.label, block.bytes)),
        Some(_) => Err(bad("data after the PEM block")),
        None => Err(bad("malformed PEM block")),
    }
}

/// Encodes a DER value (helper for tests and certificate tooling).
pub fn to_der<T: Encode>(value: &T) -> Result<Vec<u8>, CryptoError> {
    value.to_der().map_err(malformed("DER encoding"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_round_trip_and_alg_binding() {
        for (pem_alg, alg) in [
            ("p256", SignatureAlgorithm::Es256),
            ("p384", SignatureAlgorithm::Es384),
            ("p521", SignatureAlgorithm::Es512),
        ] {
            let key = match pem_alg {
                "p256" => {
                    PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap())
                }
                "p384" => {
                    PrivateKey::P384(p384::ecdsa::SigningKey::from_slice(&[7u8; 48]).unwrap())
                }
                _ => PrivateKey::P521(p521::ecdsa::SigningKey::from_slice(&[1u8; 66]).unwrap()),
            };
            let public = key.public_key();
            assert_eq!(public.notary_algorithm().unwrap(), alg);
            let sig = key.sign_notary(alg, b"payload").unwrap();
            public.verify_notary(alg, b"payload", &sig).unwrap();
            assert_eq!(
                public.verify_notary(alg, b"payloae", &sig),
                Err(CryptoError::BadSignature)
            );
            // Another algorithm over the same key is an algorithm-substitution attempt.
            let other = if alg == SignatureAlgorithm::Es256 {
                SignatureAlgorithm::Es384
            } else {
                SignatureAlgorithm::Es256
            };
            assert!(matches!(
                public.verify_notary(other, b"payload", &sig),
                Err(CryptoError::UnsupportedAlgorithm(_))
            ));
            let spki = public.to_spki_der().unwrap();
            assert_eq!(
                PublicKey::from_spki_der(&spki).unwrap().size_bits(),
                public.size_bits()
            );
        }
    }

    #[test]
    fn jws_and_cose_names() {
        for a in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::from_jws_name(a.jws_name()), Some(a));
            assert_eq!(SignatureAlgorithm::from_cose_id(a.cose_id()), Some(a));
        }
        assert_eq!(SignatureAlgorithm::from_jws_name("none"), None);
        assert_eq!(SignatureAlgorithm::from_jws_name("ps256"), None);
        assert_eq!(SignatureAlgorithm::from_jws_name("RS256"), None);
    }

    #[test]
    fn private_key_pem_is_one_strict_block() {
        let key = |name: &str| {
            std::fs::read_to_string(format!(
                "{}/tests/data/keys/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        // PKCS#8, SEC1 and PKCS#1 fixtures, with surrounding whitespace and CRLF line ends.
        for (name, kind) in [
            ("p256.key", "ECDSA"),
            ("p256.sec1.key", "ECDSA"),
            ("rsa2048.pkcs1.key", "RSA"),
        ] {
            let pem = key(name);
            assert_eq!(
                PrivateKey::from_pem(&pem).unwrap().public_key().kind(),
                kind
            );
            let crlf = format!("\n  {}\n", pem.replace('\n', "\r\n"));
            assert!(PrivateKey::from_pem(&crlf).is_ok(), "{name} with CRLF");
        }
        let pem = key("p256.key");
        let refused = |text: &str| match PrivateKey::from_pem(text) {
            Err(CryptoError::Malformed(m)) => m,
            other => panic!("accepted or wrong error: {other:?}"),
        };
        assert!(refused(&format!("junk\n{pem}")).contains("exactly one PEM block"));
        assert!(refused(&format!("{pem}junk\n")).contains("data after"));
        assert!(refused(&format!("{pem}{pem}")).contains("exactly one PEM block"));
        let with_header = pem.replacen("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n", 1);
        assert!(refused(&with_header).contains("headers"));
        let wrong_end = pem.replace("END PRIVATE KEY", "END EC PRIVATE KEY");
        assert!(refused(&wrong_end).contains("malformed PEM block"));
        // One flipped base64 symbol in the body (no longer canonical or no longer a key).
        let body_start = pem.find('\n').unwrap() + 1;
        let mut bad_b64 = pem.clone().into_bytes();
        bad_b64[body_start] = b'!';
        assert!(refused(&String::from_utf8(bad_b64).unwrap()).contains("malformed PEM block"));
    }

    /// DER TLV with a short-form length (test inputs stay under 128 bytes).
    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let body = parts.concat();
        let mut out = vec![tag, u8::try_from(body.len()).unwrap()];
        out.extend_from_slice(&body);
        out
    }

    /// The former decoder (pkcs1's derived one and the same checks), as the reference.
    fn pss_reference(der: &[u8]) -> Option<(HashAlgorithm, usize)> {
        let params = rsa::pkcs1::RsaPssParams::<der::Any>::from_der(der).ok()?;
        let hash = HashAlgorithm::from_oid(&params.hash.oid)?;
        let mgf = params.mask_gen.parameters.as_ref()?.oid;
        (params.mask_gen.oid == ID_MGF1 && HashAlgorithm::from_oid(&mgf) == Some(hash))
            .then_some((hash, usize::from(params.salt_len)))
    }

    #[test]
    fn pss_params_agree_with_pkcs1() {
        let sha = |n: u8| {
            tlv(
                0x30,
                &[
                    &[0x06, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 2, n],
                    &[0x05, 0],
                ],
            )
        };
        let mgf1 = |hash: &[u8]| {
            tlv(
                0x30,
                &[
                    &[0x06, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 8],
                    hash,
                ],
            )
        };
        let params =
            |fields: &[Vec<u8>]| tlv(0x30, &fields.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let int = |v: &[u8]| tlv(0x02, &[v]);
        let f = |n: u8, v: &[u8]| tlv(0xa0 | n, &[v]);

        let mut valid = Vec::new();
        for (n, hash, salt) in [
            (1, HashAlgorithm::Sha256, 32u8),
            (2, HashAlgorithm::Sha384, 48),
            (3, HashAlgorithm::Sha512, 64),
        ] {
            let base = [f(0, &sha(n)), f(1, &mgf1(&sha(n))), f(2, &int(&[salt]))];
            let der = params(&base);
            assert_eq!(
                parse_pss_params(Some(&der)).unwrap(),
                (hash, usize::from(salt))
            );
            let mut with_trailer = base.to_vec();
            with_trailer.push(f(3, &int(&[1])));
            let der = params(&with_trailer);
            assert_eq!(
                parse_pss_params(Some(&der)).unwrap(),
                (hash, usize::from(salt))
            );
            valid.push(der);
        }
        let s256 = sha(1);
        let m256 = mgf1(&s256);
        // Default salt (20); trailer 2; MGF1 over another hash; MGF1 without a hash; the SHA-1
        // defaults; fields out of order or repeated; a salt that is not DER; trailing data.
        let cases = [
            params(&[f(0, &s256), f(1, &m256)]),
            params(&[
                f(0, &s256),
                f(1, &m256),
                f(2, &int(&[32])),
                f(3, &int(&[2])),
            ]),
            params(&[f(0, &s256), f(1, &mgf1(&sha(2))), f(2, &int(&[32]))]),
            params(&[
                f(0, &s256),
                f(1, &tlv(0x30, &[&m256[2..13]])),
                f(2, &int(&[32])),
            ]),
            params(&[]),
            params(&[f(0, &s256)]),
            params(&[f(1, &m256), f(0, &s256)]),
            params(&[f(0, &s256), f(1, &m256), f(2, &int(&[0, 32]))]),
            params(&[f(0, &s256), f(1, &m256), f(2, &int(&[1, 0]))]),
            [params(&[f(0, &s256), f(1, &m256)]), vec![0x05, 0]].concat(),
            tlv(0x31, &[&f(0, &s256)]),
        ];
        assert_eq!(
            parse_pss_params(Some(&cases[0])).unwrap(),
            (HashAlgorithm::Sha256, 20)
        );
        for (i, der) in cases.iter().enumerate().skip(1) {
            assert!(parse_pss_params(Some(der)).is_err(), "case {i}");
            assert!(pss_reference(der).is_none(), "case {i}");
        }
        assert!(parse_pss_params(None).is_err());
        // Every truncation and every single-byte change of the valid encodings decodes the same
        // way as the reference decoder, except where ours is stricter (field order, repeats).
        assert_eq!(pss_reference(&cases[0]), Some((HashAlgorithm::Sha256, 20)));
        for der in &valid {
            assert_eq!(pss_reference(der), parse_pss_params(Some(der)).ok());
            for len in 0..der.len() {
                assert!(parse_pss_params(Some(&der[..len])).is_err());
            }
            for i in 0..der.len() {
                for b in [0x00, 0x01, 0x05, 0x30, 0x80, 0xa0, 0xa1, 0xa2, 0xa3, 0xff] {
                    let mut m = der.clone();
                    m[i] = b;
                    if let Ok(ours) = parse_pss_params(Some(&m)) {
                        assert_eq!(Some(ours), pss_reference(&m), "byte {i} = {b:#x}");
                    }
                }
            }
        }
    }

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

    /// SEC1 `ECPrivateKey` DER on P-256 with scalar `secret` and the given embedded public key.
    fn sec1_der(secret: &[u8], public: Option<&[u8]>, named: bool) -> Vec<u8> {
        use der::Encode;
        sec1::EcPrivateKey {
            private_key: secret,
            parameters: named.then_some(sec1::EcParameters::NamedCurve(
                const_oid::db::rfc5912::SECP_256_R_1,
            )),
            public_key: public,
        }
        .to_der()
        .unwrap()
    }

    /// PKCS#8 `PrivateKeyInfo` around a P-256 SEC1 key.
    fn pkcs8_der(sec1: &[u8]) -> Vec<u8> {
        let tlv = |tag: u8, c: &[u8]| -> Vec<u8> {
            let mut out = vec![tag];
            if c.len() >= 0x80 {
                out.push(0x81);
            }
            out.push(c.len() as u8);
            out.extend_from_slice(c);
            out
        };
        let alg = tlv(
            0x30,
            &[
                0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                0xce, 0x3d, 0x03, 0x01, 0x07,
            ],
        );
        tlv(
            0x30,
            &[&[0x02, 0x01, 0x00][..], &alg, &tlv(0x04, sec1)].concat(),
        )
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
    fn ec_keys_with_another_public_key_are_refused() {
        let a = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let b = p256::ecdsa::SigningKey::from_slice(&[8u8; 32]).unwrap();
        let secret = a.to_bytes();
        let own = a.verifying_key().to_sec1_point(false);
        let own_compressed = a.verifying_key().to_sec1_point(true);
        let other = b.verifying_key().to_sec1_point(false);
        let mut bad_point = own.as_bytes().to_vec();
        bad_point[0] = 0x05;
        let cases: [(Option<&[u8]>, bool); 5] = [
            (None, true),
            (Some(own.as_bytes()), true),
            (Some(own_compressed.as_bytes()), true),
            (Some(other.as_bytes()), false),
            (Some(&bad_point), false),
        ];
        for (public, ok) in cases {
            let sec1 = sec1_der(&secret, public, true);
            let pkcs8 = pkcs8_der(&sec1_der(&secret, public, false));
            for parsed in [
                PrivateKey::from_sec1_der(&sec1),
                PrivateKey::from_pkcs8_der(&pkcs8),
            ] {
                match parsed {
                    Ok(PrivateKey::P256(k)) => {
                        assert!(ok);
                        assert_eq!(k.to_bytes(), secret);
                    }
                    Ok(_) => panic!("wrong key type"),
                    Err(e) => {
                        assert!(!ok);
                        assert_eq!(e, CryptoError::KeyMismatch);
                        assert_eq!(e.code(), "ERR_PARSE");
                    }
                }
            }
            // The PKCS#8 decisions are elliptic-curve's own (the reader this replaced there).
            let info = pkcs8::PrivateKeyInfoRef::from_der(&pkcs8).unwrap();
            assert_eq!(p256::ecdsa::SigningKey::try_from(info).is_ok(), ok);
        }
        // A SEC1 key naming its curve in the parameters and a PKCS#8 key naming another.
        let p384_params = sec1::EcPrivateKey {
            private_key: &secret,
            parameters: Some(sec1::EcParameters::NamedCurve(
                const_oid::db::rfc5912::SECP_384_R_1,
            )),
            public_key: None,
        };
        let pkcs8 = pkcs8_der(&der::Encode::to_der(&p384_params).unwrap());
        assert!(matches!(
            PrivateKey::from_pkcs8_der(&pkcs8),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            PrivateKey::from_sec1_der(&sec1_der(&secret, None, false)),
            Err(CryptoError::Malformed(_))
        ));
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
