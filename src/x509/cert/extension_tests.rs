use super::*;

#[test]
fn crl_distribution_points_like_go() {
    // fullName with one URI.
    let one = [
        0x30, 0x0d, 0x30, 0x0b, 0xa0, 0x09, 0xa0, 0x07, 0x86, 0x05, b'h', b't', b't', b'p', b':',
    ];
    assert_eq!(parse_crl_distribution_points(&one).unwrap(), vec!["http:"]);
    // A non-URI general name ends the list without error (Go breaks out of the loop).
    let non_uri = [
        0x30, 0x09, 0x30, 0x07, 0xa0, 0x05, 0xa0, 0x03, 0x85, 0x01, 0xff,
    ];
    assert!(parse_crl_distribution_points(&non_uri).unwrap().is_empty());
    // A point without a name is skipped.
    assert!(parse_crl_distribution_points(&[0x30, 0x02, 0x30, 0x00])
        .unwrap()
        .is_empty());
    // nameRelativeToCRLIssuer is an error, as in Go.
    let relative = [0x30, 0x06, 0x30, 0x04, 0xa0, 0x02, 0xa1, 0x00];
    assert_eq!(
        parse_crl_distribution_points(&relative)
            .unwrap_err()
            .to_string(),
        "x509: invalid CRL distribution point"
    );
    assert_eq!(
        parse_crl_distribution_points(&[0x04, 0x00])
            .unwrap_err()
            .to_string(),
        "x509: invalid CRL distribution points"
    );
    assert!(parse_crl_distribution_points(&[0x30, 0x02, 0x04, 0x00]).is_err());
}

#[test]
fn aia_skips_non_uri_locations() {
    // OCSP with a DNS name (skipped), then OCSP with a URI.
    let mut v = vec![0x30, 0x00];
    let ocsp = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    let mut ad1 = vec![0x30, 0x0d];
    ad1.extend_from_slice(&ocsp);
    ad1.extend_from_slice(&[0x82, 0x01, b'x']);
    let mut ad2 = vec![0x30, 0x0d];
    ad2.extend_from_slice(&ocsp);
    ad2.extend_from_slice(&[0x86, 0x01, b'u']);
    v.extend_from_slice(&ad1);
    v.extend_from_slice(&ad2);
    v[1] = (ad1.len() + ad2.len()) as u8;
    assert_eq!(parse_aia_ocsp(&v).unwrap(), vec!["u"]);
    assert!(parse_aia_ocsp(&[0x30, 0x02, 0x30, 0x00]).is_err());
}

fn private_exts(n: usize) -> Vec<x509_cert::ext::Extension> {
    (0..n)
        .map(|i| {
            let oid = ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.{i}")).unwrap();
            crate::x509::testpki::ext(oid, false, vec![0x05, 0x00])
        })
        .collect()
}

fn leaf_with(extra: Vec<x509_cert::ext::Extension>) -> Vec<u8> {
    use crate::x509::testpki::{build_der, key, Spec};
    let mut spec = Spec::leaf("CN=leaf", "CN=leaf");
    spec.extra = extra;
    build_der(&spec, &key(1), &key(1))
}

#[test]
fn extensions_are_budgeted_and_deduplicated_by_set() {
    // 20 000 distinct extensions: refused from the count, before any is compared.
    match Certificate::from_der(&leaf_with(private_exts(20_000))) {
        Err(CertError::Limit(l)) => {
            assert_eq!((l.limit, l.max, l.found), ("x509.extensions", 256, 20_001));
            assert_eq!(CertError::Limit(l).code(), crate::error::ErrorCode::Limit);
        }
        other => panic!("{other:?}"),
    }
    // At the budget (255 + keyUsage) they parse; a duplicate among them is still refused.
    assert!(Certificate::from_der(&leaf_with(private_exts(255))).is_ok());
    let mut dup = private_exts(255);
    dup[254] = dup[3].clone();
    assert!(matches!(
        Certificate::from_der(&leaf_with(dup)),
        Err(CertError::Parse(_))
    ));
}

#[test]
fn name_attributes_are_budgeted() {
    use crate::x509::testpki::{build_der, key, Spec};
    let subject = (0..200)
        .map(|i| format!("OU=u{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let spec = Spec::leaf(&subject, "CN=issuer");
    match Certificate::from_der(&build_der(&spec, &key(1), &key(2))) {
        Err(CertError::Limit(l)) => {
            assert_eq!(
                (l.limit, l.max, l.found),
                ("x509.name.attributes", 128, 200)
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn distribution_point_urls_are_budgeted() {
    // CRL distribution points with 100 URIs in one fullName.
    let uri = |i: usize| {
        let s = format!("http://c{i}");
        let mut v = vec![0x86, s.len() as u8];
        v.extend_from_slice(s.as_bytes());
        v
    };
    let wrap = |tag: u8, body: Vec<u8>| {
        let mut v = vec![tag, 0x82, (body.len() >> 8) as u8, body.len() as u8];
        v.extend(body);
        v
    };
    let names: Vec<u8> = (0..100).flat_map(uri).collect();
    let value = wrap(0x30, wrap(0x30, wrap(0xa0, wrap(0xa0, names))));
    let ext = crate::x509::testpki::ext(oids::ID_CE_CRL_DISTRIBUTION_POINTS, false, value);
    match Certificate::from_der(&leaf_with(vec![ext])) {
        Err(CertError::Limit(l)) => assert_eq!((l.limit, l.max, l.found), ("x509.urls", 64, 100)),
        other => panic!("{other:?}"),
    }
}
