//! The coverage map of the notation vectors: which harness drives each case kind of
//! `cases.json`, and which kinds wait for a later issue. Every kind must be accounted for, so a
//! new kind in the vectors cannot go unnoticed, and every exception must name a real case.

mod support;

use std::collections::BTreeMap;

use support::vectors::{conformance_dir, exceptions, load_cases};

/// Kind → the test file that drives it.
const COVERED: &[(&str, &str)] = &[
    ("verify-oci", "conformance_verify.rs"),
    ("envelope", "conformance_verify.rs"),
    ("encoding", "envelope_jws.rs, envelope_cose.rs"),
    ("policy-validate", "conformance_policy.rs"),
    ("trusted-identity-match", "conformance_policy.rs"),
    ("truststore-load", "conformance_x509.rs"),
    ("cert-chain-codesigning", "conformance_x509.rs"),
    ("cert-chain-timestamping", "conformance_x509.rs"),
    ("cert-ca-codesigning", "conformance_x509.rs"),
    ("cert-leaf-codesigning", "conformance_x509.rs"),
    ("cert-leaf-timestamping", "conformance_x509.rs"),
    ("cert-file-parse", "conformance_x509.rs"),
    ("timestamp-step", "conformance_timestamp.rs"),
    ("timestamp-token", "conformance_timestamp.rs"),
    ("referrers-tag-schema", "registry_conformance.rs"),
    ("referrers-subject-scan", "registry_conformance.rs"),
    ("verify-blob", "conformance_blob.rs"),
    ("crl-check", "conformance_crl.rs"),
    ("crl-parse", "conformance_crl.rs"),
    ("freshest-crl-parse", "conformance_crl.rs"),
];

/// Kinds that belong to later work (none left; a new kind in the vectors goes here or above).
const LATER: &[(&str, &str)] = &[];

#[test]
fn every_case_kind_is_accounted_for() {
    let dir = conformance_dir();
    let cases = load_cases(&dir);
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cases {
        *per_kind
            .entry(c["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let (mut covered, mut later) = (0, 0);
    for (kind, n) in &per_kind {
        if let Some((_, file)) = COVERED.iter().find(|(k, _)| k == kind) {
            covered += n;
            println!("covered     {kind:<26} {n:>3} cases  ({file})");
        } else if let Some((_, why)) = LATER.iter().find(|(k, _)| k == kind) {
            later += n;
            println!("not yet     {kind:<26} {n:>3} cases  ({why})");
        } else {
            panic!("case kind {kind} is neither covered nor planned");
        }
    }
    println!(
        "notation vectors: {} cases, {covered} driven by nv2's harnesses, {later} not yet covered",
        cases.len()
    );
    assert_eq!(covered + later, cases.len());

    let ids: std::collections::BTreeSet<&str> =
        cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for (id, reason) in exceptions() {
        assert!(ids.contains(id.as_str()), "exception for unknown case {id}");
        assert!(reason.len() > 20, "exception {id} needs a real reason");
    }
}
