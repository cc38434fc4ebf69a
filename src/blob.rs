//! Detached blob signatures (signature-specification.md §Blob Signatures): the blob's descriptor
//! computed incrementally, the hash paired with a signing key or envelope, and an unverified look
//! at a `<blob>.<format>.sig` file.
//!
//! Signing a blob is signing its descriptor ([`crate::sign::sign_descriptor`] or
//! [`crate::sign::prepare_signature`] with the descriptor from [`BlobHasher::finish`]);
//! verifying one is [`crate::verify::verify_blob`] with the bytes in memory or a digest from
//! [`BlobHasher`] ([`crate::verify::BlobContent`]).

use crate::crypto::{hex, HashAlgorithm, IncrementalHash};
use crate::envelope::{EnvelopeError, EnvelopeFormat, ExtendedAttribute, UnverifiedEnvelope};
use crate::oci::{Descriptor, Digest, OciError};
use crate::payload::Payload;
use crate::verify::CertSummary;

/// The media type notation gives a blob when the signer names none (signature-specification.md
/// §Blob Signatures).
pub const DEFAULT_BLOB_MEDIA_TYPE: &str = "application/octet-stream";

/// Hashes a blob as it streams through, so a large file is never held whole
/// (signature-specification.md §Blob Signatures: the digest uses the hash paired with the signing
/// key, signature-specification.md §Signature Algorithm Requirements).
#[derive(Clone)]
pub struct BlobHasher {
    algorithm: HashAlgorithm,
    state: IncrementalHash,
    size: u64,
}

impl BlobHasher {
    /// A hasher for `algorithm`.
    pub fn new(algorithm: HashAlgorithm) -> Self {
        BlobHasher {
            algorithm,
            state: IncrementalHash::new(algorithm),
            size: 0,
        }
    }

    /// The hash in use.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// Feeds the next chunk.
    pub fn update(&mut self, chunk: &[u8]) {
        self.state.update(chunk);
        self.size = self.size.saturating_add(chunk.len() as u64);
    }

    /// Bytes fed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The digest of everything fed.
    pub fn digest(self) -> Result<Digest, OciError> {
        let hash = self.state.finish();
        Digest::parse(&format!("{}:{}", self.algorithm.name(), hex(&hash)))
    }

    /// The blob's descriptor (signature-specification.md §Payload (blob payload)): `media_type`,
    /// digest, size.
    pub fn finish(self, media_type: &str) -> Result<Descriptor, OciError> {
        let size = self.size;
        Ok(Descriptor::new(media_type, self.digest()?, size))
    }
}

/// The hash a blob must be digested with to check it against `envelope` (signature-specification.md
/// §Blob Signatures, §Signature Algorithm Requirements): the one paired with the envelope's
/// declared algorithm. Verification itself requires that algorithm to be the leaf key's
/// (integrity), so a digest taken this way is the one the verifier compares.
pub fn hash_algorithm_for_envelope(
    media_type: &str,
    envelope: &[u8],
) -> Result<HashAlgorithm, EnvelopeError> {
    let env = UnverifiedEnvelope::parse(media_type, envelope)?;
    Ok(env.signed_attributes().algorithm.hash())
}

/// What a detached blob signature claims, read without trusting it (notation `blob inspect`).
#[derive(Clone, Debug)]
pub struct BlobSignatureInfo {
    /// The envelope format.
    pub format: EnvelopeFormat,
    /// The envelope's protected attributes (unauthenticated).
    pub signed: crate::envelope::SignedAttributes,
    /// `io.cncf.notary.signingAgent`, if any.
    pub signing_agent: Option<String>,
    /// The RFC 3161 countersignature (DER), if any.
    pub timestamp_token: Option<Vec<u8>>,
    /// The certificate chain, leaf first.
    pub chain: Vec<CertSummary>,
    /// The signed blob descriptor, read from the payload once the envelope's signature verified
    /// under its own leaf certificate (trust-store-trust-policy.md §Signature Verification step
    /// "Validate Integrity"; no trust decision is made).
    pub target: Option<Descriptor>,
    /// Why the payload could not be read, when it could not.
    pub payload_error: Option<String>,
}

impl BlobSignatureInfo {
    /// The extended (non-Notary) protected attributes.
    pub fn extended_attributes(&self) -> &[ExtendedAttribute] {
        &self.signed.extended_attributes
    }
}

/// Parses a detached signature for inspection (signature-specification.md §Blob Signatures,
/// signature-envelope-jws.md, signature-envelope-cose.md). Fails only when the envelope cannot be
/// parsed or a certificate cannot be decoded; an envelope whose signature does not verify is still
/// described, with `payload_error` set.
pub fn inspect_blob_signature(
    media_type: &str,
    envelope: &[u8],
) -> Result<BlobSignatureInfo, EnvelopeError> {
    let env = UnverifiedEnvelope::parse(media_type, envelope)?;
    let chain = CertSummary::of_chain(env.cert_chain())
        .map_err(|e| crate::envelope::cert_failure("", e))?;
    let mut info = BlobSignatureInfo {
        format: env.format(),
        signed: env.signed_attributes().clone(),
        signing_agent: env.signing_agent().map(str::to_string),
        timestamp_token: env.timestamp_token().map(<[u8]>::to_vec),
        chain,
        target: None,
        payload_error: None,
    };
    // The payload is reachable only through a verified envelope (integrity under its own leaf).
    match env.verify_integrity() {
        Ok(verified) => match Payload::from_verified(&verified) {
            Ok(p) => info.target = Some(p.target_artifact),
            Err(e) => info.payload_error = Some(e.to_string()),
        },
        Err(e) => info.payload_error = Some(e.to_string()),
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_hash_equals_whole_hash() {
        let blob: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let mut h = BlobHasher::new(alg);
            for chunk in blob.chunks(7_777) {
                h.update(chunk);
            }
            assert_eq!(h.size(), blob.len() as u64);
            let d = h.finish(DEFAULT_BLOB_MEDIA_TYPE).unwrap();
            assert_eq!(
                d,
                Descriptor::for_content(DEFAULT_BLOB_MEDIA_TYPE, alg, &blob)
            );
        }
    }

    #[test]
    fn empty_blob_has_the_empty_digest() {
        let d = BlobHasher::new(HashAlgorithm::Sha256)
            .finish("text/plain")
            .unwrap();
        assert_eq!(
            d.digest.to_string(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(d.size, 0);
    }
}
