//! Content operations of the registry client: manifests and blobs fetched (size- and
//! digest-checked, threat model 3, 13, 15) and pushed (distribution-spec 1.1).

use super::client::{
    pull_scope, push_scope, ManifestBody, PushedManifest, RegistryClient, Resolved, MANIFEST_ACCEPT,
};
use super::error::{registry_error_codes, RegistryError};
use super::http::{query_encode, HttpClient, HttpRequest, HttpResponse};
use super::session::backoff_millis;
use crate::crypto::HashAlgorithm;
use crate::oci::{
    Descriptor, Digest, Reference, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST_LIST,
    MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST,
};

impl<C: HttpClient> RegistryClient<C> {
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

    /// Resolves `reference` once (signing-and-verification-workflow.md §Verification Prerequisites;
    /// threat model 3): by digest when it has one (the bytes must hash to it: `ERR_DIGEST_MISMATCH`
    /// otherwise, checklist 3a/3c), else by tag, hashing the bytes received (never trusting
    /// `Docker-Content-Digest`) and adding a warning that tags are mutable.
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
    /// read from the manifest (what a referrers index entry needs, OCI distribution-spec spec.md
    /// §Referrers Tag Schema).
    pub async fn push_manifest(
        &self,
        repo: &Reference,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<PushedManifest, RegistryError> {
        let mut attempt: u32 = 0;
        let resp = loop {
            let mut req =
                HttpRequest::new("PUT", self.url(repo, &format!("manifests/{reference}")))
                    .header("Content-Type", media_type);
            req.body = bytes.to_vec().into();
            let (resp, _) = self
                .request(&repo.registry, req, &push_scope(repo), "PUT manifest")
                .await?;
            if (200..300).contains(&resp.status) {
                break resp;
            }
            let err = http_error("PUT manifest", &resp);
            // The blobs were pushed (or found) just before, so `MANIFEST_BLOB_UNKNOWN` is the
            // registry's own state catching up: a concurrent upload of the same blob rewriting
            // its repository link (distribution's filesystem driver writes links in place), or
            // an eventually consistent store. The PUT is idempotent (OCI distribution-spec
            // spec.md §Pushing Manifests), so it is retried a bounded number of times.
            if attempt >= self.options().max_retries
                || !err.has_registry_code("MANIFEST_BLOB_UNKNOWN")
            {
                return Err(err);
            }
            self.http()
                .sleep(backoff_millis(self.options().retry_base_millis, attempt))
                .await;
            attempt += 1;
        };
        let oci_subject = resp.header("oci-subject").map(str::to_string);
        if oci_subject.is_some() {
            // An `OCI-Subject` answer marks the repository as Referrers-API capable (OCI
            // distribution-spec spec.md §Referrers Tag Schema).
            self.referrers_api.borrow_mut().insert(repo.scope(), true);
        }
        Ok(PushedManifest {
            descriptor: referrer_descriptor(media_type, bytes),
            oci_subject,
        })
    }
}

/// The descriptor of manifest `bytes` with `artifactType` (else `config.mediaType`) and the
/// manifest's annotations, as a referrers index lists it (signature-specification.md §OCI Signature
/// Discovery, OCI distribution-spec spec.md §Referrers Tag Schema).
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
