//! The minimized inputs of fuzz findings, committed under `fuzz/regressions/<target>/`, each run
//! through the same entry point as its fuzz target (docs/fuzzing.md §Findings). A file is the
//! bytes the entry point receives: for the structure-aware targets (`cose_struct`,
//! `jws_struct`, `cert_struct`) that is the built envelope or DER, filed under the byte-level
//! target it feeds (`envelope_cose`, `envelope_jws`, `x509_cert`, `crl`).
//!
//! The oracles that need no allocator hook are re-checked here: no panic, the same
//! certificate/CRL decision as `x509-cert`, BER → DER idempotence. The heap oracle lives in the
//! fuzz targets only (it needs a global allocator, i.e. `unsafe`, which this crate forbids).

use std::path::Path;

use der::Decode;

fn run(target: &str, data: &[u8]) {
    match target {
        "envelope_jws" => drop(super::envelope_jws(data)),
        "envelope_cose" => drop(super::envelope_cose(data)),
        "cbor" => drop(super::cbor(data)),
        "x509_cert" => {
            let mine = super::certificate(data).is_ok();
            let theirs = x509_cert::Certificate::from_der(data).is_ok();
            assert_eq!(mine, theirs, "certificate decision differs from x509-cert");
        }
        "crl" => {
            let mine = super::crl(data).is_ok();
            let theirs =
                x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(data)
                    .is_ok();
            assert_eq!(mine, theirs, "CRL decision differs from x509-cert");
        }
        "timestamp_token" => drop(super::timestamp_token(data)),
        "timestamp_der" => {
            if let Ok(der) = super::timestamp_der(data) {
                assert_eq!(super::timestamp_der(&der).ok(), Some(der));
            }
        }
        "trust_policy" => drop(super::trust_policy(data)),
        "oci" => drop(super::oci(data)),
        "pem_keys" => drop(super::pem_keys(data)),
        "http_headers" => drop(super::http_headers(data)),
        "ocsp" => drop(super::ocsp(data)),
        other => panic!("fuzz/regressions/{other}: no such target"),
    }
}

#[test]
fn fuzz_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let Ok(targets) = std::fs::read_dir(&root) else {
        println!("no fuzz/regressions directory");
        return;
    };
    let mut n = 0;
    for target in targets {
        let target = target.unwrap().path();
        if !target.is_dir() {
            continue;
        }
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&target).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let data = std::fs::read(&file).unwrap();
            println!("{}: {} bytes", file.display(), data.len());
            run(&name, &data);
            n += 1;
        }
    }
    println!("{n} regression input(s)");
}
