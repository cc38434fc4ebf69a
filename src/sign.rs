//! Signing (signature-specification.md §Payload, signature-envelope-jws.md,
//! signature-envelope-cose.md, signature-specification.md §OCI Signatures): build the Notary
//! payload for a target descriptor, wrap it in a JWS or COSE_Sign1 envelope
//! ([`SignOptions::format`]), have a [`Signer`] sign it, and build the signature manifest to push.
//!
//! Two forms:
//! - [`sign_descriptor`] with a synchronous [`Signer`] (e.g. [`LocalSigner`] from PEM files);
//! - [`prepare_signature`] → [`PendingSignature::to_be_signed`] → host signs (WebCrypto, KMS,
//!   asynchronously) → [`PendingSignature::finish`], so private keys can stay in the host.
//!
//! Either way the signature is verified under the leaf certificate's key before anything is
//! emitted (threat model 3d): a signer that uses another key produces an error, never an envelope.

use core::fmt;
use std::collections::BTreeMap;

use crate::crypto::{CryptoError, PrivateKey, SignatureAlgorithm};
use crate::envelope::cose::{self, PreparedCose};
use crate::envelope::jws::{self, PreparedJws};
use crate::envelope::{leaf_public_key, EnvelopeError, EnvelopeSigningOptions, SigningScheme};
use crate::error::ErrorCode;
use crate::oci::{Descriptor, EncodedManifest, OciError, SignatureManifest};
use crate::payload::Payload;
use crate::time::Instant;

/// Why signing failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// A user annotation uses the reserved `io.cncf.notary` prefix or collides
    /// (signature-specification.md §Payload).
    InvalidAnnotation(String),
    /// The key or certificate chain is unusable (bad PEM, key/cert mismatch, unsupported key).
    InvalidKey(String),
    /// The options are invalid (expiry before signing time, bad extended attribute, ...).
    InvalidOptions(String),
    /// The signer failed, or its signature does not verify under the leaf key (threat model 3d).
    Signer(String),
    /// Building the envelope or manifest failed.
    Envelope(EnvelopeError),
}

impl SignError {
    /// Stable error code: `ERR_INVALID_ANNOTATION` for reserved/colliding annotation keys,
    /// otherwise `ERR_SIGNING`.
    pub fn code(&self) -> ErrorCode {
        match self {
            SignError::InvalidAnnotation(_) => ErrorCode::InvalidAnnotation,
            _ => ErrorCode::Signing,
        }
    }
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::InvalidAnnotation(s) => f.write_str(s),
            SignError::InvalidKey(s) => write!(f, "invalid signing key: {s}"),
            SignError::InvalidOptions(s) => write!(f, "invalid signing options: {s}"),
            SignError::Signer(s) => write!(f, "signer failed: {s}"),
            SignError::Envelope(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SignError {}

impl From<EnvelopeError> for SignError {
    fn from(e: EnvelopeError) -> Self {
        match e {
            EnvelopeError::Signing(s) => SignError::Signer(s),
            other => SignError::Envelope(other),
        }
    }
}

impl From<OciError> for SignError {
    fn from(e: OciError) -> Self {
        match e {
            OciError::InvalidAnnotation(s) => SignError::InvalidAnnotation(s),
            other => SignError::InvalidOptions(other.to_string()),
        }
    }
}

/// Something that signs Notary envelopes: a key (local, or held by a host) with its certificate
/// chain.
pub trait Signer {
    /// The algorithm it signs with; must be the one the leaf certificate's key dictates
    /// (signature-specification.md §Signature Algorithm Requirements).
    fn algorithm(&self) -> SignatureAlgorithm;
    /// DER certificates, leaf first, then intermediates, then the root (signature-envelope-jws.md
    /// §Unprotected Headers `x5c`).
    fn cert_chain(&self) -> &[Vec<u8>];
    /// Signs `message` (the JWS signing input or the COSE `Sig_structure`) giving the raw
    /// signature: RSASSA-PSS with salt =
    /// hash length, or ECDSA as fixed-length `r || s` (signature-envelope-jws.md §Signature,
    /// signature-specification.md §Signature Algorithm Requirements).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// A signer over a private key held in memory.
#[derive(Clone, Debug)]
pub struct LocalSigner {
    key: PrivateKey,
    algorithm: SignatureAlgorithm,
    cert_chain: Vec<Vec<u8>>,
}

impl LocalSigner {
    /// A signer from a PEM private key (PKCS#8, SEC1 or PKCS#1) and a PEM certificate chain
    /// (leaf first). The key must be the leaf certificate's key; the algorithm is derived from it
    /// (signature-specification.md §Signature Algorithm Requirements).
    pub fn from_pem(key_pem: &str, cert_chain_pem: &str) -> Result<Self, SignError> {
        let key =
            PrivateKey::from_pem(key_pem).map_err(|e| SignError::InvalidKey(e.to_string()))?;
        // One certificate decoder serves PEM and DER input (trust-store-trust-policy.md §Trust
        // Store file semantics); the DER kept is the certificates' own bytes, never a re-encoding.
        let cert_chain = crate::x509::Certificate::parse_pem_or_der(cert_chain_pem.as_bytes())
            .map_err(|e| SignError::InvalidKey(format!("certificate chain PEM: {e}")))?
            .iter()
            .map(|c| c.der().to_vec())
            .collect();
        LocalSigner::new(key, cert_chain)
    }

    /// A signer from a private key and DER certificate chain (leaf first).
    pub fn new(key: PrivateKey, cert_chain: Vec<Vec<u8>>) -> Result<Self, SignError> {
        let leaf = cert_chain
            .first()
            .ok_or_else(|| SignError::InvalidKey("the certificate chain is empty".into()))?;
        // Every certificate must at least be DER (the verifier applies the profile,
        // signature-specification.md §Certificate Requirements).
        for c in &cert_chain {
            crate::x509::Certificate::from_der(c)
                .map_err(|e| SignError::InvalidKey(format!("certificate: {e}")))?;
        }
        let leaf_key = leaf_public_key(leaf).map_err(|e| SignError::InvalidKey(e.to_string()))?;
        let crypto = |e: CryptoError| SignError::InvalidKey(e.to_string());
        if !leaf_key.same_key(&key.public_key()) {
            return Err(SignError::InvalidKey(
                "the private key does not match the signing certificate".into(),
            ));
        }
        let algorithm = leaf_key.notary_algorithm().map_err(crypto)?;
        Ok(LocalSigner {
            key,
            algorithm,
            cert_chain,
        })
    }
}

impl Signer for LocalSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn cert_chain(&self) -> &[Vec<u8>] {
        &self.cert_chain
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.key
            .sign_notary(self.algorithm, message)
            .map_err(|e| SignError::Signer(e.to_string()))
    }
}

/// The signature algorithm a certificate chain (leaf first) signs with: the leaf key's Notary
/// algorithm (signature-specification.md §Signature Algorithm Requirements: the algorithm follows
/// the key). An empty chain is [`SignError::InvalidOptions`]; a leaf key Notary does not sign with
/// (RSA other than 2048/3072/4096, curves other than P-256/384/521) or cannot read is
/// [`SignError::InvalidKey`].
pub fn algorithm_for_chain(
    chain: &[crate::x509::Certificate],
) -> Result<SignatureAlgorithm, SignError> {
    let leaf = chain.first().ok_or_else(|| {
        SignError::InvalidOptions("the certificate chain holds no certificate".into())
    })?;
    leaf.public_key()
        .map_err(|e| SignError::InvalidKey(e.to_string()))?
        .notary_algorithm()
        .map_err(|e| SignError::InvalidKey(e.to_string()))
}

/// The envelope format a signature is produced in (signature-specification.md §OCI Signatures): JWS
/// (`application/jose+json`, signature-envelope-jws.md, the default as in notation) or COSE_Sign1
/// (`application/cose`, signature-envelope-cose.md).
pub use crate::envelope::EnvelopeFormat as SignatureFormat;

/// Signing options (signature-envelope-jws.md §Protected Headers, signature-envelope-cose.md,
/// signature-specification.md §Payload).
#[derive(Clone, Debug)]
pub struct SignOptions {
    /// The signing time (the host's clock; the core never reads one). Truncated to seconds.
    pub signing_time: Instant,
    /// Optional expiry; must be after the signing time.
    pub expiry: Option<Instant>,
    /// `io.cncf.notary.signingAgent`, e.g. `nv2/0.1.0`.
    pub signing_agent: String,
    /// User metadata, placed in the payload's `targetArtifact.annotations` (keys must not start
    /// with `io.cncf.notary`, signature-specification.md §Payload).
    pub user_annotations: BTreeMap<String, String>,
    /// The signing scheme (default `notary.x509`).
    pub signing_scheme: SigningScheme,
    /// The envelope format (default JWS, as `notation sign`).
    pub format: SignatureFormat,
}

impl SignOptions {
    /// Options for `notary.x509` with no expiry, no metadata and the default signing agent.
    pub fn new(signing_time: Instant) -> Self {
        SignOptions {
            signing_time,
            expiry: None,
            signing_agent: concat!("nv2/", env!("CARGO_PKG_VERSION")).to_string(),
            user_annotations: BTreeMap::new(),
            signing_scheme: SigningScheme::X509,
            format: SignatureFormat::Jws,
        }
    }
}

/// The result of signing: the envelope blob and the signature manifest that references it.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedArtifact {
    /// The envelope bytes (the manifest's single layer).
    pub envelope: Vec<u8>,
    /// The envelope media type (`application/jose+json` or `application/cose`).
    pub media_type: &'static str,
    /// Descriptor of the envelope blob (SHA-256).
    pub envelope_descriptor: Descriptor,
    /// The signature manifest (current form, signature-specification.md §OCI Signatures) and its
    /// descriptor.
    pub manifest: EncodedManifest,
}

/// A signature waiting for the host: sign [`PendingSignature::to_be_signed`] with the leaf key,
/// then call [`PendingSignature::finish`].
#[derive(Clone, Debug)]
pub struct PendingSignature {
    prepared: Prepared,
    subject: Descriptor,
    cert_chain: Vec<Vec<u8>>,
    signing_time: Instant,
}

/// The envelope under construction, in the chosen format.
#[derive(Clone, Debug)]
enum Prepared {
    Jws(PreparedJws),
    Cose(PreparedCose),
}

/// Starts a signature of `target` (the descriptor of bytes the caller has hashed; threat model
/// 3) with `cert_chain` (DER, leaf first) and `algorithm` (must match the leaf key,
///    signature-specification.md §Signature Algorithm Requirements).
pub fn prepare_signature(
    target: &Descriptor,
    cert_chain: &[Vec<u8>],
    algorithm: SignatureAlgorithm,
    opts: &SignOptions,
) -> Result<PendingSignature, SignError> {
    let payload = Payload::for_target(target, &opts.user_annotations)?;
    let payload_bytes = payload.to_bytes()?;
    let signing_time = opts.signing_time.truncate_to_seconds();
    if let Some(e) = opts.expiry {
        if e.truncate_to_seconds() <= signing_time {
            return Err(SignError::InvalidOptions(
                EnvelopeError::ExpiryNotAfterSigningTime.to_string(),
            ));
        }
    }
    let envelope_opts = EnvelopeSigningOptions {
        algorithm,
        signing_scheme: opts.signing_scheme,
        signing_time,
        expiry: opts.expiry,
        signing_agent: Some(opts.signing_agent.clone()).filter(|s| !s.is_empty()),
        extended_attributes: Vec::new(),
        cert_chain: cert_chain.to_vec(),
    };
    let prepared = match opts.format {
        SignatureFormat::Jws => jws::prepare(&payload_bytes, &envelope_opts).map(Prepared::Jws),
        SignatureFormat::Cose => cose::prepare(&payload_bytes, &envelope_opts).map(Prepared::Cose),
    }
    .map_err(|e| match e {
        EnvelopeError::Signing(s) => SignError::InvalidKey(s),
        other => SignError::Envelope(other),
    })?;
    Ok(PendingSignature {
        prepared,
        subject: target.clone(),
        cert_chain: cert_chain.to_vec(),
        signing_time,
    })
}

impl PendingSignature {
    /// The exact bytes to sign: the JWS signing input (signature-envelope-jws.md §Signature
    /// Envelope) or the COSE `Sig_structure` (signature-envelope-cose.md, RFC 9052 §4.4).
    pub fn to_be_signed(&self) -> &[u8] {
        match &self.prepared {
            Prepared::Jws(p) => p.signing_input(),
            Prepared::Cose(p) => p.to_be_signed(),
        }
    }

    /// The algorithm the signature must use.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match &self.prepared {
            Prepared::Jws(p) => p.algorithm(),
            Prepared::Cose(p) => p.algorithm(),
        }
    }

    /// The envelope format being produced.
    pub fn format(&self) -> SignatureFormat {
        match &self.prepared {
            Prepared::Jws(_) => SignatureFormat::Jws,
            Prepared::Cose(_) => SignatureFormat::Cose,
        }
    }

    /// Completes the signature with `signature` from the host. Fails if it does not verify under
    /// the leaf certificate's key (threat model 3d). Builds the signature manifest with the
    /// thumbprint annotation and `org.opencontainers.image.created` = signing time
    /// (signature-specification.md §OCI Signatures).
    pub fn finish(self, signature: &[u8]) -> Result<SignedArtifact, SignError> {
        let media_type = self.format().media_type();
        let algorithm = self.algorithm();
        let completed = match self.prepared {
            Prepared::Jws(p) => p.complete(signature),
            Prepared::Cose(p) => p.complete(signature),
        };
        let envelope = completed.map_err(|e| match der_ecdsa_hint(algorithm, signature) {
            Some(hint) => SignError::Signer(hint),
            None => SignError::from(e),
        })?;
        let envelope_descriptor =
            Descriptor::for_content(media_type, crate::crypto::HashAlgorithm::Sha256, &envelope);
        let manifest = SignatureManifest::new(
            envelope_descriptor.clone(),
            &self.subject,
            &self.cert_chain,
            self.signing_time,
        )?
        .encode()?;
        Ok(SignedArtifact {
            envelope,
            media_type,
            envelope_descriptor,
            manifest,
        })
    }
}

/// The advice for a host signer that returned an ECDSA signature DER-encoded (an ASN.1
/// `SEQUENCE { r INTEGER, s INTEGER }`, RFC 3279 §2.2.3) where JWS (RFC 7518 §3.4) and COSE
/// (RFC 9053 §2.1) carry the fixed-length `r ‖ s`; `None` when `signature` is not that.
fn der_ecdsa_hint(algorithm: SignatureAlgorithm, signature: &[u8]) -> Option<String> {
    let raw_len = match algorithm {
        SignatureAlgorithm::Es256 => 64,
        SignatureAlgorithm::Es384 => 96,
        SignatureAlgorithm::Es512 => 132,
        _ => return None,
    };
    is_der_ecdsa(signature, raw_len / 2).then(|| {
        format!(
            "the signature is DER-encoded (an ASN.1 SEQUENCE of r and s); return the raw r‖s \
             ({raw_len} bytes for {}), as WebCrypto does (node:crypto: dsaEncoding: 'ieee-p1363')",
            algorithm.jws_name()
        )
    })
}

/// Whether `sig` is exactly one DER SEQUENCE of two INTEGERs, each at most `n + 1` bytes (a
/// leading zero byte keeps a high bit positive, X.690 §8.3).
fn is_der_ecdsa(sig: &[u8], n: usize) -> bool {
    // A tag-length-value at the front of `b` with tag `tag`: (value, rest).
    fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&t, b) = b.split_first()?;
        let (&l, b) = b.split_first()?;
        let (len, b) = match l {
            0..=0x7f => (usize::from(l), b),
            0x81 => {
                let (&l, b) = b.split_first()?;
                (usize::from(l), b)
            }
            _ => return None,
        };
        (t == tag && b.len() >= len).then(|| b.split_at(len))
    }
    let Some((body, [])) = tlv(sig, 0x30) else {
        return false;
    };
    let Some((r, rest)) = tlv(body, 0x02) else {
        return false;
    };
    let Some((s, [])) = tlv(rest, 0x02) else {
        return false;
    };
    [r, s].iter().all(|i| !i.is_empty() && i.len() <= n + 1)
}

/// Signs `target` with `signer` (signature-specification.md §Payload, signature-envelope-jws.md or
/// signature-envelope-cose.md, signature-specification.md §OCI Signatures).
pub fn sign_descriptor(
    target: &Descriptor,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignedArtifact, SignError> {
    let pending = prepare_signature(target, signer.cert_chain(), signer.algorithm(), opts)?;
    let signature = signer.sign(pending.to_be_signed())?;
    pending.finish(&signature)
}

/// The descriptor a blob signature signs (signature-specification.md §Blob Signatures):
/// `media_type` (notation's default is `application/octet-stream`), the digest under the hash
/// paired with `algorithm` (signature-specification.md §Signature Algorithm Requirements), and the
/// byte count.
pub fn blob_descriptor(blob: &[u8], media_type: &str, algorithm: SignatureAlgorithm) -> Descriptor {
    Descriptor::for_content(media_type, algorithm.hash(), blob)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x509::Certificate;

    fn cert(name: &str) -> Certificate {
        let path = format!("{}/tests/data/keys/{name}.crt", env!("CARGO_MANIFEST_DIR"));
        Certificate::parse_pem_or_der(&std::fs::read(path).unwrap())
            .unwrap()
            .remove(0)
    }

    #[test]
    fn algorithm_for_chain_follows_the_leaf_key() {
        for (name, alg) in [
            ("rsa2048", SignatureAlgorithm::Ps256),
            ("rsa3072", SignatureAlgorithm::Ps384),
            ("rsa4096", SignatureAlgorithm::Ps512),
            ("p256", SignatureAlgorithm::Es256),
            ("p384", SignatureAlgorithm::Es384),
            ("p521", SignatureAlgorithm::Es512),
        ] {
            assert_eq!(algorithm_for_chain(&[cert(name)]).unwrap(), alg, "{name}");
        }
        // Only the leaf decides: a chain whose second certificate has another key.
        let chain = [cert("p384"), cert("rsa2048")];
        assert_eq!(
            algorithm_for_chain(&chain).unwrap(),
            SignatureAlgorithm::Es384
        );
        // Keys Notary does not sign with (signature-specification.md §Signature Algorithm
        // Requirements).
        for name in ["rsa1024", "secp256k1"] {
            match algorithm_for_chain(&[cert(name)]) {
                Err(SignError::InvalidKey(m)) => assert!(m.contains("unsupported"), "{name}: {m}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert!(matches!(
            algorithm_for_chain(&[]),
            Err(SignError::InvalidOptions(_))
        ));
    }
}
