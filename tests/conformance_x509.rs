//! Conformance: the X.509 and trust-store cases of the notation vectors (`cases.json`).
//!
//! Drives every case of kinds `cert-chain-codesigning`, `cert-chain-timestamping`,
//! `cert-ca-codesigning`, `cert-leaf-codesigning`, `cert-leaf-timestamping`, `cert-file-parse` and
//! `truststore-load`. A case passes when the verdict (`ok`, certificate count) matches and, where
//! the case gives notation's message (`go_error`), nv2's message is identical. Cases listed in
//! `tests/exceptions.json` are known, reviewed divergences and count as exceptions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nv2::time::Instant;
use nv2::truststore::{fs, TrustStore};
use nv2::x509::{self, Certificate};
use serde_json::Value;

const KINDS: [&str; 7] = [
    "cert-chain-codesigning",
    "cert-chain-timestamping",
    "cert-ca-codesigning",
    "cert-leaf-codesigning",
    "cert-leaf-timestamping",
    "cert-file-parse",
    "truststore-load",
];

/// The notation vectors vendored in the repository (tests/vectors/notation/README.md).
fn conformance_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/notation"))
}

fn exceptions() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exceptions.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).expect("tests/exceptions.json is a flat object"),
        Err(_) => BTreeMap::new(),
    }
}

fn load_one(dir: &Path, rel: &str) -> Result<Certificate, String> {
    let bytes = std::fs::read(dir.join(rel)).map_err(|e| format!("{rel}: {e}"))?;
    let mut certs = Certificate::parse_pem_or_der(&bytes).map_err(|e| format!("{rel}: {e}"))?;
    if certs.len() != 1 {
        return Err(format!(
            "{rel}: expected one certificate, got {}",
            certs.len()
        ));
    }
    Ok(certs.remove(0))
}

/// Outcome of running a case: `Ok(count)` or `Err(message)`.
fn run(dir: &Path, case: &Value) -> Result<Option<usize>, String> {
    let kind = case["kind"].as_str().unwrap_or_default();
    let time = match case.get("signing_time") {
        Some(Value::String(s)) => Some(Instant::parse_rfc3339(s).map_err(|e| e.to_string())?),
        _ => None,
    };
    match kind {
        "cert-chain-codesigning" | "cert-chain-timestamping" => {
            let chain = case["chain"]
                .as_array()
                .ok_or("chain missing")?
                .iter()
                .map(|p| load_one(dir, p.as_str().unwrap_or_default()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("SETUP: {e}"))?;
            let res = if kind == "cert-chain-codesigning" {
                x509::validate_code_signing_chain(&chain, time)
            } else {
                x509::validate_timestamping_chain(&chain, time)
            };
            res.map(|()| None).map_err(|e| e.to_string())
        }
        "cert-ca-codesigning" | "cert-leaf-codesigning" | "cert-leaf-timestamping" => {
            let cert = load_one(dir, case["cert"].as_str().unwrap_or_default())
                .map_err(|e| format!("SETUP: {e}"))?;
            let res = match kind {
                "cert-ca-codesigning" => {
                    let n = case["expected_path_len"].as_u64().ok_or("no path len")? as usize;
                    x509::validate_ca(&cert, n)
                }
                "cert-leaf-codesigning" => x509::validate_code_signing_leaf(&cert),
                _ => x509::validate_timestamping_leaf(&cert),
            };
            res.map(|()| None).map_err(|e| e.to_string())
        }
        "cert-file-parse" => {
            let bytes = std::fs::read(dir.join(case["file"].as_str().unwrap_or_default()))
                .map_err(|e| format!("SETUP: {e}"))?;
            Certificate::parse_pem_or_der(&bytes)
                .map(|c| Some(c.len()))
                .map_err(|e| e.to_string())
        }
        "truststore-load" => {
            let root = dir.join(case["truststore_dir"].as_str().unwrap_or_default());
            let ty = case["store_type"].as_str().unwrap_or_default();
            let name = case["store_name"].as_str().unwrap_or_default();
            let files = fs::load_named_store(&root, ty, name).map_err(|e| e.to_string())?;
            let mut store = TrustStore::new();
            let n = store
                .add_named_store(ty, name, &files)
                .map_err(|e| e.to_string())?;
            let got = store.certificates(ty, name).map_err(|e| e.to_string())?;
            assert_eq!(got.len(), n);
            Ok(Some(n))
        }
        other => Err(format!("SETUP: unknown kind {other}")),
    }
}

/// `None` when the outcome matches the expectation, else why not.
fn judge(case: &Value, outcome: &Result<Option<usize>, String>) -> Option<String> {
    let expect = &case["expect"];
    let want_ok = expect["ok"].as_bool().unwrap_or(false);
    match outcome {
        Err(msg) if msg.starts_with("SETUP:") => Some(msg.clone()),
        Ok(count) => {
            if !want_ok {
                return Some("expected failure, got ok".into());
            }
            match (expect.get("count").and_then(Value::as_u64), count) {
                (Some(want), Some(got)) if want as usize != *got => {
                    Some(format!("expected {want} certificates, got {got}"))
                }
                _ => None,
            }
        }
        Err(msg) => {
            if want_ok {
                return Some(format!("expected ok, got error: {msg}"));
            }
            if let Some(want) = expect.get("go_error").and_then(Value::as_str) {
                if want != msg {
                    return Some(format!("message differs:\n   want: {want}\n    got: {msg}"));
                }
            }
            if let Some(want) = expect.get("go_error_contains").and_then(Value::as_str) {
                if !msg.contains(want) {
                    return Some(format!("message lacks {want:?}: {msg}"));
                }
            }
            None
        }
    }
}

#[test]
fn x509_conformance() {
    let dir = conformance_dir();
    let cases_path = dir.join("cases.json");
    let text = std::fs::read_to_string(&cases_path).unwrap_or_else(|e| {
        panic!(
            "conformance vectors not found at {} ({e})",
            cases_path.display()
        )
    });
    let cases: Vec<Value> = serde_json::from_str(&text).expect("cases.json is a JSON array");
    let exceptions = exceptions();

    let (mut passed, mut failed, mut excepted) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for case in &cases {
        let kind = case["kind"].as_str().unwrap_or_default();
        if !KINDS.contains(&kind) {
            continue;
        }
        let id = case["id"].as_str().unwrap_or("?");
        let outcome = run(&dir, case);
        match (judge(case, &outcome), exceptions.get(id)) {
            (None, Some(_)) => {
                println!("note: {id} passes but is listed in tests/exceptions.json");
                passed += 1;
            }
            (None, None) => passed += 1,
            (Some(why), Some(reason)) => {
                println!("exception {id}: {reason} ({why})");
                excepted += 1;
            }
            (Some(why), None) => {
                failures.push(format!("{id} [{kind}]: {why}"));
                failed += 1;
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("x509 conformance: {passed} passed, {failed} failed, {excepted} exceptions");
    assert!(passed > 0, "no x509 conformance case ran");
    assert_eq!(failed, 0, "unexpected failures:\n{}", failures.join("\n"));
}

/// The subject strings notation matches trusted identities against (Go's `pkix.Name.String()`).
#[test]
fn subjects_render_as_go() {
    let dir = conformance_dir();
    let cases = [
        (
            "notation-go/verifier/testdata/verifier/signing-cert.pem",
            "CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US",
        ),
        (
            "notation-core-go/x509/testdata/timestamp_leaf.crt",
            "CN=DigiCert Timestamp 2023,O=DigiCert\\, Inc.,C=US",
        ),
        (
            "notation-core-go/x509/testdata/timestamp_root.crt",
            "CN=DigiCert Trusted Root G4,OU=www.digicert.com,O=DigiCert Inc,C=US",
        ),
    ];
    for (rel, want) in cases {
        let cert = load_one(&dir, rel).unwrap();
        assert_eq!(cert.subject_rfc4514(), want, "{rel}");
    }
}
