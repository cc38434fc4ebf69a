use super::*;
use crate::x509::testpki::{self, build, build_der, key, Spec};

fn file(name: &str, der: Vec<u8>) -> (String, Vec<u8>) {
    (name.to_string(), der)
}

#[test]
fn loads_roots_and_self_signed_leaves() {
    let mut store = TrustStore::new();
    let root = testpki::root("CN=Root", 3).der().to_vec();
    let k = key(4);
    let self_leaf = build_der(&Spec::leaf("CN=Self", "CN=Self"), &k, &k);
    let n = store
        .add_named_store(
            "ca",
            "acme",
            &[file("a.crt", root), file("b.der", self_leaf)],
        )
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(store.certificates("ca", "acme").unwrap().len(), 2);
    assert_eq!(
        store
            .certificates("signingAuthority", "acme")
            .unwrap_err()
            .to_string(),
        "the trust store \"acme\" of type \"signingAuthority\" does not exist"
    );
}

#[test]
fn rejects_issued_leaf() {
    let chain = testpki::chain3();
    let mut store = TrustStore::new();
    let err = store
        .add_named_store("ca", "s", &[file("leaf.crt", chain[0].der().to_vec())])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to validate the trusted certificate leaf.crt in trust store s of type ca"
    );
    // Intermediates are CAs: accepted in a ca store (notation-go does the same).
    store
        .add_certificates("ca", "s", vec![chain[1].clone()])
        .unwrap();
    let err = store
        .add_certificates("ca", "t", vec![chain[2].clone(), chain[0].clone()])
        .unwrap_err();
    assert!(err.to_string().contains("certificate #1"), "{err}");
}

#[test]
fn tsa_store_needs_self_signed_roots() {
    let mut store = TrustStore::new();
    store
        .add_certificates("tsa", "t", vec![testpki::root("CN=TSA Root", 3)])
        .unwrap();
    let k = key(4);
    let self_leaf = build(&Spec::leaf("CN=Self", "CN=Self"), &k, &k);
    let err = store
        .add_certificates("tsa", "t", vec![self_leaf])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "trusted certificate certificate #0 in trust store t of type tsa is invalid: \
             certificate with subject \"CN=Self\" is not a root CA certificate: x509: invalid \
             signature: parent certificate cannot sign this kind of certificate"
    );
    let chain = testpki::chain3();
    let err = store
        .add_certificates("tsa", "t", vec![chain[1].clone()])
        .unwrap_err();
    assert!(matches!(err, TrustStoreError::TsaNotRootCa { .. }), "{err}");
}

#[test]
fn names_types_and_empty() {
    let mut store = TrustStore::new();
    let root = || vec![file("r.crt", testpki::root("CN=Root", 3).der().to_vec())];
    for bad in ["", "a/b", "..x/", "a b", "ä"] {
        assert!(matches!(
            store.add_named_store("ca", bad, &root()).unwrap_err(),
            TrustStoreError::InvalidName { .. }
        ));
    }
    store.add_named_store("ca", "a-b_c.d", &root()).unwrap();
    assert_eq!(
        store
            .add_named_store("x509", "n", &root())
            .unwrap_err()
            .to_string(),
        "unsupported trust store type: x509"
    );
    assert_eq!(
        store
            .add_named_store("ca", "n", &[])
            .unwrap_err()
            .to_string(),
        "no x509 certificates were found in trust store \"n\" of type \"ca\""
    );
    let err = store
        .add_named_store("ca", "n", &[file("empty", Vec::new())])
        .unwrap_err();
    assert!(matches!(err, TrustStoreError::CertificateInvalid { .. }));
    let err = store
        .add_named_store("ca", "n", &[file("junk", b"junk".to_vec())])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to read the trusted certificate junk in trust store n of type ca"
    );
    assert_eq!(err.code(), "ERR_TRUST_STORE");
    assert!(std::error::Error::source(&err).is_some());
}

#[cfg(unix)]
#[test]
fn fs_layout_rules() {
    use std::os::unix::fs::symlink;
    let base = std::env::temp_dir().join(format!("nv2-truststore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let ca = base.join("x509").join("ca");
    std::fs::create_dir_all(ca.join("good")).unwrap();
    let root = testpki::root("CN=Root", 3).der().to_vec();
    std::fs::write(ca.join("good").join("b.der"), &root).unwrap();
    std::fs::write(ca.join("good").join("a.der"), &root).unwrap();
    let files = fs::load_named_store(&base, "ca", "good").unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["a.der", "b.der"]);

    // Missing.
    assert_eq!(
        fs::load_named_store(&base, "ca", "missing")
            .unwrap_err()
            .to_string(),
        "the trust store \"missing\" of type \"ca\" does not exist"
    );
    // Symlinked store.
    symlink(ca.join("good"), ca.join("linked")).unwrap();
    assert!(matches!(
        fs::load_named_store(&base, "ca", "linked").unwrap_err(),
        TrustStoreError::NotRegularDirectory { .. }
    ));
    // Sub-directory inside a store.
    std::fs::create_dir_all(ca.join("subdir").join("inner")).unwrap();
    std::fs::write(ca.join("subdir").join("r.der"), &root).unwrap();
    assert_eq!(
        fs::load_named_store(&base, "ca", "subdir")
            .unwrap_err()
            .to_string(),
        "trusted certificate inner in trust store subdir of type ca is not a regular file \
             (directories or symlinks are not supported)"
    );
    // Symlinked file.
    std::fs::create_dir_all(ca.join("filelink")).unwrap();
    symlink(
        ca.join("good").join("a.der"),
        ca.join("filelink").join("a.der"),
    )
    .unwrap();
    assert!(matches!(
        fs::load_named_store(&base, "ca", "filelink").unwrap_err(),
        TrustStoreError::NotRegularFile { .. }
    ));
    // A regular file where the store should be.
    std::fs::write(ca.join("plainfile"), b"x").unwrap();
    assert!(matches!(
        fs::load_named_store(&base, "ca", "plainfile").unwrap_err(),
        TrustStoreError::NotRegularDirectory { .. }
    ));
    // Invalid names never touch the file system.
    assert!(matches!(
        fs::load_named_store(&base, "ca", "../ca").unwrap_err(),
        TrustStoreError::InvalidName { .. }
    ));
    let _ = std::fs::remove_dir_all(&base);
}
