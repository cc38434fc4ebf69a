//! OCSP (RFC 6960): placeholder interface until the OCSP reader lands; every response is refused,
//! so OCSP never makes a certificate good.

use crate::time::Instant;
use crate::x509::Certificate;

/// A certificate's status in an OCSP response (RFC 6960 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspCertStatus {
    /// Good.
    Good,
    /// Revoked at `time`, with the CRLReason code if given.
    Revoked {
        /// Revocation time.
        time: Instant,
        /// CRLReason (RFC 5280 §5.3.1).
        reason: Option<u8>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// A checked response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspAnswer {
    /// The status.
    pub status: OcspCertStatus,
}

/// The DER OCSP request for `cert` issued by `issuer` (RFC 6960 §4.1.1).
pub fn request_der(_cert: &Certificate, _issuer: &Certificate) -> Vec<u8> {
    Vec::new()
}

/// The GET form of a request (RFC 6960 Appendix A.1).
pub fn request_get_suffix(_request_der: &[u8]) -> String {
    String::new()
}

/// Checks one DER OCSP response for `cert` / `issuer` at `now`.
pub fn check_response(
    _der: &[u8],
    _cert: &Certificate,
    _issuer: &Certificate,
    _now: Instant,
) -> Result<OcspAnswer, String> {
    Err("OCSP responses are not read yet".into())
}
