//! The registry session: where requests go (origin, plain-HTTP rules), authentication (401
//! challenges answered with Basic or a Bearer token, RFC 7235 and distribution token auth),
//! redirects followed by this code and retries of 429/5xx, all bounded (threat model 14, 16).

use super::auth::{basic_header, parse_challenges};
use super::client::{RegistryClient, MAX_TOKEN_RESPONSE_BYTES};
use super::error::{registry_error_codes, RegistryError};
use super::http::{is_loopback, query_encode, HttpClient, HttpRequest, HttpResponse, Url};
use crate::oci::Reference;

impl<C: HttpClient> RegistryClient<C> {
    fn plain_allowed(&self, host: &str) -> bool {
        self.options.plain_http || (self.options.plain_http_loopback && is_loopback(host))
    }

    /// `scheme://host[:port]` for a registry name (`docker.io` is served by
    /// `registry-1.docker.io`).
    pub(crate) fn origin(&self, registry: &str) -> String {
        let host = if registry == crate::oci::DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            registry
        };
        let plain = self.plain_allowed(super::http::host_of(&host.to_ascii_lowercase()));
        format!("{}://{}", if plain { "http" } else { "https" }, host)
    }

    /// `<origin>/v2/<repository>/<suffix>`.
    pub(crate) fn url(&self, repo: &Reference, suffix: &str) -> String {
        format!(
            "{}/v2/{}/{}",
            self.origin(&repo.registry),
            repo.repository,
            suffix
        )
    }

    fn check_transport(&self, url: &Url) -> Result<(), RegistryError> {
        if url.scheme == "http" && !self.plain_allowed(url.host()) {
            return Err(RegistryError::InsecureTransport(format!(
                "refusing plain http to {} (not allowed plain HTTP)",
                url.authority
            )));
        }
        Ok(())
    }

    fn token_key(registry: &str, scope: &str) -> String {
        format!("{registry} {scope}")
    }

    fn auth_header(&self, registry: &str, scope: &str) -> Option<String> {
        if let Some(t) = self.tokens.borrow().get(&Self::token_key(registry, scope)) {
            return Some(format!("Bearer {t}"));
        }
        if self.basic.borrow().get(registry).is_some() {
            let (u, p) = self.credentials.as_ref()?.basic(registry)?;
            return Some(basic_header(&u, &p));
        }
        None
    }

    /// `req` with the cached `Authorization` for `registry` when it goes to the registry's own
    /// origin (threat model 16a), for requests the client sends without following redirects.
    pub(crate) fn authorized(
        &self,
        registry: &str,
        mut req: HttpRequest,
        scope: &str,
    ) -> HttpRequest {
        let origin = self.origin(registry).to_ascii_lowercase();
        let same_origin = Url::parse(&req.url).is_some_and(|u| u.origin() == origin);
        if same_origin {
            if let Some(a) = self.auth_header(registry, scope) {
                req.headers.push(("Authorization".to_string(), a));
            }
        }
        req
    }

    /// Checks that `url` may be used (plain HTTP only where allowed, threat model 16d).
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, RegistryError> {
        let url =
            Url::parse(url).ok_or_else(|| RegistryError::Parse(format!("invalid URL {url:?}")))?;
        self.check_transport(&url)?;
        Ok(url)
    }

    /// Stamps `req` with its deadlines (threat model 25), counting `bytes` more for the
    /// operation deadline: the request body plus the most the response may carry.
    pub(crate) fn with_deadline(&self, mut req: HttpRequest, bytes: u64) -> HttpRequest {
        let planned = self.planned_bytes.get().saturating_add(bytes);
        self.planned_bytes.set(planned);
        req.deadline = Some(self.options.deadlines.request(planned));
        req
    }

    /// Sends one request through the injected client, stamped with its deadlines; a transport
    /// failure names the URL.
    pub(crate) async fn send_once(&self, req: HttpRequest) -> Result<HttpResponse, RegistryError> {
        let bytes = (req.body.len() as u64).saturating_add(req.max_response_bytes.unwrap_or(0));
        let req = self.with_deadline(req, bytes);
        let url = req.url.clone();
        Ok(self.http.send(req).await.map_err(|e| e.at(&url))?)
    }

    /// One request with retries of 429/5xx (bounded backoff through the injected sleep).
    async fn send_with_retries(&self, req: HttpRequest) -> Result<HttpResponse, RegistryError> {
        let mut attempt = 0u32;
        loop {
            let resp = self.send_once(req.clone()).await?;
            if (resp.status == 429 || resp.status >= 500) && attempt < self.options.max_retries {
                self.http
                    .sleep(backoff_millis(self.options.retry_base_millis, attempt))
                    .await;
                attempt += 1;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Sends `req`, following redirects itself (bounded); `Authorization` is only attached to
    /// requests for the registry's origin, so a redirect to another host never carries it
    /// (threat model 16a). Returns the response and the URL that produced it.
    async fn send_following(
        &self,
        registry: &str,
        mut req: HttpRequest,
        scope: &str,
    ) -> Result<(HttpResponse, Url), RegistryError> {
        let registry_origin = self.origin(registry).to_ascii_lowercase();
        let mut url = Url::parse(&req.url)
            .ok_or_else(|| RegistryError::Parse(format!("invalid URL {:?}", req.url)))?;
        for _ in 0..=self.options.max_redirects {
            self.check_transport(&url)?;
            let mut r = req.clone();
            r.url = url.to_string();
            if url.origin() == registry_origin {
                if let Some(a) = self.auth_header(registry, scope) {
                    r.headers.push(("Authorization".to_string(), a));
                }
            }
            let resp = self.send_with_retries(r).await?;
            if matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
                let location = resp.header("location").ok_or_else(|| {
                    RegistryError::Parse(format!("HTTP {} without Location", resp.status))
                })?;
                url = url
                    .join(location)
                    .ok_or_else(|| RegistryError::Parse("invalid redirect Location".into()))?;
                if resp.status == 303 || (matches!(resp.status, 301 | 302) && req.method == "POST")
                {
                    req.method = "GET".into();
                    req.body = Default::default();
                }
                continue;
            }
            return Ok((resp, url));
        }
        Err(RegistryError::Limit(format!(
            "more than {} redirects",
            self.options.max_redirects
        )))
    }

    /// Sends `req` to `registry` with authentication: on a 401 from the registry, answers the
    /// challenge (Basic or Bearer) and retries once.
    pub(crate) async fn request(
        &self,
        registry: &str,
        req: HttpRequest,
        scope: &str,
        operation: &str,
    ) -> Result<(HttpResponse, Url), RegistryError> {
        let registry_origin = self.origin(registry).to_ascii_lowercase();
        let mut challenged = false;
        loop {
            let (resp, url) = self.send_following(registry, req.clone(), scope).await?;
            match resp.status {
                401 if !challenged && url.origin() == registry_origin => {
                    challenged = true;
                    self.authorize(registry, &resp, scope).await?;
                }
                401 => {
                    return Err(RegistryError::Auth(format!(
                        "{operation}: unauthorized (HTTP 401)"
                    )))
                }
                403 => {
                    let (codes, message) = registry_error_codes(&resp.body);
                    return Err(RegistryError::Auth(format!(
                        "{operation}: access denied (HTTP 403{}{})",
                        if codes.is_empty() { "" } else { ", " },
                        if codes.is_empty() {
                            message
                        } else {
                            codes.join(", ")
                        }
                    )));
                }
                _ => return Ok((resp, url)),
            }
        }
    }

    /// Answers a 401 challenge (RFC 7235; distribution token auth).
    async fn authorize(
        &self,
        registry: &str,
        resp: &HttpResponse,
        scope: &str,
    ) -> Result<(), RegistryError> {
        let challenges = parse_challenges(resp.header_all("www-authenticate"));
        let creds = self.credentials.as_ref().and_then(|c| c.basic(registry));
        if let Some(bearer) = challenges.iter().find(|c| c.scheme == "bearer") {
            let realm = bearer
                .param("realm")
                .ok_or_else(|| RegistryError::Auth("Bearer challenge without realm".into()))?;
            let realm_url = Url::parse(realm)
                .ok_or_else(|| RegistryError::Auth("Bearer realm is not an http(s) URL".into()))?;
            self.check_transport(&realm_url)?;
            let mut url = realm_url.to_string();
            let mut sep = if url.contains('?') { '&' } else { '?' };
            if let Some(service) = bearer.param("service") {
                url.push_str(&format!("{sep}service={}", query_encode(service)));
                sep = '&';
            }
            // A cross-repository mount needs two scopes (push on the destination, pull on
            // the source); the token endpoint takes each as its own `scope` parameter
            // (distribution token auth, "Requesting a Token").
            for one in scope.split(' ').filter(|s| !s.is_empty()) {
                url.push_str(&format!("{sep}scope={}", query_encode(one)));
                sep = '&';
            }
            if let Some(s) = bearer.param("scope") {
                if !scope.split(' ').any(|one| one == s) {
                    url.push_str(&format!("&scope={}", query_encode(s)));
                }
            }
            let mut treq = HttpRequest::new("GET", url);
            treq.max_response_bytes = Some(MAX_TOKEN_RESPONSE_BYTES);
            if let Some((u, p)) = &creds {
                if self.realm_may_receive_credentials(registry, &realm_url) {
                    treq.headers
                        .push(("Authorization".into(), basic_header(u, p)));
                }
            }
            // The token endpoint is contacted directly: no redirects, so credentials cannot be
            // bounced elsewhere.
            let tresp = self.send_once(treq).await?;
            if tresp.status != 200 {
                return Err(RegistryError::Auth(format!(
                    "token request answered HTTP {}",
                    tresp.status
                )));
            }
            if tresp.body.len() as u64 > MAX_TOKEN_RESPONSE_BYTES {
                return Err(RegistryError::Limit("token response too large".into()));
            }
            let v: serde_json::Value = serde_json::from_slice(&tresp.body)
                .map_err(|_| RegistryError::Auth("token response is not JSON".into()))?;
            let token = v
                .get("token")
                .or_else(|| v.get("access_token"))
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty() && t.bytes().all(|c| c.is_ascii_graphic()))
                .ok_or_else(|| RegistryError::Auth("token response without a token".into()))?;
            self.tokens
                .borrow_mut()
                .insert(Self::token_key(registry, scope), token.to_string());
            Ok(())
        } else if challenges.iter().any(|c| c.scheme == "basic") {
            if creds.is_none() {
                return Err(RegistryError::Auth(format!(
                    "{registry} requires credentials (Basic) and none are configured"
                )));
            }
            self.basic.borrow_mut().insert(registry.to_string(), ());
            Ok(())
        } else {
            Err(RegistryError::Auth(
                "HTTP 401 without a supported WWW-Authenticate challenge".into(),
            ))
        }
    }

    /// Threat model 16b: Basic credentials go to a token realm only on the registry's own host
    /// or an allow-listed host, and only over https unless that host is allowed plain HTTP.
    fn realm_may_receive_credentials(&self, registry: &str, realm: &Url) -> bool {
        let registry_host = super::http::host_of(registry).to_ascii_lowercase();
        let host_ok = realm.host() == registry_host
            || self
                .options
                .token_realm_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(realm.host()));
        host_ok && (realm.scheme == "https" || self.plain_allowed(realm.host()))
    }
}

/// The wait before retry `attempt` (0-based): `base` doubled per retry, capped at 5 s.
pub(crate) fn backoff_millis(base: u64, attempt: u32) -> u64 {
    base.saturating_mul(1 << attempt.min(16)).min(5000)
}
