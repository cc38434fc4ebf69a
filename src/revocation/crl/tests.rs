use core::str::FromStr;
use core::time::Duration;

use der::asn1::{Any, BitString, GeneralizedTime, UtcTime};
use der::{Encode, TagNumber};
use x509_cert::name::Name;

use super::*;
use crate::crypto::SignatureAlgorithm;
use crate::x509::testpki::{self, build, key, Spec};

const DAY: u64 = 86_400;
/// The verification time: 2030-01-01T00:00:00Z (inside testpki's validity).
const NOW: u64 = 1_893_456_000;
const CDP: &str = "http://crl.example/int.crl";

fn tlv(tag: Tag, content: &[u8]) -> Vec<u8> {
    Any::new(tag, content.to_vec()).unwrap().to_der().unwrap()
}
fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(Tag::Sequence, &parts.concat())
}
fn time(secs: u64) -> Vec<u8> {
    UtcTime::from_unix_duration(Duration::from_secs(secs))
        .unwrap()
        .to_der()
        .unwrap()
}
fn ext(oid: ObjectIdentifier, critical: bool, value: Vec<u8>) -> Vec<u8> {
    testpki::ext(oid, critical, value).to_der().unwrap()
}
fn int(n: u32) -> Vec<u8> {
    n.to_der().unwrap()
}
fn reason(code: u8) -> Vec<u8> {
    ext(ID_CE_CRL_REASONS, false, tlv(Tag::Enumerated, &[code]))
}
/// A CRL distribution points / freshest CRL value with one URI.
fn dp(uri: &str) -> Vec<u8> {
    testpki::revocation_exts("http://ocsp.example", uri)[1]
        .extn_value
        .as_bytes()
        .to_vec()
}

/// What to put in a CRL.
struct CrlSpec {
    issuer: &'static str,
    this_update: u64,
    next_update: Option<u64>,
    /// (serial, revocation time, entry extensions DER)
    entries: Vec<(u8, u64, Vec<Vec<u8>>)>,
    exts: Vec<Vec<u8>>,
}

impl CrlSpec {
    fn new(entries: Vec<(u8, u64, Vec<Vec<u8>>)>) -> Self {
        CrlSpec {
            issuer: "CN=Int",
            this_update: NOW - DAY,
            next_update: Some(NOW + DAY),
            entries,
            exts: vec![ext(ID_CE_CRL_NUMBER, false, int(10))],
        }
    }
    fn der(&self, signer: u8) -> Vec<u8> {
        let alg = seq(&[testpki::ECDSA_SHA256.to_der().unwrap()]);
        let mut tbs = vec![
            int(1),
            alg.clone(),
            Name::from_str(self.issuer).unwrap().to_der().unwrap(),
            time(self.this_update),
        ];
        if let Some(n) = self.next_update {
            tbs.push(time(n));
        }
        if !self.entries.is_empty() {
            let list: Vec<Vec<u8>> = self
                .entries
                .iter()
                .map(|(serial, at, exts)| {
                    let mut e = vec![int(u32::from(*serial)), time(*at)];
                    if !exts.is_empty() {
                        e.push(seq(exts));
                    }
                    seq(&e)
                })
                .collect();
            tbs.push(seq(&list));
        }
        if !self.exts.is_empty() {
            let c0 = Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(0),
            };
            tbs.push(tlv(c0, &seq(&self.exts)));
        }
        let tbs = seq(&tbs);
        let raw = key(signer)
            .sign_notary(SignatureAlgorithm::Es256, &tbs)
            .unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
        let bits = BitString::from_bytes(sig.as_bytes())
            .unwrap()
            .to_der()
            .unwrap();
        seq(&[tbs, alg, bits])
    }
}

/// Leaf (serial 1, CDP only) → intermediate "CN=Int" (key 2, serial 2) → root (key 3).
fn chain(leaf_extra: Vec<x509_cert::ext::Extension>) -> Vec<Certificate> {
    let mut leaf = Spec::leaf("CN=Leaf", "CN=Int");
    leaf.extra = vec![testpki::revocation_exts("http://ocsp.example", CDP)[1].clone()];
    leaf.extra.extend(leaf_extra);
    vec![
        build(&leaf, &key(1), &key(2)),
        build(&Spec::ca("CN=Int", "CN=Root"), &key(2), &key(3)),
    ]
}

fn status(crls: &[Vec<u8>], signing_time: Option<u64>) -> CertStatus {
    status_of(&chain(vec![]), crls, signing_time)
}

fn status_of(chain: &[Certificate], crls: &[Vec<u8>], signing_time: Option<u64>) -> CertStatus {
    let now = Instant::from_unix_seconds(NOW as i64);
    CrlRevocationChecker::new(crls, now).check(
        &chain[0],
        &chain[1],
        Purpose::CodeSigning,
        signing_time.map(|s| Instant::from_unix_seconds(s as i64)),
    )
}

fn unknown(s: &CertStatus, text: &str) {
    match s {
        CertStatus::Unknown(d) => assert!(d.contains(text), "{d:?} lacks {text:?}"),
        other => panic!("want unknown ({text}), got {other:?}"),
    }
}

#[test]
fn good_and_revoked() {
    assert_eq!(
        status(&[CrlSpec::new(vec![(9, NOW - DAY, vec![])]).der(2)], None),
        CertStatus::Good
    );
    let revoked = CrlSpec::new(vec![(1, NOW - DAY, vec![reason(1)])]).der(2);
    assert!(matches!(
        status(std::slice::from_ref(&revoked), None),
        CertStatus::Revoked(_)
    ));
    // PEM works too.
    let pem = format!(
        "-----BEGIN X509 CRL-----\n{}\n-----END X509 CRL-----\n",
        base64ct::Base64::encode_string(&revoked)
    );
    assert!(matches!(
        status(&[pem.into_bytes()], None),
        CertStatus::Revoked(_)
    ));
}

use base64ct::Encoding;

#[test]
fn no_applicable_crl_is_unknown_and_no_cdp_is_non_revokable() {
    unknown(&status(&[], None), "no CRL issued by CN=Int");
    let mut other = CrlSpec::new(vec![]);
    other.issuer = "CN=Other";
    unknown(&status(&[other.der(2)], None), "no CRL issued by CN=Int");
    let plain = vec![
        build(&Spec::leaf("CN=Leaf", "CN=Int"), &key(1), &key(2)),
        build(&Spec::ca("CN=Int", "CN=Root"), &key(2), &key(3)),
    ];
    assert_eq!(status_of(&plain, &[], None), CertStatus::NonRevokable);
}

#[test]
fn stale_unsigned_and_wrongly_signed_crls_are_unknown() {
    let mut stale = CrlSpec::new(vec![]);
    stale.this_update = NOW - 3 * DAY;
    stale.next_update = Some(NOW - DAY);
    unknown(&status(&[stale.der(2)], None), "expired CRL");
    let mut future = CrlSpec::new(vec![]);
    future.this_update = NOW + 1;
    unknown(&status(&[future.der(2)], None), "not yet valid");
    let mut open = CrlSpec::new(vec![]);
    open.next_update = None;
    unknown(&status(&[open.der(2)], None), "NextUpdate is not set");
    unknown(
        &status(&[CrlSpec::new(vec![]).der(7)], None),
        "signature verification failed",
    );
    // Bounds are inclusive: nextUpdate == now is still fresh.
    let mut edge = CrlSpec::new(vec![]);
    edge.next_update = Some(NOW);
    assert_eq!(status(&[edge.der(2)], None), CertStatus::Good);
}

#[test]
fn issuer_must_be_allowed_to_sign_crls() {
    let mut int = Spec::ca("CN=Int", "CN=Root");
    int.ku = Some((1 << 5, true)); // keyCertSign only
    let mut leaf = Spec::leaf("CN=Leaf", "CN=Int");
    leaf.extra = vec![testpki::revocation_exts("http://ocsp.example", CDP)[1].clone()];
    let chain = vec![
        build(&leaf, &key(1), &key(2)),
        build(&int, &key(2), &key(3)),
    ];
    unknown(
        &status_of(&chain, &[CrlSpec::new(vec![]).der(2)], None),
        "may not sign CRLs",
    );
}

#[test]
fn unknown_critical_extensions_are_unknown() {
    let odd = ObjectIdentifier::new_unwrap("1.2.3.4");
    let mut c = CrlSpec::new(vec![]);
    c.exts.push(ext(odd, true, int(1)));
    unknown(&status(&[c.der(2)], None), "unsupported critical extension");
    // Non-critical unknown extensions are fine.
    let mut c = CrlSpec::new(vec![]);
    c.exts.push(ext(odd, false, int(1)));
    assert_eq!(status(&[c.der(2)], None), CertStatus::Good);
    // A critical unknown entry extension matters only on the certificate's own entry.
    let entry = |serial| CrlSpec::new(vec![(serial, NOW - DAY, vec![ext(odd, true, int(1))])]);
    unknown(
        &status(&[entry(1).der(2)], None),
        "unsupported critical extension",
    );
    assert_eq!(status(&[entry(9).der(2)], None), CertStatus::Good);
}

#[test]
fn hold_remove_and_invalidity_date() {
    let hold = CrlSpec::new(vec![(
        1,
        NOW - 2 * DAY,
        vec![reason(REASON_CERTIFICATE_HOLD)],
    )]);
    assert!(matches!(
        status(&[hold.der(2)], None),
        CertStatus::Revoked(_)
    ));
    // The latest hold/remove entry decides.
    let released = CrlSpec::new(vec![
        (1, NOW - 2 * DAY, vec![reason(REASON_CERTIFICATE_HOLD)]),
        (1, NOW - DAY, vec![reason(REASON_REMOVE_FROM_CRL)]),
    ]);
    assert_eq!(status(&[released.der(2)], None), CertStatus::Good);
    // Invalidity date after the authentic signing time: not revoked at signing.
    let inv = GeneralizedTime::from_unix_duration(Duration::from_secs(NOW - DAY))
        .unwrap()
        .to_der()
        .unwrap();
    let c = CrlSpec::new(vec![(1, NOW, vec![ext(ID_CE_INVALIDITY_DATE, false, inv)])]).der(2);
    assert_eq!(
        status(std::slice::from_ref(&c), Some(NOW - 2 * DAY)),
        CertStatus::Good
    );
    assert!(matches!(
        status(std::slice::from_ref(&c), Some(NOW)),
        CertStatus::Revoked(_)
    ));
    assert!(matches!(status(&[c], None), CertStatus::Revoked(_)));
}

#[test]
fn newest_valid_crl_decides() {
    let mut old = CrlSpec::new(vec![(
        1,
        NOW - 3 * DAY,
        vec![reason(REASON_CERTIFICATE_HOLD)],
    )]);
    old.this_update = NOW - 3 * DAY;
    let new = CrlSpec::new(vec![]);
    assert_eq!(status(&[old.der(2), new.der(2)], None), CertStatus::Good);
    // Same thisUpdate: the higher CRL number is the newer CRL, whatever the input order.
    let listed = CrlSpec::new(vec![(1, NOW - DAY, vec![reason(REASON_CERTIFICATE_HOLD)])]);
    let mut later = CrlSpec::new(vec![]);
    later.exts = vec![ext(ID_CE_CRL_NUMBER, false, int(11))];
    for pair in [[listed.der(2), later.der(2)], [later.der(2), listed.der(2)]] {
        assert_eq!(status(&pair, None), CertStatus::Good);
    }
    // A wrongly signed "newer" CRL is no evidence: the valid one decides.
    let mut forged = CrlSpec::new(vec![]);
    forged.this_update = NOW - 1;
    let held = CrlSpec::new(vec![(1, NOW - DAY, vec![])]);
    assert!(matches!(
        status(&[forged.der(7), held.der(2)], None),
        CertStatus::Revoked(_)
    ));
}

#[test]
fn unparseable_input_prevents_good() {
    let good = CrlSpec::new(vec![]).der(2);
    unknown(
        &status(&[good.clone(), b"not a crl".to_vec()], None),
        "could not be read",
    );
    let revoked = CrlSpec::new(vec![(1, NOW - DAY, vec![])]).der(2);
    assert!(matches!(
        status(&[revoked, b"junk".to_vec()], None),
        CertStatus::Revoked(_)
    ));
    let too_many: Vec<Vec<u8>> = vec![good; MAX_CRLS + 1];
    unknown(&status(&too_many, None), "more than 64 CRLs");
    assert_eq!(
        Crl::from_pem_or_der(&vec![0u8; MAX_CRL_BYTES + 1])
            .unwrap_err()
            .code(),
        "ERR_LIMIT"
    );
    let mut dup = CrlSpec::new(vec![]);
    dup.exts.push(ext(ID_CE_CRL_NUMBER, false, int(11)));
    assert!(Crl::from_der(&dup.der(2))
        .unwrap_err()
        .to_string()
        .contains("duplicate"));
    let der = CrlSpec::new(vec![]).der(2);
    for len in 0..der.len() {
        assert_eq!(Crl::from_der(&der[..len]).unwrap_err().code(), "ERR_PARSE");
    }
}

fn delta(number: u32, base: u32, entries: Vec<(u8, u64, Vec<Vec<u8>>)>) -> CrlSpec {
    let mut d = CrlSpec::new(entries);
    d.exts = vec![
        ext(ID_CE_CRL_NUMBER, false, int(number)),
        ext(ID_CE_DELTA_CRL_INDICATOR, true, int(base)),
    ];
    d
}

#[test]
fn delta_crls() {
    let mut base = CrlSpec::new(vec![]);
    base.exts.push(ext(
        ID_CE_FRESHEST_CRL,
        false,
        dp("http://crl.example/delta.crl"),
    ));
    let base = base.der(2);
    unknown(
        &status(std::slice::from_ref(&base), None),
        "names a delta CRL",
    );
    let revoking = delta(11, 10, vec![(1, NOW - DAY, vec![])]).der(2);
    assert!(matches!(
        status(&[base.clone(), revoking], None),
        CertStatus::Revoked(_)
    ));
    assert_eq!(
        status(&[base.clone(), delta(11, 9, vec![]).der(2)], None),
        CertStatus::Good
    );
    unknown(
        &status(&[base.clone(), delta(10, 9, vec![]).der(2)], None),
        "not greater",
    );
    unknown(
        &status(&[base.clone(), delta(12, 11, vec![]).der(2)], None),
        "indicator",
    );
    unknown(
        &status(&[base.clone(), delta(11, 10, vec![]).der(7)], None),
        "signature",
    );
    // A certificate naming a delta CRL needs one even if the base does not name it.
    let fresh = testpki::ext(
        ObjectIdentifier::new_unwrap("2.5.29.46"),
        false,
        dp("http://crl.example/delta.crl"),
    );
    let c = chain(vec![fresh]);
    let plain_base = CrlSpec::new(vec![]).der(2);
    unknown(
        &status_of(&c, std::slice::from_ref(&plain_base), None),
        "certificate names a delta",
    );
    let both = [plain_base, delta(11, 10, vec![]).der(2)];
    assert_eq!(status_of(&c, &both, None), CertStatus::Good);
    // A delta CRL is never used as a base.
    unknown(
        &status(&[delta(11, 10, vec![]).der(2)], None),
        "no CRL issued by",
    );
}

#[test]
fn issuing_distribution_point_scope() {
    let idp = |inner: Vec<u8>| ext(ID_CE_ISSUING_DISTRIBUTION_POINT, true, seq(&[inner]));
    // distributionPoint [0] { fullName [0] { uri [6] } }
    let c0 = |n: u32, content: &[u8]| {
        tlv(
            Tag::ContextSpecific {
                constructed: true,
                number: TagNumber(n),
            },
            content,
        )
    };
    let uri = |u: &str| {
        tlv(
            Tag::ContextSpecific {
                constructed: false,
                number: TagNumber(6),
            },
            u.as_bytes(),
        )
    };
    let named = |u: &str| c0(0, &c0(0, &uri(u)));
    let flag = |n: u32| {
        tlv(
            Tag::ContextSpecific {
                constructed: false,
                number: TagNumber(n),
            },
            &[0xff],
        )
    };
    let with = |e: Vec<u8>| {
        let mut c = CrlSpec::new(vec![]);
        c.exts.push(e);
        c.der(2)
    };
    assert_eq!(status(&[with(idp(named(CDP)))], None), CertStatus::Good);
    unknown(
        &status(&[with(idp(named("http://crl.example/other.crl")))], None),
        "no CRL",
    );
    assert_eq!(status(&[with(idp(flag(1)))], None), CertStatus::Good); // user certs only
    unknown(&status(&[with(idp(flag(2)))], None), "no CRL"); // CA certs only
    unknown(&status(&[with(idp(flag(4)))], None), "no CRL"); // indirect
}

fn private_ext(i: usize) -> Vec<u8> {
    let oid = ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.{i}")).unwrap();
    ext(oid, false, tlv(Tag::Null, &[]))
}

fn budget(r: Result<Crl, CrlError>) -> crate::limits::LimitExceeded {
    match r {
        Err(CrlError::Budget(l)) => l,
        other => panic!("expected a budget, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn crl_extensions_are_budgeted_and_checked_for_duplicates_by_set() {
    let mut spec = CrlSpec::new(vec![]);
    spec.exts = (0..300).map(private_ext).collect();
    let l = budget(Crl::from_der(&spec.der(2)));
    assert_eq!((l.limit, l.max, l.found), ("crl.extensions", 256, 300));
    assert_eq!(CrlError::Budget(l).code(), ErrorCode::Limit);
    // At the budget, distinct extensions parse; one duplicate among them is still found.
    spec.exts = (0..256).map(private_ext).collect();
    assert!(Crl::from_der(&spec.der(2)).is_ok());
    spec.exts[255] = private_ext(3);
    assert!(matches!(
        Crl::from_der(&spec.der(2)),
        Err(CrlError::Malformed(_))
    ));

    let spec = CrlSpec::new(vec![(5, NOW - DAY, (0..100).map(private_ext).collect())]);
    let l = budget(Crl::from_der(&spec.der(2)));
    assert_eq!((l.limit, l.max, l.found), ("crl.entry.extensions", 64, 100));
}

#[test]
fn many_crl_entries_parse_in_linear_time() {
    // 200 000 entries, each with the most extensions allowed: parsed once, no per-entry scans of
    // earlier entries.
    let exts: Vec<Vec<u8>> = (0..3).map(private_ext).collect();
    let entries = (0..200_000u32)
        .map(|i| (i as u8, NOW - DAY, exts.clone()))
        .collect();
    let crl = Crl::from_der(&CrlSpec::new(entries).der(2)).unwrap();
    assert_eq!(crl.entries.len(), 200_000);
}
