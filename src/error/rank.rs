//! Which of several failures to report: the most specific one.
//!
//! When every signature of an artifact fails, reporting the first failure hides the useful one
//! (a junk envelope listed first masks a real signature that is merely expired). As
//! rustls-webpki does for the candidate paths it tries (`Error::rank` and `most_specific` in its
//! `src/error.rs`), each failure gets a rank and the highest wins. The rank follows how far
//! verification got, in the order of the checks (signature-specification.md §Signature
//! Verification): a signature that verified cryptographically and then failed a later check
//! (identity, expiry, timestamp, revocation, target) says more than one whose chain is not
//! trusted, which says more than an envelope that does not parse or verify.

use super::ErrorCode;

impl ErrorCode {
    /// How specific a failure with this code is: higher means verification got further before
    /// failing. Codes that are not per-signature verification failures rank lowest.
    pub fn rank(self) -> u8 {
        match self {
            ErrorCode::SignatureIntegrity | ErrorCode::CertInvalid => 1,
            ErrorCode::VerificationPlugin => 2,
            ErrorCode::SignatureAuthenticity => 3,
            ErrorCode::UntrustedIdentity => 4,
            ErrorCode::SignatureExpired => 5,
            ErrorCode::CertExpired | ErrorCode::Timestamp => 6,
            // An unknown revocation status (or a signature that could not be fetched) is
            // weaker than a definite revocation.
            ErrorCode::VerificationInconclusive => 7,
            ErrorCode::CertRevoked => 8,
            ErrorCode::DescriptorMismatch => 9,
            ErrorCode::UserMetadataMismatch => 10,
            _ => 0,
        }
    }
}

/// The most specific of `failures` by [`ErrorCode::rank`] of `code(failure)`; among equal ranks
/// the first (the signature examined first). `None` when there is none.
pub fn most_specific<T>(
    failures: impl IntoIterator<Item = T>,
    code: impl Fn(&T) -> ErrorCode,
) -> Option<T> {
    let mut best: Option<(u8, T)> = None;
    for f in failures {
        let rank = code(&f).rank();
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, f));
        }
    }
    best.map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_checks_outrank_earlier_ones() {
        use ErrorCode::*;
        let order = [
            Parse,
            SignatureIntegrity,
            VerificationPlugin,
            SignatureAuthenticity,
            UntrustedIdentity,
            SignatureExpired,
            CertExpired,
            VerificationInconclusive,
            CertRevoked,
            DescriptorMismatch,
            UserMetadataMismatch,
        ];
        for w in order.windows(2) {
            assert!(w[0].rank() < w[1].rank(), "{} !< {}", w[0], w[1]);
        }
    }

    #[test]
    fn the_choice_does_not_depend_on_order() {
        use ErrorCode::*;
        let set = [
            Parse,
            SignatureAuthenticity,
            CertRevoked,
            SignatureIntegrity,
        ];
        // Every rotation and its reverse pick the revoked one.
        for i in 0..set.len() {
            let mut v: Vec<ErrorCode> = set[i..].iter().chain(&set[..i]).copied().collect();
            assert_eq!(most_specific(v.clone(), |c| *c), Some(CertRevoked));
            v.reverse();
            assert_eq!(most_specific(v, |c| *c), Some(CertRevoked));
        }
        assert_eq!(most_specific(Vec::<ErrorCode>::new(), |c| *c), None);
        // Ties keep the first.
        let tied = [(1, Timestamp), (2, CertExpired)];
        assert_eq!(most_specific(tied, |t| t.1).map(|t| t.0), Some(1));
    }
}
