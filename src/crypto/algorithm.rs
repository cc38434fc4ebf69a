//! The table of the six Notary signature algorithms (signature-specification.md §Signature
//! Algorithm Requirements): JWS names, COSE identifiers, hashes and key specs.

use core::fmt;

use super::HashAlgorithm;

/// The six Notary signature algorithms (signature-specification.md §Signature Algorithm
/// Requirements).
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
    /// algorithms here, signature-envelope-jws.md §Protected Headers).
    pub fn from_jws_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.jws_name() == name)
    }

    /// The COSE algorithm identifier (signature-envelope-cose.md).
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
