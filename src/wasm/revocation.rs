//! The JS side of online revocation: the `offline` flag and a `revocationCache` object
//! (`get(url)` → `{ baseCRL, deltaCRL? }` of `Uint8Array`s or `undefined`, `set(url, bundle)`),
//! converted for [`crate::revocation::fetch`]. A cache that throws or returns something else is
//! ignored: a cache miss costs a download, never a verdict.

use js_sys::{Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::{opt_field, JsFailure};
use crate::revocation::fetch::CrlCache;
use crate::revocation::material::MAX_CRL_DOWNLOAD_BYTES;
use crate::revocation::FetchedBody;

/// A JS object used as a [`CrlCache`].
pub(crate) struct JsCrlCache(Option<JsValue>);

impl JsCrlCache {
    fn method(&self, name: &str) -> Option<(JsValue, Function)> {
        let obj = self.0.as_ref()?;
        let f = Reflect::get(obj, &name.into())
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        Some((obj.clone(), f))
    }
}

fn bytes(v: &JsValue, name: &str) -> Option<Vec<u8>> {
    let b = Reflect::get(v, &name.into())
        .ok()?
        .dyn_into::<Uint8Array>()
        .ok()?;
    (u64::from(b.length()) <= MAX_CRL_DOWNLOAD_BYTES).then(|| b.to_vec())
}

impl CrlCache for JsCrlCache {
    fn get(&self, url: &str) -> Option<FetchedBody> {
        let (obj, get) = self.method("get")?;
        let v = get.call1(&obj, &url.into()).ok()?;
        if !v.is_object() {
            return None;
        }
        Some(FetchedBody {
            body: bytes(&v, "baseCRL")?,
            delta: bytes(&v, "deltaCRL"),
        })
    }

    fn put(&self, url: &str, bundle: &FetchedBody) {
        let Some((obj, set)) = self.method("set") else {
            return;
        };
        let v = Object::new();
        let _ = Reflect::set(&v, &"baseCRL".into(), &Uint8Array::from(&bundle.body[..]));
        if let Some(d) = &bundle.delta {
            let _ = Reflect::set(&v, &"deltaCRL".into(), &Uint8Array::from(&d[..]));
        }
        let _ = set.call2(&obj, &url.into(), &v);
    }
}

/// `{ offline?, revocationCache? }` of `opts`: whether the network may be asked, and the cache.
pub(crate) fn revocation_options(opts: &JsValue) -> Result<(bool, JsCrlCache), JsFailure> {
    let offline = opt_field::<bool>(opts, "offline")?.unwrap_or(false);
    let cache = Reflect::get(opts, &"revocationCache".into())
        .ok()
        .filter(|v| v.is_object());
    Ok((!offline, JsCrlCache(cache)))
}

/// Describes one CRL (DER or PEM) without trusting it, for CRL stores and listings:
/// `{ issuer, thisUpdate, nextUpdate, number, delta, revoked, scopeUrls, deltaUrls }`. Throws
/// `ERR_PARSE` (a `CrlError`'s code) when it does not parse.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = inspectCrl)]
pub fn inspect_crl(crl: JsValue) -> Result<JsValue, JsValue> {
    (|| {
        let bytes = super::convert::bytes_of(&crl, "crl")?;
        if bytes.len() > crate::revocation::crl::MAX_CRL_BYTES {
            return Err(JsFailure::new(
                crate::error::ErrorCode::Limit,
                format!(
                    "the CRL is larger than {} bytes",
                    crate::revocation::crl::MAX_CRL_BYTES
                ),
            ));
        }
        let c = crate::revocation::Crl::from_pem_or_der(&bytes)
            .map_err(|e| JsFailure::new(e.code(), e.to_string()))?;
        super::convert::to_js(&obj!({
            "issuer": c.issuer_rfc4514(),
            "thisUpdate": c.this_update().to_rfc3339(),
            "nextUpdate": c.next_update().map(|t| t.to_rfc3339()),
            "number": c.number_hex(),
            "delta": c.is_delta(),
            "revoked": c.revoked_count(),
            "scopeUrls": c.scope_urls(),
            "deltaUrls": c.delta_crl_urls().unwrap_or_default(),
        }))
    })()
    .map_err(super::convert::js_error)
}

/// Attaches CRLs to the artifact `reference` names, as a revocation-data referrer
/// ([`crate::registry::attach_revocation`]). `opts`: registry options plus `{ crls, created }`
/// (`created`: RFC 3339, supplied by the JS wrapper from the host clock). Resolves to
/// `{ reference, digest, subject, crls, referrersIndexUpdated }`.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = registryAttachRevocation)]
pub fn registry_attach_revocation(reference_text: String, opts: JsValue) -> js_sys::Promise {
    use super::registry::{client, promise, reference, registry_failure};
    promise(async move {
        let client = client(&opts)?;
        let reference = reference(&reference_text)?;
        let crls = super::convert::crls_field(&opts, "crls")?
            .ok_or_else(|| JsFailure::invalid("`crls` is required"))?;
        let created = super::convert::str_field(&opts, "created")?;
        let target = client.resolve(&reference).await.map_err(registry_failure)?;
        let pushed = crate::registry::attach_revocation(&client, &target, &crls, &created)
            .await
            .map_err(registry_failure)?;
        super::convert::to_js(&obj!({
            "reference": target.pinned.to_string(),
            "digest": pushed.descriptor.digest.to_string(),
            "subject": target.descriptor.digest.to_string(),
            "crls": crls.len(),
            "referrersIndexUpdated": pushed.oci_subject.as_deref()
                != Some(target.descriptor.digest.to_string().as_str()),
            "warnings": target.warnings,
        }))
    })
}
