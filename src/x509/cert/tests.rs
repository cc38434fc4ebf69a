use super::*;
use crate::x509::testpki::{self, build, build_der, ext, key, Spec};

#[test]
fn remembered_signatures_are_bound_to_the_signer() {
    let chain = testpki::chain3();
    let (leaf, int, root) = (&chain[0], &chain[1], &chain[2]);
    assert!(leaf.check_signature(int).is_ok());
    assert!(leaf.check_signature(int).is_ok(), "remembered");
    assert!(
        leaf.check_signature(root).is_err(),
        "another key never hits the memo"
    );
    // Same subject and issuer names, another issuing key: not the remembered signature.
    let other_int = testpki::root("CN=Int", 9);
    assert!(leaf.check_signature(&other_int).is_err());
    assert!(int.check_signature(root).is_ok());
}

fn pem_of(der: &[u8], label: &str) -> String {
    let b64 = base64ct::Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(core::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

use base64ct::Encoding;

#[test]
fn raw_signature_parameters_are_the_decoded_ones() {
    use der::Encode;
    // RSA (NULL parameters) and ECDSA (absent) fixtures: the kept bytes are exactly the DER
    // of what x509-cert decoded.
    for name in [
        "rsa2048",
        "rsa3072",
        "p256",
        "p384",
        "p521",
        "root",
        "chainleaf",
    ] {
        let path = format!("{}/tests/data/keys/{name}.crt", env!("CARGO_MANIFEST_DIR"));
        for c in Certificate::parse_pem_or_der(&std::fs::read(path).unwrap()).unwrap() {
            let reference = x509_cert::Certificate::from_der(c.der()).unwrap();
            let decoded = reference.signature_algorithm().parameters.as_ref();
            assert_eq!(
                c.raw_sig_params,
                decoded.map(|p| p.to_der().unwrap()),
                "{name}"
            );
        }
    }
}
#[test]
fn fields() {
    let k = key(7);
    let mut spec = Spec::leaf("CN=Leaf,O=Acme\\, Inc.", "CN=Leaf,O=Acme\\, Inc.");
    spec.serial = 0x42;
    spec.extra = testpki::revocation_exts("http://ocsp.example", "http://crl.example/x.crl");
    let der = build_der(&spec, &k, &k);
    let cert = Certificate::from_der(&der).unwrap();
    assert_eq!(cert.der(), der.as_slice());
    assert_eq!(cert.thumbprint_sha256(), crate::crypto::sha256_hex(&der));
    assert_eq!(cert.serial_hex(), "42");
    assert_eq!(cert.ocsp_urls(), vec!["http://ocsp.example".to_string()]);
    assert_eq!(
        cert.crl_urls(),
        vec!["http://crl.example/x.crl".to_string()]
    );
    assert!(cert.is_self_signed());
    assert!(!cert.is_ca());
    assert_eq!(cert.subject_rfc4514(), cert.issuer_rfc4514());
    assert!(cert.subject_rfc4514().contains("O=Acme\\, Inc."));
    let nb = Instant::from_unix_seconds(testpki::NOT_BEFORE as i64);
    let na = Instant::from_unix_seconds(testpki::NOT_AFTER as i64);
    assert_eq!((cert.not_before(), cert.not_after()), (nb, na));
    assert!(cert.is_valid_at(nb) && cert.is_valid_at(na));
    assert!(!cert.is_valid_at(na.add_seconds(1)) && !cert.is_valid_at(nb.add_seconds(-1)));
    assert_eq!(cert.public_key().unwrap().size_bits(), 256);
    assert!(testpki::root("CN=R", 3).is_ca());
}

#[test]
fn verify_issued_by() {
    let chain = testpki::chain3();
    chain[0].verify_issued_by(&chain[1]).unwrap();
    chain[1].verify_issued_by(&chain[2]).unwrap();
    assert!(chain[0].verify_issued_by(&chain[2]).is_err());
    assert!(chain[2].verify_issued_by(&chain[1]).is_err());
    // A v1 issuer (no extensions at all) is tolerated, as in Go.
    let (kl, kr) = (key(1), key(3));
    let mut v1 = Spec::ca("CN=V1", "CN=V1");
    v1.v3 = false;
    let v1 = build(&v1, &kr, &kr);
    let leaf = build(&Spec::leaf("CN=Leaf", "CN=V1"), &kl, &kr);
    leaf.verify_issued_by(&v1).unwrap();
    // An issuer whose keyUsage lacks keyCertSign may not sign certificates.
    let mut no_sign = Spec::ca("CN=NoSign", "CN=NoSign");
    no_sign.ku = Some((ku::DIGITAL_SIGNATURE, true));
    let no_sign = build(&no_sign, &kr, &kr);
    let leaf = build(&Spec::leaf("CN=Leaf", "CN=NoSign"), &kl, &kr);
    assert_eq!(
        leaf.verify_issued_by(&no_sign).unwrap_err().to_string(),
        "invalid certificates or certificate with subject \"CN=Leaf\" is not issued by \
             \"CN=NoSign\". Error: x509: invalid signature: parent certificate cannot sign this \
             kind of certificate"
    );
}

#[test]
fn truncated_and_garbage_der() {
    let der = build_der(&Spec::leaf("CN=Leaf", "CN=Leaf"), &key(1), &key(1));
    for len in 0..der.len() {
        let err = Certificate::from_der(&der[..len]).unwrap_err();
        assert_eq!(err.code(), "ERR_PARSE");
    }
    let mut trailing = der.clone();
    trailing.push(0);
    assert!(Certificate::from_der(&trailing).is_err());
    assert!(Certificate::from_der(b"garbage").is_err());
    assert!(Certificate::from_der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    // Flipping any byte never panics (it may still parse, e.g. inside the signature).
    for i in 0..der.len() {
        let mut bad = der.clone();
        bad[i] ^= 0xff;
        let _ = Certificate::from_der(&bad);
        let _ = Certificate::parse_pem_or_der(&bad);
    }
}

#[test]
fn deeply_nested_input_is_refused() {
    let mut nested = Vec::new();
    for _ in 0..100_000 {
        nested.extend_from_slice(&[0x30, 0x80]);
    }
    assert!(Certificate::from_der(&nested).is_err());
    assert!(Certificate::parse_pem_or_der(&nested).is_err());
}

#[test]
fn duplicate_extensions_are_refused() {
    let mut spec = Spec::leaf("CN=Leaf", "CN=Leaf");
    spec.extra = vec![ext(oids::ID_CE_KEY_USAGE, true, testpki::key_usage_der(1))];
    let der = build_der(&spec, &key(1), &key(1));
    assert_eq!(
        Certificate::from_der(&der).unwrap_err(),
        CertError::Parse("certificate contains duplicate extensions".into())
    );
}

#[test]
fn malformed_interpreted_extensions_are_refused() {
    for oid in [
        oids::ID_CE_BASIC_CONSTRAINTS,
        oids::ID_CE_EXT_KEY_USAGE,
        oids::ID_PE_AUTHORITY_INFO_ACCESS,
        oids::ID_CE_CRL_DISTRIBUTION_POINTS,
    ] {
        let mut spec = Spec::leaf("CN=Leaf", "CN=Leaf");
        spec.extra = vec![ext(oid, false, vec![0x04, 0x00])];
        let der = build_der(&spec, &key(1), &key(1));
        assert!(Certificate::from_der(&der).is_err(), "{oid}");
    }
    let mut spec = Spec::leaf("CN=Leaf", "CN=Leaf");
    spec.ku = None;
    spec.extra = vec![ext(oids::ID_CE_KEY_USAGE, true, vec![0x30, 0x00])];
    assert!(Certificate::from_der(&build_der(&spec, &key(1), &key(1))).is_err());
}

#[test]
fn signature_algorithm_mismatch_is_refused() {
    let mut spec = Spec::leaf("CN=Leaf", "CN=Leaf");
    spec.inner_alg = testpki::ECDSA_SHA384;
    let der = build_der(&spec, &key(1), &key(1));
    assert!(matches!(
        Certificate::from_der(&der),
        Err(CertError::Parse(_))
    ));
}

#[test]
fn pem_or_der_files() {
    let a = build_der(&Spec::leaf("CN=A", "CN=A"), &key(1), &key(1));
    let b = build_der(&Spec::leaf("CN=B", "CN=B"), &key(2), &key(2));
    // Concatenated DER.
    let both = [a.clone(), b.clone()].concat();
    let certs = Certificate::parse_pem_or_der(&both).unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[1].der(), b.as_slice());
    // Trailing garbage after DER.
    let mut bad = both.clone();
    bad.extend_from_slice(b"xx");
    assert!(Certificate::parse_pem_or_der(&bad).is_err());
    // PEM with text around.
    let pem = format!(
        "comment\n{}\n{}trailer",
        pem_of(&a, "CERTIFICATE"),
        pem_of(&b, "CERTIFICATE")
    );
    assert_eq!(
        Certificate::parse_pem_or_der(pem.as_bytes()).unwrap().len(),
        2
    );
    // A non-certificate block.
    let pem = format!("{}{}", pem_of(&a, "CERTIFICATE"), pem_of(&b, "PRIVATE KEY"));
    assert!(Certificate::parse_pem_or_der(pem.as_bytes()).is_err());
    // A CERTIFICATE block with a broken certificate.
    let pem = pem_of(&a[..a.len() - 1], "CERTIFICATE");
    assert!(Certificate::parse_pem_or_der(pem.as_bytes()).is_err());
    // Empty.
    assert_eq!(
        Certificate::parse_pem_or_der(b"").unwrap_err(),
        CertError::NoCertificates
    );
}
