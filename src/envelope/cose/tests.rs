use super::*;
#[test]
fn unsupported_alg_names_the_cbor_item() {
    // An unsupported `alg` names the item it found.
    let alg = [(Label::Int(LABEL_ALG), Cbor::Float(-1.5))];
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
