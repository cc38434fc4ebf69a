//! Blob exports (signature-specification.md §Blob Signatures): an incremental hasher
//! (`BlobHasher`), the hash a blob needs (`blobHashAlgorithm`), detached verification of a hashed
//! blob (`verifyBlob`), inspection of a `<blob>.<format>.sig` file (`inspectBlobSignature`) and
//! blob trust policy validation (`validateBlobTrustPolicy`). Signing a blob reuses `signDescriptor`
//! / `prepareSignature` with the descriptor `BlobHasher.finish` returns.

use std::collections::BTreeMap;

use base64ct::{Base64, Encoding};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use super::convert::{
    self, bytes_field, certs_field, crls_field, instant_field, js_error, opt_field, opt_str_field,
    str_field, to_js, trust_store_field, JsFailure,
};
use crate::blob::{self, BlobSignatureInfo};
use crate::crypto::HashAlgorithm;
use crate::oci::Digest;
use crate::policy::BlobTrustPolicy;
use crate::revocation::fetch::verify_fetching;
use crate::revocation::{RevocationChecker, RevocationMaterial};
use crate::verify::{verify_blob as verify_blob_core, BlobContent, BlobVerifyRequest};

fn policy_failure(e: crate::policy::PolicyError) -> JsFailure {
    JsFailure::new(e.code(), e.to_string())
}

fn parse_failure(e: crate::envelope::EnvelopeError) -> JsFailure {
    JsFailure::new(e.code(), e.to_string()).with_details(e.details())
}

/// Hashes a blob chunk by chunk: `new BlobHasher("sha384")`, `update(chunk)` any number of
/// times, then `finish(mediaType)` → `{ mediaType, digest, size }`.
#[wasm_bindgen(js_name = BlobHasher)]
pub struct BlobHasher {
    inner: Option<blob::BlobHasher>,
}

#[wasm_bindgen(js_class = BlobHasher)]
impl BlobHasher {
    /// A hasher for `sha256`, `sha384` or `sha512`.
    #[wasm_bindgen(constructor)]
    pub fn new(algorithm: &str) -> Result<BlobHasher, JsValue> {
        let alg = HashAlgorithm::from_name(algorithm).ok_or_else(|| {
            js_error(JsFailure::invalid(format!(
                "unsupported hash algorithm {algorithm:?} (sha256, sha384 or sha512)"
            )))
        })?;
        Ok(BlobHasher {
            inner: Some(blob::BlobHasher::new(alg)),
        })
    }

    /// Feeds the next chunk.
    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(h) = self.inner.as_mut() {
            h.update(chunk);
        }
    }

    /// The blob's descriptor; can be called once.
    pub fn finish(&mut self, media_type: &str) -> Result<JsValue, JsValue> {
        (|| {
            let h = self
                .inner
                .take()
                .ok_or_else(|| JsFailure::invalid("this BlobHasher was already finished"))?;
            let d = h
                .finish(media_type)
                .map_err(|e| JsFailure::invalid(e.to_string()))?;
            to_js(&d)
        })()
        .map_err(js_error)
    }
}

/// The hash a blob must be digested with (signature-specification.md §Blob Signatures, §Signature
/// Algorithm Requirements): `{ certChain }` (signing: the leaf key's algorithm) or `{ envelope,
/// mediaType }` (verifying: the envelope's algorithm). An envelope that does not parse gets
/// `sha256`; `verifyBlob` then reports why it does not parse.
#[wasm_bindgen(js_name = blobHashAlgorithm)]
pub fn blob_hash_algorithm(opts: JsValue) -> Result<String, JsValue> {
    (|| {
        let has = |k: &str| {
            js_sys::Reflect::get(&opts, &k.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null())
        };
        if has("certChain") {
            let chain = certs_field(&opts, "certChain")?;
            let alg = super::convert::leaf_algorithm(&chain)?;
            return Ok(alg.hash().name().to_string());
        }
        let envelope = bytes_field(&opts, "envelope")?;
        let media_type = str_field(&opts, "mediaType")?;
        Ok(blob::hash_algorithm_for_envelope(&media_type, &envelope)
            .unwrap_or(HashAlgorithm::Sha256)
            .name()
            .to_string())
    })()
    .map_err(js_error)
}

/// Verifies a detached blob signature against a blob trust policy (signature-specification.md §Blob
/// Signatures, trust-store-trust-policy.md §Blob Trust Policy, §Signature Verification).
///
/// `opts`: `{ envelope, mediaType (envelope), blobDigest, blobSize, blobMediaType?,
/// trustPolicy: blob policy object, policyName?, trustStore, now, userMetadata?, crls?, offline?,
/// revocationCache?, fetch?, timeout? }`, the digest taken with the hash `blobHashAlgorithm`
/// names. Resolves to the outcome object (as `verifyEnvelope`); rejects for invalid input or when
/// no statement applies. Revocation: the CRLs given, then (unless `offline`) OCSP and CRL
/// downloads through `fetch` ([`crate::revocation::fetch`]).
#[wasm_bindgen(js_name = verifyBlob)]
pub fn verify_blob(opts: JsValue) -> js_sys::Promise {
    // Through the shared boxed-future helper: one promise glue for every async export.
    super::registry::promise(verify_blob_async(opts))
}

async fn verify_blob_async(opts: JsValue) -> Result<JsValue, JsFailure> {
    let envelope = bytes_field(&opts, "envelope")?;
    let media_type = str_field(&opts, "mediaType")?;
    let digest_text = str_field(&opts, "blobDigest")?;
    let digest = Digest::parse(&digest_text).map_err(|e| JsFailure::invalid(e.to_string()))?;
    let size: u64 = convert::serde_field(&opts, "blobSize")?;
    let blob_media_type = opt_str_field(&opts, "blobMediaType")?;
    let policy_value: Value = convert::serde_field(&opts, "trustPolicy")?;
    let policy = BlobTrustPolicy::from_value(&policy_value).map_err(policy_failure)?;
    let policy_name = opt_str_field(&opts, "policyName")?;
    let trust_store = trust_store_field(&opts, "trustStore")?;
    let now = instant_field(&opts, "now")?.ok_or_else(|| {
        JsFailure::invalid("`now` is required (milliseconds since the epoch or RFC 3339)")
    })?;
    let user_metadata: BTreeMap<String, String> =
        opt_field(&opts, "userMetadata")?.unwrap_or_default();
    let crls = crls_field(&opts, "crls")?.unwrap_or_default();
    let (online, cache) = super::revocation::revocation_options(&opts)?;
    let http = super::registry::fetch_client(&opts)?;
    let deadlines = super::registry::deadlines_field(&opts)?;
    let mut material = RevocationMaterial::new(crls, online);
    let run = |checker: &dyn RevocationChecker| {
        let req = BlobVerifyRequest {
            envelope: &envelope,
            media_type: &media_type,
            blob: BlobContent::Digest {
                digest: &digest,
                size,
            },
            blob_media_type: blob_media_type.as_deref(),
            policy: &policy,
            policy_name: policy_name.as_deref(),
            trust_store: &trust_store,
            now,
            user_metadata: &user_metadata,
            revocation: Some(checker),
        };
        verify_blob_core(&req)
    };
    // A statement that does not apply is an error before anything is fetched.
    let outcome = verify_fetching(
        &http,
        &deadlines,
        &cache,
        &mut material,
        now,
        &mut |checker| run(checker),
    )
    .await
    .map_err(|e| JsFailure::new(e.code(), e.to_string()).with_details(e.details()))?;
    to_js(&super::outcome_json(&outcome, &media_type))
}

fn info_json(i: &BlobSignatureInfo, media_type: &str) -> Value {
    let s = &i.signed;
    let extended: serde_json::Map<String, Value> = i
        .extended_attributes()
        .iter()
        .map(|a| (a.key.clone(), a.value.clone()))
        .collect();
    let mut v = obj!({
        "mediaType": media_type,
        "signatureAlgorithm": s.algorithm.jws_name(),
        "signedAttributes": {
            "contentType": s.content_type,
            "signingScheme": s.signing_scheme.as_str(),
            "signingTime": s.authentic_signing_time.or(s.signing_time).map(|t| t.to_rfc3339()),
            "expiry": s.expiry.map(|t| t.to_rfc3339()),
            "verificationPlugin": s.verification_plugin,
            "verificationPluginMinVersion": s.verification_plugin_min_version,
            "extended": extended,
        },
        "unsignedAttributes": {
            "signingAgent": i.signing_agent,
            "timestampSignature": i.timestamp_token.as_ref().map(|t| Base64::encode_string(t)),
        },
        "certificates": convert::chain_json(&i.chain),
        "signedArtifact": i.target.as_ref().map(|d| serde_json::to_value(d).unwrap_or(Value::Null)),
    });
    if let Some(e) = &i.payload_error {
        v["payloadError"] = json!(e);
    }
    v
}

/// Describes a detached signature without trusting it (notation `blob inspect`): `{ envelope,
/// mediaType }` → `{ mediaType, signatureAlgorithm, signedAttributes, unsignedAttributes,
/// certificates, signedArtifact, payloadError? }`. Throws `ParseError` when it does not parse.
#[wasm_bindgen(js_name = inspectBlobSignature)]
pub fn inspect_blob_signature(opts: JsValue) -> Result<JsValue, JsValue> {
    (|| {
        let envelope = bytes_field(&opts, "envelope")?;
        let media_type = str_field(&opts, "mediaType")?;
        let info = blob::inspect_blob_signature(&media_type, &envelope).map_err(parse_failure)?;
        to_js(&info_json(&info, &media_type))
    })()
    .map_err(js_error)
}

/// Validates a blob trust policy document (`trustpolicy.blob.json`, trust-store-trust-policy.md
/// §Blob Trust Policy) and returns `{ version, statements: [{ name, level, globalPolicy,
/// trustStores }] }`; throws `ERR_POLICY_INVALID` with notation's message otherwise.
#[wasm_bindgen(js_name = validateBlobTrustPolicy)]
pub fn validate_blob_trust_policy(policy: JsValue) -> Result<JsValue, JsValue> {
    (|| {
        let value: Value = convert::from_js(&policy, "trustPolicy")?;
        let doc = BlobTrustPolicy::from_value(&value).map_err(policy_failure)?;
        let statements: Vec<Value> = doc
            .statements
            .iter()
            .map(|s| {
                obj!({
                    "name": s.statement.name,
                    "level": s.statement.signature_verification.level.name(),
                    "globalPolicy": s.global_policy,
                    "trustStores": s.statement.trust_stores.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                })
            })
            .collect();
        to_js(&obj!({ "version": doc.version, "statements": statements }))
    })()
    .map_err(js_error)
}
