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
