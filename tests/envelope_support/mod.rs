//! Shared helpers for the envelope tests: fixture keys, conformance data location, and a crafter
//! for hand-made JWS envelopes (to test one rule at a time).
#![allow(dead_code)]

use std::path::PathBuf;

use nv2::crypto::{PrivateKey, SignatureAlgorithm};
use nv2::encoding::{base64_std_encode, base64url_encode};
use nv2::sign::{LocalSigner, Signer};

/// A fixture key pair from `tests/data/keys/`.
pub struct Fixture {
    pub key: PrivateKey,
    pub signer: LocalSigner,
    pub chain: Vec<Vec<u8>>,
    pub key_pem: String,
    pub cert_pem: String,
}

pub fn keys_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys"))
}

pub fn read(name: &str) -> String {
    std::fs::read_to_string(keys_dir().join(name)).unwrap()
}

/// The fixture `name` (`p256`, `rsa3072`, ...), self-signed leaf.
pub fn fixture(name: &str) -> Fixture {
    fixture_with_chain(&format!("{name}.key"), &[&format!("{name}.crt")])
}

pub fn fixture_with_chain(key: &str, certs: &[&str]) -> Fixture {
    let key_pem = read(key);
    let cert_pem: String = certs.iter().map(|c| read(c)).collect();
    let signer = LocalSigner::from_pem(&key_pem, &cert_pem).unwrap();
    Fixture {
        key: PrivateKey::from_pem(&key_pem).unwrap(),
        chain: signer.cert_chain().to_vec(),
        signer,
        key_pem,
        cert_pem,
    }
}

/// DER of a PEM certificate file (even for keys nv2 refuses).
pub fn cert_der(name: &str) -> Vec<u8> {
    let pem = read(name);
    let (_, der) = der::pem::decode_vec(pem.as_bytes()).unwrap();
    der
}

/// The notation vectors vendored in the repository (tests/vectors/notation/README.md). Always
/// `Some`: the vectors are part of the repository, never a silent skip.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/notation"));
    assert!(dir.join("cases.json").is_file(), "{} is missing", dir.display());
    Some(dir)
}

pub const PAYLOAD: &[u8] = br#"{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e","size":528}}"#;

/// A valid `notary.x509` protected header for `alg` (as JSON text).
pub fn header(alg: &str) -> String {
    format!(
        r#"{{"alg":"{alg}","crit":["io.cncf.notary.signingScheme","io.cncf.notary.expiry"],"cty":"application/vnd.cncf.notary.payload.v1+json","io.cncf.notary.expiry":"2120-11-09T07:00:00Z","io.cncf.notary.signingScheme":"notary.x509","io.cncf.notary.signingTime":"2020-11-09T07:00:00Z"}}"#
    )
}

/// Parts of a hand-made envelope, as text.
pub struct Parts {
    pub protected: String,
    pub payload: String,
    pub signature: String,
    pub header: String,
}

impl Parts {
    /// Protected header JSON text + payload, signed by `key` with `sign_alg`.
    pub fn signed(
        protected_json: &str,
        payload: &[u8],
        key: &PrivateKey,
        sign_alg: SignatureAlgorithm,
        chain: &[Vec<u8>],
    ) -> Parts {
        let protected = base64url_encode(protected_json.as_bytes());
        let payload = base64url_encode(payload);
        let sig = key
            .sign_notary(sign_alg, format!("{protected}.{payload}").as_bytes())
            .unwrap();
        Parts {
            signature: base64url_encode(&sig),
            header: x5c_header(chain),
            protected,
            payload,
        }
    }

    /// Re-signs `protected.payload` as currently spelled.
    pub fn resign(&mut self, key: &PrivateKey, alg: SignatureAlgorithm) {
        let sig = key
            .sign_notary(
                alg,
                format!("{}.{}", self.protected, self.payload).as_bytes(),
            )
            .unwrap();
        self.signature = base64url_encode(&sig);
    }

    pub fn to_json(&self) -> Vec<u8> {
        format!(
            r#"{{"payload":"{}","protected":"{}","header":{},"signature":"{}"}}"#,
            self.payload, self.protected, self.header, self.signature
        )
        .into_bytes()
    }
}

pub fn x5c_header(chain: &[Vec<u8>]) -> String {
    let certs: Vec<String> = chain
        .iter()
        .map(|c| format!("\"{}\"", base64_std_encode(c)))
        .collect();
    format!(
        r#"{{"x5c":[{}],"io.cncf.notary.signingAgent":"nv2-test"}}"#,
        certs.join(",")
    )
}
