use super::der::{ber_to_der, instant_at, time};
use super::*;

#[test]
fn ber_lengths_are_normalised_and_indefinite_refused() {
    // SEQUENCE (long-form length 3) { INTEGER 5 }
    assert_eq!(
        ber_to_der(&[0x30, 0x81, 0x03, 0x02, 0x01, 0x05]).unwrap(),
        vec![0x30, 0x03, 0x02, 0x01, 0x05]
    );
    assert!(ber_to_der(&[0x30, 0x80, 0x02, 0x01, 0x05, 0, 0]).is_err());
    assert!(ber_to_der(&[0x30, 0x05, 0x02]).is_err());
    assert!(ber_to_der(&[]).is_err());
    // Nesting beyond the bound.
    let mut deep = Vec::new();
    for _ in 0..100 {
        deep.push(0x30);
        deep.push(0x00);
    }
    assert!(ber_to_der(&deep).is_err());
}

#[test]
fn times_parse() {
    let t = time(0x18, b"20210917140910Z").unwrap();
    assert_eq!(t.to_rfc3339(), "2021-09-17T14:09:10Z");
    let t = time(0x18, b"20210917140910.25Z").unwrap();
    assert_eq!(t.subsec_nanos(), 250_000_000);
    assert_eq!(time(0x17, b"491231235959Z").unwrap().to_utc().0, 2049);
    assert_eq!(time(0x17, b"500101000000Z").unwrap().to_utc().0, 1950);
    assert!(time(0x18, b"20210917140910+0100").is_err());
    assert!(time(0x18, b"2021091714091Z").is_err());
    let x = instant_at(0, 1_500_000_000).unwrap();
    assert_eq!((x.unix_seconds(), x.subsec_nanos()), (1, 500_000_000));
    let x = instant_at(0, -500_000_000).unwrap();
    assert_eq!((x.unix_seconds(), x.subsec_nanos()), (-1, 500_000_000));
}

#[test]
fn hostile_tokens_do_not_panic() {
    assert!(SignedToken::parse(&vec![0u8; MAX_TOKEN_LEN + 1]).is_err());
    for n in 0..64u8 {
        let junk: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37) ^ n).collect();
        let _ = SignedToken::parse(&junk);
        let _ = TstInfo::parse(&junk);
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    super::der::push_len(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// A token whose one SignerInfo carries `n` distinct signed attributes, in reverse DER order.
fn token_with_attributes(n: u32) -> Vec<u8> {
    let oid = |i: u32| {
        // 1.3.6.1.4.1.99999.<i>, i < 2^14 (two base-128 octets).
        let mut v = vec![0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f];
        v.extend_from_slice(&[0x80 | (i >> 7) as u8, (i & 0x7f) as u8]);
        tlv(0x06, &v)
    };
    let attrs: Vec<u8> = (0..n)
        .rev()
        .flat_map(|i| tlv(0x30, &[oid(i), tlv(0x31, &[0x05, 0x00])].concat()))
        .collect();
    let sha256 = tlv(
        0x30,
        &[
            0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        ],
    );
    let ecdsa = tlv(
        0x30,
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02],
    );
    let signer = tlv(
        0x30,
        &[
            vec![0x02, 0x01, 0x01],
            tlv(0x30, &[tlv(0x30, &[]), vec![0x02, 0x01, 0x01]].concat()),
            sha256,
            tlv(0xa0, &attrs),
            ecdsa,
            tlv(0x04, &[0x00]),
        ]
        .concat(),
    );
    let tst_info = [
        0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04,
    ];
    let signed_data = tlv(
        0x30,
        &[
            vec![0x02, 0x01, 0x03],
            tlv(0x31, &[]),
            tlv(
                0x30,
                &[tst_info.to_vec(), tlv(0xa0, &tlv(0x04, &[]))].concat(),
            ),
            tlv(0x31, &signer),
        ]
        .concat(),
    );
    let signed_data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    tlv(
        0x30,
        &[signed_data_oid.to_vec(), tlv(0xa0, &signed_data)].concat(),
    )
}

#[test]
fn signed_attributes_are_budgeted_and_sorted_in_n_log_n() {
    // At the budget: parsed, and the signed SET OF is in DER order (reversed on the wire).
    let t = SignedToken::parse(&token_with_attributes(64)).unwrap();
    let der = t.signers[0].signed_attrs.as_ref().unwrap();
    let body = super::der::Rd(der).take(0x31).unwrap();
    let items: Vec<&[u8]> = super::der::Rd(body)
        .items()
        .map(|i| i.unwrap().raw)
        .collect();
    assert_eq!(items.len(), 64);
    assert!(items.windows(2).all(|w| w[0] <= w[1]));
    // 10 000 attributes (reverse order, the insertion sort's worst case) are refused.
    match SignedToken::parse(&token_with_attributes(10_000)) {
        Err(e @ TimestampError::Limit(l)) => {
            assert_eq!(
                (l.limit, l.max, l.found),
                ("timestamp.signedAttributes", 64, 65)
            );
            assert_eq!(e.code(), ErrorCode::Limit);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn signature_checks_are_one_budget_for_all_signer_infos() {
    use crate::x509::testpki::{build, build_der, key, Spec, NOT_BEFORE};
    // A TSA leaf issued by "CN=TSA CA", and 40 decoy "CN=TSA CA" certificates with other keys:
    // every decoy costs a signature check while building the chain to a root that is never
    // reached.
    let leaf = build(&Spec::tsa("CN=tsa", "CN=TSA CA"), &key(1), &key(2));
    let mut certs = vec![leaf.clone()];
    for i in 0..40u8 {
        let mut spec = Spec::ca("CN=TSA CA", "CN=Root");
        spec.serial = 10 + i;
        certs.push(build(&spec, &key(3), &key(4)));
    }
    let root = Certificate::from_der(&build_der(
        &Spec::ca("CN=Other", "CN=Other"),
        &key(5),
        &key(5),
    ))
    .unwrap();
    let hash = HashAlgorithm::Sha256.digest(leaf.der());
    let signing_cert_v2 = tlv(0x30, &tlv(0x30, &tlv(0x30, &tlv(0x04, &hash))));
    let signer = token::SignerInfo {
        version: 1,
        sid_issuer: leaf.raw_issuer().to_vec(),
        sid_serial: leaf.serial().to_vec(),
        digest_alg: SIGNING_CERT_V2,
        signed_attrs: None,
        attrs: vec![(SIGNING_CERT_V2, signing_cert_v2)],
        sig_alg: SIGNING_CERT_V2,
        sig_params: None,
        signature: vec![0],
    };
    // 32 SignerInfos naming the same certificate: a budget each would allow 32 × 32 checks.
    let token = SignedToken {
        content: Vec::new(),
        certs,
        signers: vec![signer; 32],
    };
    let at = Instant::from_unix_seconds(NOT_BEFORE as i64 + 86_400);
    match token.verify(&[root], at) {
        Err(e @ TimestampError::Limit(l)) => {
            assert_eq!((l.limit, l.max), ("timestamp.signatureChecks", 32));
            assert_eq!(e.code(), ErrorCode::Limit);
        }
        other => panic!("{other:?}"),
    }
}
