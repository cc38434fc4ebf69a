//! The Notary header names both envelope formats use (signature-envelope-jws.md §Protected Headers,
//! §Unprotected Headers, signature-envelope-cose.md): the same text names are JWS header parameters
//! and COSE text labels.

/// The content type both formats carry (JWS `cty`, COSE label 3; signature-specification.md
/// §Payload, signature-envelope-jws.md §Protected Headers, signature-envelope-cose.md).
pub use crate::payload::MEDIA_TYPE_PAYLOAD;

use super::{EnvelopeError, SigningScheme};
use crate::time::Instant;

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

/// The signing time `scheme` stands behind (signature-envelope-jws.md §Protected Headers,
/// signature-envelope-cose.md §Protected Header, identical in both formats): `notary.x509` carries
/// `signingTime` and must not carry `authenticSigningTime`, `notary.x509.signingAuthority` the
/// reverse; the one it carries must be there, and an `expiry` must be strictly after it.
pub(crate) fn effective_signing_time(
    scheme: SigningScheme,
    signing_time: Option<Instant>,
    authentic_signing_time: Option<Instant>,
    expiry: Option<Instant>,
) -> Result<Instant, EnvelopeError> {
    let (effective, forbidden, other) = match scheme {
        SigningScheme::X509 => (
            signing_time,
            HEADER_AUTHENTIC_SIGNING_TIME,
            authentic_signing_time,
        ),
        SigningScheme::X509SigningAuthority => {
            (authentic_signing_time, HEADER_SIGNING_TIME, signing_time)
        }
    };
    if other.is_some() {
        return Err(EnvelopeError::ForbiddenHeader(format!(
            "{forbidden:?} header must not be present for {} signing scheme",
            scheme.as_str()
        )));
    }
    let effective = effective.ok_or(EnvelopeError::SigningTimeMissing)?;
    if expiry.is_some_and(|e| e <= effective) {
        return Err(EnvelopeError::ExpiryNotAfterSigningTime);
    }
    Ok(effective)
}
