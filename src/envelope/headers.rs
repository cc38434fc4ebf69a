//! The Notary header names both envelope formats use (signature-envelope-jws.md §Protected Headers,
//! §Unprotected Headers, signature-envelope-cose.md): the same text names are JWS header parameters
//! and COSE text labels.

/// The content type both formats carry (JWS `cty`, COSE label 3; signature-specification.md
/// §Payload, signature-envelope-jws.md §Protected Headers, signature-envelope-cose.md).
pub use crate::payload::MEDIA_TYPE_PAYLOAD;

/// `io.cncf.notary.signingScheme` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
/// `io.cncf.notary.signingTime` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_SIGNING_TIME: &str = "io.cncf.notary.signingTime";
/// `io.cncf.notary.authenticSigningTime` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
/// `io.cncf.notary.expiry` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_EXPIRY: &str = "io.cncf.notary.expiry";
/// `io.cncf.notary.verificationPlugin` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
/// `io.cncf.notary.verificationPluginMinVersion` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_VERIFICATION_PLUGIN_MIN_VERSION: &str =
    "io.cncf.notary.verificationPluginMinVersion";
/// Unprotected `io.cncf.notary.timestampSignature` (signature-envelope-jws.md §Unprotected
/// Headers).
pub(crate) const HEADER_TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
/// Unprotected `io.cncf.notary.signingAgent` (signature-envelope-jws.md §Unprotected Headers).
pub(crate) const HEADER_SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";

/// The protected Notary headers nv2 interprets in either format (signature-envelope-jws.md
/// §Protected Headers, signature-envelope-cose.md); any other non-registered protected header is an
/// extended attribute (docs/conformance.md §D1).
pub(crate) const NOTARY_PROTECTED: [&str; 6] = [
    HEADER_SIGNING_SCHEME,
    HEADER_SIGNING_TIME,
    HEADER_AUTHENTIC_SIGNING_TIME,
    HEADER_EXPIRY,
    HEADER_VERIFICATION_PLUGIN,
    HEADER_VERIFICATION_PLUGIN_MIN_VERSION,
];
