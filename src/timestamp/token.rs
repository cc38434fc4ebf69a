//! The token reader: CMS `ContentInfo` / `SignedData` (RFC 5652 §5) and the TSTInfo it
//! encapsulates (RFC 3161 §2.4.2), decoded but not yet verified.

use const_oid::ObjectIdentifier as Oid;

use super::der::*;
use super::*;
use crate::limits::{LimitExceeded, SIGNED_ATTRIBUTES};

// ---------------------------------------------------------------------------------------------
// CMS SignedData

/// One CMS SignerInfo (RFC 5652 §5.3), decoded.
#[derive(Clone, Debug)]
pub(super) struct SignerInfo {
    pub(super) version: i64,
    pub(super) sid_issuer: Vec<u8>,
    pub(super) sid_serial: Vec<u8>,
    pub(super) digest_alg: Oid,
    /// The signed attributes as the DER `SET OF` that was signed (RFC 5652 §5.4).
    pub(super) signed_attrs: Option<Vec<u8>>,
    /// Attribute type → the contents of its value `SET`.
    pub(super) attrs: Vec<(Oid, Vec<u8>)>,
    pub(super) sig_alg: Oid,
    pub(super) sig_params: Option<Vec<u8>>,
    pub(super) signature: Vec<u8>,
}

/// A SignerInfo failure: a syntax error (tspclient-go's text), or a budget.
pub(super) enum SignerInfoError {
    Syntax(String),
    Limit(LimitExceeded),
}

impl From<String> for SignerInfoError {
    fn from(s: String) -> Self {
        SignerInfoError::Syntax(s)
    }
}

impl From<&str> for SignerInfoError {
    fn from(s: &str) -> Self {
        SignerInfoError::Syntax(s.to_string())
    }
}

impl SignerInfo {
    fn parse(b: &[u8]) -> Result<Self, SignerInfoError> {
        let mut r = Rd(b);
        let version = int(r.take(0x02)?)?;
        let mut sid = Rd(r.take(0x30)?);
        let issuer = sid.any()?;
        if issuer.tag != 0x30 {
            return Err(TAGS.into());
        }
        let serial = sid.take(0x02)?;
        let (digest_alg, _) = alg(r.take(0x30)?)?;
        let mut signed_attrs = None;
        let mut attrs = Vec::new();
        if let Some(t) = r.opt(0xa0) {
            // Re-tagged as SET OF and sorted, which is the DER that was signed (Go re-marshals).
            // At most SIGNED_ATTRIBUTES (crate::limits), refused at the first one over; sorted
            // with the library sort (an insertion sort of attacker-chosen items was quadratic).
            let mut elems: Vec<&[u8]> = Vec::new();
            for item in Rd(t.body).items() {
                let item = item?;
                if attrs.len() == SIGNED_ATTRIBUTES {
                    return Err(SignerInfoError::Limit(LimitExceeded {
                        limit: "timestamp.signedAttributes",
                        max: SIGNED_ATTRIBUTES,
                        found: SIGNED_ATTRIBUTES + 1,
                    }));
                }
                let mut a = Rd(item.body);
                attrs.push((oid(a.take(0x06)?)?, a.take(0x31)?.to_vec()));
                elems.push(item.raw);
            }
            // DER SET OF order (X.690 §11.6): by encoding, bytewise, the shorter one first when
            // one is a prefix of the other: exactly the slice order.
            elems.sort_unstable();
            let mut der = vec![0x31];
            push_len(&mut der, t.body.len());
            elems.iter().for_each(|e| der.extend_from_slice(e));
            signed_attrs = Some(der);
        }
        let (sig_alg, sig_params) = alg(r.take(0x30)?)?;
        Ok(SignerInfo {
            version,
            sid_issuer: issuer.raw.to_vec(),
            sid_serial: serial.to_vec(),
            digest_alg,
            signed_attrs,
            attrs,
            sig_alg,
            sig_params: sig_params.map(<[u8]>::to_vec),
            signature: r.take(0x04)?.to_vec(),
        })
    }

    /// The first value of the first attribute of type `id` (Go's `Attributes.TryGet`).
    pub(super) fn attr(&self, id: &Oid) -> Result<Tlv<'_>, String> {
        let (_, values) = self
            .attrs
            .iter()
            .find(|(t, _)| t == id)
            .ok_or("attribute not found")?;
        Rd(values).any()
    }
}

/// A parsed, unverified RFC 3161 timestamp token: CMS SignedData over a TSTInfo (RFC 3161
/// §2.4.2, RFC 5652 §5).
#[derive(Clone, Debug)]
pub struct SignedToken {
    pub(super) content: Vec<u8>,
    pub(super) certs: Vec<Certificate>,
    pub(super) signers: Vec<SignerInfo>,
}

impl SignedToken {
    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp":
    /// decodes `token` (BER tolerated as Go tolerates it: non-minimal definite lengths) as a CMS
    /// ContentInfo holding SignedData version 3 with eContentType `id-ct-TSTInfo`. Nothing is
    /// verified yet.
    pub fn parse(token: &[u8]) -> Result<Self, TimestampError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TimestampError::TooLarge(token.len()));
        }
        let syntax =
            |m: &str, e: String| TimestampError::Parse(format!("cms: syntax error: {m}: {e}"));
        let der = ber_to_der(token)
            .map_err(|e| syntax("invalid signed data: failed to convert from BER to DER", e))?;
        let content = (|| {
            let mut ci = Rd(Rd(&der).take(0x30)?);
            let ct = oid(ci.take(0x06)?)?;
            Ok::<_, String>((ct, Rd(ci.take(0xa0)?).any()?))
        })()
        .map_err(|e| {
            syntax(
                "invalid content info: failed to unmarshal DER to ContentInfo",
                e,
            )
        })?;
        if content.0 != SIGNED_DATA {
            return Err(TimestampError::Parse(
                "cms: content type is not signed-data".into(),
            ));
        }
        let mut certs = Vec::new();
        let parsed = (|| {
            if content.1.tag != 0x30 {
                return Err(SignerInfoError::from(TAGS));
            }
            let mut r = Rd(content.1.body);
            let version = int(r.take(0x02)?)?;
            r.take(0x31)?;
            let mut eci = Rd(r.take(0x30)?);
            let ect = oid(eci.take(0x06)?)?;
            let econtent = match eci.opt(0xa0) {
                Some(t) => Rd(t.body).take(0x04)?.to_vec(),
                None => Vec::new(),
            };
            let cert_tlvs = r.opt(0xa0).map(|t| t.body).unwrap_or_default();
            r.opt(0xa1);
            let mut signers = Vec::new();
            for si in Rd(r.take(0x31)?).items().take(MAX_ITEMS) {
                let si = si?;
                if si.tag != 0x30 {
                    return Err(TAGS.into());
                }
                signers.push(SignerInfo::parse(si.body)?);
            }
            Ok::<_, SignerInfoError>((version, ect, econtent, cert_tlvs, signers))
        })();
        let (version, ect, content, cert_tlvs, signers) = parsed.map_err(|e| match e {
            SignerInfoError::Syntax(e) => syntax("invalid signed data", e),
            SignerInfoError::Limit(l) => TimestampError::Limit(l),
        })?;
        for c in Rd(cert_tlvs).items().take(MAX_ITEMS) {
            let cert = c
                .map_err(CertError::Parse)
                .and_then(|c| Certificate::from_der(c.raw))
                .map_err(|e| {
                    syntax(
                        "failed to parse X509 certificates from signed data",
                        e.to_string(),
                    )
                })?;
            certs.push(cert);
        }
        if version != 3 {
            return Err(TimestampError::Parse(format!(
                "cms: syntax error: invalid signed data: version must be 3 for a timestamp token, got {version}"
            )));
        }
        if ect != TST_INFO {
            return Err(TimestampError::Parse(format!(
                "unexpected content type: {ect}. Expected to be id-ct-TSTInfo ({TST_INFO})"
            )));
        }
        Ok(SignedToken {
            content,
            certs,
            signers,
        })
    }

    /// The certificates the token carries.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certs
    }

    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp":
    /// decodes the (still unverified) TSTInfo.
    pub fn info(&self) -> Result<TstInfo, TimestampError> {
        TstInfo::parse(&self.content).map_err(TimestampError::Info)
    }
}

// ---------------------------------------------------------------------------------------------
// TSTInfo

/// The decoded TSTInfo (RFC 3161 §2.4.2), not yet validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TstInfo {
    /// `version` (must be 1).
    pub version: i64,
    /// The TSA policy.
    pub policy: Oid,
    /// `messageImprint.hashAlgorithm`.
    pub hash_algorithm: Oid,
    /// `messageImprint.hashedMessage`.
    pub hashed_message: Vec<u8>,
    /// `genTime`.
    pub gen_time: Instant,
    /// `accuracy` in microseconds (seconds, millis and micros summed); `None` when absent.
    pub accuracy_micros: Option<u64>,
}

impl TstInfo {
    pub(super) fn parse(content: &[u8]) -> Result<Self, String> {
        let mut r = Rd(Rd(content).take(0x30)?);
        let version = int(r.take(0x02)?)?;
        let policy = oid(r.take(0x06)?)?;
        let mut mi = Rd(r.take(0x30)?);
        let (hash_algorithm, _) = alg(mi.take(0x30)?)?;
        let hashed_message = mi.take(0x04)?.to_vec();
        r.take(0x02)?;
        let gen_time = time(0x18, r.take(0x18)?)?;
        let accuracy_micros = match r.opt(0x30) {
            None => None,
            Some(t) => {
                let mut a = Rd(t.body);
                let mut total: u64 = 0;
                for (tag, unit, max) in [
                    (0x02, 1_000_000, u32::MAX as i64),
                    (0x80, 1000, 999),
                    (0x81, 1, 999),
                ] {
                    if let Some(v) = a.opt(tag) {
                        let v = int(v.body)?;
                        if !(0..=max).contains(&v) {
                            return Err("asn1: structure error: accuracy out of range".into());
                        }
                        total += v as u64 * unit;
                    }
                }
                Some(total)
            }
        };
        Ok(TstInfo {
            version,
            policy,
            hash_algorithm,
            hashed_message,
            gen_time,
            accuracy_micros,
        })
    }

    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp":
    /// version 1, the imprint is the SHA-256/384/512 hash of `message` (the primitive signature
    /// bytes), and the time range `genTime ± accuracy` (one second under the baseline policy
    /// 0.4.0.2023.1.1 when no accuracy is given, else zero).
    pub fn validate(&self, message: &[u8]) -> Result<Timestamp, TimestampError> {
        let invalid = |m: String| Err(TimestampError::InvalidInfo(m));
        if self.version != 1 {
            return invalid(format!(
                "timestamp token info version must be 1, but got {}",
                self.version
            ));
        }
        let Some(hash) = HashAlgorithm::from_oid(&self.hash_algorithm) else {
            return invalid(format!(
                "unrecognized hash algorithm: {}",
                self.hash_algorithm
            ));
        };
        if hash.digest(message) != self.hashed_message {
            return invalid("mismatched message".into());
        }
        let micros = match self.accuracy_micros.unwrap_or(0) {
            0 if self.policy == BASELINE_POLICY => 1_000_000,
            m => m,
        };
        let (secs, nanos) = (
            self.gen_time.unix_seconds(),
            i64::from(self.gen_time.subsec_nanos()),
        );
        let (d_secs, d_nanos) = (
            (micros / 1_000_000) as i64,
            (micros % 1_000_000) as i64 * 1000,
        );
        match (
            secs.checked_sub(d_secs)
                .and_then(|s| instant_at(s, nanos - d_nanos)),
            secs.checked_add(d_secs)
                .and_then(|s| instant_at(s, nanos + d_nanos)),
        ) {
            (Some(lower), Some(upper)) => Ok(Timestamp {
                gen_time: self.gen_time,
                lower,
                upper,
            }),
            _ => invalid("timestamp range out of bounds".into()),
        }
    }
}
