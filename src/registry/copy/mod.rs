//! Copying an artifact together with its signatures, within a registry or across registries
//! (signature-specification.md §OCI Signatures: signatures are separate artifacts whose `subject`
//! is the signed manifest, so a copy that only moves the image leaves them behind).
//!
//! The copy is planned, then executed:
//! 1. **Plan.** From the resolved source manifest, walk the graph: an index's `manifests`, a
//!    manifest's `config` and `layers`, and (with [`CopyOptions::referrers`]) every manifest's
//!    referrers (signature-specification.md §OCI Signature Discovery, OCI distribution-spec
//!    spec.md §Referrers Tag Schema), recursively (signatures on signatures). Every manifest is
//!    fetched and checked against its descriptor (threat model 3). The walk is bounded in nodes
//!    and referrer depth (threat model 14).
//! 2. **Blobs**, with bounded concurrency: skipped when the destination has them (`HEAD`),
//!    mounted when both repositories are on one registry (distribution-spec "Mounting a blob
//!    from another repository"), else streamed: ranged `GET`s from the source, each chunk hashed
//!    and sent as a `PATCH` to the destination's upload session, and the upload closed with
//!    `PUT ?digest=` only when the hash of everything sent equals the descriptor's digest. Peak
//!    memory is a few chunks, whatever the layer size.
//! 3. **Manifests**, children before parents and subjects before referrers, by digest, skipped
//!    when present. Bytes are pushed exactly as fetched, so every digest is preserved.
//! 4. **Referrers index**: where the destination did not answer `OCI-Subject` and has no
//!    Referrers API, the subject's referrers tag index is updated (OCI distribution-spec spec.md
//!    §Referrers Tag Schema) with every referrer copied, in one read-modify-write per subject.
//! 5. **Tag**, last, so a tag never names a graph whose parts are still missing.
//!
//! Re-running after an interruption finishes the copy: present blobs and manifests are skipped,
//! an abandoned upload session is left to the registry's purge, and the index update adds only
//! what is missing (nothing duplicated, nothing lost).
//!
//! This module plans and executes; the blob upload protocol (monolithic, chunked and streamed
//! `PUT`/`PATCH`, cross-repository mount) is in [`upload`].

mod upload;

use std::collections::BTreeSet;

use super::client::{push_scope, RegistryClient, Resolved, MANIFEST_ACCEPT};
use super::content::{http_error, referrer_descriptor};
use super::error::RegistryError;
use super::http::{HttpClient, HttpRequest};
use super::join::try_join_bounded;
use crate::oci::{Descriptor, Digest, Reference};

/// Default size of one streamed chunk: 8 MiB (distribution accepts any chunk size; S3-backed
/// registries want at least 5 MiB per part).
pub const DEFAULT_CHUNK_BYTES: u64 = 8 * 1024 * 1024;

/// Default number of blobs copied at once.
pub const DEFAULT_COPY_CONCURRENCY: usize = 4;

/// Most manifests (images, indexes, referrers) in one copy (threat model 14: a source cannot
/// make a copy walk forever).
pub const MAX_COPY_MANIFESTS: usize = 10_000;

/// Deepest chain of referrers followed (a signature on a signature on ... the artifact).
pub const MAX_REFERRER_DEPTH: usize = 8;

/// Largest blob read whole when the source ignores `Range` requests (threat model 13).
pub const MAX_BUFFERED_BLOB_BYTES: u64 = 256 * 1024 * 1024;

/// Copy options. [`CopyOptions::default`] copies referrers with the default bounds.
#[derive(Clone, Debug)]
pub struct CopyOptions {
    /// Copy the referrers graph (signatures, and signatures on signatures). On by default.
    pub referrers: bool,
    /// Blobs copied at once ([`DEFAULT_COPY_CONCURRENCY`]).
    pub concurrency: usize,
    /// Bytes per streamed chunk ([`DEFAULT_CHUNK_BYTES`]).
    pub chunk_bytes: u64,
    /// Manifests in one copy ([`MAX_COPY_MANIFESTS`]).
    pub max_manifests: usize,
    /// Referrer depth ([`MAX_REFERRER_DEPTH`]).
    pub max_referrer_depth: usize,
    /// Largest blob buffered when the source ignores `Range` ([`MAX_BUFFERED_BLOB_BYTES`]).
    pub max_buffered_blob_bytes: u64,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            referrers: true,
            concurrency: DEFAULT_COPY_CONCURRENCY,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_manifests: MAX_COPY_MANIFESTS,
            max_referrer_depth: MAX_REFERRER_DEPTH,
            max_buffered_blob_bytes: MAX_BUFFERED_BLOB_BYTES,
        }
    }
}

/// How one item reached the destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transfer {
    /// Sent from the source.
    Copied,
    /// Mounted from the source repository on the same registry.
    Mounted,
    /// Already present at the destination.
    Skipped,
}

impl Transfer {
    /// `copied`, `mounted` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transfer::Copied => "copied",
            Transfer::Mounted => "mounted",
            Transfer::Skipped => "skipped",
        }
    }
}

/// A progress event (for a progress display; the report gives the totals).
#[derive(Clone, Debug)]
pub enum CopyEvent<'a> {
    /// The graph is planned: this many manifests and (unique) blobs of this total size.
    Planned {
        /// Manifests, including referrers.
        manifests: usize,
        /// Referrer manifests among them.
        referrers: usize,
        /// Unique blobs.
        blobs: usize,
        /// Their total size.
        bytes: u64,
    },
    /// Bytes of a blob streamed so far.
    BlobProgress {
        /// The blob.
        descriptor: &'a Descriptor,
        /// Bytes sent.
        sent: u64,
    },
    /// A blob is at the destination.
    BlobDone {
        /// The blob.
        descriptor: &'a Descriptor,
        /// How.
        transfer: Transfer,
    },
    /// A manifest is at the destination.
    ManifestDone {
        /// The manifest (with `artifactType` when it has one).
        descriptor: &'a Descriptor,
        /// Whether it is a referrer of another manifest in the graph.
        referrer: bool,
        /// How.
        transfer: Transfer,
    },
}

/// Receives [`CopyEvent`]s. `()` ignores them.
pub trait CopyObserver {
    /// Called for each event, in order.
    fn event(&self, event: &CopyEvent<'_>);
}

impl CopyObserver for () {
    fn event(&self, _: &CopyEvent<'_>) {}
}

/// What a copy did.
#[derive(Clone, Debug, PartialEq)]
pub struct CopyReport {
    /// The source, pinned by digest.
    pub source: Reference,
    /// The destination, pinned by digest (with the tag written, if any).
    pub destination: Reference,
    /// The root manifest's descriptor (the same digest on both sides).
    pub root: Descriptor,
    /// Manifests pushed (including referrers).
    pub manifests_copied: usize,
    /// Manifests already present.
    pub manifests_skipped: usize,
    /// Referrer manifests pushed.
    pub referrers_copied: usize,
    /// Referrer manifests already present.
    pub referrers_skipped: usize,
    /// Blobs streamed.
    pub blobs_copied: usize,
    /// Blobs mounted.
    pub blobs_mounted: usize,
    /// Blobs already present.
    pub blobs_skipped: usize,
    /// Blob bytes streamed.
    pub bytes_copied: u64,
    /// Referrers tag indexes written at the destination (OCI distribution-spec spec.md §Referrers
    /// Tag Schema).
    pub referrers_index_updates: usize,
    /// Notes: tag resolution, skipped non-distributable layers, pagination, ...
    pub warnings: Vec<String>,
}

/// A manifest of the graph, in push order.
struct Node {
    descriptor: Descriptor,
    bytes: Vec<u8>,
    /// The subject, for a referrer.
    subject: Option<Digest>,
}

/// The planned copy.
struct Plan {
    nodes: Vec<Node>,
    blobs: Vec<Descriptor>,
    warnings: Vec<String>,
}

/// The content children of a manifest: child manifests (an index's `manifests`) and blobs
/// (`config`, `layers`, and an artifact manifest's `blobs`).
pub(crate) fn children(bytes: &[u8]) -> Result<(Vec<Descriptor>, Vec<Descriptor>), RegistryError> {
    let v = crate::encoding::parse_json_strict(bytes)
        .map_err(|e| RegistryError::Parse(format!("manifest: {e}")))?;
    let list = |key: &str| -> Result<Vec<Descriptor>, RegistryError> {
        match v.get(key) {
            None | Some(serde_json::Value::Null) => Ok(Vec::new()),
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .map(|d| {
                    Descriptor::from_json_value(d.clone())
                        .map_err(|e| RegistryError::Parse(format!("manifest {key}: {e}")))
                })
                .collect(),
            Some(_) => Err(RegistryError::Parse(format!(
                "manifest {key} is not an array"
            ))),
        }
    };
    let manifests = list("manifests")?;
    let mut blobs = Vec::new();
    if let Some(c) = v.get("config") {
        blobs.push(
            Descriptor::from_json_value(c.clone())
                .map_err(|e| RegistryError::Parse(format!("manifest config: {e}")))?,
        );
    }
    blobs.extend(list("layers")?);
    blobs.extend(list("blobs")?);
    Ok((manifests, blobs))
}

/// The `subject.digest` a manifest declares, if any.
fn declared_subject(bytes: &[u8]) -> Option<Digest> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    Digest::parse(v.get("subject")?.get("digest")?.as_str()?).ok()
}

/// Layers the image-spec marks non-distributable (and Docker's foreign layers) live outside
/// registries; like other copy tools, they are not copied.
fn non_distributable(media_type: &str) -> bool {
    media_type.contains("nondistributable") || media_type.contains(".foreign.")
}

/// A repository reference without tag or digest.
fn repository(r: &Reference) -> Reference {
    Reference {
        registry: r.registry.clone(),
        repository: r.repository.clone(),
        tag: None,
        digest: None,
    }
}

/// Copies the artifact `source` names (a tag or a digest) to `destination` (a repository,
/// optionally with a tag; with no tag the source's tag is used; a digest there must equal the
/// source's), with its blobs and, when `opts.referrers`, its referrers graph. See the module
/// documentation for the steps and guarantees.
pub async fn copy<C: HttpClient>(
    client: &RegistryClient<C>,
    source: &Reference,
    destination: &Reference,
    opts: &CopyOptions,
    observer: &dyn CopyObserver,
) -> Result<CopyReport, RegistryError> {
    let root = client.resolve(source).await?;
    if let Some(d) = &destination.digest {
        if *d != root.descriptor.digest {
            return Err(RegistryError::DigestMismatch {
                expected: d.to_string(),
                actual: root.descriptor.digest.to_string(),
            });
        }
    }
    let tag = destination.tag.clone().or_else(|| source.tag.clone());
    let src = repository(source);
    let dst = repository(destination);
    let copier = Copier {
        client,
        src,
        dst,
        opts,
        observer,
    };
    let plan = copier.plan(&root).await?;
    let mut report = CopyReport {
        source: root.pinned.clone(),
        destination: Reference {
            digest: Some(root.descriptor.digest.clone()),
            tag: tag.clone(),
            ..copier.dst.clone()
        },
        root: root.descriptor.clone(),
        manifests_copied: 0,
        manifests_skipped: 0,
        referrers_copied: 0,
        referrers_skipped: 0,
        blobs_copied: 0,
        blobs_mounted: 0,
        blobs_skipped: 0,
        bytes_copied: 0,
        referrers_index_updates: 0,
        warnings: root.warnings.clone(),
    };
    report.warnings.extend(plan.warnings);
    observer.event(&CopyEvent::Planned {
        manifests: plan.nodes.len(),
        referrers: plan.nodes.iter().filter(|n| n.subject.is_some()).count(),
        blobs: plan.blobs.len(),
        bytes: plan.blobs.iter().map(|b| b.size).sum(),
    });

    let transfers = try_join_bounded(plan.blobs.iter().collect(), opts.concurrency, |b| {
        copier.copy_blob(b)
    })
    .await?;
    for (blob, t) in plan.blobs.iter().zip(&transfers) {
        match t {
            Transfer::Copied => {
                report.blobs_copied += 1;
                report.bytes_copied += blob.size;
            }
            Transfer::Mounted => report.blobs_mounted += 1,
            Transfer::Skipped => report.blobs_skipped += 1,
        }
    }

    // Subjects with referrers in the graph, and whether the destination acknowledged each
    // referrer with `OCI-Subject` (OCI distribution-spec spec.md §Referrers Tag Schema).
    let mut by_subject: Vec<(Digest, Vec<(Descriptor, bool)>)> = Vec::new();
    for node in &plan.nodes {
        let (transfer, acknowledged) = copier.push_manifest(node).await?;
        let referrer = node.subject.is_some();
        if transfer == Transfer::Skipped {
            report.manifests_skipped += 1;
            report.referrers_skipped += usize::from(referrer);
        } else {
            report.manifests_copied += 1;
            report.referrers_copied += usize::from(referrer);
        }
        observer.event(&CopyEvent::ManifestDone {
            descriptor: &node.descriptor,
            referrer,
            transfer,
        });
        if let Some(subject) = &node.subject {
            let entry = (node.descriptor.clone(), acknowledged);
            match by_subject.iter_mut().find(|(s, _)| s == subject) {
                Some((_, list)) => list.push(entry),
                None => by_subject.push((subject.clone(), vec![entry])),
            }
        }
    }
    for (subject, referrers) in &by_subject {
        if referrers.iter().all(|(_, acknowledged)| *acknowledged) {
            continue;
        }
        let (updated, warning) = copier.index_referrers(subject, referrers).await?;
        report.referrers_index_updates += usize::from(updated);
        report.warnings.extend(warning);
    }

    if let Some(tag) = &tag {
        copier
            .client
            .push_manifest(
                &copier.dst,
                tag,
                &root.descriptor.media_type,
                &root.manifest,
            )
            .await?;
    }
    Ok(report)
}

struct Copier<'a, C: HttpClient> {
    client: &'a RegistryClient<C>,
    src: Reference,
    dst: Reference,
    opts: &'a CopyOptions,
    observer: &'a dyn CopyObserver,
}

/// A step of the planning walk: visit a manifest, or emit it once its children are planned.
enum Step {
    Enter {
        descriptor: Descriptor,
        bytes: Option<Vec<u8>>,
        subject: Option<Digest>,
        depth: usize,
    },
    Exit(Node, usize),
}

impl<C: HttpClient> Copier<'_, C> {
    /// Walks the graph depth-first: a manifest's children are planned before it, and its
    /// referrers after it.
    async fn plan(&self, root: &Resolved) -> Result<Plan, RegistryError> {
        let mut plan = Plan {
            nodes: Vec::new(),
            blobs: Vec::new(),
            warnings: Vec::new(),
        };
        let mut seen_manifests: BTreeSet<String> = BTreeSet::new();
        let mut rejected: BTreeSet<String> = BTreeSet::new();
        let mut seen_blobs: BTreeSet<String> = BTreeSet::new();
        let mut stack = vec![Step::Enter {
            descriptor: root.descriptor.clone(),
            bytes: Some(root.manifest.clone()),
            subject: None,
            depth: 0,
        }];
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter {
                    descriptor,
                    bytes,
                    subject,
                    depth,
                } => {
                    if seen_manifests.contains(&descriptor.digest.to_string())
                        || rejected.contains(&descriptor.digest.to_string())
                    {
                        continue;
                    }
                    if seen_manifests.len() >= self.opts.max_manifests {
                        return Err(RegistryError::Limit(format!(
                            "the copy holds more than {} manifests",
                            self.opts.max_manifests
                        )));
                    }
                    let bytes = match bytes {
                        Some(b) => b,
                        None => self.client.fetch_manifest(&self.src, &descriptor).await?,
                    };
                    if let Some(s) = &subject {
                        // A listed referrer must name the subject it was listed for
                        // (signature-specification.md §OCI Signature Discovery); anything else (a
                        // stale or forged index entry) is not copied as one.
                        if declared_subject(&bytes).as_ref() != Some(s) {
                            plan.warnings.push(format!(
                                "{} is listed as a referrer of {s} but does not name it as its \
                                 subject; not copied",
                                descriptor.digest
                            ));
                            rejected.insert(descriptor.digest.to_string());
                            continue;
                        }
                    }
                    seen_manifests.insert(descriptor.digest.to_string());
                    let (manifests, blobs) = children(&bytes)?;
                    for blob in blobs {
                        if non_distributable(&blob.media_type) {
                            plan.warnings.push(format!(
                                "non-distributable layer {} not copied",
                                blob.digest
                            ));
                        } else if seen_blobs.insert(blob.digest.to_string()) {
                            plan.blobs.push(blob);
                        }
                    }
                    let descriptor = if subject.is_some() {
                        referrer_descriptor(&descriptor.media_type, &bytes)
                    } else {
                        descriptor
                    };
                    stack.push(Step::Exit(
                        Node {
                            descriptor,
                            bytes,
                            subject,
                        },
                        depth,
                    ));
                    for child in manifests.into_iter().rev() {
                        stack.push(Step::Enter {
                            descriptor: child,
                            bytes: None,
                            subject: None,
                            depth,
                        });
                    }
                }
                Step::Exit(node, depth) => {
                    let digest = node.descriptor.digest.clone();
                    plan.nodes.push(node);
                    if !self.opts.referrers {
                        continue;
                    }
                    let list = self.client.referrers(&self.src, &digest, None).await?;
                    plan.warnings.extend(list.warnings);
                    if list.descriptors.is_empty() {
                        continue;
                    }
                    if depth >= self.opts.max_referrer_depth {
                        plan.warnings.push(format!(
                            "referrers of {digest} not copied: deeper than {} levels",
                            self.opts.max_referrer_depth
                        ));
                        continue;
                    }
                    for referrer in list.descriptors.into_iter().rev() {
                        stack.push(Step::Enter {
                            descriptor: referrer,
                            bytes: None,
                            subject: Some(digest.clone()),
                            depth: depth + 1,
                        });
                    }
                }
            }
        }
        Ok(plan)
    }

    /// Pushes one manifest by digest unless the destination has it. Returns how, and whether
    /// the registry answered `OCI-Subject` for a referrer.
    async fn push_manifest(&self, node: &Node) -> Result<(Transfer, bool), RegistryError> {
        let digest = node.descriptor.digest.to_string();
        let mut head = HttpRequest::new(
            "HEAD",
            self.client.url(&self.dst, &format!("manifests/{digest}")),
        )
        .header(
            "Accept",
            format!("{}, {MANIFEST_ACCEPT}", node.descriptor.media_type),
        );
        head.max_response_bytes = Some(0);
        let (resp, _) = self
            .client
            .request(
                &self.dst.registry,
                head,
                &push_scope(&self.dst),
                "HEAD manifest",
            )
            .await?;
        if resp.status == 200 {
            return Ok((Transfer::Skipped, false));
        }
        if resp.status != 404 {
            return Err(http_error("HEAD manifest", &resp));
        }
        let pushed = self
            .client
            .push_manifest(&self.dst, &digest, &node.descriptor.media_type, &node.bytes)
            .await?;
        let acknowledged = match (&node.subject, &pushed.oci_subject) {
            (Some(s), Some(answer)) => *answer == s.to_string(),
            _ => false,
        };
        Ok((Transfer::Copied, acknowledged))
    }

    /// Makes the destination list `referrers` of `subject`: nothing to do where the Referrers
    /// API lists them; otherwise one update of the referrers tag index (OCI distribution-spec
    /// spec.md §Referrers Tag Schema). Returns whether the index was written, and a warning when a
    /// Referrers API does not list them.
    async fn index_referrers(
        &self,
        subject: &Digest,
        referrers: &[(Descriptor, bool)],
    ) -> Result<(bool, Option<String>), RegistryError> {
        let listed = self.client.referrers(&self.dst, subject, None).await?;
        let missing: Vec<Descriptor> = referrers
            .iter()
            .filter(|(d, _)| !listed.descriptors.iter().any(|l| l.digest == d.digest))
            .map(|(d, _)| d.clone())
            .collect();
        if missing.is_empty() {
            return Ok((false, None));
        }
        if !listed.via_tag_schema {
            return Ok((
                false,
                Some(format!(
                    "the destination's Referrers API does not list {} referrer(s) of {subject} yet",
                    missing.len()
                )),
            ));
        }
        let wrote = self
            .client
            .add_all_to_referrers_index(&self.dst, subject, &missing)
            .await?;
        Ok((wrote, None))
    }
}

#[cfg(test)]
mod tests;
