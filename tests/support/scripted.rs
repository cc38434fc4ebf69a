//! The subject of the scripted-client registry tests (`registry_transport`, `registry_discovery`,
//! `registry_entries`): one image manifest at `reg.example/app`, its registry answers, and the
//! trust policy and store those tests verify with.

use nv2::crypto::HashAlgorithm;
use nv2::oci::{Digest, Reference, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST};
use nv2::policy::OciTrustPolicy;
use nv2::registry::HttpResponse;
use nv2::time::Instant;
use nv2::truststore::TrustStore;

use super::registry::response;

pub const NOTARY: &str = "application/vnd.cncf.notary.signature";
pub const MANIFEST: &[u8] = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;

/// The subject's digest.
pub fn digest() -> Digest {
    Digest::of(HashAlgorithm::Sha256, MANIFEST)
}

/// The subject, by digest.
pub fn repo() -> Reference {
    Reference::parse_qualified(&format!("reg.example/app@{}", digest())).unwrap()
}

pub fn manifest_response() -> HttpResponse {
    response(200, &[("content-type", MEDIA_TYPE_OCI_MANIFEST)], MANIFEST)
}

pub fn not_found() -> HttpResponse {
    response(
        404,
        &[("content-type", "application/json")],
        br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
    )
}

/// An OCI image index listing `entries`.
pub fn index(entries: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": MEDIA_TYPE_OCI_INDEX, "manifests": entries
    }))
    .unwrap()
}

/// Strict, any identity, the `ca:test` store, for `reg.example/app`.
pub fn policy() -> OciTrustPolicy {
    OciTrustPolicy::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["reg.example/app"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:test"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap()
}

/// `ca:test` holding `tests/data/keys/p256.crt`.
pub fn store() -> TrustStore {
    let mut s = TrustStore::new();
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/keys/p256.crt"
    ))
    .unwrap();
    s.add_named_store("ca", "test", &[("p256.crt".into(), pem)])
        .unwrap();
    s
}

pub fn now() -> Instant {
    Instant::parse_rfc3339("2027-01-01T00:00:00Z").unwrap()
}
