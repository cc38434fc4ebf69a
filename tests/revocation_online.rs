//! The "needs" step of revocation (`nv2::revocation::material`, `fetch`) end to end over the core:
//! an envelope signed with the OCSP test PKI's leaf (`make pki`, `index.json` `ocsp`; the leaf
//! names the responder `http://ocsp.nv2.test/` and the distribution point
//! `http://crl.nv2.test/intermediate.crl`), verified through `verify_fetching` with a scripted HTTP
//! client playing the responder and the CRL server. Real responses (pyca `cryptography`, from
//! `make_pki.py`); the client only decides which one is served and counts requests.
//!
//! Without the generated PKI the tests say so and pass; `NV2_REQUIRE_PKI=1` makes that a failure.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nv2::crypto::HashAlgorithm;
use nv2::oci::Descriptor;
use nv2::policy::OciTrustPolicy;
use nv2::registry::{Deadlines, HttpRequest, HttpResponse, TransportError};
use nv2::revocation::fetch::verify_fetching;
use nv2::revocation::{RevocationChecker, RevocationMaterial};
use nv2::sign::{sign_descriptor, LocalSigner, SignOptions};
use nv2::time::Instant;
use nv2::truststore::TrustStore;
use nv2::verify::{verify_envelope, Outcome, VerifyRequest};
use serde_json::Value;
use support::registry::{block_on, response, Fake};

const OCSP_URL: &str = "http://ocsp.nv2.test/";
const CRL_URL: &str = "http://crl.nv2.test/intermediate.crl";

struct Pki {
    dir: PathBuf,
    ocsp: Value,
    now: Instant,
}

fn pki() -> Option<Pki> {
    let dir = std::env::var_os("NV2_PKI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/.work/pki"));
    let index: Option<Value> = std::fs::read(dir.join("index.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let Some(index) = index.filter(|i| i.get("ocsp").is_some()) else {
        assert!(
            std::env::var("NV2_REQUIRE_PKI").map_or(true, |v| v != "1"),
            "no OCSP test PKI at {}: run `make pki`",
            dir.display()
        );
        eprintln!("skipped: no OCSP test PKI (run `make pki`)");
        return None;
    };
    // The responses were made at generation time, valid for days from then.
    let now = Instant::parse_rfc3339(index["generatedAt"].as_str().unwrap())
        .unwrap()
        .add_seconds(60);
    Some(Pki {
        dir,
        ocsp: index["ocsp"].clone(),
        now,
    })
}

impl Pki {
    fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(rel)).unwrap()
    }
    fn case(&self, name: &str) -> Vec<u8> {
        self.read(self.ocsp["cases"][name]["file"].as_str().unwrap())
    }
    fn entry(&self, name: &str, file: &str) -> Vec<u8> {
        self.read(self.ocsp[name][file].as_str().unwrap())
    }
}

struct Signed {
    envelope: Vec<u8>,
    target: Descriptor,
    policy: OciTrustPolicy,
    store: TrustStore,
}

fn signed(pki: &Pki) -> Signed {
    let key = String::from_utf8(pki.entry("leafEntry", "keyFile")).unwrap();
    let chain = String::from_utf8(pki.entry("leafEntry", "chainFile")).unwrap();
    let signer = LocalSigner::from_pem(&key, &chain).unwrap();
    let target = Descriptor::for_content(
        "application/vnd.oci.image.manifest.v1+json",
        HashAlgorithm::Sha256,
        b"{\"revocation\":\"online\"}",
    );
    let signed = sign_descriptor(&target, &signer, &SignOptions::new(pki.now)).unwrap();
    let policy = OciTrustPolicy::from_json(
        br#"{"version":"1.0","trustPolicies":[{"name":"p","registryScopes":["*"],
        "signatureVerification":{"level":"strict"},"trustStores":["ca:ocsp"],"trustedIdentities":["*"]}]}"#,
    )
    .unwrap();
    let mut store = TrustStore::new();
    store
        .add_named_store(
            "ca",
            "ocsp",
            &[("root.pem".into(), pki.entry("rootEntry", "certFile"))],
        )
        .unwrap();
    Signed {
        envelope: signed.envelope,
        target,
        policy,
        store,
    }
}

type Answer = Result<HttpResponse, TransportError>;

/// Verifies `s` with a client answering each request with `route`; returns the outcome and the
/// requests made.
fn run(
    pki: &Pki,
    s: &Signed,
    online: bool,
    route: impl Fn(&HttpRequest) -> Answer,
) -> (Outcome, Vec<HttpRequest>) {
    let fake = Fake::new(route);
    let mut material = RevocationMaterial::new(Vec::new(), online);
    let metadata = BTreeMap::new();
    let outcome = block_on(verify_fetching(
        &fake,
        &Deadlines::default(),
        &(),
        &mut material,
        pki.now,
        &mut |checker| {
            verify_envelope(&VerifyRequest {
                envelope: &s.envelope,
                media_type: "application/jose+json",
                target: &s.target,
                artifact_reference: "reg.example/app@sha256:00",
                policy: &s.policy,
                trust_store: &s.store,
                now: pki.now,
                user_metadata: &metadata,
                revocation: Some(checker as &dyn RevocationChecker),
            })
        },
    ))
    .unwrap();
    (outcome, fake.requests())
}

fn ocsp(body: Vec<u8>) -> impl Fn(&HttpRequest) -> Answer {
    move |q: &HttpRequest| {
        if q.url.starts_with(OCSP_URL) {
            Ok(response(
                200,
                &[("content-type", "application/ocsp-response")],
                &body,
            ))
        } else {
            Ok(response(404, &[], b""))
        }
    }
}

fn revocation_error(o: &Outcome) -> Option<String> {
    o.results
        .iter()
        .find(|r| r.check == nv2::policy::CheckType::Revocation)
        .and_then(|r| r.error.as_ref())
        .map(|e| format!("{} {e}", e.code()))
}

#[test]
fn good_by_ocsp_takes_one_request_and_no_crl() {
    let Some(pki) = pki() else { return };
    let s = signed(&pki);
    let (o, reqs) = run(&pki, &s, true, ocsp(pki.case("good")));
    assert!(o.verified, "{:?}", o.failure);
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    // RFC 6960 Appendix A.1: a short request goes as GET <url>/<base64 request>.
    assert_eq!(reqs[0].method, "GET");
    assert!(reqs[0].url.starts_with(OCSP_URL) && reqs[0].url.len() > OCSP_URL.len());
    assert!(o.needs.is_empty());
}

#[test]
fn revoked_by_ocsp_fails_the_revocation_check() {
    let Some(pki) = pki() else { return };
    let s = signed(&pki);
    let (o, reqs) = run(&pki, &s, true, ocsp(pki.case("revoked")));
    assert!(!o.verified);
    let e = revocation_error(&o).unwrap();
    assert!(e.starts_with("ERR_CERT_REVOKED"), "{e}");
    assert!(e.contains("OCSP responder at http://ocsp.nv2.test/"), "{e}");
    assert_eq!(reqs.len(), 1);
}

#[test]
fn responder_failures_fall_back_to_the_crl_and_name_what_was_tried() {
    let Some(pki) = pki() else { return };
    let s = signed(&pki);
    for (name, refused) in [
        ("503", Ok(response(503, &[], b""))),
        ("reset", Err(TransportError::new("connection reset"))),
        (
            "other serial",
            Ok(response(200, &[], &pki.case("other-serial"))),
        ),
        (
            "no EKU",
            Ok(response(200, &[], &pki.case("responder-no-eku"))),
        ),
        ("oversized", Ok(response(200, &[], &vec![0x30; 30 * 1024]))),
    ] {
        let (o, reqs) = run(&pki, &s, true, |q: &HttpRequest| {
            if q.url.starts_with(OCSP_URL) {
                refused.clone()
            } else {
                Ok(response(404, &[], b""))
            }
        });
        assert!(!o.verified, "{name}");
        let e = revocation_error(&o).unwrap();
        assert!(
            e.starts_with("ERR_VERIFICATION_INCONCLUSIVE"),
            "{name}: {e}"
        );
        assert!(e.contains("OCSP at http://ocsp.nv2.test/"), "{name}: {e}");
        assert!(
            e.contains(&format!("CRL at {CRL_URL}: HTTP 404")),
            "{name}: {e}"
        );
        // One OCSP request, then one CRL download: OCSP first, the CRL only after it failed.
        assert_eq!(reqs.len(), 2, "{name}: {reqs:#?}");
        assert!(reqs[0].url.starts_with(OCSP_URL), "{name}");
        assert_eq!(reqs[1].url, CRL_URL, "{name}");
    }
}

#[test]
fn offline_makes_no_request_and_says_so() {
    let Some(pki) = pki() else { return };
    let s = signed(&pki);
    let (o, reqs) = run(&pki, &s, false, ocsp(pki.case("good")));
    assert!(!o.verified);
    assert!(reqs.is_empty(), "{reqs:#?}");
    let e = revocation_error(&o).unwrap();
    assert!(
        e.contains("not asked (offline)") && e.contains("not downloaded (offline)"),
        "{e}"
    );
}
