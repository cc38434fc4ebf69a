//! Document-level tests: reading, validation order and messages, selection, and the threat-model
//! rows owned by the trust policy (10c, 11c, 23a, 23b).

use serde_json::{json, Value};

use super::document::{MAX_POLICY_DOCUMENT_BYTES, MAX_REGISTRY_SCOPES, MAX_STATEMENTS};
use super::identity::{MAX_TRUSTED_IDENTITIES, X509_SUBJECT};
use super::*;

/// A valid OCI document with one statement, to be modified by the tests.
fn doc() -> Value {
    json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "wabbit-networks-images",
            "registryScopes": ["registry.acme-rockets.io/software/net-monitor"],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:acme-rockets", "tsa:timestamps"],
            "trustedIdentities": ["x509.subject: C=US, ST=WA, L=Seattle, O=acme-rockets.io"]
        }]
    })
}

fn oci(value: &Value) -> Result<OciTrustPolicy, PolicyError> {
    let from_value = OciTrustPolicy::from_value(value);
    let bytes = serde_json::to_vec(value).unwrap();
    let from_json = OciTrustPolicy::from_json(&bytes);
    assert_eq!(from_value, from_json, "from_value and from_json disagree");
    from_json
}

fn oci_error(value: &Value) -> String {
    let error = oci(value).unwrap_err();
    assert_eq!(error.code(), "ERR_POLICY_INVALID", "{error}");
    error.to_string()
}

fn statement(value: &mut Value) -> &mut Value {
    &mut value["trustPolicies"][0]
}

#[test]
fn reads_a_valid_document() {
    let policy = oci(&doc()).unwrap();
    assert_eq!(policy.version, "1.0");
    let s = &policy.statements[0];
    assert_eq!(s.name, "wabbit-networks-images");
    assert_eq!(
        s.registry_scopes,
        ["registry.acme-rockets.io/software/net-monitor"]
    );
    assert_eq!(s.signature_verification.level, VerificationLevel::Strict);
    assert!(!s.signature_verification.is_custom());
    assert_eq!(s.verify_timestamp, VerifyTimestamp::Always);
    assert_eq!(s.trust_stores.len(), 2);
    assert_eq!(s.trust_stores[0].to_string(), "ca:acme-rockets");
    assert_eq!(
        s.trust_stores_of(TrustStoreType::Tsa)
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["timestamps"]
    );
    let TrustedIdentities::List(identities) = &s.trusted_identities else {
        panic!("expected a list");
    };
    assert_eq!(identities[0].prefix(), X509_SUBJECT);
    assert_eq!(
        identities[0].subject().unwrap().get("O"),
        Some("acme-rockets.io")
    );
    assert!(s.identity_matches("CN=signer,O=acme-rockets.io,L=Seattle,ST=WA,C=US"));
    assert!(!s.identity_matches("CN=signer,O=acme-rockets.io,L=Tacoma,ST=WA,C=US"));
}

#[test]
fn overrides_and_verify_timestamp() {
    let mut d = doc();
    statement(&mut d)["signatureVerification"] = json!({
        "level": "strict",
        "override": {"expiry": "log", "revocation": "skip"},
        "verifyTimestamp": "afterCertExpiry"
    });
    let policy = oci(&d).unwrap();
    let s = &policy.statements[0];
    assert_eq!(
        CheckType::ALL.map(|c| s.signature_verification.action(c)),
        [
            Action::Enforce,
            Action::Enforce,
            Action::Enforce,
            Action::Log,
            Action::Skip
        ]
    );
    assert_eq!(s.verify_timestamp, VerifyTimestamp::AfterCertExpiry);
}

#[test]
fn statement_messages_follow_notation() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"level": "strict", "override": {"integrity": "log"}}),
         "has invalid signatureVerification: \"integrity\" verification can not be overridden in custom signature verification"),
        (json!({"level": "permissive", "override": {"authenticity": "skip"}}),
         "has invalid signatureVerification: \"authenticity\" verification can not be skipped in custom signature verification"),
        (json!({"level": "strict", "override": {"invalid": "log"}}),
         "has invalid signatureVerification: verification type \"invalid\" in custom signature verification is not supported, supported values are [\"integrity\" \"authenticity\" \"authenticTimestamp\" \"expiry\" \"revocation\"]"),
        (json!({"level": "strict", "override": {"authenticity": "invalid"}}),
         "has invalid signatureVerification: verification action \"invalid\" in custom signature verification is not supported, supported values are [\"enforce\" \"log\" \"skip\"]"),
        (json!({"level": "strict", "verifyTimestamp": "sometimes"}),
         "has invalid signatureVerification: verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got \"sometimes\""),
        (json!({"level": ""}),
         "has invalid signatureVerification: signature verification level is empty or missing in the trust policy statement"),
        (json!({}),
         "has invalid signatureVerification: signature verification level is empty or missing in the trust policy statement"),
        (json!({"level": "invalid"}),
         "has invalid signatureVerification: invalid signature verification level \"invalid\""),
    ];
    for (sv, message) in cases {
        let mut d = doc();
        statement(&mut d)["signatureVerification"] = sv;
        assert_eq!(
            oci_error(&d),
            format!(
                "oci trust policy: trust policy statement \"wabbit-networks-images\" {message}"
            )
        );
    }
    let mut d = doc();
    statement(&mut d)["signatureVerification"] =
        json!({"level": "skip", "override": {"revocation": "log"}});
    statement(&mut d)["trustStores"] = json!([]);
    statement(&mut d)["trustedIdentities"] = json!([]);
    assert!(oci_error(&d).ends_with(
        "has invalid signatureVerification: signature verification level \"skip\" can't be used to customize signature verification"
    ));
}

#[test]
fn trust_material_rules() {
    let prefix = "oci trust policy: trust policy statement \"wabbit-networks-images\" ";
    let mut d = doc();
    statement(&mut d)["trustStores"] = json!([]);
    assert_eq!(
        oci_error(&d),
        format!(
            "{prefix}is either missing trust stores or trusted identities, both must be specified"
        )
    );
    let mut d = doc();
    statement(&mut d)
        .as_object_mut()
        .unwrap()
        .remove("trustedIdentities");
    assert!(oci_error(&d).contains("is either missing trust stores or trusted identities"));

    let mut d = doc();
    statement(&mut d)["signatureVerification"] = json!({"level": "skip"});
    assert_eq!(
        oci_error(&d),
        format!("{prefix}is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped")
    );

    for (stores, message) in [
        (json!(["ca"]), "has malformed trust store value \"ca\". The required format is <TrustStoreType>:<TrustStoreName>"),
        (json!(["invalid:x"]), "uses an unsupported trust store type \"invalid\" in trust store value \"invalid:x\""),
        (json!(["ca:"]), "uses an unsupported trust store name \"\" in trust store value \"ca:\". Named store name needs to follow [a-zA-Z0-9_.-]+ format"),
    ] {
        let mut d = doc();
        statement(&mut d)["trustStores"] = stores;
        assert_eq!(oci_error(&d), format!("{prefix}{message}"));
    }
}

#[test]
fn threat_model_10c_invalid_identities() {
    let prefix = "oci trust policy: trust policy statement \"wabbit-networks-images\" ";
    let cases = [
        ("x509.subject:C=US+ST=WA,O=acme",
         "has trusted identity \"x509.subject:C=US+ST=WA,O=acme\" with invalid identity value: distinguished name (DN) \"C=US+ST=WA,O=acme\" has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported"),
        ("x509.subject:C=US,ST=WA,O=a,O=b",
         "has trusted identity \"x509.subject:C=US,ST=WA,O=a,O=b\" with invalid identity value: distinguished name (DN) \"C=US,ST=WA,O=a,O=b\" has duplicate RDN attribute for \"O\", DN can only have unique RDN attributes"),
        ("x509.subject:C=US,ST=WA,O=#0403616263",
         "has trusted identity \"x509.subject:C=US,ST=WA,O=#0403616263\" with invalid identity value: unsupported distinguished name (DN) \"C=US,ST=WA,O=#0403616263\": x509.subject identities containing \"=#\" are not supported"),
        ("x509.subject:C=US,O=acme",
         "has trusted identity \"x509.subject:C=US,O=acme\" with invalid identity value: distinguished name (DN) \"C=US,O=acme\" has no mandatory RDN attribute for \"ST\", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum"),
    ];
    for (identity, message) in cases {
        let mut d = doc();
        statement(&mut d)["trustedIdentities"] = json!([identity]);
        assert_eq!(oci_error(&d), format!("{prefix}{message}"));
    }
    let mut d = doc();
    statement(&mut d)["trustedIdentities"] = json!([
        "x509.subject:C=US,ST=WA,O=acme",
        "x509.subject:C=US,S=WA,O=acme,OU=build"
    ]);
    assert_eq!(
        oci_error(&d),
        format!("{prefix}has overlapping x509 trustedIdentities, \"x509.subject:C=US,ST=WA,O=acme\" overlaps with \"x509.subject:C=US,S=WA,O=acme,OU=build\"")
    );
    // Unknown prefixes are accepted (and never match).
    let mut d = doc();
    statement(&mut d)["trustedIdentities"] = json!(["nonX509Prefix:my-custom-identity"]);
    let policy = oci(&d).unwrap();
    assert!(!policy.statements[0].identity_matches("O=acme,ST=WA,C=US"));
}

#[test]
fn threat_model_11c_duplicate_members() {
    let bytes = br#"{
        "version": "1.0",
        "trustPolicies": [{
            "name": "p",
            "registryScopes": ["*"],
            "signatureVerification": {"level": "strict", "level": "skip"},
            "trustStores": ["ca:x"],
            "trustedIdentities": ["*"]
        }]
    }"#;
    let error = OciTrustPolicy::from_json(bytes).unwrap_err();
    assert_eq!(error.code(), "ERR_POLICY_INVALID");
    assert!(
        error
            .to_string()
            .contains("duplicate member name \"level\""),
        "{error}"
    );
    // Duplicate override keys and duplicate top-level members too.
    for bytes in [
        br#"{"version": "1.0", "version": "1.0", "trustPolicies": []}"#.as_slice(),
        br#"{"version": "1.0", "trustPolicies": [{"name": "p", "signatureVerification": {"level": "strict", "override": {"expiry": "log", "expiry": "enforce"}}}]}"#,
    ] {
        let error = OciTrustPolicy::from_json(bytes).unwrap_err();
        assert!(matches!(error, PolicyError::Malformed { .. }), "{error}");
    }
}

#[test]
fn malformed_documents() {
    let cases: Vec<(&[u8], &str)> = vec![
        (b"", "malformed trust policy"),
        (b"not json", "malformed trust policy"),
        (b"[]", "the document must be an object"),
        (br#"{"version": 1.0, "trustPolicies": []}"#, "version must be a string"),
        (br#"{"version": "1.0", "trustPolicies": {}}"#, "trustPolicies must be an array"),
        (br#"{"version": "1.0", "trustPolicies": ["x"]}"#, "trustPolicies[0] must be an object"),
        (br#"{"version": "1.0", "trustPolicies": [{"name": 1}]}"#, "trustPolicies[0].name must be a string"),
        (br#"{"version": "1.0", "trustPolicies": [{"registryScopes": "*"}]}"#, "trustPolicies[0].registryScopes must be an array of strings"),
        (br#"{"version": "1.0", "trustPolicies": [{"trustStores": [null]}]}"#, "trustPolicies[0].trustStores[0] must be a string"),
        (br#"{"version": "1.0", "trustPolicies": [{"signatureVerification": "strict"}]}"#, "trustPolicies[0].signatureVerification must be an object"),
        (br#"{"version": "1.0", "trustPolicies": [{"signatureVerification": {"level": "strict", "override": {"expiry": false}}}]}"#, "trustPolicies[0].signatureVerification.override.expiry must be a string"),
        (br#"{"version": "1.0", "trustPolicies": [], "extra": 1}"#, "the document has unknown member \"extra\""),
        (br#"{"Version": "1.0", "trustPolicies": []}"#, "the document has unknown member \"Version\""),
        (br#"{"version": "1.0", "trustPolicies": [{"name": "p", "globalPolicy": true}]}"#, "trustPolicies[0] has unknown member \"globalPolicy\""),
        (br#"{"version": "1.0", "trustPolicies": [{"signatureVerification": {"Override": {}}}]}"#, "trustPolicies[0].signatureVerification has unknown member \"Override\""),
        (br#"{"version": "1.0"} {}"#, "malformed trust policy"),
    ];
    for (bytes, message) in cases {
        let error = OciTrustPolicy::from_json(bytes).unwrap_err();
        assert!(matches!(error, PolicyError::Malformed { .. }), "{error}");
        assert_eq!(error.code(), "ERR_POLICY_INVALID");
        assert!(
            error.to_string().contains(message),
            "{error} should contain {message}"
        );
    }
}

#[test]
fn null_members_count_as_absent() {
    let mut d = doc();
    statement(&mut d)["signatureVerification"]["override"] = Value::Null;
    statement(&mut d)["signatureVerification"]["verifyTimestamp"] = Value::Null;
    assert!(oci(&d).is_ok());
    let mut d = doc();
    statement(&mut d)["trustStores"] = Value::Null;
    assert!(oci_error(&d).contains("is either missing trust stores or trusted identities"));
    let d = json!({"version": "1.0", "trustPolicies": null});
    assert_eq!(
        oci_error(&d),
        "oci trust policy document can not have zero trust policy statements"
    );
}

#[test]
fn bounds() {
    let big = vec![b' '; MAX_POLICY_DOCUMENT_BYTES + 1];
    let error = OciTrustPolicy::from_json(&big).unwrap_err();
    assert!(
        error.to_string().contains("larger than the limit"),
        "{error}"
    );

    let deep = format!("{{\"version\": {}1{}}}", "[".repeat(100), "]".repeat(100));
    assert!(OciTrustPolicy::from_json(deep.as_bytes())
        .unwrap_err()
        .to_string()
        .contains("nesting"));

    let mut d = doc();
    statement(&mut d)["registryScopes"] = Value::Array(
        (0..=MAX_REGISTRY_SCOPES)
            .map(|i| json!(format!("r.io/repo{i}")))
            .collect(),
    );
    assert!(oci_error(&d).contains("more than the limit"));

    let mut d = doc();
    statement(&mut d)["trustedIdentities"] = Value::Array(
        (0..=MAX_TRUSTED_IDENTITIES)
            .map(|i| json!(format!("x509.subject:C=US,ST=WA,O=o{i}")))
            .collect(),
    );
    assert!(oci_error(&d).contains("more than the limit"));

    // The largest allowed identity list validates quickly despite the pairwise overlap rule.
    let mut d = doc();
    statement(&mut d)["trustedIdentities"] = Value::Array(
        (0..MAX_TRUSTED_IDENTITIES)
            .map(|i| json!(format!("x509.subject:C=US,ST=WA,O=org,OU=unit{i}")))
            .collect(),
    );
    assert!(oci(&d).is_ok());

    let statements: Vec<Value> = (0..=MAX_STATEMENTS)
        .map(|i| json!({"name": format!("s{i}"), "registryScopes": [format!("r.io/s{i}")], "signatureVerification": {"level": "skip"}}))
        .collect();
    assert!(
        oci_error(&json!({"version": "1.0", "trustPolicies": statements}))
            .contains("more than the limit")
    );
}

#[test]
fn document_rules_and_order() {
    assert_eq!(
        oci_error(&json!({"trustPolicies": []})),
        "oci trust policy document has empty version, version must be specified"
    );
    assert_eq!(
        oci_error(&json!({"version": "2.0", "trustPolicies": []})),
        "oci trust policy document uses unsupported version \"2.0\""
    );
    assert_eq!(
        oci_error(&json!({"version": "1.0", "trustPolicies": []})),
        "oci trust policy document can not have zero trust policy statements"
    );
    let mut d = doc();
    statement(&mut d)["name"] = json!("");
    assert_eq!(
        oci_error(&d),
        "oci trust policy: a trust policy statement is missing a name, every statement requires a name"
    );

    // Names are checked statement by statement, before the registry scopes of any statement.
    let mut d = doc();
    let first = statement(&mut d).clone();
    let mut second = first.clone();
    second["registryScopes"] = json!([]);
    d["trustPolicies"] = json!([first.clone(), second.clone()]);
    assert_eq!(
        oci_error(&d),
        "multiple oci trust policy statements use the same name \"wabbit-networks-images\", statement names must be unique"
    );
    second["name"] = json!("other");
    d["trustPolicies"] = json!([first.clone(), second.clone()]);
    assert_eq!(
        oci_error(&d),
        "oci trust policy statement \"other\" has zero registry scopes, it must specify registry scopes with at least one value"
    );
    // Core rules of a later statement come before scope rules of an earlier one.
    let mut bad_first = first.clone();
    bad_first["registryScopes"] = json!(["bad scope"]);
    second["registryScopes"] = json!(["r.io/other"]);
    second["trustStores"] = json!(["ca"]);
    d["trustPolicies"] = json!([bad_first, second.clone()]);
    assert!(oci_error(&d).contains("malformed trust store value \"ca\""));
    // A malformed scope is reported before a duplicated one, wherever they are.
    second["trustStores"] = json!(["ca:x"]);
    second["registryScopes"] =
        json!(["registry.acme-rockets.io/software/net-monitor", "Bad/Scope"]);
    d["trustPolicies"] = json!([first.clone(), second.clone()]);
    assert_eq!(
        oci_error(&d),
        "registry scope \"Bad/Scope\" is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout"
    );
    second["registryScopes"] = json!(["registry.acme-rockets.io/software/net-monitor"]);
    d["trustPolicies"] = json!([first.clone(), second.clone()]);
    assert_eq!(
        oci_error(&d),
        "registry scope \"registry.acme-rockets.io/software/net-monitor\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement"
    );
    // A scope repeated inside one statement counts too.
    let mut d = doc();
    statement(&mut d)["registryScopes"] = json!(["r.io/a", "r.io/a"]);
    assert!(oci_error(&d).contains("registry scope \"r.io/a\" is present in multiple"));
    let mut d = doc();
    statement(&mut d)["registryScopes"] = json!(["*", "r.io/a"]);
    assert_eq!(
        oci_error(&d),
        "oci trust policy statement \"wabbit-networks-images\" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values"
    );
    let mut d = doc();
    statement(&mut d)["registryScopes"] = json!(["r.io/*"]);
    assert!(oci_error(&d).contains("registry scope \"r.io/*\" with wild card(s) is not valid"));
}

/// A document with a `*` statement and one per given scope.
fn selection_doc(scopes: &[&str]) -> OciTrustPolicy {
    let mut statements = vec![json!({
        "name": "global", "registryScopes": ["*"],
        "signatureVerification": {"level": "audit"},
        "trustStores": ["ca:x"], "trustedIdentities": ["*"]
    })];
    for (i, scope) in scopes.iter().enumerate() {
        statements.push(json!({
            "name": format!("s{i}"), "registryScopes": [scope],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:x"], "trustedIdentities": ["*"]
        }));
    }
    oci(&json!({"version": "1.0", "trustPolicies": statements})).unwrap()
}

#[test]
fn selection_prefers_the_exact_scope() {
    let policy = selection_doc(&["r.io/app", "r.io:443/app"]);
    let pick = |reference: &str| {
        policy
            .applicable_statement(reference)
            .map(|s| s.name.clone())
    };
    assert_eq!(pick("r.io/app@sha256:abc"), Ok("s0".into()));
    assert_eq!(pick("r.io:443/app@sha256:abc"), Ok("s1".into()));
    // Threat model 23: no normalisation, no prefix matching — these fall to `*`.
    assert_eq!(pick("r.io:5000/app@sha256:abc"), Ok("global".into()));
    assert_eq!(pick("r.io/app/sub@sha256:abc"), Ok("global".into()));
    assert_eq!(pick("R.io/app@sha256:abc"), Ok("global".into()));
}

#[test]
fn threat_model_23a_unqualified_references_and_two_wildcards() {
    let policy = selection_doc(&[]);
    for reference in [
        "app",
        "app:latest",
        "r.io/app:latest",
        "r.io/app",
        "app@sha256:abc",
    ] {
        let error = policy.applicable_statement(reference).unwrap_err();
        assert_eq!(error.code(), "ERR_PARSE", "{reference}");
    }
    let statement = json!({
        "name": "a", "registryScopes": ["*"], "signatureVerification": {"level": "skip"}
    });
    let mut other = statement.clone();
    other["name"] = json!("b");
    let error = oci(&json!({"version": "1.0", "trustPolicies": [statement, other]})).unwrap_err();
    assert_eq!(error.code(), "ERR_POLICY_INVALID");
    assert_eq!(
        error.to_string(),
        "registry scope \"*\" is present in multiple oci trust policy statements, one registry scope value can only be associated with one statement"
    );
}

#[test]
fn threat_model_23b_no_applicable_statement() {
    let policy = oci(&doc()).unwrap();
    let error = policy
        .applicable_statement("r.io/other@sha256:abc")
        .unwrap_err();
    assert_eq!(error.code(), "ERR_NO_APPLICABLE_TRUST_POLICY");
    assert!(error.to_string().starts_with(
        "artifact \"r.io/other@sha256:abc\" has no applicable oci trust policy statement"
    ));
    assert_eq!(
        policy
            .applicable_statement("registry.acme-rockets.io/software/net-monitor@sha256:abc")
            .unwrap()
            .name,
        "wabbit-networks-images"
    );
}

#[test]
fn spec_only_checks_are_opt_in() {
    let skip_global = json!({
        "version": "1.0",
        "trustPolicies": [{"name": "g", "registryScopes": ["*"], "signatureVerification": {"level": "skip"}}]
    });
    assert!(OciTrustPolicy::from_value(&skip_global).is_ok());
    let error = OciTrustPolicy::from_value_with(&skip_global, ValidationOptions::spec_strict())
        .unwrap_err();
    assert_eq!(error.code(), "ERR_POLICY_INVALID");
    assert!(matches!(
        error,
        PolicyError::SkipOnGlobal {
            kind: PolicyKind::Oci,
            ..
        }
    ));
    // `skip` on a named scope stays valid under the spec's rules.
    let skip_named = json!({
        "version": "1.0",
        "trustPolicies": [{"name": "g", "registryScopes": ["r.io/a"], "signatureVerification": {"level": "skip"}}]
    });
    assert!(OciTrustPolicy::from_value_with(&skip_named, ValidationOptions::spec_strict()).is_ok());

    let blob_skip_global = json!({
        "version": "1.0",
        "trustPolicies": [{"name": "g", "globalPolicy": true, "signatureVerification": {"level": "skip"}}]
    });
    assert!(BlobTrustPolicy::from_value(&blob_skip_global).is_ok());
    let error =
        BlobTrustPolicy::from_value_with(&blob_skip_global, ValidationOptions::spec_strict())
            .unwrap_err();
    assert_eq!(
        error.to_string(),
        "global blob trust policy statement cannot have verification level set to skip"
    );
    assert_eq!(
        ValidationOptions::default(),
        ValidationOptions::notation_compatible()
    );
}

fn blob_doc() -> Value {
    json!({
        "version": "1.0",
        "trustPolicies": [
            {"name": "named", "signatureVerification": {"level": "strict"},
             "trustStores": ["ca:x"], "trustedIdentities": ["*"]},
            {"name": "global", "globalPolicy": true, "signatureVerification": {"level": "audit"},
             "trustStores": ["ca:x"], "trustedIdentities": ["*"]}
        ]
    })
}

#[test]
fn blob_policies() {
    let policy = BlobTrustPolicy::from_value(&blob_doc()).unwrap();
    assert_eq!(
        BlobTrustPolicy::from_json(&serde_json::to_vec(&blob_doc()).unwrap()).unwrap(),
        policy
    );
    assert_eq!(policy.statement(Some("named")).unwrap().name, "named");
    assert_eq!(policy.statement(None).unwrap().name, "global");
    assert!(policy.statement(None).unwrap().registry_scopes.is_empty());
    let error = policy.statement(Some("missing")).unwrap_err();
    assert_eq!(error.code(), "ERR_NO_APPLICABLE_TRUST_POLICY");
    assert_eq!(
        error.to_string(),
        "no applicable blob trust policy with name \"missing\""
    );
    assert_eq!(
        policy.statement(Some("  ")).unwrap_err(),
        PolicyError::EmptyBlobStatementName
    );

    let mut no_global = blob_doc();
    no_global["trustPolicies"][1]["globalPolicy"] = json!(false);
    let policy = BlobTrustPolicy::from_value(&no_global).unwrap();
    assert_eq!(
        policy.statement(None).unwrap_err().to_string(),
        "no global blob trust policy"
    );

    let mut two_global = blob_doc();
    two_global["trustPolicies"][0]["globalPolicy"] = json!(true);
    assert_eq!(
        BlobTrustPolicy::from_value(&two_global).unwrap_err(),
        PolicyError::MultipleGlobalStatements
    );
    let mut scoped = blob_doc();
    scoped["trustPolicies"][0]["registryScopes"] = json!(["*"]);
    assert!(matches!(
        BlobTrustPolicy::from_value(&scoped),
        Err(PolicyError::Malformed { .. })
    ));
    let mut bad_global = blob_doc();
    bad_global["trustPolicies"][1]["globalPolicy"] = json!("true");
    assert!(matches!(
        BlobTrustPolicy::from_value(&bad_global),
        Err(PolicyError::Malformed { .. })
    ));
    let mut bad_core = blob_doc();
    bad_core["trustPolicies"][1]["trustStores"] = json!(["ca"]);
    assert!(BlobTrustPolicy::from_value(&bad_core)
        .unwrap_err()
        .to_string()
        .starts_with(
            "blob trust policy: trust policy statement \"global\" has malformed trust store value"
        ));
    assert_eq!(
        BlobTrustPolicy::from_value(&json!({"version": "1.0", "trustPolicies": []}))
            .unwrap_err()
            .to_string(),
        "blob trust policy document can not have zero trust policy statements"
    );
}
