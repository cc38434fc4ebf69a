//! The certificate extensions nv2 interprets, decoded as Go's `crypto/x509` decodes them
//! (RFC 5280 §4.2): basicConstraints, keyUsage, extendedKeyUsage, CRL distribution points,
//! authorityInfoAccess. Moved out of `cert.rs` verbatim.

use super::*;

pub(super) fn parse_err(what: &str) -> impl Fn(der::Error) -> CertError + '_ {
    move |e| CertError::Parse(format!("{what}: {e}"))
}

/// basicConstraints as Go parses it: optional BOOLEAN, optional INTEGER (any size that fits).
pub(super) fn parse_basic_constraints(value: &[u8]) -> der::Result<BasicConstraints> {
    let mut s = SliceReader::new(sequence_contents(value)?)?;
    let mut ca = false;
    let mut path_len = None;
    if !s.is_finished() && Tag::peek(&s)? == Tag::Boolean {
        ca = bool::decode(&mut s)?;
    }
    if !s.is_finished() && Tag::peek(&s)? == Tag::Integer {
        path_len = Some(i64::decode(&mut s)?);
    }
    // Go ignores anything after; so do we (still well-formed DER, checked by the reader).
    while !s.is_finished() {
        s.tlv_bytes()?;
    }
    Ok(BasicConstraints { ca, path_len })
}

/// extendedKeyUsage (RFC 5280 §4.2.1.12): `SEQUENCE OF KeyPurposeId` (OIDs), as `x509-cert`'s
/// `ExtendedKeyUsage` decoded it (an empty list is accepted).
pub(crate) fn parse_ext_key_usage(value: &[u8]) -> der::Result<Vec<ObjectIdentifier>> {
    let mut list = SliceReader::new(sequence_contents(value)?)?;
    let mut purposes = Vec::new();
    while !list.is_finished() {
        purposes.push(ObjectIdentifier::decode(&mut list)?);
    }
    Ok(purposes)
}

/// keyUsage as Go parses it: bits 0..=8 of the BIT STRING.
pub(super) fn parse_key_usage(value: &[u8]) -> der::Result<u16> {
    let bits = BitStringRef::from_der(value)?;
    let mut mask = 0u16;
    for i in 0..9 {
        if bits.get(i) == Some(true) {
            mask |= 1 << i;
        }
    }
    Ok(mask)
}

/// Context-specific tag `[n]`.
pub(super) fn ctx_tag(n: u32, constructed: bool) -> Tag {
    Tag::ContextSpecific {
        constructed,
        number: TagNumber(n),
    }
}

/// Reads one TLV with the expected tag; `None` on any error (Go's `ReadASN1` returning false).
pub(super) fn read_tlv<'a>(r: &mut SliceReader<'a>, tag: Tag) -> Option<&'a [u8]> {
    let any = AnyRef::decode(r).ok()?;
    (any.tag() == tag).then(|| any.value())
}

/// Whether the next TLV has tag `tag` (Go's `PeekASN1Tag`).
pub(super) fn peek_is(r: &SliceReader<'_>, tag: Tag) -> bool {
    !r.is_finished() && Tag::peek(r).is_ok_and(|t| t == tag)
}

/// The URIs of a `CRLDistributionPoints` value (RFC 5280 §4.2.1.13), read exactly as Go's
/// `crypto/x509` does (and notation-core-go for the freshest-CRL extension, which has the same
/// syntax): per distribution point, the `fullName` URIs up to the first non-URI general name;
/// points without a name are skipped; `nameRelativeToCRLIssuer` is an error.
///
/// Errors are Go's (`x509: invalid CRL distribution points`, `x509: invalid CRL distribution
/// point`) as [`CertError::MalformedExtension`].
pub(crate) fn parse_crl_distribution_points(value: &[u8]) -> Result<Vec<String>, CertError> {
    let points = || CertError::MalformedExtension("x509: invalid CRL distribution points");
    let point = || CertError::MalformedExtension("x509: invalid CRL distribution point");
    let mut outer = SliceReader::new(value).map_err(|_| points())?;
    let list = read_tlv(&mut outer, Tag::Sequence).ok_or_else(points)?;
    let mut list = SliceReader::new(list).map_err(|_| points())?;
    let mut urls = Vec::new();
    while !list.is_finished() {
        let dp = read_tlv(&mut list, Tag::Sequence).ok_or_else(point)?;
        let mut dp = SliceReader::new(dp).map_err(|_| point())?;
        if !peek_is(&dp, ctx_tag(0, true)) {
            continue;
        }
        let name = read_tlv(&mut dp, ctx_tag(0, true)).ok_or_else(point)?;
        let mut name = SliceReader::new(name).map_err(|_| point())?;
        let full = read_tlv(&mut name, ctx_tag(0, true)).ok_or_else(point)?;
        let mut names = SliceReader::new(full).map_err(|_| point())?;
        while peek_is(&names, ctx_tag(6, false)) {
            let uri = read_tlv(&mut names, ctx_tag(6, false)).ok_or_else(point)?;
            urls.push(String::from_utf8_lossy(uri).into_owned());
        }
    }
    Ok(urls)
}

/// OCSP URIs of an `AuthorityInfoAccessSyntax` value (RFC 5280 §4.2.2.1), read as Go's
/// `crypto/x509` does: access descriptions whose location is not a URI are skipped.
pub(super) fn parse_aia_ocsp(value: &[u8]) -> Result<Vec<String>, CertError> {
    let bad = || CertError::MalformedExtension("x509: invalid authority info access");
    let mut outer = SliceReader::new(value).map_err(|_| bad())?;
    let list = read_tlv(&mut outer, Tag::Sequence).ok_or_else(bad)?;
    let mut list = SliceReader::new(list).map_err(|_| bad())?;
    let mut urls = Vec::new();
    while !list.is_finished() {
        let ad = read_tlv(&mut list, Tag::Sequence).ok_or_else(bad)?;
        let mut ad = SliceReader::new(ad).map_err(|_| bad())?;
        let method = ObjectIdentifier::decode(&mut ad).map_err(|_| bad())?;
        if !peek_is(&ad, ctx_tag(6, false)) {
            continue;
        }
        let uri = read_tlv(&mut ad, ctx_tag(6, false)).ok_or_else(bad)?;
        if method == oids::ID_AD_OCSP {
            urls.push(String::from_utf8_lossy(uri).into_owned());
        }
    }
    Ok(urls)
}
