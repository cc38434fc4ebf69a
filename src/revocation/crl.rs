//! Air-gapped revocation checking with CRLs the caller brought (trust-store-trust-policy.md
//! §Certificate Revocation Evaluation, threat model 21b).
//!
//! notation-core-go downloads the CRLs named by a certificate's CRL distribution points. nv2's
//! core never fetches: the host hands over CRL bytes (DER or PEM) that it carried into the
//! network, and [`CrlRevocationChecker`] answers from them with notation-core-go's rules
//! (`revocation/internal/crl`): the CRL must verify with the issuer's key, carry `nextUpdate`,
//! not be expired and carry no unknown critical extension; a delta CRL named by the base CRL's
//! Freshest CRL extension must be present and consistent; an entry for the certificate's serial
//! means revoked, with the invalidity-date and certificateHold/removeFromCRL rules.
//!
//! Choices forced by having no URLs (the caller supplies bytes, not a URL → CRL map):
//! - A CRL applies to a certificate when its raw issuer name equals the certificate's raw issuer
//!   name and its Issuing Distribution Point (RFC 5280 §5.2.5), if any, covers the certificate:
//!   a distribution point name must be one of the certificate's CRL distribution point URIs;
//!   user-only / CA-only / attribute-only scopes must fit; partial (onlySomeReasons) and
//!   indirect CRLs are not used (they cannot establish "good" on their own). notation-core-go
//!   ignores the IDP because it fetches the exact URL.
//! - Of the applicable base CRLs that validate, the newest (latest thisUpdate, then highest CRL
//!   number) decides; stale, wrongly signed or otherwise invalid ones are not evidence, and with
//!   none left the status is unknown. A delta CRL is looked up among the supplied CRLs by issuer and CRL numbers.
//! - Validity window: a CRL is used only when `thisUpdate <= now <= nextUpdate` (threat model
//!   19: `now` is the caller's, no tolerance; notation-core-go checks only nextUpdate).
//! - Fail closed (threat model 21): a supplied input that does not parse as a CRL (or exceeds the
//!   limits) could have been the one listing the certificate, so while any such input exists a
//!   certificate with CRL distribution points is never reported good, only revoked or unknown.

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, UintRef};
use der::{Decode, Reader, SliceReader, Tag, Tagged};

use super::{CertStatus, Purpose, RevocationChecker};
use crate::crypto::{CryptoError, PublicKey};
use crate::error::ErrorCode;
use crate::limits::{LimitExceeded, CRL_ENTRY_EXTENSIONS, EXTENSIONS, URLS};
use crate::time::Instant;
use crate::x509::{self, CertError, Certificate};

/// Largest CRL accepted, in bytes (notation-core-go's `maxCRLSize`, threat model 13).
pub const MAX_CRL_BYTES: usize = 32 * 1024 * 1024;
/// Most CRLs one checker holds; inputs beyond it are treated as unparseable (fail closed).
pub const MAX_CRLS: usize = 64;

/// CRL extensions (RFC 5280 §5.2) and entry extensions (§5.3).
const ID_CE_CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
const ID_CE_DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const ID_CE_ISSUING_DISTRIBUTION_POINT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.29.28");
const ID_CE_FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");
const ID_CE_CRL_REASONS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
const ID_CE_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");

/// CRLReason values with special meaning (RFC 5280 §5.3.1).
const REASON_CERTIFICATE_HOLD: u8 = 6;
const REASON_REMOVE_FROM_CRL: u8 = 8;
/// Go's `x509.KeyUsageCRLSign` bit (RFC 5280 §4.2.1.3 bit 6).
const KU_CRL_SIGN: u16 = 1 << 6;

/// Why a CRL could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrlError {
    /// Not a DER or PEM `X509 CRL`, or a structural rule is broken (Go's `x509: malformed crl`
    /// and friends).
    Malformed(String),
    /// Larger than [`MAX_CRL_BYTES`], or more than [`MAX_CRLS`] CRLs (threat model 13).
    Limit(String),
    /// A structural budget of the CRL (extensions, entry extensions; [`crate::limits`]).
    Budget(LimitExceeded),
}

impl CrlError {
    /// Stable error code: `ERR_PARSE` or `ERR_LIMIT`.
    pub fn code(&self) -> ErrorCode {
        match self {
            CrlError::Malformed(_) => ErrorCode::Parse,
            CrlError::Limit(_) | CrlError::Budget(_) => ErrorCode::Limit,
        }
    }
}

impl core::fmt::Display for CrlError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CrlError::Malformed(d) => write!(f, "x509: malformed crl: {d}"),
            CrlError::Limit(d) => f.write_str(d),
            CrlError::Budget(l) => l.fmt(f),
        }
    }
}

impl std::error::Error for CrlError {}

/// The Issuing Distribution Point extension, reduced to what scope matching needs.
#[derive(Clone, Debug, Default)]
struct Scope {
    uris: Vec<String>,
    user_only: bool,
    ca_only: bool,
    attribute_only: bool,
    some_reasons: bool,
    indirect: bool,
}

/// One revoked-certificate entry, reduced to what the decision needs.
#[derive(Clone, Debug)]
struct Entry {
    serial: Vec<u8>,
    revoked_at: Instant,
    reason: Option<u8>,
    invalidity: Option<Instant>,
    /// OID of an unknown critical entry extension (notation-core-go: error → unknown).
    unknown_critical: Option<ObjectIdentifier>,
}

/// A parsed certificate revocation list (RFC 5280 §5).
#[derive(Clone, Debug)]
pub struct Crl {
    raw_tbs: Vec<u8>,
    raw_issuer: Vec<u8>,
    algorithm: ObjectIdentifier,
    algorithm_params: Option<Vec<u8>>,
    signature: Vec<u8>,
    this_update: Instant,
    next_update: Option<Instant>,
    number: Option<Vec<u8>>,
    delta_of: Option<Vec<u8>>,
    freshest: Option<Vec<u8>>,
    scope: Option<Scope>,
    unknown_critical: Option<ObjectIdentifier>,
    entries: Vec<Entry>,
}

fn malformed(what: &str) -> impl Fn(der::Error) -> CrlError + '_ {
    move |e| CrlError::Malformed(format!("{what}: {e}"))
}

/// A non-negative INTEGER's magnitude, minimal big-endian (CRL numbers, RFC 5280 §5.2.3).
fn crl_number(value: &[u8]) -> Result<Vec<u8>, CrlError> {
    let n = UintRef::from_der(value).map_err(malformed("CRL number"))?;
    Ok(n.as_bytes().to_vec())
}

/// Compares two magnitudes from [`crl_number`].
fn cmp_number(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

use x509::asn1::ctx;

/// IssuingDistributionPoint (RFC 5280 §5.2.5): `fullName` URIs and the scope flags. A
/// `nameRelativeToCRLIssuer` point leaves `uris` empty but marks the scope as named, which
/// then matches no certificate URI.
fn parse_scope(value: &[u8]) -> der::Result<Scope> {
    let mut scope = Scope::default();
    let mut r = SliceReader::new(value)?;
    r.sequence(|s| {
        while !s.is_finished() {
            let any = AnyRef::decode(s)?;
            match any.tag() {
                t if t == ctx(0, true) => {
                    // distributionPoint: [0] EXPLICIT DistributionPointName.
                    let mut dpn = SliceReader::new(any.value())?;
                    let name = AnyRef::decode(&mut dpn)?;
                    if name.tag() == ctx(0, true) {
                        let mut names = SliceReader::new(name.value())?;
                        while !names.is_finished() {
                            let gn = AnyRef::decode(&mut names)?;
                            if gn.tag() == ctx(6, false) {
                                scope
                                    .uris
                                    .push(String::from_utf8_lossy(gn.value()).into_owned());
                            }
                        }
                    }
                    if scope.uris.is_empty() {
                        // A named point we cannot compare: it covers no certificate URI.
                        scope.uris.push(String::new());
                    }
                }
                t if t == ctx(1, false) => scope.user_only = any.value() != [0],
                t if t == ctx(2, false) => scope.ca_only = any.value() != [0],
                t if t == ctx(3, false) => scope.some_reasons = true,
                t if t == ctx(4, false) => scope.indirect = any.value() != [0],
                t if t == ctx(5, false) => scope.attribute_only = any.value() != [0],
                _ => {
                    return Err(der::Error::from(der::ErrorKind::TagUnexpected {
                        expected: None,
                        actual: any.tag(),
                    }))
                }
            }
        }
        Ok::<_, der::Error>(())
    })?;
    r.finish()?;
    Ok(scope)
}

impl Crl {
    /// Parses one CRL: a PEM `X509 CRL` block, or DER with nothing after it. Enforces what Go's
    /// `x509.ParseRevocationList` enforces and nv2 relies on: inner and outer signature
    /// algorithms agree, no extension appears twice, the interpreted extensions decode.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, CrlError> {
        if bytes.len() > MAX_CRL_BYTES {
            return Err(CrlError::Limit(format!(
                "CRL of {} bytes exceeds the limit of {MAX_CRL_BYTES} bytes",
                bytes.len()
            )));
        }
        match x509::pem::decode(bytes) {
            Some((block, _)) if block.label == "X509 CRL" => Self::from_der(&block.bytes),
            Some((block, _)) => Err(CrlError::Malformed(format!(
                "PEM block of type {:?} is not a CRL",
                block.label
            ))),
            None => Self::from_der(bytes),
        }
    }

    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, CrlError> {
        let f = x509::asn1::crl(der).map_err(malformed("CRL"))?;
        // Both AlgorithmIdentifiers passed the strict DER walk, so equal values are equal bytes.
        if f.inner_sig_alg.raw != f.sig_alg.raw {
            return Err(CrlError::Malformed(
                "inner and outer signature algorithm identifiers don't match".into(),
            ));
        }
        let mut crl = Crl {
            raw_tbs: f.tbs.to_vec(),
            raw_issuer: f.issuer.to_vec(),
            algorithm: f.sig_alg.oid,
            // The parameters' own TLV: nothing to re-encode.
            algorithm_params: f.sig_alg.params.map(<[u8]>::to_vec),
            signature: f
                .signature
                .ok_or_else(|| CrlError::Malformed("signature has unused bits".into()))?
                .to_vec(),
            this_update: f.this_update,
            next_update: f.next_update,
            number: None,
            delta_of: None,
            freshest: None,
            scope: None,
            unknown_critical: None,
            entries: Vec::new(),
        };
        // Budgets (crate::limits), then duplicates found with a set: comparing each extension
        // with every earlier one was quadratic in the extension count.
        LimitExceeded::check("crl.extensions", EXTENSIONS, f.extensions.len())
            .map_err(CrlError::Budget)?;
        if x509::asn1::duplicate_extension(&f.extensions).is_some() {
            return Err(CrlError::Malformed("duplicate CRL extension".into()));
        }
        for ext in &f.extensions {
            let value = ext.value;
            match ext.id {
                id if id == ID_CE_CRL_NUMBER => crl.number = Some(crl_number(value)?),
                id if id == ID_CE_DELTA_CRL_INDICATOR => crl.delta_of = Some(crl_number(value)?),
                id if id == ID_CE_ISSUING_DISTRIBUTION_POINT => {
                    let scope =
                        parse_scope(value).map_err(malformed("issuing distribution point"))?;
                    LimitExceeded::check("crl.urls", URLS, scope.uris.len())
                        .map_err(CrlError::Budget)?;
                    crl.scope = Some(scope)
                }
                // Kept raw: a malformed Freshest CRL fails the check (unknown), not the parse,
                // as notation-core-go parses it only when fetching the delta.
                id if id == ID_CE_FRESHEST_CRL => crl.freshest = Some(value.to_vec()),
                id if ext.critical && crl.unknown_critical.is_none() => {
                    crl.unknown_critical = Some(id)
                }
                _ => {}
            }
        }
        for entry in &f.revoked {
            let mut e = Entry {
                serial: entry.serial.to_vec(),
                revoked_at: entry.date,
                reason: None,
                invalidity: None,
                unknown_critical: None,
            };
            LimitExceeded::check(
                "crl.entry.extensions",
                CRL_ENTRY_EXTENSIONS,
                entry.extensions.len(),
            )
            .map_err(CrlError::Budget)?;
            if x509::asn1::duplicate_extension(&entry.extensions).is_some() {
                return Err(CrlError::Malformed("duplicate CRL entry extension".into()));
            }
            for ext in &entry.extensions {
                let value = ext.value;
                match ext.id {
                    id if id == ID_CE_CRL_REASONS => {
                        // CRLReason ::= ENUMERATED (RFC 5280 §5.3.1), one content byte.
                        let any = AnyRef::from_der(value).map_err(malformed("reason code"))?;
                        match (any.tag(), any.value()) {
                            (Tag::Enumerated, [code]) if *code <= 10 => e.reason = Some(*code),
                            _ => return Err(CrlError::Malformed("invalid reason code".into())),
                        }
                    }
                    id if id == ID_CE_INVALIDITY_DATE => {
                        e.invalidity = Some(
                            x509::asn1::only_generalized_time(value)
                                .map_err(malformed("invalidity date"))?,
                        );
                    }
                    id if ext.critical && e.unknown_critical.is_none() => {
                        e.unknown_critical = Some(id)
                    }
                    _ => {}
                }
            }
            crl.entries.push(e);
        }
        Ok(crl)
    }

    /// When the CRL was issued.
    pub fn this_update(&self) -> Instant {
        self.this_update
    }

    /// When the next CRL is due (after it this one is stale), if set.
    pub fn next_update(&self) -> Option<Instant> {
        self.next_update
    }

    /// The issuer name, rendered as certificate names are (RFC 4514 order as Go prints it).
    pub fn issuer_rfc4514(&self) -> String {
        x509::render_name(&self.raw_issuer).unwrap_or_else(|_| "(unreadable name)".into())
    }

    /// The raw DER issuer name (matched byte for byte against certificates' issuer names).
    pub fn raw_issuer(&self) -> &[u8] {
        &self.raw_issuer
    }

    /// The CRL number (RFC 5280 §5.2.3) in hex, if present.
    pub fn number_hex(&self) -> Option<String> {
        self.number.as_deref().map(crate::crypto::hex)
    }

    /// Revoked entries listed.
    pub fn revoked_count(&self) -> usize {
        self.entries.len()
    }

    /// The URIs of the issuing distribution point (RFC 5280 §5.2.5), if the CRL names its scope.
    pub fn scope_urls(&self) -> Vec<String> {
        self.scope
            .as_ref()
            .map(|s| s.uris.clone())
            .unwrap_or_default()
    }

    /// Whether this is a delta CRL (Delta CRL Indicator, RFC 5280 §5.2.4).
    pub fn is_delta(&self) -> bool {
        self.delta_of.is_some()
    }

    /// URIs of the delta CRLs named by the Freshest CRL extension (RFC 5280 §5.2.6), read as
    /// notation-core-go does; empty when absent.
    pub fn delta_crl_urls(&self) -> Result<Vec<String>, CertError> {
        match &self.freshest {
            Some(v) => x509::parse_crl_distribution_points(v),
            None => Ok(Vec::new()),
        }
    }

    /// notation-core-go `validateCRL`: Go's `RevocationList.CheckSignatureFrom(issuer)` (the
    /// issuer may sign CRLs: a CA, with cRLSign when keyUsage is present; SHA-1 refused by
    /// [`PublicKey::verify_x509`]), `nextUpdate` set and not passed, no unknown critical
    /// extension; plus nv2's `thisUpdate <= now`. The name was matched by [`Crl::covers`].
    pub(crate) fn validate(&self, issuer: &Certificate, now: Instant) -> Result<(), String> {
        let not_ca = match issuer.basic_constraints() {
            None => issuer.is_v3(),
            Some(bc) => !bc.ca,
        };
        let ku_bits = issuer.key_usage().map_or(0, |k| k.bits);
        if not_ca || (ku_bits != 0 && ku_bits & KU_CRL_SIGN == 0) {
            return Err(format!(
                "CRL is not signed by CA {}: the issuer may not sign CRLs",
                issuer.subject_rfc4514()
            ));
        }
        let key = PublicKey::from_spki_der(issuer.spki_der()).map_err(|e| e.to_string())?;
        key.verify_x509(
            &self.algorithm,
            self.algorithm_params.as_deref(),
            &self.raw_tbs,
            &self.signature,
        )
        .map_err(|e| match e {
            CryptoError::BadSignature => format!(
                "CRL is not signed by CA {}: signature verification failed",
                issuer.subject_rfc4514()
            ),
            other => format!("CRL signature: {other}"),
        })?;
        let Some(next) = self.next_update else {
            return Err("CRL NextUpdate is not set".into());
        };
        if now > next {
            return Err(format!(
                "expired CRL: verification time {} is after CRL NextUpdate {}",
                now.to_rfc3339(),
                next.to_rfc3339()
            ));
        }
        if now < self.this_update {
            return Err(format!(
                "CRL is not yet valid: verification time {} is before CRL ThisUpdate {}",
                now.to_rfc3339(),
                self.this_update.to_rfc3339()
            ));
        }
        if let Some(oid) = self.unknown_critical {
            return Err(format!(
                "unsupported critical extension found in CRL: {oid}"
            ));
        }
        Ok(())
    }

    /// Whether `other` supersedes this CRL: a later thisUpdate, or the same one and a higher CRL
    /// number (RFC 5280 §5.2.3: numbers increase monotonically).
    fn is_older_than(&self, other: &Crl) -> bool {
        let numbers = match (&self.number, &other.number) {
            (Some(a), Some(b)) => cmp_number(a, b),
            _ => core::cmp::Ordering::Equal,
        };
        self.this_update
            .cmp(&other.this_update)
            .then(numbers)
            .is_lt()
    }

    /// Whether the CRL's scope (Issuing Distribution Point) covers `cert`.
    fn covers(&self, cert: &Certificate) -> bool {
        if self.raw_issuer != cert.raw_issuer() {
            return false;
        }
        let Some(scope) = &self.scope else {
            return true;
        };
        if scope.some_reasons || scope.indirect || scope.attribute_only {
            return false;
        }
        if (scope.user_only && cert.is_ca()) || (scope.ca_only && !cert.is_ca()) {
            return false;
        }
        scope.uris.is_empty() || cert.crl_urls().iter().any(|u| scope.uris.contains(u))
    }
}

mod checker;

pub use checker::CrlRevocationChecker;

#[cfg(test)]
mod tests;
