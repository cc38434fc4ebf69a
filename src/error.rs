//! The stable error codes: one [`ErrorCode`] per code, the JS class each belongs to, a one-line
//! meaning, and the rank used to report the most specific of several failures.
//!
//! This enum is the single source of truth: `js/errors.js` (`ERROR_CODES`,
//! `ERROR_CLASS_BY_CODE`), the code unions of `js/index.d.ts` and the table of `docs/errors.md`
//! are generated from it and checked by `tests/error_codes.rs` (`NV2_BLESS=1 cargo test --test
//! error_codes` rewrites them). Every stage error's `code()` returns one of these.

use core::fmt;

mod details;
mod rank;

pub use details::{
    CertValidity, CertValidityFailure, DescriptorMismatch, ExpectedTarget, TimestampFailure,
};
pub use rank::most_specific;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, $class:ident, $meaning:literal; )*) => {
        /// A stable error code (semver-stable: codes are never renamed or reused).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The stable string, e.g. `ERR_PARSE`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The JS error class a thrown error with this code is an instance of.
            pub fn js_class(self) -> &'static str {
                match self { $(ErrorCode::$variant => stringify!($class),)* }
            }

            /// One line saying what the code means.
            pub fn meaning(self) -> &'static str {
                match self { $(ErrorCode::$variant => $meaning,)* }
            }
        }
    };
}

error_codes! {
    /// Input does not decode.
    Parse => "ERR_PARSE", ParseError,
        "An input (envelope, certificate, CRL, reference, document) could not be parsed or breaks a structural bound.";
    /// Bad argument.
    InvalidArgument => "ERR_INVALID_ARGUMENT", ParseError,
        "An argument is missing, of the wrong type or out of range.";
    /// Invalid trust policy.
    PolicyInvalid => "ERR_POLICY_INVALID", PolicyError,
        "The trust policy document is invalid.";
    /// No statement applies.
    NoApplicableTrustPolicy => "ERR_NO_APPLICABLE_TRUST_POLICY", PolicyError,
        "No trust policy statement applies to the artifact.";
    /// Trust store unusable.
    TrustStore => "ERR_TRUST_STORE", TrustStoreError,
        "A trust store is missing, malformed or holds unusable certificates.";
    /// Integrity failed.
    SignatureIntegrity => "ERR_SIGNATURE_INTEGRITY", VerificationFailedError,
        "The envelope is malformed, its signature does not verify, or its chain breaks the certificate rules.";
    /// Authenticity failed.
    SignatureAuthenticity => "ERR_SIGNATURE_AUTHENTICITY", VerificationFailedError,
        "No certificate of the signature's chain is in the policy's trust stores.";
    /// Identity not trusted.
    UntrustedIdentity => "ERR_UNTRUSTED_IDENTITY", VerificationFailedError,
        "The signing certificate's subject matches none of the policy's trusted identities.";
    /// Signature expired.
    SignatureExpired => "ERR_SIGNATURE_EXPIRED", VerificationFailedError,
        "The signature's expiry time has passed.";
    /// Certificate not valid at the time that matters.
    CertExpired => "ERR_CERT_EXPIRED", VerificationFailedError,
        "A chain certificate was not valid at the time it was checked at.";
    /// Certificate rule violation.
    CertInvalid => "ERR_CERT_INVALID", VerificationFailedError,
        "A certificate or chain violates the Notary Project certificate requirements.";
    /// Certificate revoked.
    CertRevoked => "ERR_CERT_REVOKED", VerificationFailedError,
        "A chain certificate is revoked.";
    /// No verdict.
    VerificationInconclusive => "ERR_VERIFICATION_INCONCLUSIVE", VerificationInconclusiveError,
        "No verdict could be reached (revocation status unknown, network failure).";
    /// Timestamp failed.
    Timestamp => "ERR_TIMESTAMP", VerificationFailedError,
        "The RFC 3161 timestamp countersignature is missing, invalid or does not cover the chain's validity.";
    /// Wrong target.
    DescriptorMismatch => "ERR_DESCRIPTOR_MISMATCH", VerificationFailedError,
        "The signed target descriptor is not the artifact (or blob) being verified.";
    /// Metadata missing.
    UserMetadataMismatch => "ERR_USER_METADATA_MISMATCH", VerificationFailedError,
        "Requested user metadata is absent from the signed payload.";
    /// Plugin needed.
    VerificationPlugin => "ERR_VERIFICATION_PLUGIN", VerificationFailedError,
        "The signature requires a verification plugin, which nv2 does not run.";
    /// Envelope type unknown.
    UnsupportedEnvelope => "ERR_UNSUPPORTED_ENVELOPE", ParseError,
        "The envelope media type is neither JWS nor COSE.";
    /// Algorithm unknown.
    UnsupportedAlgorithm => "ERR_UNSUPPORTED_ALGORITHM", ParseError,
        "The key or signature algorithm is not one the Notary Project allows.";
    /// Signing failed.
    Signing => "ERR_SIGNING", SigningError,
        "Signing failed (bad key, signer callback failure or a malformed signature from it).";
    /// Bad annotation.
    InvalidAnnotation => "ERR_INVALID_ANNOTATION", SigningError,
        "An annotation key is reserved or collides with another.";
    /// Limit exceeded.
    Limit => "ERR_LIMIT", ParseError,
        "A size, count or depth budget was exceeded.";
    /// Unsigned.
    NoSignature => "ERR_NO_SIGNATURE", VerificationFailedError,
        "No Notary Project signature is associated with the artifact.";
    /// Registry HTTP failure.
    RegistryHttp => "ERR_REGISTRY_HTTP", RegistryError,
        "The registry answered an unexpected HTTP status, or could not be reached.";
    /// Registry auth failure.
    RegistryAuth => "ERR_REGISTRY_AUTH", RegistryError,
        "Registry authentication failed or credentials are missing.";
    /// Digest mismatch.
    DigestMismatch => "ERR_DIGEST_MISMATCH", RegistryError,
        "Fetched content does not hash to the digest it was asked for.";
    /// Insecure transport.
    InsecureTransport => "ERR_INSECURE_TRANSPORT", RegistryError,
        "Plain HTTP to a registry that is not allowed it, or an HTTPS to HTTP downgrade.";
    /// Bad referrers index.
    ReferrersIndex => "ERR_REFERRERS_INDEX", RegistryError,
        "The referrers tag holds something that is not an OCI image index.";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets tests and callers compare a code with its stable string (`code == "ERR_PARSE"`).
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(c.as_str().starts_with("ERR_"), "{c}");
            assert!(c.js_class().ends_with("Error"), "{c}");
            assert!(
                !c.meaning().is_empty() && !c.meaning().contains('\n'),
                "{c}"
            );
        }
        assert_eq!(ErrorCode::Parse, "ERR_PARSE");
        assert_eq!(ErrorCode::ReferrersIndex.to_string(), "ERR_REFERRERS_INDEX");
    }
}
