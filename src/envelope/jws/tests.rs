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
