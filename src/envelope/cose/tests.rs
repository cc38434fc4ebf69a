use super::*;
#[test]
fn unsupported_alg_names_the_cbor_item() {
    // An unsupported `alg` names the item it found.
    let alg = header_map(
        Cbor::Map(vec![(Cbor::Uint(1), Cbor::Float(-1.5))]),
        "protected",
    )
    .unwrap();
    match parse_protected(&alg) {
        Err(EnvelopeError::UnsupportedAlgorithm(a)) => assert_eq!(a, "Float(-1.5)"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sig_structure_encoding() {
    let s = sig_structure(&[0xa0], b"hi");
    assert_eq!(
        s,
        [
            &[0x84, 0x6a][..],
            b"Signature1",
            &[0x41, 0xa0, 0x40, 0x42],
            b"hi"
        ]
        .concat()
    );
    let big = sig_structure(&[0u8; 300], &[]);
    assert_eq!(&big[12..15], &[0x59, 0x01, 0x2c]);
}

fn text(out: &mut Vec<u8>, s: &str) {
    push_head(out, 3, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A COSE_Sign1_Tagged message with `n_protected` extra text labels in the protected bucket (and
/// a `crit` of `n_crit` of them), `n_unprotected` extra text labels in the unprotected one.
fn message(n_protected: usize, n_crit: usize, n_unprotected: usize) -> Vec<u8> {
    let mut p = Vec::new();
    push_head(&mut p, 5, 5 + n_protected as u64);
    p.extend_from_slice(&[0x01, 0x26]); // alg: ES256
    p.push(0x02); // crit
    push_head(&mut p, 4, 1 + n_crit as u64);
    text(&mut p, HEADER_SIGNING_SCHEME);
    for i in 0..n_crit {
        text(&mut p, &format!("x{i}"));
    }
    p.push(0x03);
    text(&mut p, MEDIA_TYPE_PAYLOAD);
    text(&mut p, HEADER_SIGNING_SCHEME);
    text(&mut p, "notary.x509");
    text(&mut p, HEADER_SIGNING_TIME);
    p.extend_from_slice(&[0xc1, 0x1a, 0x65, 0x00, 0x00, 0x00]);
    for i in 0..n_protected {
        text(&mut p, &format!("x{i}"));
        p.push(0x00);
    }
    let mut m = vec![0xd2, 0x84];
    push_head(&mut m, 2, p.len() as u64);
    m.extend_from_slice(&p);
    push_head(&mut m, 5, n_unprotected as u64);
    for i in 0..n_unprotected {
        text(&mut m, &format!("u{i}"));
        m.push(0x00);
    }
    m.extend_from_slice(&[0x41, 0x7b, 0x41, 0x00]); // payload, signature
    m
}

fn limit(r: Result<UnverifiedEnvelope, EnvelopeError>) -> LimitExceeded {
    match r {
        Err(EnvelopeError::Limit(l)) => l,
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn header_maps_are_budgeted() {
    let l = limit(parse(&message(2000, 0, 0)));
    assert_eq!(
        (l.limit, l.max, l.found),
        ("cose.header.entries", 1024, 2005)
    );
    let l = limit(parse(&message(0, 0, 50_000)));
    assert_eq!(
        (l.limit, l.max, l.found),
        ("cose.header.entries", 1024, 50_000)
    );
    assert_eq!(EnvelopeError::Limit(l).code(), "ERR_LIMIT");
}

#[test]
fn crit_is_budgeted() {
    let l = limit(parse(&message(600, 600, 0)));
    assert_eq!((l.limit, l.max, l.found), ("cose.crit.entries", 256, 601));
}

#[test]
fn full_header_maps_and_crit_are_checked_by_lookup() {
    // The largest maps and `crit` the budgets allow: every unprotected label looked up in the
    // protected bucket, every `crit` label in the protected bucket, every protected label in
    // `crit`. The parse gets past all of them (to a critical extended attribute without a
    // plugin, or to the missing chain).
    let e = parse(&message(1019, 255, 1024)).unwrap_err();
    assert!(
        matches!(e, EnvelopeError::UnsupportedCriticalAttribute(ref k) if k == "x0"),
        "{e:?}"
    );
    // Without the critical entries the protected bucket is accepted; the message then lacks only
    // `x5chain`.
    let e = parse(&message(1019, 0, 1024)).unwrap_err();
    assert_eq!(e, EnvelopeError::MissingHeader("x5chain".into()));
}
