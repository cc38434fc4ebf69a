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
