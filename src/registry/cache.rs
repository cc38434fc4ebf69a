//! The registry client's caches: content by digest ([`ContentCache`], shared between clients)
//! and the small per-client tables (Bearer tokens, Basic registries, Referrers API support).

use std::cell::RefCell;

use crate::oci::{Descriptor, Reference};

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
