//! Registry-level flows: sign, list, verify and inspect an artifact by reference
//! (signature-specification.md §OCI Signatures, trust-store-trust-policy.md §Signature
//! Verification).
//!
//! Fetch first, then verify synchronously (architecture practice 2): each flow gathers bytes
//! through the [`RegistryClient`], hashes them against their descriptors, and hands them to the
//! offline core ([`crate::sign`], [`crate::verify`]).

use std::collections::BTreeMap;

use super::client::{RegistryClient, Resolved};
use super::error::RegistryError;
use super::http::HttpClient;
use super::join::try_join_bounded;
use crate::crypto::SignatureAlgorithm;
use crate::envelope::{SigningScheme, UnverifiedEnvelope};
use crate::oci::{
    Descriptor, Reference, SignatureManifest, ARTIFACT_TYPE_NOTARY_SIGNATURE, EMPTY_CONTENT,
    MEDIA_TYPE_OCI_MANIFEST,
};
use crate::sign::{sign_descriptor, SignOptions, SignedArtifact, Signer};
use crate::time::Instant;
use crate::verify::CertSummary;

/// A signature pushed to a registry.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureDescriptor {
    /// The signed artifact, pinned by digest.
    pub reference: Reference,
    /// The signed manifest's descriptor (computed from the bytes fetched, threat model 3).
    pub target: Descriptor,
    /// The signature manifest's descriptor (with `artifactType` and annotations).
    pub manifest: Descriptor,
    /// The envelope blob's descriptor.
    pub envelope: Descriptor,
    /// Whether the referrers tag index was written (the registry gave no `OCI-Subject`, OCI
    /// distribution-spec spec.md §Referrers Tag Schema).
    pub referrers_index_updated: bool,
    /// Notes (tag resolution, ...).
    pub warnings: Vec<String>,
}

/// Pushes a finished signature of `target` (from [`RegistryClient::resolve`]): the envelope
/// blob, the empty config `{}`, then the signature manifest by digest, and maintains the
/// referrers tag index when the registry did not answer `OCI-Subject` (signature-specification.md
/// §OCI Signatures, OCI distribution-spec spec.md §Referrers Tag Schema).
///
/// With [`crate::sign::prepare_signature`] this is the two-phase form for host signers:
/// resolve → prepare → host signs → `finish` → `push_signature`.
pub async fn push_signature<C: HttpClient>(
    client: &RegistryClient<C>,
    target: &Resolved,
    signed: &SignedArtifact,
) -> Result<SignatureDescriptor, RegistryError> {
    let repo = &target.pinned;
    let manifest = SignatureManifest::parse(&signed.manifest.bytes)
        .map_err(|e| RegistryError::Parse(e.to_string()))?;
    if !manifest.subject.matches_target(&target.descriptor) {
        return Err(RegistryError::DigestMismatch {
            expected: target.descriptor.digest.to_string(),
            actual: manifest.subject.digest.to_string(),
        });
    }
    // The envelope and the empty config, then the manifest (signature-specification.md §OCI
    // Signatures); indexed under the signature manifest's own descriptor.
    let blobs: [&[u8]; 2] = [&signed.envelope, EMPTY_CONTENT];
    let (_, updated) = client
        .push_referrer(
            repo,
            &blobs,
            MEDIA_TYPE_OCI_MANIFEST,
            &signed.manifest.bytes,
            &target.descriptor.digest,
            Some(&signed.manifest.descriptor),
        )
        .await?;
    Ok(SignatureDescriptor {
        reference: repo.clone(),
        target: target.descriptor.clone(),
        manifest: signed.manifest.descriptor.clone(),
        envelope: signed.envelope_descriptor.clone(),
        referrers_index_updated: updated,
        warnings: target.warnings.clone(),
    })
}

/// Signs the artifact `reference` names: resolve once (threat model 3), sign the descriptor of
/// the bytes fetched, push the signature ([`push_signature`]).
pub async fn sign<C: HttpClient>(
    client: &RegistryClient<C>,
    reference: &Reference,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignatureDescriptor, RegistryError> {
    let target = client.resolve(reference).await?;
    let signed = sign_descriptor(&target.descriptor, signer, opts)?;
    push_signature(client, &target, &signed).await
}

/// The signatures of an artifact.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureList {
    /// The artifact, pinned by digest.
    pub reference: Reference,
    /// Its descriptor.
    pub target: Descriptor,
    /// Signature manifest descriptors (`artifactType` = Notary signature), as listed.
    pub signatures: Vec<Descriptor>,
    /// Whether the referrers tag schema was used.
    pub via_tag_schema: bool,
    /// Notes (tag resolution, pagination, ...).
    pub warnings: Vec<String>,
}

/// Lists the Notary signatures of `reference` (signature-specification.md §OCI Signature Discovery,
/// OCI distribution-spec spec.md §Referrers Tag Schema).
pub async fn list_signatures<C: HttpClient>(
    client: &RegistryClient<C>,
    reference: &Reference,
) -> Result<SignatureList, RegistryError> {
    let target = client.resolve(reference).await?;
    list_for(client, target).await
}

pub(super) async fn list_for<C: HttpClient>(
    client: &RegistryClient<C>,
    target: Resolved,
) -> Result<SignatureList, RegistryError> {
    let list = client
        .referrers(
            &target.pinned,
            &target.descriptor.digest,
            Some(ARTIFACT_TYPE_NOTARY_SIGNATURE),
        )
        .await?;
    let mut warnings = target.warnings;
    warnings.extend(list.warnings);
    Ok(SignatureList {
        reference: target.pinned,
        target: target.descriptor,
        signatures: list.descriptors,
        via_tag_schema: list.via_tag_schema,
        warnings,
    })
}

/// Signature manifests and envelopes fetched at once by [`verify`] and [`inspect`].
pub(crate) const SIGNATURE_FETCH_CONCURRENCY: usize = 4;

/// [`fetch_signature`] for each descriptor, concurrently; results in order.
pub(super) async fn fetch_signatures<C: HttpClient>(
    client: &RegistryClient<C>,
    repo: &Reference,
    descs: &[&Descriptor],
) -> Vec<Result<(SignatureManifest, Vec<u8>), RegistryError>> {
    let all =
        try_join_bounded(
            descs.to_vec(),
            SIGNATURE_FETCH_CONCURRENCY,
            |d| async move {
                Ok::<_, core::convert::Infallible>(fetch_signature(client, repo, d).await)
            },
        )
        .await;
    match all {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

/// Fetches and parses one signature manifest and its envelope (signature-specification.md §OCI
/// Signatures: ≤ 4 MiB manifest, exactly one layer, envelope ≤ 32 MiB, digests checked).
async fn fetch_signature<C: HttpClient>(
    client: &RegistryClient<C>,
    repo: &Reference,
    desc: &Descriptor,
) -> Result<(SignatureManifest, Vec<u8>), RegistryError> {
    // notation-go's `getSignatureBlobDesc`: a listed signature that is not an image manifest
    // (signature-specification.md §OCI Signatures) fails as that signature, unfetched; the other
    // signatures are still examined.
    if desc.media_type != MEDIA_TYPE_OCI_MANIFEST {
        return Err(RegistryError::Parse(format!(
            "sigManifestDesc.MediaType requires {MEDIA_TYPE_OCI_MANIFEST:?}, got {:?}",
            desc.media_type
        )));
    }
    let bytes = client.fetch_manifest(repo, desc).await?;
    let manifest =
        SignatureManifest::parse(&bytes).map_err(|e| RegistryError::Parse(e.to_string()))?;
    let envelope = client
        .fetch_blob(
            repo,
            &manifest.envelope,
            client.options().max_envelope_bytes,
        )
        .await?;
    Ok((manifest, envelope))
}

/// What an envelope says about itself, read without trusting it.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvelopeInfo {
    /// Envelope media type (`application/jose+json` or `application/cose`).
    pub media_type: String,
    /// Envelope blob descriptor.
    pub descriptor: Descriptor,
    /// Declared signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// Signing scheme.
    pub signing_scheme: SigningScheme,
    /// Signing time (unauthenticated for `notary.x509`) or authentic signing time.
    pub signing_time: Option<Instant>,
    /// Expiry, if any.
    pub expiry: Option<Instant>,
    /// `io.cncf.notary.signingAgent`, if any.
    pub signing_agent: Option<String>,
    /// Whether an RFC 3161 timestamp countersignature is attached.
    pub timestamped: bool,
    /// The certificate chain, leaf first (subjects, issuers, thumbprints, validity).
    pub chain: Vec<CertSummary>,
    /// The signed target descriptor (with the signed user metadata as its annotations), when
    /// the envelope's signature verifies under its own leaf certificate. Integrity only: the
    /// signer is not trusted by this (notation inspect's "user defined attributes").
    pub signed_target: Option<Descriptor>,
}

/// One signature as `notation inspect` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureInspection {
    /// The signature manifest's descriptor, as listed.
    pub descriptor: Descriptor,
    /// The manifest's annotations (thumbprints, creation time), once fetched.
    pub annotations: BTreeMap<String, String>,
    /// The envelope's claims, when it could be fetched and parsed.
    pub envelope: Option<EnvelopeInfo>,
    /// Why the signature could not be read, if it could not.
    pub error: Option<RegistryError>,
}

/// The signatures of an artifact with their claims (unverified).
#[derive(Clone, Debug, PartialEq)]
pub struct Inspection {
    /// The artifact, pinned by digest.
    pub reference: Reference,
    /// Its descriptor.
    pub target: Descriptor,
    /// Notes.
    pub warnings: Vec<String>,
    /// One entry per listed signature (at most `max_signature_attempts`).
    pub signatures: Vec<SignatureInspection>,
}

/// Lists and parses the signatures of `reference` without verifying them (notation `inspect`):
/// nothing here is trusted.
pub async fn inspect<C: HttpClient>(
    client: &RegistryClient<C>,
    reference: &Reference,
) -> Result<Inspection, RegistryError> {
    let list = list_signatures(client, reference).await?;
    let mut signatures = Vec::new();
    let max = client.options().max_signature_attempts;
    let mut warnings = list.warnings;
    if list.signatures.len() > max {
        warnings.push(format!("only the first {max} signatures are shown (limit)"));
    }
    let descs: Vec<&Descriptor> = list.signatures.iter().take(max).collect();
    let fetched = fetch_signatures(client, &list.reference, &descs).await;
    for (desc, fetched) in descs.into_iter().zip(fetched) {
        let mut entry = SignatureInspection {
            descriptor: desc.clone(),
            annotations: BTreeMap::new(),
            envelope: None,
            error: None,
        };
        match fetched {
            Err(e) => entry.error = Some(e),
            Ok((manifest, bytes)) => {
                entry.annotations = manifest.annotations.clone();
                match envelope_info(&manifest, &bytes) {
                    Ok(info) => entry.envelope = Some(info),
                    Err(e) => entry.error = Some(e),
                }
            }
        }
        signatures.push(entry);
    }
    Ok(Inspection {
        reference: list.reference,
        target: list.target,
        warnings,
        signatures,
    })
}

fn envelope_info(
    manifest: &SignatureManifest,
    bytes: &[u8],
) -> Result<EnvelopeInfo, RegistryError> {
    let env = UnverifiedEnvelope::parse(&manifest.envelope.media_type, bytes)
        .map_err(|e| RegistryError::Parse(e.to_string()))?;
    let s = env.signed_attributes();
    let chain = CertSummary::of_chain(env.cert_chain())
        .map_err(|e| RegistryError::Parse(format!("certificate: {e}")))?;
    let signing_agent = env.signing_agent().map(str::to_string);
    let timestamped = env.timestamp_token().is_some();
    let (algorithm, signing_scheme) = (s.algorithm, s.signing_scheme);
    let (signing_time, expiry) = (s.authentic_signing_time.or(s.signing_time), s.expiry);
    // The payload is reachable only through a verified envelope (parse, don't validate).
    let signed_target = env
        .verify_integrity()
        .ok()
        .and_then(|v| crate::payload::Payload::from_verified(&v).ok())
        .map(|p| p.target_artifact);
    Ok(EnvelopeInfo {
        media_type: manifest.envelope.media_type.clone(),
        descriptor: manifest.envelope.clone(),
        algorithm,
        signing_scheme,
        signing_time,
        expiry,
        signing_agent,
        timestamped,
        chain,
        signed_target,
    })
}
