//! Entries, not indexes (issue 9 item 4): a malformed or unsupported entry of a `sha256-<hex>`
//! referrers tag index or of a Referrers API page is skipped with a warning, counted toward the
//! listing's bounds, and the well-formed entries are still considered (OCI distribution-spec
//! spec.md §Referrers Tag Schema, §Listing Referrers). A signed image stays signed whatever else
//! someone who can push the tag adds to it.

mod support;

use nv2::crypto::HashAlgorithm;
use nv2::limits::REFERRERS_ENTRIES;
use nv2::oci::{Descriptor, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST};
use nv2::registry::{
    list_signatures, referrers_tag, verify, HttpRequest, HttpResponse, RegistryClient,
    RegistryOptions, VerifyOptions,
};
use nv2::sign::{sign_descriptor, SignedArtifact};
use serde_json::{json, Value};
use support::fixtures::{now, policy, sign_opts, signer, store};
use support::registry::*;
use support::scripted::{digest, index, repo, MANIFEST, NOTARY};

fn target() -> Descriptor {
    Descriptor::for_content(MEDIA_TYPE_OCI_MANIFEST, HashAlgorithm::Sha256, MANIFEST)
}

/// What someone who can push the tag adds: entries that are not descriptors, and a Notary entry
/// that is an index, not a signature manifest.
fn junk() -> Vec<Value> {
    let index_entry = {
        let d = Descriptor::for_content(MEDIA_TYPE_OCI_INDEX, HashAlgorithm::Sha256, b"idx");
        let mut v = serde_json::to_value(&d).unwrap();
        v["artifactType"] = Value::from(NOTARY);
        v
    };
    vec![
        json!("not a descriptor"),
        json!({ "mediaType": 5, "digest": "sha256:zz", "size": -1 }),
        json!({ "mediaType": MEDIA_TYPE_OCI_MANIFEST, "digest": "md5:abc", "size": 1, "artifactType": NOTARY }),
        index_entry,
    ]
}

/// A registry without the Referrers API whose tag index holds `entries`, serving the subject and
/// one real signature.
fn registry(
    entries: Vec<Value>,
    signed: &SignedArtifact,
) -> Fake<impl Fn(&HttpRequest) -> Result<HttpResponse, nv2::registry::TransportError> + '_> {
    let tag_index = index(entries);
    let tag = referrers_tag(&digest());
    Fake::new(move |q: &HttpRequest| {
        let ok = |ct: &str, body: &[u8]| Ok(response(200, &[("content-type", ct)], body));
        if q.url.contains("/referrers/") {
            return Ok(response(404, &[], b""));
        }
        if q.url.ends_with(&format!("/manifests/{tag}")) {
            return ok(MEDIA_TYPE_OCI_INDEX, &tag_index);
        }
        if q.url.ends_with(&format!("/manifests/{}", digest())) {
            return ok(MEDIA_TYPE_OCI_MANIFEST, MANIFEST);
        }
        if q.url
            .ends_with(&format!("/manifests/{}", signed.manifest.descriptor.digest))
        {
            return ok(MEDIA_TYPE_OCI_MANIFEST, &signed.manifest.bytes);
        }
        if q.url
            .ends_with(&format!("/blobs/{}", signed.envelope_descriptor.digest))
        {
            return ok("application/octet-stream", &signed.envelope);
        }
        Ok(response(404, &[], b""))
    })
}

fn good(signed: &SignedArtifact) -> Value {
    serde_json::to_value(&signed.manifest.descriptor).unwrap()
}

#[test]
fn malformed_tag_index_entries_are_skipped_and_the_signature_still_verifies() {
    let signed = sign_descriptor(&target(), &signer("p256"), &sign_opts(0)).unwrap();
    let mut entries = junk();
    entries.push(good(&signed));
    let fake = registry(entries, &signed);
    let c = RegistryClient::new(&fake, RegistryOptions::default());

    let list = support::registry::block_on(list_signatures(&c, &repo())).unwrap();
    // The index entry and the good one are listed (notation-go filters by artifactType only).
    assert_eq!(list.signatures.len(), 2, "{list:#?}");
    assert_eq!(list.signatures[1].digest, signed.manifest.descriptor.digest);
    let skipped: Vec<&String> = list
        .warnings
        .iter()
        .filter(|w| w.contains("skipped"))
        .collect();
    assert_eq!(skipped.len(), 3, "{:?}", list.warnings);
    assert!(skipped[0].contains("entry 0"), "{skipped:?}");

    let v = support::registry::block_on(verify(
        &c,
        &repo(),
        &policy("reg.example/app"),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(v.verified, "{v:#?}");
    // The warnings reach the verification result.
    assert_eq!(
        v.warnings.iter().filter(|w| w.contains("skipped")).count(),
        3
    );
    // The index entry failed as notation-go fails it, without being fetched.
    let first = &v.signatures[0];
    let e = first.result.as_ref().unwrap_err();
    assert!(
        e.to_string().contains("sigManifestDesc.MediaType requires"),
        "{e}"
    );
    assert!(!fake
        .requests()
        .iter()
        .any(|q| q.url.contains(&first.descriptor.digest.to_string())));
}

#[test]
fn malformed_api_page_entries_are_skipped_and_warnings_are_bounded() {
    let signed = sign_descriptor(&target(), &signer("p256"), &sign_opts(0)).unwrap();
    let mut entries: Vec<Value> = (0..50).map(|i| json!({ "junk": i })).collect();
    entries.push(good(&signed));
    let page = index(entries);
    let fake = Fake::new(|q: &HttpRequest| {
        Ok(if q.url.contains("/referrers/") {
            response(200, &[("content-type", MEDIA_TYPE_OCI_INDEX)], &page)
        } else {
            response(404, &[], b"")
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let list = support::registry::block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert!(!list.via_tag_schema);
    assert_eq!(list.descriptors.len(), 1);
    // Eight spelled out, then the count of the rest.
    assert_eq!(list.warnings.len(), 9, "{:?}", list.warnings);
    assert!(
        list.warnings[8].starts_with("42 more"),
        "{:?}",
        list.warnings
    );
}

#[test]
fn malformed_entries_count_toward_the_entry_budget() {
    let signed = sign_descriptor(&target(), &signer("p256"), &sign_opts(0)).unwrap();
    let mut entries: Vec<Value> = (0..REFERRERS_ENTRIES).map(|_| json!({})).collect();
    entries.push(good(&signed));
    let fake = registry(entries, &signed);
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let list = support::registry::block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert!(list.via_tag_schema);
    assert!(list.descriptors.is_empty());
    assert!(list
        .warnings
        .iter()
        .any(|w| w.contains(&format!("cut at {REFERRERS_ENTRIES} entries"))));
}
