//! For the registry tests: a launcher for the real CNCF distribution registry
//! (`docker-registry`, CONTRIBUTING.md §The test registry), a std-only HTTP/1.1 client implementing
//! [`nv2::registry::HttpClient`], a tiny `block_on`, and small request-recording wrappers; the
//! registry fixtures ([`super::fixtures`]) are re-exported.

use std::cell::RefCell;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use nv2::registry::{HttpClient, HttpRequest, HttpResponse, TransportError};

#[allow(unused_imports)] // not every test file uses the fixtures
pub use super::fixtures::*;

/// Runs a future to completion on this thread (the clients here never return `Pending` for
/// long: the std client blocks inside `send`).
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running `docker-registry serve` on 127.0.0.1, killed (and its storage removed) on drop.
pub struct TestRegistry {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    dir: PathBuf,
}

impl TestRegistry {
    /// A registry without authentication.
    pub fn start() -> Self {
        Self::launch(None)
    }

    /// A registry with htpasswd Basic authentication for `user`/`pass` (bcrypt, `htpasswd -B`).
    pub fn start_with_basic_auth(user: &str, pass: &str) -> Self {
        Self::launch(Some((user, pass)))
    }

    fn launch(auth: Option<(&str, &str)>) -> Self {
        let bin = find_on_path("docker-registry").unwrap_or_else(|| {
            panic!(
                "docker-registry (CNCF distribution) is not on PATH: install it with \
                 `apt-get install docker-registry apache2-utils` (the registry tests need the \
                 real registry; they are not skipped)"
            )
        });
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "nv2-registry-{}-{n}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut auth_yaml = String::new();
        if let Some((user, pass)) = auth {
            let htpasswd = find_on_path("htpasswd")
                .unwrap_or_else(|| panic!("htpasswd is not on PATH: install apache2-utils"));
            let out = Command::new(htpasswd)
                .args(["-Bbn", user, pass])
                .output()
                .unwrap();
            assert!(out.status.success(), "htpasswd failed");
            std::fs::write(dir.join("htpasswd"), &out.stdout).unwrap();
            auth_yaml = format!(
                "auth:\n  htpasswd: {{realm: test-registry, path: {}}}\n",
                dir.join("htpasswd").display()
            );
        }
        let config = format!(
            "version: 0.1\n\
             log: {{level: warn, formatter: text}}\n\
             storage:\n\
             \x20 filesystem: {{rootdirectory: {data}}}\n\
             \x20 delete: {{enabled: true}}\n\
             \x20 cache: {{blobdescriptor: inmemory}}\n\
             \x20 maintenance: {{uploadpurging: {{enabled: false}}}}\n\
             http:\n\
             \x20 addr: {addr}\n\
             \x20 secret: not-secret\n\
             \x20 headers:\n\
             \x20   X-Content-Type-Options: [nosniff]\n\
             \x20   Access-Control-Allow-Origin: ['*']\n\
             \x20   Access-Control-Allow-Methods: ['HEAD', 'GET', 'OPTIONS', 'DELETE', 'PUT', 'POST', 'PATCH']\n\
             \x20   Access-Control-Allow-Headers: ['Authorization', 'Accept', 'Content-Type', 'Range']\n\
             \x20   Access-Control-Expose-Headers: ['Docker-Content-Digest', 'Location', 'OCI-Subject', 'Content-Length', 'WWW-Authenticate', 'Link']\n\
             health: {{storagedriver: {{enabled: false}}}}\n\
             {auth_yaml}",
            data = dir.join("data").display(),
        );
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.join("registry.log")).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config_path)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let reg = TestRegistry { child, addr, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let up = StdHttpClient::new()
                .send_blocking(&HttpRequest::new("GET", format!("http://{}/v2/", reg.addr)))
                .map(|r| r.status == 200 || r.status == 401)
                .unwrap_or(false);
            if up {
                break;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(reg.dir.join("registry.log")).unwrap_or_default();
                panic!("docker-registry did not come up on {}: {log}", reg.addr);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// A std-only HTTP/1.1 client (plain http; `Connection: close`; Content-Length, chunked and
/// read-to-EOF bodies), honouring `max_response_bytes` by stopping after `limit + 1` bytes.
#[derive(Clone, Debug, Default)]
pub struct StdHttpClient {
    /// Really sleep in [`HttpClient::sleep`] (backoff).
    pub sleeps: bool,
}

impl StdHttpClient {
    pub fn new() -> Self {
        StdHttpClient { sleeps: true }
    }

    pub fn send_blocking(&self, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let err = |e: std::io::Error| TransportError::new(e.to_string());
        let rest = req
            .url
            .strip_prefix("http://")
            .ok_or_else(|| TransportError::new("only http:// is supported by the test client"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let mut stream = TcpStream::connect(authority).map_err(err)?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(err)?;
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n",
            req.method, path
        );
        let mut has_len = false;
        for (k, v) in &req.headers {
            if k.eq_ignore_ascii_case("content-length") {
                has_len = true;
            }
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !has_len && (!req.body.is_empty() || matches!(req.method.as_str(), "PUT" | "POST")) {
            head.push_str(&format!("Content-Length: {}\r\n", req.body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).map_err(err)?;
        stream.write_all(&req.body).map_err(err)?;
        let mut r = BufReader::new(stream);
        let mut line = String::new();
        r.read_line(&mut line).map_err(err)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| TransportError::new(format!("bad status line {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            let mut l = String::new();
            r.read_line(&mut l).map_err(err)?;
            let l = l.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let cap = req.max_response_bytes.map(|m| m + 1).unwrap_or(u64::MAX);
        let mut body = Vec::new();
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if req.method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status) {
            // no body
        } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            loop {
                let mut l = String::new();
                r.read_line(&mut l).map_err(err)?;
                let size = usize::from_str_radix(l.trim().split(';').next().unwrap_or("0"), 16)
                    .map_err(|_| TransportError::new("bad chunk size"))?;
                if size == 0 {
                    break;
                }
                let want = (size as u64).min(cap - body.len() as u64) as usize;
                let start = body.len();
                body.resize(start + want, 0);
                r.read_exact(&mut body[start..]).map_err(err)?;
                if body.len() as u64 >= cap {
                    break;
                }
                let mut skip = vec![0u8; size - want];
                r.read_exact(&mut skip).map_err(err)?;
                let mut crlf = String::new();
                r.read_line(&mut crlf).map_err(err)?;
            }
        } else if let Some(len) = get("content-length").and_then(|v| v.parse::<u64>().ok()) {
            let want = len.min(cap);
            (&mut r).take(want).read_to_end(&mut body).map_err(err)?;
        } else {
            (&mut r).take(cap).read_to_end(&mut body).map_err(err)?;
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl HttpClient for StdHttpClient {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.send_blocking(&req)
    }

    async fn sleep(&self, millis: u64) {
        if self.sleeps {
            std::thread::sleep(Duration::from_millis(millis));
        }
    }
}

/// A client wrapper that records every request and lets a test rewrite requests/responses.
pub struct Recording<C, F = fn(&HttpRequest, HttpResponse) -> Result<HttpResponse, TransportError>>
{
    pub inner: C,
    pub log: RefCell<Vec<HttpRequest>>,
    pub hook: F,
}

impl<C: HttpClient> Recording<C> {
    pub fn new(inner: C) -> Self {
        Recording {
            inner,
            log: RefCell::new(Vec::new()),
            hook: |_, r| Ok(r),
        }
    }
}

impl<C, F> Recording<C, F> {
    pub fn with_hook(inner: C, hook: F) -> Self {
        Recording {
            inner,
            log: RefCell::new(Vec::new()),
            hook,
        }
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.log.borrow().clone()
    }
}

impl<C, F> HttpClient for Recording<C, F>
where
    C: HttpClient,
    F: Fn(&HttpRequest, HttpResponse) -> Result<HttpResponse, TransportError>,
{
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log.borrow_mut().push(req.clone());
        let resp = self.inner.send(req.clone()).await?;
        (self.hook)(&req, resp)
    }

    async fn sleep(&self, millis: u64) {
        self.inner.sleep(millis).await
    }
}

/// A scripted fake HTTP client: a function from request to response, recording requests.
pub struct Fake<F> {
    pub log: RefCell<Vec<HttpRequest>>,
    pub respond: F,
}

impl<F> Fake<F>
where
    F: Fn(&HttpRequest) -> Result<HttpResponse, TransportError>,
{
    pub fn new(respond: F) -> Self {
        Fake {
            log: RefCell::new(Vec::new()),
            respond,
        }
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.log.borrow().clone()
    }
}

impl<F> HttpClient for Fake<F>
where
    F: Fn(&HttpRequest) -> Result<HttpResponse, TransportError>,
{
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.log.borrow_mut().push(req.clone());
        (self.respond)(&req)
    }
}

/// A response with `status`, headers and body.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

/// The header `name` of a request.
pub fn req_header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}
