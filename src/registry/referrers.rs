//! Discovering and indexing referrers (signature-specification.md §OCI Signature Discovery
//! Referrers API, OCI distribution-spec spec.md §Referrers Tag Schema tag schema).

// The referrers tag is read with the full manifest `Accept` list: distribution answers 404 to an
// index-only `Accept` when the tag holds an image manifest, which would hide a squatted tag
// (threat model 22b).
use super::client::{pull_scope, push_scope, RegistryClient, MANIFEST_ACCEPT};
use super::content::{check_size, http_error};
use super::error::RegistryError;
use super::http::{link_next, query_encode, HttpClient, HttpRequest};
use crate::crypto::HashAlgorithm;
use crate::encoding::SeenKeys;
use crate::limits::REFERRERS_ENTRIES;
use crate::oci::{Descriptor, Digest, Reference, MEDIA_TYPE_OCI_INDEX};

/// The referrers list of one subject.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferrerList {
    /// The referrer descriptors (with `artifactType` and annotations as the index gives them),
    /// filtered by artifact type when one was asked for.
    pub descriptors: Vec<Descriptor>,
    /// Whether the tag schema was used (the Referrers API is unavailable).
    pub via_tag_schema: bool,
    /// Notes: page cap reached, `Link` refused, tag holding a non-index, ...
    pub warnings: Vec<String>,
}

/// The referrers tag for `subject` (OCI distribution-spec spec.md §Referrers Tag Schema): `<alg ≤
/// 32 chars>-<encoded ≤ 64 chars>` with characters not allowed in a tag replaced by `-` (the spec's
/// truncation, not oras's; docs/conformance.md §D12).
pub fn referrers_tag(subject: &Digest) -> String {
    let clean = |s: &str, n: usize| -> String {
        s.chars()
            .take(n)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!(
        "{}-{}",
        clean(subject.algorithm().name(), 32),
        clean(subject.hex(), 64)
    )
}

/// An OCI image index read from a registry: its raw object (to keep unknown members and other
/// writers' entries intact) and the parsed descriptors.
pub(crate) struct Index {
    raw: serde_json::Map<String, serde_json::Value>,
    entries: Vec<serde_json::Value>,
}

/// What a listing noted about its entries: the ones that were not descriptors (skipped, one
/// warning each for the first [`SKIPPED_WARNINGS`], then a count, so the warnings stay bounded
/// whatever the index holds) and how many more entries the listing may still consider
/// ([`REFERRERS_ENTRIES`], malformed entries included). `pub(crate)` (fields private) so the
/// `oci` fuzz target can call [`parse_index`] and check the warnings stay bounded.
pub(crate) struct Skipped {
    count: usize,
    warnings: Vec<String>,
    budget: usize,
    cut: bool,
}

impl Default for Skipped {
    fn default() -> Self {
        Skipped {
            count: 0,
            warnings: Vec::new(),
            budget: REFERRERS_ENTRIES,
            cut: false,
        }
    }
}

/// Individual warnings kept for skipped entries of one listing.
pub(crate) const SKIPPED_WARNINGS: usize = 8;

impl Skipped {
    fn note(&mut self, what: &str, position: usize, why: &str) {
        self.count += 1;
        if self.warnings.len() < SKIPPED_WARNINGS {
            self.warnings
                .push(format!("{what} entry {position} skipped: {why}"));
        }
    }

    /// The warnings, with the count of the ones not spelled out and the cut, if any.
    pub(crate) fn into_warnings(mut self) -> Vec<String> {
        let spelled = self.warnings.len();
        if self.count > spelled {
            self.warnings.push(format!(
                "{} more malformed referrers entries skipped",
                self.count - spelled
            ));
        }
        if self.cut {
            self.warnings.push(format!(
                "referrers list cut at {REFERRERS_ENTRIES} entries (limit)"
            ));
        }
        self.warnings
    }
}

/// Parses an OCI image index: `mediaType`, when present, must be the index type; `manifests`
/// must be an array (threat model 22b: anything else is not an index). Entries are judged one by
/// one: an entry that is not a descriptor is skipped and noted in `skipped` (its raw value stays
/// in [`Index::entries`], so a writer keeps it), and the well-formed entries are returned: a
/// single malformed entry, which anyone who can push the tag can add, must not hide every
/// signature of the subject (issue 9, "entries, not indexes"). `pub(crate)` for the `oci` fuzz
/// target (nv2::fuzz_api).
pub(crate) fn parse_index(
    bytes: &[u8],
    what: &str,
    skipped: &mut Skipped,
) -> Result<(Index, Vec<Descriptor>), String> {
    let v = crate::encoding::parse_json_strict(bytes).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(mut raw) = v else {
        return Err("not a JSON object".into());
    };
    match raw.get("mediaType") {
        None => {}
        Some(serde_json::Value::String(s)) if s == MEDIA_TYPE_OCI_INDEX => {}
        Some(_) => return Err("mediaType is not the OCI image index type".into()),
    }
    if raw.contains_key("layers") || raw.contains_key("config") {
        return Err("a manifest, not an index".into());
    }
    let entries = match raw.remove("manifests") {
        Some(serde_json::Value::Array(a)) => a,
        Some(_) => return Err("manifests is not an array".into()),
        None => return Err("manifests is missing".into()),
    };
    let mut descriptors = Vec::with_capacity(entries.len().min(crate::limits::PREALLOC));
    for (i, e) in entries.iter().enumerate() {
        if skipped.budget == 0 {
            skipped.cut = true;
            break;
        }
        skipped.budget -= 1;
        match Descriptor::from_json_value(e.clone()) {
            Ok(d) => descriptors.push(d),
            Err(why) => skipped.note(what, i, &why.to_string()),
        }
    }
    Ok((Index { raw, entries }, descriptors))
}

fn type_matches(d: &Descriptor, artifact_type: Option<&str>) -> bool {
    match artifact_type {
        None => true,
        Some(t) => d.artifact_type.as_deref() == Some(t),
    }
}

enum ApiAnswer {
    Listed(Vec<Descriptor>, Vec<String>),
    Unsupported(String),
}

impl<C: HttpClient> RegistryClient<C> {
    /// Lists the referrers of `subject` in `repo` (signature-specification.md §OCI Signature
    /// Discovery): the Referrers API with `?artifactType=`, following same-origin `Link: <...>;
    /// rel="next"` pages with a visited set and a page cap, filtering client-side unless
    /// `OCI-Filters-Applied` names `artifactType`. Falls back to the tag schema (OCI
    /// distribution-spec spec.md §Referrers Tag Schema) when the API answers 404 without
    /// `NAME_UNKNOWN`, answers something that is not an image index, or the request fails with
    /// the browser's opaque network error (a CORS failure on the unsupported route,
    /// CONTRIBUTING.md §The test registry). Any other failure (reset, deadline, 5xx after the
    /// retries) is an error, never "no Referrers API" (threat model 27). The answer is cached
    /// per repository.
    pub async fn referrers(
        &self,
        repo: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<ReferrerList, RegistryError> {
        let key = repo.scope();
        let known = self.referrers_api.borrow().get(&key).copied();
        let mut warnings = Vec::new();
        if known != Some(false) {
            match self
                .referrers_api_list(repo, subject, artifact_type)
                .await?
            {
                ApiAnswer::Listed(descriptors, w) => {
                    self.referrers_api.borrow_mut().insert(key, true);
                    return Ok(ReferrerList {
                        descriptors,
                        via_tag_schema: false,
                        warnings: w,
                    });
                }
                ApiAnswer::Unsupported(why) => {
                    if known == Some(true) {
                        return Err(RegistryError::Parse(format!(
                            "the Referrers API stopped answering: {why}"
                        )));
                    }
                    self.referrers_api.borrow_mut().insert(key, false);
                    if why.starts_with("network") {
                        warnings.push(format!(
                            "Referrers API request failed ({why}); using the referrers tag schema"
                        ));
                    }
                }
            }
        }
        let tag = referrers_tag(subject);
        let limit = self.options().max_manifest_bytes;
        let body = match self.get_manifest(repo, &tag, MANIFEST_ACCEPT, limit).await {
            Ok(b) => b,
            Err(e) if e.is_not_found() => {
                return Ok(ReferrerList {
                    descriptors: Vec::new(),
                    via_tag_schema: true,
                    warnings,
                })
            }
            Err(e) => return Err(e),
        };
        if subject.matches(&body.bytes) {
            // Some registries resolve the tag `sha256-<hex>` as the digest itself and return the
            // subject (oras#2148): its children are not referrers.
            warnings.push(format!(
                "referrers tag {tag} answered the subject itself; treated as no referrers"
            ));
            return Ok(ReferrerList {
                descriptors: Vec::new(),
                via_tag_schema: true,
                warnings,
            });
        }
        let mut skipped = Skipped::default();
        let parsed = parse_index(&body.bytes, &format!("referrers tag {tag}"), &mut skipped);
        warnings.extend(skipped.into_warnings());
        let descriptors = match parsed {
            Ok((_, d)) => d,
            Err(why) => {
                // OCI distribution-spec spec.md §Referrers Tag Schema: non-index content at the tag
                // means no referrers.
                warnings.push(format!(
                    "referrers tag {tag} does not hold an OCI image index ({why}); ignored"
                ));
                Vec::new()
            }
        };
        Ok(ReferrerList {
            descriptors: descriptors
                .into_iter()
                .filter(|d| type_matches(d, artifact_type))
                .collect(),
            via_tag_schema: true,
            warnings,
        })
    }

    async fn referrers_api_list(
        &self,
        repo: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Result<ApiAnswer, RegistryError> {
        let mut url = self.url(repo, &format!("referrers/{subject}"));
        if let Some(t) = artifact_type {
            url.push_str(&format!("?artifactType={}", query_encode(t)));
        }
        let origin = self.origin(&repo.registry).to_ascii_lowercase();
        let limit = self.options().max_manifest_bytes;
        let mut visited: Vec<String> = Vec::new();
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        // Across pages: the skipped entries and the REFERRERS_ENTRIES budget.
        let mut skipped = Skipped::default();
        let mut page = 0usize;
        loop {
            if visited.contains(&url) {
                warnings.push("referrers pagination loops; stopped".to_string());
                break;
            }
            visited.push(url.clone());
            if page >= self.options().max_referrer_pages {
                warnings.push(format!(
                    "referrers list cut at {} pages (limit)",
                    self.options().max_referrer_pages
                ));
                break;
            }
            page += 1;
            let mut req =
                HttpRequest::new("GET", url.clone()).header("Accept", MEDIA_TYPE_OCI_INDEX);
            req.max_response_bytes = Some(limit);
            let (resp, final_url) = match self
                .request(&repo.registry, req, &pull_scope(repo), "GET referrers")
                .await
            {
                Ok(r) => r,
                // Only the browser's opaque network error (a CORS failure on the unsupported
                // route, CONTRIBUTING.md §The test registry) means "no Referrers API"; a reset, a
                // deadline or an abort says nothing about the API and fails discovery (threat
                // model 27).
                Err(RegistryError::Transport(e))
                    if page == 1 && e.kind == super::http::TransportKind::Opaque =>
                {
                    return Ok(ApiAnswer::Unsupported(format!(
                        "network error: {}",
                        e.message
                    )))
                }
                Err(e) => return Err(e),
            };
            if resp.status == 404 && page == 1 {
                let err = http_error("GET referrers", &resp);
                if err.has_registry_code("NAME_UNKNOWN") {
                    return Err(err);
                }
                return Ok(ApiAnswer::Unsupported("HTTP 404".into()));
            }
            if resp.status != 200 {
                return Err(http_error("GET referrers", &resp));
            }
            if resp.content_type().as_deref() != Some(MEDIA_TYPE_OCI_INDEX) {
                if page == 1 {
                    return Ok(ApiAnswer::Unsupported("not an image index".into()));
                }
                return Err(RegistryError::Parse(
                    "referrers page is not an OCI image index".into(),
                ));
            }
            check_size(&resp, limit, "referrers page")?;
            let (_, descriptors) =
                parse_index(&resp.body, &format!("referrers page {page}"), &mut skipped)
                    .map_err(RegistryError::Parse)?;
            // Filter client-side whether or not `OCI-Filters-Applied` names `artifactType`: a
            // registry claiming to have filtered is not trusted (threat model 1).
            out.extend(
                descriptors
                    .into_iter()
                    .filter(|d| type_matches(d, artifact_type)),
            );
            if skipped.cut {
                // Malformed entries count too: a flood of junk entries is bounded like any other.
                break;
            }
            let Some(next) = link_next(resp.header_all("link")) else {
                break;
            };
            let Some(next_url) = final_url.join(&next) else {
                warnings.push("invalid referrers Link; stopped".into());
                break;
            };
            if next_url.origin() != origin {
                // Threat model 14b (oras-go GHSA-h7vf): never follow a Link to another origin.
                warnings.push(format!(
                    "referrers Link to another origin ({}) not followed",
                    next_url.authority
                ));
                break;
            }
            url = next_url.to_string();
        }
        warnings.extend(skipped.into_warnings());
        Ok(ApiAnswer::Listed(out, warnings))
    }

    /// Adds `entry` (a manifest whose `subject` is `subject`) to the referrers tag index
    /// (OCI distribution-spec spec.md §Referrers Tag Schema), keeping every other entry: read the
    /// index (404 → empty; not an index → `ERR_REFERRERS_INDEX`, nothing written, threat 22b), skip
    /// if listed, append, `PUT` back (with `If-Match` when the registry gave an `ETag`), then read
    /// back, twice with a pause, and repeat (bounded) until the entry stays listed, so concurrent
    /// signers both end up in the index (threat 22a). Returns whether this call wrote the index.
    pub async fn add_to_referrers_index(
        &self,
        repo: &Reference,
        subject: &Digest,
        entry: &Descriptor,
    ) -> Result<bool, RegistryError> {
        self.add_all_to_referrers_index(repo, subject, core::slice::from_ref(entry))
            .await
    }

    /// [`Self::add_to_referrers_index`] for several entries at once: one read-modify-write adds
    /// every entry not yet listed (a copy brings all of a subject's referrers together).
    pub async fn add_all_to_referrers_index(
        &self,
        repo: &Reference,
        subject: &Digest,
        entries: &[Descriptor],
    ) -> Result<bool, RegistryError> {
        let tag = referrers_tag(subject);
        let limit = self.options().max_manifest_bytes;
        let mut wrote = false;
        let mut confirmations = 0;
        for round in 0..self.options().max_index_update_attempts {
            let current = match self.get_manifest(repo, &tag, MANIFEST_ACCEPT, limit).await {
                Ok(b) => Some(b),
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e),
            };
            let (mut index, descriptors, etag) = match current {
                None => (
                    Index {
                        raw: serde_json::Map::new(),
                        entries: Vec::new(),
                    },
                    Vec::new(),
                    None,
                ),
                Some(body) => {
                    // Malformed entries are kept as they are (another writer's business) and not
                    // counted as listed; the write path reads every entry.
                    let mut skipped = Skipped {
                        budget: usize::MAX,
                        ..Skipped::default()
                    };
                    let (index, d) = parse_index(&body.bytes, "", &mut skipped).map_err(|why| {
                        RegistryError::ReferrersIndex(format!(
                            "tag {tag} does not hold an OCI image index ({why}); not modified"
                        ))
                    })?;
                    (index, d, body.etag)
                }
            };
            // A set of the listed digests: comparing each new entry with every listed one was
            // quadratic for a copy bringing many referrers to a long index.
            let mut listed = SeenKeys::default();
            for d in &descriptors {
                listed.insert(d.digest.to_string());
            }
            let mut missing: Vec<&Descriptor> = Vec::new();
            for e in entries {
                // Inserted as it is added: an entry given twice is added once.
                if listed.insert(e.digest.to_string()) {
                    missing.push(e);
                }
            }
            if missing.is_empty() {
                if !wrote {
                    return Ok(false);
                }
                confirmations += 1;
                if confirmations >= 2 {
                    return Ok(true);
                }
                // Pause, then check again that no concurrent writer dropped the entry.
                self.http()
                    .sleep(self.options().retry_base_millis.max(1) * (round as u64 + 1))
                    .await;
                continue;
            }
            confirmations = 0;
            for entry in missing {
                let value = serde_json::to_value(entry)
                    .map_err(|e| RegistryError::Parse(format!("descriptor: {e}")))?;
                index.entries.push(value);
            }
            let mut raw = index.raw;
            raw.insert("schemaVersion".into(), serde_json::Value::from(2));
            raw.insert(
                "mediaType".into(),
                serde_json::Value::from(MEDIA_TYPE_OCI_INDEX),
            );
            raw.insert("manifests".into(), serde_json::Value::Array(index.entries));
            let bytes = serde_json::to_vec(&serde_json::Value::Object(raw))
                .map_err(|e| RegistryError::Parse(format!("index: {e}")))?;
            let mut req = HttpRequest::new("PUT", self.url(repo, &format!("manifests/{tag}")))
                .header("Content-Type", MEDIA_TYPE_OCI_INDEX);
            if let Some(etag) = etag {
                req = req.header("If-Match", etag);
            }
            req.body = bytes.into();
            let (resp, _) = self
                .request(
                    &repo.registry,
                    req,
                    &push_scope(repo),
                    "PUT referrers index",
                )
                .await?;
            if resp.status == 412 {
                // Someone else wrote first: read again.
                continue;
            }
            if !(200..300).contains(&resp.status) {
                return Err(http_error("PUT referrers index", &resp));
            }
            wrote = true;
        }
        Err(RegistryError::Limit(format!(
            "referrers index {tag} could not be updated in {} rounds",
            self.options().max_index_update_attempts
        )))
    }

    /// Pushes a referrer: `blobs` (each unless the registry has it, two at a time), then the
    /// manifest `bytes` (with a `subject`) by digest, then, when the registry did not answer with
    /// `OCI-Subject` (OCI distribution-spec spec.md §Referrers Tag Schema), the referrers tag
    /// index entry `entry` (default: the descriptor read from the manifest). One path for
    /// signatures and revocation data. Returns the pushed manifest and whether the index was
    /// written.
    pub async fn push_referrer(
        &self,
        repo: &Reference,
        blobs: &[&[u8]],
        media_type: &str,
        bytes: &[u8],
        subject: &Digest,
        entry: Option<&Descriptor>,
    ) -> Result<(super::client::PushedManifest, bool), RegistryError> {
        super::join::try_join_bounded(blobs.to_vec(), 2, |b| self.push_blob(repo, b)).await?;
        let digest = Digest::of(HashAlgorithm::Sha256, bytes);
        let pushed = self
            .push_manifest(repo, &digest.to_string(), media_type, bytes)
            .await?;
        let indexed = pushed.oci_subject.as_deref() == Some(subject.to_string().as_str());
        if !indexed {
            self.add_to_referrers_index(repo, subject, entry.unwrap_or(&pushed.descriptor))
                .await?;
        }
        Ok((pushed, !indexed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names() {
        let d = Digest::parse(
            "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9",
        )
        .unwrap();
        assert_eq!(
            referrers_tag(&d),
            "sha256-b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"
        );
        let d = Digest::of(HashAlgorithm::Sha512, b"x");
        let t = referrers_tag(&d);
        assert_eq!(t.len(), 6 + 1 + 64);
        assert!(t.starts_with("sha512-"));
    }

    #[test]
    fn index_parsing() {
        let parse = |b: &[u8]| parse_index(b, "t", &mut Skipped::default());
        assert!(parse(br#"{"schemaVersion":2,"manifests":[]}"#).is_ok());
        assert!(parse(br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}"#).is_err());
        assert!(parse(br#"{"schemaVersion":2,"config":{},"layers":[]}"#).is_err());
        assert!(parse(b"[]").is_err());
        assert!(parse(br#"{"schemaVersion":2,"manifests":{}}"#).is_err());
    }
}
