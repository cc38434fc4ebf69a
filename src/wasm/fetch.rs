//! The registry [`HttpClient`] over the host's `fetch` (Node ≥ 20, browsers, workers).
//!
//! The `fetch` function is injected (default `globalThis.fetch`, captured when the client is
//! made, threat model 18), so a portal can pass its own and tests can observe traffic. No
//! `window()`: this works in Node and in workers too.
//!
//! Network rules (threat model 15-17): credentials are never sent by the browser on its own
//! (`credentials: "omit"`); redirects are handed back to the registry client (`redirect:
//! "manual"`), which follows them itself and drops `Authorization` across hosts. Browsers hide
//! redirect targets (an "opaqueredirect" response); there the request is repeated with
//! `redirect: "follow"`, and the Fetch standard drops `Authorization` on cross-origin redirects.
//! Bodies are read as a stream and reading stops one byte past the caller's bound, counting
//! decoded bytes (gzip bombs, threat model 15).

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::registry::{HttpClient, HttpRequest, HttpResponse, TransportError};

/// An [`HttpClient`] calling a JS `fetch` function.
pub struct FetchClient {
    fetch: Function,
    set_timeout: Option<Function>,
    pipe: Option<Function>,
}

fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let cause = Reflect::get(err, &"cause".into())
            .ok()
            .filter(|c| !c.is_undefined())
            .map(|c| format!(" ({})", describe(&c)))
            .unwrap_or_default();
        return format!("{}{cause}", String::from(err.message()));
    }
    e.as_string().unwrap_or_else(|| "fetch failed".to_string())
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, TransportError> {
    Reflect::get(target, &key.into()).map_err(|e| TransportError::new(describe(&e)))
}

fn call_method(target: &JsValue, name: &str) -> Result<JsValue, TransportError> {
    let f: Function = get(target, name)?
        .dyn_into()
        .map_err(|_| TransportError::new(format!("response has no {name}()")))?;
    f.call0(target)
        .map_err(|e| TransportError::new(describe(&e)))
}

async fn await_value(v: JsValue) -> Result<JsValue, TransportError> {
    let p: Promise = v
        .dyn_into()
        .map_err(|_| TransportError::new("fetch did not return a promise"))?;
    JsFuture::from(p)
        .await
        .map_err(|e| TransportError::new(describe(&e)))
}

impl FetchClient {
    /// A client over `fetch` (a JS function), or over `globalThis.fetch` when `None`.
    pub fn new(fetch: Option<Function>) -> Result<Self, TransportError> {
        let global = js_sys::global();
        let fetch = match fetch {
            Some(f) => f,
            None => Reflect::get(&global, &"fetch".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| TransportError::new("no global fetch() in this runtime"))?,
        };
        let set_timeout = Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        Ok(FetchClient {
            fetch,
            set_timeout,
            pipe: None,
        })
    }

    /// Adds the host's streaming helper for [`HttpClient::pipe`]:
    /// `pipe(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, { blob, size, algorithm })` →
    /// `{ source: { status, headers }, sink: null | { status, headers, body }, hash, bytes }`.
    /// The Node entry point supplies one (streamed request bodies, `node:crypto` hashing).
    pub fn with_pipe(mut self, pipe: Option<Function>) -> Self {
        self.pipe = pipe;
        self
    }

    fn init(req: &HttpRequest, redirect: &str) -> Object {
        let init = Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = Reflect::set(&init, &k.into(), v);
        };
        set("method", &req.method.as_str().into());
        set("redirect", &redirect.into());
        set("credentials", &"omit".into());
        set("cache", &"no-store".into());
        let headers = Array::new();
        for (name, value) in &req.headers {
            headers.push(&Array::of2(&name.as_str().into(), &value.as_str().into()));
        }
        set("headers", &headers);
        if !req.body.is_empty() {
            set("body", &Uint8Array::from(req.body.as_slice()));
        }
        init
    }

    async fn fetch_once(
        &self,
        req: &HttpRequest,
        redirect: &str,
    ) -> Result<JsValue, TransportError> {
        let init = Self::init(req, redirect);
        let promise = self
            .fetch
            .call2(&JsValue::UNDEFINED, &req.url.as_str().into(), &init)
            .map_err(|e| TransportError::new(describe(&e)))?;
        await_value(promise).await
    }

    /// Reads the body, stopping after `max + 1` bytes.
    ///
    /// `expected` (a `Content-Length`) sizes the buffer up front, within the bound, so a large
    /// body is not reallocated and copied as it grows.
    async fn read_body(
        resp: &JsValue,
        max: Option<u64>,
        expected: Option<u64>,
    ) -> Result<Vec<u8>, TransportError> {
        let body = get(resp, "body")?;
        if body.is_null() || body.is_undefined() {
            return Ok(Vec::new());
        }
        let reader = call_method(&body, "getReader")?;
        let limit = max.map(|m| m.saturating_add(1)).unwrap_or(u64::MAX);
        let capacity = expected.unwrap_or(0).min(max.unwrap_or(0)).min(1 << 30);
        let mut out: Vec<u8> = Vec::with_capacity(capacity as usize);
        loop {
            let chunk = await_value(call_method(&reader, "read")?).await?;
            if get(&chunk, "done")?.is_truthy() {
                break;
            }
            let value: Uint8Array = get(&chunk, "value")?
                .dyn_into()
                .map_err(|_| TransportError::new("response body chunk is not bytes"))?;
            let room = limit.saturating_sub(out.len() as u64);
            let take = u64::from(value.length()).min(room) as u32;
            let start = out.len();
            out.resize(start + take as usize, 0);
            value.subarray(0, take).copy_to(&mut out[start..]);
            if out.len() as u64 >= limit {
                // Over the caller's bound: stop reading (the rest is never buffered).
                if let Ok(p) = call_method(&reader, "cancel") {
                    let _ = await_value(p).await;
                }
                break;
            }
        }
        Ok(out)
    }
}

/// `[[name, value], ...]` (or a `Headers`) as lower-cased pairs.
fn header_pairs(h: &JsValue) -> Result<Vec<(String, String)>, TransportError> {
    let mut headers = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(h) {
        for entry in iter {
            let entry = entry.map_err(|e| TransportError::new(describe(&e)))?;
            let pair: Array = entry.unchecked_into();
            if let (Some(n), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((n.to_ascii_lowercase(), v));
            }
        }
    }
    Ok(headers)
}

/// A `{ status, headers, body? }` answer of the pipe helper.
fn piped_response(v: &JsValue) -> Result<HttpResponse, TransportError> {
    let status = get(v, "status")?
        .as_f64()
        .ok_or_else(|| TransportError::new("pipe answer has no status"))? as u16;
    let headers = header_pairs(&get(v, "headers")?)?;
    let body = get(v, "body")?
        .dyn_into::<Uint8Array>()
        .map(|b| b.to_vec())
        .unwrap_or_default();
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

impl HttpClient for FetchClient {
    async fn pipe(
        &self,
        source: &HttpRequest,
        sink: &HttpRequest,
        algorithm: crate::crypto::HashAlgorithm,
        blob: &str,
        size: u64,
    ) -> Result<Option<crate::registry::Piped>, TransportError> {
        let Some(pipe) = &self.pipe else {
            return Ok(None);
        };
        let info = Object::new();
        let _ = Reflect::set(&info, &"blob".into(), &blob.into());
        let _ = Reflect::set(&info, &"size".into(), &JsValue::from_f64(size as f64));
        let _ = Reflect::set(&info, &"algorithm".into(), &algorithm.name().into());
        let args = Array::of3(
            &self.fetch,
            &source.url.as_str().into(),
            &Self::init(source, "manual"),
        );
        args.push(&sink.url.as_str().into());
        args.push(&Self::init(sink, "manual"));
        args.push(&info);
        let promise = pipe
            .apply(&JsValue::UNDEFINED, &args)
            .map_err(|e| TransportError::new(describe(&e)))?;
        let answer = await_value(promise).await?;
        let source = piped_response(&get(&answer, "source")?)?;
        let sink_answer = get(&answer, "sink")?;
        let sink = if sink_answer.is_null() || sink_answer.is_undefined() {
            None
        } else {
            Some(piped_response(&sink_answer)?)
        };
        let hash = get(&answer, "hash")?
            .dyn_into::<Uint8Array>()
            .map(|b| b.to_vec())
            .unwrap_or_default();
        let bytes = get(&answer, "bytes")?.as_f64().unwrap_or(0.0) as u64;
        Ok(Some(crate::registry::Piped {
            source,
            sink,
            hash,
            bytes,
        }))
    }

    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut resp = self.fetch_once(&req, "manual").await?;
        if get(&resp, "type")?.as_string().as_deref() == Some("opaqueredirect") {
            resp = self.fetch_once(&req, "follow").await?;
        }
        let status = get(&resp, "status")?
            .as_f64()
            .ok_or_else(|| TransportError::new("response has no status"))?
            as u16;
        let headers = header_pairs(&get(&resp, "headers")?)?;
        let body = if req.method == "HEAD" {
            Vec::new()
        } else {
            let expected = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.trim().parse::<u64>().ok());
            Self::read_body(&resp, req.max_response_bytes, expected).await?
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    async fn sleep(&self, millis: u64) {
        let Some(set_timeout) = &self.set_timeout else {
            return;
        };
        let promise = Promise::new(&mut |resolve, _reject| {
            let _ = set_timeout.call2(
                &JsValue::UNDEFINED,
                &resolve,
                &JsValue::from_f64(millis as f64),
            );
        });
        let _ = JsFuture::from(promise).await;
    }
}
