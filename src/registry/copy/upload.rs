//! The blob upload protocol of a copy (distribution-spec 1.1 "Pushing blobs"): `HEAD` to skip
//! a blob the destination has, cross-repository mount on one registry, else an upload session
//! (`POST`) filled by one monolithic `PUT`, by one streamed `PATCH`
//! ([`HttpClient::pipe`](super::super::http::HttpClient::pipe)) or by ranged `GET`s and
//! chunked `PATCH`es, and closed by `PUT ?digest=` only once the bytes hash to the digest.

use super::super::client::{pull_scope, push_scope};
use super::super::content::{check_content, http_error};
use super::super::error::RegistryError;
use super::super::http::{query_encode, HttpClient, HttpRequest, HttpResponse, Url};
use super::{Copier, CopyEvent, Transfer};
use crate::crypto::{hex, IncrementalHash};
use crate::oci::Descriptor;

/// Largest upload-session answer read (they have no body worth reading).
const MAX_UPLOAD_RESPONSE_BYTES: u64 = 64 * 1024;

/// `url` with `name=value` appended to its query.
fn with_query(url: &Url, name: &str, value: &str) -> String {
    let mut s = url.to_string();
    s.push(if s.contains('?') { '&' } else { '?' });
    s.push_str(name);
    s.push('=');
    s.push_str(&query_encode(value));
    s
}

impl<C: HttpClient> Copier<'_, C> {
    /// Puts one blob at the destination: skip, mount, or stream.
    pub(super) async fn copy_blob(&self, blob: &Descriptor) -> Result<Transfer, RegistryError> {
        let scope = push_scope(&self.dst);
        let head = HttpRequest::new(
            "HEAD",
            self.client
                .url(&self.dst, &format!("blobs/{}", blob.digest)),
        );
        let (resp, _) = self
            .client
            .request(&self.dst.registry, head, &scope, "HEAD blob")
            .await?;
        if resp.status == 200 {
            self.done(blob, Transfer::Skipped);
            return Ok(Transfer::Skipped);
        }
        if resp.status != 404 {
            return Err(http_error("HEAD blob", &resp));
        }
        let same_registry = self.src.registry.eq_ignore_ascii_case(&self.dst.registry)
            && self.src.repository != self.dst.repository;
        let (post, scope) = if same_registry {
            // Distribution-spec "Mounting a blob from another repository": needs push on the
            // destination and pull on the source (two token scopes).
            let url = format!(
                "{}?mount={}&from={}",
                self.client.url(&self.dst, "blobs/uploads/"),
                query_encode(&blob.digest.to_string()),
                query_encode(&self.src.repository)
            );
            (url, format!("{scope} {}", pull_scope(&self.src)))
        } else {
            (self.client.url(&self.dst, "blobs/uploads/"), scope)
        };
        let mut req = HttpRequest::new("POST", post).header("Content-Length", "0");
        req.max_response_bytes = Some(MAX_UPLOAD_RESPONSE_BYTES);
        let (resp, url) = self
            .client
            .request(&self.dst.registry, req, &scope, "POST blob upload")
            .await?;
        if resp.status == 201 && same_registry {
            self.done(blob, Transfer::Mounted);
            return Ok(Transfer::Mounted);
        }
        if resp.status != 202 {
            return Err(http_error("POST blob upload", &resp));
        }
        let location = upload_location(&url, &resp)?;
        self.stream(blob, location, &scope).await?;
        self.done(blob, Transfer::Copied);
        Ok(Transfer::Copied)
    }

    fn done(&self, blob: &Descriptor, transfer: Transfer) {
        self.observer.event(&CopyEvent::BlobDone {
            descriptor: blob,
            transfer,
        });
    }

    /// Streams `blob` into the upload session at `location`: small blobs in one `PUT`, larger
    /// ones as ranged `GET`s and `PATCH`es, hashed on the way; the session is closed only when
    /// the hash equals the digest (otherwise it is cancelled, threat model 3).
    async fn stream(
        &self,
        blob: &Descriptor,
        mut location: Url,
        scope: &str,
    ) -> Result<(), RegistryError> {
        let chunk = self.opts.chunk_bytes.max(1);
        if blob.size <= chunk {
            let bytes = self.client.fetch_blob(&self.src, blob, blob.size).await?;
            return self.finish_upload(blob, &location, bytes, scope).await;
        }
        if let Some(location) = self.pipe(blob, &location, scope).await? {
            return self.close_upload(blob, &location, scope).await;
        }
        let mut hash = IncrementalHash::new(blob.digest.algorithm());
        let mut offset = 0u64;
        while offset < blob.size {
            let len = chunk.min(blob.size - offset);
            let last = offset + len - 1;
            let mut get = HttpRequest::new(
                "GET",
                self.client
                    .url(&self.src, &format!("blobs/{}", blob.digest)),
            )
            .header("Range", format!("bytes={offset}-{last}"));
            get.max_response_bytes = Some(len);
            let (resp, _) = self
                .client
                .request(
                    &self.src.registry,
                    get,
                    &pull_scope(&self.src),
                    "GET blob range",
                )
                .await?;
            if resp.status == 200 && offset == 0 {
                // The source ignores `Range`: read the blob whole if it is small enough.
                if blob.size > self.opts.max_buffered_blob_bytes {
                    return Err(RegistryError::Limit(format!(
                        "the source registry ignores Range requests and blob {} ({} bytes) is \
                         larger than {} bytes to buffer",
                        blob.digest, blob.size, self.opts.max_buffered_blob_bytes
                    )));
                }
                let bytes = self
                    .client
                    .fetch_blob(&self.src, blob, self.opts.max_buffered_blob_bytes)
                    .await?;
                return self.finish_upload(blob, &location, bytes, scope).await;
            }
            if resp.status != 206 {
                return Err(http_error("GET blob range", &resp));
            }
            if resp.body.len() as u64 != len {
                return Err(RegistryError::Parse(format!(
                    "range {offset}-{last} of blob {} answered {} bytes",
                    blob.digest,
                    resp.body.len()
                )));
            }
            hash.update(&resp.body);
            let mut patch = HttpRequest::new("PATCH", location.to_string())
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", format!("{offset}-{last}"));
            patch.body = resp.body.into();
            patch.max_response_bytes = Some(MAX_UPLOAD_RESPONSE_BYTES);
            let (resp, url) = self
                .client
                .request(&self.dst.registry, patch, scope, "PATCH blob upload")
                .await?;
            if resp.status != 202 {
                return Err(http_error("PATCH blob upload", &resp));
            }
            location = upload_location(&url, &resp)?;
            offset += len;
            self.observer.event(&CopyEvent::BlobProgress {
                descriptor: blob,
                sent: offset,
            });
        }
        self.check_hash(blob, &hash.finish(), &location, scope)
            .await?;
        self.close_upload(blob, &location, scope).await
    }

    /// Cancels the upload and fails unless `hash` is the blob's digest (threat model 3).
    async fn check_hash(
        &self,
        blob: &Descriptor,
        hash: &[u8],
        location: &Url,
        scope: &str,
    ) -> Result<(), RegistryError> {
        let actual = hex(hash);
        if actual != blob.digest.hex() {
            self.cancel_upload(location, scope).await;
            return Err(RegistryError::DigestMismatch {
                expected: blob.digest.to_string(),
                actual: format!("{}:{actual}", blob.digest.algorithm().name()),
            });
        }
        Ok(())
    }

    /// Streams the whole blob in one `PATCH` when the HTTP client can stream request bodies
    /// ([`HttpClient::pipe`]), following the source's redirects (bounded; `Authorization` only
    /// to the source registry's origin, threat model 16a). Returns the upload's next location,
    /// or `None` to fall back to ranged chunks (no streaming, or a source answer other than 200
    /// and 3xx, e.g. a 401 that needs the full authentication round).
    async fn pipe(
        &self,
        blob: &Descriptor,
        location: &Url,
        scope: &str,
    ) -> Result<Option<Url>, RegistryError> {
        let mut url = self
            .client
            .url(&self.src, &format!("blobs/{}", blob.digest));
        let sink = self.client.authorized(
            &self.dst.registry,
            HttpRequest::new("PATCH", location.to_string())
                .header("Content-Type", "application/octet-stream"),
            scope,
        );
        for _ in 0..=self.client.options().max_redirects {
            let at = self.client.check_url(&url)?;
            let source = self.client.authorized(
                &self.src.registry,
                HttpRequest::new("GET", url.clone()),
                &pull_scope(&self.src),
            );
            // Deadlines (threat model 25): the blob's bytes count once for the operation; the
            // sink shares the source's stream.
            let source = self.client.with_deadline(source, blob.size);
            let sink = self.client.with_deadline(sink.clone(), 0);
            let Some(piped) = self
                .client
                .http()
                .pipe(
                    &source,
                    &sink,
                    blob.digest.algorithm(),
                    &blob.digest.to_string(),
                    blob.size,
                )
                .await
                .map_err(|e| e.at(&source.url))?
            else {
                return Ok(None);
            };
            if matches!(piped.source.status, 301 | 302 | 303 | 307 | 308) {
                let Some(next) = piped.source.header("location").and_then(|l| at.join(l)) else {
                    return Err(RegistryError::Parse(
                        "blob redirect without Location".into(),
                    ));
                };
                url = next.to_string();
                continue;
            }
            let Some(answer) = piped.sink else {
                return Ok(None);
            };
            if answer.status != 202 {
                return Err(http_error("PATCH blob upload", &answer));
            }
            if piped.bytes != blob.size {
                self.cancel_upload(location, scope).await;
                return Err(RegistryError::Parse(format!(
                    "blob {} streamed {} bytes, the descriptor says {}",
                    blob.digest, piped.bytes, blob.size
                )));
            }
            let next = upload_location(location, &answer)?;
            self.check_hash(blob, &piped.hash, &next, scope).await?;
            self.observer.event(&CopyEvent::BlobProgress {
                descriptor: blob,
                sent: blob.size,
            });
            return Ok(Some(next));
        }
        Err(RegistryError::Limit(format!(
            "more than {} redirects",
            self.client.options().max_redirects
        )))
    }

    /// Closes the upload session after its bytes were checked: `PUT ?digest=`.
    async fn close_upload(
        &self,
        blob: &Descriptor,
        location: &Url,
        scope: &str,
    ) -> Result<(), RegistryError> {
        let mut put = HttpRequest::new(
            "PUT",
            with_query(location, "digest", &blob.digest.to_string()),
        )
        .header("Content-Length", "0");
        put.max_response_bytes = Some(MAX_UPLOAD_RESPONSE_BYTES);
        let (resp, _) = self
            .client
            .request(&self.dst.registry, put, scope, "PUT blob")
            .await?;
        if resp.status != 201 {
            return Err(http_error("PUT blob", &resp));
        }
        Ok(())
    }

    /// Closes the upload session with the whole blob (already checked by `fetch_blob`).
    async fn finish_upload(
        &self,
        blob: &Descriptor,
        location: &Url,
        bytes: Vec<u8>,
        scope: &str,
    ) -> Result<(), RegistryError> {
        if let Err(e) = check_content(blob, &bytes) {
            self.cancel_upload(location, scope).await;
            return Err(e);
        }
        let mut put = HttpRequest::new(
            "PUT",
            with_query(location, "digest", &blob.digest.to_string()),
        )
        .header("Content-Type", "application/octet-stream");
        put.body = bytes.into();
        put.max_response_bytes = Some(MAX_UPLOAD_RESPONSE_BYTES);
        let (resp, _) = self
            .client
            .request(&self.dst.registry, put, scope, "PUT blob")
            .await?;
        if resp.status != 201 {
            return Err(http_error("PUT blob", &resp));
        }
        self.observer.event(&CopyEvent::BlobProgress {
            descriptor: blob,
            sent: blob.size,
        });
        Ok(())
    }

    /// Cancels an upload session (best effort: the registry purges abandoned ones anyway).
    async fn cancel_upload(&self, location: &Url, scope: &str) {
        let req = HttpRequest::new("DELETE", location.to_string());
        let _ = self
            .client
            .request(&self.dst.registry, req, scope, "DELETE blob upload")
            .await;
    }
}

/// The upload session URL from a `Location` answer (relative or absolute).
fn upload_location(url: &Url, resp: &HttpResponse) -> Result<Url, RegistryError> {
    let location = resp
        .header("location")
        .ok_or_else(|| RegistryError::Parse("blob upload answered without Location".into()))?;
    url.join(location)
        .ok_or_else(|| RegistryError::Parse("invalid upload Location".into()))
}
