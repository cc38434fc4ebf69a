//! The one narrow transport interface (architecture practice 3): an injected [`HttpClient`] with a
//! single `send`, plus the small URL and header helpers the registry code needs.
//!
//! The client only moves bytes. It must not follow redirects (the registry code follows them
//! itself, so it can drop `Authorization` when the host changes, threat model 16a), must not add
//! credentials or cookies of its own (threat model 17), and should stop reading a body after
//! [`HttpRequest::max_response_bytes`] + 1 bytes (threat model 13, 15).

use core::fmt;

use super::deadline::{DeadlinePhase, RequestDeadline};
use crate::crypto::HashAlgorithm;

/// An HTTP request for the injected client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `HEAD`, `PUT`, `POST`, ...
    pub method: String,
    /// Absolute `http://` or `https://` URL.
    pub url: String,
    /// Request headers (name, value).
    pub headers: Vec<(String, String)>,
    /// Request body (empty for none). Shared, so retries, redirects and auth rounds do not copy
    /// a chunk of a streamed blob.
    pub body: std::rc::Rc<Vec<u8>>,
    /// The most body bytes the caller accepts. A client should stop reading once it has
    /// `max_response_bytes + 1` (decoded) bytes: the caller then fails with `ERR_LIMIT` without
    /// the whole body ever being buffered (threat model 13, 15). `None`: small or no body.
    pub max_response_bytes: Option<u64>,
    /// The deadlines the client must honour (threat model 25), stamped by the registry client
    /// before sending; `None`: the client's own (none). A passed deadline is a
    /// [`TransportError`] of kind [`TransportKind::Deadline`].
    pub deadline: Option<RequestDeadline>,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        HttpRequest {
            method: method.to_string(),
            url: url.into(),
            headers: Vec::new(),
            body: Default::default(),
            max_response_bytes: None,
            deadline: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// An HTTP response from the injected client. 3xx responses are returned as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Response headers, names in lower case; a header repeated on the wire appears repeatedly.
    pub headers: Vec<(String, String)>,
    /// The body as read (possibly cut after `max_response_bytes + 1` bytes).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name`.
    pub fn header_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of `Content-Type`, without parameters, lower-cased.
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// Why a request got no (complete) response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// A definite network failure the host could name: connection refused or reset, DNS, TLS, a
    /// body cut short (Node's `fetch` gives a `cause`). Never "absent" (threat model 27).
    Network,
    /// A network error the host cannot explain: a browser's `TypeError: Failed to fetch` with no
    /// cause. The Fetch standard makes a CORS failure such an opaque "network error" on purpose
    /// (WHATWG fetch §4.1 "main fetch", §3.2.5 CORS check), so on the Referrers API route it is
    /// read as "no Referrers API" (CONTRIBUTING.md §The test registry); anywhere else it is a
    /// failure like [`TransportKind::Network`].
    Opaque,
    /// A deadline passed (threat model 25; `registry::deadline`).
    Deadline {
        /// Which deadline.
        during: DeadlinePhase,
        /// How long was waited, in milliseconds.
        waited_millis: u64,
    },
    /// The caller aborted (its `AbortSignal`).
    Aborted,
}

impl TransportKind {
    /// `network`, `opaque`, `deadline`, `aborted` (`details.transport` in JS).
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::Network => "network",
            TransportKind::Opaque => "opaque",
            TransportKind::Deadline { .. } => "deadline",
            TransportKind::Aborted => "aborted",
        }
    }
}

/// The request never got an HTTP response (or its body was cut): connection refused, DNS, TLS,
/// a browser CORS rejection (`TypeError: Failed to fetch`), a deadline, an abort. During
/// verification this makes the result inconclusive, never "unsigned" (architecture practice 9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    /// A description from the host (must not contain credentials).
    pub message: String,
    /// What kind of failure.
    pub kind: TransportKind,
    /// The URL of the request, without its query (a CDN redirect's query may hold a signed
    /// capability; threat model 16), set by the registry client.
    pub url: Option<String>,
}

impl TransportError {
    /// A definite network failure ([`TransportKind::Network`]) with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        TransportError {
            message: message.into(),
            kind: TransportKind::Network,
            url: None,
        }
    }

    /// A transport error of `kind`.
    pub fn of_kind(kind: TransportKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            ..TransportError::new(message)
        }
    }

    /// A passed deadline: `during`, after `waited_millis`.
    pub fn deadline(during: DeadlinePhase, waited_millis: u64) -> Self {
        TransportError::of_kind(
            TransportKind::Deadline {
                during,
                waited_millis,
            },
            during.name(),
        )
    }

    /// Records the request's URL (without its query) unless one is already set.
    pub fn at(mut self, url: &str) -> Self {
        if self.url.is_none() {
            self.url = Some(url.split(['?', '#']).next().unwrap_or_default().to_string());
        }
        self
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TransportKind::Deadline {
                during,
                waited_millis,
            } => write!(
                f,
                "deadline passed: waited {waited_millis} ms for {}",
                during.waited_for()
            )?,
            _ => write!(f, "network error: {}", self.message)?,
        }
        if let Some(url) = &self.url {
            write!(f, " ({url})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {}

/// The injected HTTP client: the host's `fetch` in wasm, a test client natively.
///
/// Futures need not be `Send` (wasm is single-threaded).
#[allow(async_fn_in_trait)]
pub trait HttpClient {
    /// Sends one request and returns the response, including 3xx and error statuses. Only a
    /// failure to obtain any response is an `Err`.
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Waits `millis` milliseconds before a retry of a 429/5xx answer. The default does not
    /// wait (the core never reads a clock); hosts may implement it with `setTimeout`.
    async fn sleep(&self, millis: u64) {
        let _ = millis;
    }

    /// Streams a blob between registries without holding it: sends `source` (a `GET`) and,
    /// when it answers 200, sends `sink` (a `PATCH` into an upload session) with the source's
    /// body streamed as its body, hashing every byte with `algorithm` on the way. Redirects are
    /// not followed (a 3xx is returned as the source answer, like any non-200, with no sink
    /// request made). `blob` and `size` name the content for host-side progress reports.
    ///
    /// `Ok(None)`: this client cannot stream request bodies (the default; browsers need HTTP/2
    /// for it), and the caller copies in ranged chunks instead.
    async fn pipe(
        &self,
        source: &HttpRequest,
        sink: &HttpRequest,
        algorithm: HashAlgorithm,
        blob: &str,
        size: u64,
    ) -> Result<Option<Piped>, TransportError> {
        let _ = (source, sink, algorithm, blob, size);
        Ok(None)
    }
}

/// The result of [`HttpClient::pipe`].
#[derive(Clone, Debug)]
pub struct Piped {
    /// The source's answer (its body is not kept).
    pub source: HttpResponse,
    /// The sink's answer, when the source answered 200 and the sink was sent.
    pub sink: Option<HttpResponse>,
    /// The hash of the bytes streamed (when the sink was sent).
    pub hash: Vec<u8>,
    /// How many bytes were streamed.
    pub bytes: u64,
}

impl<T: HttpClient + ?Sized> HttpClient for &T {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(req).await
    }

    async fn sleep(&self, millis: u64) {
        (**self).sleep(millis).await
    }

    async fn pipe(
        &self,
        source: &HttpRequest,
        sink: &HttpRequest,
        algorithm: HashAlgorithm,
        blob: &str,
        size: u64,
    ) -> Result<Option<Piped>, TransportError> {
        (**self).pipe(source, sink, algorithm, blob, size).await
    }
}

/// A parsed absolute URL: enough to compare origins and resolve references.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    /// `http` or `https`, lower case.
    pub scheme: String,
    /// `host[:port]`, host lower-cased.
    pub authority: String,
    /// Path and query, starting with `/`.
    pub path_and_query: String,
}

impl Url {
    /// Parses an absolute `http`/`https` URL; refuses user-info (`user@host`) and fragments are
    /// dropped.
    pub fn parse(s: &str) -> Option<Url> {
        let (scheme, rest) = s.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        if authority.is_empty()
            || authority.contains('@')
            || !authority
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'[' | b']'))
        {
            return None;
        }
        let mut path = rest[end..]
            .split('#')
            .next()
            .unwrap_or_default()
            .to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Some(Url {
            scheme,
            authority: authority.to_ascii_lowercase(),
            path_and_query: path,
        })
    }

    /// `scheme://authority`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }

    /// The host without port.
    pub fn host(&self) -> &str {
        host_of(&self.authority)
    }

    /// Resolves `reference` (absolute, scheme-relative, absolute-path or relative) against this
    /// URL (RFC 3986 §5, simplified: no dot-segment removal).
    pub fn join(&self, reference: &str) -> Option<Url> {
        let r = reference.trim();
        if r.contains("://") {
            return Url::parse(r);
        }
        if let Some(rest) = r.strip_prefix("//") {
            return Url::parse(&format!("{}://{rest}", self.scheme));
        }
        if r.starts_with('/') {
            return Url::parse(&format!("{}{r}", self.origin()));
        }
        if r.starts_with('?') {
            let path = self.path_and_query.split('?').next().unwrap_or("/");
            return Url::parse(&format!("{}{path}{r}", self.origin()));
        }
        let path = self.path_and_query.split('?').next().unwrap_or("/");
        let dir = match path.rfind('/') {
            Some(i) => &path[..=i],
            None => "/",
        };
        Url::parse(&format!("{}{dir}{r}", self.origin()))
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.path_and_query)
    }
}

/// The host part of `host[:port]` (IPv6 literals keep their brackets).
pub(crate) fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return match authority.find(']') {
            Some(i) => &authority[..=i],
            None => authority,
        };
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    }
}

/// Whether `host` is a loopback name (`localhost`, `127.x.y.z`, `[::1]`).
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

/// Percent-encodes a query component (RFC 3986 unreserved characters pass).
pub(crate) fn query_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `rel="next"` targets of RFC 8288 `Link` header values.
pub(crate) fn link_next<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    for value in values {
        let mut rest = value;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                break;
            };
            let target = &rest[start + 1..start + end];
            let after = &rest[start + end + 1..];
            let params_end = after.find('<').unwrap_or(after.len());
            let params = &after[..params_end];
            let is_next = params.split(';').any(|p| {
                let p = p.trim().trim_end_matches(',').trim();
                match p.split_once('=') {
                    Some((k, v)) => {
                        k.trim().eq_ignore_ascii_case("rel")
                            && v.trim()
                                .trim_matches('"')
                                .split_ascii_whitespace()
                                .any(|r| r.eq_ignore_ascii_case("next"))
                    }
                    None => false,
                }
            });
            if is_next {
                return Some(target.to_string());
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parse_and_join() {
        let u = Url::parse("http://127.0.0.1:5000/v2/a/blobs/uploads/x?y=1#f").unwrap();
        assert_eq!(u.origin(), "http://127.0.0.1:5000");
        assert_eq!(u.host(), "127.0.0.1");
        assert_eq!(u.path_and_query, "/v2/a/blobs/uploads/x?y=1");
        assert_eq!(
            u.join("/v2/b").unwrap().to_string(),
            "http://127.0.0.1:5000/v2/b"
        );
        assert_eq!(u.join("https://other/x").unwrap().origin(), "https://other");
        assert_eq!(u.join("//evil:1/x").unwrap().origin(), "http://evil:1");
        assert_eq!(
            u.join("z?q").unwrap().to_string(),
            "http://127.0.0.1:5000/v2/a/blobs/uploads/z?q"
        );
        assert!(Url::parse("http://user:pw@host/").is_none());
        assert!(Url::parse("ftp://host/").is_none());
        assert_eq!(host_of("[::1]:5000"), "[::1]");
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && !is_loopback("127x"));
    }

    #[test]
    fn link_headers() {
        let v = [r#"</v2/a/referrers/x?last=1>; rel="next""#];
        assert_eq!(
            link_next(v.iter().copied()).as_deref(),
            Some("/v2/a/referrers/x?last=1")
        );
        let v = [r#"<http://a/prev>; rel="prev", <http://a/next>; rel=next"#];
        assert_eq!(
            link_next(v.iter().copied()).as_deref(),
            Some("http://a/next")
        );
        let v = [r#"<http://a/prev>; rel="prev""#];
        assert_eq!(link_next(v.iter().copied()), None);
        assert_eq!(
            query_encode("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }
}
