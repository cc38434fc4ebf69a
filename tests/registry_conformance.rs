//! The `referrers-tag-schema` and `referrers-subject-scan` cases of the notation vectors
//! (`cases.json`), driven against the real CNCF distribution registry: the e2e OCI layouts are
//! uploaded and their signatures discovered through nv2's client (signature-specification.md §OCI
//! Signature Discovery, OCI distribution-spec spec.md §Referrers Tag Schema).

mod support;

use std::path::Path;

use nv2::oci::{Digest, Reference, MEDIA_TYPE_OCI_INDEX};
use nv2::registry::{referrers_tag, HttpClient, RegistryClient, RegistryOptions};
use serde_json::Value;
use support::registry::*;
use support::vectors::{conformance_dir, exceptions, load_cases, read};

const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Uploads an OCI layout: every blob, then the manifests of `index.json` (image manifests
/// before indexes, which must find their children). With `maintain_referrers`, manifests that
/// have a `subject` go through [`RegistryClient::push_referrer`] (tag-schema maintenance).
fn upload<C: HttpClient>(
    client: &RegistryClient<C>,
    repo: &Reference,
    layout: &Path,
    maintain_referrers: bool,
) {
    let index: Value = serde_json::from_slice(&read(&layout.join("index.json"))).unwrap();
    let entries = index["manifests"].as_array().unwrap();
    let manifest_digests: Vec<&str> = entries
        .iter()
        .map(|e| e["digest"].as_str().unwrap())
        .collect();
    for blob in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
        let path = blob.unwrap().path();
        let name = format!("sha256:{}", path.file_name().unwrap().to_str().unwrap());
        if manifest_digests.contains(&name.as_str()) {
            continue;
        }
        block_on(client.push_blob(repo, &read(&path))).unwrap();
    }
    let mut ordered: Vec<&Value> = entries
        .iter()
        .filter(|e| e["mediaType"] != MEDIA_TYPE_OCI_INDEX)
        .collect();
    ordered.extend(
        entries
            .iter()
            .filter(|e| e["mediaType"] == MEDIA_TYPE_OCI_INDEX),
    );
    for e in ordered {
        let digest = e["digest"].as_str().unwrap();
        let media_type = e["mediaType"].as_str().unwrap();
        let bytes = read(&layout.join("blobs/sha256").join(&digest[7..]));
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let reference = e["annotations"][REF_NAME]
            .as_str()
            .unwrap_or(digest)
            .to_string();
        match doc["subject"]["digest"].as_str() {
            Some(subject) if maintain_referrers => {
                let subject = Digest::parse(subject).unwrap();
                block_on(client.push_referrer(repo, &[], media_type, &bytes, &subject, None))
                    .unwrap();
            }
            _ => {
                block_on(client.push_manifest(repo, &reference, media_type, &bytes)).unwrap();
            }
        }
    }
}

fn repo_for(reg: &TestRegistry, id: &str) -> Reference {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    Reference::parse_qualified(&format!("{}/conformance/{name}", reg.addr)).unwrap()
}

fn cases(kind: &str) -> Vec<Value> {
    let skip = exceptions();
    load_cases(&conformance_dir())
        .into_iter()
        .filter(|c| c["kind"] == kind && !skip.contains_key(c["id"].as_str().unwrap()))
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn referrers_tag_schema_cases() {
    let cases = cases("referrers-tag-schema");
    assert_eq!(cases.len(), 5, "the vectors have five tag-schema cases");
    let reg = TestRegistry::start();
    let client = RegistryClient::new(StdHttpClient::new(), RegistryOptions::default());
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let expect = &case["expect"];
        let subject = Digest::parse(case["subject"].as_str().unwrap()).unwrap();
        assert_eq!(
            referrers_tag(&subject),
            expect["tag"].as_str().unwrap(),
            "{id}"
        );

        let repo = repo_for(&reg, id);
        upload(
            &client,
            &repo,
            &conformance_dir().join(case["oci_layout"].as_str().unwrap()),
            false,
        );
        // The registry returns the index bytes exactly (CONTRIBUTING.md §The test registry): same
        // digest.
        let tag_ref = Reference {
            tag: Some(referrers_tag(&subject)),
            ..repo.clone()
        };
        let index = block_on(client.resolve(&tag_ref)).unwrap();
        assert_eq!(
            index.descriptor.digest.to_string(),
            expect["index_digest"].as_str().unwrap(),
            "{id}"
        );
        assert_eq!(index.descriptor.media_type, MEDIA_TYPE_OCI_INDEX);

        let artifact_type = expect["artifactType"].as_str().unwrap();
        let list = block_on(client.referrers(&repo, &subject, Some(artifact_type))).unwrap();
        assert!(
            list.via_tag_schema,
            "{id}: distribution has no Referrers API"
        );
        let got: Vec<String> = list
            .descriptors
            .iter()
            .map(|d| d.digest.to_string())
            .collect();
        let want: Vec<String> = expect["signature_manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        assert_eq!(sorted(got), sorted(want), "{id}");
        for d in &list.descriptors {
            assert_eq!(d.artifact_type.as_deref(), Some(artifact_type), "{id}");
            // The entry carries the manifest's annotations (OCI distribution-spec spec.md
            // §Referrers Tag Schema).
            let bytes = block_on(client.fetch_manifest(&repo, d)).unwrap();
            let doc: Value = serde_json::from_slice(&bytes).unwrap();
            let annotations =
                serde_json::to_value(d.annotations.clone().unwrap_or_default()).unwrap();
            assert_eq!(annotations, doc["annotations"], "{id}");
        }
    }
}

#[test]
fn referrers_subject_scan_cases() {
    let cases = cases("referrers-subject-scan");
    assert_eq!(cases.len(), 2, "the vectors have two subject-scan cases");
    let reg = TestRegistry::start();
    let client = RegistryClient::new(StdHttpClient::new(), RegistryOptions::default());
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let expect = &case["expect"];
        assert!(expect["tag_index"].is_null());
        let layout = conformance_dir().join(case["oci_layout"].as_str().unwrap());
        let index: Value = serde_json::from_slice(&read(&layout.join("index.json"))).unwrap();
        let entries = index["manifests"].as_array().unwrap();
        assert!(
            !entries.iter().any(|e| e["annotations"][REF_NAME]
                .as_str()
                .is_some_and(|n| n.starts_with("sha256-"))),
            "{id}: the layout has no referrers tag"
        );
        // Scan: the manifests whose subject is the tagged target.
        let target = entries
            .iter()
            .find(|e| e["annotations"][REF_NAME] == "v1")
            .unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string();
        let scanned: Vec<String> = entries
            .iter()
            .filter(|e| {
                let d = e["digest"].as_str().unwrap();
                let doc: Value =
                    serde_json::from_slice(&read(&layout.join("blobs/sha256").join(&d[7..])))
                        .unwrap();
                doc["subject"]["digest"] == target.as_str()
            })
            .map(|e| e["digest"].as_str().unwrap().to_string())
            .collect();
        let want: Vec<String> = expect["signature_manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect();
        assert_eq!(sorted(scanned), sorted(want.clone()), "{id}: scan");

        // Pushed through nv2's client, the subject is indexed under the tag schema and the
        // signatures are discoverable.
        let repo = repo_for(&reg, id);
        upload(&client, &repo, &layout, true);
        let v1 = Reference {
            tag: Some("v1".into()),
            ..repo.clone()
        };
        let list = block_on(nv2::registry::list_signatures(&client, &v1)).unwrap();
        assert_eq!(list.target.digest.to_string(), target, "{id}");
        assert!(list.via_tag_schema);
        let got: Vec<String> = list
            .signatures
            .iter()
            .map(|d| d.digest.to_string())
            .collect();
        assert_eq!(sorted(got), sorted(want), "{id}");
    }
}
