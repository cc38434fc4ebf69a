use super::*;

#[test]
fn unprotected_header_names_are_the_shared_constants() {
    let out = HeaderOut {
        timestamp_signature: Some("t".into()),
        x5c: vec!["c".into()],
        signing_agent: Some("a"),
    };
    let json = serde_json::to_value(&out).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort_unstable();
    let mut expected = [HEADER_SIGNING_AGENT, HEADER_TIMESTAMP_SIGNATURE, HEADER_X5C];
    expected.sort_unstable();
    assert_eq!(keys, expected);
}

fn protected(extra: usize, crit_extra: usize) -> Map<String, Value> {
    let mut crit = vec![Value::from(HEADER_SIGNING_SCHEME)];
    crit.extend((0..crit_extra).map(|i| Value::from(format!("x{i}"))));
    let mut m = serde_json::json!({
        "alg": "ES256",
        "cty": crate::payload::MEDIA_TYPE_PAYLOAD,
        "crit": crit,
        HEADER_SIGNING_SCHEME: "notary.x509",
        HEADER_SIGNING_TIME: "2024-01-01T00:00:00Z",
    })
    .as_object()
    .unwrap()
    .clone();
    for i in 0..extra {
        m.insert(format!("x{i}"), Value::from(i));
    }
    m
}

fn limit(r: Result<SignedAttributes, EnvelopeError>) -> LimitExceeded {
    match r {
        Err(EnvelopeError::Limit(l)) => l,
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn protected_header_and_crit_are_budgeted() {
    let l = limit(parse_protected(&protected(50_000, 0)));
    assert_eq!(
        (l.limit, l.max, l.found),
        ("jws.header.entries", 1024, 50_005)
    );
    let l = limit(parse_protected(&protected(1000, 1000)));
    assert_eq!((l.limit, l.max, l.found), ("jws.crit.entries", 256, 1001));
}

#[test]
fn largest_header_and_crit_are_checked_by_lookup() {
    // Every header looked up in `crit` once: the largest budgets pass through to the critical
    // attribute without a plugin (or parse, without the critical entries).
    let e = parse_protected(&protected(1019, 255)).unwrap_err();
    assert!(
        matches!(e, EnvelopeError::UnsupportedCriticalAttribute(_)),
        "{e:?}"
    );
    let a = parse_protected(&protected(1019, 0)).unwrap();
    assert_eq!(a.extended_attributes.len(), 1019);
}
