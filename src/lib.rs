//! nv2: the Notary Project signature system (Notary v2) for OCI artifacts, as a sans-IO Rust core
//! compiled to WebAssembly.
//!
//! The core takes bytes, trust material and `now` as arguments: it never fetches and never reads
//! a clock. I/O lives in the `wasm` bindings and the JavaScript layer. The formats and rules
//! are those of the Notary Project specifications (github.com/notaryproject/specifications,
//! `specs/`); every rule cites the document and section it implements, e.g.
//! `trust-store-trust-policy.md §Signature Verification`, or an RFC section. Where notation-go
//! departs from the specification, the choice made is listed in `docs/conformance.md`.
//!
//! # Modules
//!
//! - [`verify`]: verification of one envelope or one blob signature against a trust policy.
//! - [`sign`]: signing (local key or a host signer), signature manifests.
//! - [`policy`]: OCI and blob trust policy documents, verification levels.
//! - [`truststore`]: named trust stores of X.509 roots (`ca`, `signingAuthority`, `tsa`).
//! - [`registry`]: the OCI distribution client over an injected HTTP client; sign, verify,
//!   list, inspect and copy flows.
//! - [`blob`]: detached signatures of arbitrary blobs, streamed hashing.
//! - [`envelope`]: JWS and COSE_Sign1 envelopes (parse, then verify integrity; prepare and
//!   complete when signing).
//! - [`payload`]: the Notary payload (`targetArtifact`).
//! - [`oci`]: OCI descriptors, digests, references, signature manifests.
//! - [`x509`]: certificates, chains and the Notary certificate profile.
//! - [`timestamp`]: RFC 3161 timestamp tokens.
//! - [`revocation`]: revocation checkers (offline, CRL).
//! - [`crypto`]: signature algorithms, keys and hashes.
//! - [`encoding`]: strict JSON and base64.
//! - [`time`]: the `Instant` type every time argument uses.
//! - `wasm` (feature `wasm`): the JavaScript bindings.
//!
//! # Example
//!
//! Verifying a notation-go test envelope against a strict trust policy:
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use nv2::{verify_envelope, Descriptor, Instant, OciTrustPolicy, TrustStore, VerifyRequest};
//!
//! let envelope = include_bytes!(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/tests/vectors/notation/notation-go/internal/mock/testdata/ca_valid_sig_env.json"
//! ));
//! let root = include_bytes!(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/tests/vectors/notation/notation-go/verifier/testdata/truststore/x509/ca/",
//!     "valid-trust-store/NotationTestRoot.pem"
//! ));
//! let policy = OciTrustPolicy::from_json(include_bytes!(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/tests/vectors/notation/derived/trustpolicies/oci/ngo-dummy-strict.json"
//! )))?;
//! let mut store = TrustStore::new();
//! let files = [("NotationTestRoot.pem".to_string(), root.to_vec())];
//! store.add_named_store("ca", "valid-trust-store", &files)?;
//! store.add_named_store("signingAuthority", "valid-trust-store", &files)?;
//! let digest = "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e";
//! let target: Descriptor = serde_json::from_str(
//!     r#"{"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
//!         "digest": "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
//!         "size": 528}"#,
//! )?;
//! let outcome = verify_envelope(&VerifyRequest {
//!     envelope,
//!     media_type: "application/jose+json",
//!     target: &target,
//!     artifact_reference: &format!("registry.acme-rockets.io/software/net-monitor@{digest}"),
//!     policy: &policy,
//!     trust_store: &store,
//!     now: Instant::parse_rfc3339("2025-06-01T00:00:00Z")?,
//!     user_metadata: &BTreeMap::new(),
//!     revocation: None,
//! })?;
//! assert!(outcome.verified);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod blob;
pub mod crypto;
pub mod encoding;
pub mod envelope;
pub mod error;
pub mod limits;
pub mod oci;
pub mod payload;
pub mod policy;
pub mod registry;
pub mod revocation;
pub mod sign;
pub mod time;
pub mod timestamp;
pub mod truststore;
pub mod verify;
pub mod x509;

#[cfg(feature = "wasm")]
pub mod wasm;

// Parser entry points for fuzz/ (feature `fuzzing`); compiled in unit tests too, for the
// regression test over fuzz/regressions/ (src/fuzz_api/regressions.rs).
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz_api;

// The facade: what a user of the crate calls, at the crate root. The modules stay public for
// the rest of their public items.
pub use blob::{hash_algorithm_for_envelope, inspect_blob_signature, BlobHasher};
pub use crypto::{CryptoError, HashAlgorithm, PrivateKey, SignatureAlgorithm};
pub use envelope::{EnvelopeError, EnvelopeFormat, UnverifiedEnvelope, VerifiedEnvelope};
pub use oci::{Descriptor, Digest, OciError, Reference, SignatureManifest};
pub use payload::Payload;
pub use policy::{BlobTrustPolicy, OciTrustPolicy, PolicyError, VerificationLevel};
pub use registry::{
    Deadlines, HttpClient, HttpRequest, HttpResponse, RegistryClient, RegistryError,
    RegistryOptions, TransportError, TransportKind,
};
pub use revocation::{CrlRevocationChecker, OfflineRevocationChecker, RevocationChecker};
pub use sign::{
    algorithm_for_chain, prepare_signature, sign_descriptor, LocalSigner, PendingSignature,
    SignError, SignOptions, SignatureFormat, SignedArtifact, Signer,
};
pub use time::{Instant, TimeError};
pub use truststore::{TrustStore, TrustStoreError};
pub use verify::{
    verify_blob, verify_envelope, BlobContent, BlobVerifyRequest, FailureStage, Outcome,
    VerifyError, VerifyRequest,
};
pub use x509::{CertError, Certificate};
