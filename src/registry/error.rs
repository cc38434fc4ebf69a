//! Registry-stage errors (architecture practice 7, 8): one enum, documented variants, stable codes.

use core::fmt;

use super::http::TransportError;
use crate::error::ErrorCode;
use crate::policy::PolicyError;
use crate::sign::SignError;

/// Why a registry operation failed. Messages never contain credentials or tokens (threat 16).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RegistryError {
    /// The registry answered with an unexpected status (`ERR_REGISTRY_HTTP`). `codes` are the
    /// distribution-spec `errors[].code` values of the body, if it had any.
    Http {
        /// What was being done, e.g. `GET manifest`.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// Registry error codes (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, ...).
        codes: Vec<String>,
        /// The first registry error message, if any.
        message: String,
    },
    /// The request could not be sent or got no response (`ERR_REGISTRY_HTTP`; during
    /// verification this becomes [`RegistryError::Inconclusive`]). Includes browser CORS
    /// failures (threat model 17).
    Transport(TransportError),
    /// Authentication failed or is missing: 401/403, no credentials for a Basic challenge, or a
    /// token request was refused (`ERR_REGISTRY_AUTH`).
    Auth(String),
    /// Fetched bytes do not hash to the expected digest, or the user's digest differs from the
    /// resolved one (`ERR_DIGEST_MISMATCH`; threat model 3, checklist 3a, 3c).
    DigestMismatch {
        /// The digest asked for.
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// A size, page or attempt budget was exceeded (`ERR_LIMIT`; threat model 13, 14, 15).
    Limit(String),
    /// No Notary signature is associated with the artifact (`ERR_NO_SIGNATURE`;
    /// signing-and-verification-workflow.md §OCI artifact verification workflow, threat model 1).
    NoSignature(String),
    /// Verification could not reach a verdict because of the network or the registry's state
    /// (`ERR_VERIFICATION_INCONCLUSIVE`; architecture practice 9, threat model 25, 27): never
    /// "verified", never "unsigned".
    Inconclusive {
        /// Where verification was: `resolve`, `discover` (listing signatures), `fetch` (a
        /// signature manifest or envelope) or `verify` (the signature-check budget ran out
        /// before every signature was examined).
        step: &'static str,
        /// What failed there.
        cause: Box<RegistryError>,
    },
    /// A plain-`http` URL for a registry that is not allowed plain HTTP, or an `https` →
    /// `http` downgrade (`ERR_INSECURE_TRANSPORT`; threat model 16d).
    InsecureTransport(String),
    /// A registry document (manifest, index, error body, token response, envelope header) is
    /// malformed (`ERR_PARSE`).
    Parse(String),
    /// The referrers tag (OCI distribution-spec spec.md §Referrers Tag Schema) holds something that
    /// is not an OCI image index; nothing is written (`ERR_REFERRERS_INDEX`; threat model 22b).
    ReferrersIndex(String),
    /// Trust-policy selection failed (no applicable statement, bad reference); the code is the
    /// policy error's.
    Policy(PolicyError),
    /// Signing failed; the code is the signing error's.
    Sign(SignError),
}

impl RegistryError {
    /// Stable error code (docs/errors.md).
    pub fn code(&self) -> ErrorCode {
        match self {
            RegistryError::Http { .. } | RegistryError::Transport(_) => ErrorCode::RegistryHttp,
            RegistryError::Auth(_) => ErrorCode::RegistryAuth,
            RegistryError::DigestMismatch { .. } => ErrorCode::DigestMismatch,
            RegistryError::Limit(_) => ErrorCode::Limit,
            RegistryError::NoSignature(_) => ErrorCode::NoSignature,
            RegistryError::Inconclusive { .. } => ErrorCode::VerificationInconclusive,
            RegistryError::InsecureTransport(_) => ErrorCode::InsecureTransport,
            RegistryError::Parse(_) => ErrorCode::Parse,
            RegistryError::ReferrersIndex(_) => ErrorCode::ReferrersIndex,
            RegistryError::Policy(e) => e.code(),
            RegistryError::Sign(e) => e.code(),
        }
    }

    /// Whether the error means "no answer" (a network failure) rather than a registry verdict.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            RegistryError::Transport(_) | RegistryError::Inconclusive { .. }
        )
    }

    /// Whether the error says nothing about the artifact: no answer (network, deadline, abort),
    /// or a 429 / 5xx still there after the retries (the registry's state, not a verdict;
    /// threat model 27). During verification such a failure is inconclusive.
    pub fn is_indeterminate(&self) -> bool {
        self.is_transport()
            || matches!(self, RegistryError::Http { status, .. } if *status == 429 || *status >= 500)
    }

    /// `self` as an inconclusive verification failure at `step` (already inconclusive: as is).
    pub fn inconclusive(self, step: &'static str) -> RegistryError {
        match self {
            e @ RegistryError::Inconclusive { .. } => e,
            cause => RegistryError::Inconclusive {
                step,
                cause: Box::new(cause),
            },
        }
    }

    /// Whether the registry answered with the distribution error `code` (OCI distribution-spec
    /// spec.md §Error Codes) among its `errors`.
    pub fn has_registry_code(&self, code: &str) -> bool {
        matches!(self, RegistryError::Http { codes, .. } if codes.iter().any(|c| c == code))
    }

    /// Whether this is an HTTP 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::Http { status: 404, .. })
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Http {
                operation,
                status,
                codes,
                message,
            } => {
                write!(f, "{operation}: registry answered HTTP {status}")?;
                if !codes.is_empty() {
                    write!(f, " ({})", codes.join(", "))?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            RegistryError::Transport(e) => e.fmt(f),
            RegistryError::Auth(s) => write!(f, "registry authentication failed: {s}"),
            RegistryError::DigestMismatch { expected, actual } => write!(
                f,
                "digest mismatch: expected {expected}, got content with digest {actual}"
            ),
            RegistryError::Limit(s) => write!(f, "limit exceeded: {s}"),
            RegistryError::NoSignature(s) => f.write_str(s),
            RegistryError::Inconclusive { step, cause } => write!(
                f,
                "verification inconclusive while {}: {cause}",
                match *step {
                    "resolve" => "resolving the reference",
                    "discover" => "discovering the signatures",
                    _ => "fetching a signature",
                }
            ),
            RegistryError::InsecureTransport(s) => write!(f, "insecure transport: {s}"),
            RegistryError::Parse(s) => write!(f, "malformed registry response: {s}"),
            RegistryError::ReferrersIndex(s) => write!(f, "referrers index: {s}"),
            RegistryError::Policy(e) => e.fmt(f),
            RegistryError::Sign(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RegistryError {}

impl From<TransportError> for RegistryError {
    fn from(e: TransportError) -> Self {
        RegistryError::Transport(e)
    }
}

impl From<PolicyError> for RegistryError {
    fn from(e: PolicyError) -> Self {
        RegistryError::Policy(e)
    }
}

impl From<SignError> for RegistryError {
    fn from(e: SignError) -> Self {
        RegistryError::Sign(e)
    }
}

/// Parses a distribution-spec error body `{"errors":[{"code","message"}]}` (bounded; anything
/// else gives no codes).
pub(crate) fn registry_error_codes(body: &[u8]) -> (Vec<String>, String) {
    if body.len() > 64 * 1024 {
        return (Vec::new(), String::new());
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (Vec::new(), String::new());
    };
    let mut codes = Vec::new();
    let mut message = String::new();
    if let Some(errors) = v.get("errors").and_then(|e| e.as_array()) {
        for e in errors.iter().take(16) {
            if let Some(c) = e.get("code").and_then(|c| c.as_str()) {
                codes.push(c.chars().take(64).collect());
            }
            if message.is_empty() {
                if let Some(m) = e.get("message").and_then(|m| m.as_str()) {
                    message = m.chars().take(256).collect();
                }
            }
        }
    }
    (codes, message)
}
