//! Verifying an artifact in a registry as `notation verify` does (trust-store-trust-policy.md
//! §Signature Verification): resolve once, list the signatures, examine them in order within the
//! attempt and signature-check budgets, with revocation material gathered online, from the
//! artifact's attached CRLs or at hand; network failures are inconclusive, never a verdict.

use std::collections::BTreeMap;

use super::client::RegistryClient;
use super::error::RegistryError;
use super::flows::{fetch_signatures, list_for, SIGNATURE_FETCH_CONCURRENCY};
use super::http::HttpClient;
use super::revocation::attached_crls;
use crate::error::{most_specific, ErrorCode};
use crate::oci::{Descriptor, Digest, Reference, SignatureManifest};
use crate::policy::{OciTrustPolicy, VerificationLevel};
use crate::revocation::fetch::{verify_fetching, CrlCache};
use crate::revocation::{RevocationChecker, RevocationMaterial};
use crate::time::Instant;
use crate::truststore::TrustStore;
use crate::verify::{verify_with_statement, Outcome, VerifyError, VerifyRequest};

/// Options of [`verify`].
#[derive(Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// User metadata the payload must carry (signing-and-verification-workflow.md §OCI artifact
    /// verification workflow).
    pub user_metadata: Option<&'a BTreeMap<String, String>>,
    /// Revocation checker; `None` behaves as notation offline unless `revocation_sources` are
    /// given.
    pub revocation: Option<&'a dyn RevocationChecker>,
    /// Revocation material and whether to fetch more (OCSP, CRL downloads through this client,
    /// [`crate::revocation::fetch`]); used when `revocation` is `None`.
    pub revocation_sources: Option<RevocationSources<'a>>,
}

/// Where a registry verification gets revocation data (trust-store-trust-policy.md §Certificate
/// Revocation Evaluation): CRLs at hand, the network (unless offline), and a CRL cache.
#[derive(Clone, Copy)]
pub struct RevocationSources<'a> {
    /// CRLs at hand (DER or PEM): the caller's, a store's.
    pub crls: &'a [Vec<u8>],
    /// Whether OCSP responders and CRL distribution points may be asked.
    pub online: bool,
    /// Downloaded CRLs kept between verifications.
    pub cache: &'a dyn CrlCache,
}

/// The verification of one signature manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureVerification {
    /// The signature manifest's descriptor, as listed.
    pub descriptor: Descriptor,
    /// The envelope's media type, once its manifest was read.
    pub envelope_media_type: Option<String>,
    /// The outcome of the core verification, or why the signature could not be fetched or
    /// parsed (a [`RegistryError::Inconclusive`] for network failures).
    pub result: Result<Outcome, RegistryError>,
}

/// The result of verifying an artifact in a registry (architecture practice 10: data).
#[derive(Clone, Debug, PartialEq)]
pub struct ArtifactVerification {
    /// The artifact's digest (resolved once).
    pub digest: Digest,
    /// `registry/repository@digest`, the reference the policy was selected for.
    pub reference: String,
    /// The artifact's descriptor.
    pub target: Descriptor,
    /// Notes: tag resolution, pagination, attempts cap, ...
    pub warnings: Vec<String>,
    /// notation's verdict: some signature satisfied the policy (or the level is `skip`).
    pub verified: bool,
    /// No verdict could be reached because of the network (never reported as verified or
    /// unsigned; architecture practice 9).
    pub inconclusive: bool,
    /// The level of the applicable policy statement.
    pub level: VerificationLevel,
    /// The applicable policy statement's name.
    pub policy_name: String,
    /// The signatures examined, in order; the last one is the verified one when `verified`.
    pub signatures: Vec<SignatureVerification>,
    /// Why the signatures could not be listed (an inconclusive [`RegistryError`]; then
    /// `inconclusive` is set and `signatures` is empty).
    pub discovery: Option<RegistryError>,
}

impl ArtifactVerification {
    /// The outcome of the signature that verified, if any.
    pub fn verified_outcome(&self) -> Option<&Outcome> {
        self.signatures
            .iter()
            .filter_map(|s| s.result.as_ref().ok())
            .find(|o| o.verified)
    }
}

impl SignatureVerification {
    /// Why this signature did not verify: the enforced check that failed, or why it could not
    /// be fetched or parsed. `None` when it verified.
    pub fn failure(&self) -> Option<SignatureFailure<'_>> {
        match &self.result {
            Ok(o) if o.verified => None,
            Ok(o) => o.failure.as_ref().map(|(_, e)| SignatureFailure::Check(e)),
            Err(e) => Some(SignatureFailure::Fetch(e)),
        }
    }
}

impl ArtifactVerification {
    /// The failure to report when no signature verified: the most specific of the signatures'
    /// failures ([`crate::error::most_specific`]), not the first; `None` when verified.
    pub fn failure(&self) -> Option<SignatureFailure<'_>> {
        if self.verified {
            return None;
        }
        if let Some(e) = &self.discovery {
            return Some(SignatureFailure::Fetch(e));
        }
        most_specific(
            self.signatures.iter().filter_map(|s| s.failure()),
            SignatureFailure::code,
        )
    }
}

/// Why one signature of an artifact did not verify.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SignatureFailure<'a> {
    /// An enforced check failed.
    Check(&'a VerifyError),
    /// The signature could not be fetched or parsed.
    Fetch(&'a RegistryError),
}

impl SignatureFailure<'_> {
    /// Stable error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            SignatureFailure::Check(e) => e.code(),
            SignatureFailure::Fetch(e) => e.code(),
        }
    }

    /// Structured context (JS `error.details`).
    pub fn details(&self) -> Option<serde_json::Value> {
        match self {
            SignatureFailure::Check(e) => e.details(),
            SignatureFailure::Fetch(e) => e.details(),
        }
    }
}

impl core::fmt::Display for SignatureFailure<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SignatureFailure::Check(e) => e.fmt(f),
            SignatureFailure::Fetch(e) => e.fmt(f),
        }
    }
}

/// A failure at `step` of verify as the verdict sees it: no answer, or a 429 / 5xx after the
/// retries, says nothing about the artifact and is inconclusive (architecture practice 9, threat
/// model 25, 27); a definite answer (a 404, a digest mismatch, a malformed document) stays what it
/// is.
fn inconclusive_at(step: &'static str) -> impl Fn(RegistryError) -> RegistryError {
    move |e| {
        if e.is_indeterminate() {
            e.inconclusive(step)
        } else {
            e
        }
    }
}

/// Verifies the artifact `reference` names as `notation.Verify` does (trust-store-trust-policy.md
/// §Signature Verification): resolve once (a digest reference must match, checklist 3c); select the
/// policy statement for `registry/repository@digest` (no applicable statement is an error); a
/// `skip` level verifies without fetching anything; list signatures (none → `ERR_NO_SIGNATURE`);
/// examine at most `max_signature_attempts`, fetching each manifest and envelope with size and
/// digest checks, stopping at the first that verifies. Network failures, passed deadlines and
/// 429 / 5xx answers after the retries make the result inconclusive (`ERR_VERIFICATION_
/// INCONCLUSIVE` thrown while resolving; `inconclusive: true` with the reason in `discovery` when
/// listing the signatures failed, in the signature's result when fetching one did), never
/// verified or unsigned.
pub async fn verify<C: HttpClient>(
    client: &RegistryClient<C>,
    reference: &Reference,
    policy: &OciTrustPolicy,
    trust_store: &TrustStore,
    now: Instant,
    opts: &VerifyOptions<'_>,
) -> Result<ArtifactVerification, RegistryError> {
    let target = client
        .resolve(reference)
        .await
        .map_err(inconclusive_at("resolve"))?;
    let artifact_reference = format!("{}@{}", target.pinned.scope(), target.descriptor.digest);
    let statement = policy.applicable_statement(&artifact_reference)?;
    let level = statement.signature_verification.level;
    let mut result = ArtifactVerification {
        digest: target.descriptor.digest.clone(),
        reference: artifact_reference.clone(),
        target: target.descriptor.clone(),
        warnings: target.warnings.clone(),
        verified: false,
        inconclusive: false,
        level,
        policy_name: statement.name.clone(),
        signatures: Vec::new(),
        discovery: None,
    };
    if level == VerificationLevel::Skip {
        result.verified = true;
        return Ok(result);
    }
    let repo = target.pinned.clone();
    // Any failure while discovering the signatures leaves the question open: only a definite
    // answer (an empty listing, the API's 404 then no tag) means "unsigned" (threat model 27).
    let list = match list_for(client, target).await {
        Ok(list) => list,
        Err(e) => {
            result.inconclusive = true;
            result.discovery = Some(e.inconclusive("discover"));
            return Ok(result);
        }
    };
    result.warnings = list.warnings;
    if list.signatures.is_empty() {
        return Err(RegistryError::NoSignature(format!(
            "no signature is associated with \"{artifact_reference}\", make sure the artifact \
             was signed successfully"
        )));
    }
    let max = client.options().max_signature_attempts;
    if list.signatures.len() > max {
        result.warnings.push(format!(
            "{} signatures listed; only the first {max} are examined (limit)",
            list.signatures.len()
        ));
    }
    let empty = BTreeMap::new();
    let candidates: Vec<&Descriptor> = list.signatures.iter().take(max).collect();
    // Signatures are examined in order and the first that verifies ends the search
    // (trust-store-trust-policy.md §Signature Verification step "Validate Authenticity"). The first
    // is fetched alone (it is usually the one); later ones are fetched
    // [`SIGNATURE_FETCH_CONCURRENCY`] at a time, so a long list costs round trips per batch, not
    // per signature, and at most a batch more than needed is fetched.
    let mut fetched_ahead: Vec<Result<(SignatureManifest, Vec<u8>), RegistryError>> = Vec::new();
    let mut checks = 0usize;
    // One pool of revocation material for every signature examined: a CRL or response fetched
    // for one serves the next.
    let mut attached_read = false;
    let mut material = opts
        .revocation_sources
        .map(|s| RevocationMaterial::new(s.crls.to_vec(), s.online));
    let max_checks = client.options().max_signature_checks;
    for (i, desc) in candidates.iter().enumerate() {
        if checks >= max_checks {
            // docs/limits.md §Count budgets: the rest are not examined, and a signature not
            // examined may be the valid one, so the result is inconclusive (never unsigned).
            let rest = candidates.len() - i;
            result.warnings.push(format!(
                "{checks} signature checks made; the {rest} signature(s) left are not examined (limit)"
            ));
            result.signatures.push(SignatureVerification {
                descriptor: (*desc).clone(),
                envelope_media_type: None,
                result: Err(RegistryError::Limit(format!(
                    "verification.signatureChecks: at most {max_checks} \
                     signature checks per verification ({checks} made, {rest} signature(s) left)"
                ))
                .inconclusive("verify")),
            });
            break;
        }
        if fetched_ahead.is_empty() {
            let batch = if i == 0 {
                1
            } else {
                SIGNATURE_FETCH_CONCURRENCY
            };
            let end = (i + batch).min(candidates.len());
            fetched_ahead = fetch_signatures(client, &repo, &candidates[i..end]).await;
            fetched_ahead.reverse();
        }
        let Some(fetched) = fetched_ahead.pop() else {
            break;
        };
        let desc = *desc;
        let envelope_media_type = fetched
            .as_ref()
            .map(|(m, _)| m.envelope.media_type.clone())
            .ok();
        let outcome = match fetched {
            Err(e) => Err(e),
            Ok((manifest, envelope)) => {
                let run = |revocation: Option<&dyn RevocationChecker>| {
                    let req = VerifyRequest {
                        envelope: &envelope,
                        media_type: &manifest.envelope.media_type,
                        target: &result.target,
                        artifact_reference: &artifact_reference,
                        policy,
                        trust_store,
                        now,
                        user_metadata: opts.user_metadata.unwrap_or(&empty),
                        revocation,
                    };
                    verify_with_statement(&req, statement)
                };
                match (opts.revocation, material.as_mut(), opts.revocation_sources) {
                    (None, Some(material), Some(sources)) => {
                        let mut outcome =
                            verify_with_material(client, sources, material, now, &run).await;
                        // Revocation data attached to the artifact is read only when what was
                        // at hand and online left a status unknown (an isolated network).
                        if !attached_read && outcome.as_ref().is_ok_and(revocation_unknown) {
                            attached_read = true;
                            let (crls, notes) = attached_crls(client, &repo, &result.target).await;
                            result.warnings.extend(notes);
                            if !crls.is_empty() {
                                material.crls.extend(crls);
                                outcome =
                                    verify_with_material(client, sources, material, now, &run)
                                        .await;
                            }
                        }
                        outcome
                    }
                    _ => Ok(run(opts.revocation)),
                }
            }
        };
        if let Ok(o) = &outcome {
            checks = checks.saturating_add(o.signature_checks);
        }
        let done = matches!(&outcome, Ok(o) if o.verified);
        result.signatures.push(SignatureVerification {
            descriptor: desc.clone(),
            envelope_media_type,
            result: outcome.map_err(inconclusive_at("fetch")),
        });
        if done {
            result.verified = true;
            break;
        }
    }
    if !result.verified {
        result.inconclusive = result
            .signatures
            .iter()
            .any(|s| matches!(&s.result, Err(e) if e.is_indeterminate()));
    }
    Ok(result)
}

/// One envelope's verification over `material`, fetching what it needs unless offline.
async fn verify_with_material<C: HttpClient>(
    client: &RegistryClient<C>,
    sources: RevocationSources<'_>,
    material: &mut RevocationMaterial,
    now: Instant,
    run: &dyn Fn(Option<&dyn RevocationChecker>) -> Outcome,
) -> Result<Outcome, RegistryError> {
    verify_fetching(
        client.http(),
        &client.options().deadlines,
        sources.cache,
        material,
        now,
        &mut |checker| Ok(run(Some(checker))),
    )
    .await
    // `run` never fails (the statement was selected before); typed all the same.
    .map_err(|e| RegistryError::Parse(e.to_string()))
}

/// Whether a check of `outcome` failed because a revocation status (signing or TSA chain) is
/// unknown.
fn revocation_unknown(outcome: &Outcome) -> bool {
    outcome.results.iter().any(|r| {
        r.error
            .as_ref()
            .is_some_and(|e| e.code() == ErrorCode::VerificationInconclusive)
    })
}
