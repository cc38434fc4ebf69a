//! Structure-aware certificate and CRL generator (RFC 5280 §4.1, §5.1): many extensions
//! (duplicates included), long `extendedKeyUsage` lists, many RDNs, many revoked entries, and a
//! huge declared length spliced into one component — shapes byte mutation rarely reaches. Each
//! build runs through the certificate and CRL differentials against `x509-cert` under the heap
//! bound.
//!
//! Counts are drawn from 0..4096, and half the time pinned to one below, at or one above the
//! structural budget they meet (nv2::limits, docs/limits.md): `x509.extensions`,
//! `x509.name.attributes`, `crl.extensions`. Over a budget `Certificate::from_der` / `Crl` refuse
//! early with `ERR_LIMIT`; the flat DER walk the differential compares still reads every element,
//! so its cost stays linear (heap oracle; libFuzzer's `-timeout`).
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nv2::limits::{EXTENSIONS, NAME_RDNS};
use nv2_fuzz::der_tlv;

/// Largest generated count of one kind: far over every budget, still cheap per input (the checks
/// behind the budgets are linear since the budgets work).
const MANY: usize = 4096;

/// A count from `n`: when its top bit is set, `limit - 1`, `limit` or `limit + 1` (the budget's
/// edge, which uniform draws from 0..MANY would rarely hit); otherwise `n % MANY`.
fn around(n: u16, limit: usize) -> usize {
    if n & 0x8000 != 0 {
        limit - 1 + usize::from(n) % 3
    } else {
        usize::from(n) % MANY
    }
}

#[derive(Arbitrary, Debug)]
struct Ext {
    kind: u8,
    critical: Option<bool>,
    value: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Spec {
    version: u8,
    serial: Vec<u8>,
    rdns: u16,
    exts: Vec<Ext>,
    ext_many: u16,
    eku_many: u16,
    revoked_many: u16,
    /// Splice `84 ff ff ff ff` (a 4 GiB declared length) in front of this component.
    huge_at: Option<u8>,
    utc: bool,
}

// DER of a few OIDs (X.690 §8.19).
const ECDSA_SHA256: &[u8] = &[0x06, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const CN: &[u8] = &[0x06, 3, 0x55, 0x04, 0x03];

fn ext_oid(kind: u8, i: usize) -> Vec<u8> {
    match kind % 6 {
        0 => vec![0x06, 3, 0x55, 0x1d, 15], // keyUsage
        1 => vec![0x06, 3, 0x55, 0x1d, 19], // basicConstraints
        2 => vec![0x06, 3, 0x55, 0x1d, 37], // extendedKeyUsage
        3 => vec![0x06, 3, 0x55, 0x1d, 31], // cRLDistributionPoints
        4 => vec![0x06, 3, 0x55, 0x1d, 46], // freshestCRL
        _ => {
            // 1.3.6.1.4.1.<i>: distinct private OIDs.
            let mut o = vec![0x2b, 6, 1, 4, 1];
            let i = i as u32;
            if i >= 128 {
                o.push(0x80 | (i >> 7 & 0x7f) as u8);
            }
            o.push((i & 0x7f) as u8);
            der_tlv(0x06, &o)
        }
    }
}

fn name(n: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..n.max(1) {
        let atv = der_tlv(
            0x30,
            &[CN, &der_tlv(0x0c, format!("n{i}").as_bytes())].concat(),
        );
        body.extend(der_tlv(0x31, &atv));
    }
    der_tlv(0x30, &body)
}

fn time(utc: bool) -> Vec<u8> {
    if utc {
        der_tlv(0x17, b"250101000000Z")
    } else {
        der_tlv(0x18, b"20250101000000Z")
    }
}

fn ext_der(oid: &[u8], critical: Option<bool>, value: &[u8]) -> Vec<u8> {
    let mut e = oid.to_vec();
    if let Some(c) = critical {
        e.extend(der_tlv(0x01, &[if c { 0xff } else { 0 }]));
    }
    e.extend(der_tlv(0x04, value));
    der_tlv(0x30, &e)
}

fn splice(huge_at: Option<u8>, at: u8, part: Vec<u8>) -> Vec<u8> {
    match huge_at {
        Some(h) if h % 8 == at => {
            // Keep the tag, replace the length with a 4-octet one declaring 4 GiB - 1.
            let mut out = vec![part[0], 0x84, 0xff, 0xff, 0xff, 0xff];
            let hdr = if part[1] < 0x80 {
                2
            } else {
                2 + usize::from(part[1] & 0x7f)
            };
            out.extend_from_slice(&part[hdr..]);
            out
        }
        _ => part,
    }
}

fn certificate(s: &Spec) -> Vec<u8> {
    let alg = der_tlv(0x30, ECDSA_SHA256);
    let mut serial = s.serial.clone();
    serial.truncate(24);
    if serial.is_empty() {
        serial.push(1);
    }
    let mut exts = Vec::new();
    for (i, e) in s.exts.iter().enumerate() {
        exts.extend(ext_der(&ext_oid(e.kind, i), e.critical, &e.value));
    }
    // extendedKeyUsage purposes are not budgeted (one linear read of a SEQUENCE OF).
    let eku_many = usize::from(s.eku_many) % MANY;
    if eku_many > 0 {
        let purposes: Vec<u8> = (0..eku_many)
            .flat_map(|i| der_tlv(0x06, &[0x2b, 6, 1, 5, 5, 7, 3, (i % 128) as u8]))
            .collect();
        exts.extend(ext_der(
            &ext_oid(2, 0),
            Some(true),
            &der_tlv(0x30, &purposes),
        ));
    }
    // The filler brings the total (the listed extensions, the EKU one, the filler) to the count.
    let listed = s.exts.len() + usize::from(eku_many > 0);
    for i in 0..around(s.ext_many, EXTENSIONS).saturating_sub(listed) {
        exts.extend(ext_der(&ext_oid(5, 1000 + i), None, &[0x05, 0]));
    }
    let spki = der_tlv(
        0x30,
        &[
            der_tlv(0x30, &[0x06, 7, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
            der_tlv(0x03, &[0, 4, 1, 2, 3]),
        ]
        .concat(),
    );
    let tbs = der_tlv(
        0x30,
        &[
            der_tlv(0xa0, &der_tlv(0x02, &[s.version % 4])),
            der_tlv(0x02, &serial),
            alg.clone(),
            splice(s.huge_at, 0, name(around(s.rdns, NAME_RDNS))),
            der_tlv(0x30, &[time(s.utc), time(!s.utc)].concat()),
            name(1),
            splice(s.huge_at, 1, spki),
            splice(
                s.huge_at,
                2,
                der_tlv(0xa3, &splice(s.huge_at, 3, der_tlv(0x30, &exts))),
            ),
        ]
        .concat(),
    );
    der_tlv(
        0x30,
        &[splice(s.huge_at, 4, tbs), alg, der_tlv(0x03, &[0, 1, 2])].concat(),
    )
}

/// `crlExtensions` (`[0] EXPLICIT`, RFC 5280 §5.1.2.7): the listed extensions and private-OID
/// filler up to the count (`crl.extensions` is the same budget as `x509.extensions`); absent for
/// a count of zero, as a CRL without extensions omits the field.
fn crl_extensions(s: &Spec) -> Vec<u8> {
    let n = around(s.ext_many, EXTENSIONS);
    if n == 0 {
        return Vec::new();
    }
    let mut exts = Vec::new();
    for (i, e) in s.exts.iter().take(n).enumerate() {
        exts.extend(ext_der(&ext_oid(e.kind, i), e.critical, &e.value));
    }
    for i in 0..n.saturating_sub(s.exts.len()) {
        exts.extend(ext_der(&ext_oid(5, 1000 + i), None, &[0x05, 0]));
    }
    der_tlv(0xa0, &der_tlv(0x30, &exts))
}

fn crl(s: &Spec) -> Vec<u8> {
    let alg = der_tlv(0x30, ECDSA_SHA256);
    let mut revoked = Vec::new();
    // Revoked entries are deliberately not budgeted (docs/limits.md): real CRLs list many.
    for i in 0..usize::from(s.revoked_many) % MANY {
        let mut e = der_tlv(0x02, &[(i >> 8) as u8 | 1, i as u8]);
        e.extend(time(s.utc));
        if let Some(x) = s.exts.get(i % s.exts.len().max(1)) {
            e.extend(der_tlv(
                0x30,
                &ext_der(&ext_oid(x.kind, i), x.critical, &x.value),
            ));
        }
        revoked.extend(der_tlv(0x30, &e));
    }
    let tbs = der_tlv(
        0x30,
        &[
            der_tlv(0x02, &[1]),
            alg.clone(),
            name(around(s.rdns, NAME_RDNS)),
            time(s.utc),
            time(!s.utc),
            splice(s.huge_at, 5, der_tlv(0x30, &revoked)),
            crl_extensions(s),
        ]
        .concat(),
    );
    der_tlv(0x30, &[tbs, alg, der_tlv(0x03, &[0, 1, 2])].concat())
}

fuzz_target!(|spec: Spec| {
    let cert = certificate(&spec);
    nv2_fuzz::bounded(cert.len(), || nv2_fuzz::diff_cert(&cert));
    let list = crl(&spec);
    nv2_fuzz::bounded(list.len(), || nv2_fuzz::diff_crl(&list));
});
