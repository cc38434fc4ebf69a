//! Registry transport (signature-specification.md §OCI Signatures, trust-store-trust-policy.md
//! §Signature Verification): an OCI distribution client generic over an injected [`HttpClient`],
//! and the registry-level sign / list / verify / inspect flows.
//!
//! Sans-IO in spirit: every byte moves through the injected client (the host's `fetch` in wasm,
//! a test client natively); nothing here reads a clock (`now` and signing times are arguments)
//! or sleeps except through [`HttpClient::sleep`].
//!
//! Security rules (threat model):
//! - every fetched byte is size-checked (Content-Length, then the bytes) and digest-checked
//!   against its descriptor; `Docker-Content-Digest` is never trusted (threats 3, 13, 15);
//! - a tag is resolved once, to the digest of the bytes received, with a warning (threat 3);
//! - redirects are followed by this code, and `Authorization` only goes to the registry's own
//!   origin; Basic credentials go to a token realm only on the registry's host or an allow-listed
//!   one over https (threat 16);
//! - plain HTTP only for loopback registries or when explicitly enabled (16d);
//! - loops have budgets: redirects, retries, referrers pages (same-origin `Link`s with a visited
//!   set), signature attempts, referrers-index update rounds (threats 14, 22);
//! - every request has first-byte and idle deadlines, every operation an overall one that grows
//!   with the bytes it moves; a passed deadline is a transport failure (threat 25).

#![warn(missing_docs)]

pub(crate) mod auth;
mod cache;
pub(crate) mod client;
mod content;
pub(crate) mod copy;
pub(crate) mod deadline;
pub(crate) mod error;
pub(crate) mod flows;
pub(crate) mod http;
pub(crate) mod join;
pub(crate) mod referrers;
pub(crate) mod revocation;
mod session;
pub(crate) mod verification;

pub use auth::{Credentials, StaticCredentials};
pub use cache::{
    LoginFingerprints, SessionCache, CAPABILITY_TTL_MILLIS, DEFAULT_SESSION_CACHE_ENTRIES,
    TOKEN_TTL_MILLIS,
};
pub use client::{
    ContentCache, PushedManifest, RegistryClient, RegistryOptions, Resolved,
    DEFAULT_CONTENT_CACHE_BYTES, MAX_ENVELOPE_BYTES, MAX_INDEX_UPDATE_ATTEMPTS, MAX_MANIFEST_BYTES,
    MAX_REDIRECTS, MAX_REFERRER_PAGES, MAX_RETRIES, MAX_SIGNATURE_ATTEMPTS,
};
pub use copy::{
    copy, CopyEvent, CopyObserver, CopyOptions, CopyReport, Transfer, DEFAULT_CHUNK_BYTES,
    DEFAULT_COPY_CONCURRENCY, MAX_BUFFERED_BLOB_BYTES, MAX_COPY_MANIFESTS, MAX_REFERRER_DEPTH,
};
pub use deadline::{
    DeadlinePhase, Deadlines, OperationDeadline, RequestDeadline, DEFAULT_FIRST_BYTE_MILLIS,
    DEFAULT_IDLE_MILLIS, DEFAULT_MIN_BYTES_PER_SECOND, DEFAULT_OPERATION_BASE_MILLIS,
};
pub use error::RegistryError;
pub use flows::{
    inspect, list_signatures, push_signature, sign, EnvelopeInfo, Inspection, SignatureDescriptor,
    SignatureInspection, SignatureList,
};
pub use http::{HttpClient, HttpRequest, HttpResponse, Piped, TransportError, TransportKind};
pub use referrers::{referrers_tag, ReferrerList};
pub use revocation::{attach_revocation, attached_crls, ARTIFACT_TYPE_REVOCATION, MEDIA_TYPE_CRL};
pub use verification::{
    verify, ArtifactVerification, RevocationSources, SignatureFailure, SignatureVerification,
    VerifyOptions,
};
