//! Verification of one signature envelope against a trust policy and trust store
//! (trust-store-trust-policy.md §Signature Verification).
//!
//! Synchronous and sans-IO: the envelope bytes, the descriptor the registry resolved, the policy,
//! the trust store, the revocation checker and `now` are all arguments. The result is data: an
//! [`Outcome`] with one [`CheckResult`] per check, carrying the action the policy's level gives
//! it, so callers can show audit and skip outcomes for what they are (threat model 18).
//!
//! Order of the checks, as notation-go performs them (trust-store-trust-policy.md §Signature
//! Verification `processSignature`): integrity → verification plugin → authenticity (trust store,
//! then trusted identity) → expiry → authentic timestamp → revocation, then the payload's target
//! descriptor and user metadata. An `enforce` failure stops; a `log` failure is recorded and
//! verification goes on.

mod checks;
mod error;
mod outcome;
mod run;

pub use checks::authentic_timestamp;
pub use error::{FailureStage, VerifyError};
pub use outcome::{CertSummary, CheckResult, Outcome};
use run::run_statement;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{DescriptorMismatch, ExpectedTarget};
use crate::oci::Descriptor;
use crate::policy::{BlobTrustPolicy, OciTrustPolicy, TrustPolicyStatement};
use crate::revocation::RevocationChecker;
use crate::time::Instant;
use crate::truststore::TrustStore;

/// Everything one verification needs.
pub struct VerifyRequest<'a> {
    /// The envelope bytes as fetched (the signature manifest's single layer).
    pub envelope: &'a [u8],
    /// The envelope's media type (the layer's `mediaType`).
    pub media_type: &'a str,
    /// The descriptor of the artifact being verified, computed from the bytes the caller
    /// fetched (never taken from the signature).
    pub target: &'a Descriptor,
    /// `registry/repository@digest`, used to select the trust policy statement.
    pub artifact_reference: &'a str,
    /// The trust policy document.
    pub policy: &'a OciTrustPolicy,
    /// The trust store.
    pub trust_store: &'a TrustStore,
    /// The verification time.
    pub now: Instant,
    /// Annotations the payload must carry (key and value).
    pub user_metadata: &'a BTreeMap<String, String>,
    /// Revocation checker; `None` behaves as notation offline ([`crate::revocation::OfflineRevocationChecker`]).
    pub revocation: Option<&'a dyn RevocationChecker>,
}

/// Verifies one envelope (trust-store-trust-policy.md §Signature Verification). `Err` only when
/// verification cannot start (no applicable policy statement); every check failure is reported
/// inside the [`Outcome`].
pub fn verify_envelope(req: &VerifyRequest<'_>) -> Result<Outcome, VerifyError> {
    let statement = req
        .policy
        .applicable_statement(req.artifact_reference)
        .map_err(VerifyError::Policy)?;
    Ok(verify_with_statement(req, statement))
}

/// The blob a detached signature is checked against (signature-specification.md §Blob Signatures).
#[derive(Clone, Copy, Debug)]
pub enum BlobContent<'a> {
    /// The blob's bytes, hashed here with the hash paired with the signing key.
    Bytes(&'a [u8]),
    /// The blob hashed by the caller as it streamed (so it is never held whole). The digest
    /// must use the hash paired with the signing key (signature-specification.md §Signature
    /// Algorithm Requirements, §Blob Signatures; see [`crate::blob::hash_algorithm_for_envelope`]);
    /// any other hash fails the comparison.
    Digest {
        /// The blob's digest.
        digest: &'a crate::oci::Digest,
        /// The blob's size in bytes.
        size: u64,
    },
}

/// Everything one detached blob verification needs (signature-specification.md §Blob Signatures).
pub struct BlobVerifyRequest<'a> {
    /// The envelope bytes (the `<blob>.<format>.sig` file).
    pub envelope: &'a [u8],
    /// The envelope's media type (`application/jose+json` or `application/cose`).
    pub media_type: &'a str,
    /// The blob, as bytes or as the caller's digest and size.
    pub blob: BlobContent<'a>,
    /// The blob's media type, compared with the signed one only when given
    /// (signature-specification.md §Blob Signatures).
    pub blob_media_type: Option<&'a str>,
    /// The blob trust policy document.
    pub policy: &'a BlobTrustPolicy,
    /// The statement to use by name; `None` selects the global statement
    /// (trust-store-trust-policy.md §Blob Trust Policy).
    pub policy_name: Option<&'a str>,
    /// The trust store.
    pub trust_store: &'a TrustStore,
    /// The verification time.
    pub now: Instant,
    /// Annotations the payload must carry (key and value).
    pub user_metadata: &'a BTreeMap<String, String>,
    /// Revocation checker; `None` behaves as notation offline ([`crate::revocation::OfflineRevocationChecker`]).
    pub revocation: Option<&'a dyn RevocationChecker>,
}

/// Verifies a detached blob signature (signature-specification.md §Blob Signatures): the same
/// checks as for OCI signatures, then the signed target must name the blob: digest (with the hash
/// paired with the signing key) and size, and the media type when the caller gave one. `Err` only
/// when no statement applies.
pub fn verify_blob(req: &BlobVerifyRequest<'_>) -> Result<Outcome, VerifyError> {
    let statement = req
        .policy
        .statement(req.policy_name)
        .map_err(VerifyError::Policy)?;
    let inputs = Inputs {
        envelope: req.envelope,
        media_type: req.media_type,
        trust_store: req.trust_store,
        now: req.now,
        user_metadata: req.user_metadata,
        revocation: req.revocation,
        target: Target::Blob {
            content: req.blob,
            media_type: req.blob_media_type,
        },
    };
    Ok(run_statement(&inputs, statement))
}

/// What the payload's target artifact must match (signing-and-verification-workflow.md §OCI
/// artifact verification workflow, signature-specification.md §Blob Signatures).
enum Target<'a> {
    /// The descriptor resolved from the registry: mediaType, digest and size.
    Oci(&'a Descriptor),
    /// A blob: digest and size, media type only when given.
    Blob {
        content: BlobContent<'a>,
        media_type: Option<&'a str>,
    },
}

impl Target<'_> {
    fn check(
        &self,
        signed: &Descriptor,
        algorithm: crate::crypto::SignatureAlgorithm,
    ) -> Result<(), VerifyError> {
        match self {
            Target::Oci(target) if signed.matches_target(target) => Ok(()),
            Target::Oci(target) => Err(VerifyError::DescriptorMismatch(Arc::new(
                DescriptorMismatch {
                    blob: false,
                    expected: ExpectedTarget {
                        media_type: Some(target.media_type.clone()),
                        digest: target.digest.to_string(),
                        size: target.size,
                    },
                    signed: signed.clone(),
                },
            ))),
            Target::Blob {
                content: BlobContent::Bytes(bytes),
                media_type,
            } => {
                // notation-go VerifyBlob: the blob is hashed with the algorithm paired with the
                // signing key (signature-specification.md §Blob Signatures), never with one the
                // payload names.
                let digest = crate::oci::Digest::of(algorithm.hash(), bytes);
                blob_matches(signed, &digest, bytes.len() as u64, *media_type)
            }
            Target::Blob {
                content: BlobContent::Digest { digest, size },
                media_type,
            } => {
                // signature-specification.md §Blob Signatures: only a digest under the hash paired
                // with the signing key counts; a caller's digest under another hash never matches.
                if digest.algorithm() != algorithm.hash() {
                    return Err(blob_mismatch(signed, digest, *size, *media_type));
                }
                blob_matches(signed, digest, *size, *media_type)
            }
        }
    }
}

fn blob_mismatch(
    signed: &Descriptor,
    digest: &crate::oci::Digest,
    size: u64,
    media_type: Option<&str>,
) -> VerifyError {
    VerifyError::DescriptorMismatch(Arc::new(DescriptorMismatch {
        blob: true,
        expected: ExpectedTarget {
            media_type: media_type.map(str::to_string),
            digest: digest.to_string(),
            size,
        },
        signed: signed.clone(),
    }))
}

/// signature-specification.md §Blob Signatures: digest and size must equal the signed ones; the
/// media type only when given.
fn blob_matches(
    signed: &Descriptor,
    digest: &crate::oci::Digest,
    size: u64,
    media_type: Option<&str>,
) -> Result<(), VerifyError> {
    let same = signed.digest == *digest
        && signed.size == size
        && media_type.is_none_or(|m| m == signed.media_type);
    if same {
        Ok(())
    } else {
        Err(blob_mismatch(signed, digest, size, media_type))
    }
}

/// The inputs shared by OCI and blob verification.
pub(crate) struct Inputs<'a> {
    envelope: &'a [u8],
    media_type: &'a str,
    trust_store: &'a TrustStore,
    now: Instant,
    user_metadata: &'a BTreeMap<String, String>,
    revocation: Option<&'a dyn RevocationChecker>,
    target: Target<'a>,
}

/// Verifies one envelope under an already-selected policy statement.
pub(crate) fn verify_with_statement(
    req: &VerifyRequest<'_>,
    statement: &TrustPolicyStatement,
) -> Outcome {
    let inputs = Inputs {
        envelope: req.envelope,
        media_type: req.media_type,
        trust_store: req.trust_store,
        now: req.now,
        user_metadata: req.user_metadata,
        revocation: req.revocation,
        target: Target::Oci(req.target),
    };
    run_statement(&inputs, statement)
}
