//! Conformance: every `policy-validate` and `trusted-identity-match` case of the notation vectors
//! (`tests/vectors/notation/cases.json`) through `nv2::policy`, plus statement selection
//! for the policies and artifact references of the `verify-oci` and `verify-blob` cases.
//!
//! A case passes when nv2's verdict (document valid or not; identity matches or not) equals the
//! expected one and, where the case records notation-go's error text (`go_error` exactly,
//! `go_error_contains` as a substring), nv2's message says the same. Cases nv2 knowingly decides
//! differently are listed with their reason in `tests/exceptions.json`; such a case is counted
//! as an exception (and reported if it starts passing, so the file can be pruned). Nothing is
//! skipped silently: an unknown field value or a missing file fails the run.
//!
//! The vectors are vendored under `tests/vectors/notation`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nv2::policy::{BlobTrustPolicy, OciTrustPolicy, PolicyError};
use serde_json::{json, Value};

/// The notation vectors vendored in the repository (tests/vectors/notation/README.md).
fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/notation")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_cases(dir: &Path) -> Vec<Value> {
    let cases: Value = serde_json::from_slice(&read(&dir.join("cases.json"))).expect("cases.json");
    cases.as_array().expect("cases.json is an array").clone()
}

/// The reviewed exceptions: case id → reason.
fn exceptions() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exceptions.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .expect("tests/exceptions.json is an object of case id → reason"),
        Err(_) => BTreeMap::new(),
    }
}

/// Leaf certificate subjects as Go's `pkix.Name.String()` renders them (the input of notation's
/// identity matching), for the certificates the `trusted-identity-match` cases use.
///
/// Test-only stand-in until `nv2::x509::Certificate::subject_rfc4514()` is available. Derived
/// with `openssl x509 -noout -subject -nameopt RFC2253` and put in Go's order: Go emits the
/// attributes it knows in the fixed order SERIALNUMBER, CN, OU, O, POSTALCODE, STREET, L, ST, C
/// whatever their order in the certificate.
/// - `signing-cert.pem` is encoded C, ST, L, O, OU, CN, so OpenSSL's reversed RFC 2253 order is
///   Go's order: `CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US`.
/// - `bad-cert.pem` is encoded C, ST, L, CN, OU, O; OpenSSL prints
///   `O=SomeOrg,OU=SomeOU,CN=Bad=#CN,L=Seattle,ST=WA,C=US`, Go reorders it as below. Go escapes
///   neither `=` nor a `#` that is not the first character, so the value stays `Bad=#CN`.
///
/// `check_subject_fixture` confirms every value is in the certificate.
const LEAF_SUBJECTS: [(&str, &str); 2] = [
    (
        "notation-go/verifier/testdata/verifier/signing-cert.pem",
        "CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US",
    ),
    (
        "notation-go/verifier/testdata/verifier/bad-cert.pem",
        "CN=Bad=#CN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US",
    ),
];

/// Honesty check for [`LEAF_SUBJECTS`]: each attribute value of the fixture occurs in the
/// certificate's DER, once for the subject and once for the issuer (both test certificates are
/// self-signed). A check of the table, not an X.509 parser.
fn check_subject_fixture(dir: &Path, cert: &str, subject: &str) {
    use base64ct::{Base64, Encoding};
    let pem = String::from_utf8(read(&dir.join(cert))).expect("PEM is text");
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    let der = Base64::decode_vec(body.trim()).expect("PEM body is base64");
    for rdn in subject.split(',') {
        let (_, value) = rdn.split_once('=').expect("fixture RDN has a type");
        let occurrences = der
            .windows(value.len())
            .filter(|window| *window == value.as_bytes())
            .count();
        assert!(
            occurrences >= 2,
            "{cert}: fixture value {value:?} found {occurrences} times in the certificate"
        );
    }
}

/// The text notation-go gives for the case, if recorded: (text, whether it is the whole message).
fn expected_text(expect: &Value) -> Option<(&str, bool)> {
    if let Some(text) = expect["go_error"].as_str() {
        return Some((text, true));
    }
    expect["go_error_contains"]
        .as_str()
        .map(|text| (text, false))
}

/// Runs one `policy-validate` case: `Ok(true)` when nv2 agrees on the verdict and on notation's
/// recorded message, `Ok(false)` when it agrees and there is no message to compare, else what
/// differs.
fn run_policy_validate(dir: &Path, case: &Value) -> Result<bool, String> {
    let bytes = read(&dir.join(case["policy"].as_str().expect("policy path")));
    let result: Result<(), PolicyError> = match case["policy_type"].as_str() {
        Some("oci") => OciTrustPolicy::from_json(&bytes).map(drop),
        Some("blob") => BlobTrustPolicy::from_json(&bytes).map(drop),
        other => panic!("{}: unknown policy_type {other:?}", case["id"]),
    };
    let expect = &case["expect"];
    let want_ok = expect["ok"].as_bool().expect("expect.ok");
    match (&result, want_ok) {
        (Ok(()), true) => Ok(false),
        (Ok(()), false) => Err(format!(
            "accepted; expected an error {:?}",
            expected_text(expect)
        )),
        (Err(error), true) => Err(format!("refused ({}): {error}", error.code())),
        (Err(error), false) => {
            if error.code() != "ERR_POLICY_INVALID" {
                return Err(format!(
                    "code {} for a document error: {error}",
                    error.code()
                ));
            }
            let message = error.to_string();
            match expected_text(expect) {
                Some((text, true)) if message != text => {
                    Err(format!("message differs:\n  nv2: {message}\n  go:  {text}"))
                }
                Some((text, false)) if !message.contains(text) => Err(format!(
                    "message lacks notation's text:\n  nv2: {message}\n  go:  {text}"
                )),
                Some(_) => Ok(true),
                None => Ok(false),
            }
        }
    }
}

/// Builds a one-statement OCI policy with the case's identities and asks whether the leaf
/// subject matches. An identity list the policy rules refuse (e.g. `=#` in a DN) cannot match:
/// notation refuses the same DN when it parses the identities at verification time.
fn run_identity_match(dir: &Path, case: &Value) -> Result<bool, String> {
    let cert = case["leaf_cert"].as_str().expect("leaf_cert");
    let Some((_, subject)) = LEAF_SUBJECTS.iter().find(|(path, _)| *path == cert) else {
        panic!("{}: no subject fixture for {cert}", case["id"]);
    };
    check_subject_fixture(dir, cert, subject);
    let document = json!({
        "version": "1.0",
        "trustPolicies": [{
            "name": "identity-case",
            "registryScopes": ["*"],
            "signatureVerification": {"level": "strict"},
            "trustStores": ["ca:test"],
            "trustedIdentities": case["trusted_identities"].clone(),
        }]
    });
    let matched = match OciTrustPolicy::from_value(&document) {
        Ok(policy) => policy.statements[0].identity_matches(subject),
        Err(_) => false,
    };
    let want = case["expect"]["ok"].as_bool().expect("expect.ok");
    if matched == want {
        Ok(false)
    } else {
        Err(format!(
            "identity match {matched}, expected {want} for subject {subject}"
        ))
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    messages_compared: usize,
    failed: Vec<(String, String)>,
    exceptions: usize,
    stale_exceptions: Vec<String>,
}

#[test]
fn policy_conformance() {
    let dir = conformance_dir();
    let exceptions = exceptions();
    let mut tally = Tally::default();
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();

    for case in load_cases(&dir) {
        let kind = case["kind"].as_str().expect("kind");
        let result = match kind {
            "policy-validate" => run_policy_validate(&dir, &case),
            "trusted-identity-match" => run_identity_match(&dir, &case),
            _ => continue,
        };
        *per_kind.entry(kind.to_owned()).or_default() += 1;
        let id = case["id"].as_str().expect("id").to_owned();
        match (result, exceptions.contains_key(&id)) {
            (Ok(compared), false) => {
                tally.passed += 1;
                tally.messages_compared += usize::from(compared);
            }
            (Err(reason), false) => tally.failed.push((id, reason)),
            (Ok(_), true) => {
                tally.exceptions += 1;
                tally.stale_exceptions.push(id);
            }
            (Err(_), true) => tally.exceptions += 1,
        }
    }

    for (id, reason) in &tally.failed {
        eprintln!("FAIL {id}: {reason}");
    }
    for id in &tally.stale_exceptions {
        eprintln!("NOTE {id} is listed in tests/exceptions.json but now passes");
    }
    println!(
        "policy conformance: {} passed, {} failed, {} exceptions ({}; notation's message \
         matched in {})",
        tally.passed,
        tally.failed.len(),
        tally.exceptions,
        per_kind
            .iter()
            .map(|(kind, n)| format!("{kind}: {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        tally.messages_compared
    );
    // The vectors hold 94 policy-validate and 10 trusted-identity-match cases; a smaller count
    // means the vectors moved or the harness lost some.
    assert_eq!(
        per_kind.get("policy-validate"),
        Some(&94),
        "policy-validate cases"
    );
    assert_eq!(
        per_kind.get("trusted-identity-match"),
        Some(&10),
        "trusted-identity-match cases"
    );
    assert!(
        tally.failed.is_empty(),
        "{} unexpected failures",
        tally.failed.len()
    );
    assert!(tally.passed > 0);
}

/// Every policy used by a `verify-oci` or `verify-blob` case loads, and selects a statement for
/// the case's artifact reference or policy name, except where the case expects verification to
/// stop at policy selection.
#[test]
fn policy_selection_for_verify_cases() {
    let dir = conformance_dir();
    let mut passed = 0;
    let mut failed: Vec<String> = Vec::new();
    for case in load_cases(&dir) {
        let kind = case["kind"].as_str().unwrap_or_default();
        if kind != "verify-oci" && kind != "verify-blob" {
            continue;
        }
        let id = case["id"].as_str().expect("id");
        let Some(policy_path) = case["policy"].as_str() else {
            failed.push(format!("{id}: no policy"));
            continue;
        };
        let bytes = read(&dir.join(policy_path));
        let stops_at_policy = case["expect"]["fail_at"] == "policy";
        let outcome = if kind == "verify-oci" {
            let reference = case["artifact_reference"]
                .as_str()
                .expect("artifact_reference");
            OciTrustPolicy::from_json(&bytes).and_then(|policy| {
                policy
                    .applicable_statement(reference)
                    .map(|statement| statement.name.clone())
            })
        } else {
            let name = case["policy_name"].as_str();
            BlobTrustPolicy::from_json(&bytes).and_then(|policy| {
                policy
                    .statement(name)
                    .map(|statement| statement.name.clone())
            })
        };
        match (outcome, stops_at_policy) {
            (Ok(_), false) => passed += 1,
            (Err(error), true) if error.code() == "ERR_NO_APPLICABLE_TRUST_POLICY" => passed += 1,
            (Ok(name), true) => failed.push(format!("{id}: selected {name:?}, expected none")),
            (Err(error), _) => failed.push(format!("{id}: {} {error}", error.code())),
        }
    }
    for failure in &failed {
        eprintln!("FAIL {failure}");
    }
    println!("policy selection: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{} unexpected failures", failed.len());
    assert!(passed > 0);
}
