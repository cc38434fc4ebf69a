//! The OCI distribution client (distribution-spec 1.1), generic over the injected
//! [`HttpClient`]: authentication, redirects, retries, size- and digest-checked content fetches,
//! and pushes.

use std::cell::RefCell;

use super::auth::{basic_header, parse_challenges, Credentials};
use super::error::{registry_error_codes, RegistryError};
use super::http::{is_loopback, query_encode, HttpClient, HttpRequest, HttpResponse, Url};
use crate::crypto::HashAlgorithm;
use crate::oci::{
    Descriptor, Digest, Reference, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST,
};

/// Largest manifest fetched: 4 MiB, notation-go's `maxManifestSizeLimit` (spec §1.1 "GO fetch
/// limits"; threat model 13). Signature manifests and referrers indexes are bounded by it too.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// Largest signature envelope blob fetched: 32 MiB, notation-go's `maxBlobSizeLimit` (spec §1.1;
/// threat model 13b).
pub const MAX_ENVELOPE_BYTES: u64 = 32 * 1024 * 1024;

/// Most signature manifests examined per verification: 100, the notation CLI default of
/// `--max-signatures` / notation-go `MaxSignatureAttempts` (spec §8 step 3; threat model 14,
/// advisories GHSA-rvrx-rrwh-r9p6, GHSA-9m3v-v4r5-ppx7).
pub const MAX_SIGNATURE_ATTEMPTS: usize = 100;

/// Most Referrers API pages followed through `Link` (spec §1.2): a bound so a registry cannot
/// keep a client paging forever (threat model 14, oras-go GHSA-h7vf-4x9w-h99v). 100 pages of a
/// registry's default page size far exceed [`MAX_SIGNATURE_ATTEMPTS`].
pub const MAX_REFERRER_PAGES: usize = 100;

/// Most redirects followed per request (Go's `net/http` allows 10; registries use one or two).
pub const MAX_REDIRECTS: usize = 5;

/// Retries of a 429 or 5xx answer (bounded exponential backoff through [`HttpClient::sleep`]).
pub const MAX_RETRIES: u32 = 2;

/// Largest token-endpoint response read (tokens are a few KiB; threat model 13).
pub const MAX_TOKEN_RESPONSE_BYTES: u64 = 1024 * 1024;

/// Rounds of the referrers-tag read-modify-write (spec §1.3; threat model 22a).
pub const MAX_INDEX_UPDATE_ATTEMPTS: usize = 10;

/// The `Accept` header for manifests: OCI manifest and index, Docker v2 manifest and list.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

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
            max_retries: MAX_RETRIES,
            retry_base_millis: 200,
            max_redirects: MAX_REDIRECTS,
            max_index_update_attempts: MAX_INDEX_UPDATE_ATTEMPTS,
            token_realm_hosts: Vec::new(),
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
    /// indexed the manifest's `subject` itself (spec §1.3).
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
    http: C,
    options: RegistryOptions,
    credentials: Option<Box<dyn Credentials>>,
    tokens: RefCell<Cache<String>>,
    basic: RefCell<Cache<()>>,
    pub(crate) referrers_api: RefCell<Cache<bool>>,
    content: Option<std::rc::Rc<ContentCache>>,
}

/// Content fetched by digest, kept across operations (issue 3: "immutable content is cached by
/// digest"). Only bytes that were checked against their descriptor's digest and size go in, and
/// they come out only for that exact `registry/repository@digest`, so a cache hit is as good as
/// a fetch (threat model 3) and never implies that another repository holds the content. The
/// total is bounded; the least recently used entries go first.
pub struct ContentCache {
    entries: RefCell<Vec<(String, std::rc::Rc<Vec<u8>>)>>,
    max_bytes: usize,
}

/// Default bound of a [`ContentCache`]: 16 MiB.
pub const DEFAULT_CONTENT_CACHE_BYTES: usize = 16 * 1024 * 1024;

impl ContentCache {
    /// An empty cache holding at most `max_bytes`.
    pub fn new(max_bytes: usize) -> Self {
        ContentCache {
            entries: RefCell::new(Vec::new()),
            max_bytes,
        }
    }

    fn key(repo: &Reference, desc: &Descriptor) -> String {
        format!(
            "{}/{}@{}#{}",
            repo.registry, repo.repository, desc.digest, desc.size
        )
    }

    /// The cached bytes of `desc` in `repo`, marking them recently used.
    pub fn get(&self, repo: &Reference, desc: &Descriptor) -> Option<Vec<u8>> {
        let key = Self::key(repo, desc);
        let mut entries = self.entries.borrow_mut();
        let i = entries.iter().position(|(k, _)| *k == key)?;
        let entry = entries.remove(i);
        let bytes = entry.1.to_vec();
        entries.push(entry);
        Some(bytes)
    }

    /// Caches `bytes` (already checked against `desc`), evicting the oldest entries to stay
    /// within the bound. Content larger than a quarter of the bound is not kept.
    pub fn put(&self, repo: &Reference, desc: &Descriptor, bytes: &[u8]) {
        if bytes.len() > self.max_bytes / 4 {
            return;
        }
        let key = Self::key(repo, desc);
        let mut entries = self.entries.borrow_mut();
        entries.retain(|(k, _)| *k != key);
        let mut used: usize = entries.iter().map(|(_, b)| b.len()).sum();
        while used + bytes.len() > self.max_bytes && !entries.is_empty() {
            used -= entries.remove(0).1.len();
        }
        entries.push((key, std::rc::Rc::new(bytes.to_vec())));
    }

    /// Number of entries (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.borrow().is_empty()
    }
}

/// A per-client cache keyed by registry / scope / repository. A client talks to a handful of
/// those, so a linear list serves, and keeps a hash table (and its hasher) out of the wasm.
pub(crate) struct Cache<V>(Vec<(String, V)>);

impl<V> Cache<V> {
    fn new() -> Self {
        Cache(Vec::new())
    }

    /// The value cached for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Caches `value` for `key`, replacing any earlier value.
    pub(crate) fn insert(&mut self, key: String, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key, value)),
        }
    }
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
        self.tokens.borrow().0.clone()
    }

    /// What this client learned about the Referrers API, per `registry/repository`.
    pub fn referrers_capabilities(&self) -> Vec<(String, bool)> {
        self.referrers_api.borrow().0.clone()
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

    fn plain_allowed(&self, host: &str) -> bool {
        self.options.plain_http || (self.options.plain_http_loopback && is_loopback(host))
    }

    /// `scheme://host[:port]` for a registry name (`docker.io` is served by
    /// `registry-1.docker.io`).
    pub(crate) fn origin(&self, registry: &str) -> String {
        let host = if registry == crate::oci::DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            registry
        };
        let plain = self.plain_allowed(super::http::host_of(&host.to_ascii_lowercase()));
        format!("{}://{}", if plain { "http" } else { "https" }, host)
    }

    /// `<origin>/v2/<repository>/<suffix>`.
    pub(crate) fn url(&self, repo: &Reference, suffix: &str) -> String {
        format!(
            "{}/v2/{}/{}",
            self.origin(&repo.registry),
            repo.repository,
            suffix
        )
    }

    fn check_transport(&self, url: &Url) -> Result<(), RegistryError> {
        if url.scheme == "http" && !self.plain_allowed(url.host()) {
            return Err(RegistryError::InsecureTransport(format!(
                "refusing plain http to {} (not allowed plain HTTP)",
                url.authority
            )));
        }
        Ok(())
    }

    fn token_key(registry: &str, scope: &str) -> String {
        format!("{registry} {scope}")
    }

    fn auth_header(&self, registry: &str, scope: &str) -> Option<String> {
        if let Some(t) = self.tokens.borrow().get(&Self::token_key(registry, scope)) {
            return Some(format!("Bearer {t}"));
        }
        if self.basic.borrow().get(registry).is_some() {
            let (u, p) = self.credentials.as_ref()?.basic(registry)?;
            return Some(basic_header(&u, &p));
        }
        None
    }

    /// `req` with the cached `Authorization` for `registry` when it goes to the registry's own
    /// origin (threat model 16a), for requests the client sends without following redirects.
    pub(crate) fn authorized(
        &self,
        registry: &str,
        mut req: HttpRequest,
        scope: &str,
    ) -> HttpRequest {
        let origin = self.origin(registry).to_ascii_lowercase();
        let same_origin = Url::parse(&req.url).is_some_and(|u| u.origin() == origin);
        if same_origin {
            if let Some(a) = self.auth_header(registry, scope) {
                req.headers.push(("Authorization".to_string(), a));
            }
        }
        req
    }

    /// Checks that `url` may be used (plain HTTP only where allowed, threat model 16d).
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, RegistryError> {
        let url =
            Url::parse(url).ok_or_else(|| RegistryError::Parse(format!("invalid URL {url:?}")))?;
        self.check_transport(&url)?;
        Ok(url)
    }

    /// One request with retries of 429/5xx (bounded backoff through the injected sleep).
    async fn send_with_retries(&self, req: HttpRequest) -> Result<HttpResponse, RegistryError> {
        let mut attempt = 0u32;
        loop {
            let resp = self.http.send(req.clone()).await?;
            if (resp.status == 429 || resp.status >= 500) && attempt < self.options.max_retries {
                let delay = self
                    .options
                    .retry_base_millis
                    .saturating_mul(1 << attempt.min(16))
                    .min(5000);
                self.http.sleep(delay).await;
                attempt += 1;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Sends `req`, following redirects itself (bounded); `Authorization` is only attached to
    /// requests for the registry's origin, so a redirect to another host never carries it
    /// (threat model 16a). Returns the response and the URL that produced it.
    async fn send_following(
        &self,
        registry: &str,
        mut req: HttpRequest,
        scope: &str,
    ) -> Result<(HttpResponse, Url), RegistryError> {
        let registry_origin = self.origin(registry).to_ascii_lowercase();
        let mut url = Url::parse(&req.url)
            .ok_or_else(|| RegistryError::Parse(format!("invalid URL {:?}", req.url)))?;
        for _ in 0..=self.options.max_redirects {
            self.check_transport(&url)?;
            let mut r = req.clone();
            r.url = url.to_string();
            if url.origin() == registry_origin {
                if let Some(a) = self.auth_header(registry, scope) {
                    r.headers.push(("Authorization".to_string(), a));
                }
            }
            let resp = self.send_with_retries(r).await?;
            if matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
                let location = resp.header("location").ok_or_else(|| {
                    RegistryError::Parse(format!("HTTP {} without Location", resp.status))
                })?;
                url = url
                    .join(location)
                    .ok_or_else(|| RegistryError::Parse("invalid redirect Location".into()))?;
                if resp.status == 303 || (matches!(resp.status, 301 | 302) && req.method == "POST")
                {
                    req.method = "GET".into();
                    req.body = Default::default();
                }
                continue;
            }
            return Ok((resp, url));
        }
        Err(RegistryError::Limit(format!(
            "more than {} redirects",
            self.options.max_redirects
        )))
    }

    /// Sends `req` to `registry` with authentication: on a 401 from the registry, answers the
    /// challenge (Basic or Bearer) and retries once.
    pub(crate) async fn request(
        &self,
        registry: &str,
        req: HttpRequest,
        scope: &str,
        operation: &str,
    ) -> Result<(HttpResponse, Url), RegistryError> {
        let registry_origin = self.origin(registry).to_ascii_lowercase();
        let mut challenged = false;
        loop {
            let (resp, url) = self.send_following(registry, req.clone(), scope).await?;
            match resp.status {
                401 if !challenged && url.origin() == registry_origin => {
                    challenged = true;
                    self.authorize(registry, &resp, scope).await?;
                }
                401 => {
                    return Err(RegistryError::Auth(format!(
                        "{operation}: unauthorized (HTTP 401)"
                    )))
                }
                403 => {
                    let (codes, message) = registry_error_codes(&resp.body);
                    return Err(RegistryError::Auth(format!(
                        "{operation}: access denied (HTTP 403{}{})",
                        if codes.is_empty() { "" } else { ", " },
                        if codes.is_empty() {
                            message
                        } else {
                            codes.join(", ")
                        }
                    )));
                }
                _ => return Ok((resp, url)),
            }
        }
    }

    /// Answers a 401 challenge (RFC 7235; distribution token auth).
    async fn authorize(
        &self,
        registry: &str,
        resp: &HttpResponse,
        scope: &str,
    ) -> Result<(), RegistryError> {
        let challenges = parse_challenges(resp.header_all("www-authenticate"));
        let creds = self.credentials.as_ref().and_then(|c| c.basic(registry));
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer
                .param("realm")
                .ok_or_else(|| RegistryError::Auth("Bearer challenge without realm".into()))?;
            let realm_url = Url::parse(realm)
                .ok_or_else(|| RegistryError::Auth("Bearer realm is not an http(s) URL".into()))?;
            self.check_transport(&realm_url)?;
            let mut url = realm_url.to_string();
            let mut sep = if url.contains('?') { '&' } else { '?' };
            if let Some(service) = bearer.param("service") {
                url.push_str(&format!("{sep}service={}", query_encode(service)));
                sep = '&';
            }
            // A cross-repository mount needs two scopes (push on the destination, pull on
            // the source); the token endpoint takes each as its own `scope` parameter
            // (distribution token auth, "Requesting a Token").
            for one in scope.split(' ').filter(|s| !s.is_empty()) {
                url.push_str(&format!("{sep}scope={}", query_encode(one)));
                sep = '&';
            }
            if let Some(s) = bearer.param("scope") {
                if !scope.split(' ').any(|one| one == s) {
                    url.push_str(&format!("&scope={}", query_encode(s)));
                }
            }
            let mut treq = HttpRequest::new("GET", url);
            treq.max_response_bytes = Some(MAX_TOKEN_RESPONSE_BYTES);
            if let Some((u, p)) = &creds {
                if self.realm_may_receive_credentials(registry, &realm_url) {
                    treq.headers
                        .push(("Authorization".into(), basic_header(u, p)));
                }
            }
            // The token endpoint is contacted directly: no redirects, so credentials cannot be
            // bounced elsewhere.
            let tresp = self.http.send(treq).await?;
            if tresp.status != 200 {
                return Err(RegistryError::Auth(format!(
                    "token request answered HTTP {}",
                    tresp.status
                )));
            }
            if tresp.body.len() as u64 > MAX_TOKEN_RESPONSE_BYTES {
                return Err(RegistryError::Limit("token response too large".into()));
            }
            let v: serde_json::Value = serde_json::from_slice(&tresp.body)
                .map_err(|_| RegistryError::Auth("token response is not JSON".into()))?;
            let token = v
                .get("token")
                .or_else(|| v.get("access_token"))
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty() && t.bytes().all(|c| c.is_ascii_graphic()))
                .ok_or_else(|| RegistryError::Auth("token response without a token".into()))?;
            self.tokens
                .borrow_mut()
                .insert(Self::token_key(registry, scope), token.to_string());
            Ok(())
        } else if challenges.iter().any(|c| c.scheme == "basic") {
            if creds.is_none() {
                return Err(RegistryError::Auth(format!(
                    "{registry} requires credentials (Basic) and none are configured"
                )));
            }
            self.basic.borrow_mut().insert(registry.to_string(), ());
            Ok(())
        } else {
            Err(RegistryError::Auth(
                "HTTP 401 without a supported WWW-Authenticate challenge".into(),
            ))
        }
    }

    /// Threat model 16b: Basic credentials go to a token realm only on the registry's own host
    /// or an allow-listed host, and only over https unless that host is allowed plain HTTP.
    fn realm_may_receive_credentials(&self, registry: &str, realm: &Url) -> bool {
        let registry_host = super::http::host_of(registry).to_ascii_lowercase();
        let host_ok = realm.host() == registry_host
            || self
                .options
                .token_realm_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(realm.host()));
        host_ok && (realm.scheme == "https" || self.plain_allowed(realm.host()))
    }

    /// A GET/HEAD of a manifest by tag or digest with `Accept` = `accept`, bounded by `limit`
    /// (Content-Length first, then the bytes received). 404 and other statuses are errors.
    pub(crate) async fn get_manifest(
        &self,
        repo: &Reference,
        reference: &str,
        accept: &str,
        limit: u64,
    ) -> Result<ManifestBody, RegistryError> {
        let mut req = HttpRequest::new("GET", self.url(repo, &format!("manifests/{reference}")))
            .header("Accept", accept);
        req.max_response_bytes = Some(limit);
        let (resp, _) = self
            .request(&repo.registry, req, &pull_scope(repo), "GET manifest")
            .await?;
        if resp.status != 200 {
            return Err(http_error("GET manifest", &resp));
        }
        check_size(&resp, limit, "manifest")?;
        Ok(ManifestBody {
            content_type: resp.content_type(),
            etag: resp.header("etag").map(str::to_string),
            bytes: resp.body,
        })
    }

    /// Resolves `reference` once (spec §8 step 1; threat model 3): by digest when it has one
    /// (the bytes must hash to it: `ERR_DIGEST_MISMATCH` otherwise, checklist 3a/3c), else by tag,
    /// hashing the bytes received (never trusting `Docker-Content-Digest`) and adding a warning
    /// that tags are mutable.
    pub async fn resolve(&self, reference: &Reference) -> Result<Resolved, RegistryError> {
        let limit = self.options.max_manifest_bytes;
        let mut warnings = Vec::new();
        let (body, digest) = match (&reference.digest, &reference.tag) {
            (Some(d), _) => {
                let body = self
                    .get_manifest(reference, &d.to_string(), MANIFEST_ACCEPT, limit)
                    .await?;
                if !d.matches(&body.bytes) {
                    return Err(RegistryError::DigestMismatch {
                        expected: d.to_string(),
                        actual: Digest::of(d.algorithm(), &body.bytes).to_string(),
                    });
                }
                (body, d.clone())
            }
            (None, Some(tag)) => {
                let body = self
                    .get_manifest(reference, tag, MANIFEST_ACCEPT, limit)
                    .await?;
                let digest = Digest::of(HashAlgorithm::Sha256, &body.bytes);
                warnings.push(format!(
                    "tag {tag:?} resolved to digest {digest}; tags are mutable, refer to the \
                     artifact by digest"
                ));
                (body, digest)
            }
            (None, None) => {
                return Err(RegistryError::Parse(format!(
                    "reference {reference} has neither a tag nor a digest"
                )))
            }
        };
        let media_type = manifest_media_type(body.content_type.as_deref(), &body.bytes)?;
        let descriptor = Descriptor::new(media_type, digest.clone(), body.bytes.len() as u64);
        Ok(Resolved {
            descriptor,
            manifest: body.bytes,
            pinned: Reference {
                registry: reference.registry.clone(),
                repository: reference.repository.clone(),
                tag: None,
                digest: Some(digest),
            },
            warnings,
        })
    }

    /// Fetches the manifest `desc` names (e.g. a signature manifest) and checks its size and
    /// digest. A descriptor larger than `max_manifest_bytes` is refused without fetching.
    pub async fn fetch_manifest(
        &self,
        repo: &Reference,
        desc: &Descriptor,
    ) -> Result<Vec<u8>, RegistryError> {
        let limit = self.options.max_manifest_bytes;
        if desc.size > limit {
            return Err(RegistryError::Limit(format!(
                "manifest {} is {} bytes, more than {limit}",
                desc.digest, desc.size
            )));
        }
        if let Some(bytes) = self.content.as_ref().and_then(|c| c.get(repo, desc)) {
            return Ok(bytes);
        }
        let accept = format!("{}, {MANIFEST_ACCEPT}", desc.media_type);
        let body = self
            .get_manifest(repo, &desc.digest.to_string(), &accept, desc.size)
            .await?;
        check_content(desc, &body.bytes)?;
        if let Some(c) = &self.content {
            c.put(repo, desc, &body.bytes);
        }
        Ok(body.bytes)
    }

    /// Fetches the blob `desc` names, refusing it unfetched when `desc.size > limit` (checklist
    /// 13b), reading at most `desc.size + 1` bytes (15a), and checking the digest (3a).
    /// Descriptor `urls` are ignored (threat model 16).
    pub async fn fetch_blob(
        &self,
        repo: &Reference,
        desc: &Descriptor,
        limit: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if desc.size > limit {
            return Err(RegistryError::Limit(format!(
                "blob {} is {} bytes, more than {limit}",
                desc.digest, desc.size
            )));
        }
        if let Some(bytes) = self.content.as_ref().and_then(|c| c.get(repo, desc)) {
            return Ok(bytes);
        }
        let mut req = HttpRequest::new("GET", self.url(repo, &format!("blobs/{}", desc.digest)));
        req.max_response_bytes = Some(desc.size);
        let (resp, _) = self
            .request(&repo.registry, req, &pull_scope(repo), "GET blob")
            .await?;
        if resp.status != 200 {
            return Err(http_error("GET blob", &resp));
        }
        check_size(&resp, desc.size, "blob")?;
        check_content(desc, &resp.body)?;
        if let Some(c) = &self.content {
            c.put(repo, desc, &resp.body);
        }
        Ok(resp.body)
    }

    /// Pushes a blob unless the registry already has it: HEAD, else `POST` an upload and `PUT`
    /// the bytes to the (relative or absolute) `Location` with `digest=`.
    pub async fn push_blob(
        &self,
        repo: &Reference,
        bytes: &[u8],
    ) -> Result<Descriptor, RegistryError> {
        let desc =
            Descriptor::for_content("application/octet-stream", HashAlgorithm::Sha256, bytes);
        let scope = push_scope(repo);
        let head = HttpRequest::new("HEAD", self.url(repo, &format!("blobs/{}", desc.digest)));
        let (resp, _) = self
            .request(&repo.registry, head, &scope, "HEAD blob")
            .await?;
        if resp.status == 200 {
            return Ok(desc);
        }
        let post = HttpRequest::new("POST", self.url(repo, "blobs/uploads/"))
            .header("Content-Length", "0");
        let (resp, url) = self
            .request(&repo.registry, post, &scope, "POST blob upload")
            .await?;
        if resp.status != 202 {
            return Err(http_error("POST blob upload", &resp));
        }
        let location = resp
            .header("location")
            .ok_or_else(|| RegistryError::Parse("blob upload answered without Location".into()))?;
        let mut put_url = url
            .join(location)
            .ok_or_else(|| RegistryError::Parse("invalid upload Location".into()))?
            .to_string();
        put_url.push(if put_url.contains('?') { '&' } else { '?' });
        put_url.push_str(&format!(
            "digest={}",
            query_encode(&desc.digest.to_string())
        ));
        let mut put =
            HttpRequest::new("PUT", put_url).header("Content-Type", "application/octet-stream");
        put.body = bytes.to_vec().into();
        let (resp, _) = self
            .request(&repo.registry, put, &scope, "PUT blob")
            .await?;
        if resp.status != 201 {
            return Err(http_error("PUT blob", &resp));
        }
        Ok(desc)
    }

    /// Pushes manifest `bytes` of `media_type` under `reference` (a tag or the digest) and
    /// reports the `OCI-Subject` header. The descriptor carries `artifactType` and annotations
    /// read from the manifest (what a referrers index entry needs, spec §1.3).
    pub async fn push_manifest(
        &self,
        repo: &Reference,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<PushedManifest, RegistryError> {
        let mut req = HttpRequest::new("PUT", self.url(repo, &format!("manifests/{reference}")))
            .header("Content-Type", media_type);
        req.body = bytes.to_vec().into();
        let (resp, _) = self
            .request(&repo.registry, req, &push_scope(repo), "PUT manifest")
            .await?;
        if !(200..300).contains(&resp.status) {
            return Err(http_error("PUT manifest", &resp));
        }
        let oci_subject = resp.header("oci-subject").map(str::to_string);
        if oci_subject.is_some() {
            // An `OCI-Subject` answer marks the repository as Referrers-API capable (spec §1.3).
            self.referrers_api.borrow_mut().insert(repo.scope(), true);
        }
        Ok(PushedManifest {
            descriptor: referrer_descriptor(media_type, bytes),
            oci_subject,
        })
    }
}

/// The descriptor of manifest `bytes` with `artifactType` (else `config.mediaType`) and the
/// manifest's annotations, as a referrers index lists it (spec §1.2, §1.3).
pub(crate) fn referrer_descriptor(media_type: &str, bytes: &[u8]) -> Descriptor {
    let mut d = Descriptor::for_content(media_type, HashAlgorithm::Sha256, bytes);
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice::<serde_json::Value>(bytes) {
        d.artifact_type = m
            .get("artifactType")
            .and_then(|v| v.as_str())
            .or_else(|| {
                m.get("config")
                    .and_then(|c| c.get("mediaType"))
                    .and_then(|v| v.as_str())
            })
            .map(str::to_string);
        if let Some(serde_json::Value::Object(a)) = m.get("annotations") {
            // Inserted one by one: `collect` would link a B-tree bulk builder and a sort.
            let mut ann = std::collections::BTreeMap::new();
            for (k, v) in a {
                if let Some(s) = v.as_str() {
                    ann.insert(k.clone(), s.to_string());
                }
            }
            if !ann.is_empty() {
                d.annotations = Some(ann);
            }
        }
    }
    d
}

/// The manifest's media type: `Content-Type` when it names a manifest type, else the body's
/// `mediaType`.
fn manifest_media_type(content_type: Option<&str>, bytes: &[u8]) -> Result<String, RegistryError> {
    const KNOWN: [&str; 4] = [
        MEDIA_TYPE_OCI_MANIFEST,
        MEDIA_TYPE_OCI_INDEX,
        MEDIA_TYPE_DOCKER_MANIFEST,
        MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    ];
    if let Some(ct) = content_type {
        if KNOWN.contains(&ct) || ct.starts_with("application/vnd.") {
            return Ok(ct.to_string());
        }
    }
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| RegistryError::Parse(format!("manifest is not JSON: {e}")))?;
    v.get("mediaType")
        .and_then(|m| m.as_str())
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .ok_or_else(|| RegistryError::Parse("manifest media type unknown".into()))
}

/// `ERR_LIMIT` when `Content-Length` or the bytes received exceed `limit`.
pub(crate) fn check_size(resp: &HttpResponse, limit: u64, what: &str) -> Result<(), RegistryError> {
    if let Some(n) = resp
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        if n > limit {
            return Err(RegistryError::Limit(format!(
                "{what} of {n} bytes exceeds the limit of {limit}"
            )));
        }
    }
    if resp.body.len() as u64 > limit {
        return Err(RegistryError::Limit(format!(
            "{what} exceeds the limit of {limit} bytes"
        )));
    }
    Ok(())
}

/// `ERR_DIGEST_MISMATCH` unless `bytes` are exactly what `desc` names (threat model 3).
pub(crate) fn check_content(desc: &Descriptor, bytes: &[u8]) -> Result<(), RegistryError> {
    if desc.matches_content(bytes) {
        return Ok(());
    }
    Err(RegistryError::DigestMismatch {
        expected: desc.digest.to_string(),
        actual: Digest::of(desc.digest.algorithm(), bytes).to_string(),
    })
}

/// `ERR_REGISTRY_HTTP` from a response.
pub(crate) fn http_error(operation: &str, resp: &HttpResponse) -> RegistryError {
    let (codes, message) = registry_error_codes(&resp.body);
    RegistryError::Http {
        operation: operation.to_string(),
        status: resp.status,
        codes,
        message,
    }
}

#[cfg(test)]
mod content_cache_tests {
    use super::*;

    fn repo(name: &str) -> Reference {
        Reference::parse_qualified(&format!("registry.test/{name}")).unwrap()
    }

    #[test]
    fn exact_key_bound_and_least_recently_used_eviction() {
        let cache = ContentCache::new(400);
        let a = vec![1u8; 100];
        let b = vec![2u8; 100];
        let da = Descriptor::for_content("x", HashAlgorithm::Sha256, &a);
        let db = Descriptor::for_content("x", HashAlgorithm::Sha256, &b);
        cache.put(&repo("one"), &da, &a);
        assert_eq!(cache.get(&repo("one"), &da), Some(a.clone()));
        assert_eq!(
            cache.get(&repo("two"), &da),
            None,
            "never served for another repository"
        );
        let mut bigger = da.clone();
        bigger.size += 1;
        assert_eq!(
            cache.get(&repo("one"), &bigger),
            None,
            "size is part of the key"
        );
        // Over a quarter of the bound: not kept.
        let huge = vec![3u8; 101];
        let dh = Descriptor::for_content("x", HashAlgorithm::Sha256, &huge);
        cache.put(&repo("one"), &dh, &huge);
        assert_eq!(cache.get(&repo("one"), &dh), None);
        // Fill: a (used last), then b, c, d; e evicts the least recently used.
        cache.put(&repo("one"), &db, &b);
        let blobs: Vec<(Vec<u8>, Descriptor)> = (4u8..7)
            .map(|i| {
                let v = vec![i; 100];
                let d = Descriptor::for_content("x", HashAlgorithm::Sha256, &v);
                (v, d)
            })
            .collect();
        assert!(cache.get(&repo("one"), &da).is_some());
        for (v, d) in &blobs {
            cache.put(&repo("one"), d, v);
        }
        assert_eq!(cache.len(), 4);
        assert_eq!(
            cache.get(&repo("one"), &db),
            None,
            "b was least recently used"
        );
        assert!(cache.get(&repo("one"), &da).is_some());
    }
}
