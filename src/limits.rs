//! Structural budgets: how many elements of each kind a parser or check accepts before it refuses
//! the input with `ERR_LIMIT` (threat model 13).
//!
//! As rustls-webpki bounds names, extensions and signature checks, nv2 bounds every count an
//! attacker who can push a signature controls, so that the work a verifier does stays linear in
//! the input and small in absolute terms. Each budget is far above anything a real signature,
//! certificate, CRL or timestamp token carries (docs/limits.md gives the reasoning per value);
//! exceeding one is refused with [`LimitExceeded`], whose `limit` name is stable and reaches JS as
//! `error.details.limit`.

use core::fmt;

/// Entries of one COSE header map, protected or unprotected (RFC 9052 §3). Notary signatures use
/// about ten.
pub const COSE_HEADER_ENTRIES: usize = 1024;
/// Entries of the COSE `crit` array (RFC 9052 §3.1) or the JWS `crit` array (RFC 7515 §4.1.11).
/// Notary signatures list at most four.
pub const CRIT_ENTRIES: usize = 256;
/// Members of the JWS protected header (RFC 7515 §4). Notary signatures use about ten.
pub const JWS_HEADER_ENTRIES: usize = 1024;
/// Entries of one CBOR array or map, anywhere in a COSE envelope (RFC 8949 §3.1). The largest real
/// one is `x5chain`, bounded by [`CHAIN_CERTIFICATES`]; extended attributes may hold arrays.
pub const CBOR_ITEMS: usize = 65_536;
/// Deepest CBOR nesting (RFC 8949 §3.1); Notary headers nest two or three levels.
pub const CBOR_DEPTH: usize = 64;
/// Largest up-front reservation, in elements, a reader makes from a declared count before the
/// elements are read: a count is a claim, not bytes (threat model 13).
pub const PREALLOC: usize = 64;
/// Certificates in an envelope's `x5c` / `x5chain` or a chain being validated (threat model 9).
pub const CHAIN_CERTIFICATES: usize = 10;
/// Extensions of one certificate or one CRL (RFC 5280 §4.1.2.9, §5.1.2.7); real certificates carry
/// about ten. rustls-webpki has no extension cap but rejects unknown critical ones; nv2 keeps all.
pub const EXTENSIONS: usize = 256;
/// Extensions of one revoked-certificate entry of a CRL (RFC 5280 §5.3); real entries carry at most
/// three (reason code, invalidity date, certificate issuer).
pub const CRL_ENTRY_EXTENSIONS: usize = 64;
/// Relative distinguished names in one certificate name (RFC 5280 §4.1.2.4); real names have fewer
/// than ten.
pub const NAME_RDNS: usize = 128;
/// URLs (GeneralNames, RFC 5280 §4.2.1.6) of one certificate's authorityInfoAccess OCSP entries or
/// CRL distribution points (§4.2.1.13, §4.2.2.1), and of one CRL's issuing distribution point
/// (§5.2.5): each certificate URL may be compared with each scope URL. Real ones hold one to three.
/// nv2 reads no other GeneralNames (no subjectAltName rule applies to Notary certificates).
pub const URLS: usize = 64;
/// `SingleResponse`s of one OCSP response (RFC 6960 §4.2.1); responders answer one per requested
/// certificate and nv2 asks for one (RFC 5019 §2.2.1 profiles exactly one).
pub const OCSP_RESPONSES: usize = 64;
/// Certificates in the `certs` field of one OCSP response (RFC 6960 §4.2.1); a delegated
/// responder sends its own certificate, sometimes with its chain.
pub const OCSP_CERTIFICATES: usize = CHAIN_CERTIFICATES;
/// Signed attributes of one RFC 3161 token's SignerInfo (RFC 5652 §5.3); real tokens carry four to
/// six.
pub const SIGNED_ATTRIBUTES: usize = 64;
/// Signature checks while verifying one RFC 3161 token: TSA chain building (RFC 5280 §6 path
/// candidates) and SignerInfo signatures, all SignerInfos together (RFC 5652 §5.6). A real token
/// needs two to four. rustls-webpki's budget is 100 per path search.
pub const SIGNATURE_CHECKS: usize = 32;
/// Signature checks for one verification of an artifact in a registry, all signatures examined
/// together: envelope signatures, certificate links, timestamp tokens and CRLs (counted where the
/// math runs, [`crate::crypto::PublicKey`]). One envelope needs at most about 100 (docs/limits.md
/// §Count budgets) and a real one two to six, so `MAX_SIGNATURE_ATTEMPTS` real envelopes fit;
/// without it, that many hostile envelopes (10-certificate chains, timestamp tokens, CRLs) could
/// cost about 10,000. Signatures not examined when it runs out make an unverified result
/// inconclusive, never unsigned.
pub const VERIFICATION_SIGNATURE_CHECKS: usize = 1024;
/// Entries of one referrers listing (all Referrers API pages together, or the `sha256-<hex>` tag
/// index), malformed ones included (OCI distribution-spec spec.md §Listing Referrers); beyond it
/// the list is cut with a warning, as at the page cap. Only the first
/// `max_signature_attempts` signatures are examined anyway.
pub const REFERRERS_ENTRIES: usize = 10_000;

/// A budget was exceeded (`ERR_LIMIT`; details `{ limit, max, found }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitExceeded {
    /// Stable name of the budget, e.g. `cose.header.entries` (docs/limits.md).
    pub limit: &'static str,
    /// The budget.
    pub max: usize,
    /// How many were found: the exact count where it was declared or known, else `max + 1` (the
    /// reader stopped at the first element over the budget).
    pub found: usize,
}

impl LimitExceeded {
    /// `Err` when `found > max`.
    pub fn check(limit: &'static str, max: usize, found: usize) -> Result<(), LimitExceeded> {
        if found > max {
            Err(LimitExceeded { limit, max, found })
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "limit {} exceeded: {} found, at most {} accepted",
            self.limit, self.found, self.max
        )
    }
}

impl std::error::Error for LimitExceeded {}

/// A reservation for `declared` elements of at least `min_size` bytes each when `remaining` bytes
/// are left: never more than the bytes can hold, never more than [`PREALLOC`]; the vector grows
/// as the elements are actually read.
pub(crate) fn prealloc(declared: u64, remaining: usize, min_size: usize) -> usize {
    let by_bytes = remaining / min_size.max(1);
    usize::try_from(declared)
        .unwrap_or(usize::MAX)
        .min(by_bytes)
        .min(PREALLOC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_and_prealloc() {
        assert!(LimitExceeded::check("x", 3, 3).is_ok());
        let e = LimitExceeded::check("x", 3, 4).unwrap_err();
        assert_eq!(
            e.to_string(),
            "limit x exceeded: 4 found, at most 3 accepted"
        );
        assert_eq!(prealloc(u64::MAX, 1 << 30, 1), PREALLOC);
        assert_eq!(prealloc(10, 4, 2), 2);
        assert_eq!(prealloc(3, 100, 0), 3);
    }
}
