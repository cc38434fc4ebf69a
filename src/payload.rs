//! The Notary payload (signature-specification.md §Payload): `{"targetArtifact": <OCI
//! descriptor>}`, media type `application/vnd.cncf.notary.payload.v1+json`.
//!
//! Read only from a verified envelope (`Payload::from_verified`, defined beside the envelope
//! types so this module does not depend on them), parsed with the strict JSON
//! reader (duplicate members rejected, docs/conformance.md §D2). At signing the target descriptor
//! is sanitised to `mediaType`, `digest`, `size` and `annotations`, as notation does
//! (signature-specification.md §Payload).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::encoding;
use crate::oci::{Descriptor, OciError, RESERVED_ANNOTATION_PREFIX};

/// The payload media type, the only content type a Notary envelope may carry
/// (signature-specification.md §Payload).
pub const MEDIA_TYPE_PAYLOAD: &str = "application/vnd.cncf.notary.payload.v1+json";

/// A decoded Notary payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Payload {
    /// The signed artifact's descriptor. Only `mediaType`, `digest` and `size` decide whether the
    /// signature is for a given artifact (signing-and-verification-workflow.md §OCI artifact
    /// verification workflow); annotations carry user metadata.
    pub target_artifact: Descriptor,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayloadOut<'a> {
    target_artifact: &'a Descriptor,
}

impl Payload {
    /// Decodes payload bytes that came out of a verified envelope (signature-specification.md
    /// §Payload): a strict JSON object (no duplicate members at any depth) with a `targetArtifact`
    /// descriptor carrying `mediaType`, `digest` and `size`. Other top-level members are ignored.
    pub fn from_verified_bytes(bytes: &[u8]) -> Result<Self, OciError> {
        let mut m = encoding::parse_json_object_strict(bytes)?;
        let target = m.remove("targetArtifact").ok_or_else(|| {
            OciError::InvalidDescriptor("payload has no \"targetArtifact\"".into())
        })?;
        Ok(Payload {
            target_artifact: Descriptor::from_json_value(target)?,
        })
    }

    /// The payload for signing `target` (signature-specification.md §Payload): the descriptor
    /// sanitised to `mediaType`, `digest`, `size` and `annotations`, with `user_annotations` added.
    /// User keys must not use the reserved `io.cncf.notary` prefix nor collide with the target's
    /// own annotations.
    pub fn for_target(
        target: &Descriptor,
        user_annotations: &BTreeMap<String, String>,
    ) -> Result<Self, OciError> {
        let mut annotations = target.annotations.clone().unwrap_or_default();
        for (k, v) in user_annotations {
            if k.starts_with(RESERVED_ANNOTATION_PREFIX) {
                return Err(OciError::InvalidAnnotation(format!(
                    "error adding user metadata: metadata key {k} is reserved"
                )));
            }
            if annotations.insert(k.clone(), v.clone()).is_some() {
                return Err(OciError::InvalidAnnotation(format!(
                    "error adding user metadata: metadata key {k} is already present in the target artifact"
                )));
            }
        }
        let mut target_artifact = Descriptor::new(
            target.media_type.clone(),
            target.digest.clone(),
            target.size,
        );
        if !annotations.is_empty() {
            target_artifact.annotations = Some(annotations);
        }
        Ok(Payload { target_artifact })
    }

    /// The JSON bytes to sign.
    pub fn to_bytes(&self) -> Result<Vec<u8>, OciError> {
        serde_json::to_vec(&PayloadOut {
            target_artifact: &self.target_artifact,
        })
        .map_err(|e| OciError::InvalidDescriptor(e.to_string()))
    }

    /// The user metadata (target annotations), empty when none.
    pub fn annotations(&self) -> BTreeMap<String, String> {
        self.target_artifact.annotations.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::Digest;

    const D: &str = "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e";

    #[test]
    fn parses_payloads() {
        let p = Payload::from_verified_bytes(
            format!(r#"{{"targetArtifact":{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{D}","size":528}}}}"#).as_bytes(),
        )
        .unwrap();
        assert_eq!(p.target_artifact.size, 528);
        for bad in [
            "[]".to_string(),
            "{}".to_string(),
            format!(
                r#"{{"targetArtifact":{{"mediaType":"a/b","digest":"{D}","size":1}},"targetArtifact":{{"mediaType":"a/b","digest":"{D}","size":2}}}}"#
            ),
            format!(r#"{{"targetArtifact":{{"mediaType":"a/b","digest":"{D}"}}}}"#),
            format!(r#"{{"targetArtifact":{{"digest":"{D}","size":1}}}}"#),
            format!(r#"{{"targetArtifact":{{"mediaType":"a/b","digest":"{D}","size":1.0}}}}"#),
            format!(r#"{{"TargetArtifact":{{"mediaType":"a/b","digest":"{D}","size":1}}}}"#),
        ] {
            assert!(
                Payload::from_verified_bytes(bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn builds_sanitised_payloads() {
        let mut target = Descriptor::new("a/b", Digest::parse(D).unwrap(), 7);
        target.urls = Some(vec!["https://evil.example".into()]);
        target.artifact_type = Some("x/y".into());
        let user = BTreeMap::from([("k".to_string(), "v".to_string())]);
        let p = Payload::for_target(&target, &user).unwrap();
        assert_eq!(
            String::from_utf8(p.to_bytes().unwrap()).unwrap(),
            format!(
                r#"{{"targetArtifact":{{"mediaType":"a/b","digest":"{D}","size":7,"annotations":{{"k":"v"}}}}}}"#
            )
        );
        assert_eq!(
            Payload::from_verified_bytes(&p.to_bytes().unwrap()).unwrap(),
            p
        );
        let reserved = BTreeMap::from([("io.cncf.notary.x".to_string(), "v".to_string())]);
        let err = Payload::for_target(&target, &reserved).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_ANNOTATION");
        target.annotations = Some(user.clone());
        assert!(Payload::for_target(&target, &user).is_err());
        let none = Payload::for_target(&target, &BTreeMap::new()).unwrap();
        assert_eq!(none.annotations(), user);
    }
}
