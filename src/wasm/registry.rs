//! Registry exports: sign, verify, list and inspect artifacts in OCI registries through the
//! host's `fetch` ([`super::fetch::FetchClient`]).
//!
//! Options shared by all four: `fetch?` (a fetch function; default `globalThis.fetch`),
//! `plainHttp?` (plain HTTP for every registry; loopback registries use it by default),
//! `credentials?` (`{ "host:port": { username, password } }`, resolved by the JS wrapper),
//! `maxSignatures?` (default 100, spec §1.1).

use std::collections::BTreeMap;

use js_sys::{Function, Promise, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::convert::{
    instant_field, js_error, opt_field, opt_str_field, serde_field, str_field, to_js,
    trust_store_field, JsFailure,
};
use super::fetch::FetchClient;
use super::outcome_json;
use crate::oci::Reference;
use crate::policy::OciTrustPolicy;
use crate::registry::{
    self, RegistryClient, RegistryError, RegistryOptions, SignatureDescriptor, StaticCredentials,
};
use crate::sign::{self as core_sign, LocalSigner, SignOptions, Signer};
use crate::time::Instant;
use crate::verify::CertSummary;

fn registry_failure(e: RegistryError) -> JsFailure {
    let name = match e.code() {
        "ERR_VERIFICATION_INCONCLUSIVE" => "VerificationInconclusiveError",
        "ERR_NO_SIGNATURE" => "VerificationFailedError",
        "ERR_POLICY_INVALID" | "ERR_NO_APPLICABLE_TRUST_POLICY" => "PolicyError",
        "ERR_SIGNING" | "ERR_INVALID_ANNOTATION" => "SigningError",
        "ERR_PARSE" | "ERR_LIMIT" => "ParseError",
        _ => "RegistryError",
    };
    JsFailure::new(e.code(), name, e.to_string())
}

#[derive(serde::Deserialize)]
struct Login {
    username: String,
    password: String,
}

/// The registry client the options describe.
fn client(opts: &JsValue) -> Result<RegistryClient<FetchClient>, JsFailure> {
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
    let http = FetchClient::new(fetch)
        .map_err(|e| JsFailure::new("ERR_REGISTRY_HTTP", "RegistryError", e.to_string()))?;
    let mut options = RegistryOptions::default();
    if let Some(plain) = opt_field::<bool>(opts, "plainHttp")? {
        options.plain_http = plain;
    }
    if let Some(max) = opt_field::<usize>(opts, "maxSignatures")? {
        if max == 0 {
            return Err(JsFailure::invalid("`maxSignatures` must be at least 1"));
        }
        options.max_signature_attempts = max;
    }
    let mut creds = StaticCredentials::new();
    // `{ registry: { username, password } }`, read through the JSON map type already in the
    // wasm rather than a map of its own.
    let logins: serde_json::Map<String, Value> =
        opt_field(opts, "credentials")?.unwrap_or_default();
    for (registry, login) in &logins {
        let login: Login = serde_json::from_value(login.clone())
            .map_err(|e| JsFailure::invalid(format!("`credentials`: {e}")))?;
        creds = creds.with(registry, &login.username, &login.password);
    }
    Ok(RegistryClient::new(http, options).with_credentials(Box::new(creds)))
}

fn reference(text: &str) -> Result<Reference, JsFailure> {
    Reference::parse(text).map_err(|e| JsFailure::new(e.code(), "ParseError", e.to_string()))
}

fn chain_json(chain: &[CertSummary]) -> Vec<Value> {
    chain
        .iter()
        .map(|c| {
            json!({
                "subject": c.subject, "issuer": c.issuer, "thumbprint": c.thumbprint,
                "notBefore": c.not_before.to_rfc3339(), "notAfter": c.not_after.to_rfc3339(),
                "serial": c.serial,
            })
        })
        .collect()
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn signed_json(d: &SignatureDescriptor) -> Value {
    json!({
        "reference": d.reference.to_string(),
        "digest": d.target.digest.to_string(),
        "target": to_value(&d.target),
        "manifestDescriptor": to_value(&d.manifest),
        "signatureDescriptor": to_value(&d.envelope),
        "referrersIndexUpdated": d.referrers_index_updated,
        "warnings": d.warnings,
    })
}

/// Calls the host signer `sign(bytes, { algorithm, keySpec })` and awaits its signature.
async fn host_sign(
    signer: &Function,
    pending: &core_sign::PendingSignature,
) -> Result<Vec<u8>, JsFailure> {
    let info = js_sys::Object::new();
    let alg = pending.algorithm();
    let _ = js_sys::Reflect::set(&info, &"algorithm".into(), &alg.jws_name().into());
    let _ = js_sys::Reflect::set(&info, &"keySpec".into(), &alg.key_spec().into());
    let bytes = Uint8Array::from(pending.to_be_signed());
    let failed = |m: String| JsFailure::new("ERR_SIGNING", "SigningError", m);
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

/// Signs the artifact `reference` and pushes the signature (spec §1.1, §1.3).
///
/// `opts`: registry options plus `{ key?: PEM, signer?: (bytes, info) => Promise<Uint8Array>,
/// certChain: PEM, signingTime, expiry?, annotations?, signingAgent? }`.
#[wasm_bindgen(js_name = registrySign)]
pub async fn registry_sign(reference_text: String, opts: JsValue) -> Result<JsValue, JsValue> {
    async {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let signing_time = instant_field(&opts, "signingTime")?.ok_or_else(|| {
            JsFailure::invalid("`signingTime` is required (the JS wrapper supplies the host clock)")
        })?;
        let mut options = SignOptions::new(signing_time);
        options.expiry = instant_field(&opts, "expiry")?;
        if let Some(agent) = opt_str_field(&opts, "signingAgent")? {
            options.signing_agent = agent;
        }
        options.user_annotations = opt_field(&opts, "annotations")?.unwrap_or_default();
        let chain_pem = str_field(&opts, "certChain")?;
        let sign_failure =
            |e: core_sign::SignError| JsFailure::new(e.code(), "SigningError", e.to_string());
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
            let leaf = chain
                .first()
                .ok_or_else(|| JsFailure::invalid("`certChain` holds no certificate"))?;
            let algorithm = leaf
                .public_key()
                .map_err(|e| {
                    JsFailure::new("ERR_UNSUPPORTED_ALGORITHM", "SigningError", e.to_string())
                })?
                .notary_algorithm()
                .map_err(|e| {
                    JsFailure::new("ERR_UNSUPPORTED_ALGORITHM", "SigningError", e.to_string())
                })?;
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
    }
    .await
    .map_err(js_error)
}

/// Verifies the artifact `reference` as notation does (spec §8).
///
/// `opts`: registry options plus `{ trustPolicy, trustStore, now, userMetadata? }`.
#[wasm_bindgen(js_name = registryVerify)]
pub async fn registry_verify(reference_text: String, opts: JsValue) -> Result<JsValue, JsValue> {
    async {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let policy_value: Value = serde_field(&opts, "trustPolicy")?;
        let policy = OciTrustPolicy::from_value(&policy_value)
            .map_err(|e| JsFailure::new(e.code(), "PolicyError", e.to_string()))?;
        let trust_store = trust_store_field(&opts, "trustStore")?;
        let now: Instant = instant_field(&opts, "now")?.ok_or_else(|| {
            JsFailure::invalid("`now` is required (the JS wrapper supplies the host clock)")
        })?;
        let metadata: BTreeMap<String, String> =
            opt_field(&opts, "userMetadata")?.unwrap_or_default();
        // Air-gapped revocation: CRLs the caller brought (spec §8.1).
        let crls = super::convert::crls_field(&opts, "crls")?
            .map(|c| crate::revocation::CrlRevocationChecker::new(&c, now));
        let vopts = registry::VerifyOptions {
            user_metadata: Some(&metadata),
            revocation: crls
                .as_ref()
                .map(|c| c as &dyn crate::revocation::RevocationChecker),
        };
        let result = registry::verify(&client, &reference, &policy, &trust_store, now, &vopts)
            .await
            .map_err(registry_failure)?;
        let signatures: Vec<Value> = result
            .signatures
            .iter()
            .map(|s| match &s.result {
                Ok(o) => {
                    json!({ "descriptor": to_value(&s.descriptor), "outcome": outcome_json(o, "") })
                }
                Err(e) => json!({
                    "descriptor": to_value(&s.descriptor),
                    "outcome": null,
                    "error": { "code": e.code(), "message": e.to_string() },
                }),
            })
            .collect();
        let verified_outcome = result.verified_outcome().map(|o| outcome_json(o, ""));
        to_js(&json!({
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
        }))
    }
    .await
    .map_err(js_error)
}

/// Lists the Notary signatures of `reference` (spec §1.2, §1.3).
#[wasm_bindgen(js_name = registryList)]
pub async fn registry_list(reference_text: String, opts: JsValue) -> Result<JsValue, JsValue> {
    async {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let list = registry::list_signatures(&client, &reference)
            .await
            .map_err(registry_failure)?;
        to_js(&json!({
            "reference": list.reference.to_string(),
            "digest": list.target.digest.to_string(),
            "target": to_value(&list.target),
            "signatures": list.signatures.iter().map(to_value).collect::<Vec<_>>(),
            "viaTagSchema": list.via_tag_schema,
            "warnings": list.warnings,
        }))
    }
    .await
    .map_err(js_error)
}

/// Lists and parses the signatures of `reference` without verifying them.
#[wasm_bindgen(js_name = registryInspect)]
pub async fn registry_inspect(reference_text: String, opts: JsValue) -> Result<JsValue, JsValue> {
    async {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let inspection = registry::inspect(&client, &reference)
            .await
            .map_err(registry_failure)?;
        let signatures: Vec<Value> = inspection
            .signatures
            .iter()
            .map(|s| {
                let mut v = json!({
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
                    v["chain"] = Value::Array(chain_json(&env.chain));
                }
                if let Some(e) = &s.error {
                    v["error"] = json!({ "code": e.code(), "message": e.to_string() });
                }
                v
            })
            .collect();
        to_js(&json!({
            "reference": inspection.reference.to_string(),
            "digest": inspection.target.digest.to_string(),
            "target": to_value(&inspection.target),
            "signatures": signatures,
            "warnings": inspection.warnings,
        }))
    }
    .await
    .map_err(js_error)
}
