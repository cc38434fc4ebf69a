//! Flat DER walks over the X.509 structures nv2 reads: certificates (RFC 5280 §4.1) and CRLs
//! (RFC 5280 §5.1).
//!
//! These replace `x509-cert`'s derived decoders, which cost about 40 KB of wasm (every derived
//! SEQUENCE is its own copy of `der`'s nested reader). The walks accept and refuse exactly what
//! those decoders did — same TLV layer (`der`'s strict DER header and length rules), same
//! primitive decoders (`der`'s INTEGER, BIT STRING, BOOLEAN, OID, UTCTime, GeneralizedTime), same
//! OPTIONAL / DEFAULT handling, no trailing data in any SEQUENCE — which the differential tests in
//! `src/x509/cert.rs` and `src/revocation/crl.rs` check against `x509-cert` itself.
//!
//! One deliberate difference: the attributes of a multi-valued RDN are kept in encoding order,
//! as Go's `crypto/x509` keeps them, where `x509-cert` re-sorted them into DER SET OF order
//! (see [`name_attributes`]).

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, IntRef, UtcTime};
use der::{Class, Decode, Reader, SliceReader, Tag, TagNumber, Tagged};

use crate::time::Instant;

/// The `TagUnexpected` error `der` reports for a tag mismatch.
pub(crate) fn unexpected(expected: Option<Tag>, actual: Tag) -> der::Error {
    der::Error::from(der::ErrorKind::TagUnexpected { expected, actual })
}

/// The next TLV, which must carry `tag`; its contents.
pub(crate) fn take<'a>(r: &mut SliceReader<'a>, tag: Tag) -> der::Result<&'a [u8]> {
    let any = AnyRef::decode(r)?;
    if any.tag() != tag {
        return Err(unexpected(Some(tag), any.tag()));
    }
    Ok(any.value())
}

/// A reader over the contents of the next TLV, which must be a SEQUENCE.
pub(crate) fn seq<'a>(r: &mut SliceReader<'a>) -> der::Result<SliceReader<'a>> {
    SliceReader::new(take(r, Tag::Sequence)?)
}

/// The contents of the single DER SEQUENCE that is all of `der` (no trailing data).
pub(crate) fn sequence_contents(der: &[u8]) -> der::Result<&[u8]> {
    let mut r = SliceReader::new(der)?;
    let contents = take(&mut r, Tag::Sequence)?;
    r.finish()?;
    Ok(contents)
}

/// The tag of the next TLV, `None` at the end (`der`'s OPTIONAL peek).
pub(crate) fn peek(r: &SliceReader<'_>) -> der::Result<Option<Tag>> {
    if r.is_finished() {
        Ok(None)
    } else {
        Tag::peek(r).map(Some)
    }
}

/// Whether the next TLV is context-specific `[n]`, constructed or not (`der`'s
/// `Tag::peek_matches`, which decides whether an OPTIONAL tagged field is present).
fn peek_context(r: &SliceReader<'_>, n: u32) -> der::Result<bool> {
    Ok(peek(r)?.is_some_and(|t| t.class() == Class::ContextSpecific && t.number() == TagNumber(n)))
}

/// An OPTIONAL `[n] EXPLICIT` field: its contents when present (the encoding must be
/// constructed, X.690 §8.14.3).
pub(crate) fn explicit<'a>(r: &mut SliceReader<'a>, n: u32) -> der::Result<Option<&'a [u8]>> {
    if !peek_context(r, n)? {
        return Ok(None);
    }
    let any = AnyRef::decode(r)?;
    if !any.tag().is_constructed() {
        return Err(any.tag().non_canonical_error().into());
    }
    Ok(Some(any.value()))
}

/// An OPTIONAL `[n] IMPLICIT BIT STRING` (the unique identifiers, RFC 5280 §4.1.2.8): primitive,
/// with BIT STRING contents.
fn implicit_bit_string(r: &mut SliceReader<'_>, n: u32) -> der::Result<()> {
    if !peek_context(r, n)? {
        return Ok(());
    }
    let any = AnyRef::decode(r)?;
    if any.tag().is_constructed() {
        return Err(any.tag().non_canonical_error().into());
    }
    let (&unused, bits) = any
        .value()
        .split_first()
        .ok_or_else(|| der::Error::from(Tag::BitString.length_error()))?;
    BitStringRef::new(unused, bits)?;
    Ok(())
}

/// A `Version` INTEGER (RFC 5280 §4.1.2.1, §5.1.2.1): v1 (0), v2 (1) or v3 (2).
fn version(r: &mut SliceReader<'_>) -> der::Result<u8> {
    let v = u8::decode(r)?;
    if v > 2 {
        return Err(Tag::Integer.value_error().into());
    }
    Ok(v)
}

/// A `CertificateSerialNumber` (RFC 5280 §4.1.2.2): a canonical INTEGER of at most 20 octets
/// plus a sign octet, as `x509-cert` decodes it; the content bytes with leading ones stripped.
pub(crate) fn serial<'a>(r: &mut SliceReader<'a>) -> der::Result<&'a [u8]> {
    let n = IntRef::decode(r)?;
    if n.as_bytes().len() > 21 {
        return Err(Tag::Integer.value_error().into());
    }
    Ok(n.as_bytes())
}

/// The context-specific tag `[n]`, constructed or primitive.
pub(crate) fn ctx(n: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(n),
    }
}

fn instant(d: core::time::Duration) -> Instant {
    Instant::from_unix_seconds(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A DER `GeneralizedTime` (RFC 5280 §4.1.2.5.2: UTC, seconds, no fraction), as an instant;
/// the one reader of the CRL entry, OCSP and certificate times.
pub(crate) fn generalized_time(r: &mut SliceReader<'_>) -> der::Result<Instant> {
    Ok(instant(GeneralizedTime::decode(r)?.to_unix_duration()))
}

/// The contents `value` (of an extension or an EXPLICIT tag) are exactly one `GeneralizedTime`.
pub(crate) fn only_generalized_time(value: &[u8]) -> der::Result<Instant> {
    let mut r = SliceReader::new(value)?;
    let t = generalized_time(&mut r)?;
    r.finish()?;
    Ok(t)
}

/// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` (RFC 5280 §4.1.2.5).
fn time(r: &mut SliceReader<'_>) -> der::Result<Instant> {
    match Tag::peek(r)? {
        Tag::UtcTime => Ok(instant(UtcTime::decode(r)?.to_unix_duration())),
        Tag::GeneralizedTime => generalized_time(r),
        t => Err(unexpected(None, t)),
    }
}

/// An `AlgorithmIdentifier` (RFC 5280 §4.1.1.2): its whole TLV, OID and parameters TLV.
pub(crate) struct AlgId<'a> {
    pub raw: &'a [u8],
    pub oid: ObjectIdentifier,
    pub params: Option<&'a [u8]>,
}

pub(crate) fn alg_id<'a>(r: &mut SliceReader<'a>) -> der::Result<AlgId<'a>> {
    let raw = r.tlv_bytes()?;
    let mut a = SliceReader::new(sequence_contents(raw)?)?;
    let oid = ObjectIdentifier::decode(&mut a)?;
    let params = if a.is_finished() {
        None
    } else {
        Some(a.tlv_bytes()?)
    };
    a.finish()?;
    Ok(AlgId { raw, oid, params })
}

/// One `Extension` (RFC 5280 §4.1.2.9): `critical` is a DER BOOLEAN, DEFAULT FALSE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ext<'a> {
    pub id: ObjectIdentifier,
    pub critical: bool,
    pub value: &'a [u8],
}

/// The first extension whose OID an earlier one already has (RFC 5280 §4.2: "A certificate MUST
/// NOT include more than one instance of a particular extension"; the same rule for CRLs, CRL
/// entries and OCSP responses). Found with a set: comparing each with every earlier one was
/// quadratic in the extension count.
pub(crate) fn duplicate_extension(list: &[Ext<'_>]) -> Option<ObjectIdentifier> {
    let mut seen = crate::encoding::SeenKeys::default();
    list.iter()
        .find(|ext| !seen.insert(ext.id.to_string()))
        .map(|ext| ext.id)
}

/// The contents of `Extensions ::= SEQUENCE OF Extension` (the SEQUENCE itself is read by the
/// caller). Duplicates are the callers' concern (their messages differ).
pub(crate) fn extensions<'a>(r: &mut SliceReader<'a>) -> der::Result<Vec<Ext<'a>>> {
    let mut list = seq(r)?;
    let mut out = Vec::new();
    while !list.is_finished() {
        let mut e = seq(&mut list)?;
        let id = ObjectIdentifier::decode(&mut e)?;
        let critical = if peek(&e)? == Some(Tag::Boolean) {
            bool::decode(&mut e)?
        } else {
            false
        };
        let value = take(&mut e, Tag::OctetString)?;
        e.finish()?;
        out.push(Ext {
            id,
            critical,
            value,
        });
    }
    Ok(out)
}

/// OPTIONAL `[n] EXPLICIT Extensions` (certificates `[3]`, CRLs `[0]`, OCSP `[1]`): the list,
/// empty when absent.
pub(crate) fn explicit_extensions<'a>(
    r: &mut SliceReader<'a>,
    n: u32,
) -> der::Result<Vec<Ext<'a>>> {
    match explicit(r, n)? {
        Some(x) => {
            let mut x = SliceReader::new(x)?;
            let list = extensions(&mut x)?;
            x.finish()?;
            Ok(list)
        }
        None => Ok(Vec::new()),
    }
}

/// One attribute of a distinguished name: type, value tag, value contents.
pub(crate) type Attribute<'a> = (ObjectIdentifier, Tag, &'a [u8]);

/// The attributes of a `Name` TLV (RFC 5280 §4.1.2.4: SEQUENCE OF SET OF
/// AttributeTypeAndValue), in encoding order, as Go's `FillFromRDNSequence` walks them.
/// `x509-cert` re-sorted each SET into DER order; that only changed the rendering of a
/// multi-valued RDN encoded out of order, and Go's order is the one notation prints.
pub(crate) fn name_attributes(name: &[u8]) -> der::Result<Vec<Attribute<'_>>> {
    let mut rdns = SliceReader::new(sequence_contents(name)?)?;
    let mut out = Vec::new();
    while !rdns.is_finished() {
        let mut set = SliceReader::new(take(&mut rdns, Tag::Set)?)?;
        while !set.is_finished() {
            let mut atv = seq(&mut set)?;
            let oid = ObjectIdentifier::decode(&mut atv)?;
            let value = AnyRef::decode(&mut atv)?;
            atv.finish()?;
            out.push((oid, value.tag(), value.value()));
        }
    }
    Ok(out)
}

/// A BIT STRING's bytes, `None` when it has unused bits (no signature does).
pub(crate) fn bit_string_bytes<'a>(r: &mut SliceReader<'a>) -> der::Result<Option<&'a [u8]>> {
    Ok(BitStringRef::decode(r)?.as_bytes())
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }` with the
/// fields nv2 reads (RFC 5280 §4.1).
pub(crate) struct CertFields<'a> {
    pub tbs: &'a [u8],
    pub sig_alg: AlgId<'a>,
    pub signature: Option<&'a [u8]>,
    pub version: u8,
    pub serial: &'a [u8],
    pub inner_sig_alg: AlgId<'a>,
    pub issuer: &'a [u8],
    pub issuer_attrs: Vec<Attribute<'a>>,
    pub not_before: Instant,
    pub not_after: Instant,
    pub subject: &'a [u8],
    pub subject_attrs: Vec<Attribute<'a>>,
    pub spki: &'a [u8],
    pub spki_alg: AlgId<'a>,
    pub extensions: Vec<Ext<'a>>,
}

/// The three parts of a signed DER object: the to-be-signed TLV, the signature algorithm and
/// the signature bits (`None` when the BIT STRING has unused bits).
type Signed<'a> = (&'a [u8], AlgId<'a>, Option<&'a [u8]>);

/// The outer `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }` that certificates
/// and CRLs share (RFC 5280 §4.1, §5.1), with nothing after it.
fn signed(der: &[u8]) -> der::Result<Signed<'_>> {
    let mut c = SliceReader::new(sequence_contents(der)?)?;
    let tbs = c.tlv_bytes()?;
    let sig_alg = alg_id(&mut c)?;
    let signature = bit_string_bytes(&mut c)?;
    c.finish()?;
    Ok((tbs, sig_alg, signature))
}

/// Decodes exactly one DER certificate (no trailing data).
pub(crate) fn certificate(der: &[u8]) -> der::Result<CertFields<'_>> {
    let (tbs, sig_alg, signature) = signed(der)?;

    let mut t = SliceReader::new(sequence_contents(tbs)?)?;
    // version [0] EXPLICIT Version DEFAULT v1.
    let version = match explicit(&mut t, 0)? {
        Some(v) => {
            let mut v = SliceReader::new(v)?;
            let n = version(&mut v)?;
            v.finish()?;
            n
        }
        None => 0,
    };
    let serial = serial(&mut t)?;
    let inner_sig_alg = alg_id(&mut t)?;
    let issuer = t.tlv_bytes()?;
    let issuer_attrs = name_attributes(issuer)?;
    let mut validity = seq(&mut t)?;
    let not_before = time(&mut validity)?;
    let not_after = time(&mut validity)?;
    validity.finish()?;
    let subject = t.tlv_bytes()?;
    let subject_attrs = name_attributes(subject)?;
    let spki = t.tlv_bytes()?;
    let mut key = SliceReader::new(sequence_contents(spki)?)?;
    let spki_alg = alg_id(&mut key)?;
    BitStringRef::decode(&mut key)?;
    key.finish()?;
    implicit_bit_string(&mut t, 1)?; // issuerUniqueID
    implicit_bit_string(&mut t, 2)?; // subjectUniqueID
    let extensions = explicit_extensions(&mut t, 3)?;
    t.finish()?;
    Ok(CertFields {
        tbs,
        sig_alg,
        signature,
        version,
        serial,
        inner_sig_alg,
        issuer,
        issuer_attrs,
        not_before,
        not_after,
        subject,
        subject_attrs,
        spki,
        spki_alg,
        extensions,
    })
}

/// One `revokedCertificates` entry (RFC 5280 §5.1.2.6).
pub(crate) struct RevokedFields<'a> {
    pub serial: &'a [u8],
    pub date: Instant,
    pub extensions: Vec<Ext<'a>>,
}

/// `CertificateList` (RFC 5280 §5.1) with the fields nv2 reads.
pub(crate) struct CrlFields<'a> {
    pub tbs: &'a [u8],
    pub sig_alg: AlgId<'a>,
    pub signature: Option<&'a [u8]>,
    pub inner_sig_alg: AlgId<'a>,
    pub issuer: &'a [u8],
    pub this_update: Instant,
    pub next_update: Option<Instant>,
    pub revoked: Vec<RevokedFields<'a>>,
    pub extensions: Vec<Ext<'a>>,
}

/// Decodes exactly one DER CRL (no trailing data). As with `x509-cert`, the version field is
/// required (only v2 CRLs carry the extensions the checker relies on, RFC 5280 §5.1.2.1).
pub(crate) fn crl(der: &[u8]) -> der::Result<CrlFields<'_>> {
    let (tbs, sig_alg, signature) = signed(der)?;

    let mut t = SliceReader::new(sequence_contents(tbs)?)?;
    version(&mut t)?;
    let inner_sig_alg = alg_id(&mut t)?;
    let issuer = t.tlv_bytes()?;
    name_attributes(issuer)?;
    let this_update = time(&mut t)?;
    let next_update = match peek(&t)? {
        Some(Tag::UtcTime | Tag::GeneralizedTime) => Some(time(&mut t)?),
        _ => None,
    };
    let mut revoked = Vec::new();
    if peek(&t)? == Some(Tag::Sequence) {
        let mut list = seq(&mut t)?;
        while !list.is_finished() {
            let mut e = seq(&mut list)?;
            let serial = serial(&mut e)?;
            let date = time(&mut e)?;
            let extensions = if peek(&e)? == Some(Tag::Sequence) {
                extensions(&mut e)?
            } else {
                Vec::new()
            };
            e.finish()?;
            revoked.push(RevokedFields {
                serial,
                date,
                extensions,
            });
        }
    }
    // crlExtensions [0] EXPLICIT Extensions OPTIONAL.
    let extensions = explicit_extensions(&mut t, 0)?;
    t.finish()?;
    Ok(CrlFields {
        tbs,
        sig_alg,
        signature,
        inner_sig_alg,
        issuer,
        this_update,
        next_update,
        revoked,
        extensions,
    })
}

/// Differential tests: every decision and field of the walks against `x509-cert`'s derived
/// decoders, which they replace.
#[cfg(test)]
mod tests;
