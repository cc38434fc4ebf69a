//! Signing exports: with a PEM key inside wasm (`signDescriptor`), or in two phases for host
//! signers (`prepareSignature` → host signs `toBeSigned` → `finish`), so WebCrypto keys and KMS
//! keys never enter wasm (architecture practice 12).

use std::collections::BTreeMap;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::convert::{
    certs_field, instant_field, js_error, opt_field, opt_str_field, serde_field, str_field, to_js,
    JsFailure,
};
use crate::oci::Descriptor;
use crate::sign::{
    self as core_sign, LocalSigner, SignError, SignOptions, SignatureFormat, SignedArtifact, Signer,
};

fn sign_failure(e: SignError) -> JsFailure {
    JsFailure::new(e.code(), e.to_string())
}

/// `signatureFormat` (`format` is accepted as an older name): `"jws"` (default) or `"cose"`
/// (signature-specification.md §OCI Signatures).
pub(super) fn format_field(opts: &JsValue) -> Result<SignatureFormat, JsFailure> {
    let name = match opt_str_field(opts, "signatureFormat")? {
        Some(f) => Some(f),
        None => opt_str_field(opts, "format")?,
    };
    match name {
        None => Ok(SignatureFormat::Jws),
        Some(f) => SignatureFormat::from_name(&f).ok_or_else(|| {
            JsFailure::new(
                crate::error::ErrorCode::UnsupportedEnvelope,
                format!("signature format {f:?} is not supported (use \"jws\" or \"cose\")"),
            )
        }),
    }
}

/// Reads the options shared by both signing paths.
fn sign_options(opts: &JsValue) -> Result<(Descriptor, SignOptions), JsFailure> {
    let format = format_field(opts)?;
    let target: Descriptor = serde_field(opts, "target")?;
    let signing_time = instant_field(opts, "signingTime")?.ok_or_else(|| {
        JsFailure::invalid("`signingTime` is required (the JS wrapper supplies the host clock)")
    })?;
    let mut options = SignOptions::new(signing_time);
    options.format = format;
    options.expiry = instant_field(opts, "expiry")?;
    if let Some(agent) = opt_str_field(opts, "signingAgent")? {
        options.signing_agent = agent;
    }
    options.user_annotations =
        opt_field::<BTreeMap<String, String>>(opts, "annotations")?.unwrap_or_default();
    Ok((target, options))
}

fn artifact_json(a: &SignedArtifact) -> Value {
    obj!({
        "mediaType": a.media_type,
        "signatureDescriptor": serde_json::to_value(&a.envelope_descriptor).unwrap_or(Value::Null),
        "manifestDescriptor": serde_json::to_value(&a.manifest.descriptor).unwrap_or(Value::Null),
    })
}

/// Result object: plain JSON fields plus the envelope and manifest as `Uint8Array`s.
fn artifact_js(a: &SignedArtifact) -> Result<JsValue, JsFailure> {
    let obj = to_js(&artifact_json(a))?;
    let set = |k: &str, bytes: &[u8]| {
        let _ = js_sys::Reflect::set(&obj, &k.into(), &js_sys::Uint8Array::from(bytes).into());
    };
    set("envelope", &a.envelope);
    set("manifest", &a.manifest.bytes);
    Ok(obj)
}

/// Signs a descriptor with a PEM private key held in wasm.
///
/// `opts`: `{ target, key: PEM, certChain: PEM (leaf first), signingTime: ms | RFC 3339,
/// expiry?, annotations?, signingAgent?, signatureFormat?: "jws" | "cose" }` →
/// `{ envelope, mediaType, manifest, manifestDescriptor, signatureDescriptor }`.
#[wasm_bindgen(js_name = signDescriptor)]
pub fn sign_descriptor(opts: JsValue) -> Result<JsValue, JsValue> {
    (|| {
        let (target, options) = sign_options(&opts)?;
        let key = str_field(&opts, "key")?;
        let chain = str_field(&opts, "certChain")?;
        let signer = LocalSigner::from_pem(&key, &chain).map_err(sign_failure)?;
        let artifact = core_sign::sign_descriptor(&target, &signer as &dyn Signer, &options)
            .map_err(sign_failure)?;
        artifact_js(&artifact)
    })()
    .map_err(js_error)
}

/// A signature waiting for a host signer: sign `toBeSigned`, then call `finish(signature)`.
#[wasm_bindgen(js_name = PendingSignature)]
pub struct PendingSignature {
    inner: Option<core_sign::PendingSignature>,
}

#[wasm_bindgen(js_class = PendingSignature)]
impl PendingSignature {
    /// The exact bytes the host must sign.
    #[wasm_bindgen(getter, js_name = toBeSigned)]
    pub fn to_be_signed(&self) -> Vec<u8> {
        self.inner
            .as_ref()
            .map(|p| p.to_be_signed().to_vec())
            .unwrap_or_default()
    }

    /// The algorithm the signature must use (`ES256`, `PS256`, ...).
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner
            .as_ref()
            .map(|p| p.algorithm().jws_name().to_string())
            .unwrap_or_default()
    }

    /// The envelope format being produced: `jws` or `cose`.
    #[wasm_bindgen(getter, js_name = signatureFormat)]
    pub fn signature_format(&self) -> String {
        self.inner
            .as_ref()
            .map(|p| match p.format() {
                SignatureFormat::Jws => "jws",
                SignatureFormat::Cose => "cose",
            })
            .unwrap_or_default()
            .to_string()
    }

    /// notation's key spec for that algorithm (`EC-256`, `RSA-2048`, ...).
    #[wasm_bindgen(getter, js_name = keySpec)]
    pub fn key_spec(&self) -> String {
        self.inner
            .as_ref()
            .map(|p| p.algorithm().key_spec().to_string())
            .unwrap_or_default()
    }

    /// Completes the envelope with the host's signature (raw `r || s` for ECDSA; RSASSA-PSS with
    /// salt = hash length for RSA). Throws `ERR_SIGNING` when it does not verify under the leaf
    /// certificate's key. Can be called once.
    pub fn finish(&mut self, signature: &[u8]) -> Result<JsValue, JsValue> {
        let pending = self.inner.take().ok_or_else(|| {
            js_error(JsFailure::new(
                crate::error::ErrorCode::Signing,
                "this signature was already finished",
            ))
        })?;
        let artifact = pending
            .finish(signature)
            .map_err(|e| js_error(sign_failure(e)))?;
        artifact_js(&artifact).map_err(js_error)
    }
}

/// Starts a signature for a host signer: `{ target, certChain: PEM, signingTime, expiry?,
/// annotations?, signingAgent?, signatureFormat? }` → `PendingSignature`. The algorithm is derived from the leaf
/// certificate's key (signature-specification.md §Signature Algorithm Requirements).
#[wasm_bindgen(js_name = prepareSignature)]
pub fn prepare_signature(opts: JsValue) -> Result<PendingSignature, JsValue> {
    (|| {
        let (target, options) = sign_options(&opts)?;
        let chain = certs_field(&opts, "certChain")?;
        let algorithm = super::convert::leaf_algorithm(&chain)?;
        let der: Vec<Vec<u8>> = chain.iter().map(|c| c.der().to_vec()).collect();
        let pending = core_sign::prepare_signature(&target, &der, algorithm, &options)
            .map_err(sign_failure)?;
        Ok(PendingSignature {
            inner: Some(pending),
        })
    })()
    .map_err(js_error)
}
