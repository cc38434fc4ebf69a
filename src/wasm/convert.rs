//! Conversions at the JS boundary: reading option fields, building typed JS errors, writing
//! plain-object results.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::error::ErrorCode;
use crate::time::Instant;
use crate::truststore::TrustStore;
use crate::x509::Certificate;

/// A failure on its way to JS: stable code, message, optional details. No call site picks a JS
/// class: the wrapper (`fromWasmError` in js/errors.js) derives it from the code alone, through
/// `ERROR_CLASS_BY_CODE`, which is generated from [`ErrorCode::js_class`].
#[derive(Debug)]
pub struct JsFailure {
    code: ErrorCode,
    message: String,
    details: Option<Value>,
}

impl JsFailure {
    /// A failure with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        JsFailure {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// An invalid-argument failure.
    pub fn invalid(message: impl Into<String>) -> Self {
        JsFailure::new(ErrorCode::InvalidArgument, message)
    }

    /// Adds structured details (`error.details`), when there are any.
    pub fn with_details(mut self, details: Option<Value>) -> Self {
        self.details = details;
        self
    }
}

/// Builds the JS `Error` for `f`: `code` and `details` set as own properties.
pub fn js_error(f: JsFailure) -> JsValue {
    let err = js_sys::Error::new(&f.message);
    let obj: &JsValue = err.as_ref();
    let _ = Reflect::set(obj, &"code".into(), &f.code.as_str().into());
    if let Some(d) = f.details.as_ref().and_then(|d| to_js(d).ok()) {
        let _ = Reflect::set(obj, &"details".into(), &d);
    }
    err.into()
}

/// JSON-compatible conversion of a Rust value to a plain JS value (through JSON text and the
/// host's `JSON.parse`, which keeps a serde data-format implementation out of the wasm).
/// A value as JSON (`json!`'s conversion of an expression; `null` for what does not convert,
/// which no value the exports build does).
pub(crate) fn value<T: Serialize + ?Sized>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The JSON object of `entries` (the `obj!` macro's one builder).
#[inline(never)]
pub(crate) fn object(entries: Vec<(&'static str, serde_json::Value)>) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in entries {
        map.insert(k.into(), v);
    }
    serde_json::Value::Object(map)
}

pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsFailure> {
    let conversion = |e: String| {
        JsFailure::new(
            ErrorCode::InvalidArgument,
            format!("result conversion: {e}"),
        )
    };
    let text = serde_json::to_string(v).map_err(|e| conversion(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| conversion("JSON.parse failed".into()))
}

/// A present JS value deserialised through its JSON text (`JSON.stringify` on the host).
///
/// The text is parsed into a `Value` first and `T` is read from that: `T`'s deserializer is then
/// instantiated only for `Value` (as `oci` already does), not a second time for JSON text, and
/// the text parsing exists once instead of once per `T` (wasm size).
pub fn from_js<T: DeserializeOwned>(v: &JsValue, name: &str) -> Result<T, JsFailure> {
    T::deserialize(json_of(v, name)?).map_err(|e| conversion_error(name, &e))
}

fn json_of(v: &JsValue, name: &str) -> Result<Value, JsFailure> {
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsFailure::invalid(format!("`{name}` is not JSON data")))?;
    serde_json::from_slice(text.as_bytes()).map_err(|e| conversion_error(name, &e))
}

fn conversion_error(name: &str, e: &serde_json::Error) -> JsFailure {
    // serde_json appends the position in the JSON text, which means nothing to the caller.
    let msg = e.to_string();
    let msg = msg.rfind(" at line ").map_or(&msg[..], |i| &msg[..i]);
    JsFailure::invalid(format!("`{name}`: {msg}"))
}

fn field(opts: &JsValue, name: &str) -> Result<JsValue, JsFailure> {
    if !opts.is_object() {
        return Err(JsFailure::invalid("options must be an object"));
    }
    Reflect::get(opts, &name.into())
        .map_err(|_| JsFailure::invalid(format!("cannot read `{name}`")))
}

fn present(v: &JsValue) -> bool {
    !(v.is_undefined() || v.is_null())
}

/// A required string field.
pub fn str_field(opts: &JsValue, name: &str) -> Result<String, JsFailure> {
    field(opts, name)?
        .as_string()
        .ok_or_else(|| JsFailure::invalid(format!("`{name}` must be a string")))
}

/// An optional string field.
pub fn opt_str_field(opts: &JsValue, name: &str) -> Result<Option<String>, JsFailure> {
    let v = field(opts, name)?;
    if !present(&v) {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| JsFailure::invalid(format!("`{name}` must be a string")))
}

/// Bytes from a `Uint8Array` (or a string, taken as UTF-8).
pub fn bytes_of(v: &JsValue, name: &str) -> Result<Vec<u8>, JsFailure> {
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Ok(a.to_vec());
    }
    if let Some(b) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Uint8Array::new(b).to_vec());
    }
    Err(JsFailure::invalid(format!(
        "`{name}` must be a Uint8Array or a string"
    )))
}

/// A required bytes field.
pub fn bytes_field(opts: &JsValue, name: &str) -> Result<Vec<u8>, JsFailure> {
    let v = field(opts, name)?;
    if !present(&v) {
        return Err(JsFailure::invalid(format!("`{name}` is required")));
    }
    bytes_of(&v, name)
}

/// A required field deserialised through serde.
pub fn serde_field<T: DeserializeOwned>(opts: &JsValue, name: &str) -> Result<T, JsFailure> {
    let v = field(opts, name)?;
    if !present(&v) {
        return Err(JsFailure::invalid(format!("`{name}` is required")));
    }
    from_js(&v, name)
}

/// An optional field deserialised through serde.
pub fn opt_field<T: DeserializeOwned>(opts: &JsValue, name: &str) -> Result<Option<T>, JsFailure> {
    let v = field(opts, name)?;
    if !present(&v) {
        return Ok(None);
    }
    from_js(&v, name).map(Some)
}

/// An optional instant: milliseconds since the epoch (number) or RFC 3339 text.
pub fn instant_field(opts: &JsValue, name: &str) -> Result<Option<Instant>, JsFailure> {
    let v = field(opts, name)?;
    if !present(&v) {
        return Ok(None);
    }
    if let Some(ms) = v.as_f64() {
        if !ms.is_finite() || ms.abs() > 8.64e15 {
            return Err(JsFailure::invalid(format!("`{name}` is not a valid time")));
        }
        return Ok(Some(Instant::from_unix_millis(ms as i64)));
    }
    if let Some(s) = v.as_string() {
        return Instant::parse_rfc3339(&s)
            .map(Some)
            .map_err(|e| JsFailure::invalid(format!("`{name}`: {e}")));
    }
    Err(JsFailure::invalid(format!(
        "`{name}` must be milliseconds or an RFC 3339 string"
    )))
}

/// The trust store from `{ "type:name": [PEM string | DER bytes, ...] }`
/// (trust-store-trust-policy.md §Trust Store, in memory).
pub fn trust_store_field(opts: &JsValue, name: &str) -> Result<TrustStore, JsFailure> {
    let v = field(opts, name)?;
    let mut store = TrustStore::new();
    if !present(&v) {
        return Ok(store);
    }
    let obj: &Object = v
        .dyn_ref::<Object>()
        .ok_or_else(|| JsFailure::invalid(format!("`{name}` must be an object")))?;
    for entry in Object::entries(obj).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair
            .get(0)
            .as_string()
            .ok_or_else(|| JsFailure::invalid("trust store keys must be strings"))?;
        let (store_type, store_name) = key.split_once(':').ok_or_else(|| {
            JsFailure::new(
                ErrorCode::TrustStore,
                format!("trust store key {key:?} is not \"type:name\""),
            )
        })?;
        let list = pair.get(1);
        let list: &Array = list
            .dyn_ref::<Array>()
            .ok_or_else(|| JsFailure::invalid(format!("trust store {key:?} must be an array")))?;
        let mut files = Vec::new();
        for (i, item) in list.iter().enumerate() {
            files.push((format!("{key}[{i}]"), bytes_of(&item, "certificate")?));
        }
        store
            .add_named_store(store_type, store_name, &files)
            .map_err(|e| JsFailure::new(e.code(), e.to_string()))?;
    }
    Ok(store)
}

/// Certificates from a PEM string (or DER bytes) field.
pub fn certs_field(opts: &JsValue, name: &str) -> Result<Vec<Certificate>, JsFailure> {
    let bytes = bytes_field(opts, name)?;
    Certificate::parse_pem_or_der(&bytes)
        .map_err(|e| JsFailure::new(e.code(), format!("`{name}`: {e}")))
}

/// The signature algorithm of a certificate chain's leaf key (signature-specification.md §Signature
/// Algorithm Requirements; the core's [`crate::sign::algorithm_for_chain`]), with
/// `ERR_UNSUPPORTED_ALGORITHM` for a key Notary does not sign with and `ERR_INVALID_ARGUMENT` for
/// an empty chain.
pub fn leaf_algorithm(
    chain: &[Certificate],
) -> Result<crate::crypto::SignatureAlgorithm, JsFailure> {
    use crate::sign::SignError;
    let unsupported = |e: String| JsFailure::new(ErrorCode::UnsupportedAlgorithm, e);
    crate::sign::algorithm_for_chain(chain).map_err(|e| match e {
        SignError::InvalidOptions(_) => JsFailure::invalid("`certChain` holds no certificate"),
        SignError::InvalidKey(m) => unsupported(m),
        other => unsupported(other.to_string()),
    })
}

/// The optional `crls` list: `[DER Uint8Array | PEM string, ...]` for the air-gapped CRL checker
/// (trust-store-trust-policy.md §Certificate Revocation Evaluation). Sizes are checked before
/// anything is copied into wasm memory (threat model 13).
pub fn crls_field(opts: &JsValue, name: &str) -> Result<Option<Vec<Vec<u8>>>, JsFailure> {
    use crate::revocation::crl::{MAX_CRLS, MAX_CRL_BYTES};
    let v = field(opts, name)?;
    if !present(&v) {
        return Ok(None);
    }
    let list: &Array = v
        .dyn_ref::<Array>()
        .ok_or_else(|| JsFailure::invalid(format!("`{name}` must be an array")))?;
    let limit = |m: String| JsFailure::new(ErrorCode::Limit, m);
    if list.length() as usize > MAX_CRLS {
        return Err(limit(format!("`{name}` holds more than {MAX_CRLS} CRLs")));
    }
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let len = item
            .dyn_ref::<Uint8Array>()
            .map(|a| a.length() as usize)
            .or_else(|| item.as_string().map(|s| s.len()))
            .unwrap_or(0);
        if len > MAX_CRL_BYTES {
            return Err(limit(format!(
                "`{name}[{i}]` is larger than {MAX_CRL_BYTES} bytes"
            )));
        }
        out.push(bytes_of(&item, name)?);
    }
    Ok(Some(out))
}

/// A certificate chain as the JS API documents it (one shape for verify outcomes, inspect and
/// blob inspect).
pub(crate) fn chain_json(chain: &[crate::verify::CertSummary]) -> Vec<Value> {
    chain
        .iter()
        .map(|c| {
            obj!({
                "subject": c.subject, "issuer": c.issuer, "thumbprint": c.thumbprint,
                "notBefore": c.not_before.to_rfc3339(), "notAfter": c.not_after.to_rfc3339(),
                "serial": c.serial, "ocspUrls": c.ocsp_urls, "crlUrls": c.crl_urls,
            })
        })
        .collect()
}
