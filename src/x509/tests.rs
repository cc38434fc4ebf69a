use super::*;

#[test]
fn go_quote_matches_strconv_quote() {
    assert_eq!(go_quote("CN=a"), "\"CN=a\"");
    assert_eq!(go_quote("O=a\\, b"), "\"O=a\\\\, b\"");
    assert_eq!(go_quote("x\"y"), "\"x\\\"y\"");
    assert_eq!(go_quote("a\nb\u{0}c"), "\"a\\nb\\x00c\"");
    assert_eq!(go_quote("é\u{202e}"), "\"é\\u202e\"");
    assert_eq!(go_quote("\u{7f}"), "\"\\x7f\"");
}

#[test]
fn go_time_format() {
    let t = Instant::parse_rfc3339("2021-07-07T20:48:42Z").unwrap();
    assert_eq!(go_time(&t), "2021-07-07 20:48:42 +0000 UTC");
    let t = Instant::parse_rfc3339("2021-07-07T20:48:42.120Z").unwrap();
    assert_eq!(go_time(&t), "2021-07-07 20:48:42.12 +0000 UTC");
}

#[test]
fn codes() {
    assert_eq!(CertError::Parse("x".into()).code(), "ERR_PARSE");
    assert_eq!(CertError::NoCertificates.code(), "ERR_PARSE");
    assert_eq!(CertError::ChainTooLong { len: 11 }.code(), "ERR_PARSE");
    assert_eq!(CertError::EmptyChain.code(), "ERR_CERT_INVALID");
    assert_eq!(
        CertError::LeafIsCa {
            subject: "CN=x".into()
        }
        .code(),
        "ERR_CERT_INVALID"
    );
}
