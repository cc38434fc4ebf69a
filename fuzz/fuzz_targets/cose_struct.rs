//! Structure-aware COSE_Sign1 generator (RFC 9052 §4.2, signature-envelope-cose.md): the shapes
//! random mutation rarely builds — protected maps with many distinct keys, `crit` (label 2)
//! with many entries, deep nesting inside a header value, huge declared counts with no items
//! behind them, long x5chain lists — well-formed enough to reach the header rules. Each built
//! envelope goes through the CBOR reader and the envelope entry point under the heap bound.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nv2_fuzz::{cbor_bytes, cbor_head, cbor_int, cbor_text};

#[derive(Arbitrary, Debug)]
enum Label {
    Int(i16),
    Text(String),
    /// One of the labels the Notary rules read.
    Known(u8),
}

const KNOWN: &[&str] = &[
    "io.cncf.notary.signingScheme",
    "io.cncf.notary.signingTime",
    "io.cncf.notary.authenticSigningTime",
    "io.cncf.notary.expiry",
    "io.cncf.notary.signingAgent",
    "io.cncf.notary.timestampSignature",
];

#[derive(Arbitrary, Debug)]
struct Spec {
    alg: i8,
    crit: Vec<Label>,
    /// Extra `crit` entries, all distinct integer labels (many-entries shape).
    crit_many: u16,
    /// Extra distinct protected keys.
    protected_many: u16,
    /// Extra distinct unprotected keys.
    unprotected_many: u16,
    extra: Vec<(Label, i32)>,
    /// Nesting depth of an array inside a protected value.
    depth: u8,
    /// A header value whose head declares this many items/bytes, with none behind it.
    huge: Option<(u8, u64)>,
    certs: Vec<Vec<u8>>,
    cert_repeat: u8,
    payload: Vec<u8>,
    signature: Vec<u8>,
    tagged: bool,
    signing_time: u32,
}

fn label(out: &mut Vec<u8>, l: &Label) {
    match l {
        Label::Int(i) => cbor_int(out, i64::from(*i)),
        Label::Text(s) => cbor_text(out, s),
        Label::Known(k) => cbor_text(out, KNOWN[*k as usize % KNOWN.len()]),
    }
}

fn build(s: &Spec) -> Vec<u8> {
    let crit_many = usize::from(s.crit_many % 4096);
    let protected_many = usize::from(s.protected_many % 4096);
    let unprotected_many = usize::from(s.unprotected_many % 4096);
    let mut p = Vec::new();
    let base = 5 + usize::from(s.depth > 0) + usize::from(s.huge.is_some());
    cbor_head(&mut p, 5, (base + s.extra.len() + protected_many) as u64);
    cbor_int(&mut p, 1); // alg
    cbor_int(&mut p, i64::from(s.alg));
    cbor_int(&mut p, 2); // crit
    cbor_head(&mut p, 4, (1 + s.crit.len() + crit_many) as u64);
    cbor_text(&mut p, "io.cncf.notary.signingScheme");
    for l in &s.crit {
        label(&mut p, l);
    }
    for i in 0..crit_many {
        cbor_int(&mut p, 100_000 + i as i64);
    }
    cbor_int(&mut p, 3); // content type
    cbor_text(&mut p, "application/vnd.cncf.notary.payload.v1+json");
    cbor_text(&mut p, "io.cncf.notary.signingScheme");
    cbor_text(&mut p, "notary.x509");
    cbor_text(&mut p, "io.cncf.notary.signingTime");
    cbor_head(&mut p, 6, 1); // tag 1: epoch seconds
    cbor_int(&mut p, i64::from(s.signing_time));
    if s.depth > 0 {
        cbor_text(&mut p, "nested");
        for _ in 0..s.depth {
            cbor_head(&mut p, 4, 1);
        }
        cbor_int(&mut p, 0);
    }
    if let Some((major, n)) = s.huge {
        cbor_text(&mut p, "huge");
        cbor_head(&mut p, 2 + major % 4, n); // bstr, tstr, array or map
    }
    for (l, v) in &s.extra {
        label(&mut p, l);
        cbor_int(&mut p, i64::from(*v));
    }
    for i in 0..protected_many {
        cbor_int(&mut p, 200_000 + i as i64);
        cbor_int(&mut p, 0);
    }

    let mut out = Vec::new();
    if s.tagged {
        cbor_head(&mut out, 6, 18); // COSE_Sign1 tag (RFC 9052 §4.2)
    }
    cbor_head(&mut out, 4, 4);
    cbor_bytes(&mut out, &p);
    // Unprotected: x5chain (label 33, RFC 9360) and many distinct keys.
    cbor_head(&mut out, 5, (1 + unprotected_many) as u64);
    cbor_int(&mut out, 33);
    let repeat = usize::from(s.cert_repeat % 64).max(1);
    cbor_head(&mut out, 4, (s.certs.len() * repeat) as u64);
    for _ in 0..repeat {
        for c in &s.certs {
            cbor_bytes(&mut out, c);
        }
    }
    for i in 0..unprotected_many {
        cbor_int(&mut out, 300_000 + i as i64);
        cbor_int(&mut out, 0);
    }
    cbor_bytes(&mut out, &s.payload);
    cbor_bytes(&mut out, &s.signature);
    out
}

fuzz_target!(|spec: Spec| {
    let bytes = build(&spec);
    nv2_fuzz::bounded(bytes.len(), || {
        let _ = nv2::fuzz_api::cbor(&bytes);
        let _ = nv2::fuzz_api::envelope_cose(&bytes);
    });
});
