//! Signing round trips for all six algorithms, the two-phase host-signer form, and the refusal to
//! emit an envelope whose signature does not verify under the leaf key (threat model 3d).

mod support;

use std::collections::BTreeMap;

use nv2::crypto::{HashAlgorithm, SignatureAlgorithm::*};
use nv2::envelope::{SigningScheme, UnverifiedEnvelope, MEDIA_TYPE_JWS};
use nv2::oci::{Descriptor, Digest, SignatureManifest, MEDIA_TYPE_OCI_MANIFEST};
use nv2::payload::Payload;
use nv2::sign::{
    blob_descriptor, prepare_signature, sign_descriptor, LocalSigner, SignError, SignOptions,
    Signer,
};
use nv2::time::Instant;
use support::envelope::*;

fn target() -> Descriptor {
    Descriptor::new(
        MEDIA_TYPE_OCI_MANIFEST,
        Digest::parse("sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e")
            .unwrap(),
        528,
    )
}

fn opts() -> SignOptions {
    let mut o = SignOptions::new(Instant::parse_rfc3339("2024-05-06T07:08:09.75Z").unwrap());
    o.expiry = Some(Instant::parse_rfc3339("2124-05-06T07:08:09Z").unwrap());
    o.user_annotations = BTreeMap::from([("buildId".to_string(), "42".to_string())]);
    o
}

#[test]
fn round_trip_all_six_algorithms_both_schemes() {
    for (name, alg) in [
        ("rsa2048", Ps256),
        ("rsa3072", Ps384),
        ("rsa4096", Ps512),
        ("p256", Es256),
        ("p384", Es384),
        ("p521", Es512),
    ] {
        let f = fixture(name);
        assert_eq!(f.signer.algorithm(), alg, "{name}");
        for scheme in [SigningScheme::X509, SigningScheme::X509SigningAuthority] {
            let mut o = opts();
            o.signing_scheme = scheme;
            let signed = sign_descriptor(&target(), &f.signer, &o).unwrap();
            assert_eq!(signed.media_type, MEDIA_TYPE_JWS);
            assert!(signed.envelope_descriptor.matches_content(&signed.envelope));

            let env = UnverifiedEnvelope::parse(MEDIA_TYPE_JWS, &signed.envelope).unwrap();
            let s = env.signed_attributes().clone();
            assert_eq!(s.algorithm, alg);
            assert_eq!(s.signing_scheme, scheme);
            let time = Instant::parse_rfc3339("2024-05-06T07:08:09Z").unwrap();
            match scheme {
                SigningScheme::X509 => {
                    assert_eq!(s.signing_time, Some(time));
                    assert_eq!(s.authentic_signing_time, None);
                }
                SigningScheme::X509SigningAuthority => {
                    assert_eq!(s.authentic_signing_time, Some(time));
                    assert_eq!(s.signing_time, None);
                }
            }
            assert!(env.signing_agent().unwrap().starts_with("nv2/"));
            let v = env.verify_integrity().unwrap();
            let p = Payload::from_verified(&v).unwrap();
            assert!(p.target_artifact.matches_target(&target()));
            assert_eq!(p.annotations()["buildId"], "42");

            let m = SignatureManifest::parse(&signed.manifest.bytes).unwrap();
            assert_eq!(m.envelope, signed.envelope_descriptor);
            assert!(m.subject.matches_target(&target()));
            assert_eq!(
                m.thumbprints().unwrap(),
                vec![nv2::crypto::sha256_hex(&f.chain[0])]
            );
            assert_eq!(
                m.annotations[nv2::oci::ANNOTATION_CREATED],
                "2024-05-06T07:08:09Z"
            );
            assert!(signed
                .manifest
                .descriptor
                .matches_content(&signed.manifest.bytes));
        }
    }
}

#[test]
fn protected_header_is_sorted_with_utc_seconds() {
    let f = fixture("p256");
    let signed = sign_descriptor(&target(), &f.signer, &opts()).unwrap();
    let top: serde_json::Value = serde_json::from_slice(&signed.envelope).unwrap();
    let keys: Vec<&String> = top.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
    let protected = nv2::encoding::base64url_decode(top["protected"].as_str().unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(protected).unwrap(),
        r#"{"alg":"ES256","crit":["io.cncf.notary.signingScheme","io.cncf.notary.expiry"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.expiry":"2124-05-06T07:08:09Z","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2024-05-06T07:08:09Z"}"#
    );
    let text = String::from_utf8(signed.envelope.clone()).unwrap();
    assert!(text.starts_with("{\"payload\":\""), "{text}");
}

#[test]
fn chain_and_key_formats() {
    let chain = fixture_with_chain("chainleaf.key", &["chainleaf.crt", "root.crt"]);
    assert_eq!(chain.chain.len(), 2);
    let signed = sign_descriptor(&target(), &chain.signer, &opts()).unwrap();
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_JWS, &signed.envelope).unwrap();
    assert_eq!(env.cert_chain(), &chain.chain[..]);
    env.verify_integrity().unwrap();
    let m = SignatureManifest::parse(&signed.manifest.bytes).unwrap();
    assert_eq!(
        m.thumbprints().unwrap(),
        chain
            .chain
            .iter()
            .map(|c| nv2::crypto::sha256_hex(c))
            .collect::<Vec<_>>()
    );
    // SEC1 and PKCS#1 private keys.
    for (key, cert) in [
        ("p256.sec1.key", "p256.crt"),
        ("rsa2048.pkcs1.key", "rsa2048.crt"),
    ] {
        let s = LocalSigner::from_pem(&read(key), &read(cert)).unwrap();
        sign_descriptor(&target(), &s, &opts()).unwrap();
    }
    // Key not matching the certificate.
    let e = LocalSigner::from_pem(&read("p384.key"), &read("p256.crt")).unwrap_err();
    assert!(matches!(e, SignError::InvalidKey(_)));
    assert_eq!(e.code(), "ERR_SIGNING");
    // Unsupported keys.
    assert!(LocalSigner::from_pem(&read("rsa1024.key"), &read("rsa1024.crt")).is_err());
    assert!(LocalSigner::from_pem(&read("p256.key"), "").is_err());
}

/// A signer whose certificate says one key and whose `sign` uses another (threat model 3d).
struct WrongKeySigner {
    chain: Vec<Vec<u8>>,
    other: nv2::crypto::PrivateKey,
}

impl Signer for WrongKeySigner {
    fn algorithm(&self) -> nv2::crypto::SignatureAlgorithm {
        Es256
    }
    fn cert_chain(&self) -> &[Vec<u8>] {
        &self.chain
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.other.sign_notary(Es256, message).unwrap())
    }
}

#[test]
fn a_signature_from_another_key_is_never_emitted() {
    let f = fixture("p256");
    let other = fixture("chainleaf");
    let bad = WrongKeySigner {
        chain: f.chain.clone(),
        other: other.key,
    };
    let e = sign_descriptor(&target(), &bad, &opts()).unwrap_err();
    assert!(matches!(e, SignError::Signer(_)), "{e:?}");
    assert_eq!(e.code(), "ERR_SIGNING");
    // Two-phase form: garbage and DER-encoded signatures are refused too.
    let pending = prepare_signature(&target(), &f.chain, Es256, &opts()).unwrap();
    assert!(pending.clone().finish(&[0u8; 64]).is_err());
    let raw = f.key.sign_notary(Es256, pending.to_be_signed()).unwrap();
    let der = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
    assert!(pending.clone().finish(der.as_bytes()).is_err());
    let ok = pending.finish(&raw).unwrap();
    UnverifiedEnvelope::parse(MEDIA_TYPE_JWS, &ok.envelope)
        .unwrap()
        .verify_integrity()
        .unwrap();
}

#[test]
fn two_phase_matches_one_phase_inputs() {
    let f = fixture("rsa2048");
    let pending = prepare_signature(&target(), &f.chain, Ps256, &opts()).unwrap();
    assert_eq!(pending.algorithm(), Ps256);
    let input = String::from_utf8(pending.to_be_signed().to_vec()).unwrap();
    assert_eq!(input.matches('.').count(), 1);
    let sig = f.signer.sign(pending.to_be_signed()).unwrap();
    let signed = pending.finish(&sig).unwrap();
    let top: serde_json::Value = serde_json::from_slice(&signed.envelope).unwrap();
    assert_eq!(
        format!(
            "{}.{}",
            top["protected"].as_str().unwrap(),
            top["payload"].as_str().unwrap()
        ),
        input
    );
    // Wrong algorithm for the key.
    assert!(prepare_signature(&target(), &f.chain, Ps384, &opts()).is_err());
    assert!(prepare_signature(&target(), &[], Ps256, &opts()).is_err());
}

#[test]
fn option_validation() {
    let f = fixture("p256");
    let mut o = opts();
    o.user_annotations
        .insert("io.cncf.notary.foo".into(), "x".into());
    let e = sign_descriptor(&target(), &f.signer, &o).unwrap_err();
    assert_eq!(e.code(), "ERR_INVALID_ANNOTATION");
    let mut o = opts();
    o.expiry = Some(o.signing_time);
    assert!(matches!(
        sign_descriptor(&target(), &f.signer, &o),
        Err(SignError::InvalidOptions(_))
    ));
    // No expiry, no annotations, empty signing agent.
    let mut o = SignOptions::new(Instant::from_unix_seconds(1_700_000_000));
    o.signing_agent.clear();
    let signed = sign_descriptor(&target(), &f.signer, &o).unwrap();
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_JWS, &signed.envelope).unwrap();
    assert_eq!(env.signing_agent(), None);
    assert_eq!(env.signed_attributes().expiry, None);
    let v = env.verify_integrity().unwrap();
    assert_eq!(
        Payload::from_verified(&v)
            .unwrap()
            .target_artifact
            .annotations,
        None
    );
}

#[test]
fn blob_descriptors_use_the_key_hash() {
    let d = blob_descriptor(b"hello", "application/octet-stream", Ps384);
    assert_eq!(d.digest.algorithm(), HashAlgorithm::Sha384);
    assert_eq!(d.size, 5);
    let f = fixture("p384");
    let signed = sign_descriptor(
        &blob_descriptor(b"hello", "application/octet-stream", Es384),
        &f.signer,
        &opts(),
    )
    .unwrap();
    let v = UnverifiedEnvelope::parse(MEDIA_TYPE_JWS, &signed.envelope)
        .unwrap()
        .verify_integrity()
        .unwrap();
    let p = Payload::from_verified(&v).unwrap();
    assert!(p.target_artifact.digest.to_string().starts_with("sha384:"));
}

#[test]
fn a_der_encoded_ecdsa_signature_gets_advice_to_return_raw_r_s() {
    for (name, alg) in [("p256", Es256), ("p384", Es384), ("p521", Es512)] {
        let f = fixture(name);
        let pending = prepare_signature(&target(), &f.chain, alg, &opts()).unwrap();
        let raw = f.key.sign_notary(alg, pending.to_be_signed()).unwrap();
        // What WebCrypto-less hosts produce by default (node:crypto `sign`, OpenSSL, most KMS).
        let der = match alg {
            Es256 => p256::ecdsa::Signature::from_slice(&raw)
                .unwrap()
                .to_der()
                .to_bytes(),
            Es384 => p384::ecdsa::Signature::from_slice(&raw)
                .unwrap()
                .to_der()
                .to_bytes(),
            _ => p521::ecdsa::Signature::from_slice(&raw)
                .unwrap()
                .to_der()
                .to_bytes(),
        };
        let e = pending.clone().finish(&der).unwrap_err();
        assert_eq!(e.code(), "ERR_SIGNING", "{name}");
        let msg = e.to_string();
        assert!(msg.contains("DER-encoded"), "{name}: {msg}");
        assert!(msg.contains("raw r‖s"), "{name}: {msg}");
        assert!(
            msg.contains(&format!("{} bytes", raw.len())),
            "{name}: {msg}"
        );
        assert!(msg.contains("dsaEncoding: 'ieee-p1363'"), "{name}: {msg}");
        // Garbage of the raw length gets the plain refusal, not the DER advice.
        let e = pending.clone().finish(&vec![0u8; raw.len()]).unwrap_err();
        assert!(!e.to_string().contains("DER"), "{name}: {e}");
        pending.finish(&raw).unwrap();
    }
}
