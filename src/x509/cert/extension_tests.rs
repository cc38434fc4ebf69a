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
