//! Performing the revocation fetches a verification asks for ([`super::material`]), through the
//! host's HTTP client (the injected `fetch` in wasm), with notation's bounds: OCSP 2 s and
//! 20 KiB, CRLs 5 s and 32 MiB (trust-store-trust-policy.md §Certificate Revocation Evaluation,
//! notation-core-go `revocation`). A failure is recorded as such, never as an answer: the checker
//! then reports it and the certificate stays "unknown".
//!
//! CRLs go through a [`CrlCache`] keyed by distribution-point URL, holding the base CRL and its
//! delta together as notation-go's file cache does; a cached CRL is used until its `nextUpdate`.
//! OCSP responses are not cached (notation does not cache them either).

use super::crl::Crl;
use super::material::{
    FetchKind, Fetched, FetchedBody, MaterialChecker, RevocationFetch, RevocationMaterial,
};
use crate::registry::{Deadlines, HttpClient, HttpRequest, RequestDeadline};
use crate::time::Instant;
use crate::verify::{Outcome, VerifyError};

/// Rounds of verify → fetch → verify again: OCSP, then CRLs where OCSP gave no answer, for the
/// signing chain and then the timestamping chain (whose check comes first and may stop the run).
pub const MAX_REVOCATION_ROUNDS: usize = 5;

/// Redirects followed by one revocation download (CAs move CRLs behind redirects).
const MAX_REVOCATION_REDIRECTS: usize = 3;

/// Revocation fetches performed at once.
const FETCH_CONCURRENCY: usize = 4;

/// Downloaded CRLs kept between verifications, by distribution-point URL (notation-core-go
/// `crl.Cache`: `Get(url)` / `Set(url, bundle)`).
pub trait CrlCache {
    /// The bundle stored for `url`, if any.
    fn get(&self, url: &str) -> Option<FetchedBody>;
    /// Stores the bundle downloaded from `url`.
    fn put(&self, url: &str, bundle: &FetchedBody);
}

/// A cache that keeps nothing.
impl CrlCache for () {
    fn get(&self, _: &str) -> Option<FetchedBody> {
        None
    }
    fn put(&self, _: &str, _: &FetchedBody) {}
}

/// Runs `verify` over `material`, performing the fetches it needs and running it again, at most
/// [`MAX_REVOCATION_ROUNDS`] times. The last outcome is returned without its needs: what could not
/// be fetched is reported inside it as "unknown". An error from `verify` (verification could not
/// start) is returned at once.
///
/// `verify` is a trait object and its error one type, so the loop is compiled once for every
/// caller (registry and blob verification; docs/size.md).
pub async fn verify_fetching<C: HttpClient>(
    http: &C,
    deadlines: &Deadlines,
    cache: &dyn CrlCache,
    material: &mut RevocationMaterial,
    now: Instant,
    verify: &mut dyn FnMut(&MaterialChecker<'_>) -> Result<Outcome, VerifyError>,
) -> Result<Outcome, VerifyError> {
    let mut round = 0;
    loop {
        material.prepare(now);
        let mut outcome = verify(&MaterialChecker::new(material, now))?;
        round += 1;
        let needs = core::mem::take(&mut outcome.needs);
        if needs.is_empty() || !material.online || round >= MAX_REVOCATION_ROUNDS {
            return Ok(outcome);
        }
        let fetched = fetch_all(http, deadlines, cache, needs, now).await;
        material.fetched.extend(fetched);
    }
}

/// Performs `needs` (`FETCH_CONCURRENCY` at a time), answering CRL downloads from `cache` while
/// the cached CRLs are current.
pub async fn fetch_all<C: HttpClient>(
    http: &C,
    deadlines: &Deadlines,
    cache: &dyn CrlCache,
    needs: Vec<RevocationFetch>,
    now: Instant,
) -> Vec<Fetched> {
    let results =
        crate::registry::join::try_join_bounded(needs, FETCH_CONCURRENCY, |request| async move {
            let result = fetch_one(http, deadlines, cache, &request, now).await;
            Ok::<_, core::convert::Infallible>(Fetched { request, result })
        })
        .await;
    match results {
        Ok(v) => v,
        Err(never) => match never {},
    }
}

async fn fetch_one<C: HttpClient>(
    http: &C,
    deadlines: &Deadlines,
    cache: &dyn CrlCache,
    request: &RevocationFetch,
    now: Instant,
) -> Result<FetchedBody, String> {
    if request.kind == FetchKind::Ocsp {
        let body = download(http, deadlines, request).await?;
        return Ok(FetchedBody { body, delta: None });
    }
    // The CA that must have signed the CRL, when the checker named it.
    let issuer = request
        .issuer
        .as_deref()
        .and_then(|der| crate::x509::Certificate::from_der(der).ok());
    if let Some(bundle) = cache.get(&request.url) {
        let parsed = parse_bundle(&bundle.body, bundle.delta.as_deref());
        if parsed.is_some_and(|crls| current(&crls, issuer.as_ref(), now)) {
            return Ok(bundle);
        }
    }
    let body = download(http, deadlines, request).await?;
    let base = Crl::from_pem_or_der(&body).map_err(|e| e.to_string())?;
    // RFC 5280 §5.2.6: a base CRL that names a delta CRL is only complete with it.
    let delta_url = base
        .delta_crl_urls()
        .unwrap_or_default()
        .into_iter()
        .find(|u| is_http_url(u));
    let delta = match delta_url {
        Some(url) => Some(
            download(http, deadlines, &RevocationFetch::crl(&url))
                .await
                .map_err(|e| format!("delta CRL at {url}: {e}"))?,
        ),
        None => None,
    };
    // Only what its CA signed and what is current goes into the cache: an unverified download
    // (a forged or broken CRL from a plain-HTTP distribution point) would otherwise keep a
    // certificate "unknown" until its claimed nextUpdate. The base is parsed once, here.
    if let Some(issuer) = &issuer {
        let delta_crl = delta.as_deref().map(Crl::from_pem_or_der);
        let cacheable = match delta_crl {
            None => current(&[base], Some(issuer), now),
            Some(Ok(d)) => current(&[base, d], Some(issuer), now),
            Some(Err(_)) => false,
        };
        let bundle = FetchedBody { body, delta };
        if cacheable {
            cache.put(&request.url, &bundle);
        }
        return Ok(bundle);
    }
    Ok(FetchedBody { body, delta })
}

/// The base CRL and its delta (if any) of a bundle, when both parse.
fn parse_bundle(base: &[u8], delta: Option<&[u8]>) -> Option<Vec<Crl>> {
    let mut crls = vec![Crl::from_pem_or_der(base).ok()?];
    if let Some(d) = delta {
        crls.push(Crl::from_pem_or_der(d).ok()?);
    }
    Some(crls)
}

/// Whether CRLs can stand for a download at `now`: each `nextUpdate` is after `now` (notation-go
/// refreshes a cached CRL after its `nextUpdate`) and, when the issuer is known, each verifies
/// under the issuer (RFC 5280 §6.3.3 (f), (g)).
fn current(crls: &[Crl], issuer: Option<&crate::x509::Certificate>, now: Instant) -> bool {
    crls.iter().all(|c| {
        c.next_update().is_some_and(|next| now < next)
            && issuer.is_none_or(|i| c.validate(i, now).is_ok())
    })
}

/// Whether `url` is an `http://` or `https://` URL, the schemes revocation data is fetched over
/// (RFC 5280 §4.2.1.13: other schemes such as `ldap://` are not read).
pub(crate) fn is_http_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// One bounded request: 200 with at most `max_bytes` bytes, following a few redirects for GET.
async fn download<C: HttpClient>(
    http: &C,
    deadlines: &Deadlines,
    request: &RevocationFetch,
) -> Result<Vec<u8>, String> {
    let mut url = request.url.clone();
    for _ in 0..=MAX_REVOCATION_REDIRECTS {
        let mut req = HttpRequest::new(request.method, url.clone());
        if let Some(ct) = request.content_type {
            req = req.header("Content-Type", ct);
        }
        if let Some(body) = &request.body {
            req.body = body.clone().into();
        }
        req.max_response_bytes = Some(request.max_bytes);
        let operation = deadlines.request(request.max_bytes).operation_millis;
        req.deadline = Some(RequestDeadline {
            first_byte_millis: request.timeout_millis.min(deadlines.first_byte_millis),
            idle_millis: request.timeout_millis.min(deadlines.idle_millis),
            operation_millis: operation,
            request_millis: Some(request.timeout_millis),
        });
        let resp = http.send(req).await.map_err(|e| e.to_string())?;
        if matches!(resp.status, 301 | 302 | 303 | 307 | 308) && request.method == "GET" {
            let Some(next) = resp
                .header("location")
                .and_then(|l| crate::registry::http::Url::parse(&url).and_then(|u| u.join(l)))
            else {
                return Err(format!("HTTP {} without a usable Location", resp.status));
            };
            let next = next.to_string();
            if !is_http_url(&next) {
                return Err(format!("redirected to a non-HTTP URL {next}"));
            }
            url = next;
            continue;
        }
        if resp.status != 200 {
            return Err(format!("HTTP {}", resp.status));
        }
        if resp.body.len() as u64 > request.max_bytes {
            return Err(format!("response larger than {} bytes", request.max_bytes));
        }
        return Ok(resp.body);
    }
    Err(format!("more than {MAX_REVOCATION_REDIRECTS} redirects"))
}
