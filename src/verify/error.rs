//! Verification-stage errors (architecture practice 7, 8): why a check failed, or why
//! verification could not start, and where it stopped.

use std::fmt;
use std::sync::Arc;

use crate::envelope::EnvelopeError;
use crate::error::{CertValidityFailure, DescriptorMismatch, ErrorCode, TimestampFailure};
use crate::policy::{CheckType, PolicyError};
use crate::time::Instant;
use crate::x509::CertError;

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
        /// What was tried and why it gave no answer (responders, distribution points).
        detail: String,
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
