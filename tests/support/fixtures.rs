//! Fixtures shared by the registry test files: the keys in `tests/data/keys`, a pinned `now`,
//! client options with short retry pauses, references, and a strict trust policy and store.

use nv2::oci::{Digest, Reference};
use nv2::policy::OciTrustPolicy;
use nv2::registry::RegistryOptions;
use nv2::sign::{LocalSigner, SignOptions};
use nv2::time::Instant;
use nv2::truststore::TrustStore;

use super::registry::TestRegistry;

pub fn keys(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn signer(name: &str) -> LocalSigner {
    LocalSigner::from_pem(&keys(&format!("{name}.key")), &keys(&format!("{name}.crt"))).unwrap()
}

pub fn now() -> Instant {
    Instant::parse_rfc3339("2027-01-01T00:00:00Z").unwrap()
}

pub fn sign_opts(secs: i64) -> SignOptions {
    SignOptions::new(now().add_seconds(secs))
}

pub fn options() -> RegistryOptions {
    RegistryOptions {
        retry_base_millis: 20,
        ..RegistryOptions::default()
    }
}

pub fn reference(reg: &TestRegistry, repo: &str, tag: &str) -> Reference {
    Reference::parse_qualified(&format!("{}/{repo}:{tag}", reg.addr)).unwrap()
}

pub fn by_digest(r: &Reference, d: &Digest) -> Reference {
    Reference {
        tag: None,
        digest: Some(d.clone()),
        ..r.clone()
    }
}

pub fn policy(scope: &str) -> OciTrustPolicy {
    OciTrustPolicy::from_json(
        format!(
            r#"{{"version":"1.0","trustPolicies":[{{"name":"test","registryScopes":["{scope}"],
            "signatureVerification":{{"level":"strict"}},"trustStores":["ca:test"],
            "trustedIdentities":["*"]}}]}}"#
        )
        .as_bytes(),
    )
    .unwrap()
}

pub fn store() -> TrustStore {
    let mut s = TrustStore::new();
    s.add_named_store(
        "ca",
        "test",
        &[("p256.crt".to_string(), keys("p256.crt").into_bytes())],
    )
    .unwrap();
    s
}
