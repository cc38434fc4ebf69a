//! OCI types: digests, descriptors, media types, and the Notary signature manifest
//! (signature-specification.md §OCI Signatures).
//!
//! Everything read from a registry is untrusted (threat model 2, 3): descriptors are parsed with the
//! strict JSON reader (no duplicate members, integer sizes only) and the signature manifest must be
//! an OCI image manifest with exactly one layer and no `manifests` member (threat model 2b).

use core::fmt;
use core::str::FromStr;
use std::collections::BTreeMap;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::crypto::{hex, HashAlgorithm};
use crate::encoding::{self, EncodingError};
use crate::error::ErrorCode;
use crate::time::Instant;

/// OCI image manifest media type (signature-specification.md §OCI Signatures).
pub const MEDIA_TYPE_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type (signature-specification.md §OCI Signature Discovery).
pub const MEDIA_TYPE_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest v2 schema 2 media type.
pub(crate) const MEDIA_TYPE_DOCKER_MANIFEST: &str =
    "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list media type.
pub(crate) const MEDIA_TYPE_DOCKER_MANIFEST_LIST: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";
/// The OCI empty descriptor media type (image-spec 1.1; OCI image-spec manifest.md §Guidance for an
/// Empty Descriptor).
pub(crate) const MEDIA_TYPE_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// Digest of the empty JSON object `{}` (signature-specification.md §OCI Signatures).
pub const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
/// Size of the empty JSON object `{}`.
pub const EMPTY_SIZE: u64 = 2;
/// The bytes the empty descriptor stands for.
pub(crate) const EMPTY_CONTENT: &[u8] = b"{}";
/// Artifact type (and legacy config media type) of a Notary signature manifest
/// (signature-specification.md §OCI Signatures).
pub(crate) const ARTIFACT_TYPE_NOTARY_SIGNATURE: &str = "application/vnd.cncf.notary.signature";
/// Annotation carrying the JSON array of SHA-256 certificate thumbprints
/// (signature-specification.md §OCI Signatures).
pub(crate) const ANNOTATION_THUMBPRINT_S256: &str = "io.cncf.notary.x509chain.thumbprint#S256";
/// OCI creation-time annotation; notation sets it to the signing time (signature-specification.md
/// §OCI Signatures).
pub const ANNOTATION_CREATED: &str = "org.opencontainers.image.created";
/// Annotation-key prefix reserved for the Notary Project (signature-specification.md §OCI
/// Signatures, §Payload).
pub(crate) const RESERVED_ANNOTATION_PREFIX: &str = "io.cncf.notary";

/// Largest `size` accepted in a descriptor: 2^53 (integers beyond are not exact in JSON
/// implementations that use doubles; threat model 11c).
pub(crate) const MAX_DESCRIPTOR_SIZE: u64 = 1 << 53;

/// Why an OCI document or value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OciError {
    /// Not `<alg>:<hex>` with a supported algorithm and lower-case hex of the right length.
    InvalidDigest(String),
    /// A descriptor is malformed (missing member, wrong type, bad size).
    InvalidDescriptor(String),
    /// A signature manifest violates signature-specification.md §OCI Signatures (threat model 2b).
    InvalidManifest(String),
    /// An artifact reference is malformed or not fully qualified (threat model 23).
    InvalidReference(String),
    /// The document is not strict JSON (docs/conformance.md §D2).
    Json(EncodingError),
    /// A user annotation uses the reserved `io.cncf.notary` prefix or collides with an existing
    /// one (signature-specification.md §Payload).
    InvalidAnnotation(String),
}

impl OciError {
    /// Stable error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            OciError::InvalidAnnotation(_) => ErrorCode::InvalidAnnotation,
            _ => ErrorCode::Parse,
        }
    }
}

impl fmt::Display for OciError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OciError::InvalidDigest(s) => write!(f, "invalid digest {s:?}"),
            OciError::InvalidDescriptor(s) => write!(f, "invalid descriptor: {s}"),
            OciError::InvalidManifest(s) => write!(f, "invalid signature manifest: {s}"),
            OciError::InvalidReference(s) => write!(f, "invalid reference: {s}"),
            OciError::Json(e) => e.fmt(f),
            OciError::InvalidAnnotation(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for OciError {}

impl From<EncodingError> for OciError {
    fn from(e: EncodingError) -> Self {
        OciError::Json(e)
    }
}

/// A content digest `<algorithm>:<lower-case hex>` (OCI image-spec; sha256/384/512 only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: HashAlgorithm,
    hex: String,
}

impl Digest {
    /// Parses `<alg>:<hex>` strictly: algorithm `sha256`, `sha384` or `sha512`, exactly the
    /// hash's length in lower-case hex digits (signature-specification.md §Payload).
    pub fn parse(s: &str) -> Result<Self, OciError> {
        let bad = || OciError::InvalidDigest(s.to_string());
        let (alg, hex) = s.split_once(':').ok_or_else(bad)?;
        let algorithm = HashAlgorithm::from_name(alg).ok_or_else(bad)?;
        if hex.len() != algorithm.output_len() * 2
            || !hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad());
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    /// The digest of `bytes` under `algorithm`.
    pub fn of(algorithm: HashAlgorithm, bytes: &[u8]) -> Self {
        Digest {
            algorithm,
            hex: hex(&algorithm.digest(bytes)),
        }
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The lower-case hex encoding of the hash.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Whether `bytes` hash to this digest.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        hex(&self.algorithm.digest(bytes)) == self.hex
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl FromStr for Digest {
    type Err = OciError;
    fn from_str(s: &str) -> Result<Self, OciError> {
        Digest::parse(s)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(de::Error::custom)
    }
}

/// An OCI content descriptor (image-spec `descriptor.md`).
///
/// Parsing is case-sensitive and strict about types: `size` must be a non-negative JSON integer
/// ≤ 2^53 (threat model 11c). Unknown members are ignored, as the OCI spec requires.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// Media type of the referenced content.
    pub media_type: String,
    /// Digest of the referenced content.
    pub digest: Digest,
    /// Size in bytes of the referenced content.
    pub size: u64,
    /// Alternate download locations; nv2 never fetches them (threat model 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urls: Option<Vec<String>>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Embedded content (standard base64), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Platform of the referenced manifest (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<serde_json::Value>,
    /// Artifact type of the referenced manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
}

fn deserialize_size<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct SizeVisitor;
    impl Visitor<'_> for SizeVisitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer size no larger than 2^53")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            if v > MAX_DESCRIPTOR_SIZE {
                return Err(E::custom(format!("size {v} exceeds 2^53")));
            }
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom(format!("negative size {v}")))
                .and_then(|v| self.visit_u64(v))
        }
    }
    d.deserialize_any(SizeVisitor)
}

/// Reads the JSON object into a `Value`, then each known member with its own type's
/// deserializer, in member order, with serde's messages (`missing field`, `invalid type`).
///
/// Written out rather than derived: the derived visitor, instantiated for every deserializer it
/// meets, costs the wasm about 9 KB. Unlike the derive, a JSON array is not read as a descriptor
/// (image-spec `descriptor.md`: a descriptor is an object).
impl<'de> Deserialize<'de> for Descriptor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        let map = match Value::deserialize(d)? {
            Value::Object(map) => map,
            other => {
                let unexpected = match &other {
                    Value::Null => de::Unexpected::Unit,
                    Value::Bool(b) => de::Unexpected::Bool(*b),
                    Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                        (Some(u), _, _) => de::Unexpected::Unsigned(u),
                        (_, Some(i), _) => de::Unexpected::Signed(i),
                        (_, _, f) => de::Unexpected::Float(f.unwrap_or(f64::NAN)),
                    },
                    Value::String(s) => de::Unexpected::Str(s),
                    _ => de::Unexpected::Seq,
                };
                return Err(de::Error::invalid_type(unexpected, &"struct Descriptor"));
            }
        };
        let field = |e: serde_json::Error| <D::Error as de::Error>::custom(e);
        let (mut media_type, mut digest, mut size) = (None, None, None);
        let (mut urls, mut annotations, mut data, mut platform, mut artifact_type) =
            (None, None, None, None, None);
        for (key, value) in map {
            match key.as_str() {
                "mediaType" => media_type = Some(String::deserialize(value).map_err(field)?),
                "digest" => digest = Some(Digest::deserialize(value).map_err(field)?),
                "size" => size = Some(deserialize_size(value).map_err(field)?),
                "urls" => urls = Option::deserialize(value).map_err(field)?,
                "annotations" => annotations = Option::deserialize(value).map_err(field)?,
                "data" => data = Option::deserialize(value).map_err(field)?,
                "platform" => platform = Option::deserialize(value).map_err(field)?,
                "artifactType" => artifact_type = Option::deserialize(value).map_err(field)?,
                // Unknown members are ignored (image-spec `descriptor.md`).
                _ => {}
            }
        }
        Ok(Descriptor {
            media_type: media_type.ok_or_else(|| de::Error::missing_field("mediaType"))?,
            digest: digest.ok_or_else(|| de::Error::missing_field("digest"))?,
            size: size.ok_or_else(|| de::Error::missing_field("size"))?,
            urls,
            annotations,
            data,
            platform,
            artifact_type,
        })
    }
}

impl Descriptor {
    /// A descriptor with only `mediaType`, `digest` and `size`.
    pub fn new(media_type: impl Into<String>, digest: Digest, size: u64) -> Self {
        Descriptor {
            media_type: media_type.into(),
            digest,
            size,
            urls: None,
            annotations: None,
            data: None,
            platform: None,
            artifact_type: None,
        }
    }

    /// The descriptor of `content` (digest under `algorithm`).
    pub fn for_content(
        media_type: impl Into<String>,
        algorithm: HashAlgorithm,
        content: &[u8],
    ) -> Self {
        Descriptor::new(
            media_type,
            Digest::of(algorithm, content),
            content.len() as u64,
        )
    }

    /// The OCI empty descriptor (`{}`; signature-specification.md §OCI Signatures).
    pub fn empty() -> Self {
        Descriptor::for_content(MEDIA_TYPE_EMPTY, HashAlgorithm::Sha256, EMPTY_CONTENT)
    }

    /// Converts a JSON value (already read by the strict parser) into a descriptor.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self, OciError> {
        if !value.is_object() {
            return Err(OciError::InvalidDescriptor("not a JSON object".into()));
        }
        let d: Descriptor = serde_json::from_value(value)
            .map_err(|e| OciError::InvalidDescriptor(e.to_string()))?;
        if d.media_type.is_empty() {
            return Err(OciError::InvalidDescriptor("empty mediaType".into()));
        }
        Ok(d)
    }

    /// Parses a descriptor from JSON bytes (strict JSON, docs/conformance.md §D2).
    pub fn from_json(bytes: &[u8]) -> Result<Self, OciError> {
        Descriptor::from_json_value(encoding::parse_json_strict(bytes)?)
    }

    /// Whether `other` names the same content: only `mediaType`, `digest` and `size` are compared
    /// (signing-and-verification-workflow.md §OCI artifact verification workflow; threat model 2).
    pub fn matches_target(&self, other: &Descriptor) -> bool {
        self.media_type == other.media_type
            && self.digest == other.digest
            && self.size == other.size
    }

    /// Whether `content` is exactly the referenced bytes (size and digest; threat model 3).
    pub fn matches_content(&self, content: &[u8]) -> bool {
        self.size == content.len() as u64 && self.digest.matches(content)
    }
}

/// Wire form of an image manifest, in the member order Go's `ocispec.Manifest` writes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestOut<'a> {
    schema_version: u32,
    media_type: &'a str,
    artifact_type: &'a str,
    config: &'a Descriptor,
    layers: [&'a Descriptor; 1],
    subject: &'a Descriptor,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// Serialized bytes of a document together with its descriptor.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedManifest {
    /// The manifest bytes to push.
    pub bytes: Vec<u8>,
    /// Its descriptor: OCI manifest media type, SHA-256 digest, size, `artifactType` and the
    /// manifest annotations (what a referrers index entry carries, signature-specification.md §OCI
    /// Signature Discovery, OCI distribution-spec spec.md §Referrers Tag Schema).
    pub descriptor: Descriptor,
}

/// A Notary signature manifest (signature-specification.md §OCI Signatures): the envelope layer,
/// the signed subject and the manifest annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureManifest {
    /// Descriptor of the single layer: the signature envelope blob. Its `mediaType` selects the
    /// envelope format.
    pub envelope: Descriptor,
    /// Descriptor of the signed manifest. Unsigned: never trusted (threat model 2).
    pub subject: Descriptor,
    /// Manifest annotations (thumbprints, creation time, ...).
    pub annotations: BTreeMap<String, String>,
    /// Whether the manifest used the legacy form (`config.mediaType` = Notary signature, no
    /// `artifactType`).
    pub legacy: bool,
}

impl SignatureManifest {
    /// A manifest in the current form for `envelope` signing `subject` (signature-specification.md
    /// §OCI Signatures): annotation `io.cncf.notary.x509chain.thumbprint#S256` = JSON array (as a
    /// string) of the lower-case SHA-256 hex of each certificate of `cert_chain` in chain order,
    /// and `org.opencontainers.image.created` = `created` (RFC 3339, seconds, UTC).
    pub fn new(
        envelope: Descriptor,
        subject: &Descriptor,
        cert_chain: &[Vec<u8>],
        created: Instant,
    ) -> Result<Self, OciError> {
        let thumbprints: Vec<String> = cert_chain
            .iter()
            .map(|c| crate::crypto::sha256_hex(c))
            .collect();
        let thumbprints = serde_json::to_string(&thumbprints)
            .map_err(|e| OciError::InvalidManifest(e.to_string()))?;
        let mut annotations = BTreeMap::new();
        annotations.insert(ANNOTATION_THUMBPRINT_S256.to_string(), thumbprints);
        annotations.insert(ANNOTATION_CREATED.to_string(), created.to_rfc3339());
        Ok(SignatureManifest {
            envelope,
            subject: Descriptor::new(
                subject.media_type.clone(),
                subject.digest.clone(),
                subject.size,
            ),
            annotations,
            legacy: false,
        })
    }

    /// Serializes the manifest in the current form (signature-specification.md §OCI Signatures:
    /// `artifactType` = Notary signature, empty config) and computes its descriptor.
    pub fn encode(&self) -> Result<EncodedManifest, OciError> {
        let config = Descriptor::empty();
        let out = ManifestOut {
            schema_version: 2,
            media_type: MEDIA_TYPE_OCI_MANIFEST,
            artifact_type: ARTIFACT_TYPE_NOTARY_SIGNATURE,
            config: &config,
            layers: [&self.envelope],
            subject: &self.subject,
            annotations: &self.annotations,
        };
        let bytes =
            serde_json::to_vec(&out).map_err(|e| OciError::InvalidManifest(e.to_string()))?;
        let mut descriptor =
            Descriptor::for_content(MEDIA_TYPE_OCI_MANIFEST, HashAlgorithm::Sha256, &bytes);
        descriptor.artifact_type = Some(ARTIFACT_TYPE_NOTARY_SIGNATURE.to_string());
        if !self.annotations.is_empty() {
            descriptor.annotations = Some(self.annotations.clone());
        }
        Ok(EncodedManifest { bytes, descriptor })
    }

    /// Parses a signature manifest (signature-specification.md §OCI Signatures), accepting the
    /// current form (`artifactType` = Notary signature with the empty config) and the legacy form
    /// (`config.mediaType` = Notary signature). Requires `schemaVersion` 2, `mediaType` = OCI image
    /// manifest, exactly one layer and a `subject`; rejects a body that also has `manifests` (an
    /// index/manifest polyglot, threat model 2b) or `blobs`.
    pub fn parse(bytes: &[u8]) -> Result<Self, OciError> {
        let bad = |s: &str| OciError::InvalidManifest(s.to_string());
        let mut m = encoding::parse_json_object_strict(bytes)?;
        if m.contains_key("manifests") {
            return Err(bad(
                "a manifest must not have both \"layers\" and \"manifests\"",
            ));
        }
        if m.contains_key("blobs") {
            return Err(bad("artifact manifests (\"blobs\") are not supported"));
        }
        if m.get("schemaVersion").and_then(|v| v.as_u64()) != Some(2) {
            return Err(bad("schemaVersion must be 2"));
        }
        match m.get("mediaType") {
            Some(serde_json::Value::String(s)) if s == MEDIA_TYPE_OCI_MANIFEST => {}
            Some(_) => return Err(bad("mediaType is not the OCI image manifest type")),
            None => return Err(bad("mediaType is missing")),
        }
        let artifact_type = match m.get("artifactType") {
            None => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("artifactType is not a string")),
        };
        let config = Descriptor::from_json_value(
            m.remove("config").ok_or_else(|| bad("config is missing"))?,
        )?;
        let legacy = match (artifact_type.as_deref(), config.media_type.as_str()) {
            (Some(ARTIFACT_TYPE_NOTARY_SIGNATURE), MEDIA_TYPE_EMPTY) => false,
            (Some(ARTIFACT_TYPE_NOTARY_SIGNATURE) | None, ARTIFACT_TYPE_NOTARY_SIGNATURE) => true,
            _ => return Err(bad("not a Notary signature manifest")),
        };
        if let Some(data) = &config.data {
            let content = encoding::base64_std_decode(data)?;
            if !config.matches_content(&content) {
                return Err(bad("config data does not match its digest and size"));
            }
        }
        let layers = match m.remove("layers") {
            Some(serde_json::Value::Array(l)) => l,
            Some(_) => return Err(bad("layers is not an array")),
            None => return Err(bad("layers is missing")),
        };
        if layers.len() != 1 {
            return Err(bad(
                "signature manifest requires exactly one signature envelope blob",
            ));
        }
        let mut layers = layers.into_iter();
        let envelope = Descriptor::from_json_value(layers.next().unwrap_or_default())?;
        let subject = Descriptor::from_json_value(
            m.remove("subject")
                .ok_or_else(|| bad("subject is missing"))?,
        )?;
        let annotations = match m.remove("annotations") {
            None => BTreeMap::new(),
            Some(v) => serde_json::from_value(v)
                .map_err(|_| bad("annotations must map strings to strings"))?,
        };
        Ok(SignatureManifest {
            envelope,
            subject,
            annotations,
            legacy,
        })
    }

    /// The certificate thumbprints (lower-cased hex) from the `#S256` annotation, if present and
    /// well formed (signature-specification.md §OCI Signatures: compare case-insensitively).
    pub fn thumbprints(&self) -> Option<Vec<String>> {
        let raw = self.annotations.get(ANNOTATION_THUMBPRINT_S256)?;
        let v: Vec<String> =
            serde_json::from_value(encoding::parse_json_strict(raw.as_bytes()).ok()?).ok()?;
        Some(v.into_iter().map(|s| s.to_ascii_lowercase()).collect())
    }
}

/// A parsed artifact reference `registry/repository[:tag][@digest]` (distribution-spec names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Registry host (and port), e.g. `ghcr.io`, `localhost:5000`, `docker.io`.
    pub registry: String,
    /// Repository path, e.g. `library/alpine`.
    pub repository: String,
    /// Tag, if given.
    pub tag: Option<String>,
    /// Digest, if given (takes precedence over the tag for resolution; threat model 3).
    pub digest: Option<Digest>,
}

/// The Docker Hub registry name used when a reference names none.
pub(crate) const DOCKER_HUB: &str = "docker.io";

impl Reference {
    /// Parses a reference, applying Docker's defaults: no registry → `docker.io`, and a
    /// single-component Docker Hub repository gets the `library/` prefix.
    pub fn parse(s: &str) -> Result<Self, OciError> {
        Reference::parse_inner(s, false)
    }

    /// Parses a fully qualified reference: the first component must be a registry (contains a
    /// `.` or `:`, or is `localhost`). Trust-policy scopes need this (threat model 23).
    pub fn parse_qualified(s: &str) -> Result<Self, OciError> {
        Reference::parse_inner(s, true)
    }

    fn parse_inner(s: &str, qualified: bool) -> Result<Self, OciError> {
        let bad = |why: &str| OciError::InvalidReference(format!("{s:?}: {why}"));
        if s.len() > 4096 {
            return Err(bad("too long"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(Digest::parse(d)?)),
            None => (s, None),
        };
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(rest[i + 1..].to_string())),
            _ => (rest, None),
        };
        if let Some(t) = &tag {
            let b = t.as_bytes();
            let ok = !b.is_empty()
                && b.len() <= 128
                && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
            if !ok {
                return Err(bad("invalid tag"));
            }
        }
        let (first, remainder) = match name.split_once('/') {
            Some((f, r)) => (f, Some(r)),
            None => (name, None),
        };
        let is_registry = |f: &str| f.contains('.') || f.contains(':') || f == "localhost";
        let (registry, repository) = match remainder {
            Some(r) if is_registry(first) => (first.to_string(), r.to_string()),
            _ if qualified => return Err(bad("no registry")),
            Some(_) => (DOCKER_HUB.to_string(), name.to_string()),
            None => (DOCKER_HUB.to_string(), format!("library/{name}")),
        };
        if registry.is_empty()
            || !registry
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'[' | b']'))
        {
            return Err(bad("invalid registry"));
        }
        // distribution-spec: path components [a-z0-9]+ joined by `.`, `_`, `__` or `-`+.
        let component_ok = |c: &str| {
            let b = c.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_lowercase() | b[0].is_ascii_digit()
                && b[b.len() - 1].is_ascii_lowercase() | b[b.len() - 1].is_ascii_digit()
                && b.iter().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
                })
                && !c.contains("..")
                && !c.contains("___")
                && !c.contains("._")
                && !c.contains("_.")
        };
        if repository.len() > 255 || !repository.split('/').all(component_ok) {
            return Err(bad("invalid repository"));
        }
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository`, the trust-policy scope form (trust-store-trust-policy.md §Trust
    /// Policy).
    pub fn scope(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
