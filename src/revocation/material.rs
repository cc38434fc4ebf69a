//! Revocation material and the requests for more: the "needs" step of verification
//! (trust-store-trust-policy.md §Certificate Revocation Evaluation).
//!
//! The core stays sans-IO. A verification runs over the [`RevocationMaterial`] at hand (CRLs the
//! caller, a store or the registry brought; responses and CRLs fetched in earlier rounds) through a
//! [`MaterialChecker`]. Where that material cannot settle a certificate that publishes revocation
//! information, and the material allows the network, the checker answers "unknown" for now and
//! records the [`RevocationFetch`] that could settle it; the verification's
//! [`crate::verify::Outcome::needs`] carries them out. Whoever drives the verification (the async
//! layer, [`super::fetch`]) performs them with their bounds, adds what came back (or why nothing
//! did) to the material and runs the verification again. A fetch that failed is material too: the
//! next round reports it instead of asking again, so the rounds end.
//!
//! Order, as notation-core-go's `revocation` package: material at hand that settles the status
//! (a valid, current CRL of the issuer) is used first; then OCSP (RFC 6960) at each responder the
//! certificate names; only when OCSP gives no answer, the CRL distribution points (RFC 5280
//! §4.2.1.13). A stale, unreadable or wrongly signed CRL or response never makes a certificate
//! good (fail closed, threat model 21).

use core::cell::RefCell;
use std::borrow::Cow;

use super::crl::{Crl, CrlRevocationChecker};
use super::{CertStatus, OfflineRevocationChecker, Purpose, RevocationChecker};
use crate::time::Instant;
use crate::x509::Certificate;

/// Most bytes read of one downloaded CRL (notation-core-go `MaxCRLSize`, 32 MiB).
pub const MAX_CRL_DOWNLOAD_BYTES: u64 = 32 * 1024 * 1024;
/// Deadline of one OCSP request (notation's 2 s).
pub const OCSP_TIMEOUT_MILLIS: u64 = 2_000;
/// Deadline of one CRL download (notation's 5 s).
pub const CRL_TIMEOUT_MILLIS: u64 = 5_000;
/// Most distinct fetches one verification asks for: two responders and two distribution points
/// for each of ten certificates in two chains would be 80; real chains name one or two each.
pub const MAX_REVOCATION_FETCHES: usize = 64;

/// What a fetch is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FetchKind {
    /// An OCSP request (RFC 6960 §4.1, Appendix A).
    Ocsp,
    /// A CRL download from a distribution point (RFC 5280 §4.2.1.13); a delta CRL the base names
    /// (Freshest CRL, §5.2.6) is fetched with it.
    Crl,
}

impl FetchKind {
    /// `"ocsp"` or `"crl"`.
    pub fn name(self) -> &'static str {
        match self {
            FetchKind::Ocsp => "ocsp",
            FetchKind::Crl => "crl",
        }
    }
}

/// One request the material lacks: built by the core, performed by the host with its bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationFetch {
    /// What it is for.
    pub kind: FetchKind,
    /// The URL (for OCSP GET it carries the request).
    pub url: String,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The request body (OCSP POST: the DER request).
    pub body: Option<Vec<u8>>,
    /// The request's `Content-Type` (OCSP POST: `application/ocsp-request`).
    pub content_type: Option<&'static str>,
    /// Most response bytes read.
    pub max_bytes: u64,
    /// Deadline for the whole request, in milliseconds.
    pub timeout_millis: u64,
    /// For a CRL: the DER certificate of the CA that must have signed it (the issuer of the
    /// certificate naming the distribution point). Only a CRL it verifies is cached, and a cached
    /// one is used only while it still verifies, so a forged download cannot stick in the cache.
    pub issuer: Option<Vec<u8>>,
}

impl RevocationFetch {
    /// A CRL download.
    pub fn crl(url: &str) -> Self {
        RevocationFetch {
            kind: FetchKind::Crl,
            url: url.to_string(),
            method: "GET",
            body: None,
            content_type: None,
            max_bytes: MAX_CRL_DOWNLOAD_BYTES,
            timeout_millis: CRL_TIMEOUT_MILLIS,
            issuer: None,
        }
    }

    /// This CRL download, to be signed by `issuer`.
    pub fn signed_by(mut self, issuer: &Certificate) -> Self {
        self.issuer = Some(issuer.der().to_vec());
        self
    }

    fn same_request(&self, other: &RevocationFetch) -> bool {
        self.kind == other.kind && self.url == other.url && self.body == other.body
    }
}

/// What a fetch brought back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedBody {
    /// The response body (DER OCSP response, or the CRL as served).
    pub body: Vec<u8>,
    /// For a CRL whose base names a delta CRL: the delta, as served.
    pub delta: Option<Vec<u8>>,
}

/// A fetch performed, with its result or why it gave none (`"timeout"`, `"HTTP 404"`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The request.
    pub request: RevocationFetch,
    /// The body, or why there is none.
    pub result: Result<FetchedBody, String>,
}

/// Everything one verification may use to establish revocation status.
#[derive(Clone, Debug, Default)]
pub struct RevocationMaterial {
    /// CRLs at hand (DER or PEM): passed by the caller, from a CRL store, attached to the
    /// artifact in the registry, or from a cache. Unreadable ones make "good" impossible for
    /// certificates that name CRL distribution points ([`CrlRevocationChecker`]).
    pub crls: Vec<Vec<u8>>,
    /// Fetches performed so far, with their results.
    pub fetched: Vec<Fetched>,
    /// Whether the network may be asked (false: `--offline`, or a host that cannot fetch).
    pub online: bool,
    /// `crls` and the downloaded CRLs of `fetched`, parsed ([`RevocationMaterial::prepare`]): a
    /// CRL can be 32 MiB, and every round and every signature of a verification would otherwise
    /// parse all of them again.
    parsed: Option<ParsedCrls>,
}

/// The parsed CRLs of a [`RevocationMaterial`], and what they were parsed from.
#[derive(Clone, Debug)]
struct ParsedCrls {
    now: Instant,
    crls: usize,
    fetched: usize,
    checker: CrlRevocationChecker,
}

/// The CRLs a CRL download brought (base, then delta), those that parse; one that does not is
/// that download's failure, not a doubt over every certificate.
fn downloaded_crls(f: &Fetched) -> impl Iterator<Item = Crl> + '_ {
    let body = match (f.request.kind, &f.result) {
        (FetchKind::Crl, Ok(body)) => Some(body),
        _ => None,
    };
    body.into_iter()
        .flat_map(|b| core::iter::once(&b.body).chain(b.delta.as_ref()))
        .filter_map(|der| Crl::from_pem_or_der(der).ok())
}

impl RevocationMaterial {
    /// Material of `crls` at hand, fetching nothing yet.
    pub fn new(crls: Vec<Vec<u8>>, online: bool) -> Self {
        RevocationMaterial {
            crls,
            online,
            ..RevocationMaterial::default()
        }
    }

    /// The result of the fetch equal to `request`, if it was performed.
    pub fn result_of(&self, request: &RevocationFetch) -> Option<&Result<FetchedBody, String>> {
        self.fetched
            .iter()
            .find(|f| f.request.same_request(request))
            .map(|f| &f.result)
    }

    /// Parses what is not parsed yet for judging at `now`: the downloads added since the last
    /// call, or everything when `crls` changed or `now` is another time.
    pub fn prepare(&mut self, now: Instant) {
        let current = self
            .parsed
            .as_ref()
            .is_some_and(|p| p.now == now && p.crls == self.crls.len());
        if !current {
            self.parsed = Some(ParsedCrls {
                now,
                crls: self.crls.len(),
                fetched: 0,
                checker: CrlRevocationChecker::new(&self.crls, now),
            });
        }
        if let Some(p) = &mut self.parsed {
            for f in self.fetched.iter().skip(p.fetched) {
                for crl in downloaded_crls(f) {
                    p.checker.add(crl);
                }
            }
            p.fetched = self.fetched.len();
        }
    }

    /// The parsed CRLs, when [`RevocationMaterial::prepare`] ran for `now` on what is here now.
    fn prepared(&self, now: Instant) -> Option<&CrlRevocationChecker> {
        self.parsed
            .as_ref()
            .filter(|p| {
                p.now == now && p.crls == self.crls.len() && p.fetched == self.fetched.len()
            })
            .map(|p| &p.checker)
    }
}

/// A [`RevocationChecker`] over [`RevocationMaterial`] at `now` that records what it lacks.
pub struct MaterialChecker<'m> {
    material: &'m RevocationMaterial,
    crls: Cow<'m, CrlRevocationChecker>,
    needs: RefCell<Vec<RevocationFetch>>,
}

impl<'m> MaterialChecker<'m> {
    /// A checker over `material` at time `now`. Downloaded CRLs join the ones at hand. The CRLs
    /// parsed by [`RevocationMaterial::prepare`] are used when current, else parsed here.
    pub fn new(material: &'m RevocationMaterial, now: Instant) -> Self {
        let crls = match material.prepared(now) {
            Some(parsed) => Cow::Borrowed(parsed),
            None => {
                let mut crls = CrlRevocationChecker::new(&material.crls, now);
                for crl in material.fetched.iter().flat_map(downloaded_crls) {
                    crls.add(crl);
                }
                Cow::Owned(crls)
            }
        };
        MaterialChecker {
            material,
            crls,
            needs: RefCell::new(Vec::new()),
        }
    }

    fn need(&self, request: RevocationFetch) {
        let mut needs = self.needs.borrow_mut();
        let asked = self.material.fetched.len() + needs.len();
        if asked < MAX_REVOCATION_FETCHES && !needs.iter().any(|n| n.same_request(&request)) {
            needs.push(request);
        }
    }

    /// OCSP at each responder `cert` names (RFC 6960): `Some` with a definite answer, else the
    /// attempts (and whether one is still to be fetched).
    fn ocsp(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        signing_time: Option<Instant>,
        now: Instant,
        attempts: &mut Vec<String>,
    ) -> (Option<CertStatus>, bool) {
        let mut pending = false;
        for url in cert.ocsp_urls() {
            // notation-core-go queries OCSP over HTTP only: the response is signed, and TLS
            // to a responder would need its own revocation check.
            if !url.starts_with("http://") {
                attempts.push(format!("OCSP at {url}: not an http:// URL"));
                continue;
            }
            let request = ocsp_fetch(&url, cert, issuer);
            match self.material.result_of(&request) {
                None if self.material.online => {
                    self.need(request);
                    pending = true;
                }
                None => attempts.push(format!("OCSP at {url}: not asked (offline)")),
                Some(Err(why)) => attempts.push(format!("OCSP at {url}: {why}")),
                Some(Ok(body)) => {
                    match super::ocsp::check_response(&body.body, cert, issuer, now) {
                        Ok(answer) => match answer.status {
                            super::ocsp::OcspCertStatus::Good => {
                                return (Some(CertStatus::Good), false)
                            }
                            super::ocsp::OcspCertStatus::Revoked {
                                time,
                                reason,
                                invalidity_date,
                            } => {
                                // notation-core-go: an authentic signing time before the
                                // entry's invalidity date (RFC 5280 §5.3.2) → good at signing.
                                if signing_time
                                    .zip(invalidity_date)
                                    .is_some_and(|(t, inv)| t < inv)
                                {
                                    return (Some(CertStatus::Good), false);
                                }
                                let reason = reason
                                    .map(|r| format!(", reason {}", crl_reason_name(r)))
                                    .unwrap_or_default();
                                return (
                                    Some(CertStatus::Revoked(format!(
                                        "revoked at {} by the OCSP responder at {url}{reason}",
                                        time.to_rfc3339()
                                    ))),
                                    false,
                                );
                            }
                            super::ocsp::OcspCertStatus::Unknown => attempts.push(format!(
                                "OCSP at {url}: the responder does not know the certificate"
                            )),
                        },
                        Err(e) => attempts.push(format!("OCSP at {url}: {e}")),
                    }
                }
            }
        }
        (None, pending)
    }
}

/// The OCSP request for `cert` at the responder `url`: GET when the encoded request is short,
/// else POST (RFC 5019 §5, RFC 6960 Appendix A.1; notation-core-go uses GET below 255 bytes).
fn ocsp_fetch(url: &str, cert: &Certificate, issuer: &Certificate) -> RevocationFetch {
    // SHA-1 CertID, as notation-core-go sends (several public responders answer no other).
    let der = super::ocsp::request_der_with(cert, issuer, super::ocsp::CertIdHash::Sha1);
    let suffix = super::ocsp::request_get_suffix(&der);
    let (url, method, body, content_type) = if suffix.len() < super::ocsp::MAX_GET_SUFFIX_LEN {
        (
            format!("{}/{suffix}", url.trim_end_matches('/')),
            "GET",
            None,
            None,
        )
    } else {
        (
            url.to_string(),
            "POST",
            Some(der),
            Some("application/ocsp-request"),
        )
    };
    RevocationFetch {
        kind: FetchKind::Ocsp,
        url,
        method,
        body,
        content_type,
        max_bytes: super::ocsp::MAX_OCSP_RESPONSE_BYTES as u64,
        timeout_millis: OCSP_TIMEOUT_MILLIS,
        issuer: None,
    }
}

/// The RFC 5280 §5.3.1 name of a CRLReason code.
fn crl_reason_name(code: u8) -> &'static str {
    match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => "unknown reason",
    }
}

impl RevocationChecker for MaterialChecker<'_> {
    fn check(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        purpose: Purpose,
        signing_time: Option<Instant>,
    ) -> CertStatus {
        if cert.ocsp_urls().is_empty() && cert.crl_urls().is_empty() {
            return OfflineRevocationChecker.check(cert, issuer, purpose, signing_time);
        }
        // 1. Material at hand that settles it: the newest valid CRL of the issuer, whatever its
        //    source (caller, store, registry, cache, an earlier download).
        let at_hand = if cert.crl_urls().is_empty() {
            None
        } else {
            match self.crls.check(cert, issuer, purpose, signing_time) {
                s @ (CertStatus::Good | CertStatus::Revoked(_)) => return s,
                CertStatus::Unknown(why) => Some(why),
                CertStatus::NonRevokable => None,
            }
        };
        let now = self.crls.now();
        let mut attempts = Vec::new();
        // 2. OCSP first.
        let (answer, pending) = self.ocsp(cert, issuer, signing_time, now, &mut attempts);
        if let Some(status) = answer {
            return status;
        }
        if pending {
            return CertStatus::Unknown("OCSP request pending".into());
        }
        // 3. Then the CRL distribution points not yet downloaded.
        let mut pending = false;
        for url in cert.crl_urls() {
            if !super::fetch::is_http_url(&url) {
                attempts.push(format!("CRL at {url}: not an HTTP(S) URL"));
                continue;
            }
            let request = RevocationFetch::crl(&url).signed_by(issuer);
            match self.material.result_of(&request) {
                None if self.material.online => {
                    self.need(request);
                    pending = true;
                }
                None => attempts.push(format!("CRL at {url}: not downloaded (offline)")),
                Some(Err(why)) => attempts.push(format!("CRL at {url}: {why}")),
                Some(Ok(body)) => {
                    if let Err(e) = Crl::from_pem_or_der(&body.body) {
                        attempts.push(format!("CRL at {url}: {e}"));
                    } else if let Some(why) = &at_hand {
                        attempts.push(format!("CRL at {url}: {why}"));
                    }
                }
            }
        }
        if pending {
            return CertStatus::Unknown("CRL download pending".into());
        }
        if attempts.is_empty() {
            if let Some(why) = at_hand {
                attempts.push(why);
            }
        }
        CertStatus::Unknown(attempts.join("; "))
    }

    fn needs(&self) -> Vec<RevocationFetch> {
        self.needs.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_crls_are_used_only_for_the_material_and_time_they_were_parsed_for() {
        let now = Instant::from_unix_millis(1_798_761_600_000);
        let mut m = RevocationMaterial::new(Vec::new(), true);
        assert!(m.prepared(now).is_none(), "nothing parsed yet");
        m.prepare(now);
        assert!(m.prepared(now).is_some());
        assert!(m.prepared(now.add_seconds(1)).is_none(), "another time");
        m.fetched.push(Fetched {
            request: RevocationFetch::crl("http://crl.example/a.crl"),
            result: Err("HTTP 404".into()),
        });
        assert!(m.prepared(now).is_none(), "a download added since");
        m.prepare(now);
        assert!(m.prepared(now).is_some());
        m.crls.push(b"not a CRL".to_vec());
        assert!(m.prepared(now).is_none(), "CRLs at hand changed");
        m.prepare(now);
        assert!(m.prepared(now).is_some_and(|c| !c.rejected().is_empty()));
    }
}
