//! Structured context of failures: the typed values verification errors carry, and their JSON
//! form (`error.details` in JS, camelCase keys; shapes in docs/errors.md, types in
//! js/index.d.ts `ErrorDetails`).

use core::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::encoding::{EncodingError, MAX_JSON_DEPTH};
use crate::envelope::EnvelopeError;
use crate::limits::LimitExceeded;
use crate::oci::Descriptor;
use crate::registry::{RegistryError, TransportKind};
use crate::time::Instant;
use crate::timestamp::TimestampError;
use crate::truststore::TrustStoreError;
use crate::verify::VerifyError;
use crate::x509::CertError;

/// Which validity rule a chain certificate broke (signature-specification.md §Signature
/// Verification, step "authentic timestamp").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertValidity {
    /// Not valid at the authentic signing time (`notary.x509.signingAuthority`).
    AtSigningTime,
    /// The time checked is before `notBefore`.
    NotYetValid,
    /// The time checked is after `notAfter`.
    Expired,
}

impl CertValidity {
    /// `atSigningTime`, `notYetValid`, `expired`.
    pub fn name(self) -> &'static str {
        match self {
            CertValidity::AtSigningTime => "atSigningTime",
            CertValidity::NotYetValid => "notYetValid",
            CertValidity::Expired => "expired",
        }
    }
}

/// A chain certificate that was not valid at the time checked (`ERR_CERT_EXPIRED`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertValidityFailure {
    /// Position in the chain, 0 = leaf.
    pub index: usize,
    /// Subject, RFC 4514.
    pub subject: String,
    /// Start of validity.
    pub not_before: Instant,
    /// End of validity.
    pub not_after: Instant,
    /// The time the certificate was checked at (signing time or now).
    pub checked_at: Instant,
    /// Which rule failed.
    pub rule: CertValidity,
}

impl fmt::Display for CertValidityFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // notation-go's messages, word for word (the conformance tests compare them).
        let subject = &self.subject;
        match self.rule {
            CertValidity::AtSigningTime => write!(
                f,
                "certificate \"{subject}\" was not valid when the digital signature was produced at \"{}\"",
                self.checked_at.to_rfc1123z()
            ),
            CertValidity::NotYetValid => write!(
                f,
                "verification time is before certificate \"{subject}\" validity period, it will be valid from \"{}\"",
                self.not_before.to_rfc1123z()
            ),
            CertValidity::Expired => write!(
                f,
                "verification time is after certificate \"{subject}\" validity period, it was expired at \"{}\"",
                self.not_after.to_rfc1123z()
            ),
        }
    }
}

/// Why the authentic-timestamp check failed (`ERR_TIMESTAMP`).
#[derive(Clone, Debug, PartialEq)]
pub enum TimestampFailure {
    /// `notary.x509.signingAuthority` without an authentic signing time.
    MissingAuthenticSigningTime,
    /// The policy asks for a timestamp and the envelope has none.
    NoCountersignature,
    /// A `tsa:` trust store could not be read. (Shared, as [`TimestampFailure::Token`].)
    TrustStore(Arc<TrustStoreError>),
    /// The policy's `tsa:` stores hold no certificate.
    NoTrustedTsa,
    /// The countersignature itself failed (parse, TSTInfo, signature, TSA chain, revocation).
    /// Shared: verification outcomes are cloned per check, and a deep copy of every failure kind
    /// costs wasm size.
    Token(Arc<TimestampError>),
    /// The timestamp range starts before a chain certificate's `notBefore`.
    BeforeCertificateValidity {
        /// Position in the chain, 0 = leaf.
        index: usize,
        /// Subject, RFC 4514.
        subject: String,
        /// The certificate's `notBefore`.
        not_before: Instant,
    },
    /// The timestamp range ends after a chain certificate's `notAfter`.
    AfterCertificateValidity {
        /// Position in the chain, 0 = leaf.
        index: usize,
        /// Subject, RFC 4514.
        subject: String,
        /// The certificate's `notAfter`.
        not_after: Instant,
    },
}

impl TimestampFailure {
    /// The `reason` of the details: `missingAuthenticSigningTime`, `noCountersignature`,
    /// `tsaTrustStore`, `noTrustedTsa`, `token`, `beforeCertificateValidity`,
    /// `afterCertificateValidity`.
    pub fn reason(&self) -> &'static str {
        match self {
            TimestampFailure::MissingAuthenticSigningTime => "missingAuthenticSigningTime",
            TimestampFailure::NoCountersignature => "noCountersignature",
            TimestampFailure::TrustStore(_) => "tsaTrustStore",
            TimestampFailure::NoTrustedTsa => "noTrustedTsa",
            TimestampFailure::Token(_) => "token",
            TimestampFailure::BeforeCertificateValidity { .. } => "beforeCertificateValidity",
            TimestampFailure::AfterCertificateValidity { .. } => "afterCertificateValidity",
        }
    }
}

impl fmt::Display for TimestampFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimestampFailure::MissingAuthenticSigningTime => {
                f.write_str("authentic signing time is missing")
            }
            TimestampFailure::NoCountersignature => {
                f.write_str("no timestamp countersignature was found in the signature envelope")
            }
            TimestampFailure::TrustStore(e) => {
                write!(f, "failed to load tsa trust store with error: {e}")
            }
            TimestampFailure::NoTrustedTsa => {
                f.write_str("no trusted TSA certificate found in trust store")
            }
            TimestampFailure::Token(e) => f.write_str(&e.notation_message()),
            TimestampFailure::BeforeCertificateValidity {
                subject,
                not_before,
                ..
            } => write!(
                f,
                "timestamp can be before certificate \"{subject}\" validity period, it will be valid from \"{}\"",
                not_before.to_rfc1123z()
            ),
            TimestampFailure::AfterCertificateValidity {
                subject, not_after, ..
            } => write!(
                f,
                "timestamp can be after certificate \"{subject}\" validity period, it was expired at \"{}\"",
                not_after.to_rfc1123z()
            ),
        }
    }
}

/// What the payload's target had to match (signature-specification.md §Signature Verification,
/// step "target artifact"; for blobs, §Blob Signing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedTarget {
    /// Media type, when it is compared (always for OCI artifacts; for blobs only when given).
    pub media_type: Option<String>,
    /// `<algorithm>:<hex>`.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
}

/// The signed target is not the artifact being verified (`ERR_DESCRIPTOR_MISMATCH`).
#[derive(Clone, Debug, PartialEq)]
pub struct DescriptorMismatch {
    /// Whether a blob (detached signature) was being verified.
    pub blob: bool,
    /// The artifact being verified.
    pub expected: ExpectedTarget,
    /// The descriptor the signature's payload names.
    pub signed: Descriptor,
}

impl fmt::Display for DescriptorMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.blob {
            "integrity check failed. signature does not match the given blob"
        } else {
            "content descriptor mismatch"
        })
    }
}

/// The fields a details object can have, borrowed from the error; [`Fields::into_value`] writes
/// the present ones. Each variant only fills in a few slots, and the JSON is built in one place
/// (wasm size, docs/size.md).
#[derive(Default)]
struct Fields<'a> {
    plugin: Option<&'a str>,
    reason: Option<&'a str>,
    certificate_index: Option<usize>,
    subject: Option<&'a str>,
    detail: Option<&'a str>,
    key: Option<&'a str>,
    operation: Option<&'a str>,
    status: Option<u16>,
    registry_codes: Option<&'a [String]>,
    expiry: Option<Instant>,
    not_before: Option<Instant>,
    not_after: Option<Instant>,
    checked_at: Option<Instant>,
    rule: Option<&'a str>,
    /// Digests (`ERR_DIGEST_MISMATCH`).
    expected_digest: Option<&'a str>,
    actual_digest: Option<&'a str>,
    /// Targets (`ERR_DESCRIPTOR_MISMATCH`).
    targets: Option<(Value, Value)>,
    /// Transport failures (threat model 25, 27): where and what kind.
    step: Option<&'a str>,
    cause: Option<&'a str>,
    url: Option<&'a str>,
    transport: Option<&'a str>,
    during: Option<&'a str>,
    waited_ms: Option<u64>,
}

type Map = serde_json::Map<String, Value>;

// Out of line, each: a details field then costs a call, not an inlined allocation and map
// insertion (wasm size).
#[inline(never)]
fn put(map: &mut Map, key: &str, v: Value) {
    map.insert(key.to_string(), v);
}

#[inline(never)]
fn put_str(map: &mut Map, key: &str, v: Option<&str>) {
    if let Some(v) = v {
        put(map, key, Value::from(v));
    }
}

#[inline(never)]
fn put_time(map: &mut Map, key: &str, v: Option<Instant>) {
    if let Some(v) = v {
        put(map, key, Value::from(v.to_rfc3339()));
    }
}

#[inline(never)]
fn put_num(map: &mut Map, key: &str, v: Option<u64>) {
    if let Some(v) = v {
        put(map, key, Value::from(v));
    }
}

impl Fields<'_> {
    fn into_value(self) -> Value {
        let mut m = Map::new();
        put_str(&mut m, "plugin", self.plugin);
        put_str(&mut m, "reason", self.reason);
        put_num(
            &mut m,
            "certificateIndex",
            self.certificate_index.map(|i| i as u64),
        );
        put_str(&mut m, "subject", self.subject);
        put_str(&mut m, "detail", self.detail);
        put_str(&mut m, "key", self.key);
        put_str(&mut m, "operation", self.operation);
        put_num(&mut m, "status", self.status.map(u64::from));
        if let Some(c) = self.registry_codes {
            let codes = c.iter().map(|s| Value::from(s.as_str())).collect();
            put(&mut m, "registryCodes", Value::Array(codes));
        }
        put_time(&mut m, "expiry", self.expiry);
        put_time(&mut m, "notBefore", self.not_before);
        put_time(&mut m, "notAfter", self.not_after);
        put_time(&mut m, "checkedAt", self.checked_at);
        put_str(&mut m, "rule", self.rule);
        put_str(&mut m, "expected", self.expected_digest);
        put_str(&mut m, "actual", self.actual_digest);
        if let Some((expected, actual)) = self.targets {
            put(&mut m, "expected", expected);
            put(&mut m, "actual", actual);
        }
        put_str(&mut m, "step", self.step);
        put_str(&mut m, "cause", self.cause);
        put_str(&mut m, "url", self.url);
        put_str(&mut m, "transport", self.transport);
        put_str(&mut m, "during", self.during);
        put_num(&mut m, "waitedMs", self.waited_ms);
        Value::Object(m)
    }
}

/// `{ mediaType?, digest, size }`.
fn target(media_type: Option<&str>, digest: &str, size: u64) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "mediaType", media_type);
    put_str(&mut m, "digest", Some(digest));
    put_num(&mut m, "size", Some(size));
    Value::Object(m)
}

impl VerifyError {
    /// Structured context for hosts (JS `error.details`), when the failure carries values.
    pub fn details(&self) -> Option<Value> {
        let mut f = Fields::default();
        match self {
            VerifyError::PluginRequired { plugin } => f.plugin = Some(plugin),
            VerifyError::UntrustedIdentity { subject, .. } => f.subject = Some(subject),
            // `detail`: what was tried (OCSP at ..., CRL at ...), as in the message.
            VerifyError::RevocationUnknown {
                subject, detail, ..
            } => {
                f.subject = Some(subject);
                f.detail = Some(detail);
            }
            VerifyError::Expired { expiry } => f.expiry = Some(*expiry),
            VerifyError::CertificateNotValid(c) => {
                f.certificate_index = Some(c.index);
                f.subject = Some(&c.subject);
                f.not_before = Some(c.not_before);
                f.not_after = Some(c.not_after);
                f.checked_at = Some(c.checked_at);
                f.rule = Some(c.rule.name());
            }
            VerifyError::Timestamp(TimestampFailure::Token(e)) => match &**e {
                TimestampError::Limit(l) => return Some(limit_details(l)),
                _ => f.reason = Some("token"),
            },
            VerifyError::Timestamp(t) => {
                f.reason = Some(t.reason());
                match t {
                    TimestampFailure::BeforeCertificateValidity {
                        index,
                        subject,
                        not_before,
                    } => {
                        f.certificate_index = Some(*index);
                        f.subject = Some(subject);
                        f.not_before = Some(*not_before);
                    }
                    TimestampFailure::AfterCertificateValidity {
                        index,
                        subject,
                        not_after,
                    } => {
                        f.certificate_index = Some(*index);
                        f.subject = Some(subject);
                        f.not_after = Some(*not_after);
                    }
                    _ => {}
                }
            }
            VerifyError::Revoked { subject, detail } => {
                f.subject = Some(subject);
                f.detail = Some(detail);
            }
            VerifyError::DescriptorMismatch(m) => {
                let e = &m.expected;
                let s = &m.signed;
                f.targets = Some((
                    target(e.media_type.as_deref(), &e.digest, e.size),
                    target(Some(&s.media_type), &s.digest.to_string(), s.size),
                ));
            }
            VerifyError::UserMetadataMismatch { key } => f.key = Some(key),
            VerifyError::Envelope(e) => return e.details(),
            VerifyError::Certificate(CertError::Limit(l)) => return Some(limit_details(l)),
            _ => return None,
        }
        Some(f.into_value())
    }
}

/// `{ limit, max, found }` (`ERR_LIMIT` from a structural budget, docs/limits.md).
pub(crate) fn limit_details(l: &LimitExceeded) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "limit", Some(l.limit));
    put_num(&mut m, "max", Some(l.max as u64));
    put_num(&mut m, "found", Some(l.found as u64));
    Value::Object(m)
}

impl EnvelopeError {
    /// Structured context for hosts (JS `error.details`): `{ limit, max, found }` for a budget.
    pub fn details(&self) -> Option<Value> {
        match self {
            EnvelopeError::Limit(l) => Some(limit_details(l)),
            // The JSON reader stops at the first level over MAX_JSON_DEPTH.
            EnvelopeError::Json {
                error: EncodingError::TooDeep,
                ..
            } => Some(limit_details(&LimitExceeded {
                limit: "json.depth",
                max: MAX_JSON_DEPTH,
                found: MAX_JSON_DEPTH + 1,
            })),
            _ => None,
        }
    }
}

impl RegistryError {
    /// Structured context for hosts (JS `error.details`), when the failure carries values.
    pub fn details(&self) -> Option<Value> {
        let mut f = Fields::default();
        self.fill(&mut f)?;
        Some(f.into_value())
    }

    /// Fills `f` from this error; `None` when it carries no values. An inconclusive verification
    /// gives its step and cause's code, then the cause's own fields.
    fn fill<'a>(&'a self, f: &mut Fields<'a>) -> Option<()> {
        match self {
            RegistryError::Inconclusive { step, cause } => {
                f.step = Some(step);
                f.cause = Some(cause.code().as_str());
                let _ = cause.fill(f);
            }
            RegistryError::Transport(t) => {
                f.url = t.url.as_deref();
                f.transport = Some(t.kind.name());
                if let TransportKind::Deadline {
                    during,
                    waited_millis,
                } = t.kind
                {
                    f.during = Some(during.name());
                    f.waited_ms = Some(waited_millis);
                }
            }
            RegistryError::Http {
                operation,
                status,
                codes,
                ..
            } => {
                f.operation = Some(operation);
                f.status = Some(*status);
                f.registry_codes = Some(codes);
            }
            RegistryError::DigestMismatch { expected, actual } => {
                f.expected_digest = Some(expected);
                f.actual_digest = Some(actual);
            }
            _ => return None,
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::Digest;
    use serde_json::json;

    fn at(s: &str) -> Instant {
        Instant::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn typed_fields_reach_the_details_with_the_messages_unchanged() {
        let e = VerifyError::Expired {
            expiry: at("2024-01-02T03:04:05Z"),
        };
        assert_eq!(
            e.details().unwrap(),
            json!({ "expiry": "2024-01-02T03:04:05Z" })
        );
        assert!(e
            .to_string()
            .starts_with("digital signature has expired on \""));

        let e = VerifyError::CertificateNotValid(CertValidityFailure {
            index: 1,
            subject: "CN=ca".into(),
            not_before: at("2020-01-01T00:00:00Z"),
            not_after: at("2021-01-01T00:00:00Z"),
            checked_at: at("2022-01-01T00:00:00Z"),
            rule: CertValidity::Expired,
        });
        assert_eq!(e.code(), crate::error::ErrorCode::CertExpired);
        assert_eq!(
            e.details().unwrap(),
            json!({
                "certificateIndex": 1, "subject": "CN=ca",
                "notBefore": "2020-01-01T00:00:00Z", "notAfter": "2021-01-01T00:00:00Z",
                "checkedAt": "2022-01-01T00:00:00Z", "rule": "expired",
            })
        );
        assert!(e
            .to_string()
            .starts_with("verification time is after certificate \"CN=ca\" validity period"));

        let e = VerifyError::Timestamp(TimestampFailure::AfterCertificateValidity {
            index: 0,
            subject: "CN=leaf".into(),
            not_after: at("2021-01-01T00:00:00Z"),
        });
        assert_eq!(
            e.details().unwrap(),
            json!({ "reason": "afterCertificateValidity", "certificateIndex": 0,
                    "subject": "CN=leaf", "notAfter": "2021-01-01T00:00:00Z" })
        );
        let e = VerifyError::Timestamp(TimestampFailure::NoTrustedTsa);
        assert_eq!(e.details().unwrap(), json!({ "reason": "noTrustedTsa" }));
        assert_eq!(
            e.to_string(),
            "no trusted TSA certificate found in trust store"
        );

        let digest = |b: u8| Digest::of(crate::crypto::HashAlgorithm::Sha256, &[b]);
        let e = VerifyError::DescriptorMismatch(Arc::new(DescriptorMismatch {
            blob: true,
            expected: ExpectedTarget {
                media_type: None,
                digest: digest(1).to_string(),
                size: 1,
            },
            signed: Descriptor::new("application/octet-stream", digest(2), 2),
        }));
        assert_eq!(
            e.details().unwrap(),
            json!({
                "expected": { "digest": digest(1).to_string(), "size": 1 },
                "actual": { "mediaType": "application/octet-stream", "digest": digest(2).to_string(), "size": 2 },
            })
        );
        assert_eq!(
            e.to_string(),
            "integrity check failed. signature does not match the given blob"
        );
        assert!(VerifyError::Untrusted("x".into()).details().is_none());
    }

    #[test]
    fn budgets_carry_limit_max_and_found() {
        let l = LimitExceeded {
            limit: "cose.header.entries",
            max: 1024,
            found: 5000,
        };
        let want = json!({ "limit": "cose.header.entries", "max": 1024, "found": 5000 });
        let e = VerifyError::Envelope(EnvelopeError::Limit(l));
        assert_eq!(e.code(), crate::error::ErrorCode::Limit);
        assert_eq!(e.details().unwrap(), want);
        let e = VerifyError::Certificate(CertError::Limit(l));
        assert_eq!(e.code(), crate::error::ErrorCode::Limit);
        assert_eq!(e.details().unwrap(), want);
        let e = VerifyError::Timestamp(TimestampFailure::Token(Arc::new(TimestampError::Limit(l))));
        assert_eq!(e.code(), crate::error::ErrorCode::Limit);
        assert_eq!(e.details().unwrap(), want);
        let e = VerifyError::Timestamp(TimestampFailure::Token(Arc::new(TimestampError::Parse(
            "x".into(),
        ))));
        assert_eq!(e.details().unwrap(), json!({ "reason": "token" }));
    }

    #[test]
    fn registry_http_details_carry_status_and_registry_codes() {
        let e = RegistryError::Http {
            operation: "GET manifest".into(),
            status: 404,
            codes: vec!["MANIFEST_UNKNOWN".into()],
            message: "manifest unknown".into(),
        };
        assert_eq!(
            e.details().unwrap(),
            json!({ "operation": "GET manifest", "status": 404, "registryCodes": ["MANIFEST_UNKNOWN"] })
        );
        assert!(RegistryError::Limit("x".into()).details().is_none());
    }

    #[test]
    fn transport_details_say_where_and_what_was_waited_for() {
        use crate::registry::{DeadlinePhase, TransportError};
        let t = TransportError::deadline(DeadlinePhase::Idle, 1500)
            .at("http://127.0.0.1:5000/v2/a/blobs/sha256:ab?X-Sig=secret");
        let e = RegistryError::Transport(t);
        assert_eq!(
            e.details().unwrap(),
            json!({ "url": "http://127.0.0.1:5000/v2/a/blobs/sha256:ab", "transport": "deadline",
                    "during": "idle", "waitedMs": 1500 })
        );
        assert!(!e.to_string().contains("secret"), "no query in messages");
        assert!(e.to_string().contains("1500 ms"), "{e}");
        let e = e.inconclusive("discover");
        assert_eq!(e.code(), crate::error::ErrorCode::VerificationInconclusive);
        assert_eq!(
            e.details().unwrap(),
            json!({ "step": "discover", "cause": "ERR_REGISTRY_HTTP",
                    "url": "http://127.0.0.1:5000/v2/a/blobs/sha256:ab", "transport": "deadline",
                    "during": "idle", "waitedMs": 1500 })
        );
        assert!(e
            .to_string()
            .starts_with("verification inconclusive while discovering"));
        let e = RegistryError::Http {
            operation: "GET referrers".into(),
            status: 503,
            codes: vec![],
            message: String::new(),
        }
        .inconclusive("discover");
        assert_eq!(
            e.details().unwrap(),
            json!({ "step": "discover", "cause": "ERR_REGISTRY_HTTP", "operation": "GET referrers",
                    "status": 503, "registryCodes": [] })
        );
    }
}
