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

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::envelope::{EnvelopeError, SigningScheme, UnverifiedEnvelope, VerifiedEnvelope};
use crate::error::{
    CertValidity, CertValidityFailure, DescriptorMismatch, ErrorCode, ExpectedTarget,
    TimestampFailure,
};
use crate::oci::Descriptor;
use crate::payload::Payload;
use crate::policy::{
    Action, BlobTrustPolicy, CheckType, OciTrustPolicy, PolicyError, TrustPolicyStatement,
    TrustStoreType, VerificationLevel, VerifyTimestamp,
};
use crate::revocation::{self, ChainStatus, OfflineRevocationChecker, Purpose, RevocationChecker};
use crate::time::Instant;
use crate::timestamp::{self, SignedToken, TimestampError};
use crate::truststore::TrustStore;
use crate::x509::{self, CertError, Certificate};

/// Why a check failed, or why verification could not start. One variant per failure kind; each
/// maps to a stable code.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No trust policy statement applies to the artifact reference, or it is malformed
    /// (trust-store-trust-policy.md §Selecting a trust policy to verify a signed OCI artifact).
    Policy(PolicyError),
    /// The envelope failed to parse or its signature did not verify (signature-envelope-jws.md,
    /// signature-envelope-cose.md: integrity).
    Envelope(EnvelopeError),
    /// The envelope's certificate chain violates the Notary certificate rules
    /// (signature-specification.md §Certificate Requirements; an integrity failure, never
    /// downgradable).
    Certificate(CertError),
    /// The signature names a verification plugin, which nv2 does not run (plugin-extensibility.md
    /// §Verification extensibility: fails regardless of level).
    PluginRequired {
        /// The plugin the signature names.
        plugin: String,
    },
    /// No certificate of the chain is in the policy's trust stores, or a store could not be
    /// used (trust-store-trust-policy.md §Signature Verification step "Validate Authenticity").
    Untrusted(String),
    /// The signing certificate's subject matches none of the policy's trusted identities
    /// (trust-store-trust-policy.md §Signature Verification step "Validate Authenticity").
    UntrustedIdentity {
        /// The leaf certificate's subject, RFC 4514.
        subject: String,
        /// Why no identity matched (notation's message).
        reason: PolicyError,
    },
    /// The signature's expiry has passed (trust-store-trust-policy.md §Signature Verification step
    /// "Validate Expiry").
    Expired {
        /// The signature's expiry time.
        expiry: Instant,
    },
    /// A chain certificate was not valid at the time that matters (trust-store-trust-policy.md
    /// §Signature Verification step "Validate Authentic Timestamp").
    CertificateNotValid(CertValidityFailure),
    /// RFC 3161 timestamp verification failed or could not be performed
    /// (trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp").
    Timestamp(TimestampFailure),
    /// A chain certificate is revoked (trust-store-trust-policy.md §Certificate Revocation
    /// Evaluation).
    Revoked {
        /// Subject (RFC 4514) of the revoked certificate.
        subject: String,
        /// The revocation checker's detail (source, reason).
        detail: String,
    },
    /// Revocation status could not be determined (trust-store-trust-policy.md §Certificate
    /// Revocation Evaluation): inconclusive, never verified.
    RevocationUnknown {
        /// Subject (RFC 4514) of the certificate whose status is unknown.
        subject: String,
        /// notation's message.
        message: String,
    },
    /// The payload's target artifact is not the artifact being verified
    /// (signing-and-verification-workflow.md §OCI artifact verification workflow). (Shared: cloning
    /// an outcome copies no descriptor.)
    DescriptorMismatch(Arc<DescriptorMismatch>),
    /// Requested user metadata is absent from the payload (signing-and-verification-workflow.md
    /// §OCI artifact verification workflow).
    UserMetadataMismatch {
        /// The first requested key whose value the payload lacks.
        key: String,
    },
}

impl VerifyError {
    /// Stable error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            VerifyError::Policy(e) => e.code(),
            VerifyError::Envelope(e) => e.code(),
            // A certificate over a budget is the budget's failure (docs/limits.md).
            VerifyError::Certificate(CertError::Limit(_)) => ErrorCode::Limit,
            VerifyError::Certificate(_) => ErrorCode::SignatureIntegrity,
            VerifyError::PluginRequired { .. } => ErrorCode::VerificationPlugin,
            VerifyError::Untrusted(_) => ErrorCode::SignatureAuthenticity,
            VerifyError::UntrustedIdentity { .. } => ErrorCode::UntrustedIdentity,
            VerifyError::Expired { .. } => ErrorCode::SignatureExpired,
            VerifyError::CertificateNotValid(_) => ErrorCode::CertExpired,
            VerifyError::Timestamp(TimestampFailure::Token(e)) if e.code() == ErrorCode::Limit => {
                ErrorCode::Limit
            }
            VerifyError::Timestamp(_) => ErrorCode::Timestamp,
            VerifyError::Revoked { .. } => ErrorCode::CertRevoked,
            VerifyError::RevocationUnknown { .. } => ErrorCode::VerificationInconclusive,
            VerifyError::DescriptorMismatch(_) => ErrorCode::DescriptorMismatch,
            VerifyError::UserMetadataMismatch { .. } => ErrorCode::UserMetadataMismatch,
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Policy(e) => e.fmt(f),
            VerifyError::Envelope(e) => e.fmt(f),
            VerifyError::Certificate(e) => e.fmt(f),
            VerifyError::PluginRequired { plugin } => write!(
                f,
                "error while locating the verification plugin \"{plugin}\": nv2 does not run verification plugins"
            ),
            VerifyError::Untrusted(s) => f.write_str(s),
            VerifyError::UntrustedIdentity { reason, .. } => reason.fmt(f),
            VerifyError::Expired { expiry } => write!(
                f,
                "digital signature has expired on \"{}\"",
                expiry.to_rfc1123z()
            ),
            VerifyError::CertificateNotValid(c) => c.fmt(f),
            VerifyError::Timestamp(t) => t.fmt(f),
            VerifyError::Revoked { subject, detail } => write!(
                f,
                "signing certificate with subject \"{subject}\" is revoked ({detail})"
            ),
            VerifyError::RevocationUnknown { message, .. } => f.write_str(message),
            VerifyError::DescriptorMismatch(m) => m.fmt(f),
            VerifyError::UserMetadataMismatch { .. } => {
                f.write_str("unable to find specified metadata in the signature")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Where verification stopped, when it did not succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureStage {
    /// One of the five policy checks, enforced.
    Check(CheckType),
    /// The verification-plugin step.
    Plugin,
    /// The payload's target descriptor.
    Descriptor,
    /// The requested user metadata.
    UserMetadata,
}

impl FailureStage {
    /// `integrity`, ..., `plugin`, `descriptor`, `user-metadata`.
    pub fn name(&self) -> &'static str {
        match self {
            FailureStage::Check(c) => c.name(),
            FailureStage::Plugin => "plugin",
            FailureStage::Descriptor => "descriptor",
            FailureStage::UserMetadata => "user-metadata",
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// Which check.
    pub check: CheckType,
    /// What the policy does with a failure of it.
    pub action: Action,
    /// Whether it passed (a skipped check is reported as passed, with action `skip`).
    pub ok: bool,
    /// The failure, when it failed.
    pub error: Option<VerifyError>,
}

/// One certificate of the signer's chain, for display (threat model 18: plain strings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject, RFC 4514 as notation renders it.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// SHA-256 over DER, lower-case hex.
    pub thumbprint: String,
    /// Start of validity.
    pub not_before: Instant,
    /// End of validity.
    pub not_after: Instant,
    /// Serial number, hex.
    pub serial: String,
}

impl CertSummary {
    /// Summary of `cert`.
    pub fn of(cert: &Certificate) -> Self {
        CertSummary {
            subject: cert.subject_rfc4514(),
            issuer: cert.issuer_rfc4514(),
            thumbprint: cert.thumbprint_sha256(),
            not_before: cert.not_before(),
            not_after: cert.not_after(),
            serial: cert.serial_hex(),
        }
    }

    /// Summaries of an envelope's certificate chain (DER, leaf first), for inspection; the
    /// first decoding error otherwise.
    pub fn of_chain(ders: &[Vec<u8>]) -> Result<Vec<Self>, CertError> {
        ders.iter()
            .map(|der| Certificate::from_der(der).map(|c| CertSummary::of(&c)))
            .collect()
    }
}

/// The outcome of verifying one envelope.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Whether the signature satisfies the policy: no enforced check failed and the payload
    /// targets the artifact (notation's verdict; an `audit` policy passes with logged failures).
    pub verified: bool,
    /// The level of the applicable policy statement.
    pub level: VerificationLevel,
    /// The name of the applicable policy statement.
    pub policy_name: String,
    /// One result per check performed or skipped, in order.
    pub results: Vec<CheckResult>,
    /// Where it stopped, when `verified` is false.
    pub failure: Option<(FailureStage, VerifyError)>,
    /// The signer's chain (leaf first), once integrity passed.
    pub signer_chain: Vec<CertSummary>,
    /// The signing scheme, once parsed.
    pub signing_scheme: Option<SigningScheme>,
    /// The signing time (unauthenticated for `notary.x509`) or authentic signing time.
    pub signing_time: Option<Instant>,
    /// The signature expiry, if any.
    pub expiry: Option<Instant>,
    /// The signature algorithm, once integrity passed.
    pub algorithm: Option<crate::crypto::SignatureAlgorithm>,
    /// The signed target descriptor, once integrity passed.
    pub target_artifact: Option<Descriptor>,
    /// Logged (non-enforced) failures and other notes, as text.
    pub warnings: Vec<String>,
    /// Signature checks made (envelope, certificate links, timestamp, CRLs), for the
    /// per-verification budget ([`crate::limits::VERIFICATION_SIGNATURE_CHECKS`]).
    pub signature_checks: usize,
}

impl Outcome {
    /// The result of `check`, if it ran.
    pub fn result(&self, check: CheckType) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }

    /// The checks whose failure was only logged.
    pub fn logged(&self) -> Vec<CheckType> {
        self.results
            .iter()
            .filter(|r| !r.ok && r.action == Action::Log)
            .map(|r| r.check)
            .collect()
    }

    /// Whether integrity and authenticity both passed (the bar for a "signed by" badge,
    /// threat model 18: an audit or skip pass is not a verified signer).
    pub fn signer_authenticated(&self) -> bool {
        [CheckType::Integrity, CheckType::Authenticity]
            .iter()
            .all(|c| {
                self.result(*c)
                    .is_some_and(|r| r.ok && r.action != Action::Skip)
            })
    }
}

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
    /// Revocation checker; `None` behaves as notation offline ([`OfflineRevocationChecker`]).
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
    /// Revocation checker; `None` behaves as notation offline ([`OfflineRevocationChecker`]).
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
struct Inputs<'a> {
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

fn run_statement(req: &Inputs<'_>, statement: &TrustPolicyStatement) -> Outcome {
    let levels = &statement.signature_verification;
    let mut run = Run {
        outcome: Outcome {
            verified: false,
            level: levels.level,
            policy_name: statement.name.clone(),
            results: Vec::new(),
            failure: None,
            signer_chain: Vec::new(),
            signing_scheme: None,
            signing_time: None,
            expiry: None,
            algorithm: None,
            target_artifact: None,
            warnings: Vec::new(),
            signature_checks: 0,
        },
        statement,
    };
    // trust-store-trust-policy.md §Signature Verification step "Proceed based on signature
    // verification level": a `skip` level succeeds at once, nothing is examined.
    if levels.level == VerificationLevel::Skip {
        for check in CheckType::ALL {
            let _ = run.record(check, Ok(()));
        }
        run.outcome.verified = true;
        return run.outcome;
    }
    let (verdict, checks) = crate::crypto::counted(|| run.verify(req));
    run.outcome.signature_checks = checks;
    if verdict.is_ok() {
        run.outcome.verified = true;
    }
    run.outcome
}

struct Run<'s> {
    outcome: Outcome,
    statement: &'s TrustPolicyStatement,
}

/// Marker: verification stopped (the failure is in the outcome).
struct Stop;

impl Run<'_> {
    fn action(&self, check: CheckType) -> Action {
        self.statement.signature_verification.action(check)
    }

    /// Records a check result; an enforced failure stops verification.
    fn record(&mut self, check: CheckType, result: Result<(), VerifyError>) -> Result<(), Stop> {
        let action = self.action(check);
        match result {
            Ok(()) => {
                self.outcome.results.push(CheckResult {
                    check,
                    action,
                    ok: true,
                    error: None,
                });
                Ok(())
            }
            Err(e) => {
                self.outcome.results.push(CheckResult {
                    check,
                    action,
                    ok: false,
                    error: Some(e.clone()),
                });
                match action {
                    Action::Enforce => {
                        self.outcome.failure = Some((FailureStage::Check(check), e));
                        Err(Stop)
                    }
                    _ => {
                        self.outcome.warnings.push(format!("{}: {e}", check.name()));
                        Ok(())
                    }
                }
            }
        }
    }

    fn fail(&mut self, stage: FailureStage, e: VerifyError) -> Stop {
        self.outcome.failure = Some((stage, e));
        Stop
    }

    /// Runs `check` unless its action is `skip`.
    fn check(
        &mut self,
        check: CheckType,
        f: impl FnOnce(&mut Self) -> Result<(), VerifyError>,
    ) -> Result<(), Stop> {
        if self.action(check) == Action::Skip {
            return self.record(check, Ok(()));
        }
        let result = f(self);
        self.record(check, result)
    }

    fn verify(&mut self, req: &Inputs<'_>) -> Result<(), Stop> {
        // 1. Integrity (always enforced, trust-store-trust-policy.md §Signature Verification step
        //    "Validate Integrity").
        let (verified, chain) = match integrity(req) {
            Ok(v) => v,
            Err(e) => {
                self.record(CheckType::Integrity, Err(e))?;
                return Err(Stop);
            }
        };
        self.record(CheckType::Integrity, Ok(()))?;
        let envelope = verified.envelope();
        let attrs = envelope.signed_attributes();
        self.outcome.signer_chain = chain.iter().map(CertSummary::of).collect();
        self.outcome.signing_scheme = Some(attrs.signing_scheme);
        self.outcome.signing_time = attrs.authentic_signing_time.or(attrs.signing_time);
        self.outcome.expiry = attrs.expiry;
        self.outcome.algorithm = Some(attrs.algorithm);
        let payload = Payload::from_verified_bytes(verified.payload()).map_err(|e| {
            self.fail(
                FailureStage::Check(CheckType::Integrity),
                VerifyError::Envelope(EnvelopeError::Malformed(format!("payload: {e}"))),
            )
        })?;
        self.outcome.target_artifact = Some(payload.target_artifact.clone());

        // 2. Verification plugin (plugin-extensibility.md §Verification extensibility): nv2 runs no
        // plugins, so a signature that requires one cannot be verified, whatever the level.
        if let Some(plugin) = &attrs.verification_plugin {
            return Err(self.fail(
                FailureStage::Plugin,
                VerifyError::PluginRequired {
                    plugin: plugin.clone(),
                },
            ));
        }

        // 3-4. Authenticity: trust store, then trusted identity (trust-store-trust-policy.md
        // §Signature Verification step "Validate Authenticity").
        let statement = self.statement;
        self.check(CheckType::Authenticity, |_| {
            authenticity(statement, req.trust_store, attrs.signing_scheme, &chain)
        })?;

        // 5. Expiry (trust-store-trust-policy.md §Signature Verification step "Validate Expiry";
        //    docs/conformance.md §D7: expired when now >= expiry).
        self.check(CheckType::Expiry, |_| match attrs.expiry {
            Some(expiry) if req.now >= expiry => Err(VerifyError::Expired { expiry }),
            _ => Ok(()),
        })?;

        // 6. Authentic timestamp (trust-store-trust-policy.md §Signature Verification step
        //    "Validate Authentic Timestamp").
        let checker: &dyn RevocationChecker = req.revocation.unwrap_or(&OfflineRevocationChecker);
        self.check(CheckType::AuthenticTimestamp, |_| {
            authentic_timestamp(
                statement,
                envelope,
                &chain,
                req.trust_store,
                checker,
                req.now,
            )
        })?;

        // 7. Revocation of the signing chain (trust-store-trust-policy.md §Signature Verification
        //    step "Validate Revocation Status", §Certificate Revocation Evaluation).
        let authentic_time = attrs.authentic_signing_time;
        self.check(CheckType::Revocation, |_| {
            match revocation::check_chain(checker, &chain, Purpose::CodeSigning, authentic_time) {
                ChainStatus::Ok => Ok(()),
                ChainStatus::Revoked { subject, detail } => {
                    Err(VerifyError::Revoked { subject, detail })
                }
                ChainStatus::Unknown { subject, detail } => Err(VerifyError::RevocationUnknown {
                    message: format!("signing certificate with subject \"{subject}\" revocation status is unknown ({detail})"),
                    subject,
                }),
            }
        })?;

        // 9. The payload must target this artifact, and carry the requested metadata; both are
        // always fatal (signing-and-verification-workflow.md §OCI artifact verification workflow).
        if let Err(e) = req.target.check(&payload.target_artifact, attrs.algorithm) {
            return Err(self.fail(FailureStage::Descriptor, e));
        }
        let annotations = payload
            .target_artifact
            .annotations
            .clone()
            .unwrap_or_default();
        for (k, v) in req.user_metadata {
            if annotations.get(k) != Some(v) {
                return Err(self.fail(
                    FailureStage::UserMetadata,
                    VerifyError::UserMetadataMismatch { key: k.clone() },
                ));
            }
        }
        Ok(())
    }
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Integrity": parse, verify the
/// signature with the leaf key and the algorithm it dictates, then apply the certificate rules of
/// signature-specification.md §Certificate Requirements to the chain.
fn integrity(req: &Inputs<'_>) -> Result<(VerifiedEnvelope, Vec<Certificate>), VerifyError> {
    let envelope =
        UnverifiedEnvelope::parse(req.media_type, req.envelope).map_err(VerifyError::Envelope)?;
    if envelope.cert_chain().len() > x509::MAX_CHAIN_LEN {
        return Err(VerifyError::Certificate(CertError::ChainTooLong {
            len: envelope.cert_chain().len(),
        }));
    }
    let chain = envelope
        .cert_chain()
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(VerifyError::Certificate)?;
    let verified = envelope.verify_integrity().map_err(VerifyError::Envelope)?;
    x509::validate_code_signing_chain(&chain, None).map_err(VerifyError::Certificate)?;
    Ok((verified, chain))
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authenticity": some chain
/// certificate is byte-identical to a certificate in one of the policy's stores of the scheme's
/// type (no path building, docs/conformance.md §D5), then the leaf subject matches a trusted
/// identity.
fn authenticity(
    statement: &TrustPolicyStatement,
    store: &TrustStore,
    scheme: SigningScheme,
    chain: &[Certificate],
) -> Result<(), VerifyError> {
    let wanted = match scheme {
        SigningScheme::X509 => TrustStoreType::Ca,
        SigningScheme::X509SigningAuthority => TrustStoreType::SigningAuthority,
    };
    let mut trusted: Vec<&Certificate> = Vec::new();
    for r in statement
        .trust_stores
        .iter()
        .filter(|r| r.store_type == wanted)
    {
        let certs = store
            .certificates(r.store_type.as_str(), &r.name)
            .map_err(|e| VerifyError::Untrusted(e.to_string()))?;
        trusted.extend(certs.iter());
    }
    if trusted.is_empty() {
        return Err(VerifyError::Untrusted(
            "no trusted certificates are found to verify authenticity".into(),
        ));
    }
    let anchored = chain
        .iter()
        .any(|c| trusted.iter().any(|t| t.der() == c.der()));
    if !anchored {
        return Err(VerifyError::Untrusted(
            "the signature's certificate chain does not contain any trusted certificate".into(),
        ));
    }
    let leaf = chain
        .first()
        .ok_or_else(|| VerifyError::Untrusted("the signature carries no certificate".into()))?;
    let subject = leaf.subject_rfc4514();
    statement
        .check_identity(&subject)
        .map_err(|reason| VerifyError::UntrustedIdentity { subject, reason })?;
    Ok(())
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp" (the
/// authenticTimestamp check on its own): which time the signing `chain` must be valid at — the
/// authentic signing time (`notary.x509.signingAuthority`), the range of a verified RFC 3161
/// countersignature (when the policy asks for one, trust-store-trust-policy.md §Signature
/// Verification step "Validate Authentic Timestamp"), or `now`. TSA roots come from the statement's
/// `tsa:` stores in `store`; the TSA chain's revocation is checked through `checker`.
pub fn authentic_timestamp(
    statement: &TrustPolicyStatement,
    envelope: &UnverifiedEnvelope,
    chain: &[Certificate],
    store: &TrustStore,
    checker: &dyn RevocationChecker,
    now: Instant,
) -> Result<(), VerifyError> {
    let attrs = envelope.signed_attributes();
    if attrs.signing_scheme == SigningScheme::X509SigningAuthority {
        let at = attrs.authentic_signing_time.ok_or(VerifyError::Timestamp(
            TimestampFailure::MissingAuthenticSigningTime,
        ))?;
        for (index, cert) in chain.iter().enumerate() {
            if !cert.is_valid_at(at) {
                return Err(not_valid(index, cert, at, CertValidity::AtSigningTime));
            }
        }
        return Ok(());
    }
    let has_tsa_store = statement
        .trust_stores
        .iter()
        .any(|r| r.store_type == TrustStoreType::Tsa);
    let perform = has_tsa_store
        && match statement.verify_timestamp {
            VerifyTimestamp::Always => true,
            VerifyTimestamp::AfterCertExpiry => chain.iter().any(|c| c.not_after() < now),
        };
    if perform {
        let Some(token) = envelope.timestamp_token() else {
            return Err(VerifyError::Timestamp(TimestampFailure::NoCountersignature));
        };
        return verify_countersignature(
            statement,
            store,
            token,
            envelope.signature(),
            chain,
            checker,
        );
    }
    // Without a verified timestamp every chain certificate must be valid now
    // (trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp"; the
    // unsigned signing time is never used, docs/conformance.md §D6).
    for (index, cert) in chain.iter().enumerate() {
        if now < cert.not_before() {
            return Err(not_valid(index, cert, now, CertValidity::NotYetValid));
        }
        if now > cert.not_after() {
            return Err(not_valid(index, cert, now, CertValidity::Expired));
        }
    }
    Ok(())
}

fn not_valid(index: usize, cert: &Certificate, at: Instant, rule: CertValidity) -> VerifyError {
    VerifyError::CertificateNotValid(CertValidityFailure {
        index,
        subject: cert.subject_rfc4514(),
        not_before: cert.not_before(),
        not_after: cert.not_after(),
        checked_at: at,
        rule,
    })
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp" for
/// `notary.x509`, in notation-go's order: parse the token, check it stamps the primitive
/// `signature`, load the `tsa:` stores, verify the token at its genTime, validate the TSA chain
/// (signature-specification.md §Certificate Requirements), bound the signing chain by the timestamp
/// range, then check the TSA chain's revocation.
fn verify_countersignature(
    statement: &TrustPolicyStatement,
    store: &TrustStore,
    token: &[u8],
    signature: &[u8],
    chain: &[Certificate],
    checker: &dyn RevocationChecker,
) -> Result<(), VerifyError> {
    let fail = |e: TimestampError| match e {
        TimestampError::RevocationUnknown { ref subject, .. } => VerifyError::RevocationUnknown {
            subject: subject.clone(),
            message: e.notation_message(),
        },
        e => VerifyError::Timestamp(TimestampFailure::Token(Arc::new(e))),
    };
    let token = SignedToken::parse(token).map_err(fail)?;
    let ts = token
        .info()
        .and_then(|info| info.validate(signature))
        .map_err(fail)?;
    let mut roots: Vec<Certificate> = Vec::new();
    for r in statement
        .trust_stores
        .iter()
        .filter(|r| r.store_type == TrustStoreType::Tsa)
    {
        let certs = store
            .certificates(r.store_type.as_str(), &r.name)
            .map_err(|e| VerifyError::Timestamp(TimestampFailure::TrustStore(Arc::new(e))))?;
        roots.extend(certs.iter().cloned());
    }
    if roots.is_empty() {
        return Err(VerifyError::Timestamp(TimestampFailure::NoTrustedTsa));
    }
    let tsa_chain = token.verify(&roots, ts.gen_time).map_err(fail)?;
    x509::validate_timestamping_chain(&tsa_chain, None)
        .map_err(|e| fail(TimestampError::Chain(e)))?;
    for (index, cert) in chain.iter().enumerate() {
        if ts.lower < cert.not_before() {
            return Err(VerifyError::Timestamp(
                TimestampFailure::BeforeCertificateValidity {
                    index,
                    subject: cert.subject_rfc4514(),
                    not_before: cert.not_before(),
                },
            ));
        }
        if ts.upper > cert.not_after() {
            return Err(VerifyError::Timestamp(
                TimestampFailure::AfterCertificateValidity {
                    index,
                    subject: cert.subject_rfc4514(),
                    not_after: cert.not_after(),
                },
            ));
        }
    }
    timestamp::check_tsa_revocation(checker, &tsa_chain).map_err(fail)
}
