//! Conformance: every `verify-oci` and `envelope` case of the notation vectors
//! (`tests/vectors/notation/cases.json`) through `nv2::verify`.
//!
//! A case passes when nv2's verdict equals the expected one: `ok`, the stage it stops at
//! (`fail_at`) and the checks whose failure was only logged. Cases nv2 knowingly decides
//! differently are listed with their reason in `tests/exceptions.json`; an exception that starts
//! passing is reported so the file can be pruned.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use nv2::oci::Descriptor;
use nv2::policy::OciTrustPolicy;
use nv2::revocation::{CertStatus, OfflineRevocationChecker, Purpose, RevocationChecker};
use nv2::time::Instant;
use nv2::truststore::TrustStore;
use nv2::verify::{verify_envelope, FailureStage, Outcome, VerifyError, VerifyRequest};
use nv2::x509::Certificate;
use serde_json::Value;

use support::vectors::{conformance_dir, exceptions, load_cases, read};

/// One signature to try: envelope bytes and media type.
struct Candidate {
    envelope: Vec<u8>,
    media_type: String,
}

fn blob(layout: &Path, digest: &str) -> Vec<u8> {
    let (alg, hex) = digest.split_once(':').expect("digest");
    read(&layout.join("blobs").join(alg).join(hex))
}

/// Signatures of `target` in an OCI layout: the referrers tag index (`sha256-<hex>`), then every
/// manifest whose `subject` is the target (signature-specification.md §OCI Signature Discovery, OCI
/// distribution-spec spec.md §Referrers Tag Schema), each once.
fn layout_candidates(layout: &Path, target: &str) -> Vec<Candidate> {
    let index: Value =
        serde_json::from_slice(&read(&layout.join("index.json"))).expect("index.json");
    let tag = target.replace(':', "-");
    let mut manifests: Vec<String> = Vec::new();
    for m in index["manifests"].as_array().expect("manifests") {
        if m["annotations"]["org.opencontainers.image.ref.name"] == tag.as_str() {
            let referrers: Value =
                serde_json::from_slice(&blob(layout, m["digest"].as_str().unwrap())).unwrap();
            for r in referrers["manifests"].as_array().unwrap() {
                manifests.push(r["digest"].as_str().unwrap().to_string());
            }
        }
    }
    for m in index["manifests"].as_array().unwrap() {
        if m["mediaType"] != "application/vnd.oci.image.manifest.v1+json" {
            continue;
        }
        let d = m["digest"].as_str().unwrap().to_string();
        let body: Value = serde_json::from_slice(&blob(layout, &d)).unwrap();
        if body["subject"]["digest"] == target && !manifests.contains(&d) {
            manifests.push(d);
        }
    }
    manifests
        .iter()
        .map(|d| {
            let body: Value = serde_json::from_slice(&blob(layout, d)).unwrap();
            let layer = &body["layers"][0];
            Candidate {
                envelope: blob(layout, layer["digest"].as_str().unwrap()),
                media_type: layer["mediaType"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// The revocation checker of `revocation: "stub-tsa-ok"` cases: TSA certificates are good, the
/// signing chain is checked as offline notation would.
struct StubTsaOk;

impl RevocationChecker for StubTsaOk {
    fn check(
        &self,
        cert: &Certificate,
        issuer: &Certificate,
        purpose: Purpose,
        signing_time: Option<Instant>,
    ) -> CertStatus {
        match purpose {
            Purpose::Timestamping => CertStatus::Good,
            _ => OfflineRevocationChecker.check(cert, issuer, purpose, signing_time),
        }
    }
}

fn trust_store(dir: &Path, spec: &Value) -> TrustStore {
    let mut store = TrustStore::new();
    if let Some(d) = spec.get("dir").and_then(Value::as_str) {
        let root = dir.join(d);
        // Load every well-formed named store; broken ones are the subject of the
        // `truststore-load` cases and are simply absent here.
        for store_type in ["ca", "signingAuthority", "tsa"] {
            let Ok(entries) = std::fs::read_dir(root.join("x509").join(store_type)) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Ok(files) = nv2::truststore::fs::load_named_store(&root, store_type, &name) {
                    let _ = store.add_named_store(store_type, &name, &files);
                }
            }
        }
    }
    if let Some(stores) = spec.get("stores").and_then(Value::as_object) {
        for (key, files) in stores {
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
    }
    store
}

/// nv2's verdict in the vocabulary of `cases.json`.
#[derive(Debug, PartialEq)]
struct Verdict {
    ok: bool,
    fail_at: Option<String>,
    logged: Vec<String>,
    skipped: bool,
    message: Option<String>,
}

fn verdict_of(outcome: &Outcome) -> Verdict {
    Verdict {
        ok: outcome.verified,
        fail_at: outcome.failure.as_ref().map(|(s, _)| s.name().to_string()),
        logged: outcome
            .logged()
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        skipped: outcome.level == nv2::policy::VerificationLevel::Skip,
        message: outcome.failure.as_ref().map(|(_, e)| e.to_string()),
    }
}

fn run_case(dir: &Path, case: &Value) -> Verdict {
    let policy = OciTrustPolicy::from_json(&read(&dir.join(case["policy"].as_str().unwrap())))
        .expect("case policy is valid");
    let store = trust_store(dir, &case["truststore"]);
    let target: Descriptor = serde_json::from_value(case["target"].clone()).expect("target");
    let now = Instant::parse_rfc3339(case["now"].as_str().unwrap()).unwrap();
    let reference = case["artifact_reference"].as_str().unwrap();
    let user_metadata: BTreeMap<String, String> = case
        .get("user_metadata")
        .map(|m| serde_json::from_value(m.clone()).unwrap())
        .unwrap_or_default();
    let candidates = if let Some(layout) = case.get("oci_layout").and_then(Value::as_str) {
        layout_candidates(&dir.join(layout), target.digest.to_string().as_str())
    } else {
        vec![Candidate {
            envelope: read(&dir.join(case["envelope"].as_str().unwrap())),
            media_type: case["envelope_media_type"].as_str().unwrap().to_string(),
        }]
    };
    assert!(!candidates.is_empty(), "no signature found");
    // `stub-tsa-ok`: the verdict assumes the TSA chain's revocation check answers OK.
    let stub = (case["revocation"].as_str() == Some("stub-tsa-ok")).then_some(StubTsaOk);
    // notation.Verify: try each signature, stop at the first that verifies
    // (trust-store-trust-policy.md §Signature Verification).
    let mut first: Option<Verdict> = None;
    for c in &candidates {
        let req = VerifyRequest {
            envelope: &c.envelope,
            media_type: &c.media_type,
            target: &target,
            artifact_reference: reference,
            policy: &policy,
            trust_store: &store,
            now,
            user_metadata: &user_metadata,
            revocation: stub.as_ref().map(|c| c as &dyn RevocationChecker),
        };
        let verdict = match verify_envelope(&req) {
            Ok(outcome) => verdict_of(&outcome),
            Err(VerifyError::Policy(e)) => Verdict {
                ok: false,
                fail_at: Some("policy".into()),
                logged: vec![],
                skipped: false,
                message: Some(e.to_string()),
            },
            Err(e) => panic!("unexpected error {e}"),
        };
        if verdict.ok {
            return verdict;
        }
        first.get_or_insert(verdict);
    }
    first.unwrap()
}

fn run_envelope_case(dir: &Path, case: &Value) -> Verdict {
    let bytes = read(&dir.join(case["envelope"].as_str().unwrap()));
    match nv2::envelope::UnverifiedEnvelope::parse(
        case["envelope_media_type"].as_str().unwrap(),
        &bytes,
    )
    .and_then(|e| e.verify_integrity())
    {
        Ok(_) => Verdict {
            ok: true,
            fail_at: None,
            logged: vec![],
            skipped: false,
            message: None,
        },
        Err(e) => Verdict {
            ok: false,
            fail_at: Some("integrity".into()),
            logged: vec![],
            skipped: false,
            message: Some(e.to_string()),
        },
    }
}

fn expected(case: &Value) -> Verdict {
    let e = &case["expect"];
    let mut logged: Vec<String> = e["logged"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    logged.sort();
    Verdict {
        ok: e["ok"].as_bool().unwrap(),
        fail_at: e["fail_at"].as_str().map(str::to_string),
        logged,
        skipped: e["skipped"].as_bool().unwrap_or(false),
        message: None,
    }
}

#[test]
fn notation_verification_vectors() {
    let dir = conformance_dir();
    let exceptions = exceptions();
    let (mut passed, mut failed, mut excepted, mut now_passing, mut messages) = (0, 0, 0, 0, 0);
    let mut with_message = 0;
    for case in load_cases(&dir) {
        let kind = case["kind"].as_str().unwrap();
        if kind != "verify-oci" && kind != "envelope" {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let mut got = if kind == "envelope" {
            run_envelope_case(&dir, &case)
        } else {
            run_case(&dir, &case)
        };
        got.logged.sort();
        let want = expected(&case);
        let same = got.ok == want.ok
            && got.fail_at == want.fail_at
            && got.logged == want.logged
            && (!want.skipped || got.skipped);
        let go_text = case["expect"]["go_error"]
            .as_str()
            .or(case["expect"]["go_error_contains"].as_str());
        if let (true, Some(text), Some(msg)) = (same, go_text, got.message.as_deref()) {
            with_message += 1;
            if msg.contains(text) {
                messages += 1;
            } else if std::env::var_os("NV2_SHOW_MESSAGES").is_some() {
                println!("message {id}: got {msg:?}, notation {text:?}");
            }
        }
        match (same, exceptions.get(id)) {
            (true, None) => passed += 1,
            (true, Some(_)) => {
                now_passing += 1;
                excepted += 1;
                println!("EXCEPTION NOW PASSES {id}: prune it from tests/exceptions.json");
            }
            (false, Some(reason)) => {
                excepted += 1;
                println!("exception {id}: {reason}");
            }
            (false, None) => {
                failed += 1;
                println!("FAIL {id}: got {got:?}, want {want:?}");
            }
        }
    }
    println!(
        "verification conformance: {passed} passed, {failed} failed, {excepted} exceptions ({now_passing} of them now pass); notation's message text matched in {messages}/{with_message}"
    );
    assert_eq!(failed, 0, "unexpected verdicts");
    assert!(passed > 50);
    let _ = FailureStage::Plugin;
}
