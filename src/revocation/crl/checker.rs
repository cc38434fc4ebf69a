//! [`CrlRevocationChecker`]: the revocation step over the CRLs the caller brought
//! (trust-store-trust-policy.md §Certificate Revocation Evaluation). Moved out of `crl.rs`; only
//! the path to `OfflineRevocationChecker` changed.

use super::*;

/// A [`RevocationChecker`] answering from CRLs supplied by the caller, at the caller's `now`.
#[derive(Clone, Debug)]
pub struct CrlRevocationChecker {
    crls: Vec<Crl>,
    rejected: Vec<String>,
    now: Instant,
}

impl CrlRevocationChecker {
    /// A checker over `inputs` (each one CRL, DER or PEM) at time `now`. Inputs that do not
    /// parse, or beyond [`MAX_CRLS`], are kept as rejections: they make "good" impossible for
    /// certificates that name CRL distribution points (fail closed, see the module docs).
    pub fn new<B: AsRef<[u8]>>(inputs: &[B], now: Instant) -> Self {
        let mut crls = Vec::new();
        let mut rejected = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            if i >= MAX_CRLS {
                rejected.push(
                    CrlError::Limit(format!("more than {MAX_CRLS} CRLs were supplied")).to_string(),
                );
                break;
            }
            match Crl::from_pem_or_der(input.as_ref()) {
                Ok(crl) => crls.push(crl),
                Err(e) => rejected.push(format!("CRL #{i}: {e}")),
            }
        }
        CrlRevocationChecker {
            crls,
            rejected,
            now,
        }
    }

    /// Adds a CRL obtained another way (a download, [`super::super::material`]): it competes with
    /// the supplied ones, the newest valid one winning.
    pub fn add(&mut self, crl: Crl) {
        if self.crls.len() < MAX_CRLS * 2 {
            self.crls.push(crl);
        }
    }

    /// The time the checker judges freshness at.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The supplied inputs that could not be used, with the reason.
    pub fn rejected(&self) -> &[String] {
        &self.rejected
    }

    /// The delta CRL that goes with `base` (RFC 5280 §5.2.4, notation-core-go `validate`): when
    /// the base names delta CRLs (Freshest CRL with at least one URI) or `needed` is set, the
    /// newest supplied delta CRL of the same issuer whose number is above the base's and whose
    /// indicator is at most the base's number; an error when one is needed and none fits.
    /// `valid` checks signature and validity of a candidate.
    pub fn delta_for(
        &self,
        base: &Crl,
        needed: bool,
        valid: &dyn Fn(&Crl) -> Result<(), String>,
    ) -> Result<Option<&Crl>, String> {
        let named = !base
            .delta_crl_urls()
            .map_err(|e| format!("failed to parse Freshest CRL extension: {e}"))?
            .is_empty();
        if !named && !needed {
            return Ok(None);
        }
        let Some(base_number) = &base.number else {
            return Err("base CRL has no CRL number, so no delta CRL can be matched".into());
        };
        let mut best: Option<&Crl> = None;
        let mut why = String::from("no delta CRL of this issuer was supplied");
        for delta in self
            .crls
            .iter()
            .filter(|c| c.is_delta() && c.raw_issuer == base.raw_issuer)
        {
            let (Some(number), Some(min_base)) = (&delta.number, &delta.delta_of) else {
                why = "delta CRL has no CRL number".into();
                continue;
            };
            if cmp_number(number, base_number).is_le() {
                why = "delta CRL number is not greater than the base CRL number".into();
                continue;
            }
            if cmp_number(min_base, base_number).is_gt() {
                why = "delta CRL indicator is greater than the base CRL number".into();
                continue;
            }
            if let Err(e) = valid(delta) {
                why = format!("delta CRL: {e}");
                continue;
            }
            if best.is_none_or(|b| {
                b.number
                    .as_deref()
                    .is_some_and(|n| cmp_number(number, n).is_gt())
            }) {
                best = Some(delta);
            }
        }
        match (best, self.rejected.first()) {
            (Some(d), _) => Ok(Some(d)),
            (None, Some(r)) => Err(format!("{why}; {r}")),
            (None, None) => Err(if named {
                format!("the base CRL names a delta CRL, but {why}")
            } else {
                format!("the certificate names a delta CRL (Freshest CRL), but {why}")
            }),
        }
    }
}

/// notation-core-go `checkRevocation` over the base and delta entries for `serial`.
fn entry_status(
    serial: &[u8],
    base: &Crl,
    delta: Option<&Crl>,
    signing_time: Option<Instant>,
) -> Result<bool, String> {
    let mut latest_hold: Option<&Entry> = None;
    let entries = base
        .entries
        .iter()
        .chain(delta.into_iter().flat_map(|d| d.entries.iter()));
    for entry in entries.filter(|e| e.serial == serial) {
        if let Some(oid) = entry.unknown_critical {
            return Err(format!(
                "unsupported critical extension found in CRL: {oid}"
            ));
        }
        // RFC 5280 §5.3.2: signed before the key was compromised → not revoked at signing.
        if let (Some(at), Some(inv)) = (signing_time, entry.invalidity) {
            if at < inv {
                return Ok(false);
            }
        }
        match entry.reason {
            Some(REASON_CERTIFICATE_HOLD | REASON_REMOVE_FROM_CRL) => {
                if latest_hold.is_none_or(|h| h.revoked_at < entry.revoked_at) {
                    latest_hold = Some(entry);
                }
            }
            _ => return Ok(true),
        }
    }
    Ok(latest_hold.is_some_and(|h| h.reason == Some(REASON_CERTIFICATE_HOLD)))
}

impl RevocationChecker for CrlRevocationChecker {
    fn check(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        _: Purpose,
        signing_time: Option<Instant>,
    ) -> CertStatus {
        // trust-store-trust-policy.md §Certificate Revocation Evaluation: no CRL distribution point
        // → CRL not supported; then OCSP (not available air-gapped) decides, or nothing does.
        if cert.crl_urls().is_empty() {
            return crate::revocation::OfflineRevocationChecker.check(
                cert,
                issuer,
                Purpose::CodeSigning,
                None,
            );
        }
        let valid = |c: &Crl| c.validate(issuer, self.now);
        let mut newest: Option<&Crl> = None;
        let mut why: Option<String> = None;
        for crl in self.crls.iter().filter(|c| !c.is_delta() && c.covers(cert)) {
            match valid(crl) {
                Ok(()) => {
                    if newest.is_none_or(|n| n.is_older_than(crl)) {
                        newest = Some(crl);
                    }
                }
                Err(e) => {
                    why.get_or_insert(e);
                }
            }
        }
        let Some(base) = newest else {
            let why = why
                .or_else(|| self.rejected.first().cloned())
                .unwrap_or_else(|| {
                    format!("no CRL issued by {} was supplied", cert.issuer_rfc4514())
                });
            return CertStatus::Unknown(why);
        };
        let needs_delta = cert.extension(&ID_CE_FRESHEST_CRL).is_some();
        let delta = match self.delta_for(base, needs_delta, &valid) {
            Ok(d) => d,
            Err(e) => return CertStatus::Unknown(e),
        };
        let serial = cert.serial();
        match entry_status(serial, base, delta, signing_time) {
            Ok(true) => CertStatus::Revoked(format!(
                "listed in the CRL issued by {} at {}",
                cert.issuer_rfc4514(),
                base.this_update.to_rfc3339()
            )),
            Err(e) => CertStatus::Unknown(e),
            Ok(false) => match self.rejected.first() {
                Some(r) => CertStatus::Unknown(format!(
                    "a supplied CRL could not be read, so good cannot be established: {r}"
                )),
                None => CertStatus::Good,
            },
        }
    }
}
