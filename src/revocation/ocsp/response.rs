//! Reading a BasicOCSPResponse (RFC 6960 §4.2.1) with the shared DER helpers: responder ID,
//! single responses, their status and extensions; the checks of what was read are in the parent.

use super::*;

/// `ResponderID` (RFC 6960 §4.2.1): `byName [1] Name` or `byKey [2] KeyHash` (explicit tags: the
/// module is `DEFINITIONS EXPLICIT TAGS`, Appendix B.1).
pub(super) enum ResponderId<'a> {
    ByName(&'a [u8]),
    ByKey(&'a [u8]),
}

impl ResponderId<'_> {
    /// Whether the responder ID designates `cert` (byName: raw subject bytes; byKey: SHA-1 of
    /// its public key bits).
    pub(super) fn names(&self, cert: &Certificate) -> bool {
        match self {
            ResponderId::ByName(name) => *name == cert.raw_subject(),
            ResponderId::ByKey(hash) => *hash == CertIdHash::Sha1.digest(&public_key_bits(cert)),
        }
    }
}

/// One `SingleResponse` (RFC 6960 §4.2.1), decoded.
pub(super) struct Single<'a> {
    pub(super) hash_alg: ObjectIdentifier,
    pub(super) name_hash: &'a [u8],
    pub(super) key_hash: &'a [u8],
    pub(super) serial: &'a [u8],
    pub(super) status: OcspCertStatus,
    pub(super) this_update: Instant,
    pub(super) next_update: Option<Instant>,
}

/// `BasicOCSPResponse` (RFC 6960 §4.2.1), decoded.
pub(super) struct Basic<'a> {
    pub(super) tbs: &'a [u8],
    pub(super) sig_alg: asn1::AlgId<'a>,
    pub(super) signature: Option<&'a [u8]>,
    pub(super) responder: ResponderId<'a>,
    pub(super) produced_at: Instant,
    pub(super) responses: Vec<Single<'a>>,
    pub(super) certs: Vec<&'a [u8]>,
}

/// A failure while reading the response: a DER error (reported as [`OcspError::Malformed`] with
/// the part being read) or one of the checks' own errors.
enum Fail {
    Der(der::Error),
    Ocsp(OcspError),
}

impl From<der::Error> for Fail {
    fn from(e: der::Error) -> Self {
        Fail::Der(e)
    }
}

impl From<OcspError> for Fail {
    fn from(e: OcspError) -> Self {
        Fail::Ocsp(e)
    }
}

fn bad(what: &str) -> Fail {
    Fail::Ocsp(OcspError::Malformed(what.into()))
}

/// A reader over `contents`, which must hold one SEQUENCE and nothing else; the SEQUENCE's
/// contents.
fn only_seq(contents: &[u8]) -> der::Result<SliceReader<'_>> {
    let mut outer = SliceReader::new(contents)?;
    let inner = seq(&mut outer)?;
    outer.finish()?;
    Ok(inner)
}

/// OPTIONAL `[n] EXPLICIT Extensions`, checked: within the budget, no OID twice, no unknown
/// critical one (`known` lists the OIDs nv2 processes or may ignore). Returns the list.
fn checked_extensions<'a>(
    r: &mut SliceReader<'a>,
    what: &mut &'static str,
    n: u32,
    known: &[ObjectIdentifier],
) -> Result<Vec<asn1::Ext<'a>>, Fail> {
    *what = "extensions";
    let list = asn1::explicit_extensions(r, n)?;
    LimitExceeded::check("ocsp.extensions", EXTENSIONS, list.len()).map_err(OcspError::Budget)?;
    if let Some(id) = asn1::duplicate_extension(&list) {
        return Err(OcspError::Malformed(format!("duplicate extension {id}")).into());
    }
    if let Some(ext) = list.iter().find(|e| e.critical && !known.contains(&e.id)) {
        return Err(OcspError::UnknownCriticalExtension(ext.id).into());
    }
    Ok(list)
}

/// `CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
/// unknown [2] IMPLICIT UnknownInfo }` (RFC 6960 §4.2.1). The invalidity date is filled from the
/// single extensions later.
fn cert_status(r: &mut SliceReader<'_>, what: &mut &'static str) -> Result<OcspCertStatus, Fail> {
    *what = "certStatus";
    let any = AnyRef::decode(r)?;
    let tag = any.tag();
    if tag == ctx(0, false) && any.value().is_empty() {
        return Ok(OcspCertStatus::Good);
    }
    if tag == ctx(2, false) && any.value().is_empty() {
        return Ok(OcspCertStatus::Unknown);
    }
    if tag != ctx(1, true) {
        return Err(bad("certStatus: not good, revoked or unknown"));
    }
    *what = "revokedInfo";
    let mut info = SliceReader::new(any.value())?;
    let time = generalized_time(&mut info)?;
    let reason = match explicit(&mut info, 0)? {
        Some(v) => {
            // CRLReason ::= ENUMERATED (RFC 5280 §5.3.1).
            let mut v = SliceReader::new(v)?;
            let e = take(&mut v, Tag::Enumerated)?;
            v.finish()?;
            Some(e)
        }
        None => None,
    };
    info.finish()?;
    let reason = match reason {
        None => None,
        // 0..=10 without 7 (RFC 5280 §5.3.1: value 7 is not used).
        Some([code]) if *code <= 10 && *code != 7 => Some(*code),
        Some(_) => return Err(bad("certStatus: invalid revocation reason")),
    };
    Ok(OcspCertStatus::Revoked {
        time,
        reason,
        invalidity_date: None,
    })
}

fn single_response<'a>(
    r: &mut SliceReader<'a>,
    what: &mut &'static str,
) -> Result<Single<'a>, Fail> {
    *what = "SingleResponse";
    let mut s = seq(r)?;
    *what = "CertID";
    let mut id = seq(&mut s)?;
    let hash_alg = alg_id(&mut id)?.oid;
    let name_hash = take(&mut id, Tag::OctetString)?;
    let key_hash = take(&mut id, Tag::OctetString)?;
    let serial = asn1::serial(&mut id)?;
    id.finish()?;
    let mut status = cert_status(&mut s, what)?;
    *what = "thisUpdate";
    let this_update = generalized_time(&mut s)?;
    *what = "nextUpdate";
    let next_update = match explicit(&mut s, 0)? {
        Some(v) => Some(asn1::only_generalized_time(v)?),
        None => None,
    };
    let exts = checked_extensions(
        &mut s,
        what,
        1,
        &[
            ID_CE_INVALIDITY_DATE,
            ID_PKIX_OCSP_CRL,
            ID_PKIX_OCSP_ARCHIVE_CUTOFF,
        ],
    )?;
    *what = "SingleResponse";
    s.finish()?;
    if let OcspCertStatus::Revoked {
        invalidity_date, ..
    } = &mut status
    {
        if let Some(ext) = exts.iter().find(|e| e.id == ID_CE_INVALIDITY_DATE) {
            *what = "invalidityDate";
            *invalidity_date = Some(asn1::only_generalized_time(ext.value)?);
        }
    }
    Ok(Single {
        hash_alg,
        name_hash,
        key_hash,
        serial,
        status,
        this_update,
        next_update,
    })
}

/// `OCSPResponse` (RFC 6960 §4.2.1) down to the `BasicOCSPResponse`, with nothing after it. A
/// DER error is reported with the part being read (`what`).
pub(super) fn parse(der: &[u8]) -> Result<Basic<'_>, OcspError> {
    let mut what = "OCSPResponse";
    match read(der, &mut what) {
        Ok(basic) => Ok(basic),
        Err(Fail::Der(e)) => Err(OcspError::Malformed(format!("{what}: {e}"))),
        Err(Fail::Ocsp(e)) => Err(e),
    }
}

fn read<'a>(der: &'a [u8], what: &mut &'static str) -> Result<Basic<'a>, Fail> {
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT OPTIONAL }
    let mut r = SliceReader::new(sequence_contents(der)?)?;
    let status = take(&mut r, Tag::Enumerated)?;
    let bytes = explicit(&mut r, 0)?;
    r.finish()?;
    match status {
        [0] => {}
        // ENUMERATED contents: one octet for 0..=127 (X.690 §8.4, §8.3.2 minimal).
        [code] if *code < 0x80 => {
            return Err(OcspError::Unsuccessful(OcspResponseStatus::from_code(*code)).into())
        }
        _ => return Err(bad("invalid responseStatus")),
    }
    let Some(bytes) = bytes else {
        return Err(bad("successful response without responseBytes"));
    };
    // ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
    *what = "ResponseBytes";
    let mut rb = only_seq(bytes)?;
    let kind = ObjectIdentifier::decode(&mut rb)?;
    let response = take(&mut rb, Tag::OctetString)?;
    rb.finish()?;
    if kind != ID_PKIX_OCSP_BASIC {
        return Err(OcspError::UnsupportedResponseType(kind).into());
    }

    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature BIT STRING,
    //   certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
    *what = "BasicOCSPResponse";
    let mut b = SliceReader::new(sequence_contents(response)?)?;
    *what = "ResponseData";
    let tbs = b.tlv_bytes()?;
    *what = "signatureAlgorithm";
    let sig_alg = alg_id(&mut b)?;
    *what = "signature";
    let signature = bit_string_bytes(&mut b)?;
    *what = "certs";
    let mut certs = Vec::new();
    if let Some(list) = explicit(&mut b, 0)? {
        let mut list = only_seq(list)?;
        while !list.is_finished() {
            let c = list.tlv_bytes()?;
            LimitExceeded::check("ocsp.certificates", OCSP_CERTIFICATES, certs.len() + 1)
                .map_err(OcspError::Budget)?;
            certs.push(c);
        }
    }
    *what = "BasicOCSPResponse";
    b.finish()?;

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, responderID,
    //   producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse,
    //   responseExtensions [1] EXPLICIT Extensions OPTIONAL }
    *what = "ResponseData";
    let mut t = SliceReader::new(sequence_contents(tbs)?)?;
    *what = "version";
    if let Some(v) = explicit(&mut t, 0)? {
        let mut v = SliceReader::new(v)?;
        let n = u8::decode(&mut v)?;
        v.finish()?;
        if n != 0 {
            return Err(OcspError::Malformed(format!("unsupported version {}", n + 1)).into());
        }
    }
    *what = "responderID";
    let any = AnyRef::decode(&mut t)?;
    let mut inner = SliceReader::new(any.value())?;
    let responder = match any.tag() {
        tag if tag == ctx(1, true) => {
            let name = inner.tlv_bytes()?;
            asn1::name_attributes(name)?;
            ResponderId::ByName(name)
        }
        tag if tag == ctx(2, true) => ResponderId::ByKey(take(&mut inner, Tag::OctetString)?),
        tag => return Err(asn1::unexpected(None, tag).into()),
    };
    inner.finish()?;
    *what = "producedAt";
    let produced_at = generalized_time(&mut t)?;
    *what = "responses";
    let mut list = seq(&mut t)?;
    let mut responses = Vec::new();
    while !list.is_finished() {
        LimitExceeded::check("ocsp.responses", OCSP_RESPONSES, responses.len() + 1)
            .map_err(OcspError::Budget)?;
        responses.push(single_response(&mut list, what)?);
    }
    checked_extensions(&mut t, what, 1, &[ID_PKIX_OCSP_NONCE])?;
    *what = "ResponseData";
    t.finish()?;
    Ok(Basic {
        tbs,
        sig_alg,
        signature,
        responder,
        produced_at,
        responses,
        certs,
    })
}
