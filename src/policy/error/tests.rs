use super::*;

#[test]
fn quoting_follows_go() {
    let q = |s: &str| Quoted(s).to_string();
    assert_eq!(q("plain"), "\"plain\"");
    assert_eq!(q("a\"b\\c"), "\"a\\\"b\\\\c\"");
    assert_eq!(
        q("localhost:5000\\test-repo"),
        "\"localhost:5000\\\\test-repo\""
    );
    assert_eq!(q("\n\t\0\u{7f}"), "\"\\n\\t\\x00\\x7f\"");
    assert_eq!(q("Hö ⭐"), "\"Hö ⭐\"");
    assert_eq!(q("\u{202e}\u{a0}"), "\"\\u202e\\u00a0\"");
    assert_eq!(q("\u{e0041}"), "\"\\U000e0041\"");
}

#[test]
fn codes() {
    assert_eq!(PolicyError::malformed("x").code(), "ERR_POLICY_INVALID");
    assert_eq!(
        PolicyError::NoApplicableStatement {
            reference: "a/b@c:d".into()
        }
        .code(),
        "ERR_NO_APPLICABLE_TRUST_POLICY"
    );
    assert_eq!(
        PolicyError::InvalidArtifactReference {
            reference: "app".into(),
            problem: ReferenceProblem::MissingDigest
        }
        .code(),
        "ERR_PARSE"
    );
    assert_eq!(
        PolicyError::UntrustedIdentity {
            statement: "s".into(),
            problem: IdentityProblem::NoX509Identities
        }
        .code(),
        "ERR_UNTRUSTED_IDENTITY"
    );
}
