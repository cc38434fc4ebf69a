//! The checks in notation-go's order under one policy statement (trust-store-trust-policy.md
//! §Signature Verification `processSignature`): an `enforce` failure stops, a `log` failure is
//! recorded and verification goes on.

use super::checks::{authentic_timestamp, authenticity, integrity};
use super::{CertSummary, CheckResult, FailureStage, Inputs, Outcome, VerifyError};
use crate::envelope::EnvelopeError;
use crate::payload::Payload;
use crate::policy::{Action, CheckType, TrustPolicyStatement, VerificationLevel};
use crate::revocation::{self, ChainStatus, OfflineRevocationChecker, Purpose, RevocationChecker};

pub(super) fn run_statement(req: &Inputs<'_>, statement: &TrustPolicyStatement) -> Outcome {
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
            needs: Vec::new(),
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
    if let Some(checker) = req.revocation {
        run.outcome.needs = checker.needs();
    }
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
                    detail,
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
