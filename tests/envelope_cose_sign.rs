//! Producing COSE_Sign1 envelopes (signature-envelope-cose.md): byte-for-byte agreement with what
//! notation-go and the notation CLI wrote (conformance vectors), round trips for all six algorithms
//! and both schemes, the two-phase form, and tampering.

mod support;

use std::collections::BTreeMap;

use nv2::crypto::SignatureAlgorithm::*;
use nv2::envelope::cose::{self, PreparedCose};
use nv2::envelope::{
    EnvelopeError, EnvelopeSigningOptions, ExtendedAttribute, SigningScheme, UnverifiedEnvelope,
    MEDIA_TYPE_COSE,
};
use nv2::oci::{Descriptor, Digest, SignatureManifest, MEDIA_TYPE_OCI_MANIFEST};
use nv2::payload::Payload;
use nv2::sign::{prepare_signature, sign_descriptor, SignOptions, SignatureFormat, Signer};
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
    o.format = SignatureFormat::Cose;
    o
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Rebuilds a notation-produced COSE envelope from its own inputs (payload, chain, algorithm,
/// signing time, agent, timestamp token) and its signature: the bytes must be identical.
fn reproduce(path: &str) {
    let Some(dir) = conformance_dir() else { return };
    let original = std::fs::read(dir.join(path)).unwrap();
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &original).unwrap();
    let signed = env.signed_attributes().clone();
    let chain = env.cert_chain().to_vec();
    let signature = env.signature().to_vec();
    let token = env.timestamp_token().map(<[u8]>::to_vec);
    let agent = env.signing_agent().map(str::to_string);
    let verified = env.verify_integrity().unwrap();
    let prepared: PreparedCose = cose::prepare(
        verified.payload(),
        &EnvelopeSigningOptions {
            algorithm: signed.algorithm,
            signing_scheme: signed.signing_scheme,
            signing_time: signed
                .signing_time
                .or(signed.authentic_signing_time)
                .unwrap(),
            expiry: signed.expiry,
            signing_agent: agent,
            extended_attributes: Vec::new(),
            cert_chain: chain,
        },
    )
    .unwrap();
    let rebuilt = prepared
        .complete_with_timestamp(&signature, token.as_deref())
        .unwrap();
    assert_eq!(rebuilt, original, "{path}");
}

#[test]
fn reproduces_notation_go_envelope_byte_for_byte() {
    reproduce("notation-go/internal/testdata/cose_signature.sig");
}

#[test]
fn reproduces_notation_cli_blob_envelope_with_timestamp_byte_for_byte() {
    reproduce("notation/test/e2e/testdata/signatures/blob.cose.sig");
}

#[test]
fn reproduces_other_notation_go_vectors_byte_for_byte() {
    reproduce("notation-go/verifier/testdata/timestamp/sigEnv/coseWithTimestamp.sig");
    reproduce("extracted/notation-go/example_localVerify/signature.cose");
}

#[test]
fn protected_header_matches_notation_core_go_conformance_vector() {
    let Some(dir) = conformance_dir() else { return };
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("notation-core-go/signature/cose/testdata/conformance.json"))
            .unwrap(),
    )
    .unwrap();
    // The vector is PS384 (alg -38): an RSA-3072 leaf dictates it.
    let f = fixture("rsa3072");
    let signing_time = Instant::from_unix_seconds(v["signingTime"].as_i64().unwrap());
    let expiry = Instant::from_unix_seconds(v["expiry"].as_i64().unwrap());
    let prepared = cose::prepare(
        b"{}",
        &EnvelopeSigningOptions {
            algorithm: Ps384,
            signing_scheme: SigningScheme::X509,
            signing_time,
            expiry: Some(expiry),
            signing_agent: Some("NotationConformanceTest/1.0.0".into()),
            extended_attributes: vec![
                ExtendedAttribute {
                    key: "signedCritKey1".into(),
                    critical: true,
                    value: "signedCritValue1".into(),
                },
                ExtendedAttribute {
                    key: "signedKey1".into(),
                    critical: false,
                    value: "signedValue1".into(),
                },
            ],
            cert_chain: f.chain.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        prepared.protected_header(),
        unhex(v["protectedHeaders"]["cborHex"].as_str().unwrap()).as_slice()
    );
    // Sig_structure = ["Signature1", protected, h'', payload] (RFC 9052 §4.4).
    let tbs = prepared.to_be_signed().to_vec();
    assert_eq!(&tbs[..12], b"\x84\x6aSignature1");
    assert!(tbs.ends_with(b"\x40\x42{}"));
    // A critical attribute nv2 does not know: emitted (signature checked), but nv2's verifier
    // refuses it without a plugin (docs/conformance.md §D1).
    let sig = f.signer.sign(&tbs).unwrap();
    let out = prepared.complete(&sig).unwrap();
    assert_eq!(
        UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &out).unwrap_err(),
        EnvelopeError::UnsupportedCriticalAttribute("signedCritKey1".into())
    );
}

#[test]
fn round_trip_all_six_algorithms_both_schemes() {
    for (name, alg, sig_len) in [
        ("rsa2048", Ps256, 256),
        ("rsa3072", Ps384, 384),
        ("rsa4096", Ps512, 512),
        ("p256", Es256, 64),
        ("p384", Es384, 96),
        ("p521", Es512, 132),
    ] {
        let f = fixture(name);
        for scheme in [SigningScheme::X509, SigningScheme::X509SigningAuthority] {
            let mut o = opts();
            o.signing_scheme = scheme;
            let signed = sign_descriptor(&target(), &f.signer, &o).unwrap();
            assert_eq!(signed.media_type, MEDIA_TYPE_COSE, "{name}");
            assert_eq!(signed.envelope_descriptor.media_type, MEDIA_TYPE_COSE);
            assert!(signed.envelope_descriptor.matches_content(&signed.envelope));
            // COSE_Sign1_Tagged (signature-envelope-cose.md: the message starts with D2 84).
            assert_eq!(&signed.envelope[..2], &[0xd2, 0x84]);

            let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &signed.envelope).unwrap();
            let s = env.signed_attributes().clone();
            assert_eq!(s.algorithm, alg);
            assert_eq!(s.signing_scheme, scheme);
            assert_eq!(env.signature().len(), sig_len, "{name}: raw r||s or PSS");
            let time = Instant::parse_rfc3339("2024-05-06T07:08:09Z").unwrap();
            let (plain, authentic) = match scheme {
                SigningScheme::X509 => (Some(time), None),
                SigningScheme::X509SigningAuthority => (None, Some(time)),
            };
            assert_eq!(
                (s.signing_time, s.authentic_signing_time),
                (plain, authentic)
            );
            assert_eq!(s.expiry, o.expiry);
            assert_eq!(env.cert_chain(), &f.chain[..]);
            assert!(env.signing_agent().unwrap().starts_with("nv2/"));
            let v = env.verify_integrity().unwrap();
            let p = Payload::from_verified(&v).unwrap();
            assert!(p.target_artifact.matches_target(&target()));
            assert_eq!(p.annotations()["buildId"], "42");

            let m = SignatureManifest::parse(&signed.manifest.bytes).unwrap();
            assert_eq!(m.envelope, signed.envelope_descriptor);
            assert_eq!(m.envelope.media_type, "application/cose");
            assert!(m.subject.matches_target(&target()));
        }
    }
}

#[test]
fn two_phase_signs_the_sig_structure() {
    for (name, alg) in [("p384", Es384), ("rsa2048", Ps256)] {
        let f = fixture(name);
        let pending = prepare_signature(&target(), &f.chain, alg, &opts()).unwrap();
        assert_eq!(pending.format(), SignatureFormat::Cose);
        assert_eq!(pending.algorithm(), alg);
        let tbs = pending.to_be_signed().to_vec();
        assert_eq!(&tbs[..12], b"\x84\x6aSignature1");
        // A signature from another key, or garbage, is never emitted (threat model 3d).
        assert!(pending.clone().finish(&[0u8; 64]).is_err());
        let sig = f.key.sign_notary(alg, &tbs).unwrap();
        let signed = pending.finish(&sig).unwrap();
        let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &signed.envelope).unwrap();
        // The envelope's Sig_structure is the one handed out.
        assert_eq!(env.signature(), sig.as_slice());
        env.verify_integrity().unwrap();
    }
    let f = fixture("p256");
    let pending = prepare_signature(&target(), &f.chain, Es256, &opts()).unwrap();
    let wrong = fixture("chainleaf")
        .key
        .sign_notary(Es256, pending.to_be_signed())
        .unwrap();
    assert!(pending.finish(&wrong).is_err());
}

/// Where `needle` first occurs in `envelope`.
fn locate(envelope: &[u8], needle: &[u8]) -> usize {
    envelope
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

#[test]
fn tampering_fails_integrity() {
    let f = fixture("p256");
    let signed = sign_descriptor(&target(), &f.signer, &opts()).unwrap();
    let check = |bytes: &[u8]| {
        UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, bytes).and_then(|e| e.verify_integrity())
    };
    check(&signed.envelope).unwrap();

    // A payload byte flipped: the digest's first hex digit '6' becomes '7'.
    let mut bad = signed.envelope.clone();
    let at = locate(&bad, b"sha256:6") + 7;
    bad[at] ^= 0x01;
    let e = check(&bad).unwrap_err();
    assert_eq!(e, EnvelopeError::SignatureInvalid);
    assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY");

    // The protected content type changed: an integrity failure before the signature is
    // checked (signature-specification.md §Payload).
    let mut bad = signed.envelope.clone();
    let at = locate(&bad, b"application/vnd.cncf.notary.payload.v1+json");
    bad[at] = b'A';
    let e = check(&bad).unwrap_err();
    assert!(
        matches!(e, EnvelopeError::UnsupportedContentType(_)),
        "{e:?}"
    );
    assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY");

    // The protected signing time moved by one second (the tag 1 uint's last byte).
    let mut bad = signed.envelope.clone();
    let label = locate(&bad, b"io.cncf.notary.signingTime");
    let time_end = label + "io.cncf.notary.signingTime".len() + 1 + 5;
    assert_eq!(bad[label + 26], 0xc1, "tag 1");
    bad[time_end - 1] ^= 0x01;
    assert_eq!(check(&bad).unwrap_err(), EnvelopeError::SignatureInvalid);

    // The unprotected signing agent is not signed (signature-envelope-cose.md): changing it keeps
    // the signature.
    let mut agent = signed.envelope.clone();
    let at = locate(&agent, b"nv2/");
    agent[at] = b'N';
    let env = check(&agent).unwrap();
    assert!(env.envelope().signing_agent().unwrap().starts_with("Nv2/"));

    // A signature byte flipped.
    let mut bad = signed.envelope.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    assert_eq!(check(&bad).unwrap_err(), EnvelopeError::SignatureInvalid);
}

#[test]
fn option_validation() {
    let f = fixture("p256");
    let mut o = opts();
    o.expiry = Some(o.signing_time);
    assert!(sign_descriptor(&target(), &f.signer, &o).is_err());
    // Wrong algorithm for the key, and an empty chain.
    assert!(prepare_signature(&target(), &f.chain, Es384, &opts()).is_err());
    assert!(prepare_signature(&target(), &[], Es256, &opts()).is_err());
    // No expiry, empty signing agent: neither header is written.
    let mut o = SignOptions::new(Instant::from_unix_seconds(1_700_000_000));
    o.format = SignatureFormat::Cose;
    o.signing_agent.clear();
    let signed = sign_descriptor(&target(), &f.signer, &o).unwrap();
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &signed.envelope).unwrap();
    assert_eq!(env.signing_agent(), None);
    assert_eq!(env.signed_attributes().expiry, None);
    env.verify_integrity().unwrap();
    // Reserved extended attribute names are refused.
    let e = cose::prepare(
        b"{}",
        &EnvelopeSigningOptions {
            algorithm: Es256,
            signing_scheme: SigningScheme::X509,
            signing_time: Instant::from_unix_seconds(1_700_000_000),
            expiry: None,
            signing_agent: None,
            extended_attributes: vec![ExtendedAttribute {
                key: "io.cncf.notary.custom".into(),
                critical: false,
                value: 1.into(),
            }],
            cert_chain: f.chain.clone(),
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "ERR_SIGNING");
}

#[test]
fn extended_attributes_round_trip() {
    let f = fixture("p256");
    let value = serde_json::json!({"n": -3, "list": [1, "two", true, null], "f": 1.5});
    let prepared = cose::prepare(
        PAYLOAD,
        &EnvelopeSigningOptions {
            algorithm: Es256,
            signing_scheme: SigningScheme::X509,
            signing_time: Instant::from_unix_seconds(1_700_000_000),
            expiry: None,
            signing_agent: None,
            extended_attributes: vec![ExtendedAttribute {
                key: "custom".into(),
                critical: false,
                value: value.clone(),
            }],
            cert_chain: f.chain.clone(),
        },
    )
    .unwrap();
    let sig = f.key.sign_notary(Es256, prepared.to_be_signed()).unwrap();
    let out = prepared.complete(&sig).unwrap();
    let env = UnverifiedEnvelope::parse(MEDIA_TYPE_COSE, &out).unwrap();
    let attrs = &env.signed_attributes().extended_attributes;
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].key, "custom");
    assert!(!attrs[0].critical);
    assert_eq!(attrs[0].value, value);
    env.verify_integrity().unwrap();
}
