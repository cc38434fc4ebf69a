//! Copying artifacts with their signatures between real CNCF distribution registries
//! (`docker-registry`, CONTRIBUTING.md §The test registry): across registries, within one (blob
//! mounts), an index with several platforms, signatures on signatures, interruption and resume,
//! tampered source bytes.

mod support;

use std::cell::Cell;

use nv2::oci::{Digest, Reference, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST};
use nv2::registry::{
    copy, list_signatures, referrers_tag, sign, verify, CopyEvent, CopyObserver, CopyOptions,
    HttpRequest, HttpResponse, RegistryClient, TransportError, VerifyOptions,
};
use support::registry::*;

fn client() -> RegistryClient<StdHttpClient> {
    RegistryClient::new(StdHttpClient::new(), options())
}

/// Small chunks so the test blobs are streamed in several ranged GETs and PATCHes.
fn copy_options() -> CopyOptions {
    CopyOptions {
        chunk_bytes: 1024,
        concurrency: 3,
        ..CopyOptions::default()
    }
}

/// Deterministic bytes that do not repeat within a chunk.
fn layer_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[3] ^ seed)
        .collect()
}

/// Pushes an image manifest (config + a 5000-byte layer + a small layer) under `reference`
/// (a tag or its digest); returns its digest.
fn push_image(
    c: &RegistryClient<StdHttpClient>,
    r: &Reference,
    salt: &str,
    tag: Option<&str>,
) -> Digest {
    block_on(async {
        let config = format!(r#"{{"architecture":"amd64","os":"linux","salt":"{salt}"}}"#);
        let big = layer_bytes(5000, salt.len() as u8);
        let small = format!("layer {salt}").into_bytes();
        let cd = c.push_blob(r, config.as_bytes()).await.unwrap();
        let d1 = c.push_blob(r, &big).await.unwrap();
        let d2 = c.push_blob(r, &small).await.unwrap();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{MEDIA_TYPE_OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}},{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
            cd.digest, cd.size, d1.digest, d1.size, d2.digest, d2.size
        );
        let digest = Digest::of(nv2::crypto::HashAlgorithm::Sha256, manifest.as_bytes());
        let at = tag
            .map(str::to_string)
            .unwrap_or_else(|| digest.to_string());
        c.push_manifest(r, &at, MEDIA_TYPE_OCI_MANIFEST, manifest.as_bytes())
            .await
            .unwrap()
            .descriptor
            .digest
    })
}

/// Whether `repo` at `reg` has the blob or manifest `path` (`blobs/<d>`, `manifests/<d>`).
fn present(reg: &TestRegistry, repo: &str, path: &str) -> bool {
    let req = HttpRequest::new("HEAD", format!("{}/v2/{repo}/{path}", reg.base())).header(
        "Accept",
        format!("{MEDIA_TYPE_OCI_MANIFEST}, {MEDIA_TYPE_OCI_INDEX}"),
    );
    StdHttpClient::new().send_blocking(&req).unwrap().status == 200
}

/// The digests listed in the referrers tag index of `subject`, duplicates kept.
fn index_entries(reg: &TestRegistry, repo: &str, subject: &Digest) -> Vec<String> {
    let req = HttpRequest::new(
        "GET",
        format!(
            "{}/v2/{repo}/manifests/{}",
            reg.base(),
            referrers_tag(subject)
        ),
    )
    .header("Accept", MEDIA_TYPE_OCI_INDEX);
    let resp = StdHttpClient::new().send_blocking(&req).unwrap();
    assert_eq!(resp.status, 200, "referrers index of {subject} in {repo}");
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    v["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["digest"].as_str().unwrap().to_string())
        .collect()
}

/// `r` verifies under a strict policy for its repository with the p256 test root.
fn assert_verifies(c: &RegistryClient<StdHttpClient>, r: &Reference) {
    let v = block_on(verify(
        c,
        r,
        &policy(&r.scope()),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(v.verified, "{v:#?}");
}

#[derive(Default)]
struct Events {
    planned: Cell<Option<(usize, usize, usize)>>,
    progress: Cell<usize>,
    blobs: Cell<usize>,
    manifests: Cell<usize>,
}

impl CopyObserver for Events {
    fn event(&self, e: &CopyEvent<'_>) {
        match e {
            CopyEvent::Planned {
                manifests,
                referrers,
                blobs,
                ..
            } => self.planned.set(Some((*manifests, *referrers, *blobs))),
            CopyEvent::BlobProgress { .. } => self.progress.set(self.progress.get() + 1),
            CopyEvent::BlobDone { .. } => self.blobs.set(self.blobs.get() + 1),
            CopyEvent::ManifestDone { .. } => self.manifests.set(self.manifests.get() + 1),
        }
    }
}

#[test]
fn copies_image_signatures_and_signatures_on_signatures_across_registries() {
    let (a, b) = (TestRegistry::start(), TestRegistry::start());
    let c = client();
    let src = reference(&a, "wabbit/net-monitor", "v1");
    let digest = push_image(&c, &src, "copy", Some("v1"));
    let s1 = block_on(sign(&c, &src, &signer("p256"), &sign_opts(0))).unwrap();
    let s2 = block_on(sign(&c, &src, &signer("p384"), &sign_opts(1))).unwrap();
    // A signature on the first signature (a countersigning party).
    let on_sig = by_digest(&src, &s1.manifest.digest);
    let s3 = block_on(sign(&c, &on_sig, &signer("p256"), &sign_opts(2))).unwrap();

    let dst = Reference::parse_qualified(&format!("{}/acme/net-monitor", b.addr)).unwrap();
    let events = Events::default();
    let report = block_on(copy(&c, &src, &dst, &copy_options(), &events)).unwrap();
    assert_eq!(report.root.digest, digest);
    assert_eq!(
        report.destination.tag.as_deref(),
        Some("v1"),
        "the source's tag"
    );
    assert_eq!(report.manifests_copied, 4, "image + 3 signatures");
    assert_eq!((report.referrers_copied, report.referrers_skipped), (3, 0));
    // Blobs: config, two layers, two envelopes... three envelopes, and the shared empty config.
    assert_eq!(report.blobs_copied, 3 + 3 + 1, "{report:#?}");
    assert_eq!(report.blobs_mounted + report.blobs_skipped, 0);
    assert_eq!(
        report.referrers_index_updates, 2,
        "one index per subject (image, first signature)"
    );
    assert_eq!(events.planned.get(), Some((4, 3, 7)));
    assert_eq!(events.blobs.get(), 7);
    assert_eq!(events.manifests.get(), 4);
    assert!(
        events.progress.get() >= 5,
        "the 5000-byte layer streamed in 1 KiB chunks"
    );

    // Every digest preserved; the tag names the same manifest; signatures listed and verifying.
    let at_b = reference(&b, "acme/net-monitor", "v1");
    let resolved = block_on(c.resolve(&at_b)).unwrap();
    assert_eq!(resolved.descriptor.digest, digest);
    let list = block_on(list_signatures(&c, &at_b)).unwrap();
    let mut got: Vec<String> = list
        .signatures
        .iter()
        .map(|d| d.digest.to_string())
        .collect();
    let mut want = vec![
        s1.manifest.digest.to_string(),
        s2.manifest.digest.to_string(),
    ];
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_verifies(&c, &at_b);
    let on_sig_b = by_digest(&at_b, &s1.manifest.digest);
    let list = block_on(list_signatures(&c, &on_sig_b)).unwrap();
    assert_eq!(list.signatures.len(), 1);
    assert_eq!(list.signatures[0].digest, s3.manifest.digest);

    // A second run copies nothing and writes no index: nothing duplicated.
    let again = block_on(copy(&c, &src, &dst, &copy_options(), &())).unwrap();
    assert_eq!(
        (again.manifests_copied, again.manifests_skipped),
        (0, 4),
        "{again:#?}"
    );
    assert_eq!((again.blobs_copied, again.blobs_skipped), (0, 7));
    assert_eq!(again.referrers_index_updates, 0);
    let entries = index_entries(&b, "acme/net-monitor", &digest);
    assert_eq!(entries.len(), 2, "{entries:?}");

    // Without referrers only the image moves.
    let plain = Reference::parse_qualified(&format!("{}/acme/plain", b.addr)).unwrap();
    let opts = CopyOptions {
        referrers: false,
        ..copy_options()
    };
    let r = block_on(copy(&c, &src, &plain, &opts, &())).unwrap();
    assert_eq!((r.manifests_copied, r.referrers_copied), (1, 0));
    let list = block_on(list_signatures(&c, &reference(&b, "acme/plain", "v1"))).unwrap();
    assert!(list.signatures.is_empty());
}

#[test]
fn copy_within_one_registry_mounts_blobs() {
    let a = TestRegistry::start();
    let c = RegistryClient::new(Recording::new(StdHttpClient::new()), options());
    let src = reference(&a, "team/app", "v2");
    let digest = push_image(&client(), &src, "mount", Some("v2"));
    block_on(sign(&client(), &src, &signer("p256"), &sign_opts(0))).unwrap();
    let dst = reference(&a, "prod/app", "stable");
    let report = block_on(copy(&c, &src, &dst, &copy_options(), &())).unwrap();
    assert_eq!(report.blobs_mounted, 5, "{report:#?}");
    assert_eq!((report.blobs_copied, report.bytes_copied), (0, 0));
    let log = c.http().requests();
    assert!(log.iter().any(|q| q.url.contains("mount=sha256")));
    assert!(
        !log.iter().any(|q| q.method == "PATCH"),
        "no byte streamed within one registry"
    );
    let resolved = block_on(client().resolve(&dst)).unwrap();
    assert_eq!(resolved.descriptor.digest, digest);
    assert_eq!(
        block_on(list_signatures(&client(), &dst))
            .unwrap()
            .signatures
            .len(),
        1
    );
}

#[test]
fn multi_platform_index_with_per_platform_signatures() {
    let (a, b) = (TestRegistry::start(), TestRegistry::start());
    let c = client();
    let src = reference(&a, "multi/app", "v1");
    let amd = push_image(&c, &src, "amd64", None);
    let arm = push_image(&c, &src, "arm64", None);
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"{MEDIA_TYPE_OCI_INDEX}","manifests":[{{"mediaType":"{MEDIA_TYPE_OCI_MANIFEST}","digest":"{amd}","size":{},"platform":{{"architecture":"amd64","os":"linux"}}}},{{"mediaType":"{MEDIA_TYPE_OCI_MANIFEST}","digest":"{arm}","size":{},"platform":{{"architecture":"arm64","os":"linux"}}}}]}}"#,
        manifest_size(&c, &src, &amd),
        manifest_size(&c, &src, &arm),
    );
    let idx = block_on(c.push_manifest(&src, "v1", MEDIA_TYPE_OCI_INDEX, index.as_bytes()))
        .unwrap()
        .descriptor
        .digest;
    let on_index = block_on(sign(&c, &src, &signer("p256"), &sign_opts(0))).unwrap();
    let on_arm = block_on(sign(
        &c,
        &by_digest(&src, &arm),
        &signer("p384"),
        &sign_opts(1),
    ))
    .unwrap();

    let dst = Reference::parse_qualified(&format!("{}/mirror/app", b.addr)).unwrap();
    let report = block_on(copy(&c, &src, &dst, &copy_options(), &())).unwrap();
    assert_eq!(report.root.digest, idx);
    assert_eq!(report.root.media_type, MEDIA_TYPE_OCI_INDEX);
    assert_eq!(
        report.manifests_copied, 5,
        "index, 2 platforms, 2 signatures"
    );
    for d in [
        &idx,
        &amd,
        &arm,
        &on_index.manifest.digest,
        &on_arm.manifest.digest,
    ] {
        assert!(present(&b, "mirror/app", &format!("manifests/{d}")), "{d}");
    }
    let at_b = reference(&b, "mirror/app", "v1");
    assert_eq!(block_on(c.resolve(&at_b)).unwrap().descriptor.digest, idx);
    let arm_sigs = block_on(list_signatures(&c, &by_digest(&at_b, &arm))).unwrap();
    assert_eq!(arm_sigs.signatures[0].digest, on_arm.manifest.digest);
    let idx_sigs = block_on(list_signatures(&c, &at_b)).unwrap();
    assert_eq!(idx_sigs.signatures[0].digest, on_index.manifest.digest);
}

fn manifest_size(c: &RegistryClient<StdHttpClient>, r: &Reference, d: &Digest) -> u64 {
    block_on(c.resolve(&by_digest(r, d)))
        .unwrap()
        .descriptor
        .size
}

#[test]
fn interrupted_copy_resumes_without_duplicates_or_losses() {
    let (a, b) = (TestRegistry::start(), TestRegistry::start());
    let c = client();
    let src = reference(&a, "resume/app", "v1");
    let digest = push_image(&c, &src, "resume", Some("v1"));
    let sig = block_on(sign(&c, &src, &signer("p256"), &sign_opts(0))).unwrap();
    let dst = reference(&b, "resume/app", "v1");

    // The network drops on the third chunk upload: the copy fails, nothing is tagged.
    let patches = Cell::new(0);
    let flaky = RegistryClient::new(
        Recording::with_hook(
            StdHttpClient::new(),
            |q: &HttpRequest, resp: HttpResponse| {
                if q.method == "PATCH" {
                    patches.set(patches.get() + 1);
                    if patches.get() == 3 {
                        return Err(TransportError::new("connection reset"));
                    }
                }
                Ok(resp)
            },
        ),
        options(),
    );
    let opts = CopyOptions {
        concurrency: 1,
        ..copy_options()
    };
    let e = block_on(copy(&flaky, &src, &dst, &opts, &())).unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_HTTP", "{e}");
    assert!(
        !present(&b, "resume/app", "manifests/v1"),
        "tag not written"
    );
    assert!(!present(&b, "resume/app", &format!("manifests/{digest}")));

    // The re-run finishes: every digest there, one index entry.
    let report = block_on(copy(&c, &src, &dst, &opts, &())).unwrap();
    assert_eq!(report.manifests_copied, 2);
    assert_eq!(block_on(c.resolve(&dst)).unwrap().descriptor.digest, digest);
    assert_eq!(
        index_entries(&b, "resume/app", &digest),
        vec![sig.manifest.digest.to_string()]
    );
    assert_verifies(&c, &dst);
}

#[test]
fn tampered_source_bytes_are_never_committed() {
    let (a, b) = (TestRegistry::start(), TestRegistry::start());
    let c = client();
    let src = reference(&a, "evil/app", "v1");
    push_image(&c, &src, "tamper", Some("v1"));
    // The source serves one flipped byte in a ranged GET of the streamed layer.
    let evil = RegistryClient::new(
        Recording::with_hook(
            StdHttpClient::new(),
            |q: &HttpRequest, mut resp: HttpResponse| {
                if q.method == "GET" && req_header(q, "range") == Some("bytes=2048-3071") {
                    resp.body[10] ^= 1;
                }
                Ok(resp)
            },
        ),
        options(),
    );
    let dst = reference(&b, "evil/app", "v1");
    let e = block_on(copy(&evil, &src, &dst, &copy_options(), &())).unwrap_err();
    assert_eq!(e.code(), "ERR_DIGEST_MISMATCH", "{e}");
    let big = Digest::of(nv2::crypto::HashAlgorithm::Sha256, &layer_bytes(5000, 6));
    assert!(!present(&b, "evil/app", &format!("blobs/{big}")));
    assert!(!present(&b, "evil/app", "manifests/v1"));

    // A destination digest that is not the source's is refused before anything moves.
    let wrong = Reference {
        digest: Some(big.clone()),
        ..dst.clone()
    };
    let e = block_on(copy(&c, &src, &wrong, &copy_options(), &())).unwrap_err();
    assert_eq!(e.code(), "ERR_DIGEST_MISMATCH");
}

#[test]
fn forged_index_entries_and_a_tag_answering_the_subject_are_not_referrers() {
    let (a, b) = (TestRegistry::start(), TestRegistry::start());
    let c = client();
    let src = reference(&a, "odd/app", "v1");
    let digest = push_image(&c, &src, "odd", Some("v1"));
    let other = push_image(&c, &src, "other", None);
    let sig = block_on(sign(&c, &src, &signer("p256"), &sign_opts(0))).unwrap();
    // A signature of `other`, slipped into `digest`'s referrers index.
    let stray = block_on(sign(
        &c,
        &by_digest(&src, &other),
        &signer("p384"),
        &sign_opts(1),
    ))
    .unwrap();
    block_on(c.add_to_referrers_index(&src, &digest, &{
        let mut d = stray.manifest.clone();
        d.artifact_type = Some("application/vnd.cncf.notary.signature".into());
        d
    }))
    .unwrap();
    let dst = reference(&b, "odd/app", "v1");
    let report = block_on(copy(&c, &src, &dst, &copy_options(), &())).unwrap();
    assert_eq!(report.referrers_copied, 1, "{report:#?}");
    assert!(report
        .warnings
        .iter()
        .any(|w| w.contains("does not name it as its subject")));
    assert_eq!(
        index_entries(&b, "odd/app", &digest),
        vec![sig.manifest.digest.to_string()]
    );

    // A registry that answers the referrers tag with the subject itself (oras#2148): no
    // referrers, not the subject's children.
    let quirky = reference(&a, "quirk/app", "v1");
    let q = push_image(&c, &quirky, "quirk", Some("v1"));
    let bytes = block_on(c.resolve(&quirky)).unwrap().manifest;
    block_on(c.push_manifest(&quirky, &referrers_tag(&q), MEDIA_TYPE_OCI_MANIFEST, &bytes))
        .unwrap();
    let list = block_on(list_signatures(&c, &quirky)).unwrap();
    assert!(list.signatures.is_empty());
    assert!(
        list.warnings.iter().any(|w| w.contains("subject itself")),
        "{:?}",
        list.warnings
    );
}

/// A client that streams like the Node host does ([`HttpClient::pipe`]): the source answer is
/// sent on as the sink's body, hashed on the way. It can answer the first pipe with a redirect
/// and can flip a byte of what it streams.
struct PipingClient {
    inner: StdHttpClient,
    redirect_first: Cell<bool>,
    tamper: bool,
    pipes: Cell<usize>,
    log: std::cell::RefCell<Vec<HttpRequest>>,
}

impl PipingClient {
    fn new(redirect_first: bool, tamper: bool) -> Self {
        PipingClient {
            inner: StdHttpClient::new(),
            redirect_first: Cell::new(redirect_first),
            tamper,
            pipes: Cell::new(0),
            log: Default::default(),
        }
    }
}

impl nv2::registry::HttpClient for PipingClient {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log.borrow_mut().push(req.clone());
        self.inner.send_blocking(&req)
    }

    async fn pipe(
        &self,
        source: &HttpRequest,
        sink: &HttpRequest,
        algorithm: nv2::crypto::HashAlgorithm,
        _blob: &str,
        _size: u64,
    ) -> Result<Option<nv2::registry::Piped>, TransportError> {
        self.log.borrow_mut().push(source.clone());
        if self.redirect_first.replace(false) {
            let to = format!("{}?hop=1", source.url);
            return Ok(Some(nv2::registry::Piped {
                source: response(307, &[("Location", to.as_str())], b""),
                sink: None,
                hash: Vec::new(),
                bytes: 0,
            }));
        }
        let mut answer = self.inner.send_blocking(source)?;
        if answer.status != 200 {
            answer.body.clear();
            return Ok(Some(nv2::registry::Piped {
                source: answer,
                sink: None,
                hash: Vec::new(),
                bytes: 0,
            }));
        }
        let mut body = std::mem::take(&mut answer.body);
        if self.tamper {
            body[0] ^= 1;
        }
        let mut hash = nv2::crypto::IncrementalHash::new(algorithm);
        hash.update(&body);
        let bytes = body.len() as u64;
        let mut patch = sink.clone();
        patch.body = body.into();
        self.log.borrow_mut().push(patch.clone());
        let sink_answer = self.inner.send_blocking(&patch)?;
        self.pipes.set(self.pipes.get() + 1);
        Ok(Some(nv2::registry::Piped {
            source: answer,
            sink: Some(sink_answer),
            hash: hash.finish(),
            bytes,
        }))
    }
}

#[test]
fn streamed_copies_follow_redirects_and_never_commit_tampered_bytes() {
    let (a, b) = (TestRegistry::start(), TestRegistry::start());
    let c = client();
    let src = reference(&a, "pipe/app", "v1");
    let digest = push_image(&c, &src, "pipe", Some("v1"));
    block_on(sign(&c, &src, &signer("p256"), &sign_opts(0))).unwrap();

    // Streamed (with one redirect of the source): one pipe per blob over the 1 KiB chunk size,
    // the 5000-byte layer and the envelope (its certificate chain makes it over 1 KiB).
    let piping = RegistryClient::new(PipingClient::new(true, false), options());
    let dst = reference(&b, "pipe/app", "v1");
    let report = block_on(copy(&piping, &src, &dst, &copy_options(), &())).unwrap();
    assert_eq!(report.root.digest, digest);
    assert_eq!(piping.http().pipes.get(), 2, "{report:#?}");
    let log = piping.http().log.borrow().clone();
    assert!(
        log.iter().any(|q| q.url.ends_with("?hop=1")),
        "the redirect was followed"
    );
    assert!(
        !log.iter().any(|q| req_header(q, "range").is_some()),
        "no ranged GETs"
    );
    assert_verifies(&c, &dst);

    // A flipped byte on the way: digest mismatch, the upload is never closed.
    let evil = RegistryClient::new(PipingClient::new(false, true), options());
    let dst2 = reference(&b, "pipe/evil", "v1");
    let e = block_on(copy(&evil, &src, &dst2, &copy_options(), &())).unwrap_err();
    assert_eq!(e.code(), "ERR_DIGEST_MISMATCH", "{e}");
    let big = Digest::of(nv2::crypto::HashAlgorithm::Sha256, &layer_bytes(5000, 4));
    assert!(!present(&b, "pipe/evil", &format!("blobs/{big}")));
    assert!(!present(&b, "pipe/evil", "manifests/v1"));
    let log = evil.http().log.borrow().clone();
    assert!(
        log.iter().any(|q| q.method == "DELETE"),
        "the upload session is cancelled"
    );
    assert!(
        !log.iter()
            .any(|q| q.method == "PUT" && q.url.contains("digest=") && q.url.contains(big.hex())),
        "never closed with PUT ?digest="
    );
}
