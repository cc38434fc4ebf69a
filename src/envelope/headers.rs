//! The Notary header names both envelope formats use (spec §3.2, §3.3, §4): the same text
//! names are JWS header parameters and COSE text labels.

/// The content type both formats carry (JWS `cty`, COSE label 3; spec §2, §3.2, §4).
pub use crate::payload::MEDIA_TYPE_PAYLOAD;

/// `io.cncf.notary.signingScheme` (spec §3.2).
pub(crate) const HEADER_SIGNING_SCHEME: &str = "io.cncf.notary.signingScheme";
/// `io.cncf.notary.signingTime` (spec §3.2).
pub(crate) const HEADER_SIGNING_TIME: &str = "io.cncf.notary.signingTime";
/// `io.cncf.notary.authenticSigningTime` (spec §3.2).
pub(crate) const HEADER_AUTHENTIC_SIGNING_TIME: &str = "io.cncf.notary.authenticSigningTime";
/// `io.cncf.notary.expiry` (spec §3.2).
pub(crate) const HEADER_EXPIRY: &str = "io.cncf.notary.expiry";
/// `io.cncf.notary.verificationPlugin` (spec §3.2).
pub(crate) const HEADER_VERIFICATION_PLUGIN: &str = "io.cncf.notary.verificationPlugin";
/// `io.cncf.notary.verificationPluginMinVersion` (spec §3.2).
pub(crate) const HEADER_VERIFICATION_PLUGIN_MIN_VERSION: &str =
    "io.cncf.notary.verificationPluginMinVersion";
/// Unprotected `io.cncf.notary.timestampSignature` (spec §3.3).
pub(crate) const HEADER_TIMESTAMP_SIGNATURE: &str = "io.cncf.notary.timestampSignature";
/// Unprotected `io.cncf.notary.signingAgent` (spec §3.3).
pub(crate) const HEADER_SIGNING_AGENT: &str = "io.cncf.notary.signingAgent";

/// The protected Notary headers nv2 interprets in either format (spec §3.2, §4); any other
/// non-registered protected header is an extended attribute (spec §11.1).
pub(crate) const NOTARY_PROTECTED: [&str; 6] = [
    HEADER_SIGNING_SCHEME,
    HEADER_SIGNING_TIME,
    HEADER_AUTHENTIC_SIGNING_TIME,
    HEADER_EXPIRY,
    HEADER_VERIFICATION_PLUGIN,
    HEADER_VERIFICATION_PLUGIN_MIN_VERSION,
];
