//! Shared oracles of the nv2 fuzz targets (docs/fuzzing.md).
//!
//! * A counting global allocator: [`bounded`] runs one input and aborts (a libFuzzer crash, so
//!   the input is saved and minimised) when the heap reserved at the peak exceeds
//!   [`heap_bound`] for the input's length. Every parser here is meant to need memory linear in
//!   its input; a superlinear (or declared-count-driven) reservation is a denial-of-service
//!   finding even when it returns the right answer.
//! * The certificate and CRL differential against `x509-cert` ([`diff_cert`], [`diff_crl`]),
//!   with its documented allow-list of deliberate divergences.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use x509_cert::der::{Decode, Encode, Tagged};

/// Bytes currently allocated through the Rust allocator.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
/// Highest `CURRENT` since the last [`bounded`] reset.
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// `System`, counting live bytes and their peak. libFuzzer's own allocations go through C
/// `malloc`, not this allocator, so only the code under test is counted.
pub struct Counting;

fn grew(n: usize) {
    let now = CURRENT.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counters
// are plain atomics and never affect what is returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The heap an input of `len` bytes may reserve at its peak: 64 bytes per input byte plus
/// 1 MiB. 64× covers the owned copies the parsers make (a parsed value tree, a base64 decode,
/// a BER → DER copy, the differential's second decode); the constant covers fixed costs (RSA
/// and EC arithmetic, the JSON parser's buffers, error strings).
///
/// `NV2_FUZZ_HEAP_PER_BYTE` and `NV2_FUZZ_HEAP_BASE` (bytes) override the two numbers, read once:
/// lowering them shows near-misses, and `NV2_FUZZ_HEAP_PER_BYTE=0 NV2_FUZZ_HEAP_BASE=0` checks
/// that the oracle fires at all.
pub fn heap_bound(len: usize) -> usize {
    static BOUND: std::sync::OnceLock<(usize, usize)> = std::sync::OnceLock::new();
    let (per_byte, base) = *BOUND.get_or_init(|| {
        let var = |k: &str, d: usize| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        (
            var("NV2_FUZZ_HEAP_PER_BYTE", 64),
            var("NV2_FUZZ_HEAP_BASE", 1 << 20),
        )
    });
    len.saturating_mul(per_byte).saturating_add(base)
}

/// Runs `f` on an input of `len` bytes under the heap bound: aborts the process when the peak
/// exceeds [`heap_bound`].
pub fn bounded<R>(len: usize, f: impl FnOnce() -> R) -> R {
    let bound = heap_bound(len); // before the reset: its first call allocates
    let base = CURRENT.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    let peak = PEAK.load(Relaxed).saturating_sub(base);
    if peak > bound {
        eprintln!(
            "heap oracle: {peak} bytes reserved at the peak for a {len}-byte input (bound {bound})"
        );
        std::process::abort();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Certificate / CRL differential

fn secs(t: &x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

fn alg(a: &x509_cert::spki::AlgorithmIdentifierOwned) -> nv2::fuzz_api::AlgView {
    nv2::fuzz_api::AlgView {
        oid: a.oid.to_string(),
        params: a
            .parameters
            .as_ref()
            .map(|p| p.to_der().expect("re-encode")),
        raw: a.to_der().expect("re-encode"),
    }
}

fn attrs(name: &x509_cert::name::Name) -> Vec<nv2::fuzz_api::AttrView> {
    let mut out = Vec::new();
    for rdn in name.iter_rdn() {
        for atv in rdn.iter() {
            out.push((
                atv.oid.to_string(),
                format!("{:?}", atv.value.tag()),
                atv.value.value().to_vec(),
            ));
        }
    }
    out
}

fn exts(list: Option<&Vec<x509_cert::ext::Extension>>) -> Vec<nv2::fuzz_api::ExtView> {
    list.map(|l| {
        l.iter()
            .map(|e| {
                (
                    e.extn_id.to_string(),
                    e.critical,
                    e.extn_value.as_bytes().to_vec(),
                )
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Deliberate divergences from `x509-cert`: `(name, predicate on the input and both
/// decisions)`. A divergence matching none of them is a finding. Empty: none has been found
/// necessary; an entry needs a reason (a spec citation) in docs/fuzzing.md.
type Allowed = (&'static str, fn(&[u8], bool, bool) -> bool);
const CERT_ALLOW: &[Allowed] = &[];
const CRL_ALLOW: &[Allowed] = &[];

fn allowed(list: &[Allowed], der: &[u8], nv2_ok: bool, ref_ok: bool) -> bool {
    list.iter().any(|(_, p)| p(der, nv2_ok, ref_ok))
}

/// Same accept/refuse decision as `x509_cert::Certificate::from_der` and, where both accept, the
/// same fields (and the same `extendedKeyUsage` reading). Panics on a difference.
pub fn diff_cert(der: &[u8]) {
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    let mine = nv2::fuzz_api::certificate(der);
    let theirs = x509_cert::Certificate::from_der(der);
    let (mine, theirs) = match (mine, theirs) {
        (Ok(m), Ok(t)) => (m, t),
        (Err(_), Err(_)) => return,
        (m, t) if allowed(CERT_ALLOW, der, m.is_ok(), t.is_ok()) => return,
        (m, t) => panic!(
            "certificate decisions differ: nv2 {:?}, x509-cert {:?}",
            m.err(),
            t.err()
        ),
    };
    let tbs = theirs.tbs_certificate();
    let eku_oid = x509_cert::der::oid::db::rfc5280::ID_CE_EXT_KEY_USAGE;
    let eku = tbs
        .extensions()
        .map(|l| {
            l.iter()
                .filter(|e| e.extn_id == eku_oid)
                .map(|e| {
                    ExtendedKeyUsage::from_der(e.extn_value.as_bytes())
                        .ok()
                        .map(|u| u.0.iter().map(ToString::to_string).collect())
                })
                .collect()
        })
        .unwrap_or_default();
    let spki = tbs.subject_public_key_info();
    let expected = nv2::fuzz_api::CertView {
        version: tbs.version() as u8,
        serial: tbs.serial_number().as_bytes().to_vec(),
        sig_alg: alg(theirs.signature_algorithm()),
        inner_sig_alg: alg(tbs.signature()),
        signature: theirs.signature().as_bytes().map(<[u8]>::to_vec),
        issuer: tbs.issuer().to_der().expect("re-encode"),
        issuer_attrs: attrs(tbs.issuer()),
        subject: tbs.subject().to_der().expect("re-encode"),
        subject_attrs: attrs(tbs.subject()),
        not_before: secs(&tbs.validity().not_before),
        not_after: secs(&tbs.validity().not_after),
        spki: spki.to_der().expect("re-encode"),
        spki_alg: alg(&spki.algorithm),
        extensions: exts(tbs.extensions()),
        eku,
    };
    assert_eq!(mine, expected, "certificate fields differ");
}

/// The same for CRLs (`x509_cert::crl::CertificateList`).
pub fn diff_crl(der: &[u8]) {
    use x509_cert::crl::CertificateList;
    let mine = nv2::fuzz_api::crl(der);
    let theirs = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der);
    let (mine, theirs) = match (mine, theirs) {
        (Ok(m), Ok(t)) => (m, t),
        (Err(_), Err(_)) => return,
        (m, t) if allowed(CRL_ALLOW, der, m.is_ok(), t.is_ok()) => return,
        (m, t) => panic!(
            "CRL decisions differ: nv2 {:?}, x509-cert {:?}",
            m.err(),
            t.err()
        ),
    };
    let tbs = &theirs.tbs_cert_list;
    let expected = nv2::fuzz_api::CrlView {
        sig_alg: alg(&theirs.signature_algorithm),
        inner_sig_alg: alg(&tbs.signature),
        signature: theirs.signature.as_bytes().map(<[u8]>::to_vec),
        issuer: tbs.issuer.to_der().expect("re-encode"),
        this_update: secs(&tbs.this_update),
        next_update: tbs.next_update.as_ref().map(secs),
        revoked: tbs
            .revoked_certificates
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|r| nv2::fuzz_api::RevokedView {
                serial: r.serial_number.as_bytes().to_vec(),
                date: secs(&r.revocation_date),
                extensions: exts(r.crl_entry_extensions.as_ref()),
            })
            .collect(),
        extensions: exts(tbs.crl_extensions.as_ref()),
    };
    assert_eq!(mine, expected, "CRL fields differ");
}

// ---------------------------------------------------------------------------------------------
// Encoders for the structure-aware generators

/// A CBOR head (RFC 8949 §3): major type and argument, shortest form.
pub fn cbor_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

/// A CBOR integer (major type 0 or 1).
pub fn cbor_int(out: &mut Vec<u8>, v: i64) {
    if v >= 0 {
        cbor_head(out, 0, v as u64);
    } else {
        cbor_head(out, 1, (-1 - v) as u64);
    }
}

/// A CBOR text string.
pub fn cbor_text(out: &mut Vec<u8>, s: &str) {
    cbor_head(out, 3, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A CBOR byte string.
pub fn cbor_bytes(out: &mut Vec<u8>, b: &[u8]) {
    cbor_head(out, 2, b.len() as u64);
    out.extend_from_slice(b);
}

/// A DER TLV with a definite, minimal length (X.690 §10.1).
pub fn der_tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(body);
    out
}

/// base64url without padding (RFC 4648 §5), as JWS uses it (RFC 7515 §2).
pub fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::with_capacity(data.len() * 4 / 3 + 3);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..=c.len() {
            s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    s
}
