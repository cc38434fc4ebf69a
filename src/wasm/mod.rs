//! The WebAssembly bindings: the only module that imports wasm-bindgen / js-sys.
//!
//! Exports take plain JS objects and return plain objects (maps become objects, bytes become
//! `Uint8Array`s). Failures are thrown as JS `Error`s with a stable `code` and `details` with
//! structured context; the JS wrapper re-throws them as the `NotationError` subclass the code
//! names (js/errors.js `fromWasmError`, the one place a code gets its class).

/// A JSON object, written as `obj!({ ... })` is (string-literal keys; values are `null`, a
/// nested `{ ... }` or an expression), built by one shared helper ([`convert::object`]) instead of
/// `json!`'s inline insert, key allocation and `unwrap` per entry (docs/size.md).
macro_rules! obj {
    (@acc [$($done:tt)*]) => {
        $crate::wasm::convert::object(vec![$($done)*])
    };
    (@acc [$($done:tt)*] $k:literal : null $(, $($rest:tt)*)?) => {
        obj!(@acc [$($done)* ($k, serde_json::Value::Null),] $($($rest)*)?)
    };
    (@acc [$($done:tt)*] $k:literal : { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        obj!(@acc [$($done)* ($k, obj!({ $($inner)* })),] $($($rest)*)?)
    };
    (@acc [$($done:tt)*] $k:literal : $v:expr $(, $($rest:tt)*)?) => {
        obj!(@acc [$($done)* ($k, $crate::wasm::convert::value(&$v)),] $($($rest)*)?)
    };
    ({ $($t:tt)* }) => {
        obj!(@acc [] $($t)*)
    };
}

mod blob;
mod convert;
mod fetch;
mod registry;
mod revocation;
mod sign;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::error::ErrorCode;
use crate::oci::Descriptor;
use crate::policy::OciTrustPolicy;
use crate::revocation::{CrlRevocationChecker, RevocationChecker};
use crate::verify::{verify_envelope, Outcome, VerifyRequest};

pub use convert::JsFailure;
use convert::{
    bytes_field, crls_field, instant_field, js_error, opt_field, str_field, to_js,
    trust_store_field,
};
pub use registry::{registry_inspect, registry_list, registry_sign, registry_verify};
pub use sign::{prepare_signature, sign_descriptor, PendingSignature};

/// The nv2 version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Validates a trust policy document (notation's `trustpolicy.json`, trust-store-trust-policy.md
/// §Trust Policy) and returns a summary `{ version, statements: [{ name, level, registryScopes,
/// trustStores, trustedIdentities }] }`; throws `ERR_POLICY_INVALID` with notation's message
/// otherwise.
#[wasm_bindgen(js_name = validateTrustPolicy)]
pub fn validate_trust_policy(policy: JsValue) -> Result<JsValue, JsValue> {
    (|| {
        let value: Value = convert::from_js(&policy, "trustPolicy")?;
        let doc = OciTrustPolicy::from_value(&value)
            .map_err(|e| JsFailure::new(e.code(), e.to_string()))?;
        let statements: Vec<Value> = doc
            .statements
            .iter()
            .map(|s| {
                obj!({
                    "name": s.name,
                    "level": s.signature_verification.level.name(),
                    "registryScopes": s.registry_scopes,
                    "trustStores": s.trust_stores.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                    "trustedIdentities": value_at(&value, &s.name),
                })
            })
            .collect();
        to_js(&obj!({ "version": doc.version, "statements": statements }))
    })()
    .map_err(js_error)
}

/// The `trustedIdentities` of the statement named `name`, as written.
fn value_at(doc: &Value, name: &str) -> Value {
    doc["trustPolicies"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == name))
        .map(|s| s["trustedIdentities"].clone())
        .unwrap_or(Value::Null)
}

/// Verifies one signature envelope against a trust policy and trust store
/// (trust-store-trust-policy.md §Signature Verification).
///
/// `opts`: `{ envelope: Uint8Array, mediaType, target: {mediaType, digest, size}, artifactReference,
/// trustPolicy: object, trustStore: {"ca:name": [PEM string | DER Uint8Array]}, now: ms | RFC 3339,
/// userMetadata?: {k: v}, crls?: [DER Uint8Array | PEM string] }`. With `crls`, revocation is
/// checked against those CRLs (air-gapped, trust-store-trust-policy.md §Certificate Revocation
/// Evaluation); without, as notation offline. Returns the outcome object; throws for invalid input.
#[wasm_bindgen(js_name = verifyEnvelope)]
pub fn verify_envelope_js(opts: JsValue) -> Result<JsValue, JsValue> {
    verify_envelope_inner(&opts).map_err(js_error)
}

fn verify_envelope_inner(opts: &JsValue) -> Result<JsValue, JsFailure> {
    let envelope = bytes_field(opts, "envelope")?;
    let media_type = str_field(opts, "mediaType")?;
    let target: Descriptor = convert::serde_field(opts, "target")?;
    let artifact_reference = str_field(opts, "artifactReference")?;
    let policy_value: Value = convert::serde_field(opts, "trustPolicy")?;
    let policy = OciTrustPolicy::from_value(&policy_value)
        .map_err(|e| JsFailure::new(e.code(), e.to_string()))?;
    let trust_store = trust_store_field(opts, "trustStore")?;
    let now = instant_field(opts, "now")?.ok_or_else(|| {
        JsFailure::invalid("`now` is required (milliseconds since the epoch or RFC 3339)")
    })?;
    let user_metadata: BTreeMap<String, String> =
        opt_field(opts, "userMetadata")?.unwrap_or_default();
    let crls = crls_field(opts, "crls")?.map(|c| CrlRevocationChecker::new(&c, now));
    let req = VerifyRequest {
        envelope: &envelope,
        media_type: &media_type,
        target: &target,
        artifact_reference: &artifact_reference,
        policy: &policy,
        trust_store: &trust_store,
        now,
        user_metadata: &user_metadata,
        revocation: crls.as_ref().map(|c| c as &dyn RevocationChecker),
    };
    let outcome = verify_envelope(&req)
        .map_err(|e| JsFailure::new(e.code(), e.to_string()).with_details(e.details()))?;
    to_js(&outcome_json(&outcome, &media_type))
}

/// The outcome as the JS API documents it.
pub(crate) fn outcome_json(o: &Outcome, media_type: &str) -> Value {
    let results: Vec<Value> = o
        .results
        .iter()
        .map(|r| {
            let mut v = obj!({ "type": r.check.name(), "action": r.action.name(), "ok": r.ok });
            if let Some(e) = &r.error {
                v["error"] = error_json(e.code(), e.to_string(), e.details());
            }
            v
        })
        .collect();
    let signer = o.signer_chain.first().map(|leaf| {
        obj!({
            "subject": leaf.subject,
            "issuer": leaf.issuer,
            "thumbprints": o.signer_chain.iter().map(|c| c.thumbprint.clone()).collect::<Vec<_>>(),
            "chain": convert::chain_json(&o.signer_chain),
        })
    });
    let mut v = obj!({
        "verified": o.verified,
        "verificationLevel": o.level.name(),
        "policyName": o.policy_name,
        "results": results,
        "signer": signer,
        "signerAuthenticated": o.signer_authenticated(),
        "signingScheme": o.signing_scheme.map(|s| s.as_str()),
        "signingTime": o.signing_time.map(|t| t.to_rfc3339()),
        "expiry": o.expiry.map(|t| t.to_rfc3339()),
        "algorithm": o.algorithm.map(|a| a.jws_name()),
        "targetArtifact": o.target_artifact.as_ref().map(|d| serde_json::to_value(d).unwrap_or(Value::Null)),
        "mediaType": media_type,
        "warnings": o.warnings,
    });
    if let Some((stage, e)) = &o.failure {
        v["error"] = error_json(e.code(), e.to_string(), e.details());
        v["error"]["stage"] = json!(stage.name());
    }
    v
}

/// A failed check or signature as a result member: `{ code, message, details? }` (the same
/// fields a thrown error has).
pub(crate) fn error_json(code: ErrorCode, message: String, details: Option<Value>) -> Value {
    let mut v = obj!({ "code": code.as_str(), "message": message });
    if let Some(d) = details {
        v["details"] = d;
    }
    v
}
