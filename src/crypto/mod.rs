//! Signature algorithms, keys and hashes (signature-specification.md §Signature Algorithm
//! Requirements), over RustCrypto.
//!
//! The Notary Project fixes the algorithm by the signing certificate's key: RSA 2048/3072/4096
//! give PS256/PS384/PS512, P-256/P-384/P-521 give ES256/ES384/ES512. Every other key is refused
//! (signature-specification.md §Signature Algorithm Requirements, docs/conformance.md §D10).
//! Signatures are RSASSA-PSS with MGF1 over the same hash and salt length equal to the hash length
//! (stricter than notation-go's JWS path, docs/conformance.md §D11), or ECDSA in the raw
//! fixed-length `r || s` form (signature-envelope-jws.md §Signature).
//!
//! X.509 certificate signatures (issuer over child) accept RSA PKCS#1 v1.5 and RSASSA-PSS with
//! SHA-256/384/512 and ECDSA with SHA-256/384/512; SHA-1 is refused (signature-specification.md
//! §Signature Algorithm Requirements).
//!
//! Failures are deliberately opaque about *why* a signature did not verify (no padding or math
//! details), so they leak nothing useful to an attacker.

mod algorithm;
mod checks;
mod hash;
mod private_key;
mod pss;
mod public_key;

use core::fmt;

use crate::error::ErrorCode;

use der::asn1::AnyRef;
use der::{Decode, Encode, Tagged};

pub use algorithm::SignatureAlgorithm;
pub(crate) use checks::{count_check, counted};
pub use hash::{hex, sha256_hex, HashAlgorithm, IncrementalHash};
pub use private_key::PrivateKey;
pub use public_key::PublicKey;

/// Why a cryptographic operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CryptoError {
    /// The signature does not verify under the key (deliberately without detail).
    BadSignature,
    /// The key is of a kind or size the Notary Project does not allow (signature-specification.md
    /// §Signature Algorithm Requirements).
    UnsupportedKey(String),
    /// The signature algorithm is not one nv2 supports (signature-specification.md §Signature
    /// Algorithm Requirements; SHA-1 is always refused).
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

/// A `der::Error` mapper to [`CryptoError::Malformed`] naming `what` was being read.
pub(crate) fn malformed(what: &str) -> impl Fn(der::Error) -> CryptoError + '_ {
    move |e| CryptoError::Malformed(format!("{what}: {e}"))
}

/// The contents of the single DER SEQUENCE that is all of `der` (no trailing data).
pub(crate) fn sequence_contents(der: &[u8]) -> der::Result<&[u8]> {
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

/// Encodes a DER value (helper for tests and certificate tooling).
pub fn to_der<T: Encode>(value: &T) -> Result<Vec<u8>, CryptoError> {
    value.to_der().map_err(malformed("DER encoding"))
}
