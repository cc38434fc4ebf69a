//! RFC 3161 timestamp countersignatures (trust-store-trust-policy.md §Signature Verification step
//! "Validate Authentic Timestamp", threat model 20).
//!
//! A `notary.x509` signature may carry an RFC 3161 timestamp token over its primitive signature
//! bytes. When the trust policy asks for timestamp verification the token decides which time the
//! signing chain must have been valid at: the range `genTime ± accuracy` (docs/conformance.md §D6).
//!
//! The token is untrusted input (threat model 1, 13): it is size-capped ([`MAX_TOKEN_LEN`]),
//! normalised from BER to DER with a depth bound, and decoded by a small hand-written DER reader
//! (no CMS crate: the wasm size budget). Verification follows notation-go / tspclient-go and
//! reports their messages:
//!
//! 1. [`SignedToken::parse`]: CMS `ContentInfo` / `SignedData` version 3 with eContentType
//!    `id-ct-TSTInfo` (step b);
//! 2. [`SignedToken::info`] and [`TstInfo::validate`]: TSTInfo version 1, message imprint =
//!    SHA-256/384/512 of the primitive signature, accuracy → time range (steps c, g);
//! 3. [`SignedToken::verify`]: a SignerInfo (version 1) whose `signingCertificateV2` attribute
//!    selects the TSA certificate among the token's certificates, a chain from it to a trusted
//!    TSA root valid at genTime, the signature over the DER signed attributes, the content-type
//!    and message-digest attributes, the TSA EKU (step e);
//! 4. [`crate::x509::validate_timestamping_chain`] on that chain (step f), then
//!    [`check_tsa_revocation`] (step h).
//!
//! [`verify_timestamp_token`] runs all of them; [`crate::verify`] runs them in notation-go's
//! order, interleaving the trust-store loading and the signing-chain bounds (step 6 d, g).

use core::fmt;

use const_oid::db::rfc5280::{ANY_EXTENDED_KEY_USAGE, ID_KP_TIME_STAMPING};
use const_oid::db::rfc5912 as algs;
use const_oid::ObjectIdentifier as Oid;

use crate::crypto::{CryptoError, HashAlgorithm, PublicKey};
use crate::error::ErrorCode;
use crate::revocation::{check_chain, ChainStatus, Purpose, RevocationChecker};
use crate::time::Instant;
use crate::x509::{self, CertError, Certificate, MAX_CHAIN_LEN};

/// The largest timestamp token accepted (threat model 13): real tokens are a few KiB.
pub const MAX_TOKEN_LEN: usize = 1 << 20;
/// Nesting bound of the BER → DER normalisation (threat model 13).
const MAX_DEPTH: usize = 64;
/// Bound on certificates and SignerInfos in a token, and on signature checks while building the
/// TSA chain (threat model 13: no unbounded work from attacker-chosen counts).
const MAX_ITEMS: usize = 32;

const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const SIGNING_CERT_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// ETSI baseline timestamp policy (RFC 3628 §5.1): accuracy of one second when absent.
const BASELINE_POLICY: Oid = Oid::new_unwrap("0.4.0.2023.1.1");

/// Why a timestamp token was refused (trust-store-trust-policy.md §Signature Verification step
/// "Validate Authentic Timestamp"). Display is tspclient-go's message;
/// [`TimestampError::notation_message`] adds notation-go's context for the verification step.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimestampError {
    /// The token is larger than [`MAX_TOKEN_LEN`] (threat model 13).
    TooLarge(usize),
    /// Not a CMS SignedData holding a TSTInfo (step b).
    Parse(String),
    /// The TSTInfo does not decode (step c).
    Info(String),
    /// The TSTInfo is invalid or stamps another message (step c; threat 20: token from another
    /// signature).
    InvalidInfo(String),
    /// No SignerInfo verifies: signing certificate, chain to a trusted TSA root at genTime,
    /// signature, signed attributes, EKU (step e; threat 20: untrusted TSA).
    Verify(String),
    /// The TSA chain breaks the timestamping certificate rules (step f, signature-specification.md
    /// §Certificate Requirements).
    Chain(CertError),
    /// A TSA chain certificate is revoked (step h).
    Revoked {
        /// Subject of the revoked certificate.
        subject: String,
        /// Detail from the checker.
        detail: String,
    },
    /// The revocation status of a TSA chain certificate is unknown (step h).
    RevocationUnknown {
        /// Subject of the certificate.
        subject: String,
        /// Detail from the checker.
        detail: String,
    },
}

impl TimestampError {
    /// Stable error code: `ERR_VERIFICATION_INCONCLUSIVE` for an unknown revocation status,
    /// else `ERR_TIMESTAMP`.
    pub fn code(&self) -> ErrorCode {
        match self {
            TimestampError::RevocationUnknown { .. } => ErrorCode::VerificationInconclusive,
            _ => ErrorCode::Timestamp,
        }
    }

    /// The message notation-go reports for this failure in the authenticTimestamp step.
    pub fn notation_message(&self) -> String {
        let context = match self {
            TimestampError::TooLarge(_) | TimestampError::Parse(_) => {
                "failed to parse timestamp countersignature"
            }
            TimestampError::Info(_) => "failed to get the timestamp TSTInfo",
            TimestampError::InvalidInfo(_) => {
                "failed to get timestamp from timestamp countersignature"
            }
            TimestampError::Verify(_) => "failed to verify the timestamp countersignature",
            TimestampError::Chain(_) => "failed to validate the timestamping certificate chain",
            _ => return self.to_string(),
        };
        format!("{context} with error: {self}")
    }
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampError::TooLarge(n) => write!(
                f,
                "cms: syntax error: timestamp token of {n} bytes exceeds {MAX_TOKEN_LEN} bytes"
            ),
            TimestampError::Parse(s) => f.write_str(s),
            TimestampError::Info(s) => {
                write!(f, "cannot unmarshal TSTInfo from timestamp token: {s}")
            }
            TimestampError::InvalidInfo(s) => write!(f, "invalid TSTInfo: {s}"),
            TimestampError::Verify(s) => write!(f, "failed to verify signed token: {s}"),
            TimestampError::Chain(e) => e.fmt(f),
            TimestampError::Revoked { subject, detail } => write!(
                f,
                "timestamping certificate with subject \"{subject}\" is revoked ({detail})"
            ),
            TimestampError::RevocationUnknown { subject, detail } => write!(
                f,
                "timestamping certificate with subject \"{subject}\" revocation status is unknown ({detail})"
            ),
        }
    }
}

impl std::error::Error for TimestampError {}

/// A verified timestamp: the TSA's time, the range the signature was made in, and the TSA chain.
#[derive(Clone, Debug, PartialEq)]
pub struct TimestampRange {
    /// TSTInfo `genTime`.
    pub gen_time: Instant,
    /// `genTime - accuracy` (trust-store-trust-policy.md §Signature Verification step "Validate
    /// Authentic Timestamp").
    pub lower: Instant,
    /// `genTime + accuracy`.
    pub upper: Instant,
    /// The TSA chain, TSA certificate first, ending at a trusted TSA root.
    pub tsa_chain: Vec<Certificate>,
}

/// The time a TSTInfo states, with its accuracy applied (trust-store-trust-policy.md §Signature
/// Verification step "Validate Authentic Timestamp").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// TSTInfo `genTime`.
    pub gen_time: Instant,
    /// `genTime - accuracy`.
    pub lower: Instant,
    /// `genTime + accuracy`.
    pub upper: Instant,
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp" in one
/// call: parse `token_der` (the countersignature), check that it stamps `signature` (the primitive
/// signature bytes), verify it against `tsa_roots` at its genTime, validate the TSA chain
/// (signature-specification.md §Certificate Requirements) and check its revocation through
/// `checker` ([`Purpose::Timestamping`]; revoked or unknown is an error).
///
/// The signing-chain bounds (step 6g, second half) are the caller's: every signing certificate
/// must satisfy `notBefore <= lower` and `upper <= notAfter`.
pub fn verify_timestamp_token(
    token_der: &[u8],
    signature: &[u8],
    tsa_roots: &[Certificate],
    checker: &dyn RevocationChecker,
) -> Result<TimestampRange, TimestampError> {
    let token = SignedToken::parse(token_der)?;
    let ts = token.info()?.validate(signature)?;
    let tsa_chain = token.verify(tsa_roots, ts.gen_time)?;
    x509::validate_timestamping_chain(&tsa_chain, None).map_err(TimestampError::Chain)?;
    check_tsa_revocation(checker, &tsa_chain)?;
    Ok(TimestampRange {
        gen_time: ts.gen_time,
        lower: ts.lower,
        upper: ts.upper,
        tsa_chain,
    })
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp":
/// revocation of the TSA chain (the root is not checked, trust-store-trust-policy.md §Certificate
/// Revocation Evaluation).
pub fn check_tsa_revocation(
    checker: &dyn RevocationChecker,
    tsa_chain: &[Certificate],
) -> Result<(), TimestampError> {
    match check_chain(checker, tsa_chain, Purpose::Timestamping, None) {
        ChainStatus::Ok => Ok(()),
        ChainStatus::Revoked { subject, detail } => {
            Err(TimestampError::Revoked { subject, detail })
        }
        ChainStatus::Unknown { subject, detail } => {
            Err(TimestampError::RevocationUnknown { subject, detail })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DER reading

/// One DER TLV: first identifier octet, contents, whole encoding.
#[derive(Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    body: &'a [u8],
    raw: &'a [u8],
}

const TRUNCATED: &str = "asn1: syntax error: sequence truncated";
const TAGS: &str = "asn1: structure error: tags don't match";

/// Splits one definite-length TLV off `b` (multi-byte tags are skipped over, lengths up to 4
/// octets).
fn split(b: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *b.first()?;
    let mut i = 1;
    if tag & 0x1f == 0x1f {
        while *b.get(i)? & 0x80 != 0 {
            i += 1;
        }
        i += 1;
    }
    let first = *b.get(i)?;
    i += 1;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut v = 0usize;
        for _ in 0..n {
            v = (v << 8) | usize::from(*b.get(i)?);
            i += 1;
        }
        v
    };
    let end = i.checked_add(len).filter(|e| *e <= b.len())?;
    Some((
        Tlv {
            tag,
            body: &b[i..end],
            raw: &b[..end],
        },
        &b[end..],
    ))
}

/// A cursor over the elements of a constructed value.
struct Rd<'a>(&'a [u8]);

impl<'a> Rd<'a> {
    fn any(&mut self) -> Result<Tlv<'a>, String> {
        let (t, rest) = split(self.0).ok_or(TRUNCATED)?;
        self.0 = rest;
        Ok(t)
    }

    fn take(&mut self, tag: u8) -> Result<&'a [u8], String> {
        let t = self.any()?;
        if t.tag == tag {
            Ok(t.body)
        } else {
            Err(TAGS.into())
        }
    }

    fn opt(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.0.first() == Some(&tag) {
            self.any().ok()
        } else {
            None
        }
    }

    fn items(mut self) -> impl Iterator<Item = Result<Tlv<'a>, String>> {
        core::iter::from_fn(move || (!self.0.is_empty()).then(|| self.any()))
    }
}

fn oid(b: &[u8]) -> Result<Oid, String> {
    Oid::from_bytes(b).map_err(|_| "asn1: syntax error: invalid object identifier".into())
}

/// A small INTEGER (versions, accuracy fields).
fn int(b: &[u8]) -> Result<i64, String> {
    if b.is_empty() || b.len() > 8 {
        return Err("asn1: structure error: integer too large".into());
    }
    let init = if b[0] & 0x80 != 0 { -1i64 } else { 0 };
    Ok(b.iter().fold(init, |v, x| (v << 8) | i64::from(*x)))
}

/// `AlgorithmIdentifier` contents: OID and raw parameters.
fn alg(b: &[u8]) -> Result<(Oid, Option<&[u8]>), String> {
    let mut r = Rd(b);
    let id = oid(r.take(0x06)?)?;
    Ok((id, r.any().ok().map(|t| t.raw)))
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// UTCTime (`0x17`) or GeneralizedTime (`0x18`, optional fraction), UTC (`Z`) only.
fn time(tag: u8, b: &[u8]) -> Result<Instant, String> {
    let bad = || String::from("asn1: invalid time");
    let (year_len, frac_ok) = match tag {
        0x17 => (2, false),
        0x18 => (4, true),
        _ => return Err(bad()),
    };
    let n = year_len + 10;
    let (digits, tail) = (b.get(..n).ok_or_else(bad)?, &b[n..]);
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let num = |r: core::ops::Range<usize>| {
        digits[r]
            .iter()
            .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'))
    };
    let mut year = i64::from(num(0..year_len));
    if tag == 0x17 {
        year += if year >= 50 { 1900 } else { 2000 };
    }
    let o = year_len;
    let base = Instant::from_utc(
        year,
        num(o..o + 2),
        num(o + 2..o + 4),
        num(o + 4..o + 6),
        num(o + 6..o + 8),
        num(o + 8..o + 10),
    )
    .ok_or_else(bad)?;
    let mut nanos: i64 = 0;
    match tail {
        [b'Z'] => {}
        [b'.', frac @ .., b'Z']
            if frac_ok && (1..=9).contains(&frac.len()) && frac.iter().all(u8::is_ascii_digit) =>
        {
            for (i, d) in frac.iter().enumerate() {
                nanos += i64::from(d - b'0') * 10i64.pow(8 - i as u32);
            }
        }
        _ => return Err(bad()),
    }
    instant_at(base.unix_seconds(), nanos).ok_or_else(bad)
}

/// `secs` seconds plus `nanos` nanoseconds (any sign) since the Unix epoch, exactly.
fn instant_at(secs: i64, nanos: i64) -> Option<Instant> {
    let secs = secs.checked_add(nanos.div_euclid(1_000_000_000))?;
    let nanos = nanos.rem_euclid(1_000_000_000);
    let base = Instant::from_unix_seconds(secs);
    if nanos == 0 {
        return Some(base);
    }
    let (y, mo, d, h, mi, s) = base.to_utc();
    Instant::parse_rfc3339(&format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{nanos:09}Z"
    ))
    .ok()
}

// ---------------------------------------------------------------------------------------------
// BER → DER (tspclient-go `ber.ConvertToDER`: definite lengths re-encoded minimally; indefinite
// lengths are refused, as in Go)

fn ber_header(r: &[u8]) -> Result<(usize, usize, usize), String> {
    let syntax = |m: &str| format!("asn1: syntax error: decoding BER {m}");
    let first = *r
        .first()
        .ok_or_else(|| syntax("identifier octets: identifier octets is empty"))?;
    let mut i = 1;
    if first & 0x1f == 0x1f {
        while r.get(i).is_some_and(|b| b & 0x80 != 0) {
            i += 1;
        }
        if i >= r.len() {
            return Err(syntax(
                "identifier octets: high-tag-number form with early EOF",
            ));
        }
        i += 1;
    }
    let tag_len = i;
    let Some(&l0) = r.get(i) else {
        return Err(syntax(
            "identifier octets: early EOF due to missing length and content octets",
        ));
    };
    i += 1;
    let len = if l0 < 0x80 {
        let len = usize::from(l0);
        if len > r.len() - i {
            return Err(syntax("length octets: short form length octets value should be less or equal to the subsequent octets length"));
        }
        len
    } else if l0 == 0x80 {
        return Err(
            "asn1: structure error: decoding BER length octets: indefinite length not supported"
                .into(),
        );
    } else {
        let n = usize::from(l0 & 0x7f);
        if n > 4 {
            return Err(format!("asn1: structure error: decoding BER length octets: length of encoded data ({n} bytes) cannot exceed 4 bytes"));
        }
        if i + n >= r.len() {
            return Err(syntax(
                "length octets: long form length octets with early EOF",
            ));
        }
        let len = r[i..i + n]
            .iter()
            .fold(0usize, |v, b| (v << 8) | usize::from(*b));
        i += n;
        if len > r.len() - i {
            return Err(syntax("length octets: long form length octets value should be less or equal to the subsequent octets length"));
        }
        len
    };
    Ok((tag_len, i, len))
}

fn ber_copy(r: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<usize, String> {
    let (tag_len, head, len) = ber_header(r)?;
    let body = &r[head..head + len];
    out.extend_from_slice(&r[..tag_len]);
    if r[0] & 0x20 == 0 {
        push_len(out, len);
        out.extend_from_slice(body);
    } else {
        if depth >= MAX_DEPTH {
            return Err("asn1: structure error: nesting too deep".into());
        }
        let mut inner = Vec::with_capacity(len);
        let mut rest = body;
        while !rest.is_empty() {
            let n = ber_copy(rest, &mut inner, depth + 1)?;
            rest = &rest[n..];
        }
        push_len(out, inner.len());
        out.extend_from_slice(&inner);
    }
    Ok(head + len)
}

fn ber_to_der(ber: &[u8]) -> Result<Vec<u8>, String> {
    if ber.is_empty() {
        return Err("asn1: syntax error: BER-encoded ASN.1 data structures is empty".into());
    }
    let mut out = Vec::with_capacity(ber.len());
    let n = ber_copy(ber, &mut out, 0)?;
    if n != ber.len() {
        return Err(format!("asn1: syntax error: decoding BER: length octets value {} does not match with content length {}", n, ber.len()));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// CMS SignedData

/// One CMS SignerInfo (RFC 5652 §5.3), decoded.
#[derive(Clone, Debug)]
struct SignerInfo {
    version: i64,
    sid_issuer: Vec<u8>,
    sid_serial: Vec<u8>,
    digest_alg: Oid,
    /// The signed attributes as the DER `SET OF` that was signed (RFC 5652 §5.4).
    signed_attrs: Option<Vec<u8>>,
    /// Attribute type → the contents of its value `SET`.
    attrs: Vec<(Oid, Vec<u8>)>,
    sig_alg: Oid,
    sig_params: Option<Vec<u8>>,
    signature: Vec<u8>,
}

impl SignerInfo {
    fn parse(b: &[u8]) -> Result<Self, String> {
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
            let mut elems: Vec<&[u8]> = Vec::new();
            for item in Rd(t.body).items() {
                let item = item?;
                let mut a = Rd(item.body);
                attrs.push((oid(a.take(0x06)?)?, a.take(0x31)?.to_vec()));
                elems.push(item.raw);
            }
            // Insertion sort (DER SET OF order; already sorted in practice, a handful of items).
            for i in 1..elems.len() {
                let mut j = i;
                while j > 0 && elems[j - 1] > elems[j] {
                    elems.swap(j - 1, j);
                    j -= 1;
                }
            }
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
    fn attr(&self, id: &Oid) -> Result<Tlv<'_>, String> {
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
    content: Vec<u8>,
    certs: Vec<Certificate>,
    signers: Vec<SignerInfo>,
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
                return Err(TAGS.to_string());
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
            Ok((version, ect, econtent, cert_tlvs, signers))
        })();
        let (version, ect, content, cert_tlvs, signers) =
            parsed.map_err(|e| syntax("invalid signed data", e))?;
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

    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp": the
    /// first SignerInfo that verifies wins (else the last error): its `signingCertificateV2`
    /// selects the TSA certificate, which must chain through the token's certificates to one of
    /// `roots` (byte-equal) with every certificate valid at `at` (the genTime) and EKU compatible
    /// with timeStamping; then the signature over the DER signed attributes, the content-type and
    /// message-digest attributes, the signing-time attribute if any, and the TSA certificate's EKU
    /// (exactly timeStamping, critical). Returns the chain, TSA certificate first.
    pub fn verify(
        &self,
        roots: &[Certificate],
        at: Instant,
    ) -> Result<Vec<Certificate>, TimestampError> {
        let mut last = String::from("signerInfo not found");
        for si in &self.signers {
            match self.verify_signer(si, roots, at) {
                Ok(chain) => return Ok(chain),
                Err(e) => last = e,
            }
        }
        Err(TimestampError::Verify(last))
    }

    fn verify_signer(
        &self,
        si: &SignerInfo,
        roots: &[Certificate],
        at: Instant,
    ) -> Result<Vec<Certificate>, String> {
        let cert = self.signing_certificate(si)?;
        let cms = |e: String| format!("cms verification failure: {e}");
        if si.version != 1 {
            return Err(cms(format!(
                "invalid signer info version: only version 1 is supported; got {}",
                si.version
            )));
        }
        let chain = build_chain(cert, &self.certs, roots, at).map_err(cms)?;
        self.verify_signature(si, cert).map_err(cms)?;
        self.verify_signed_attrs(si, &chain).map_err(cms)?;
        // RFC 3161 §2.3: the TSA certificate has exactly one EKU, timeStamping, critical.
        match cert.ext_key_usage() {
            Some(e) if e.purposes.as_slice() == [ID_KP_TIME_STAMPING] => {
                if e.critical {
                    Ok(chain)
                } else {
                    Err("signing certificate extended key usage extension must be set as critical".into())
                }
            }
            _ => Err("signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage".into()),
        }
    }

    /// RFC 5035 / RFC 3161 §2.4.1: the certificate named by `signingCertificateV2` (its
    /// IssuerSerial, else the SignerInfo sid), whose hash must match. v1 `signingCertificate`
    /// is not accepted.
    fn signing_certificate(&self, si: &SignerInfo) -> Result<&Certificate, String> {
        let attr = si.attr(&SIGNING_CERT_V2).and_then(|t| {
            let mut ids = Rd(Rd(t.raw).take(0x30)?);
            let first = Rd(ids.take(0x30)?).opt(0x30);
            let Some(first) = first else { return Ok(None) };
            let mut r = Rd(first.body);
            let hash = r.opt(0x30).map(|t| alg(t.body)).transpose()?;
            let cert_hash = r.take(0x04)?;
            let issuer_serial = r.opt(0x30);
            Ok(Some((hash, cert_hash, issuer_serial)))
        });
        let (hash, cert_hash, issuer_serial) = attr
            .map_err(|e| format!("failed to get SigningCertificateV2 from signed attributes: {e}"))?
            .ok_or("signingCertificateV2 does not contain any certificate")?;
        let candidate = match issuer_serial {
            Some(is) => {
                let mut r = Rd(is.body);
                let names = r.take(0x30)?;
                let serial = r.take(0x02)?;
                // GeneralNames: the first entry must be a directoryName ([4] EXPLICIT Name).
                let name = Rd(names)
                    .opt(0xa4)
                    .ok_or("issuer name is missing in IssuerSerial")?;
                let issuer = Rd(name.body)
                    .any()
                    .map_err(|e| format!("failed to unmarshal issuer name: {e}"))?;
                self.find(issuer.raw, serial)
            }
            None => self.find(&si.sid_issuer, &si.sid_serial),
        }
        .ok_or("signing certificate not found in the timestamp token")?;
        let h = match hash {
            None => HashAlgorithm::Sha256,
            Some((id, _)) => HashAlgorithm::from_oid(&id).ok_or(
                "unsupported certificate hash algorithm in SigningCertificateV2 attribute",
            )?,
        };
        if h.digest(candidate.der()) != cert_hash {
            return Err(
                "signing certificate hash does not match CertHash in signed attribute".into(),
            );
        }
        Ok(candidate)
    }

    /// The token certificate with this raw issuer name and serial number.
    fn find(&self, issuer: &[u8], serial: &[u8]) -> Option<&Certificate> {
        let trim = |b: &[u8]| -> Vec<u8> { b.iter().skip_while(|x| **x == 0).copied().collect() };
        let serial = trim(serial);
        self.certs
            .iter()
            .find(|c| c.raw_issuer() == issuer && trim(c.serial()) == serial)
    }

    /// RFC 5652 §5.6: the signature over the DER signed attributes with the TSA key.
    fn verify_signature(&self, si: &SignerInfo, cert: &Certificate) -> Result<(), String> {
        // Go's `oid.ToSignatureAlgorithm`: rsaEncryption takes its hash from digestAlgorithm.
        let algorithm = match (si.sig_alg, HashAlgorithm::from_oid(&si.digest_alg)) {
            (algs::RSA_ENCRYPTION, Some(HashAlgorithm::Sha256)) => {
                algs::SHA_256_WITH_RSA_ENCRYPTION
            }
            (algs::RSA_ENCRYPTION, Some(HashAlgorithm::Sha384)) => {
                algs::SHA_384_WITH_RSA_ENCRYPTION
            }
            (algs::RSA_ENCRYPTION, Some(HashAlgorithm::Sha512)) => {
                algs::SHA_512_WITH_RSA_ENCRYPTION
            }
            (algs::RSA_ENCRYPTION, None) => return Err("unknown signature algorithm".into()),
            (other, _) => other,
        };
        let msg = si.signed_attrs.as_deref().unwrap_or(&self.content);
        let key: PublicKey = cert.public_key().map_err(|e| e.to_string())?;
        let rsa = matches!(key, PublicKey::Rsa(_));
        key.verify_x509(&algorithm, si.sig_params.as_deref(), msg, &si.signature)
            .map_err(|e| match e {
                CryptoError::BadSignature if rsa => "crypto/rsa: verification error".into(),
                CryptoError::BadSignature => "x509: ECDSA verification failure".into(),
                CryptoError::UnsupportedAlgorithm(_) => "unknown signature algorithm".into(),
                other => other.to_string(),
            })
    }

    /// RFC 5652 §5.3, §11: content-type = id-ct-TSTInfo, message-digest = hash of the TSTInfo,
    /// signing-time (if any) within the chain's validity.
    fn verify_signed_attrs(&self, si: &SignerInfo, chain: &[Certificate]) -> Result<(), String> {
        if si.signed_attrs.is_none() {
            return Err("missing signed attributes".into());
        }
        let ct = si
            .attr(&CONTENT_TYPE)
            .and_then(|t| Rd(t.raw).take(0x06).and_then(oid))
            .map_err(|e| format!("invalid content type: {e}"))?;
        if ct != TST_INFO {
            return Err(format!(
                "mismatch content type: found \"{ct}\" in signer info, and \"{TST_INFO}\" in signed data"
            ));
        }
        let md = si
            .attr(&MESSAGE_DIGEST)
            .and_then(|t| Rd(t.raw).take(0x04))
            .map_err(|e| format!("invalid message digest: {e}"))?;
        let hash = HashAlgorithm::from_oid(&si.digest_alg).ok_or("unsupported digest algorithm")?;
        if hash.digest(&self.content) != md {
            return Err("mismatch message digest".into());
        }
        if let Ok(t) = si.attr(&SIGNING_TIME) {
            let t = time(t.tag, t.body).map_err(|e| format!("invalid signing time: {e}"))?;
            if chain.iter().any(|c| !c.is_valid_at(t)) {
                return Err(format!(
                    "signing time, {}, is outside certificate's validity period",
                    t.to_rfc3339()
                ));
            }
        }
        Ok(())
    }
}

/// Whether `cert` may appear in a timestamping chain (Go's `checkChainForKeyUsage`: no EKU,
/// anyExtendedKeyUsage, or timeStamping).
fn eku_allows_timestamping(cert: &Certificate) -> bool {
    cert.ext_key_usage().is_none_or(|e| {
        e.purposes
            .iter()
            .any(|p| *p == ID_KP_TIME_STAMPING || *p == ANY_EXTENDED_KEY_USAGE)
    })
}

/// Go's `x509.Certificate.Verify` with the token's certificates as intermediates, `roots` as the
/// trust anchors (byte-equal), `at` as the current time and the timeStamping EKU: a path from
/// `leaf` to a root, every certificate valid at `at`, each issued by the next (signature, CA
/// status, raw names: [`Certificate::verify_issued_by`]). Bounded depth and signature checks.
fn build_chain(
    leaf: &Certificate,
    pool: &[Certificate],
    roots: &[Certificate],
    at: Instant,
) -> Result<Vec<Certificate>, String> {
    if !leaf.is_valid_at(at) {
        let (rel, bound) = if at < leaf.not_before() {
            ("before", leaf.not_before())
        } else {
            ("after", leaf.not_after())
        };
        return Err(format!(
            "x509: certificate has expired or is not yet valid: current time {} is {rel} {}",
            at.to_rfc3339(),
            bound.to_rfc3339()
        ));
    }
    if !eku_allows_timestamping(leaf) {
        return Err("x509: certificate specifies an incompatible key usage".into());
    }
    let mut chain = vec![leaf.clone()];
    let mut budget = MAX_ITEMS;
    if extend(&mut chain, pool, roots, at, &mut budget) {
        Ok(chain)
    } else {
        Err("x509: certificate signed by unknown authority".into())
    }
}

fn extend(
    chain: &mut Vec<Certificate>,
    pool: &[Certificate],
    roots: &[Certificate],
    at: Instant,
    budget: &mut usize,
) -> bool {
    let Some(cur) = chain.last().cloned() else {
        return false;
    };
    if roots.iter().any(|r| r == &cur) {
        return true;
    }
    if chain.len() >= MAX_CHAIN_LEN {
        return false;
    }
    for (is_root, cand) in roots
        .iter()
        .map(|c| (true, c))
        .chain(pool.iter().map(|c| (false, c)))
    {
        if (!is_root && chain.contains(cand))
            // Raw name bytes, as Go's chain building compares them (`verify_issued_by` below
            // requires the same).
            || cand.raw_subject() != cur.raw_issuer()
            || !cand.is_valid_at(at)
            || !eku_allows_timestamping(cand)
            || *budget == 0
        {
            continue;
        }
        *budget -= 1;
        if cur.verify_issued_by(cand).is_err() {
            continue;
        }
        chain.push(cand.clone());
        if is_root || extend(chain, pool, roots, at, budget) {
            return true;
        }
        chain.pop();
    }
    false
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
    fn parse(content: &[u8]) -> Result<Self, String> {
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

#[cfg(test)]
mod tests;
