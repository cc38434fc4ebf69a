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
    ($( $variant:ident => $code:literal, $class:ident, $meaning:literal; )*) => {
        /// A stable error code (semver-stable: codes are never renamed or reused).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( #[doc = $meaning] $variant, )*
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
    Parse => "ERR_PARSE", ParseError,
        "malformed envelope, JSON, PEM/DER, base64 or time";
    InvalidArgument => "ERR_INVALID_ARGUMENT", ParseError,
        "an option is missing or has the wrong type";
    PolicyInvalid => "ERR_POLICY_INVALID", PolicyError,
        "the trust policy document is invalid";
    NoApplicableTrustPolicy => "ERR_NO_APPLICABLE_TRUST_POLICY", PolicyError,
        "no policy statement covers the artifact reference";
    TrustStore => "ERR_TRUST_STORE", TrustStoreError,
        "a named trust store is missing, empty or holds unusable certificates";
    SignatureIntegrity => "ERR_SIGNATURE_INTEGRITY", VerificationFailedError,
        "the signature or envelope is invalid (always enforced)";
    SignatureAuthenticity => "ERR_SIGNATURE_AUTHENTICITY", VerificationFailedError,
        "the chain contains no trusted certificate";
    UntrustedIdentity => "ERR_UNTRUSTED_IDENTITY", VerificationFailedError,
        "the signing certificate matches no trusted identity";
    SignatureExpired => "ERR_SIGNATURE_EXPIRED", VerificationFailedError,
        "the signature's expiry has passed";
    CertExpired => "ERR_CERT_EXPIRED", VerificationFailedError,
        "a chain certificate is not valid at the verification / signing time";
    CertInvalid => "ERR_CERT_INVALID", VerificationFailedError,
        "a certificate violates the Notary certificate profile";
    CertRevoked => "ERR_CERT_REVOKED", VerificationFailedError,
        "a chain certificate is revoked";
    VerificationInconclusive => "ERR_VERIFICATION_INCONCLUSIVE", VerificationInconclusiveError,
        "a verdict could not be reached (e.g. revocation unknown)";
    Timestamp => "ERR_TIMESTAMP", VerificationFailedError,
        "the RFC 3161 timestamp countersignature is missing or invalid";
    DescriptorMismatch => "ERR_DESCRIPTOR_MISMATCH", VerificationFailedError,
        "the signed descriptor is not the artifact's descriptor (always enforced)";
    UserMetadataMismatch => "ERR_USER_METADATA_MISMATCH", VerificationFailedError,
        "required user metadata is not in the signature (always enforced)";
    VerificationPlugin => "ERR_VERIFICATION_PLUGIN", VerificationFailedError,
        "the signature requires a verification plugin";
    UnsupportedEnvelope => "ERR_UNSUPPORTED_ENVELOPE", ParseError,
        "the envelope media type is not supported";
    UnsupportedAlgorithm => "ERR_UNSUPPORTED_ALGORITHM", ParseError,
        "key or algorithm outside the Notary set (RSA 2048/3072/4096, P-256/384/521)";
    Signing => "ERR_SIGNING", SigningError,
        "signing failed (bad key, callback error, signature does not match the leaf or is DER-encoded ECDSA)";
    InvalidAnnotation => "ERR_INVALID_ANNOTATION", SigningError,
        "an annotation is invalid (e.g. the reserved `io.cncf.notary` prefix)";
    Limit => "ERR_LIMIT", ParseError,
        "an input exceeds a size or count limit";
    NoSignature => "ERR_NO_SIGNATURE", VerificationFailedError,
        "the artifact has no Notary signature in the registry";
    RegistryHttp => "ERR_REGISTRY_HTTP", RegistryError,
        "the registry answered an error status (its `errors[].code` in the message)";
    RegistryAuth => "ERR_REGISTRY_AUTH", RegistryError,
        "the registry refused the credentials, or none were given";
    DigestMismatch => "ERR_DIGEST_MISMATCH", RegistryError,
        "fetched bytes do not match their digest, or a digest reference resolved elsewhere";
    InsecureTransport => "ERR_INSECURE_TRANSPORT", RegistryError,
        "plain HTTP to a non-loopback registry without `plainHttp`, or an https→http redirect";
    ReferrersIndex => "ERR_REFERRERS_INDEX", RegistryError,
        "the referrers tag holds something that is not an OCI index (nothing is written)";
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
