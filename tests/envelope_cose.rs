//! COSE_Sign1 envelope (signature-envelope-cose.md): conformance vectors and the rules of
//! threat-model row 12a (untagged, indefinite-length, duplicate-label messages) plus the header
//! rules shared with JWS.

mod support;

use nv2::crypto::{
    PrivateKey,
    SignatureAlgorithm::{self, *},
};
use nv2::envelope::{
    EnvelopeError, EnvelopeFormat, SigningScheme, UnverifiedEnvelope, MEDIA_TYPE_COSE,
};
use nv2::payload::Payload;
use support::envelope::*;

/// A tiny CBOR encoder for crafting messages.
#[derive(Clone, Debug)]
enum C {
    U(u64),
    N(i64),
    B(Vec<u8>),
    T(String),
    A(Vec<C>),
    M(Vec<(C, C)>),
    Tag(u64, Box<C>),
    Null,
    Raw(Vec<u8>),
}

fn t(s: &str) -> C {
    C::T(s.into())
}

fn time(secs: u64) -> C {
    C::Tag(1, Box::new(C::U(secs)))
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
    }
}

fn enc(c: &C) -> Vec<u8> {
    let mut out = Vec::new();
    match c {
        C::U(n) => head(&mut out, 0, *n),
        C::N(n) => head(&mut out, 1, (-1 - n) as u64),
        C::B(b) => {
            head(&mut out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        C::T(s) => {
            head(&mut out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        C::A(a) => {
            head(&mut out, 4, a.len() as u64);
            for i in a {
                out.extend(enc(i));
            }
        }
        C::M(m) => {
            head(&mut out, 5, m.len() as u64);
            for (k, v) in m {
                out.extend(enc(k));
                out.extend(enc(v));
            }
        }
        C::Tag(n, i) => {
            head(&mut out, 6, *n);
            out.extend(enc(i));
        }
        C::Null => out.push(0xf6),
        C::Raw(r) => out.extend_from_slice(r),
    }
    out
}

fn protected(alg: SignatureAlgorithm) -> Vec<(C, C)> {
    vec![
        (C::U(1), C::N(alg.cose_id())),
        (
            C::U(2),
            C::A(vec![
                t("io.cncf.notary.signingScheme"),
                t("io.cncf.notary.expiry"),
            ]),
        ),
        (C::U(3), t("application/vnd.cncf.notary.payload.v1+json")),
        (t("io.cncf.notary.signingScheme"), t("notary.x509")),
        (t("io.cncf.notary.signingTime"), time(1_600_000_000)),
        (t("io.cncf.notary.expiry"), time(4_000_000_000)),
    ]
}

fn unprotected(chain: &[Vec<u8>]) -> Vec<(C, C)> {
    vec![
        (
            C::U(33),
            C::A(chain.iter().map(|c| C::B(c.clone())).collect()),
        ),
        (t("io.cncf.notary.signingAgent"), t("nv2-test")),
    ]
}

fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    enc(&C::A(vec![
        t("Signature1"),
        C::B(protected.to_vec()),
        C::B(vec![]),
        C::B(payload.to_vec()),
    ]))
}

/// A COSE_Sign1_Tagged message over `prot` / `unprot`, signed with `key`/`alg`.
fn message(prot: &C, unprot: C, key: &PrivateKey, alg: SignatureAlgorithm) -> Vec<u8> {
    let p = enc(prot);
    let sig = key.sign_notary(alg, &sig_structure(&p, PAYLOAD)).unwrap();
    enc(&C::Tag(
        18,
        Box::new(C::A(vec![
            C::B(p),
            unprot,
            C::B(PAYLOAD.to_vec()),
            C::B(sig),
        ])),
    ))
}

fn es256_with(f: impl FnOnce(&mut Vec<(C, C)>, &mut Vec<(C, C)>)) -> Vec<u8> {
    let fx = fixture("p256");
    let mut p = protected(Es256);
    let mut u = unprotected(&fx.chain);
    f(&mut p, &mut u);
    message(&C::M(p), C::M(u), &fx.key, Es256)
}

fn check(bytes: &[u8]) -> Result<(), EnvelopeError> {
    UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, bytes)?
        .verify_integrity()
        .map(|_| ())
}

fn set(m: &mut [(C, C)], key: &str, v: C) {
    for (k, val) in m.iter_mut() {
        if matches!(k, C::T(s) if s == key) {
            *val = v;
            return;
        }
    }
    panic!("no {key}");
}

fn crit(m: &mut [(C, C)]) -> &mut Vec<C> {
    match &mut m[1].1 {
        C::A(a) => a,
        _ => panic!(),
    }
}

#[test]
fn crafted_messages_verify_for_all_algorithms() {
    for (name, alg) in [
        ("rsa2048", Ps256),
        ("rsa3072", Ps384),
        ("rsa4096", Ps512),
        ("p256", Es256),
        ("p384", Es384),
        ("p521", Es512),
    ] {
        let fx = fixture(name);
        let msg = message(
            &C::M(protected(alg)),
            C::M(unprotected(&fx.chain)),
            &fx.key,
            alg,
        );
        assert_eq!(&msg[..2], &[0xd2, 0x84]);
        let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &msg).unwrap();
        assert_eq!(env.format(), EnvelopeFormat::Cose);
        let s = env.signed_attributes();
        assert_eq!(s.algorithm, alg);
        assert_eq!(s.signing_time.unwrap().unix_seconds(), 1_600_000_000);
        assert_eq!(env.signing_agent(), Some("nv2-test"));
        let v = env.verify_integrity().unwrap();
        assert_eq!(
            Payload::from_verified(&v).unwrap().target_artifact.size,
            528,
            "{name}"
        );
    }
}

#[test]
fn structural_rules() {
    let good = es256_with(|_, _| {});
    check(&good).unwrap();
    // Untagged: drop the D2 prefix.
    assert!(matches!(
        check(&good[1..]),
        Err(EnvelopeError::Malformed(_))
    ));
    // Another tag (COSE_Sign = 98).
    let mut other_tag = vec![0xd8, 98];
    other_tag.extend_from_slice(&good[1..]);
    assert!(check(&other_tag).is_err());
    // Trailing byte.
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(matches!(check(&trailing), Err(EnvelopeError::Malformed(_))));
    // Indefinite-length outer array: D2 9F ... FF.
    let mut indefinite = vec![0xd2, 0x9f];
    indefinite.extend_from_slice(&good[2..]);
    indefinite.push(0xff);
    assert!(matches!(
        check(&indefinite),
        Err(EnvelopeError::Malformed(_))
    ));
    // Indefinite-length unprotected map.
    let fx = fixture("p256");
    let mut raw_unprot = vec![0xbf];
    for (k, v) in unprotected(&fx.chain) {
        raw_unprot.extend(enc(&k));
        raw_unprot.extend(enc(&v));
    }
    raw_unprot.push(0xff);
    let msg = message(&C::M(protected(Es256)), C::Raw(raw_unprot), &fx.key, Es256);
    assert!(matches!(check(&msg), Err(EnvelopeError::Malformed(_))));
    // Duplicate label in the protected header (alg twice).
    let dup = es256_with(|p, _| p.push((C::U(1), C::N(-7))));
    assert!(matches!(check(&dup), Err(EnvelopeError::Malformed(_))));
    // Same label in both buckets; crit in the unprotected bucket.
    let both = es256_with(|_, u| u.push((t("io.cncf.notary.signingScheme"), t("notary.x509"))));
    assert!(matches!(check(&both), Err(EnvelopeError::Malformed(_))));
    let crit_unprot = es256_with(|_, u| u.push((C::U(2), C::A(vec![t("x")]))));
    assert!(matches!(
        check(&crit_unprot),
        Err(EnvelopeError::Malformed(_))
    ));
    // Detached payload.
    let p = enc(&C::M(protected(Es256)));
    let detached = enc(&C::Tag(
        18,
        Box::new(C::A(vec![
            C::B(p),
            C::M(unprotected(&fx.chain)),
            C::Null,
            C::B(vec![1; 64]),
        ])),
    ));
    assert!(matches!(check(&detached), Err(EnvelopeError::Malformed(_))));
    // Protected header not a byte-string-wrapped map.
    let bad_prot = enc(&C::Tag(
        18,
        Box::new(C::A(vec![
            C::M(protected(Es256)),
            C::M(unprotected(&fx.chain)),
            C::B(PAYLOAD.to_vec()),
            C::B(vec![1; 64]),
        ])),
    ));
    assert!(check(&bad_prot).is_err());
    // Three elements.
    let three = enc(&C::Tag(
        18,
        Box::new(C::A(vec![C::B(vec![0xa0]), C::M(vec![]), C::B(vec![])])),
    ));
    assert!(check(&three).is_err());
    for junk in [&b""[..], b"\xd2", b"{}", b"\xd2\x84"] {
        assert_eq!(check(junk).unwrap_err().code(), "ERR_SIGNATURE_INTEGRITY");
    }
}

#[test]
fn x5chain_rules() {
    let fx = fixture("p256");
    // A single bstr (RFC 9360 allows it; signature-envelope-cose.md / notation do not).
    let single = es256_with(|_, u| u[0].1 = C::B(fx.chain[0].clone()));
    assert!(matches!(
        check(&single),
        Err(EnvelopeError::InvalidHeader { .. })
    ));
    let missing = es256_with(|_, u| {
        u.remove(0);
    });
    assert_eq!(
        check(&missing).unwrap_err(),
        EnvelopeError::MissingHeader("x5chain".into())
    );
    let many = es256_with(|_, u| u[0].1 = C::A(vec![C::B(fx.chain[0].clone()); 1000]));
    let e = check(&many).unwrap_err();
    assert_eq!(e.code(), "ERR_LIMIT");
    // In the protected bucket only: ignored there, so the chain is missing.
    let in_prot = es256_with(|p, u| {
        let x = u.remove(0);
        p.push(x);
    });
    assert!(check(&in_prot).is_err());
    // Another key's certificate.
    let other = fixture("chainleaf");
    let wrong = es256_with(|_, u| u[0].1 = C::A(vec![C::B(other.chain[0].clone())]));
    assert_eq!(check(&wrong).unwrap_err(), EnvelopeError::SignatureInvalid);
    // Timestamp token must be a bstr.
    let ts = es256_with(|_, u| u.push((t("io.cncf.notary.timestampSignature"), t("abc"))));
    assert!(check(&ts).is_err());
    let ts =
        es256_with(|_, u| u.push((t("io.cncf.notary.timestampSignature"), C::B(vec![0x30, 0]))));
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &ts).unwrap();
    assert_eq!(env.timestamp_token(), Some(&[0x30, 0][..]));
}

#[test]
fn header_rules() {
    // Times must be tag 1.
    let tag0 = es256_with(|p, _| {
        set(
            p,
            "io.cncf.notary.signingTime",
            C::Tag(0, Box::new(t("2020-09-13T12:26:40Z"))),
        )
    });
    let e = check(&tag0).unwrap_err();
    assert!(
        e.to_string()
            .contains("only Tag `1` Datetime CBOR object is supported"),
        "{e}"
    );
    let untagged = es256_with(|p, _| set(p, "io.cncf.notary.signingTime", C::U(1_600_000_000)));
    assert!(matches!(
        check(&untagged),
        Err(EnvelopeError::InvalidHeader { .. })
    ));
    // Expiry not after signing time.
    let exp = es256_with(|p, _| set(p, "io.cncf.notary.expiry", time(1_600_000_000)));
    assert_eq!(
        check(&exp).unwrap_err(),
        EnvelopeError::ExpiryNotAfterSigningTime
    );
    // crit rules.
    let no_crit = es256_with(|p, _| {
        p.remove(1);
    });
    assert_eq!(check(&no_crit).unwrap_err(), EnvelopeError::MissingCrit);
    let alg_crit = es256_with(|p, _| crit(p).push(C::U(1)));
    assert_eq!(
        check(&alg_crit).unwrap_err(),
        EnvelopeError::CriticalNotPresent("1".into())
    );
    let absent = es256_with(|p, _| crit(p).push(t("foo")));
    assert_eq!(
        check(&absent).unwrap_err(),
        EnvelopeError::CriticalNotPresent("foo".into())
    );
    let unknown = es256_with(|p, _| {
        crit(p).push(t("foo"));
        p.push((t("foo"), C::U(1)));
    });
    assert_eq!(
        check(&unknown).unwrap_err(),
        EnvelopeError::UnsupportedCriticalAttribute("foo".into())
    );
    let noncrit = es256_with(|p, _| {
        p.push((t("foo"), C::B(vec![1, 2])));
        p.push((C::N(-65537), C::U(1)));
    });
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &noncrit).unwrap();
    let attrs = &env.signed_attributes().extended_attributes;
    assert_eq!(attrs.len(), 2);
    assert_eq!(attrs[0].key, "foo");
    assert_eq!(attrs[1].key, "-65537");
    env.verify_integrity().unwrap();
    let expiry_not_crit = es256_with(|p, _| {
        crit(p).pop();
    });
    assert_eq!(
        check(&expiry_not_crit).unwrap_err(),
        EnvelopeError::NotMarkedCritical(vec!["io.cncf.notary.expiry".into()])
    );
    // Content type must be text (and the Notary type).
    let uint_cty = es256_with(|p, _| p[2].1 = C::U(50));
    assert!(matches!(
        check(&uint_cty),
        Err(EnvelopeError::InvalidHeader { .. })
    ));
    let json_cty = es256_with(|p, _| p[2].1 = t("application/json"));
    assert!(matches!(
        check(&json_cty),
        Err(EnvelopeError::UnsupportedContentType(_))
    ));
    // Algorithms.
    let unknown_alg = es256_with(|p, _| p[0].1 = C::N(-257));
    assert!(matches!(
        check(&unknown_alg),
        Err(EnvelopeError::UnsupportedAlgorithm(_))
    ));
    let text_alg = es256_with(|p, _| p[0].1 = t("ES256"));
    assert!(matches!(
        check(&text_alg),
        Err(EnvelopeError::UnsupportedAlgorithm(_))
    ));
    let es384 = es256_with(|p, _| p[0].1 = C::N(Es384.cose_id()));
    assert!(matches!(
        check(&es384),
        Err(EnvelopeError::AlgorithmMismatch { .. })
    ));
    // Other scheme's time; signing authority form.
    let sa = es256_with(|p, _| {
        set(
            p,
            "io.cncf.notary.signingScheme",
            t("notary.x509.signingAuthority"),
        );
        p.retain(|(k, _)| !matches!(k, C::T(s) if s == "io.cncf.notary.signingTime"));
        p.push((
            t("io.cncf.notary.authenticSigningTime"),
            time(1_600_000_000),
        ));
        crit(p).push(t("io.cncf.notary.authenticSigningTime"));
    });
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &sa).unwrap();
    assert_eq!(
        env.signed_attributes().signing_scheme,
        SigningScheme::X509SigningAuthority
    );
    env.verify_integrity().unwrap();
    let both_times = es256_with(|p, _| {
        p.push((
            t("io.cncf.notary.authenticSigningTime"),
            time(1_600_000_000),
        ));
    });
    assert!(matches!(
        check(&both_times),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
    // Plugin named: critical extended attributes are left to it.
    let plugin = es256_with(|p, _| {
        p.push((t("io.cncf.notary.verificationPlugin"), t("plugin")));
        p.push((t("foo"), C::U(1)));
        crit(p).push(t("io.cncf.notary.verificationPlugin"));
        crit(p).push(t("foo"));
    });
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &plugin).unwrap();
    assert_eq!(
        env.signed_attributes().verification_plugin.as_deref(),
        Some("plugin")
    );
}

#[test]
fn conformance_cose_envelopes() {
    let Some(dir) = conformance_dir() else { return };
    let cases: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut checked = 0;
    for c in &cases {
        if c["envelope_media_type"] != MEDIA_TYPE_COSE {
            continue;
        }
        let bytes = std::fs::read(dir.join(c["envelope"].as_str().unwrap())).unwrap();
        let result =
            UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &bytes).and_then(|e| e.verify_integrity());
        assert_eq!(
            result.is_err(),
            c["expect"]["fail_at"] == "integrity",
            "{}: {:?}",
            c["id"],
            result.err()
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
    // Extra vectors.
    for path in [
        "notation-go/internal/testdata/cose_signature.sig",
        "extracted/notation-go/example_localVerify/signature.cose",
        "notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig",
        "notation/test/e2e/testdata/signatures/blob.cose.sig",
    ] {
        let bytes = std::fs::read(dir.join(path)).unwrap();
        let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &bytes)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        env.verify_integrity()
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let ts = std::fs::read(
        dir.join("notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig"),
    )
    .unwrap();
    assert!(UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &ts)
        .unwrap()
        .timestamp_token()
        .is_some());
}

#[test]
fn core_go_cose_conformance_is_decode_only() {
    let Some(dir) = conformance_dir() else { return };
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("notation-core-go/signature/cose/testdata/conformance.json"))
            .unwrap(),
    )
    .unwrap();
    let hex = v["expectedOutput"]["cborHex"].as_str().unwrap();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    // Its critical "signedCritKey1" is unknown to nv2 (docs/conformance.md §D1).
    assert_eq!(
        UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &bytes).unwrap_err(),
        EnvelopeError::UnsupportedCriticalAttribute("signedCritKey1".into())
    );
}
