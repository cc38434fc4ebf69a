//! Unit tests of the OCSP core: request bytes, hand-built responses (RFC 6960 §4.2.1) signed at
//! test time with the test PKI's keys, every refusal, the budgets, and truncations / byte flips
//! at every position. The real-world responses (pyca `cryptography`, `openssl ocsp`) are in
//! tests/revocation_ocsp.rs.

use der::asn1::{Any, BitString, GeneralizedTime, OctetString};
use der::{Encode, Tag, TagNumber};

use super::request::push_tlv;
use super::*;
use crate::crypto::{PrivateKey, SignatureAlgorithm};
use crate::x509::testpki::{self, key, Spec};

const T0: i64 = 1_800_000_000; // 2027-01-15

fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
    Any::new(tag, content.to_vec()).unwrap().to_der().unwrap()
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(Tag::Sequence, &parts.concat())
}

fn ctx_c(n: u32, content: &[u8]) -> Vec<u8> {
    tlv(
        Tag::ContextSpecific {
            constructed: true,
            number: TagNumber(n),
        },
        content,
    )
}

fn ctx_p(n: u32, content: &[u8]) -> Vec<u8> {
    tlv(
        Tag::ContextSpecific {
            constructed: false,
            number: TagNumber(n),
        },
        content,
    )
}

fn gt(secs: i64) -> Vec<u8> {
    GeneralizedTime::from_unix_duration(core::time::Duration::from_secs(secs as u64))
        .unwrap()
        .to_der()
        .unwrap()
}

fn octets(b: &[u8]) -> Vec<u8> {
    OctetString::new(b.to_vec()).unwrap().to_der().unwrap()
}

fn alg(oid: ObjectIdentifier, null: bool) -> Vec<u8> {
    let mut parts = vec![oid.to_der().unwrap()];
    if null {
        parts.push(vec![0x05, 0x00]);
    }
    seq(&parts)
}

struct Fixture {
    issuer: Certificate,
    issuer_key: PrivateKey,
    leaf: Certificate,
}

fn fixture() -> Fixture {
    let issuer_key = key(40);
    let issuer = testpki::build(
        &Spec::ca("CN=OCSP CA", "CN=OCSP CA"),
        &issuer_key,
        &issuer_key,
    );
    let leaf = testpki::build(&Spec::leaf("CN=Leaf", "CN=OCSP CA"), &key(41), &issuer_key);
    Fixture {
        issuer,
        issuer_key,
        leaf,
    }
}

/// A CertID with `hash` (`oid`, function) over `issuer`, for `serial`.
fn cert_id_with(
    oid: ObjectIdentifier,
    h: fn(&[u8]) -> Vec<u8>,
    issuer: &Certificate,
    serial: u8,
) -> Vec<u8> {
    seq(&[
        alg(oid, true),
        octets(&h(issuer.raw_subject())),
        octets(&h(&public_key_bits(issuer))),
        u32::from(serial).to_der().unwrap(),
    ])
}

fn sha256(b: &[u8]) -> Vec<u8> {
    HashAlgorithm::Sha256.digest(b)
}

fn sha1(b: &[u8]) -> Vec<u8> {
    CertIdHash::Sha1.digest(b)
}

/// A SingleResponse: CertID, status TLV, thisUpdate, nextUpdate, single extensions.
fn single(id: Vec<u8>, status: Vec<u8>, next: Option<i64>, exts: Option<Vec<u8>>) -> Vec<u8> {
    let mut parts = vec![id, status, gt(T0 - 60)];
    if let Some(n) = next {
        parts.push(ctx_c(0, &gt(n)));
    }
    if let Some(x) = exts {
        parts.push(ctx_c(1, &x));
    }
    seq(&parts)
}

fn good() -> Vec<u8> {
    ctx_p(0, &[])
}

fn extension(oid: &str, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut parts = vec![ObjectIdentifier::new_unwrap(oid).to_der().unwrap()];
    if critical {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    parts.push(octets(value));
    seq(&parts)
}

/// What to put in a BasicOCSPResponse.
struct Resp {
    version: Option<u8>,
    responder: Vec<u8>,
    singles: Vec<Vec<u8>>,
    exts: Option<Vec<u8>>,
    sig_alg: ObjectIdentifier,
    certs: Option<Vec<Vec<u8>>>,
    response_type: ObjectIdentifier,
}

fn by_name(c: &Certificate) -> Vec<u8> {
    ctx_c(1, c.raw_subject())
}

fn by_key(c: &Certificate) -> Vec<u8> {
    ctx_c(2, &octets(&sha1(&public_key_bits(c))))
}

impl Resp {
    fn new(f: &Fixture) -> Self {
        Resp {
            version: None,
            responder: by_name(&f.issuer),
            singles: vec![single(
                cert_id_with(ID_SHA256, sha256, &f.issuer, 1),
                good(),
                Some(T0 + 86_400),
                None,
            )],
            exts: None,
            sig_alg: testpki::ECDSA_SHA256,
            certs: None,
            response_type: ID_PKIX_OCSP_BASIC,
        }
    }

    fn sign(&self, k: &PrivateKey) -> Vec<u8> {
        let mut tbs = Vec::new();
        if let Some(v) = self.version {
            tbs.push(ctx_c(0, &v.to_der().unwrap()));
        }
        tbs.push(self.responder.clone());
        tbs.push(gt(T0 - 30));
        tbs.push(seq(&self.singles));
        if let Some(x) = &self.exts {
            tbs.push(ctx_c(1, x));
        }
        let tbs = seq(&tbs);
        let raw = k.sign_notary(SignatureAlgorithm::Es256, &tbs).unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
        let mut basic = vec![
            tbs,
            alg(self.sig_alg, false),
            BitString::from_bytes(sig.as_bytes())
                .unwrap()
                .to_der()
                .unwrap(),
        ];
        if let Some(certs) = &self.certs {
            basic.push(ctx_c(0, &seq(certs)));
        }
        let rb = seq(&[self.response_type.to_der().unwrap(), octets(&seq(&basic))]);
        seq(&[vec![0x0a, 0x01, 0x00], ctx_c(0, &rb)])
    }
}

fn now() -> Instant {
    Instant::from_unix_seconds(T0)
}

#[test]
fn request_bytes_are_the_rfc_6960_structure() {
    let f = fixture();
    let want = seq(&[seq(&[seq(&[seq(&[cert_id_with(
        ID_SHA256, sha256, &f.issuer, 1,
    )])])])]);
    assert_eq!(request_der(&f.leaf, &f.issuer), want);
    // Header bytes by hand: OCSPRequest, TBSRequest, requestList, Request, CertID, the
    // AlgorithmIdentifier of SHA-256 with NULL parameters.
    let der = request_der(&f.leaf, &f.issuer);
    assert_eq!(der[0], 0x30);
    assert_eq!(
        &der[10..25],
        &[
            0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
            0x00
        ]
    );
    assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x01]);
}

#[test]
fn push_tlv_long_lengths() {
    let mut out = Vec::new();
    push_tlv(&mut out, 0x04, &[7; 200]);
    assert_eq!(&out[..3], &[0x04, 0x81, 200]);
    let mut out = Vec::new();
    push_tlv(&mut out, 0x04, &[7; 300]);
    assert_eq!(&out[..4], &[0x04, 0x82, 0x01, 0x2c]);
    assert_eq!(out, tlv(Tag::OctetString, &[7; 300]));
}

#[test]
fn get_suffix_is_base64_then_url_escaped() {
    assert_eq!(request_get_suffix(&[0xfb, 0xff]), "%2B%2F8%3D");
    assert_eq!(request_get_suffix(b"abc"), "YWJj");
    let f = fixture();
    let s = request_get_suffix(&request_der(&f.leaf, &f.issuer));
    assert!(s.len() < MAX_GET_SUFFIX_LEN, "{}", s.len());
}

#[test]
fn good_revoked_unknown() {
    let f = fixture();
    let a = check_response(
        &Resp::new(&f).sign(&f.issuer_key),
        &f.leaf,
        &f.issuer,
        now(),
    )
    .unwrap();
    assert_eq!(
        a,
        OcspAnswer {
            status: OcspCertStatus::Good,
            this_update: Instant::from_unix_seconds(T0 - 60),
            next_update: Some(Instant::from_unix_seconds(T0 + 86_400)),
            produced_at: Instant::from_unix_seconds(T0 - 30),
        }
    );
    let id = || cert_id_with(ID_SHA1, sha1, &f.issuer, 1);
    let revoked = ctx_c(1, &[gt(T0 - 1000), ctx_c(0, &[0x0a, 0x01, 0x04])].concat());
    let invalidity = seq(&[extension("2.5.29.24", false, &gt(T0 - 5000))]);
    let mut r = Resp::new(&f);
    r.responder = by_key(&f.issuer);
    r.singles = vec![single(id(), revoked, None, Some(invalidity))];
    let a = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap();
    assert_eq!(
        a.status,
        OcspCertStatus::Revoked {
            time: Instant::from_unix_seconds(T0 - 1000),
            reason: Some(4),
            invalidity_date: Some(Instant::from_unix_seconds(T0 - 5000)),
        }
    );
    assert_eq!(a.next_update, None);
    r.singles = vec![single(id(), ctx_p(2, &[]), None, None)];
    let a = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap();
    assert_eq!(a.status, OcspCertStatus::Unknown);
    // Reason 7 is unused (RFC 5280 §5.3.1); 11 does not exist.
    for bad in [7u8, 11] {
        let revoked = ctx_c(1, &[gt(T0 - 1000), ctx_c(0, &[0x0a, 0x01, bad])].concat());
        r.singles = vec![single(id(), revoked, None, None)];
        let e = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap_err();
        assert!(matches!(e, OcspError::Malformed(_)), "{e}");
    }
}

#[test]
fn the_first_single_response_for_the_serial_decides() {
    let f = fixture();
    let mut r = Resp::new(&f);
    let other = single(
        cert_id_with(ID_SHA256, sha256, &f.issuer, 9),
        ctx_p(2, &[]),
        None,
        None,
    );
    r.singles.insert(0, other.clone());
    let a = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap();
    assert_eq!(a.status, OcspCertStatus::Good);
    r.singles = vec![other];
    let e = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap_err();
    assert_eq!(
        e,
        OcspError::NoMatchingResponse {
            serial: "01".into()
        }
    );
    assert_eq!(e.code(), ErrorCode::VerificationInconclusive);
    // SHA-384 CertIDs are not accepted.
    r.singles = vec![single(
        cert_id_with(
            ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2"),
            |b| HashAlgorithm::Sha384.digest(b),
            &f.issuer,
            1,
        ),
        good(),
        None,
        None,
    )];
    let e = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap_err();
    assert!(matches!(e, OcspError::UnsupportedHashAlgorithm(_)), "{e}");
}

#[test]
fn refusals() {
    let f = fixture();
    let check = |der: &[u8]| check_response(der, &f.leaf, &f.issuer, now());
    // Another response type.
    let mut r = Resp::new(&f);
    r.response_type = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.99");
    assert!(matches!(
        check(&r.sign(&f.issuer_key)),
        Err(OcspError::UnsupportedResponseType(_))
    ));
    // Version v2.
    let mut r = Resp::new(&f);
    r.version = Some(1);
    assert!(matches!(
        check(&r.sign(&f.issuer_key)),
        Err(OcspError::Malformed(_))
    ));
    // v1 written out (DER forbids encoding the DEFAULT, but x/crypto/ocsp reads it): accepted.
    r.version = Some(0);
    assert!(check(&r.sign(&f.issuer_key)).is_ok());
    // Signed by another key.
    assert_eq!(
        check(&Resp::new(&f).sign(&key(42))),
        Err(OcspError::BadSignature)
    );
    // SHA-1 signature algorithm.
    let mut r = Resp::new(&f);
    r.sig_alg = testpki::ECDSA_SHA1;
    assert!(matches!(
        check(&r.sign(&f.issuer_key)),
        Err(OcspError::UnsupportedSignature(_))
    ));
    // Unknown critical response extension; nonce accepted even if critical; duplicates refused.
    let mut r = Resp::new(&f);
    r.exts = Some(seq(&[extension("1.2.3.4", true, &[5, 0])]));
    assert_eq!(
        check(&r.sign(&f.issuer_key)),
        Err(OcspError::UnknownCriticalExtension(
            ObjectIdentifier::new_unwrap("1.2.3.4")
        ))
    );
    r.exts = Some(seq(&[extension(
        "1.3.6.1.5.5.7.48.1.2",
        true,
        &octets(b"n"),
    )]));
    assert!(check(&r.sign(&f.issuer_key)).is_ok());
    r.exts = Some(seq(&[
        extension("1.2.3.4", false, &[5, 0]),
        extension("1.2.3.4", false, &[5, 0]),
    ]));
    assert!(matches!(
        check(&r.sign(&f.issuer_key)),
        Err(OcspError::Malformed(_))
    ));
    // Unknown critical single extension.
    let mut r = Resp::new(&f);
    r.singles = vec![single(
        cert_id_with(ID_SHA256, sha256, &f.issuer, 1),
        good(),
        None,
        Some(seq(&[extension("1.2.3.4", true, &[5, 0])])),
    )];
    assert!(matches!(
        check(&r.sign(&f.issuer_key)),
        Err(OcspError::UnknownCriticalExtension(_))
    ));
    // Unsuccessful statuses, a malformed status, no responseBytes.
    for (code, status) in [
        (1, OcspResponseStatus::MalformedRequest),
        (3, OcspResponseStatus::TryLater),
        (4, OcspResponseStatus::Other(4)),
        (6, OcspResponseStatus::Unauthorized),
    ] {
        let der = seq(&[vec![0x0a, 0x01, code]]);
        assert_eq!(check(&der), Err(OcspError::Unsuccessful(status)));
    }
    assert!(matches!(
        check(&seq(&[vec![0x0a, 0x01, 0x00]])),
        Err(OcspError::Malformed(_))
    ));
    assert!(matches!(
        check(&seq(&[vec![0x0a, 0x02, 0x00, 0x01]])),
        Err(OcspError::Malformed(_))
    ));
    assert!(matches!(check(&[]), Err(OcspError::Malformed(_))));
    // Trailing data after the response.
    let mut der = Resp::new(&f).sign(&f.issuer_key);
    der.push(0);
    assert_eq!(check(&der).unwrap_err().code(), ErrorCode::Parse);
    // Too large.
    let e = check(&vec![0; MAX_OCSP_RESPONSE_BYTES + 1]).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Limit);
}

#[test]
fn delegated_responders() {
    let f = fixture();
    let rk = key(43);
    let responder_spec = |eku: Option<Vec<ObjectIdentifier>>, nb: u64, na: u64| Spec {
        eku: eku.map(|e| (e, false)),
        not_before: nb,
        not_after: na,
        serial: 7,
        ..Spec::leaf("CN=Responder", "CN=OCSP CA")
    };
    let signing = Some(vec![ID_KP_OCSP_SIGNING]);
    let nb = testpki::NOT_BEFORE;
    let na = testpki::NOT_AFTER;
    let ok = testpki::build_der(&responder_spec(signing.clone(), nb, na), &rk, &f.issuer_key);
    let check = |certs: Vec<Vec<u8>>, id: Vec<u8>| {
        let mut r = Resp::new(&f);
        r.certs = Some(certs);
        r.responder = id;
        check_response(&r.sign(&rk), &f.leaf, &f.issuer, now())
    };
    let resp = Certificate::from_der(&ok).unwrap();
    assert!(check(vec![ok.clone()], by_name(&resp)).is_ok());
    assert!(check(vec![ok.clone()], by_key(&resp)).is_ok());
    // Garbage and unrelated certificates before it are skipped.
    assert!(check(
        vec![vec![0x30, 0x00], f.issuer.der().to_vec(), ok.clone()],
        by_key(&resp)
    )
    .is_ok());
    // Not included: not found.
    assert_eq!(
        check(vec![], by_name(&resp)),
        Err(OcspError::ResponderNotFound)
    );
    // No EKU, another EKU, expired, issued by another CA.
    let no_eku = testpki::build_der(&responder_spec(None, nb, na), &rk, &f.issuer_key);
    let code_signing = testpki::build_der(
        &responder_spec(
            Some(vec![const_oid::db::rfc5280::ID_KP_CODE_SIGNING]),
            nb,
            na,
        ),
        &rk,
        &f.issuer_key,
    );
    let expired = testpki::build_der(
        &responder_spec(signing.clone(), nb, (T0 - 1) as u64),
        &rk,
        &f.issuer_key,
    );
    let other_ca = testpki::build_der(&responder_spec(signing, nb, na), &rk, &key(44));
    for bad in [no_eku, code_signing, expired, other_ca] {
        let e = check(vec![bad], by_name(&resp)).unwrap_err();
        assert!(matches!(e, OcspError::UnauthorizedResponder { .. }), "{e}");
        assert_eq!(e.code(), ErrorCode::VerificationInconclusive);
    }
}

#[test]
fn budgets() {
    let f = fixture();
    let s = || {
        single(
            cert_id_with(ID_SHA256, sha256, &f.issuer, 1),
            good(),
            None,
            None,
        )
    };
    let mut r = Resp::new(&f);
    r.singles = (0..OCSP_RESPONSES).map(|_| s()).collect();
    assert!(check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).is_ok());
    r.singles.push(s());
    let e = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap_err();
    assert_eq!(
        e,
        OcspError::Budget(LimitExceeded {
            limit: "ocsp.responses",
            max: OCSP_RESPONSES,
            found: OCSP_RESPONSES + 1
        })
    );
    let mut r = Resp::new(&f);
    r.certs = Some(vec![f.issuer.der().to_vec(); OCSP_CERTIFICATES]);
    assert!(check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).is_ok());
    r.certs = Some(vec![f.issuer.der().to_vec(); OCSP_CERTIFICATES + 1]);
    let e = check_response(&r.sign(&f.issuer_key), &f.leaf, &f.issuer, now()).unwrap_err();
    assert!(
        matches!(e, OcspError::Budget(l) if l.limit == "ocsp.certificates"),
        "{e}"
    );
    assert_eq!(e.code(), ErrorCode::Limit);
}

/// Every truncation and every single-byte flip of a valid response: no panic, and anything
/// accepted is the original answer (all bytes that matter are signed or checked).
#[test]
fn truncations_and_byte_flips() {
    let f = fixture();
    let rk = key(43);
    let spec = Spec {
        eku: Some((vec![ID_KP_OCSP_SIGNING], false)),
        serial: 7,
        ..Spec::leaf("CN=Responder", "CN=OCSP CA")
    };
    let responder = testpki::build_der(&spec, &rk, &f.issuer_key);
    let mut r = Resp::new(&f);
    r.responder = by_key(&Certificate::from_der(&responder).unwrap());
    r.certs = Some(vec![responder]);
    for der in [Resp::new(&f).sign(&f.issuer_key), r.sign(&rk)] {
        let want = check_response(&der, &f.leaf, &f.issuer, now()).unwrap();
        for n in 0..der.len() {
            assert!(check_response(&der[..n], &f.leaf, &f.issuer, now()).is_err());
        }
        for i in 0..der.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut d = der.clone();
                d[i] ^= x;
                if let Ok(a) = check_response(&d, &f.leaf, &f.issuer, now()) {
                    assert_eq!(a, want, "flip {x:#x} at {i}");
                }
            }
        }
    }
}
