//! The OCI distribution client (distribution-spec 1.1), generic over the injected
//! [`HttpClient`]: its options and limits, its state and how it is built. The session
//! (authentication, redirects, retries) is in [`super::session`], the content operations
//! (manifests, blobs) in [`super::content`], the caches in [`super::cache`].

use std::cell::{Cell, RefCell};

use super::auth::Credentials;
use super::cache::Cache;
use super::deadline::Deadlines;
use super::http::HttpClient;
use crate::oci::{Descriptor, Reference};

pub use super::cache::{ContentCache, DEFAULT_CONTENT_CACHE_BYTES};

/// Largest manifest fetched: 4 MiB, notation-go's `maxManifestSizeLimit` (notation-go
/// registry/repository.go; threat model 13). Signature manifests and referrers indexes are bounded
/// by it too.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// Largest signature envelope blob fetched: 32 MiB, notation-go's `maxBlobSizeLimit`
/// (signature-specification.md §OCI Signatures; threat model 13b).
pub const MAX_ENVELOPE_BYTES: u64 = 32 * 1024 * 1024;

/// Most signature manifests examined per verification: 100, the notation CLI default of
/// `--max-signatures` / notation-go `MaxSignatureAttempts` (signing-and-verification-workflow.md
/// §OCI artifact verification workflow; threat model 14, advisories GHSA-rvrx-rrwh-r9p6,
/// GHSA-9m3v-v4r5-ppx7).
pub const MAX_SIGNATURE_ATTEMPTS: usize = 100;

/// Most Referrers API pages followed through `Link` (signature-specification.md §OCI Signature
/// Discovery): a bound so a registry cannot keep a client paging forever (threat model 14, oras-go
/// GHSA-h7vf-4x9w-h99v). 100 pages of a registry's default page size far exceed
/// [`MAX_SIGNATURE_ATTEMPTS`].
pub const MAX_REFERRER_PAGES: usize = 100;

/// Most redirects followed per request (Go's `net/http` allows 10; registries use one or two).
pub const MAX_REDIRECTS: usize = 5;

/// Retries of a 429 or 5xx answer (bounded exponential backoff through [`HttpClient::sleep`]).
pub const MAX_RETRIES: u32 = 2;

/// Largest token-endpoint response read (tokens are a few KiB; threat model 13).
pub(crate) const MAX_TOKEN_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Rounds of the referrers-tag read-modify-write (OCI distribution-spec spec.md §Referrers Tag
/// Schema; threat model 22a).
pub const MAX_INDEX_UPDATE_ATTEMPTS: usize = 10;

/// The `Accept` header for manifests: OCI manifest and index, Docker v2 manifest and list.
pub(crate) const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

/// Client options. [`RegistryOptions::default`] gives notation's limits.
#[derive(Clone, Debug)]
pub struct RegistryOptions {
    /// Use plain `http://` for every registry (notation `--plain-http`). Off by default: an
    /// `http://` URL for another registry is `ERR_INSECURE_TRANSPORT` (threat model 16d).
    pub plain_http: bool,
    /// Use plain `http://` for loopback registries (`localhost`, `127.x`, `[::1]`). On by
    /// default, as Docker does.
    pub plain_http_loopback: bool,
    /// Largest manifest / index / signature manifest read ([`MAX_MANIFEST_BYTES`]).
    pub max_manifest_bytes: u64,
    /// Largest envelope blob read ([`MAX_ENVELOPE_BYTES`]).
    pub max_envelope_bytes: u64,
    /// Referrers pages followed ([`MAX_REFERRER_PAGES`]).
    pub max_referrer_pages: usize,
    /// Signatures examined per verification ([`MAX_SIGNATURE_ATTEMPTS`]).
    pub max_signature_attempts: usize,
    /// Signature checks per verification, all examined signatures together
    /// ([`crate::limits::VERIFICATION_SIGNATURE_CHECKS`]).
    pub max_signature_checks: usize,
    /// Retries of 429/5xx answers ([`MAX_RETRIES`]).
    pub max_retries: u32,
    /// First backoff delay in milliseconds (doubled per retry, capped at 5 s).
    pub retry_base_millis: u64,
    /// Redirects followed per request ([`MAX_REDIRECTS`]).
    pub max_redirects: usize,
    /// Rounds of the referrers-tag update ([`MAX_INDEX_UPDATE_ATTEMPTS`]).
    pub max_index_update_attempts: usize,
    /// Hosts, besides the registry's own, that may receive Basic credentials as a Bearer
    /// token `realm` over https (e.g. `auth.docker.io`; threat model 16b).
    pub token_realm_hosts: Vec<String>,
    /// First-byte, idle and operation deadlines ([`Deadlines::default`]; threat model 25).
    pub deadlines: Deadlines,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            plain_http: false,
            plain_http_loopback: true,
            max_manifest_bytes: MAX_MANIFEST_BYTES,
            max_envelope_bytes: MAX_ENVELOPE_BYTES,
            max_referrer_pages: MAX_REFERRER_PAGES,
            max_signature_attempts: MAX_SIGNATURE_ATTEMPTS,
            max_signature_checks: crate::limits::VERIFICATION_SIGNATURE_CHECKS,
            max_retries: MAX_RETRIES,
            retry_base_millis: 200,
            max_redirects: MAX_REDIRECTS,
            max_index_update_attempts: MAX_INDEX_UPDATE_ATTEMPTS,
            token_realm_hosts: Vec::new(),
            deadlines: Deadlines::default(),
        }
    }
}

/// A manifest resolved from a reference: its descriptor computed from the bytes received, and
/// those bytes (threat model 3: one resolve, everything afterwards by digest).
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    /// `mediaType` (from `Content-Type`, else the body's `mediaType`), digest of the bytes
    /// (SHA-256 unless the reference named another algorithm), size of the bytes.
    pub descriptor: Descriptor,
    /// The manifest bytes.
    pub manifest: Vec<u8>,
    /// The reference pinned to the digest (`registry/repository@digest`).
    pub pinned: Reference,
    /// Notes for the user, e.g. that a tag was resolved (tags are mutable).
    pub warnings: Vec<String>,
}

/// The answer to a manifest push.
#[derive(Clone, Debug, PartialEq)]
pub struct PushedManifest {
    /// The pushed manifest's descriptor.
    pub descriptor: Descriptor,
    /// The `OCI-Subject` response header (distribution-spec 1.1): present when the registry
    /// indexed the manifest's `subject` itself (OCI distribution-spec spec.md §Referrers Tag
    /// Schema).
    pub oci_subject: Option<String>,
}

/// A raw manifest GET result.
pub(crate) struct ManifestBody {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
}

/// An OCI distribution client over the injected HTTP client `C`.
///
/// Holds per-client caches (Bearer tokens per registry and scope, registries that asked for
/// Basic, Referrers API capability per repository); not `Sync` — use one client per task.
pub struct RegistryClient<C: HttpClient> {
    pub(super) http: C,
    pub(super) options: RegistryOptions,
    pub(super) credentials: Option<Box<dyn Credentials>>,
    pub(super) tokens: RefCell<Cache<String>>,
    pub(super) basic: RefCell<Cache<()>>,
    pub(crate) referrers_api: RefCell<Cache<bool>>,
    pub(super) content: Option<std::rc::Rc<ContentCache>>,
    /// Bytes the operation has planned to move so far (request bodies and response bounds):
    /// the operation deadline grows with them ([`Deadlines::operation_millis`]).
    pub(super) planned_bytes: Cell<u64>,
}

/// Scope for pulls of `repo` (distribution token scope).
pub(crate) fn pull_scope(repo: &Reference) -> String {
    format!("repository:{}:pull", repo.repository)
}

/// Scope for pushes to `repo`.
pub(crate) fn push_scope(repo: &Reference) -> String {
    format!("repository:{}:pull,push", repo.repository)
}

impl<C: HttpClient> RegistryClient<C> {
    /// A client with `options` and no credentials (anonymous access).
    pub fn new(http: C, options: RegistryOptions) -> Self {
        RegistryClient {
            http,
            options,
            credentials: None,
            tokens: RefCell::new(Cache::new()),
            basic: RefCell::new(Cache::new()),
            referrers_api: RefCell::new(Cache::new()),
            content: None,
            planned_bytes: Cell::new(0),
        }
    }

    /// Shares a [`ContentCache`] with this client (and any other client given the same one).
    pub fn with_content_cache(mut self, cache: std::rc::Rc<ContentCache>) -> Self {
        self.content = Some(cache);
        self
    }

    /// Seeds what is known about a repository's Referrers API (`registry/repository` →
    /// supported), e.g. learned by an earlier client moments ago; see
    /// [`RegistryClient::referrers_capabilities`].
    pub fn with_referrers_capabilities(self, known: &[(String, bool)]) -> Self {
        for (repo, supported) in known {
            self.referrers_api
                .borrow_mut()
                .insert(repo.clone(), *supported);
        }
        self
    }

    /// Seeds Bearer tokens (`registry scope` → token) obtained moments ago by another client
    /// with the same credentials (cosign#66: reusing the token exchange). A token that has
    /// expired meanwhile is answered 401 and replaced once, as any other.
    pub fn with_bearer_tokens(self, tokens: &[(String, String)]) -> Self {
        for (key, token) in tokens {
            self.tokens.borrow_mut().insert(key.clone(), token.clone());
        }
        self
    }

    /// The Bearer tokens this client holds, as (`registry scope`, token).
    pub fn bearer_tokens(&self) -> Vec<(String, String)> {
        self.tokens.borrow().entries().to_vec()
    }

    /// What this client learned about the Referrers API, per `registry/repository`.
    pub fn referrers_capabilities(&self) -> Vec<(String, bool)> {
        self.referrers_api.borrow().entries().to_vec()
    }

    /// Adds a credentials provider (Basic credentials per exact registry name, threat 16c).
    pub fn with_credentials(mut self, credentials: Box<dyn Credentials>) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The options.
    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    /// The injected HTTP client.
    pub fn http(&self) -> &C {
        &self.http
    }
}
