//! The registry client's caches: content by digest ([`ContentCache`], shared between clients),
//! the small per-client tables (Bearer tokens, Basic registries, Referrers API support), and
//! the [`SessionCache`] that carries tokens and Referrers API answers from one short-lived
//! client to the next for a short while (hosts that make one client per call, such as the wasm
//! bindings). Nothing here reads a clock: `now` is an argument.

use std::cell::RefCell;

use super::client::RegistryClient;
use super::http::HttpClient;
use crate::oci::{Descriptor, Reference};
use crate::time::Instant;

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
    pub(crate) fn new() -> Self {
        Cache(Vec::new())
    }

    /// Every (key, value), oldest first.
    pub(crate) fn entries(&self) -> &[(String, V)] {
        &self.0
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

/// How long a Bearer token is reused by later clients: under the 60 s that the distribution
/// token authentication spec ("Token Response Fields", `expires_in`) gives a token without
/// `expires_in`.
pub const TOKEN_TTL_MILLIS: i64 = 50_000;

/// How long what a registry said about its Referrers API is reused by later clients.
pub const CAPABILITY_TTL_MILLIS: i64 = 60_000;

/// Default bound of each table of a [`SessionCache`] (tokens, Referrers API answers).
pub const DEFAULT_SESSION_CACHE_ENTRIES: usize = 256;

/// The fingerprint of a client with no login for a registry.
const ANONYMOUS: &str = "anonymous";

/// Who a client authenticates as, per registry: the SHA-256 of the login given for a registry
/// (the secret itself is not kept), `anonymous` for every other registry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginFingerprints(Vec<(String, String)>);

impl LoginFingerprints {
    /// No logins: anonymous everywhere.
    pub fn new() -> Self {
        LoginFingerprints(Vec::new())
    }

    /// Adds the login `username` / `password` for `registry`.
    pub fn with(mut self, registry: &str, username: &str, password: &str) -> Self {
        let secret = format!("{username}\n{password}");
        self.0.push((
            registry.to_string(),
            crate::crypto::sha256_hex(secret.as_bytes()),
        ));
        self
    }

    /// The fingerprint for `registry`: its login's hash (hex, so never `anonymous`), or
    /// `anonymous`.
    pub fn of(&self, registry: &str) -> &str {
        self.0
            .iter()
            .find(|(r, _)| r == registry)
            .map_or(ANONYMOUS, |(_, fp)| fp.as_str())
    }
}

/// Whether something learned at `at` is still usable at `now` (a clock that went back keeps it).
fn fresh(at: Instant, now: Instant, ttl_millis: i64) -> bool {
    now.unix_millis().saturating_sub(at.unix_millis()) < ttl_millis
}

/// Drops the oldest entries beyond `max`.
fn bound<T>(entries: &mut Vec<T>, max: usize) {
    if entries.len() > max {
        entries.drain(..entries.len() - max);
    }
}

/// Bearer tokens and Referrers API answers that outlive one [`RegistryClient`]: a new client is
/// seeded with what earlier clients learned ([`SessionCache::seed`]) and hands back what it
/// learned ([`SessionCache::absorb`]), so a burst of calls does one token exchange (cosign#66)
/// and one Referrers API probe per repository.
///
/// A token is keyed by the login it was obtained with ([`LoginFingerprints`]), the registry and
/// the scope: a client with another login, or with none, never gets it. Tokens live
/// [`TOKEN_TTL_MILLIS`], Referrers API answers [`CAPABILITY_TTL_MILLIS`]; each table keeps at
/// most `max_entries`, the oldest going first.
#[derive(Clone, Debug)]
pub struct SessionCache {
    /// (`fingerprint registry scope`, token, obtained at).
    tokens: Vec<(String, String, Instant)>,
    /// (`registry/repository`, supported, learned at).
    capabilities: Vec<(String, bool, Instant)>,
    max_entries: usize,
}

impl SessionCache {
    /// An empty cache keeping at most `max_entries` tokens and as many Referrers API answers.
    pub fn new(max_entries: usize) -> Self {
        SessionCache {
            tokens: Vec::new(),
            capabilities: Vec::new(),
            max_entries,
        }
    }

    /// The tokens a client authenticating as `logins` may reuse at `now`, as (`registry
    /// scope`, token) for [`RegistryClient::with_bearer_tokens`].
    pub fn tokens(&self, logins: &LoginFingerprints, now: Instant) -> Vec<(String, String)> {
        self.tokens
            .iter()
            .filter(|(_, _, at)| fresh(*at, now, TOKEN_TTL_MILLIS))
            .filter_map(|(full, token, _)| {
                let (fp, key) = full.split_once(' ')?;
                let registry = key.split(' ').next()?;
                (fp == logins.of(registry)).then(|| (key.to_string(), token.clone()))
            })
            .collect()
    }

    /// The Referrers API answers still usable at `now`, as (`registry/repository`, supported)
    /// for [`RegistryClient::with_referrers_capabilities`].
    pub fn capabilities(&self, now: Instant) -> Vec<(String, bool)> {
        self.capabilities
            .iter()
            .filter(|(_, _, at)| fresh(*at, now, CAPABILITY_TTL_MILLIS))
            .map(|(r, s, _)| (r.clone(), *s))
            .collect()
    }

    /// Keeps `tokens` (`registry scope`, token) obtained by a client authenticating as
    /// `logins`. A token already kept unchanged keeps the time it was first obtained (its
    /// lifetime runs from the exchange, not from its last use); expired entries are dropped.
    pub fn remember_tokens(
        &mut self,
        logins: &LoginFingerprints,
        tokens: &[(String, String)],
        now: Instant,
    ) {
        for (key, token) in tokens {
            let registry = key.split(' ').next().unwrap_or_default();
            let full = format!("{} {key}", logins.of(registry));
            if !self.tokens.iter().any(|(k, v, _)| *k == full && v == token) {
                self.tokens.retain(|(k, _, _)| *k != full);
                self.tokens.push((full, token.clone(), now));
            }
        }
        self.tokens
            .retain(|(_, _, at)| fresh(*at, now, TOKEN_TTL_MILLIS));
        bound(&mut self.tokens, self.max_entries);
    }

    /// Keeps Referrers API answers (`registry/repository`, supported) learned at `now`,
    /// replacing older answers for the same repository; expired entries are dropped.
    pub fn remember_capabilities(&mut self, known: &[(String, bool)], now: Instant) {
        for (repo, supported) in known {
            self.capabilities.retain(|(r, _, _)| r != repo);
            self.capabilities.push((repo.clone(), *supported, now));
        }
        self.capabilities
            .retain(|(_, _, at)| fresh(*at, now, CAPABILITY_TTL_MILLIS));
        bound(&mut self.capabilities, self.max_entries);
    }

    /// `client` (authenticating as `logins`) seeded with what is still usable at `now`.
    pub fn seed<C: HttpClient>(
        &self,
        client: RegistryClient<C>,
        logins: &LoginFingerprints,
        now: Instant,
    ) -> RegistryClient<C> {
        client
            .with_referrers_capabilities(&self.capabilities(now))
            .with_bearer_tokens(&self.tokens(logins, now))
    }

    /// Keeps what `client` (authenticating as `logins`) learned, at `now`.
    pub fn absorb<C: HttpClient>(
        &mut self,
        client: &RegistryClient<C>,
        logins: &LoginFingerprints,
        now: Instant,
    ) {
        self.remember_capabilities(&client.referrers_capabilities(), now);
        self.remember_tokens(logins, &client.bearer_tokens(), now);
    }
}

#[cfg(test)]
mod session_cache_tests {
    use super::*;
    use crate::registry::{HttpRequest, HttpResponse, RegistryOptions, TransportError};

    fn at(ms: i64) -> Instant {
        Instant::from_unix_millis(ms)
    }

    fn token(key: &str, value: &str) -> (String, String) {
        (key.to_string(), value.to_string())
    }

    const T0: i64 = 1_700_000_000_000;

    #[test]
    fn tokens_expire_at_the_ttl() {
        let alice = LoginFingerprints::new().with("r.test", "alice", "pw");
        let mut cache = SessionCache::new(DEFAULT_SESSION_CACHE_ENTRIES);
        let t = [token("r.test repository:a:pull", "tok")];
        cache.remember_tokens(&alice, &t, at(T0));
        assert_eq!(cache.tokens(&alice, at(T0)), t);
        assert_eq!(cache.tokens(&alice, at(T0 + TOKEN_TTL_MILLIS - 1)), t);
        assert!(cache.tokens(&alice, at(T0 + TOKEN_TTL_MILLIS)).is_empty());
        // Handing the same token back later does not extend its life.
        cache.remember_tokens(&alice, &t, at(T0 + 10_000));
        assert!(cache.tokens(&alice, at(T0 + TOKEN_TTL_MILLIS)).is_empty());
        // A new token for the key replaces the old one and lives from its own exchange.
        let renewed = [token("r.test repository:a:pull", "tok2")];
        cache.remember_tokens(&alice, &renewed, at(T0 + 20_000));
        assert_eq!(cache.tokens(&alice, at(T0 + TOKEN_TTL_MILLIS)), renewed);
        assert!(cache
            .tokens(&alice, at(T0 + 20_000 + TOKEN_TTL_MILLIS))
            .is_empty());
        // Expired entries are dropped, not only hidden.
        cache.remember_tokens(&alice, &[], at(T0 + 20_000 + TOKEN_TTL_MILLIS));
        assert!(cache.tokens.is_empty());
    }

    #[test]
    fn capabilities_expire_at_the_ttl() {
        let mut cache = SessionCache::new(DEFAULT_SESSION_CACHE_ENTRIES);
        let known = [("r.test/a".to_string(), true)];
        cache.remember_capabilities(&known, at(T0));
        assert_eq!(
            cache.capabilities(at(T0 + CAPABILITY_TTL_MILLIS - 1)),
            known
        );
        assert!(cache
            .capabilities(at(T0 + CAPABILITY_TTL_MILLIS))
            .is_empty());
        // A later answer replaces the earlier one and refreshes it.
        cache.remember_capabilities(&[("r.test/a".to_string(), false)], at(T0 + 30_000));
        assert_eq!(
            cache.capabilities(at(T0 + CAPABILITY_TTL_MILLIS)),
            [("r.test/a".to_string(), false)]
        );
        cache.remember_capabilities(&[], at(T0 + 30_000 + CAPABILITY_TTL_MILLIS));
        assert!(cache.capabilities.is_empty());
    }

    #[test]
    fn tokens_are_keyed_by_login() {
        let alice = LoginFingerprints::new().with("r.test", "alice", "pw");
        let bob = LoginFingerprints::new().with("r.test", "bob", "pw");
        let alice_other_password = LoginFingerprints::new().with("r.test", "alice", "pw2");
        let anonymous = LoginFingerprints::new();
        let mut cache = SessionCache::new(DEFAULT_SESSION_CACHE_ENTRIES);
        let t = [token("r.test repository:a:pull", "alice-token")];
        cache.remember_tokens(&alice, &t, at(T0));
        assert_eq!(cache.tokens(&alice, at(T0)), t);
        assert!(cache.tokens(&bob, at(T0)).is_empty());
        assert!(cache.tokens(&alice_other_password, at(T0)).is_empty());
        assert!(cache.tokens(&anonymous, at(T0)).is_empty());
        // An anonymous token is not handed to a client with a login either.
        let anon = [token("r.test repository:b:pull", "anon-token")];
        cache.remember_tokens(&anonymous, &anon, at(T0));
        assert_eq!(cache.tokens(&anonymous, at(T0)), anon);
        assert_eq!(cache.tokens(&alice, at(T0)), t);
        // A login counts only at its registry: elsewhere the client is anonymous.
        let other = [token("other.test repository:c:pull", "other-token")];
        cache.remember_tokens(&alice, &other, at(T0));
        assert_eq!(
            cache.tokens(&anonymous, at(T0)),
            [anon[0].clone(), other[0].clone()]
        );
        assert_eq!(
            cache.tokens(&alice, at(T0)),
            [t[0].clone(), other[0].clone()]
        );
        // The same key under two logins: two entries, neither replacing the other.
        let bobs = [token("r.test repository:a:pull", "bob-token")];
        cache.remember_tokens(&bob, &bobs, at(T0));
        // (Bob is anonymous at other.test, so the anonymous token there is his too.)
        assert_eq!(
            cache.tokens(&bob, at(T0)),
            [other[0].clone(), bobs[0].clone()]
        );
        assert_eq!(cache.tokens(&alice, at(T0))[0], t[0]);
        // The fingerprint is a hash, never the password.
        assert!(!alice.of("r.test").contains("pw"));
        assert_eq!(alice.of("other.test"), ANONYMOUS);
        assert_ne!(alice.of("r.test"), ANONYMOUS);
    }

    #[test]
    fn tables_are_bounded_oldest_first() {
        let logins = LoginFingerprints::new();
        let mut cache = SessionCache::new(3);
        let tokens: Vec<(String, String)> = (0..5)
            .map(|i| token(&format!("r.test repository:{i}:pull"), &format!("t{i}")))
            .collect();
        for (i, t) in tokens.iter().enumerate() {
            cache.remember_tokens(&logins, std::slice::from_ref(t), at(T0 + i as i64));
        }
        assert_eq!(cache.tokens(&logins, at(T0 + 5)), tokens[2..]);
        // Several at once are bounded too.
        let mut cache = SessionCache::new(3);
        cache.remember_tokens(&logins, &tokens, at(T0));
        assert_eq!(cache.tokens(&logins, at(T0)), tokens[2..]);
        let known: Vec<(String, bool)> = (0..5).map(|i| (format!("r.test/{i}"), true)).collect();
        cache.remember_capabilities(&known, at(T0));
        assert_eq!(cache.capabilities(at(T0)), known[2..]);
    }

    /// A client that never reaches a network (the cache only reads and seeds its tables).
    struct Offline;

    impl HttpClient for Offline {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            Err(TransportError::new("offline"))
        }
    }

    #[test]
    fn seed_and_absorb_round_trip_through_a_client() {
        let alice = LoginFingerprints::new().with("r.test", "alice", "pw");
        let mut cache = SessionCache::new(DEFAULT_SESSION_CACHE_ENTRIES);
        let t = [token("r.test repository:a:pull", "tok")];
        let known = [("r.test/a".to_string(), true)];
        cache.remember_tokens(&alice, &t, at(T0));
        cache.remember_capabilities(&known, at(T0));
        let client = cache.seed(
            RegistryClient::new(Offline, RegistryOptions::default()),
            &alice,
            at(T0 + 1),
        );
        assert_eq!(client.bearer_tokens(), t);
        assert_eq!(client.referrers_capabilities(), known);
        let anonymous = cache.seed(
            RegistryClient::new(Offline, RegistryOptions::default()),
            &LoginFingerprints::new(),
            at(T0 + 1),
        );
        assert!(anonymous.bearer_tokens().is_empty());
        // Handing back unchanged tokens keeps their age; the capability is refreshed.
        cache.absorb(&client, &alice, at(T0 + 40_000));
        assert!(cache.tokens(&alice, at(T0 + TOKEN_TTL_MILLIS)).is_empty());
        assert_eq!(cache.capabilities(at(T0 + CAPABILITY_TTL_MILLIS)), known);
    }
}

#[cfg(test)]
mod content_cache_tests {
    use super::*;
    use crate::crypto::HashAlgorithm;

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
