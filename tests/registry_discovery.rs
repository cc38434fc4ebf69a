//! Which failures mean "absent" and which leave verification inconclusive (threat model 25, 27),
//! with a scripted fake HTTP client playing a misbehaving registry: only a definite answer (the
//! Referrers API's 404, or the browser's opaque CORS failure there) means "no Referrers API"; a
//! reset, a passed deadline or a 5xx after the retries while resolving, discovering or fetching a
//! signature is `ERR_VERIFICATION_INCONCLUSIVE`, never `ERR_NO_SIGNATURE`, never verified. Also:
//! every request carries the deadlines, and the operation deadline grows with the bytes.

mod support;

use nv2::crypto::HashAlgorithm;
use nv2::oci::{Descriptor, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST};
use nv2::registry::{
    verify, DeadlinePhase, Deadlines, HttpRequest, HttpResponse, RegistryClient, RegistryError,
    RegistryOptions, TransportError, TransportKind, VerifyOptions,
};
use support::registry::*;
use support::scripted::{digest, manifest_response, not_found, now, policy, repo, store, NOTARY};

fn signature_index() -> HttpResponse {
    let d = Descriptor::for_content(MEDIA_TYPE_OCI_MANIFEST, HashAlgorithm::Sha256, b"sig");
    let mut v = serde_json::to_value(&d).unwrap();
    v["artifactType"] = serde_json::Value::from(NOTARY);
    let body = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": MEDIA_TYPE_OCI_INDEX, "manifests": [v]
    }))
    .unwrap();
    response(200, &[("content-type", MEDIA_TYPE_OCI_INDEX)], &body)
}

/// No retry delays in tests.
fn options() -> RegistryOptions {
    RegistryOptions {
        retry_base_millis: 0,
        ..RegistryOptions::default()
    }
}

type Answer = Result<HttpResponse, TransportError>;

/// verify against a registry whose artifact manifest is served, and whose other routes answer
/// with `route`.
fn verify_with(
    route: impl Fn(&HttpRequest) -> Answer,
) -> Result<nv2::registry::ArtifactVerification, RegistryError> {
    let fake = Fake::new(move |q: &HttpRequest| {
        if q.url.ends_with(&format!("/manifests/{}", digest())) {
            Ok(manifest_response())
        } else {
            route(q)
        }
    });
    let c = RegistryClient::new(&fake, options());
    block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
}

fn reset() -> Answer {
    Err(TransportError::new("read ECONNRESET"))
}

fn idle_deadline() -> Answer {
    Err(TransportError::deadline(DeadlinePhase::Idle, 1000))
}

fn unavailable() -> Answer {
    Ok(response(503, &[], b"busy"))
}

/// The verdict is inconclusive, with the discovery failure as its reason.
fn assert_discovery_inconclusive(v: &nv2::registry::ArtifactVerification, cause: &str) {
    assert!(!v.verified && v.inconclusive, "{v:?}");
    assert!(v.signatures.is_empty());
    let failure = v.failure().expect("a reason");
    assert_eq!(failure.code(), "ERR_VERIFICATION_INCONCLUSIVE");
    let details = failure.details().unwrap();
    assert_eq!(details["step"], "discover", "{details}");
    assert_eq!(details["cause"], cause, "{details}");
}

#[test]
fn referrers_route_failures_other_than_404_are_inconclusive() {
    // Connection reset on the referrers route: not "no API", not "no signature".
    let v = verify_with(|q| {
        if q.url.contains("/referrers/") {
            reset()
        } else {
            Ok(not_found())
        }
    })
    .unwrap();
    assert_discovery_inconclusive(&v, "ERR_REGISTRY_HTTP");
    let d = v.failure().unwrap().details().unwrap();
    assert_eq!(d["transport"], "network");
    assert!(d["url"].as_str().unwrap().contains("/referrers/"), "{d}");
    assert!(
        !d["url"].as_str().unwrap().contains('?'),
        "no query in the URL: {d}"
    );

    // A deadline there: the details say what was waited for and how long.
    let v = verify_with(|q| {
        if q.url.contains("/referrers/") {
            idle_deadline()
        } else {
            Ok(not_found())
        }
    })
    .unwrap();
    assert_discovery_inconclusive(&v, "ERR_REGISTRY_HTTP");
    let d = v.failure().unwrap().details().unwrap();
    assert_eq!(
        (d["during"].as_str(), d["waitedMs"].as_u64()),
        (Some("idle"), Some(1000))
    );
    assert!(v.failure().unwrap().to_string().contains("1000 ms"));

    // 503 on every attempt (the retries included).
    let fake_count = std::cell::Cell::new(0);
    let v = verify_with(|q| {
        if q.url.contains("/referrers/") {
            fake_count.set(fake_count.get() + 1);
            unavailable()
        } else {
            Ok(not_found())
        }
    })
    .unwrap();
    assert_discovery_inconclusive(&v, "ERR_REGISTRY_HTTP");
    assert_eq!(fake_count.get(), 3, "retried twice first");
    assert_eq!(v.failure().unwrap().details().unwrap()["status"], 503);
}

#[test]
fn tag_schema_failures_after_a_404_are_inconclusive_and_a_definite_absence_is_not() {
    // The API is absent (404), then the tag schema request fails: inconclusive.
    for failing in [reset as fn() -> Answer, idle_deadline, unavailable] {
        let v = verify_with(move |q| {
            if q.url.contains("/referrers/") {
                Ok(not_found())
            } else {
                failing()
            }
        })
        .unwrap();
        assert_discovery_inconclusive(&v, "ERR_REGISTRY_HTTP");
    }
    // A definite absence: the API's 404, then no tag: unsigned.
    let e = verify_with(|_| Ok(not_found())).unwrap_err();
    assert_eq!(e.code(), "ERR_NO_SIGNATURE");
    // The browser's opaque failure on the API route, then no tag: unsigned too (the documented
    // CORS case).
    let e = verify_with(|q| {
        if q.url.contains("/referrers/") {
            Err(TransportError::of_kind(
                TransportKind::Opaque,
                "Failed to fetch",
            ))
        } else {
            Ok(not_found())
        }
    })
    .unwrap_err();
    assert_eq!(e.code(), "ERR_NO_SIGNATURE");
}

#[test]
fn resolve_and_signature_fetch_failures_are_inconclusive() {
    // 5xx resolving the reference (after the retries): thrown as inconclusive, not ERR_REGISTRY_HTTP.
    let fake = Fake::new(|_: &HttpRequest| unavailable());
    let c = RegistryClient::new(&fake, options());
    let e = block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_VERIFICATION_INCONCLUSIVE");
    assert_eq!(e.details().unwrap()["step"], "resolve");
    assert_eq!(e.details().unwrap()["status"], 503);
    // A 404 resolving it is a definite answer: ERR_REGISTRY_HTTP.
    let fake = Fake::new(|_: &HttpRequest| Ok(not_found()));
    let c = RegistryClient::new(&fake, options());
    let e = block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_HTTP");

    // 5xx or a deadline fetching the signature manifest: inconclusive, not verified.
    for failing in [unavailable as fn() -> Answer, idle_deadline] {
        let v = verify_with(move |q| {
            if q.url.contains("/referrers/") {
                Ok(signature_index())
            } else {
                failing()
            }
        })
        .unwrap();
        assert!(!v.verified && v.inconclusive, "{v:?}");
        let e = v.signatures[0].result.as_ref().unwrap_err();
        assert_eq!(e.code(), "ERR_VERIFICATION_INCONCLUSIVE");
        assert_eq!(e.details().unwrap()["step"], "fetch");
    }
}

#[test]
fn every_request_carries_deadlines_that_grow_with_the_bytes() {
    let fake = Fake::new(|q: &HttpRequest| {
        Ok(if q.url.contains("/referrers/") {
            signature_index()
        } else if q.url.ends_with(&format!("/manifests/{}", digest())) {
            manifest_response()
        } else {
            not_found()
        })
    });
    let mut opts = options();
    opts.deadlines = Deadlines::default();
    let c = RegistryClient::new(&fake, opts);
    let _ = block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ));
    let reqs = fake.requests();
    assert!(reqs.len() >= 3);
    let mut last = 0;
    for q in &reqs {
        let d = q.deadline.expect("every request has deadlines");
        assert_eq!((d.first_byte_millis, d.idle_millis), (30_000, 30_000));
        assert!(
            d.operation_millis >= 120_000 && d.operation_millis >= last,
            "{d:?}"
        );
        last = d.operation_millis;
    }
    assert!(last > 120_000, "the manifests' bounds were counted");

    // A caller's single timeout: fixed, and caps the others.
    let mut opts = options();
    opts.deadlines = Deadlines::within(1500);
    let c = RegistryClient::new(&fake, opts);
    let _ = block_on(c.resolve(&repo()));
    let d = fake.requests().last().unwrap().deadline.unwrap();
    assert_eq!(
        (d.first_byte_millis, d.idle_millis, d.operation_millis),
        (1500, 1500, 1500)
    );
}

/// docs/limits.md §Count budgets: the signature checks of all the signatures one verification
/// examines have one budget; when it runs out the rest are not examined and, with none verified,
/// the result is inconclusive (`step: verify`, cause `ERR_LIMIT`), never unsigned. Five
/// untrusted signatures (each costs at least its envelope check) are listed before a trusted one.
#[test]
fn signature_check_budget_stops_examining_and_is_inconclusive() {
    use nv2::sign::sign_descriptor;
    let target = Descriptor::for_content(
        MEDIA_TYPE_OCI_MANIFEST,
        HashAlgorithm::Sha256,
        support::scripted::MANIFEST,
    );
    let mut signed: Vec<_> = (0..5)
        .map(|i| sign_descriptor(&target, &signer("p384"), &sign_opts(i)).unwrap())
        .collect();
    signed.push(sign_descriptor(&target, &signer("p256"), &sign_opts(9)).unwrap());
    let entries: Vec<serde_json::Value> = signed
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(&s.manifest.descriptor).unwrap();
            v["artifactType"] = serde_json::Value::from(NOTARY);
            v
        })
        .collect();
    let index = support::scripted::index(entries);
    let fetched = std::cell::Cell::new(0usize);
    let fake = Fake::new(|q: &HttpRequest| {
        if q.url.ends_with(&format!("/manifests/{}", digest())) {
            return Ok(manifest_response());
        }
        if q.url.contains("/referrers/") {
            return Ok(response(
                200,
                &[("content-type", MEDIA_TYPE_OCI_INDEX)],
                &index,
            ));
        }
        for s in &signed {
            if q.url
                .ends_with(&format!("/manifests/{}", s.manifest.descriptor.digest))
            {
                fetched.set(fetched.get() + 1);
                return Ok(response(
                    200,
                    &[("content-type", MEDIA_TYPE_OCI_MANIFEST)],
                    &s.manifest.bytes,
                ));
            }
            if q.url
                .ends_with(&format!("/blobs/{}", s.envelope_descriptor.digest))
            {
                return Ok(response(200, &[], &s.envelope));
            }
        }
        Ok(not_found())
    });
    let run = |max_checks: usize| {
        let c = RegistryClient::new(
            &fake,
            RegistryOptions {
                max_signature_checks: max_checks,
                ..options()
            },
        );
        block_on(verify(
            &c,
            &repo(),
            &policy(),
            &store(),
            now(),
            &VerifyOptions::default(),
        ))
        .unwrap()
    };

    // The default budget reaches the trusted sixth signature.
    let v = run(nv2::limits::VERIFICATION_SIGNATURE_CHECKS);
    assert!(v.verified && !v.inconclusive, "{v:?}");
    assert_eq!(v.signatures.len(), 6);
    let spent: usize = v
        .signatures
        .iter()
        .map(|s| s.result.as_ref().unwrap().signature_checks)
        .sum();
    assert!(spent >= 6, "every envelope check is counted: {spent}");

    // A budget of 3 stops after the signatures that spent it: inconclusive, not unsigned.
    fetched.set(0);
    let v = run(3);
    assert!(!v.verified && v.inconclusive, "{v:?}");
    let last = v.signatures.last().unwrap();
    let e = last.result.as_ref().unwrap_err();
    assert_eq!(e.code(), "ERR_VERIFICATION_INCONCLUSIVE", "{e}");
    assert_eq!(e.details().unwrap()["step"], "verify");
    assert_eq!(e.details().unwrap()["cause"], "ERR_LIMIT");
    let examined = v.signatures.len() - 1;
    assert!((1..=3).contains(&examined), "{examined} examined");
    let made: usize = v.signatures[..examined]
        .iter()
        .map(|s| s.result.as_ref().unwrap().signature_checks)
        .sum();
    assert!(made >= 3, "{made}");
    assert!(
        v.warnings
            .iter()
            .any(|w| w.contains("not examined (limit)")),
        "{:?}",
        v.warnings
    );
    assert!(
        fetched.get() <= 5,
        "the trusted signature is not fetched: {}",
        fetched.get()
    );
    assert_eq!(v.failure().unwrap().code(), "ERR_VERIFICATION_INCONCLUSIVE");
}
