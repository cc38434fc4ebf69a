//! Private keys: PKCS#8, SEC1 and PKCS#1 PEM/DER reading (RFC 7468, RFC 5915) and Notary
//! signing (PSS with salt = hash length, raw ECDSA `r || s`, signature-envelope-jws.md §Signature).

use core::fmt;

use der::Decode;
use pkcs1::DecodeRsaPrivateKey;
use sha2::{Sha256, Sha384, Sha512};
use signature::hazmat::RandomizedPrehashSigner;

use super::public_key::{Curve, ID_EC_PUBLIC_KEY, RSA_ENCRYPTION};
use super::{malformed, CryptoError, HashAlgorithm, PublicKey, SignatureAlgorithm};

/// A SEC1 `ECPrivateKey` (RFC 5915 §3) on `curve`, or on the curve its parameters name when
/// `curve` is `None` (a bare SEC1 key must name it). Checks what `elliptic-curve`'s PKCS#8
/// decoder checks: the parameters, when present, agree with `curve`; the scalar is in range;
/// the `publicKey`, when present, is the private key's own point (compressed or not).
fn ec_private_key(der: &[u8], curve: Option<Curve>, what: &str) -> Result<PrivateKey, CryptoError> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(malformed(what))?;
    let named = key.parameters.and_then(|p| p.named_curve());
    let curve = match (curve, named) {
        (Some(c), Some(n)) => {
            if Curve::from_oid(n).ok() != Some(c) {
                return Err(CryptoError::Malformed(format!(
                    "{what}: curve parameters disagree"
                )));
            }
            c
        }
        (Some(c), None) => c,
        (None, Some(n)) => Curve::from_oid(n)?,
        (None, None) => {
            return Err(CryptoError::Malformed(
                "SEC1 key without a named curve".into(),
            ))
        }
    };
    let secret = key.private_key;
    let bad = |_| CryptoError::Malformed(format!("{what}: bad scalar"));
    let private = match curve {
        Curve::P256 => PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(secret).map_err(bad)?),
        Curve::P384 => PrivateKey::P384(p384::ecdsa::SigningKey::from_slice(secret).map_err(bad)?),
        Curve::P521 => PrivateKey::P521(p521::ecdsa::SigningKey::from_slice(secret).map_err(bad)?),
    };
    if let Some(embedded) = key.public_key {
        let compress = matches!(embedded.first(), Some(0x02 | 0x03));
        let own = match &private {
            PrivateKey::P256(k) => k
                .verifying_key()
                .to_sec1_point(compress)
                .as_bytes()
                .to_vec(),
            PrivateKey::P384(k) => k
                .verifying_key()
                .to_sec1_point(compress)
                .as_bytes()
                .to_vec(),
            PrivateKey::P521(k) => k
                .verifying_key()
                .to_sec1_point(compress)
                .as_bytes()
                .to_vec(),
            PrivateKey::Rsa(_) => Vec::new(),
        };
        if embedded != own.as_slice() {
            return Err(CryptoError::KeyMismatch);
        }
    }
    Ok(private)
}

/// A private key that can sign Notary payloads.
#[derive(Clone)]
#[non_exhaustive]
pub enum PrivateKey {
    /// RSA.
    Rsa(rsa::PrivateKey),
    /// ECDSA over P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA over P-384.
    P384(p384::ecdsa::SigningKey),
    /// ECDSA over P-521.
    P521(p521::ecdsa::SigningKey),
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        write!(f, "PrivateKey({})", self.public_key().kind())
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`) or PKCS#1
    /// (`RSA PRIVATE KEY`). Encrypted keys are refused.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let (label, der) = pem_rfc7468_decode(pem)?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_der(&der)
                .map(PrivateKey::Rsa)
                .map_err(|e| CryptoError::Malformed(format!("RSA private key: {e}"))),
            "ENCRYPTED PRIVATE KEY" => Err(CryptoError::UnsupportedKey(
                "encrypted private keys are not supported".into(),
            )),
            other => Err(CryptoError::Malformed(format!(
                "unexpected PEM label {other:?}"
            ))),
        }
    }

    /// Reads a DER PKCS#8 `PrivateKeyInfo`.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(malformed("PKCS#8 key"))?;
        let bad = |e: pkcs8::Error| CryptoError::Malformed(format!("PKCS#8 key: {e}"));
        // The keys are built from the `PrivateKeyInfo` parsed above (`try_from`), not re-parsed
        // from the DER by each key type's `from_pkcs8_der` (same checks; less wasm).
        if info.algorithm.oid == RSA_ENCRYPTION {
            return rsa::PrivateKey::try_from(info)
                .map(PrivateKey::Rsa)
                .map_err(bad);
        }
        if info.algorithm.oid != ID_EC_PUBLIC_KEY {
            return Err(CryptoError::UnsupportedKey(format!(
                "key algorithm {}",
                info.algorithm.oid
            )));
        }
        // PKCS#8 carries a SEC1 `ECPrivateKey` for EC keys (RFC 5915 §4): both encodings share
        // one reader, so both refuse a mismatched embedded public key the same way.
        let curve = Curve::from_parameters(info.algorithm.parameters.as_ref())?;
        ec_private_key(info.private_key.as_bytes(), Some(curve), "PKCS#8 key")
    }

    /// Reads a DER SEC1 `ECPrivateKey` (the curve must be named in its parameters). An embedded
    /// public key must be the private key's own ([`CryptoError::KeyMismatch`] otherwise).
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, CryptoError> {
        ec_private_key(der, None, "SEC1 key")
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(k) => PublicKey::Rsa(k.to_public_key()),
            PrivateKey::P256(k) => PublicKey::P256(*k.verifying_key()),
            PrivateKey::P384(k) => PublicKey::P384(*k.verifying_key()),
            PrivateKey::P521(k) => PublicKey::P521(*k.verifying_key()),
        }
    }

    /// Signs `message` with `alg` (which must be the key's own Notary algorithm), giving the
    /// envelope signature bytes: PSS (salt = hash length) or raw ECDSA `r || s`.
    pub fn sign_notary(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let derived = self.public_key().notary_algorithm()?;
        if derived != alg {
            return Err(CryptoError::UnsupportedAlgorithm(format!(
                "algorithm {alg} does not match the key (expects {derived})"
            )));
        }
        let prehash = alg.hash().digest(message);
        let mut rng = getrandom::SysRng;
        let sign_err = |e: signature::Error| CryptoError::Signing(e.to_string());
        match self {
            PrivateKey::Rsa(k) => {
                let res = match alg.hash() {
                    HashAlgorithm::Sha256 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::<Sha256>::new(), &prehash)
                    }
                    HashAlgorithm::Sha384 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::<Sha384>::new(), &prehash)
                    }
                    HashAlgorithm::Sha512 => {
                        k.sign_with_rng(&mut rng, rsa::Pss::<Sha512>::new(), &prehash)
                    }
                };
                res.map_err(|e| CryptoError::Signing(e.to_string()))
            }
            PrivateKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k
                    .sign_prehash_with_rng(&mut rng, &prehash)
                    .map_err(sign_err)?;
                Ok(sig.to_bytes().to_vec())
            }
            PrivateKey::P384(k) => {
                let sig: p384::ecdsa::Signature = k
                    .sign_prehash_with_rng(&mut rng, &prehash)
                    .map_err(sign_err)?;
                Ok(sig.to_bytes().to_vec())
            }
            PrivateKey::P521(k) => {
                let sig: p521::ecdsa::Signature = k
                    .sign_prehash_with_rng(&mut rng, &prehash)
                    .map_err(sign_err)?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }
}

/// Decodes the one PEM block that is all of `pem`, returning its label and DER body.
///
/// RFC 7468 §2 strictness (nothing around the block, no headers, one block) on top of the
/// Go-compatible scanner the certificate reader already links ([`crate::x509::pem::decode`]):
/// a second PEM decoder would cost the wasm about 8 KB. The scanner checks the END label and the
/// canonical, padded base64 body.
fn pem_rfc7468_decode(pem: &str) -> Result<(String, Vec<u8>), CryptoError> {
    let bad = |why: &str| CryptoError::Malformed(format!("PEM: {why}"));
    let text = pem.trim();
    if !text.starts_with("-----BEGIN ") || text.matches("-----BEGIN ").count() != 1 {
        return Err(bad("expected exactly one PEM block"));
    }
    // Base64 and the encapsulation lines hold no ':'; Go's scanner would skip header lines.
    if text.contains(':') {
        return Err(bad("PEM headers are not allowed"));
    }
    match crate::x509::pem::decode(text.as_bytes()) {
        Some((block, [])) => Ok((block.label, block.bytes)),
        Some(_) => Err(bad("data after the PEM block")),
        None => Err(bad("malformed PEM block")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_round_trip_and_alg_binding() {
        for (pem_alg, alg) in [
            ("p256", SignatureAlgorithm::Es256),
            ("p384", SignatureAlgorithm::Es384),
            ("p521", SignatureAlgorithm::Es512),
        ] {
            let key = match pem_alg {
                "p256" => {
                    PrivateKey::P256(p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap())
                }
                "p384" => {
                    PrivateKey::P384(p384::ecdsa::SigningKey::from_slice(&[7u8; 48]).unwrap())
                }
                _ => PrivateKey::P521(p521::ecdsa::SigningKey::from_slice(&[1u8; 66]).unwrap()),
            };
            let public = key.public_key();
            assert_eq!(public.notary_algorithm().unwrap(), alg);
            let sig = key.sign_notary(alg, b"payload").unwrap();
            public.verify_notary(alg, b"payload", &sig).unwrap();
            assert_eq!(
                public.verify_notary(alg, b"payloae", &sig),
                Err(CryptoError::BadSignature)
            );
            // Another algorithm over the same key is an algorithm-substitution attempt.
            let other = if alg == SignatureAlgorithm::Es256 {
                SignatureAlgorithm::Es384
            } else {
                SignatureAlgorithm::Es256
            };
            assert!(matches!(
                public.verify_notary(other, b"payload", &sig),
                Err(CryptoError::UnsupportedAlgorithm(_))
            ));
            let spki = public.to_spki_der().unwrap();
            assert_eq!(
                PublicKey::from_spki_der(&spki).unwrap().size_bits(),
                public.size_bits()
            );
        }
    }

    #[test]
    fn private_key_pem_is_one_strict_block() {
        let key = |name: &str| {
            std::fs::read_to_string(format!(
                "{}/tests/data/keys/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap()
        };
        // PKCS#8, SEC1 and PKCS#1 fixtures, with surrounding whitespace and CRLF line ends.
        for (name, kind) in [
            ("p256.key", "ECDSA"),
            ("p256.sec1.key", "ECDSA"),
            ("rsa2048.pkcs1.key", "RSA"),
        ] {
            let pem = key(name);
            assert_eq!(
                PrivateKey::from_pem(&pem).unwrap().public_key().kind(),
                kind
            );
            let crlf = format!("\n  {}\n", pem.replace('\n', "\r\n"));
            assert!(PrivateKey::from_pem(&crlf).is_ok(), "{name} with CRLF");
        }
        let pem = key("p256.key");
        let refused = |text: &str| match PrivateKey::from_pem(text) {
            Err(CryptoError::Malformed(m)) => m,
            other => panic!("accepted or wrong error: {other:?}"),
        };
        assert!(refused(&format!("junk\n{pem}")).contains("exactly one PEM block"));
        assert!(refused(&format!("{pem}junk\n")).contains("data after"));
        assert!(refused(&format!("{pem}{pem}")).contains("exactly one PEM block"));
        let with_header = pem.replacen("-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n", 1);
        assert!(refused(&with_header).contains("headers"));
        let wrong_end = pem.replace("END PRIVATE KEY", "END EC PRIVATE KEY");
        assert!(refused(&wrong_end).contains("malformed PEM block"));
        // One flipped base64 symbol in the body (no longer canonical or no longer a key).
        let body_start = pem.find('\n').unwrap() + 1;
        let mut bad_b64 = pem.clone().into_bytes();
        bad_b64[body_start] = b'!';
        assert!(refused(&String::from_utf8(bad_b64).unwrap()).contains("malformed PEM block"));
    }

    /// SEC1 `ECPrivateKey` DER on P-256 with scalar `secret` and the given embedded public key.
    fn sec1_der(secret: &[u8], public: Option<&[u8]>, named: bool) -> Vec<u8> {
        use der::Encode;
        sec1::EcPrivateKey {
            private_key: secret,
            parameters: named.then_some(sec1::EcParameters::NamedCurve(
                const_oid::db::rfc5912::SECP_256_R_1,
            )),
            public_key: public,
        }
        .to_der()
        .unwrap()
    }

    /// PKCS#8 `PrivateKeyInfo` around a P-256 SEC1 key.
    fn pkcs8_der(sec1: &[u8]) -> Vec<u8> {
        let tlv = |tag: u8, c: &[u8]| -> Vec<u8> {
            let mut out = vec![tag];
            if c.len() >= 0x80 {
                out.push(0x81);
            }
            out.push(c.len() as u8);
            out.extend_from_slice(c);
            out
        };
        let alg = tlv(
            0x30,
            &[
                0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                0xce, 0x3d, 0x03, 0x01, 0x07,
            ],
        );
        tlv(
            0x30,
            &[&[0x02, 0x01, 0x00][..], &alg, &tlv(0x04, sec1)].concat(),
        )
    }
    #[test]
    fn ec_keys_with_another_public_key_are_refused() {
        let a = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let b = p256::ecdsa::SigningKey::from_slice(&[8u8; 32]).unwrap();
        let secret = a.to_bytes();
        let own = a.verifying_key().to_sec1_point(false);
        let own_compressed = a.verifying_key().to_sec1_point(true);
        let other = b.verifying_key().to_sec1_point(false);
        let mut bad_point = own.as_bytes().to_vec();
        bad_point[0] = 0x05;
        let cases: [(Option<&[u8]>, bool); 5] = [
            (None, true),
            (Some(own.as_bytes()), true),
            (Some(own_compressed.as_bytes()), true),
            (Some(other.as_bytes()), false),
            (Some(&bad_point), false),
        ];
        for (public, ok) in cases {
            let sec1 = sec1_der(&secret, public, true);
            let pkcs8 = pkcs8_der(&sec1_der(&secret, public, false));
            for parsed in [
                PrivateKey::from_sec1_der(&sec1),
                PrivateKey::from_pkcs8_der(&pkcs8),
            ] {
                match parsed {
                    Ok(PrivateKey::P256(k)) => {
                        assert!(ok);
                        assert_eq!(k.to_bytes(), secret);
                    }
                    Ok(_) => panic!("wrong key type"),
                    Err(e) => {
                        assert!(!ok);
                        assert_eq!(e, CryptoError::KeyMismatch);
                        assert_eq!(e.code(), "ERR_PARSE");
                    }
                }
            }
            // The PKCS#8 decisions are elliptic-curve's own (the reader this replaced there).
            let info = pkcs8::PrivateKeyInfoRef::from_der(&pkcs8).unwrap();
            assert_eq!(p256::ecdsa::SigningKey::try_from(info).is_ok(), ok);
        }
        // A SEC1 key naming its curve in the parameters and a PKCS#8 key naming another.
        let p384_params = sec1::EcPrivateKey {
            private_key: &secret,
            parameters: Some(sec1::EcParameters::NamedCurve(
                const_oid::db::rfc5912::SECP_384_R_1,
            )),
            public_key: None,
        };
        let pkcs8 = pkcs8_der(&der::Encode::to_der(&p384_params).unwrap());
        assert!(matches!(
            PrivateKey::from_pkcs8_der(&pkcs8),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            PrivateKey::from_sec1_der(&sec1_der(&secret, None, false)),
            Err(CryptoError::Malformed(_))
        ));
    }
}
