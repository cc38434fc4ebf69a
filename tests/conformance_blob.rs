//! Conformance: every `verify-blob` case of the notation vectors through `nv2::verify::verify_blob`
//! (detached blob signatures, signature-specification.md §Blob Signatures).
//!
//! A case passes when nv2's verdict equals the expected one: `ok`, the stage it stops at
//! (`fail_at`) and the checks whose failure was only logged. Exceptions live in
//! `tests/exceptions.json`, as for the OCI harness.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use nv2::policy::BlobTrustPolicy;
use nv2::time::Instant;
use nv2::truststore::TrustStore;
use nv2::verify::{verify_blob, BlobContent, BlobVerifyRequest, VerifyError};
use serde_json::Value;

use support::vectors::{conformance_dir, exceptions, load_cases, read};

fn trust_store(dir: &Path, spec: &Value) -> TrustStore {
    let mut store = TrustStore::new();
    for (key, files) in spec["stores"]
        .as_object()
        .expect("blob cases name their stores")
    {
        let (store_type, name) = key.split_once(':').unwrap();
        let files: Vec<(String, Vec<u8>)> = files
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let f = f.as_str().unwrap();
                (
                    f.rsplit('/').next().unwrap().to_string(),
                    read(&dir.join(f)),
                )
            })
            .collect();
        store
            .add_named_store(store_type, name, &files)
            .unwrap_or_else(|e| panic!("store {key}: {e}"));
    }
    store
}

/// nv2's verdict: (ok, fail_at, logged checks sorted, message).
type Verdict = (bool, Option<String>, Vec<String>, Option<String>);

fn run_case(dir: &Path, case: &Value) -> Verdict {
    let policy = BlobTrustPolicy::from_json(&read(&dir.join(case["policy"].as_str().unwrap())))
        .expect("case policy is valid");
    let store = trust_store(dir, &case["truststore"]);
    let envelope = read(&dir.join(case["envelope"].as_str().unwrap()));
    let blob = read(&dir.join(case["blob"].as_str().unwrap()));
    let user_metadata: BTreeMap<String, String> = case
        .get("user_metadata")
        .map(|m| serde_json::from_value(m.clone()).unwrap())
        .unwrap_or_default();
    assert_eq!(
        case["revocation"], "offline-ok",
        "only offline-ok blob cases exist"
    );
    let req = BlobVerifyRequest {
        envelope: &envelope,
        media_type: case["envelope_media_type"].as_str().unwrap(),
        blob: BlobContent::Bytes(&blob),
        blob_media_type: case["blob_media_type"].as_str(),
        policy: &policy,
        policy_name: case["policy_name"].as_str(),
        trust_store: &store,
        now: Instant::parse_rfc3339(case["now"].as_str().unwrap()).unwrap(),
        user_metadata: &user_metadata,
        revocation: None,
    };
    match verify_blob(&req) {
        Ok(o) => {
            let mut logged: Vec<String> = o.logged().iter().map(|c| c.name().to_string()).collect();
            logged.sort();
            (
                o.verified,
                o.failure.as_ref().map(|(s, _)| s.name().to_string()),
                logged,
                o.failure.as_ref().map(|(_, e)| e.to_string()),
            )
        }
        Err(VerifyError::Policy(e)) => (false, Some("policy".into()), vec![], Some(e.to_string())),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn notation_blob_vectors() {
    let dir = conformance_dir();
    let exceptions = exceptions();
    let (mut passed, mut failed, mut excepted, mut messages, mut with_message) = (0, 0, 0, 0, 0);
    for case in load_cases(&dir) {
        if case["kind"] != "verify-blob" {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let (ok, fail_at, logged, message) = run_case(&dir, &case);
        let e = &case["expect"];
        let mut want_logged: Vec<String> = e["logged"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        want_logged.sort();
        let same = ok == e["ok"].as_bool().unwrap()
            && fail_at.as_deref() == e["fail_at"].as_str()
            && logged == want_logged;
        if let (true, Some(text)) = (
            same,
            e["go_error"].as_str().or(e["go_error_contains"].as_str()),
        ) {
            with_message += 1;
            if message.as_deref().is_some_and(|m| m.contains(text)) {
                messages += 1;
            } else {
                println!("message {id}: got {message:?}, notation {text:?}");
            }
        }
        match (same, exceptions.get(id)) {
            (true, None) => passed += 1,
            (true, Some(_)) => {
                excepted += 1;
                println!("EXCEPTION NOW PASSES {id}: prune it from tests/exceptions.json");
            }
            (false, Some(reason)) => {
                excepted += 1;
                println!("exception {id}: {reason}");
            }
            (false, None) => {
                failed += 1;
                println!(
                    "FAIL {id}: got {:?}, want {e}",
                    (ok, fail_at, logged, message)
                );
            }
        }
    }
    println!(
        "blob conformance: {passed} passed, {failed} failed, {excepted} exceptions; notation's message text matched in {messages}/{with_message}"
    );
    assert_eq!(failed, 0, "unexpected verdicts");
    assert_eq!(messages, with_message, "notation's message text");
    assert!(passed >= 10);
}
