//! Registry flows against the real CNCF distribution registry (`docker-registry`, CONTRIBUTING.md
//! §The test registry): push, sign, list, verify, inspect; concurrency of the referrers tag schema
//! (threat 22); tampered and swapped content (threats 2, 3); limits (13); Basic auth (16).

mod support;

use std::cell::Cell;
use std::sync::Arc;

use nv2::crypto::SignatureAlgorithm;
use nv2::oci::{Descriptor, Digest, Reference, SignatureManifest, MEDIA_TYPE_OCI_MANIFEST};
use nv2::registry::{
    inspect, list_signatures, push_signature, referrers_tag, sign, verify, HttpClient, HttpRequest,
    HttpResponse, RegistryClient, RegistryError, RegistryOptions, StaticCredentials, VerifyOptions,
};
use nv2::sign::{sign_descriptor, SignedArtifact};
use support::registry::*;

fn client(_reg: &TestRegistry) -> RegistryClient<StdHttpClient> {
    RegistryClient::new(StdHttpClient::new(), options())
}

/// Pushes an image (config + 2 layers + manifest) tagged `r.tag`; returns the manifest digest.
fn push_image<C: HttpClient>(client: &RegistryClient<C>, r: &Reference, salt: &str) -> Digest {
    block_on(async {
        let config = format!(r#"{{"architecture":"amd64","os":"linux","salt":"{salt}"}}"#);
        let l1 = format!("layer one {salt}").into_bytes();
        let l2 = vec![7u8; 3000];
        let c = client.push_blob(r, config.as_bytes()).await.unwrap();
        let d1 = client.push_blob(r, &l1).await.unwrap();
        let d2 = client.push_blob(r, &l2).await.unwrap();
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{MEDIA_TYPE_OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}},{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}","size":{}}}]}}"#,
            c.digest, c.size, d1.digest, d1.size, d2.digest, d2.size
        );
        let pushed = client
            .push_manifest(
                r,
                r.tag.as_deref().unwrap(),
                MEDIA_TYPE_OCI_MANIFEST,
                manifest.as_bytes(),
            )
            .await
            .unwrap();
        pushed.descriptor.digest
    })
}

#[test]
fn sign_list_verify_inspect_and_second_signer() {
    let reg = TestRegistry::start();
    let c = client(&reg);
    let r = reference(&reg, "demo/app", "v1");
    let digest = push_image(&c, &r, "round-trip");

    let signed = block_on(sign(&c, &r, &signer("p256"), &sign_opts(0))).unwrap();
    assert_eq!(signed.target.digest, digest);
    assert_eq!(signed.reference.digest.as_ref(), Some(&digest));
    assert!(
        signed.referrers_index_updated,
        "distribution 2.8 gives no OCI-Subject"
    );
    assert!(signed.warnings.iter().any(|w| w.contains("mutable")));

    let list = block_on(list_signatures(&c, &r)).unwrap();
    assert_eq!(list.signatures.len(), 1);
    assert!(list.via_tag_schema, "distribution 2.8 has no Referrers API");
    assert_eq!(list.signatures[0].digest, signed.manifest.digest);
    assert_eq!(
        list.signatures[0].artifact_type.as_deref(),
        Some("application/vnd.cncf.notary.signature")
    );

    let p = policy(&r.scope());
    let s = store();
    for rr in [r.clone(), by_digest(&r, &digest)] {
        let v = block_on(verify(&c, &rr, &p, &s, now(), &VerifyOptions::default())).unwrap();
        assert!(v.verified, "{v:#?}");
        assert!(!v.inconclusive);
        assert_eq!(v.digest, digest);
        assert_eq!(v.signatures.len(), 1);
        assert!(v.verified_outcome().unwrap().signer_authenticated());
    }

    // A second signer (not trusted): both listed, the trusted one still verifies.
    block_on(sign(&c, &r, &signer("p384"), &sign_opts(5))).unwrap();
    let list = block_on(list_signatures(&c, &r)).unwrap();
    assert_eq!(list.signatures.len(), 2);
    let v = block_on(verify(&c, &r, &p, &s, now(), &VerifyOptions::default())).unwrap();
    assert!(v.verified);

    let ins = block_on(inspect(&c, &r)).unwrap();
    assert_eq!(ins.signatures.len(), 2);
    let algs: Vec<_> = ins
        .signatures
        .iter()
        .map(|s| s.envelope.as_ref().unwrap().algorithm)
        .collect();
    assert!(algs.contains(&SignatureAlgorithm::Es256) && algs.contains(&SignatureAlgorithm::Es384));
    let first = &ins.signatures[0];
    assert!(first
        .annotations
        .contains_key("io.cncf.notary.x509chain.thumbprint#S256"));
    let env = first.envelope.as_ref().unwrap();
    assert!(env.chain[0].subject.contains("nv2 test"));
    assert_eq!(env.chain[0].thumbprint.len(), 64);
    assert!(env.signing_time.is_some());
}

#[test]
fn concurrent_signers_are_both_listed() {
    let reg = Arc::new(TestRegistry::start());
    for round in 0..3 {
        let r = reference(&reg, "demo/race", &format!("r{round}"));
        let digest = push_image(&client(&reg), &r, &format!("race{round}"));
        let threads: Vec<_> = ["p256", "p384"]
            .into_iter()
            .enumerate()
            .map(|(i, key)| {
                let reg = Arc::clone(&reg);
                let r = by_digest(&r, &digest);
                std::thread::spawn(move || {
                    let c = client(&reg);
                    block_on(sign(&c, &r, &signer(key), &sign_opts(i as i64)))
                        .unwrap()
                        .manifest
                        .digest
                })
            })
            .collect();
        let mut want: Vec<Digest> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let list = block_on(list_signatures(&client(&reg), &by_digest(&r, &digest))).unwrap();
        let mut got: Vec<Digest> = list.signatures.iter().map(|d| d.digest.clone()).collect();
        want.sort_by_key(|d| d.to_string());
        got.sort_by_key(|d| d.to_string());
        assert_eq!(
            got, want,
            "round {round}: both concurrent signatures listed"
        );
    }
}

/// A registry that has not caught up with a blob just pushed (a concurrent upload of the same
/// empty config rewriting its link, an eventually consistent store) refuses the signature
/// manifest with `MANIFEST_BLOB_UNKNOWN`: the idempotent PUT is retried, boundedly.
#[test]
fn manifest_put_refused_for_a_blob_just_pushed_is_retried_boundedly() {
    let reg = TestRegistry::start();
    let r = reference(&reg, "demo/lag", "v1");
    let digest = push_image(&client(&reg), &r, "lag");
    let blob_unknown = |refusals: &Cell<u32>, q: &HttpRequest, resp: HttpResponse, upto: u32| {
        if q.method == "PUT" && q.url.contains("/manifests/sha256:") && refusals.get() < upto {
            refusals.set(refusals.get() + 1);
            return Ok(response(
                400,
                &[("content-type", "application/json")],
                br#"{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
            ));
        }
        Ok(resp)
    };

    // Refused twice, accepted the third time: signed, listed.
    let refusals = Cell::new(0);
    let lagging = RegistryClient::new(
        Recording::with_hook(StdHttpClient::new(), |q: &HttpRequest, resp| {
            blob_unknown(&refusals, q, resp, 2)
        }),
        options(),
    );
    let signed = block_on(sign(&lagging, &r, &signer("p256"), &sign_opts(0))).unwrap();
    assert_eq!(refusals.get(), 2);
    let list = block_on(list_signatures(&client(&reg), &by_digest(&r, &digest))).unwrap();
    assert_eq!(list.signatures.len(), 1);
    assert_eq!(list.signatures[0].digest, signed.manifest.digest);

    // Refused every time: the registry's error after max_retries + 1 PUTs, no index written.
    let refusals = Cell::new(0);
    let stuck = RegistryClient::new(
        Recording::with_hook(StdHttpClient::new(), |q: &HttpRequest, resp| {
            blob_unknown(&refusals, q, resp, u32::MAX)
        }),
        options(),
    );
    let e = block_on(sign(&stuck, &r, &signer("p384"), &sign_opts(1))).unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_HTTP", "{e}");
    assert!(e.to_string().contains("MANIFEST_BLOB_UNKNOWN"), "{e}");
    assert_eq!(refusals.get(), options().max_retries + 1);
    let puts = stuck
        .http()
        .requests()
        .iter()
        .filter(|q| q.method == "PUT" && q.url.contains("/manifests/"))
        .count();
    assert_eq!(
        puts as u32,
        options().max_retries + 1,
        "no referrers index PUT"
    );
    let list = block_on(list_signatures(&client(&reg), &by_digest(&r, &digest))).unwrap();
    assert_eq!(
        list.signatures.len(),
        1,
        "the refused signature is not listed"
    );

    // Another refusal is not retried.
    let refusals = Cell::new(0);
    let other = RegistryClient::new(
        Recording::with_hook(
            StdHttpClient::new(),
            |q: &HttpRequest, resp: HttpResponse| {
                if q.method == "PUT" && q.url.contains("/manifests/sha256:") {
                    refusals.set(refusals.get() + 1);
                    return Ok(response(
                        400,
                        &[("content-type", "application/json")],
                        br#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}"#,
                    ));
                }
                Ok(resp)
            },
        ),
        options(),
    );
    let e = block_on(sign(&other, &r, &signer("p384"), &sign_opts(2))).unwrap_err();
    assert!(e.to_string().contains("MANIFEST_INVALID"), "{e}");
    assert_eq!(refusals.get(), 1);
}

/// A signature whose envelope has been altered after signing (other bytes pushed).
fn tampered(target: &Descriptor) -> SignedArtifact {
    let mut signed = sign_descriptor(target, &signer("p256"), &sign_opts(0)).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&signed.envelope).unwrap();
    let sig = v["signature"].as_str().unwrap().to_string();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    v["signature"] = serde_json::Value::from(format!("{flipped}{}", &sig[1..]));
    signed.envelope = serde_json::to_vec(&v).unwrap();
    signed.envelope_descriptor = Descriptor::for_content(
        signed.media_type,
        nv2::crypto::HashAlgorithm::Sha256,
        &signed.envelope,
    );
    let chain = signer("p256");
    signed.manifest = SignatureManifest::new(
        signed.envelope_descriptor.clone(),
        target,
        nv2::sign::Signer::cert_chain(&chain),
        now(),
    )
    .unwrap()
    .encode()
    .unwrap();
    signed
}

#[test]
fn tampered_envelope_fails_integrity_and_unsigned_is_no_signature() {
    let reg = TestRegistry::start();
    let c = client(&reg);
    let r = reference(&reg, "demo/tamper", "v1");
    push_image(&c, &r, "tamper");
    let resolved = block_on(c.resolve(&r)).unwrap();
    block_on(push_signature(
        &c,
        &resolved,
        &tampered(&resolved.descriptor),
    ))
    .unwrap();
    let p = policy(&r.scope());
    let v = block_on(verify(
        &c,
        &r,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(!v.verified && !v.inconclusive);
    let outcome = v.signatures[0].result.as_ref().unwrap();
    let (_, err) = outcome.failure.as_ref().unwrap();
    assert_eq!(err.code(), "ERR_SIGNATURE_INTEGRITY");

    // A good signature next to the tampered one: the good one wins.
    block_on(sign(&c, &r, &signer("p256"), &sign_opts(9))).unwrap();
    let v = block_on(verify(
        &c,
        &r,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(v.verified);
    assert_eq!(v.signatures.len(), 2);

    let unsigned = reference(&reg, "demo/tamper", "unsigned");
    push_image(&c, &unsigned, "unsigned");
    let e = block_on(verify(
        &c,
        &unsigned,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_NO_SIGNATURE", "{e}");
}

#[test]
fn tag_moved_after_resolve_keeps_first_digest() {
    let reg = TestRegistry::start();
    let c = client(&reg);
    let r = reference(&reg, "demo/moving", "v1");
    let first = push_image(&c, &r, "first");
    let other = reference(&reg, "demo/moving", "other");
    let second = push_image(&c, &other, "second");
    let second_bytes = block_on(c.resolve(&other)).unwrap().manifest;
    let base = reg.base();
    let moved = Cell::new(false);
    let hook = |req: &HttpRequest, resp| {
        if req.method == "GET" && req.url.ends_with("/manifests/v1") && !moved.get() {
            moved.set(true);
            let mut put = HttpRequest::new("PUT", format!("{base}/v2/demo/moving/manifests/v1"))
                .header("Content-Type", MEDIA_TYPE_OCI_MANIFEST);
            put.body = second_bytes.clone().into();
            assert_eq!(
                StdHttpClient::new().send_blocking(&put).unwrap().status,
                201
            );
        }
        Ok(resp)
    };
    let rc = RegistryClient::new(Recording::with_hook(StdHttpClient::new(), hook), options());
    let signed = block_on(sign(&rc, &r, &signer("p256"), &sign_opts(0))).unwrap();
    assert!(moved.get());
    assert_eq!(
        signed.target.digest, first,
        "one resolve: the first digest is signed"
    );
    let manifest_gets = rc
        .http()
        .requests()
        .iter()
        .filter(|q| q.method == "GET" && q.url.ends_with("/manifests/v1"))
        .count();
    assert_eq!(manifest_gets, 1, "the tag is resolved once");

    let p = policy(&r.scope());
    let v = block_on(verify(
        &c,
        &by_digest(&r, &first),
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(v.verified);
    // The tag now names the second (unsigned) manifest.
    let e = block_on(verify(
        &c,
        &r,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_NO_SIGNATURE");
    assert_ne!(first, second);
}

fn corrupt(
    req: &HttpRequest,
    mut resp: nv2::registry::HttpResponse,
    part: &str,
) -> nv2::registry::HttpResponse {
    if req.method == "GET" && req.url.contains(part) && resp.status == 200 {
        if let Some(b) = resp.body.last_mut() {
            *b ^= 0x20;
        }
    }
    resp
}

#[test]
fn bytes_not_matching_digest_are_rejected() {
    let reg = TestRegistry::start();
    let c = client(&reg);
    let r = reference(&reg, "demo/corrupt", "v1");
    let digest = push_image(&c, &r, "corrupt");
    block_on(sign(&c, &r, &signer("p256"), &sign_opts(0))).unwrap();
    let p = policy(&r.scope());
    let pinned = by_digest(&r, &digest);

    // Manifest bytes hash elsewhere (checklist 3a/3c): the user's digest is not what was served.
    let bad = RegistryClient::new(
        Recording::with_hook(StdHttpClient::new(), |q: &HttpRequest, resp| {
            Ok(corrupt(q, resp, "/manifests/sha256:"))
        }),
        options(),
    );
    let e = block_on(bad.resolve(&pinned)).unwrap_err();
    assert_eq!(e.code(), "ERR_DIGEST_MISMATCH", "{e}");
    let e = block_on(verify(
        &bad,
        &pinned,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_DIGEST_MISMATCH");

    // Envelope blob bytes corrupted: that signature fails with DIGEST_MISMATCH, not verified.
    let bad = RegistryClient::new(
        Recording::with_hook(StdHttpClient::new(), |q: &HttpRequest, resp| {
            Ok(corrupt(q, resp, "/blobs/"))
        }),
        options(),
    );
    let v = block_on(verify(
        &bad,
        &pinned,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(!v.verified);
    assert_eq!(
        v.signatures[0].result.as_ref().unwrap_err().code(),
        "ERR_DIGEST_MISMATCH"
    );

    // Signing never signs bytes that were not what the digest names (checklist 3d).
    let bad = RegistryClient::new(
        Recording::with_hook(StdHttpClient::new(), |q: &HttpRequest, resp| {
            Ok(corrupt(q, resp, "/manifests/sha256:"))
        }),
        options(),
    );
    let e = block_on(sign(&bad, &pinned, &signer("p256"), &sign_opts(1))).unwrap_err();
    assert_eq!(e.code(), "ERR_DIGEST_MISMATCH");
    assert!(
        !bad.http().requests().iter().any(|q| q.method == "PUT"),
        "nothing pushed"
    );
}

#[test]
fn oversize_manifest_and_envelope_hit_limits_before_reading() {
    let reg = TestRegistry::start();
    let c = client(&reg);
    let r = reference(&reg, "demo/limits", "v1");
    let digest = push_image(&c, &r, "limits");
    block_on(sign(&c, &r, &signer("p256"), &sign_opts(0))).unwrap();

    let small = RegistryClient::new(
        Recording::new(StdHttpClient::new()),
        RegistryOptions {
            max_manifest_bytes: 100,
            ..options()
        },
    );
    let e = block_on(small.resolve(&r)).unwrap_err();
    assert_eq!(e.code(), "ERR_LIMIT", "{e}");
    let reqs = small.http().requests();
    assert_eq!(reqs.last().unwrap().max_response_bytes, Some(100));

    // Envelope larger than the limit: refused from its descriptor, the blob is never fetched.
    let small = RegistryClient::new(
        Recording::new(StdHttpClient::new()),
        RegistryOptions {
            max_envelope_bytes: 10,
            ..options()
        },
    );
    let p = policy(&r.scope());
    let v = block_on(verify(
        &small,
        &by_digest(&r, &digest),
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(!v.verified);
    assert_eq!(
        v.signatures[0].result.as_ref().unwrap_err().code(),
        "ERR_LIMIT"
    );
    assert!(!small
        .http()
        .requests()
        .iter()
        .any(|q| q.url.contains("/blobs/")));
}

#[test]
fn referrers_tag_holding_a_non_index_aborts_without_writing() {
    let reg = TestRegistry::start();
    let c = client(&reg);
    let r = reference(&reg, "demo/nonindex", "v1");
    let digest = push_image(&c, &r, "nonindex");
    // Squat the referrers tag with an image manifest.
    let squat = reference(&reg, "demo/nonindex", &referrers_tag(&digest));
    push_image(&c, &squat, "squat");
    let rc = RegistryClient::new(Recording::new(StdHttpClient::new()), options());
    let e = block_on(sign(
        &rc,
        &by_digest(&r, &digest),
        &signer("p256"),
        &sign_opts(0),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "ERR_REFERRERS_INDEX", "{e}");
    let tag = referrers_tag(&digest);
    assert!(!rc
        .http()
        .requests()
        .iter()
        .any(|q| q.method == "PUT" && q.url.ends_with(&tag)));
    // Listing treats it as no referrers (OCI distribution-spec spec.md §Referrers Tag Schema), with
    // a warning.
    let list = block_on(list_signatures(&c, &by_digest(&r, &digest))).unwrap();
    assert!(list.signatures.is_empty());
    assert!(!list.warnings.is_empty());
}

#[test]
fn basic_auth_registry_with_and_without_credentials() {
    let reg = TestRegistry::start_with_basic_auth("user", "s3cret");
    let creds = || Box::new(StaticCredentials::new().with(&reg.addr, "user", "s3cret"));
    let c = RegistryClient::new(StdHttpClient::new(), options()).with_credentials(creds());
    let r = reference(&reg, "demo/private", "v1");
    let digest = push_image(&c, &r, "private");
    block_on(sign(&c, &r, &signer("p256"), &sign_opts(0))).unwrap();
    let p = policy(&r.scope());
    let v = block_on(verify(
        &c,
        &r,
        &p,
        &store(),
        now(),
        &VerifyOptions::default(),
    ))
    .unwrap();
    assert!(v.verified);
    assert_eq!(v.digest, digest);

    let anon = RegistryClient::new(StdHttpClient::new(), options());
    let e = block_on(list_signatures(&anon, &r)).unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_AUTH", "{e}");
    assert!(matches!(e, RegistryError::Auth(_)));

    let wrong = RegistryClient::new(StdHttpClient::new(), options()).with_credentials(Box::new(
        StaticCredentials::new().with(&reg.addr, "user", "nope"),
    ));
    let e = block_on(wrong.resolve(&r)).unwrap_err();
    assert_eq!(e.code(), "ERR_REGISTRY_AUTH");
    assert!(!e.to_string().contains("nope"));

    // Credentials for another name (checklist 16c) are not used.
    let other = RegistryClient::new(StdHttpClient::new(), options()).with_credentials(Box::new(
        StaticCredentials::new().with("127.0.0.1", "user", "s3cret"),
    ));
    assert_eq!(
        block_on(other.resolve(&r)).unwrap_err().code(),
        "ERR_REGISTRY_AUTH"
    );
}
