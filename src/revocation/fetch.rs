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
        if current(&bundle, issuer.as_ref(), now) {
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
        .find(|u| u.starts_with("http://") || u.starts_with("https://"));
    let delta = match delta_url {
        Some(url) => Some(
            download(http, deadlines, &RevocationFetch::crl(&url))
                .await
                .map_err(|e| format!("delta CRL at {url}: {e}"))?,
        ),
        None => None,
    };
    let bundle = FetchedBody { body, delta };
    // Only what its CA signed and what is current goes into the cache: an unverified download
    // (a forged or broken CRL from a plain-HTTP distribution point) would otherwise keep a
    // certificate "unknown" until its claimed nextUpdate.
    if issuer.is_some() && current(&bundle, issuer.as_ref(), now) {
        cache.put(&request.url, &bundle);
    }
    Ok(bundle)
}

/// Whether a bundle can stand for a download at `now`: every CRL in it parses, its `nextUpdate`
/// is after `now` (notation-go refreshes a cached CRL after its `nextUpdate`) and, when the
/// issuer is known, it verifies under the issuer (RFC 5280 §6.3.3 (f), (g)).
fn current(bundle: &FetchedBody, issuer: Option<&crate::x509::Certificate>, now: Instant) -> bool {
    core::iter::once(&bundle.body)
        .chain(bundle.delta.as_ref())
        .all(|der| {
            Crl::from_pem_or_der(der).is_ok_and(|c| {
                c.next_update().is_some_and(|next| now < next)
                    && issuer.is_none_or(|i| c.validate(i, now).is_ok())
            })
        })
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
            if !(next.starts_with("http://") || next.starts_with("https://")) {
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
