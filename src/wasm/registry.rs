//! Registry exports: sign, verify, list and inspect artifacts in OCI registries through the
//! host's `fetch` ([`super::fetch::FetchClient`]).
//!
//! Options shared by all four: `fetch?` (a fetch function; default `globalThis.fetch`),
//! `plainHttp?` (plain HTTP for every registry; loopback registries use it by default),
//! `credentials?` (`{ "host:port": { username, password } }`, resolved by the JS wrapper),
//! `maxSignatures?` (default 100, signature-specification.md §OCI Signatures), `timeout?`
//! (deadlines, `{ ms?, firstByteMs?, idleMs?, operationMs? }` as the JS wrapper normalises it).

use core::future::Future;
use core::pin::Pin;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert::{
    instant_field, js_error, opt_field, opt_str_field, serde_field, str_field, to_js,
    trust_store_field, JsFailure,
};
use super::fetch::FetchClient;
use super::{error_json, outcome_json};
use crate::oci::Reference;
use crate::policy::OciTrustPolicy;
use crate::registry::{
    self, ContentCache, Deadlines, LoginFingerprints, RegistryClient, RegistryError,
    RegistryOptions, SessionCache, SignatureDescriptor, StaticCredentials,
    DEFAULT_CONTENT_CACHE_BYTES, DEFAULT_SESSION_CACHE_ENTRIES,
};
use crate::sign::{self as core_sign, LocalSigner, SignOptions, Signer};
use crate::time::Instant;

/// The promise of one registry call. Every export hands its future here as a boxed trait
/// object, so the future-to-promise glue is instantiated once rather than once per export
/// (docs/size.md).
pub(super) fn promise(f: impl Future<Output = Result<JsValue, JsFailure>> + 'static) -> Promise {
    let f: Pin<Box<dyn Future<Output = Result<JsValue, JsFailure>>>> = Box::pin(f);
    wasm_bindgen_futures::future_to_promise(async move { f.await.map_err(js_error) })
}

pub(super) fn registry_failure(e: RegistryError) -> JsFailure {
    JsFailure::new(e.code(), e.to_string()).with_details(e.details())
}

/// The deadlines of `opts.timeout` (threat model 25; the rules are the core's), as the JS wrapper
/// normalises it: `{ ms?, firstByteMs?, idleMs?, operationMs? }` (milliseconds; `ms` is a single
/// number the caller gave). Read field by field: a derived struct costs wasm size (docs/size.md).
pub(crate) fn deadlines_field(opts: &JsValue) -> Result<Deadlines, JsFailure> {
    let t = js_sys::Reflect::get(opts, &"timeout".into()).unwrap_or(JsValue::UNDEFINED);
    if t.is_undefined() || t.is_null() {
        return Ok(Deadlines::default());
    }
    let ms = |k: &str| opt_field::<u64>(&t, k);
    Deadlines::from_parts(
        ms("ms")?,
        ms("firstByteMs")?,
        ms("idleMs")?,
        ms("operationMs")?,
    )
    .map_err(|e| JsFailure::invalid(format!("`timeout`: {e}")))
}

/// The deadlines a `timeout` option gives, as `{ firstByteMs, idleMs, operationMs }` with the
/// operation deadline of an operation that moves `bytes` bytes: for hosts that make requests of
/// their own under the same rules (the CLI's `nv2 login`).
#[wasm_bindgen(js_name = deadlines)]
pub fn deadlines(opts: JsValue, bytes: f64) -> Result<JsValue, JsValue> {
    let d = deadlines_field(&opts).map_err(js_error)?;
    to_js(&obj!({
        "firstByteMs": d.first_byte_millis,
        "idleMs": d.idle_millis,
        "operationMs": d.operation_millis(bytes.max(0.0) as u64),
    }))
    .map_err(js_error)
}

#[derive(serde::Deserialize)]
struct Login {
    username: String,
    password: String,
}

thread_local! {
    /// Content fetched by digest (checked), shared by every call in this module instance.
    static CONTENT: Rc<ContentCache> = Rc::new(ContentCache::new(DEFAULT_CONTENT_CACHE_BYTES));
    /// Bearer tokens (per login) and Referrers API answers shared by the calls of this module
    /// instance; TTLs, keys and bounds are the core's ([`SessionCache`]).
    static SESSIONS: RefCell<SessionCache> =
        RefCell::new(SessionCache::new(DEFAULT_SESSION_CACHE_ENTRIES));
}

/// The host clock, for the session cache (the core never reads one).
fn now() -> Instant {
    Instant::from_unix_millis(js_sys::Date::now() as i64)
}

/// A registry client for one call. With `cache` on (the default) it shares the digest-keyed
/// content cache and recent Referrers API answers with other calls, and hands back what it
/// learned when dropped (also on errors).
pub(super) struct Session {
    client: RegistryClient<FetchClient>,
    cache: bool,
    /// Who the client authenticates as, per registry.
    logins: LoginFingerprints,
}

impl core::ops::Deref for Session {
    type Target = RegistryClient<FetchClient>;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.cache {
            return;
        }
        SESSIONS.with(|s| s.borrow_mut().absorb(&self.client, &self.logins, now()));
    }
}

/// The registry client the options describe.
pub(super) fn client(opts: &JsValue) -> Result<Session, JsFailure> {
    let cache = opt_field::<bool>(opts, "cache")?.unwrap_or(true);
    let (client, logins) = plain_client(opts)?;
    if !cache {
        return Ok(Session {
            client,
            cache,
            logins,
        });
    }
    let client = client.with_content_cache(CONTENT.with(Rc::clone));
    let client = SESSIONS.with(|s| s.borrow().seed(client, &logins, now()));
    Ok(Session {
        client,
        cache,
        logins,
    })
}

/// The client without shared caches, and the fingerprint of the login given per registry.
type ClientAndLogins = (RegistryClient<FetchClient>, LoginFingerprints);

/// The host HTTP client of `opts`: its `fetch` (default `globalThis.fetch`) and `pipe`.
pub(crate) fn fetch_client(opts: &JsValue) -> Result<FetchClient, JsFailure> {
    let fetch = js_sys::Reflect::get(opts, &"fetch".into())
        .ok()
        .filter(|f| !f.is_undefined() && !f.is_null());
    let fetch = match fetch {
        Some(f) => Some(
            f.dyn_into::<Function>()
                .map_err(|_| JsFailure::invalid("`fetch` must be a function"))?,
        ),
        None => None,
    };
    let pipe = js_sys::Reflect::get(opts, &"pipe".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    FetchClient::new(fetch)
        .map(|c| c.with_pipe(pipe))
        .map_err(|e| JsFailure::new(crate::error::ErrorCode::RegistryHttp, e.to_string()))
}

fn plain_client(opts: &JsValue) -> Result<ClientAndLogins, JsFailure> {
    let http = fetch_client(opts)?;
    let mut options = RegistryOptions::default();
    if let Some(plain) = opt_field::<bool>(opts, "plainHttp")? {
        options.plain_http = plain;
    }
    options.deadlines = deadlines_field(opts)?;
    if let Some(max) = opt_field::<usize>(opts, "maxSignatures")? {
        if max == 0 {
            return Err(JsFailure::invalid("`maxSignatures` must be at least 1"));
        }
        options.max_signature_attempts = max;
    }
    if let Some(max) = opt_field::<usize>(opts, "maxSignatureChecks")? {
        options.max_signature_checks = max;
    }
    let mut creds = StaticCredentials::new();
    let mut fingerprints = LoginFingerprints::new();
    // `{ registry: { username, password } }`, read through the JSON map type already in the
    // wasm rather than a map of its own.
    let logins: serde_json::Map<String, Value> =
        opt_field(opts, "credentials")?.unwrap_or_default();
    for (registry, login) in &logins {
        let login: Login = serde_json::from_value(login.clone())
            .map_err(|e| JsFailure::invalid(format!("`credentials`: {e}")))?;
        creds = creds.with(registry, &login.username, &login.password);
        fingerprints = fingerprints.with(registry, &login.username, &login.password);
    }
    Ok((
        RegistryClient::new(http, options).with_credentials(Box::new(creds)),
        fingerprints,
    ))
}

pub(super) fn reference(text: &str) -> Result<Reference, JsFailure> {
    Reference::parse(text).map_err(|e| JsFailure::new(e.code(), e.to_string()))
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn signed_json(d: &SignatureDescriptor) -> Value {
    obj!({
        "reference": d.reference.to_string(),
        "digest": d.target.digest.to_string(),
        "target": to_value(&d.target),
        "manifestDescriptor": to_value(&d.manifest),
        "signatureDescriptor": to_value(&d.envelope),
        "referrersIndexUpdated": d.referrers_index_updated,
        "warnings": d.warnings,
    })
}

/// Calls the host signer `sign(bytes, { algorithm, keySpec, signatureFormat })` and awaits its
/// signature.
async fn host_sign(
    signer: &Function,
    pending: &core_sign::PendingSignature,
) -> Result<Vec<u8>, JsFailure> {
    let info = js_sys::Object::new();
    let alg = pending.algorithm();
    let _ = js_sys::Reflect::set(&info, &"algorithm".into(), &alg.jws_name().into());
    let _ = js_sys::Reflect::set(&info, &"keySpec".into(), &alg.key_spec().into());
    let format = match pending.format() {
        crate::sign::SignatureFormat::Jws => "jws",
        crate::sign::SignatureFormat::Cose => "cose",
    };
    let _ = js_sys::Reflect::set(&info, &"signatureFormat".into(), &format.into());
    let bytes = Uint8Array::from(pending.to_be_signed());
    let failed = |m: String| JsFailure::new(crate::error::ErrorCode::Signing, m);
    let result = signer
        .call2(&JsValue::UNDEFINED, &bytes, &info)
        .map_err(|e| failed(format!("the signer threw: {}", js_text(&e))))?;
    let result = match result.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p)
            .await
            .map_err(|e| failed(format!("the signer failed: {}", js_text(&e))))?,
        Err(v) => v,
    };
    super::convert::bytes_of(&result, "signature")
        .map_err(|_| failed("the signer must return a Uint8Array".into()))
}

fn js_text(v: &JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| v.as_string())
        .unwrap_or_else(|| "error".into())
}

/// Signs the artifact `reference` and pushes the signature (signature-specification.md §OCI
/// Signatures, OCI distribution-spec spec.md §Referrers Tag Schema).
///
/// `opts`: registry options plus `{ key?: PEM, signer?: (bytes, info) => Promise<Uint8Array>,
/// certChain: PEM, signingTime, expiry?, annotations?, signingAgent?, signatureFormat?: "jws" |
/// "cose" }`.
#[wasm_bindgen(js_name = registrySign)]
pub fn registry_sign(reference_text: String, opts: JsValue) -> Promise {
    promise(async move {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let signing_time = instant_field(&opts, "signingTime")?.ok_or_else(|| {
            JsFailure::invalid("`signingTime` is required (the JS wrapper supplies the host clock)")
        })?;
        let mut options = SignOptions::new(signing_time);
        options.format = super::sign::format_field(&opts)?;
        options.expiry = instant_field(&opts, "expiry")?;
        if let Some(agent) = opt_str_field(&opts, "signingAgent")? {
            options.signing_agent = agent;
        }
        options.user_annotations = opt_field(&opts, "annotations")?.unwrap_or_default();
        let chain_pem = str_field(&opts, "certChain")?;
        let sign_failure = |e: core_sign::SignError| JsFailure::new(e.code(), e.to_string());
        let target = client.resolve(&reference).await.map_err(registry_failure)?;
        let signed = if let Some(key) = opt_str_field(&opts, "key")? {
            let signer = LocalSigner::from_pem(&key, &chain_pem).map_err(sign_failure)?;
            core_sign::sign_descriptor(&target.descriptor, &signer as &dyn Signer, &options)
                .map_err(sign_failure)?
        } else {
            let signer: Function = js_sys::Reflect::get(&opts, &"signer".into())
                .ok()
                .and_then(|f| f.dyn_into().ok())
                .ok_or_else(|| JsFailure::invalid("give `key` (PEM) or `signer` (a function)"))?;
            let chain = super::convert::certs_field(&opts, "certChain")?;
            let algorithm = super::convert::leaf_algorithm(&chain)?;
            let der: Vec<Vec<u8>> = chain.iter().map(|c| c.der().to_vec()).collect();
            let pending =
                core_sign::prepare_signature(&target.descriptor, &der, algorithm, &options)
                    .map_err(sign_failure)?;
            let signature = host_sign(&signer, &pending).await?;
            pending.finish(&signature).map_err(sign_failure)?
        };
        let pushed = registry::push_signature(&client, &target, &signed)
            .await
            .map_err(registry_failure)?;
        to_js(&signed_json(&pushed))
    })
}

/// Verifies the artifact `reference` as notation does (trust-store-trust-policy.md §Signature
/// Verification).
///
/// `opts`: registry options plus `{ trustPolicy, trustStore, now, userMetadata? }`.
#[wasm_bindgen(js_name = registryVerify)]
pub fn registry_verify(reference_text: String, opts: JsValue) -> Promise {
    promise(async move {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let policy_value: Value = serde_field(&opts, "trustPolicy")?;
        let policy = OciTrustPolicy::from_value(&policy_value)
            .map_err(|e| JsFailure::new(e.code(), e.to_string()))?;
        let trust_store = trust_store_field(&opts, "trustStore")?;
        let now: Instant = instant_field(&opts, "now")?.ok_or_else(|| {
            JsFailure::invalid("`now` is required (the JS wrapper supplies the host clock)")
        })?;
        let metadata: BTreeMap<String, String> =
            opt_field(&opts, "userMetadata")?.unwrap_or_default();
        // Air-gapped revocation: CRLs the caller brought (trust-store-trust-policy.md §Certificate
        // Revocation Evaluation).
        // and, unless `offline`, OCSP and CRL downloads through the same `fetch`.
        let crls = super::convert::crls_field(&opts, "crls")?.unwrap_or_default();
        let (online, cache) = super::revocation::revocation_options(&opts)?;
        let vopts = registry::VerifyOptions {
            user_metadata: Some(&metadata),
            revocation: None,
            revocation_sources: Some(registry::RevocationSources {
                crls: &crls,
                online,
                cache: &cache,
            }),
        };
        let result = registry::verify(&client, &reference, &policy, &trust_store, now, &vopts)
            .await
            .map_err(registry_failure)?;
        let signatures: Vec<Value> = result
            .signatures
            .iter()
            .map(|s| match &s.result {
                Ok(o) => obj!({
                    "descriptor": to_value(&s.descriptor),
                    "outcome": outcome_json(o, s.envelope_media_type.as_deref().unwrap_or_default()),
                }),
                Err(e) => obj!({
                    "descriptor": to_value(&s.descriptor),
                    "outcome": null,
                    "error": error_json(e.code(), e.to_string(), e.details()),
                }),
            })
            .collect();
        let verified_outcome = result
            .signatures
            .iter()
            .find(|s| matches!(&s.result, Ok(o) if o.verified))
            .and_then(|s| {
                let o = s.result.as_ref().ok()?;
                Some(outcome_json(
                    o,
                    s.envelope_media_type.as_deref().unwrap_or_default(),
                ))
            });
        to_js(&obj!({
            "reference": result.reference,
            "digest": result.digest.to_string(),
            "target": to_value(&result.target),
            "verified": result.verified,
            "inconclusive": result.inconclusive,
            "verificationLevel": result.level.name(),
            "policyName": result.policy_name,
            "warnings": result.warnings,
            "signatures": signatures,
            "verifiedSignature": verified_outcome,
            // The most specific failure when no signature verified (src/error/rank.rs).
            "error": result.failure().map(|f| error_json(f.code(), f.to_string(), f.details())),
        }))
    })
}

/// Lists the Notary signatures of `reference` (signature-specification.md §OCI Signature Discovery,
/// OCI distribution-spec spec.md §Referrers Tag Schema).
#[wasm_bindgen(js_name = registryList)]
pub fn registry_list(reference_text: String, opts: JsValue) -> Promise {
    promise(async move {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let list = registry::list_signatures(&client, &reference)
            .await
            .map_err(registry_failure)?;
        to_js(&obj!({
            "reference": list.reference.to_string(),
            "digest": list.target.digest.to_string(),
            "target": to_value(&list.target),
            "signatures": list.signatures.iter().map(to_value).collect::<Vec<_>>(),
            "viaTagSchema": list.via_tag_schema,
            "warnings": list.warnings,
        }))
    })
}

/// Lists and parses the signatures of `reference` without verifying them.
#[wasm_bindgen(js_name = registryInspect)]
pub fn registry_inspect(reference_text: String, opts: JsValue) -> Promise {
    promise(async move {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let inspection = registry::inspect(&client, &reference)
            .await
            .map_err(registry_failure)?;
        let signatures: Vec<Value> = inspection
            .signatures
            .iter()
            .map(|s| {
                let mut v = obj!({
                    "descriptor": to_value(&s.descriptor),
                    "annotations": s.annotations,
                });
                if let Some(env) = &s.envelope {
                    v["mediaType"] = json!(env.media_type);
                    v["envelopeDescriptor"] = to_value(&env.descriptor);
                    v["algorithm"] = json!(env.algorithm.jws_name());
                    v["signingScheme"] = json!(env.signing_scheme.as_str());
                    v["signingTime"] = json!(env.signing_time.map(|t| t.to_rfc3339()));
                    v["expiry"] = json!(env.expiry.map(|t| t.to_rfc3339()));
                    v["signingAgent"] = json!(env.signing_agent);
                    v["timestamped"] = json!(env.timestamped);
                    v["chain"] = Value::Array(super::convert::chain_json(&env.chain));
                    if let Some(t) = &env.signed_target {
                        v["signedTarget"] = to_value(t);
                        v["userMetadata"] = to_value(&t.annotations.clone().unwrap_or_default());
                    }
                }
                if let Some(e) = &s.error {
                    v["error"] = error_json(e.code(), e.to_string(), e.details());
                }
                v
            })
            .collect();
        to_js(&obj!({
            "reference": inspection.reference.to_string(),
            "digest": inspection.target.digest.to_string(),
            "target": to_value(&inspection.target),
            "signatures": signatures,
            "warnings": inspection.warnings,
        }))
    })
}

/// Forwards copy progress to the host's `onProgress(event)` callback. A callback that throws
/// is ignored: progress display must not decide the copy.
struct ProgressCallback(Option<Function>);

impl registry::CopyObserver for ProgressCallback {
    fn event(&self, event: &registry::CopyEvent<'_>) {
        let Some(f) = &self.0 else { return };
        let v = match event {
            registry::CopyEvent::Planned {
                manifests,
                referrers,
                blobs,
                bytes,
            } => obj!({ "type": "plan", "manifests": manifests, "referrers": referrers,
                         "blobs": blobs, "bytes": bytes }),
            registry::CopyEvent::BlobProgress { descriptor, sent } => obj!({
                "type": "blob-progress", "digest": descriptor.digest.to_string(),
                "size": descriptor.size, "sent": sent,
            }),
            registry::CopyEvent::BlobDone {
                descriptor,
                transfer,
            } => obj!({
                "type": "blob", "digest": descriptor.digest.to_string(), "size": descriptor.size,
                "mediaType": descriptor.media_type, "status": transfer.as_str(),
            }),
            registry::CopyEvent::ManifestDone {
                descriptor,
                referrer,
                transfer,
            } => obj!({
                "type": "manifest", "digest": descriptor.digest.to_string(),
                "size": descriptor.size, "mediaType": descriptor.media_type,
                "artifactType": descriptor.artifact_type, "referrer": referrer,
                "status": transfer.as_str(),
            }),
        };
        if let Ok(js) = to_js(&v) {
            let _ = f.call1(&JsValue::UNDEFINED, &js);
        }
    }
}

/// Copies the artifact `source` names, with its blobs and (unless `referrers: false`) its
/// referrers graph, to `destination` (see [`registry::copy`]).
///
/// `opts`: registry options plus `{ referrers?, concurrency?, chunkSize?, onProgress? }`.
#[wasm_bindgen(js_name = registryCopy)]
pub fn registry_copy(source_text: String, destination_text: String, opts: JsValue) -> Promise {
    promise(async move {
        let client = client(&opts)?;
        let source = reference(&source_text)?;
        let destination = reference(&destination_text)?;
        let mut copy_opts = registry::CopyOptions::default();
        if let Some(r) = opt_field::<bool>(&opts, "referrers")? {
            copy_opts.referrers = r;
        }
        if let Some(n) = opt_field::<usize>(&opts, "concurrency")? {
            if n == 0 || n > 64 {
                return Err(JsFailure::invalid("`concurrency` must be between 1 and 64"));
            }
            copy_opts.concurrency = n;
        }
        if let Some(n) = opt_field::<u64>(&opts, "chunkSize")? {
            if !(1024..=1 << 30).contains(&n) {
                return Err(JsFailure::invalid(
                    "`chunkSize` must be between 1 KiB and 1 GiB",
                ));
            }
            copy_opts.chunk_bytes = n;
        }
        let progress = js_sys::Reflect::get(&opts, &"onProgress".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        let report = registry::copy(
            &client,
            &source,
            &destination,
            &copy_opts,
            &ProgressCallback(progress),
        )
        .await
        .map_err(registry_failure)?;
        to_js(&obj!({
            "source": {
                "reference": report.source.to_string(),
                "digest": report.root.digest.to_string(),
                "mediaType": report.root.media_type,
                "size": report.root.size,
            },
            "destination": {
                "reference": report.destination.to_string(),
                "digest": report.root.digest.to_string(),
                "tag": report.destination.tag,
            },
            "manifests": { "copied": report.manifests_copied, "skipped": report.manifests_skipped },
            "referrers": { "copied": report.referrers_copied, "skipped": report.referrers_skipped },
            "blobs": {
                "copied": report.blobs_copied,
                "mounted": report.blobs_mounted,
                "skipped": report.blobs_skipped,
            },
            "bytes": report.bytes_copied,
            "referrersIndexUpdates": report.referrers_index_updates,
            "warnings": report.warnings,
        }))
    })
}
