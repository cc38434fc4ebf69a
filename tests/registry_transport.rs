//! Transport rules with a scripted fake HTTP client (hostile-registry behaviour the real
//! registry cannot produce): `Link` cycles and off-host links (threat 14b), signature floods
//! (14a), hidden referrers (1a), redirects and token realms (16a-16d), retries, size bounds
//! (15a), Referrers API fallback rules (signature-specification.md §OCI Signature Discovery).

mod support;

use std::cell::Cell;

use nv2::crypto::HashAlgorithm;
use nv2::oci::{Descriptor, Reference, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST};
use nv2::registry::{
    verify, HttpRequest, HttpResponse, RegistryClient, RegistryOptions, StaticCredentials,
    TransportError, TransportKind, VerifyOptions,
};
use support::registry::*;
use support::scripted::{
    digest, index, manifest_response, not_found, now, policy, repo, store, NOTARY,
};

fn referrers_url() -> String {
    format!(
        "https://reg.example/v2/app/referrers/{}?artifactType=application%2Fvnd.cncf.notary.signature",
        digest()
    )
}

fn entry(i: usize, artifact_type: &str) -> serde_json::Value {
    let d = Descriptor::for_content(
        MEDIA_TYPE_OCI_MANIFEST,
        HashAlgorithm::Sha256,
        format!("sig {i}").as_bytes(),
    );
    let mut v = serde_json::to_value(&d).unwrap();
    v["artifactType"] = serde_json::Value::from(artifact_type);
    v
}

fn index_response(body: Vec<u8>, link: Option<&str>) -> HttpResponse {
    let mut r = response(200, &[("content-type", MEDIA_TYPE_OCI_INDEX)], &body);
    if let Some(l) = link {
        r.headers
            .push(("link".into(), format!("<{l}>; rel=\"next\"")));
    }
    r
}

#[test]
fn link_cycles_are_cut_and_off_host_links_not_followed() {
    // A page linking to itself.
    let fake = Fake::new(|q: &HttpRequest| {
        Ok(if q.url.contains("/referrers/") {
            index_response(index(vec![entry(0, NOTARY)]), Some(&referrers_url()))
        } else {
            not_found()
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let list = block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert_eq!(list.descriptors.len(), 1);
    assert!(!list.via_tag_schema);
    assert_eq!(fake.requests().len(), 1);
    assert!(list.warnings.iter().any(|w| w.contains("loops")));

    // a → b → a.
    let fake = Fake::new(|q: &HttpRequest| {
        let next = if q.url.contains("page=b") {
            referrers_url()
        } else {
            format!("{}&page=b", referrers_url())
        };
        Ok(index_response(index(vec![entry(1, NOTARY)]), Some(&next)))
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert_eq!(fake.requests().len(), 2);

    // A link to another host: never contacted.
    let fake = Fake::new(|q: &HttpRequest| {
        assert!(
            q.url.starts_with("https://reg.example/"),
            "contacted {}",
            q.url
        );
        Ok(index_response(
            index(vec![entry(2, NOTARY)]),
            Some("https://evil.example/v2/app/referrers/x"),
        ))
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let list = block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert_eq!(fake.requests().len(), 1);
    assert!(list.warnings.iter().any(|w| w.contains("another origin")));

    // Endless distinct pages: capped.
    let n = Cell::new(0);
    let fake = Fake::new(|_: &HttpRequest| {
        n.set(n.get() + 1);
        Ok(index_response(
            index(vec![entry(n.get(), NOTARY)]),
            Some(&format!("/v2/app/referrers/x?page={}", n.get())),
        ))
    });
    let c = RegistryClient::new(
        &fake,
        RegistryOptions {
            max_referrer_pages: 5,
            ..RegistryOptions::default()
        },
    );
    let list = block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert_eq!(fake.requests().len(), 5);
    assert_eq!(list.descriptors.len(), 5);
    assert!(list.warnings.iter().any(|w| w.contains("5 pages")));
}

#[test]
fn signature_flood_stops_at_max_attempts_and_other_types_are_not_fetched() {
    let entries: Vec<_> = (0..150).map(|i| entry(i, NOTARY)).collect();
    let body = index(entries);
    let fake = Fake::new(|q: &HttpRequest| {
        Ok(if q.url.contains("/referrers/") {
            index_response(body.clone(), None)
        } else if q.url.ends_with(&format!("/manifests/{}", digest())) {
            manifest_response()
        } else {
            not_found()
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let v = block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(!v.verified && !v.inconclusive);
    assert_eq!(v.signatures.len(), 100);
    let sig_gets = fake
        .requests()
        .iter()
        .filter(|q| q.url.contains("/manifests/") && !q.url.ends_with(&digest().to_string()))
        .count();
    assert_eq!(sig_gets, 100);
    assert!(v.warnings.iter().any(|w| w.contains("150")));

    // Only an SBOM referrer, registry did not filter: NO_SIGNATURE, the SBOM is not fetched.
    let sbom = entry(7, "application/spdx+json");
    let sbom_digest = sbom["digest"].as_str().unwrap().to_string();
    let body = index(vec![sbom]);
    let fake = Fake::new(|q: &HttpRequest| {
        Ok(if q.url.contains("/referrers/") {
            index_response(body.clone(), None)
        } else if q.url.ends_with(&format!("/manifests/{}", digest())) {
            manifest_response()
        } else {
            not_found()
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let e = block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_NO_SIGNATURE");
    assert!(!fake.requests().iter().any(|q| q.url.contains(&sbom_digest)));
}

#[test]
fn referrers_fallback_rules() {
    // The browser's opaque network error on the referrers route (its CORS error against
    // distribution): fall back to the tag schema; the capability is cached. (Other transport
    // failures there are not "no API": tests/registry_discovery.rs.)
    let fake = Fake::new(|q: &HttpRequest| {
        if q.url.contains("/referrers/") {
            Err(TransportError::of_kind(
                TransportKind::Opaque,
                "Failed to fetch",
            ))
        } else {
            Ok(not_found())
        }
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let list = block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert!(list.via_tag_schema && list.descriptors.is_empty());
    let tag_url = format!(
        "https://reg.example/v2/app/manifests/sha256-{}",
        digest().hex()
    );
    assert!(fake.requests().iter().any(|q| q.url == tag_url));
    block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|q| q.url.contains("/referrers/"))
            .count(),
        1,
        "capability cached per repository"
    );

    // 404 with NAME_UNKNOWN is an error, not "unsupported".
    let fake = Fake::new(|_: &HttpRequest| {
        Ok(response(
            404,
            &[("content-type", "application/json")],
            br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known"}]}"#,
        ))
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let e = block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_HTTP");

    // 200 with non-index content (an HTML page): unsupported, tag schema used.
    let fake = Fake::new(|q: &HttpRequest| {
        Ok(if q.url.contains("/referrers/") {
            response(200, &[("content-type", "text/html")], b"<html>")
        } else {
            index_response(index(vec![entry(3, NOTARY), entry(4, "other/type")]), None)
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let list = block_on(c.referrers(&repo(), &digest(), Some(NOTARY))).unwrap();
    assert!(list.via_tag_schema);
    assert_eq!(list.descriptors.len(), 1, "client-side artifactType filter");

    // Network failure while resolving during verify: inconclusive, never unsigned.
    let fake = Fake::new(|_: &HttpRequest| Err(TransportError::new("connection reset")));
    let c = RegistryClient::new(&fake, RegistryOptions::default());
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

    // Network failure fetching a signature: the result is inconclusive, not verified.
    let body = index(vec![entry(5, NOTARY)]);
    let fake = Fake::new(|q: &HttpRequest| {
        if q.url.contains("/referrers/") {
            Ok(index_response(body.clone(), None))
        } else if q.url.ends_with(&format!("/manifests/{}", digest())) {
            Ok(manifest_response())
        } else {
            Err(TransportError::new("connection reset"))
        }
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let v = block_on(verify(
        &c,
        &repo(),
        &policy(),
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(!v.verified && v.inconclusive);
    assert_eq!(
        v.signatures[0].result.as_ref().unwrap_err().code(),
        "ERR_VERIFICATION_INCONCLUSIVE"
    );
}

#[test]
fn redirect_to_another_host_drops_authorization() {
    let fake = Fake::new(|q: &HttpRequest| {
        if q.url.starts_with("https://cdn.other/") {
            return Ok(manifest_response());
        }
        Ok(match req_header(q, "authorization") {
            None => response(401, &[("www-authenticate", r#"Basic realm="r""#)], b""),
            Some(_) => response(302, &[("location", "https://cdn.other/blob?sig=1")], b""),
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default()).with_credentials(Box::new(
        StaticCredentials::new().with("reg.example", "u", "p"),
    ));
    let resolved = block_on(c.resolve(&repo())).unwrap();
    assert_eq!(resolved.descriptor.digest, digest());
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 3);
    assert!(req_header(&reqs[1], "authorization").is_some());
    assert!(reqs[2].url.starts_with("https://cdn.other/"));
    assert_eq!(
        req_header(&reqs[2], "authorization"),
        None,
        "no credentials off-host"
    );

    // A redirect from https to plain http: refused.
    let fake = Fake::new(|_: &HttpRequest| {
        Ok(response(
            302,
            &[("location", "http://reg.example/v2/app/x")],
            b"",
        ))
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let e = block_on(c.resolve(&repo())).unwrap_err();
    assert_eq!(e.code(), "ERR_INSECURE_TRANSPORT");
    assert_eq!(fake.requests().len(), 1);

    // Redirect loops: bounded.
    let fake = Fake::new(|_: &HttpRequest| {
        Ok(response(
            307,
            &[("location", "/v2/app/manifests/again")],
            b"",
        ))
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    assert_eq!(
        block_on(c.resolve(&repo())).unwrap_err().code(),
        "ERR_LIMIT"
    );
}

fn bearer_fake(
    realm: &'static str,
) -> Fake<impl Fn(&HttpRequest) -> Result<HttpResponse, TransportError>> {
    Fake::new(move |q: &HttpRequest| {
        if q.url.contains("/token") {
            return Ok(response(200, &[], br#"{"token":"tok123"}"#));
        }
        Ok(match req_header(q, "authorization") {
            Some("Bearer tok123") => manifest_response(),
            _ => response(
                401,
                &[(
                    "www-authenticate",
                    &format!(
                        r#"Bearer realm="{realm}",service="reg.example",scope="repository:app:pull""#
                    ),
                )],
                b"",
            ),
        })
    })
}

#[test]
fn token_realms_never_receive_credentials_off_host() {
    let creds = || Box::new(StaticCredentials::new().with("reg.example", "u", "p"));

    // Realm on another host (or a metadata address): token requested anonymously.
    for realm in [
        "https://evil.example/token",
        "https://169.254.169.254/token",
    ] {
        let fake = bearer_fake(realm);
        let c = RegistryClient::new(&fake, RegistryOptions::default()).with_credentials(creds());
        block_on(c.resolve(&repo())).unwrap();
        let reqs = fake.requests();
        let token_req = reqs.iter().find(|q| q.url.contains("/token")).unwrap();
        assert_eq!(req_header(token_req, "authorization"), None, "{realm}");
        assert!(token_req.url.contains("service=reg.example"));
        assert!(token_req.url.contains("scope=repository%3Aapp%3Apull"));
        assert_eq!(
            req_header(reqs.last().unwrap(), "authorization"),
            Some("Bearer tok123")
        );
    }

    // Realm on the registry's host over https: Basic credentials sent.
    let fake = bearer_fake("https://reg.example/token");
    let c = RegistryClient::new(&fake, RegistryOptions::default()).with_credentials(creds());
    block_on(c.resolve(&repo())).unwrap();
    let reqs = fake.requests();
    let token_req = reqs.iter().find(|q| q.url.contains("/token")).unwrap();
    assert!(req_header(token_req, "authorization")
        .unwrap()
        .starts_with("Basic "));
    // The token is cached for the scope: a second resolve needs no token request.
    block_on(c.resolve(&repo())).unwrap();
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|q| q.url.contains("/token"))
            .count(),
        1
    );

    // Plain-http realm: refused, never contacted.
    let fake = bearer_fake("http://reg.example/token");
    let c = RegistryClient::new(&fake, RegistryOptions::default()).with_credentials(creds());
    let e = block_on(c.resolve(&repo())).unwrap_err();
    assert_eq!(e.code(), "ERR_INSECURE_TRANSPORT");
    assert!(!fake.requests().iter().any(|q| q.url.contains("/token")));

    // Credentials for `reg.example` are not used for `reg.example.evil.com` (16c).
    let fake = Fake::new(|_: &HttpRequest| {
        Ok(response(
            401,
            &[("www-authenticate", r#"Basic realm="r""#)],
            b"",
        ))
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default()).with_credentials(creds());
    let r = Reference::parse_qualified(&format!("reg.example.evil.com/app@{}", digest())).unwrap();
    assert_eq!(
        block_on(c.resolve(&r)).unwrap_err().code(),
        "ERR_REGISTRY_AUTH"
    );
    assert!(fake
        .requests()
        .iter()
        .all(|q| req_header(q, "authorization").is_none()));
}

#[test]
fn plain_http_policy() {
    let fake = Fake::new(|_: &HttpRequest| Ok(manifest_response()));
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    block_on(c.resolve(&repo())).unwrap();
    assert!(fake.requests()[0].url.starts_with("https://"));
    let local = Reference::parse_qualified(&format!("localhost:5000/app@{}", digest())).unwrap();
    block_on(c.resolve(&local)).unwrap();
    assert!(fake.requests()[1].url.starts_with("http://localhost:5000/"));
    let c = RegistryClient::new(
        &fake,
        RegistryOptions {
            plain_http_loopback: false,
            ..RegistryOptions::default()
        },
    );
    block_on(c.resolve(&local)).unwrap();
    assert!(fake.requests()[2]
        .url
        .starts_with("https://localhost:5000/"));
}

#[test]
fn retries_on_429_and_5xx_are_bounded() {
    let n = Cell::new(0);
    let fake = Fake::new(|_: &HttpRequest| {
        n.set(n.get() + 1);
        Ok(if n.get() == 1 {
            response(429, &[], b"")
        } else {
            manifest_response()
        })
    });
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    block_on(c.resolve(&repo())).unwrap();
    assert_eq!(n.get(), 2);

    let fake = Fake::new(|_: &HttpRequest| Ok(response(503, &[], b"")));
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let e = block_on(c.resolve(&repo())).unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_HTTP");
    assert_eq!(fake.requests().len(), 3);
}

#[test]
fn bodies_are_bounded_by_the_descriptor_size() {
    // A "decompression bomb": no Content-Length, far more bytes than the descriptor says.
    let blob = b"0123456789abcdef".to_vec();
    let desc = Descriptor::for_content("application/octet-stream", HashAlgorithm::Sha256, &blob);
    let fake = Fake::new(|_: &HttpRequest| Ok(response(200, &[], &vec![b'x'; 1 << 20])));
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    let e = block_on(c.fetch_blob(&repo(), &desc, 1 << 20)).unwrap_err();
    assert_eq!(e.code(), "ERR_LIMIT");
    assert_eq!(
        fake.requests()[0].max_response_bytes,
        Some(blob.len() as u64)
    );

    // Content-Length beyond the limit: refused from the header.
    let fake =
        Fake::new(|_: &HttpRequest| Ok(response(200, &[("content-length", "999999999")], b"")));
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    assert_eq!(
        block_on(c.fetch_blob(&repo(), &desc, 1 << 20))
            .unwrap_err()
            .code(),
        "ERR_LIMIT"
    );

    // A descriptor claiming 9e15 bytes: refused, not fetched (checklist 13b).
    let mut huge = desc.clone();
    huge.size = 9_000_000_000_000_000;
    let fake = Fake::new(|_: &HttpRequest| Ok(response(200, &[], b"")));
    let c = RegistryClient::new(&fake, RegistryOptions::default());
    assert_eq!(
        block_on(c.fetch_blob(&repo(), &huge, 32 << 20))
            .unwrap_err()
            .code(),
        "ERR_LIMIT"
    );
    assert!(fake.requests().is_empty());
}
