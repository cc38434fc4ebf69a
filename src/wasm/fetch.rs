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
//!
//! Deadlines (threat model 25): the core stamps each request with its first-byte, idle and
//! operation deadlines (`crate::registry::deadline`); here they are raced against the host's
//! `setTimeout` — the response headers against the first-byte deadline, each body chunk against
//! the idle one, both against what is left of the operation's (counted from this client's
//! creation, one client per call). A passed deadline aborts the request through its own
//! `AbortController` (WHATWG fetch §5.6 "abort"; the caller's `AbortSignal` is combined with it by
//! the JS wrapper) and is reported as a deadline, not a network error. Every timer is cleared, so
//! a finished call never keeps Node's event loop alive.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::registry::{
    DeadlinePhase, HttpClient, HttpRequest, HttpResponse, RequestDeadline, TransportError,
    TransportKind,
};

/// An [`HttpClient`] calling a JS `fetch` function.
pub struct FetchClient {
    fetch: Function,
    set_timeout: Option<Function>,
    clear_timeout: Option<Function>,
    abort_controller: Option<Function>,
    /// The host's monotonic clock, `performance.now` with its receiver (High Resolution Time:
    /// wall-clock jumps must not fire or stall a deadline); `Date.now` where there is none.
    monotonic: Option<(JsValue, Function)>,
    /// When the operation started (ms on that clock): this client's creation.
    started: f64,
    pipe: Option<Function>,
}

/// The longest delay `setTimeout` takes (2^31 - 1 ms; a longer one fires at once, HTML
/// §timers "timer initialisation steps" clamp).
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// The classification of a rejected `fetch` / `read()`: the caller's abort, the browser's opaque
/// network error (a `TypeError` without `cause`, as a CORS failure is, WHATWG fetch §4.1), or a
/// definite network failure (Node's `TypeError: fetch failed` names its `cause`).
fn failure(e: &JsValue) -> TransportError {
    let message = describe(e);
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let has_cause = Reflect::get(e, &"cause".into()).is_ok_and(|c| !c.is_undefined());
    let kind = match name.as_str() {
        "AbortError" | "TimeoutError" => TransportKind::Aborted,
        "TypeError" if !has_cause => TransportKind::Opaque,
        _ => TransportKind::Network,
    };
    // A deadline reported by the host's pipe helper: `{ during, waitedMs }` on the error.
    let during = Reflect::get(e, &"during".into())
        .ok()
        .and_then(|d| d.as_string());
    let waited = Reflect::get(e, &"waitedMs".into())
        .ok()
        .and_then(|w| w.as_f64());
    if let (Some(during), Some(waited)) = (during, waited) {
        let phase = match during.as_str() {
            "firstByte" => DeadlinePhase::FirstByte,
            "idle" => DeadlinePhase::Idle,
            _ => DeadlinePhase::Operation,
        };
        return TransportError::deadline(phase, waited as u64);
    }
    TransportError::of_kind(kind, message)
}

/// The deadline a wait must end by: the phase's own, or what is left of the operation's when
/// that is sooner.
struct Wait {
    millis: f64,
    phase: DeadlinePhase,
    waited: u64,
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
        let global_fn = |name: &str| {
            Reflect::get(&global, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
        };
        let monotonic = Reflect::get(&global, &"performance".into())
            .ok()
            .filter(|p| p.is_object())
            .and_then(|p| {
                let now = Reflect::get(&p, &"now".into()).ok()?.dyn_into().ok()?;
                Some((p, now))
            });
        let mut client = FetchClient {
            fetch,
            set_timeout: global_fn("setTimeout"),
            clear_timeout: global_fn("clearTimeout"),
            abort_controller: global_fn("AbortController"),
            monotonic,
            started: 0.0,
            pipe: None,
        };
        client.started = client.clock();
        Ok(client)
    }

    fn clock(&self) -> f64 {
        self.monotonic
            .as_ref()
            .and_then(|(p, now)| now.call0(p).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }

    /// Milliseconds since the operation started.
    fn elapsed(&self) -> f64 {
        self.clock() - self.started
    }

    /// The wait for `phase` (`phase_ms`) under `deadline`, or an error when the operation's
    /// deadline has already passed.
    fn wait(
        &self,
        deadline: &RequestDeadline,
        phase: DeadlinePhase,
        phase_ms: u64,
    ) -> Result<Wait, TransportError> {
        let left = deadline.operation_millis as f64 - self.elapsed();
        if left <= 0.0 {
            return Err(TransportError::deadline(
                DeadlinePhase::Operation,
                deadline.operation_millis,
            ));
        }
        // A phase as long as the whole operation (a single `timeout` number) is the operation's
        // deadline: reported as such, whatever the millisecond the request started in.
        Ok(
            if left < phase_ms as f64 || phase_ms >= deadline.operation_millis {
                Wait {
                    millis: left,
                    phase: DeadlinePhase::Operation,
                    waited: deadline.operation_millis,
                }
            } else {
                Wait {
                    millis: phase_ms as f64,
                    phase,
                    waited: phase_ms,
                }
            },
        )
    }

    /// Awaits `promise`, or `None` when `wait` passes first. The timer is always cleared.
    async fn race(
        &self,
        promise: JsValue,
        wait: Option<&Wait>,
    ) -> Result<Option<JsValue>, TransportError> {
        let (Some(wait), Some(set_timeout)) = (wait, &self.set_timeout) else {
            return await_value(promise).await.map(Some);
        };
        let marker: JsValue = Object::new().into();
        let mut id = JsValue::UNDEFINED;
        let timer = Promise::new(&mut |resolve, _reject| {
            id = set_timeout
                .call3(
                    &JsValue::UNDEFINED,
                    &resolve,
                    &JsValue::from_f64(wait.millis.clamp(0.0, MAX_TIMER_MS)),
                    &marker,
                )
                .unwrap_or(JsValue::UNDEFINED);
        });
        // Cleared on every exit, including when this future is dropped unfinished (a copy's
        // sibling transfer failed): a pending timer would keep Node's event loop alive.
        let _timer = ClearOnDrop {
            clear: self.clear_timeout.clone(),
            id,
        };
        let raced = Promise::race(&Array::of2(&promise, &timer));
        let result = JsFuture::from(raced).await;
        match result {
            Ok(v) if v == marker => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(e) => Err(failure(&e)),
        }
    }

    /// A fresh `AbortController`, when the host has one.
    fn controller(&self) -> Option<JsValue> {
        let ctor = self.abort_controller.as_ref()?;
        Reflect::construct(ctor, &Array::new()).ok()
    }

    /// Adds the host's streaming helper for [`HttpClient::pipe`]:
    /// `pipe(fetch, sourceUrl, sourceInit, sinkUrl, sinkInit, { blob, size, algorithm })` →
    /// `{ source: { status, headers }, sink: null | { status, headers, body }, hash, bytes }`.
    /// The Node entry point supplies one (streamed request bodies, `node:crypto` hashing).
    pub fn with_pipe(mut self, pipe: Option<Function>) -> Self {
        self.pipe = pipe;
        self
    }

    fn init(req: &HttpRequest, redirect: &str, signal: Option<&JsValue>) -> Object {
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
        if let Some(signal) = signal {
            set("signal", signal);
        }
        init
    }

    /// Sends `req` and awaits its response headers within the first-byte deadline; returns the
    /// response and the request's abort guard (the request is aborted when it is dropped: on a
    /// passed deadline, on any error, or when the caller's future is dropped mid-body).
    async fn fetch_once(
        &self,
        req: &HttpRequest,
        redirect: &str,
    ) -> Result<(JsValue, AbortOnDrop), TransportError> {
        let abort = AbortOnDrop(req.deadline.and_then(|_| self.controller()));
        let signal = abort.signal();
        let wait = match &req.deadline {
            Some(d) => Some(self.wait(d, DeadlinePhase::FirstByte, d.first_byte_millis)?),
            None => None,
        };
        let init = Self::init(req, redirect, signal.as_ref());
        let promise = self
            .fetch
            .call2(&JsValue::UNDEFINED, &req.url.as_str().into(), &init)
            .map_err(|e| failure(&e))?;
        match self.race(promise, wait.as_ref()).await? {
            Some(resp) => Ok((resp, abort)),
            None => {
                let wait = wait.unwrap_or(Wait {
                    millis: 0.0,
                    phase: DeadlinePhase::FirstByte,
                    waited: 0,
                });
                Err(TransportError::deadline(wait.phase, wait.waited))
            }
        }
    }

    /// Reads the body, stopping after `max + 1` bytes.
    ///
    /// `expected` (a `Content-Length`) sizes the buffer up front, within the bound, so a large
    /// body is not reallocated and copied as it grows.
    async fn read_body(
        &self,
        resp: &JsValue,
        max: Option<u64>,
        expected: Option<u64>,
        deadline: Option<&RequestDeadline>,
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
            let wait = deadline.map(|d| self.wait(d, DeadlinePhase::Idle, d.idle_millis));
            let wait = match wait.transpose() {
                Ok(w) => w,
                Err(e) => {
                    cancel(&reader).await;
                    return Err(e);
                }
            };
            // Once headers arrived, a failed read is a definite failure (a cut body), never the
            // opaque error a CORS rejection gives before them.
            let read = self
                .race(call_method(&reader, "read")?, wait.as_ref())
                .await
                .map_err(|e| match e.kind {
                    TransportKind::Opaque => TransportError::new(e.message),
                    _ => e,
                })?;
            let Some(chunk) = read else {
                cancel(&reader).await;
                let wait = wait.unwrap_or(Wait {
                    millis: 0.0,
                    phase: DeadlinePhase::Idle,
                    waited: 0,
                });
                return Err(TransportError::deadline(wait.phase, wait.waited));
            };
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
                cancel(&reader).await;
                break;
            }
        }
        Ok(out)
    }
}

/// Cancels a body reader (the connection is released; errors are moot by then).
async fn cancel(reader: &JsValue) {
    if let Ok(p) = call_method(reader, "cancel") {
        let _ = await_value(p).await;
    }
}

/// Clears a `setTimeout` timer when dropped.
struct ClearOnDrop {
    clear: Option<Function>,
    id: JsValue,
}

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        if let Some(clear) = &self.clear {
            let _ = clear.call1(&JsValue::UNDEFINED, &self.id);
        }
    }
}

/// A request's `AbortController` (when the host has one), aborted when dropped: a no-op once the
/// request has finished (WHATWG fetch §5.6 "abort" of a finished fetch), the connection's release
/// on a passed deadline, an error, or a future dropped unfinished.
struct AbortOnDrop(Option<JsValue>);

impl AbortOnDrop {
    /// The controller's `signal`, for the request's init.
    fn signal(&self) -> Option<JsValue> {
        self.0.as_ref().and_then(|c| get(c, "signal").ok())
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            let _ = call_method(c, "abort");
        }
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
        if let Some(d) = &source.deadline {
            // The helper enforces them on its own streams: `{ firstByteMs, idleMs, operationMs }`
            // with `operationMs` what is left of the operation's.
            let wait = self.wait(d, DeadlinePhase::Operation, d.operation_millis)?;
            let deadline = Object::new();
            let num = |k: &str, v: f64| {
                let _ = Reflect::set(&deadline, &k.into(), &JsValue::from_f64(v));
            };
            num("firstByteMs", d.first_byte_millis as f64);
            num("idleMs", d.idle_millis as f64);
            num("operationMs", wait.millis);
            num("operationTotalMs", d.operation_millis as f64);
            let _ = Reflect::set(&info, &"deadline".into(), &deadline);
        }
        let args = Array::of3(
            &self.fetch,
            &source.url.as_str().into(),
            &Self::init(source, "manual", None),
        );
        args.push(&sink.url.as_str().into());
        args.push(&Self::init(sink, "manual", None));
        args.push(&info);
        // The helper's streams stop when this future is dropped unfinished (a sibling transfer
        // of the copy failed), so nothing keeps streaming, or keeps Node alive, after the copy.
        let abort = AbortOnDrop(self.controller());
        if let Some(signal) = abort.signal() {
            let _ = Reflect::set(&info, &"signal".into(), &signal);
        }
        let promise = pipe
            .apply(&JsValue::UNDEFINED, &args)
            .map_err(|e| failure(&e))?;
        let answer = JsFuture::from(Promise::resolve(&promise))
            .await
            .map_err(|e| failure(&e))?;
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

    async fn send(&self, mut req: HttpRequest) -> Result<HttpResponse, TransportError> {
        // A request with its own bound ends by it: from now, as an operation deadline.
        if let Some(d) = req.deadline.as_mut() {
            if let Some(ms) = d.request_millis {
                let end = (self.elapsed().max(0.0) as u64).saturating_add(ms);
                d.operation_millis = d.operation_millis.min(end);
            }
        }
        // `_abort` lives until the body is read or this future ends (AbortOnDrop).
        let (mut resp, mut _abort) = self.fetch_once(&req, "manual").await?;
        if get(&resp, "type")?.as_string().as_deref() == Some("opaqueredirect") {
            (resp, _abort) = self.fetch_once(&req, "follow").await?;
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
            self.read_body(
                &resp,
                req.max_response_bytes,
                expected,
                req.deadline.as_ref(),
            )
            .await?
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
