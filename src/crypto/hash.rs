//! The SHA-2 hashes (signature-specification.md §Signature Algorithm Requirements), one-shot and
//! incremental, and lower-case hex.

use const_oid::ObjectIdentifier;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The SHA-2 hashes the Notary Project uses (signature-specification.md §Signature Algorithm
/// Requirements).
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

/// SHA-256 of `data` as lower-case hex (certificate thumbprints, signature-specification.md §OCI
/// Signatures and §Certificate Requirements).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}
