//! Structure-aware JWS generator (RFC 7515 §7.2.2 flattened JSON, signature-envelope-jws.md):
//! protected headers with many `crit` entries, many distinct members, deep nesting and long
//! `x5c` lists, base64url-encoded as a producer would, through the envelope entry point under
//! the heap bound.
#![no_main]
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use nv2_fuzz::b64url;

#[derive(Arbitrary, Debug)]
struct Spec {
    alg: u8,
    crit: Vec<String>,
    crit_many: u16,
    members_many: u16,
    extra: Vec<(String, String)>,
    depth: u8,
    certs: Vec<Vec<u8>>,
    cert_repeat: u8,
    payload: Vec<u8>,
    signature: Vec<u8>,
    unprotected_extra: bool,
}

const ALGS: &[&str] = &[
    "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "none", "HS256",
];

fn json_str(s: &str) -> String {
    // serde_json's escaping is what a producer would emit.
    format!("{:?}", s)
        .replace("\\'", "'")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn build(s: &Spec) -> Vec<u8> {
    let crit_many = usize::from(s.crit_many % 4096);
    let members_many = usize::from(s.members_many % 4096);
    let mut h = String::from("{");
    h += &format!("\"alg\":\"{}\"", ALGS[usize::from(s.alg) % ALGS.len()]);
    h += ",\"cty\":\"application/vnd.cncf.notary.payload.v1+json\"";
    h += ",\"io.cncf.notary.signingScheme\":\"notary.x509\"";
    h += ",\"io.cncf.notary.signingTime\":\"2024-01-01T00:00:00Z\"";
    h += ",\"crit\":[\"io.cncf.notary.signingScheme\"";
    for c in &s.crit {
        h += ",";
        h += &json_str(c);
    }
    for i in 0..crit_many {
        h += &format!(",\"x-crit-{i}\"");
    }
    h += "]";
    for (k, v) in &s.extra {
        h += &format!(",{}:{}", json_str(k), json_str(v));
    }
    for i in 0..members_many {
        h += &format!(",\"m{i}\":{i}");
    }
    if s.depth > 0 {
        h += ",\"nested\":";
        h += &"[".repeat(usize::from(s.depth));
        h += &"]".repeat(usize::from(s.depth));
    }
    h += "}";
    let repeat = usize::from(s.cert_repeat % 64).max(1);
    let x5c: Vec<String> = (0..repeat)
        .flat_map(|_| s.certs.iter())
        .map(|c| format!("\"{}\"", base64_std(c)))
        .collect();
    let unprotected = if s.unprotected_extra {
        ",\"io.cncf.notary.signingAgent\":\"fuzz\""
    } else {
        ""
    };
    format!(
        "{{\"payload\":\"{}\",\"protected\":\"{}\",\"header\":{{\"x5c\":[{}]{unprotected}}},\"signature\":\"{}\"}}",
        b64url(&s.payload),
        b64url(h.as_bytes()),
        x5c.join(","),
        b64url(&s.signature)
    )
    .into_bytes()
}

/// Standard base64 with padding (RFC 4648 §4), as `x5c` uses it (RFC 7515 §4.1.6).
fn base64_std(data: &[u8]) -> String {
    let mut s: String = b64url(data).replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

fuzz_target!(|spec: Spec| {
    let bytes = build(&spec);
    nv2_fuzz::bounded(bytes.len(), || {
        let _ = nv2::fuzz_api::envelope_jws(&bytes);
    });
});
