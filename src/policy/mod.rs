//! Trust policy: which signatures an artifact must carry to be trusted (trust-store-trust-policy.md
//! §OCI Trust Policy, §Blob Trust Policy, §Signature Verification details).
//!
//! A policy document is read once into typed values ([`OciTrustPolicy`], [`BlobTrustPolicy`]):
//! strict JSON (duplicate or unknown member names, wrong JSON types and oversized input are
//! refused), then every rule of trust-store-trust-policy.md §Trust Policy in notation-go's order,
//! with notation-go's messages. After that, verification asks three questions:
//!
//! - which statement applies: [`OciTrustPolicy::applicable_statement`] for
//!   `registry/repository@digest`, [`BlobTrustPolicy::statement`] by name or global;
//! - what to do with each check: [`VerificationLevelConfig::action`] (the literal
//!   [`LEVEL_TABLE`] plus the statement's overrides);
//! - whether the signer is trusted: [`TrustPolicyStatement::identity_matches`] against the leaf
//!   certificate's subject rendered as RFC 4514 (distinguished names per [`parse_dn`]).
//!
//! Where the specification and notation-go disagree (docs/conformance.md §D8: `skip` on the global
//! scope or global blob statement), the default follows notation-go and
//! [`ValidationOptions::spec_strict`] adds the specification's checks.
//!
//! Stricter than notation-go, deliberately: unknown members are refused (notation ignores them
//! and matches member names case-insensitively), a DN with a NUL, an empty attribute type or
//! escaped bytes that are not UTF-8 is refused, a store named `.` or `..` is refused, and
//! artifact references need an `@<algorithm>:<digest>` part. Every input is bounded (document
//! size, JSON depth, list lengths, DN length and attribute count).
//!
//! Nothing here performs I/O.

mod dn;
mod document;
mod error;
mod identity;
mod json;
mod levels;
mod scope;
mod stores;

pub use dn::{parse_dn, DistinguishedName, MAX_DN_ATTRIBUTES, MAX_DN_BYTES};
pub use document::{
    BlobTrustPolicy, BlobTrustPolicyStatement, OciTrustPolicy, TrustPolicyStatement,
    ValidationOptions, MAX_POLICY_DOCUMENT_BYTES,
};
pub use error::{
    DnProblem, IdentityProblem, LevelProblem, PolicyError, PolicyKind, ReferenceProblem,
    StatementProblem,
};
pub use identity::{TrustedIdentities, TrustedIdentity};
pub use levels::{
    Action, CheckType, VerificationLevel, VerificationLevelConfig, VerifyTimestamp, LEVEL_TABLE,
};
pub use stores::{TrustStoreRef, TrustStoreType};

#[cfg(test)]
mod tests;
