//! The sans-IO OCSP core (`nv2::revocation::ocsp`, RFC 6960) against real responses: the ones
//! `tests/gen/make_pki.py` builds with pyca `cryptography` and with `openssl ocsp` (`make pki`,
//! directory `NV2_PKI_DIR` or `tests/.work/pki`), and answers `openssl ocsp` gives to nv2's own
//! request. Each case of `index.json` `ocsp.cases` names the verdict nv2 must reach.
//!
//! Without the generated PKI the tests say so and pass (as the corpus tests of `src/x509`); set
//! `NV2_REQUIRE_PKI=1` to make its absence a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use nv2::error::ErrorCode;
use nv2::revocation::ocsp::{
    check_response, request_der, request_der_with, request_get_suffix, CertIdHash, OcspCertStatus,
    OcspError, MAX_OCSP_RESPONSE_BYTES,
};
use nv2::time::Instant;
use nv2::x509::Certificate;
use serde_json::Value;

fn pki_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("NV2_PKI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/.work/pki"));
    if dir.join("index.json").is_file() {
        let index: Value = serde_json::from_slice(&std::fs::read(dir.join("index.json")).ok()?)
            .expect("index.json");
        if index.get("ocsp").is_some() {
            return Some(dir);
        }
    }
    assert!(
        std::env::var("NV2_REQUIRE_PKI").map_or(true, |v| v != "1"),
        "no OCSP test PKI at {}: run `make pki`",
        dir.display()
    );
    eprintln!(
        "skipped: no OCSP test PKI at {} (run `make pki`)",
        dir.display()
    );
    None
}

struct Pki {
    dir: PathBuf,
    ocsp: Value,
}

impl Pki {
    fn load() -> Option<Self> {
        let dir = pki_dir()?;
        let index: Value =
            serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
        Some(Pki {
            dir,
            ocsp: index["ocsp"].clone(),
        })
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn cert(&self, entry: &str) -> Certificate {
        let rel = self.ocsp[entry]["certFile"].as_str().unwrap();
        Certificate::parse_pem_or_der(&std::fs::read(self.path(rel)).unwrap())
            .unwrap()
            .remove(0)
    }

    fn leaf(&self, name: &str) -> Certificate {
        match name {
            "leaf" => self.cert("leafEntry"),
            "leaf2" => self.cert("leaf2Entry"),
            other => panic!("unknown target {other}"),
        }
    }
}

fn now() -> Instant {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Instant::from_unix_seconds(secs as i64)
}

/// The variant name the PKI's `expect` uses for an error.
fn variant(e: &OcspError) -> &'static str {
    match e {
        OcspError::TooLarge { .. } => "TooLarge",
        OcspError::Budget(_) => "Budget",
        OcspError::Malformed(_) => "Malformed",
        OcspError::Unsuccessful(_) => "Unsuccessful",
        OcspError::UnsupportedResponseType(_) => "UnsupportedResponseType",
        OcspError::UnsupportedHashAlgorithm(_) => "UnsupportedHashAlgorithm",
        OcspError::ResponderNotFound => "ResponderNotFound",
        OcspError::UnauthorizedResponder { .. } => "UnauthorizedResponder",
        OcspError::BadSignature => "BadSignature",
        OcspError::UnsupportedSignature(_) => "UnsupportedSignature",
        OcspError::NoMatchingResponse { .. } => "NoMatchingResponse",
        OcspError::CertIdMismatch => "CertIdMismatch",
        OcspError::NotYetValid { .. } => "NotYetValid",
        OcspError::Expired { .. } => "Expired",
        OcspError::UnknownCriticalExtension(_) => "UnknownCriticalExtension",
        _ => "other",
    }
}

fn verdict(r: &Result<nv2::revocation::OcspAnswer, OcspError>) -> String {
    match r {
        Ok(a) => match a.status {
            OcspCertStatus::Good => "good".into(),
            OcspCertStatus::Revoked { .. } => "revoked".into(),
            OcspCertStatus::Unknown => "unknown".into(),
            _ => "other".into(),
        },
        Err(e) => variant(e).into(),
    }
}

#[test]
fn every_generated_response_gets_its_verdict() {
    let Some(pki) = Pki::load() else { return };
    let issuer = pki.cert("intermediateEntry");
    let now = now();
    let cases = pki.ocsp["cases"].as_object().unwrap();
    let mut passed = 0;
    for (name, case) in cases {
        let der = std::fs::read(pki.path(case["file"].as_str().unwrap())).unwrap();
        let cert = pki.leaf(case["cert"].as_str().unwrap());
        let got = check_response(&der, &cert, &issuer, now);
        let want = case["expect"].as_str().unwrap();
        assert_eq!(verdict(&got), want, "{name}: {got:?}");
        match &got {
            Ok(a) => {
                assert!(a.this_update <= now.add_seconds(300), "{name}");
                if name == "good-no-next-update" {
                    assert_eq!(a.next_update, None);
                } else {
                    assert!(a.next_update.is_some(), "{name}");
                }
            }
            Err(e) => {
                let code = match e {
                    OcspError::Malformed(_) => ErrorCode::Parse,
                    OcspError::TooLarge { .. } | OcspError::Budget(_) => ErrorCode::Limit,
                    _ => ErrorCode::VerificationInconclusive,
                };
                assert_eq!(e.code(), code, "{name}");
                assert!(!e.to_string().is_empty());
            }
        }
        passed += 1;
    }
    println!("OCSP cases: {passed} passed, 0 failed");
    assert!(passed >= 30, "only {passed} cases");
}

#[test]
fn revoked_details_and_unsuccessful_status_names() {
    let Some(pki) = Pki::load() else { return };
    let issuer = pki.cert("intermediateEntry");
    let leaf = pki.leaf("leaf");
    let read = |n: &str| std::fs::read(pki.path(&format!("ocsp/{n}.der"))).unwrap();
    let now = now();
    match check_response(&read("revoked"), &leaf, &issuer, now)
        .unwrap()
        .status
    {
        OcspCertStatus::Revoked { time, reason, .. } => {
            assert_eq!(reason, Some(1), "keyCompromise");
            assert!(time < now.add_seconds(-86_400));
        }
        other => panic!("{other:?}"),
    }
    match check_response(&read("revoked-no-reason"), &leaf, &issuer, now)
        .unwrap()
        .status
    {
        OcspCertStatus::Revoked { reason, .. } => assert_eq!(reason, None),
        other => panic!("{other:?}"),
    }
    match check_response(&read("openssl-revoked"), &pki.leaf("leaf2"), &issuer, now)
        .unwrap()
        .status
    {
        OcspCertStatus::Revoked { reason, .. } => assert_eq!(reason, Some(1)),
        other => panic!("{other:?}"),
    }
    for (file, text) in [
        ("unsuccessful-try-later", "tryLater"),
        ("unsuccessful-unauthorized", "unauthorized"),
        ("unsuccessful-malformed-request", "malformedRequest"),
        ("unsuccessful-internal-error", "internalError"),
        ("unsuccessful-sig-required", "sigRequired"),
    ] {
        let e = check_response(&read(file), &leaf, &issuer, now).unwrap_err();
        assert!(e.to_string().contains(text), "{file}: {e}");
    }
    // Valid from thisUpdate to nextUpdate, with the five-minute skew on both sides.
    let good = read("good");
    let a = check_response(&good, &leaf, &issuer, now).unwrap();
    let next = a.next_update.unwrap();
    for (at, ok) in [
        (next.add_seconds(300), true),
        (next.add_seconds(301), false),
        (a.this_update.add_seconds(-300), true),
        (a.this_update.add_seconds(-301), false),
    ] {
        let got = check_response(&good, &leaf, &issuer, at);
        assert_eq!(got.is_ok(), ok, "{at:?}: {got:?}");
    }
    let e = check_response(&good, &leaf, &issuer, next.add_seconds(301)).unwrap_err();
    assert_eq!(variant(&e), "Expired");
    let e = check_response(&good, &leaf, &issuer, a.this_update.add_seconds(-301)).unwrap_err();
    assert_eq!(variant(&e), "NotYetValid");
    // The wrong issuer: the issuer-signed response does not verify under the root's key.
    let root = pki.cert("rootEntry");
    assert!(check_response(&good, &leaf, &root, now).is_err());
    // Size limit.
    let mut big = good.clone();
    big.resize(MAX_OCSP_RESPONSE_BYTES + 1, 0);
    assert_eq!(
        check_response(&big, &leaf, &issuer, now)
            .unwrap_err()
            .code(),
        ErrorCode::Limit
    );
}

/// nv2's request is byte for byte the one pyca `cryptography`'s `OCSPRequestBuilder` builds with
/// SHA-256 (RFC 6960 §4.1.1).
#[test]
fn request_equals_cryptography_request() {
    let Some(pki) = Pki::load() else { return };
    let ours = request_der(&pki.leaf("leaf"), &pki.cert("intermediateEntry"));
    let theirs = std::fs::read(pki.path(pki.ocsp["requestSha256File"].as_str().unwrap())).unwrap();
    assert_eq!(ours, theirs);
    let suffix = request_get_suffix(&ours);
    assert!(!suffix.contains(['+', '/', '=']), "{suffix}");
    // With SHA-1, the request `openssl ocsp -no_nonce` wrote (what notation-core-go sends).
    let sha1 = request_der_with(
        &pki.leaf("leaf"),
        &pki.cert("intermediateEntry"),
        CertIdHash::Sha1,
    );
    let openssl = std::fs::read(pki.path("ocsp/openssl-good-request.der")).unwrap();
    assert_eq!(sha1, openssl);
}

fn openssl(args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
    match Command::new("openssl").args(args).output() {
        Ok(o) => Some(o),
        Err(e) => {
            eprintln!("skipped: openssl not runnable: {e}");
            None
        }
    }
}

/// OpenSSL reads nv2's request (`-req_text`) and answers it as its responder (from the PKI's CA
/// database: `leaf` valid, `leaf2` revoked); nv2 accepts the answers with the right status.
#[test]
fn openssl_answers_nv2_request() {
    let Some(pki) = Pki::load() else { return };
    let issuer = pki.cert("intermediateEntry");
    let tmp = std::env::temp_dir().join(format!("nv2-ocsp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for (target, signer, key, want, hash) in [
        (
            "leaf",
            "responderPem",
            "responderKey",
            "good",
            CertIdHash::Sha256,
        ),
        (
            "leaf2",
            "responderPem",
            "responderKey",
            "revoked",
            CertIdHash::Sha256,
        ),
        ("leaf", "intermediatePem", "", "good", CertIdHash::Sha256),
        ("leaf2", "intermediatePem", "", "revoked", CertIdHash::Sha1),
    ] {
        let cert = pki.leaf(target);
        let req = tmp.join(format!("{target}-{hash:?}-req.der"));
        std::fs::write(&req, request_der_with(&cert, &issuer, hash)).unwrap();
        let Some(text) = openssl(&[
            "ocsp".as_ref(),
            "-reqin".as_ref(),
            req.as_os_str(),
            "-req_text".as_ref(),
        ]) else {
            return;
        };
        assert!(
            text.status.success(),
            "{}",
            String::from_utf8_lossy(&text.stderr)
        );
        let text = String::from_utf8_lossy(&text.stdout);
        let name = if hash == CertIdHash::Sha1 {
            "sha1"
        } else {
            "sha256"
        };
        assert!(text.contains(&format!("Hash Algorithm: {name}")), "{text}");
        // OpenSSL prints the serial without the DER sign byte (a leading 00 before a high bit);
        // `serial_hex` keeps the INTEGER's contents as they are.
        let serial = cert.serial_hex();
        let serial = serial
            .strip_prefix("00")
            .filter(|rest| !rest.is_empty())
            .unwrap_or(&serial);
        assert!(
            text.replace(':', "").to_lowercase().contains(serial),
            "{text}"
        );
        let resp = tmp.join(format!("{target}-{signer}-{hash:?}-resp.der"));
        let rsigner = pki.path(pki.ocsp[signer].as_str().unwrap());
        let rkey = if key.is_empty() {
            pki.path("ocsp/intermediate.key")
        } else {
            pki.path(pki.ocsp[key].as_str().unwrap())
        };
        let out = openssl(&[
            "ocsp".as_ref(),
            "-index".as_ref(),
            pki.path(pki.ocsp["indexFile"].as_str().unwrap())
                .as_os_str(),
            "-CA".as_ref(),
            pki.path(pki.ocsp["intermediatePem"].as_str().unwrap())
                .as_os_str(),
            "-rsigner".as_ref(),
            rsigner.as_os_str(),
            "-rkey".as_ref(),
            rkey.as_os_str(),
            "-reqin".as_ref(),
            req.as_os_str(),
            "-respout".as_ref(),
            resp.as_os_str(),
            "-ndays".as_ref(),
            "1".as_ref(),
        ])
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let der = std::fs::read(&resp).unwrap();
        let got = check_response(&der, &cert, &issuer, now());
        assert_eq!(verdict(&got), want, "{target} by {signer}: {got:?}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Every truncation and single-byte flip of a few real responses (pyca `cryptography`, delegated
/// and issuer-signed; `openssl ocsp`): no panic, and whatever is still accepted is the original
/// answer. (The `x509-ocsp` crate would be the independent decoder to compare with, but no
/// release of it builds on der 0.8 / x509-cert 0.3.)
#[test]
fn real_responses_survive_truncation_and_byte_flips() {
    let Some(pki) = Pki::load() else { return };
    let issuer = pki.cert("intermediateEntry");
    let leaf = pki.leaf("leaf");
    let now = now();
    let mut checked = 0usize;
    for name in ["good", "delegated-with-chain", "openssl-good"] {
        let der = std::fs::read(pki.path(&format!("ocsp/{name}.der"))).unwrap();
        let want = check_response(&der, &leaf, &issuer, now).unwrap();
        for n in 0..der.len() {
            assert!(
                check_response(&der[..n], &leaf, &issuer, now).is_err(),
                "{name}[..{n}]"
            );
        }
        for i in 0..der.len() {
            let mut d = der.clone();
            d[i] ^= 0xff;
            if let Ok(a) = check_response(&d, &leaf, &issuer, now) {
                assert_eq!(a, want, "{name}: flip at {i}");
            }
            checked += 1;
        }
    }
    println!("byte flips: {checked} checked");
}
