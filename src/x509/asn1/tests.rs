use super::*;
use const_oid::db::rfc5280 as oids;
use der::Encode;
use std::collections::BTreeSet;
use std::path::Path;

fn secs(t: &x509_cert::time::Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

fn params_der(a: &spki::AlgorithmIdentifierOwned) -> Option<Vec<u8>> {
    a.parameters.as_ref().map(|p| p.to_der().unwrap())
}

fn same_alg(mine: &AlgId<'_>, theirs: &spki::AlgorithmIdentifierOwned) {
    assert_eq!(mine.oid, theirs.oid);
    assert_eq!(mine.params.map(<[u8]>::to_vec), params_der(theirs));
    assert_eq!(mine.raw, theirs.to_der().unwrap().as_slice());
}

fn attrs_of(name: &x509_cert::name::Name) -> Vec<(ObjectIdentifier, Tag, Vec<u8>)> {
    let mut out = Vec::new();
    for rdn in name.iter_rdn() {
        for atv in rdn.iter() {
            out.push((atv.oid, atv.value.tag(), atv.value.value().to_vec()));
        }
    }
    out
}

fn owned(attrs: &[Attribute<'_>]) -> Vec<(ObjectIdentifier, Tag, Vec<u8>)> {
    attrs.iter().map(|(o, t, v)| (*o, *t, v.to_vec())).collect()
}

fn same_exts(mine: &[Ext<'_>], theirs: Option<&Vec<x509_cert::ext::Extension>>) {
    let theirs: Vec<(ObjectIdentifier, bool, &[u8])> = theirs
        .map(|l| {
            l.iter()
                .map(|e| (e.extn_id, e.critical, e.extn_value.as_bytes()))
                .collect()
        })
        .unwrap_or_default();
    let mine: Vec<(ObjectIdentifier, bool, &[u8])> =
        mine.iter().map(|e| (e.id, e.critical, e.value)).collect();
    assert_eq!(mine, theirs);
}

/// Same decision as `x509-cert` and, when both accept, the same field values. Returns
/// whether the input is a certificate.
fn diff_cert(der: &[u8]) -> bool {
    use x509_cert::Certificate as Ref;
    let theirs = Ref::from_der(der);
    let mine = certificate(der);
    let (theirs, mine) = match (theirs, mine) {
        (Ok(t), Ok(m)) => (t, m),
        (Err(_), Err(_)) => return false,
        (t, m) => panic!(
            "decisions differ on {}: x509-cert {:?}, walk {:?}",
            crate::crypto::hex(der),
            t.err(),
            m.err().map(|e| e.to_string())
        ),
    };
    let tbs = theirs.tbs_certificate();
    assert_eq!(mine.version, tbs.version() as u8);
    assert_eq!(mine.serial, tbs.serial_number().as_bytes());
    same_alg(&mine.sig_alg, theirs.signature_algorithm());
    same_alg(&mine.inner_sig_alg, tbs.signature());
    assert_eq!(mine.signature, theirs.signature().as_bytes());
    assert_eq!(owned(&mine.issuer_attrs), attrs_of(tbs.issuer()));
    assert_eq!(owned(&mine.subject_attrs), attrs_of(tbs.subject()));
    assert_eq!(mine.issuer, tbs.issuer().to_der().unwrap().as_slice());
    assert_eq!(mine.subject, tbs.subject().to_der().unwrap().as_slice());
    assert_eq!(
        mine.not_before.unix_seconds(),
        secs(&tbs.validity().not_before)
    );
    assert_eq!(
        mine.not_after.unix_seconds(),
        secs(&tbs.validity().not_after)
    );
    let spki = tbs.subject_public_key_info();
    assert_eq!(mine.spki, spki.to_der().unwrap().as_slice());
    same_alg(&mine.spki_alg, &spki.algorithm);
    same_exts(&mine.extensions, tbs.extensions());
    // extendedKeyUsage is read by hand too (src/x509/cert.rs).
    for e in mine
        .extensions
        .iter()
        .filter(|e| e.id == oids::ID_CE_EXT_KEY_USAGE)
    {
        let theirs = x509_cert::ext::pkix::ExtendedKeyUsage::from_der(e.value).map(|u| u.0);
        let mine = super::super::cert::parse_ext_key_usage(e.value);
        assert_eq!(mine.ok(), theirs.ok());
    }
    true
}

/// The same for CRLs.
fn diff_crl(der: &[u8]) -> bool {
    use x509_cert::crl::CertificateList;
    let theirs = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der);
    let mine = crl(der);
    let (theirs, mine) = match (theirs, mine) {
        (Ok(t), Ok(m)) => (t, m),
        (Err(_), Err(_)) => return false,
        (t, m) => panic!(
            "CRL decisions differ on {}: x509-cert {:?}, walk {:?}",
            crate::crypto::hex(der),
            t.err(),
            m.err().map(|e| e.to_string())
        ),
    };
    let tbs = &theirs.tbs_cert_list;
    same_alg(&mine.sig_alg, &theirs.signature_algorithm);
    same_alg(&mine.inner_sig_alg, &tbs.signature);
    assert_eq!(mine.signature, theirs.signature.as_bytes());
    assert_eq!(mine.issuer, tbs.issuer.to_der().unwrap().as_slice());
    assert_eq!(mine.this_update.unix_seconds(), secs(&tbs.this_update));
    assert_eq!(
        mine.next_update.map(|t| t.unix_seconds()),
        tbs.next_update.as_ref().map(secs)
    );
    let entries = tbs.revoked_certificates.as_deref().unwrap_or(&[]);
    assert_eq!(mine.revoked.len(), entries.len());
    for (m, t) in mine.revoked.iter().zip(entries) {
        assert_eq!(m.serial, t.serial_number.as_bytes());
        assert_eq!(m.date.unix_seconds(), secs(&t.revocation_date));
        same_exts(&m.extensions, t.crl_entry_extensions.as_ref());
    }
    same_exts(&mine.extensions, tbs.crl_extensions.as_ref());
    true
}

/// Every DER SEQUENCE that starts anywhere in `bytes` (certificates and CRLs inside PEM,
/// PKCS#7 tokens, COSE and JWS envelopes, ...).
fn sequences(bytes: &[u8], out: &mut BTreeSet<Vec<u8>>) {
    for i in 0..bytes.len() {
        if bytes[i] != 0x30 {
            continue;
        }
        let Ok(mut r) = SliceReader::new(&bytes[i..]) else {
            continue;
        };
        if let Ok(tlv) = r.tlv_bytes() {
            if tlv.len() >= 64 {
                out.insert(tlv.to_vec());
            }
        }
    }
}

/// DER found in a file: raw, in PEM blocks, and in long base64 / base64url runs (JWS `x5c`,
/// JSON test vectors).
fn scan_file(bytes: &[u8], out: &mut BTreeSet<Vec<u8>>) {
    use base64ct::{Base64, Base64UrlUnpadded, Encoding};
    sequences(bytes, out);
    let mut rest = bytes;
    while let Some((block, after)) = crate::x509::pem::decode(rest) {
        sequences(&block.bytes, out);
        rest = after;
    }
    let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_');
    for run in bytes.split(|b| !is_b64(b)) {
        if run.len() < 200 {
            continue;
        }
        let text = core::str::from_utf8(run).unwrap_or("");
        for decoded in [
            Base64UrlUnpadded::decode_vec(text),
            Base64::decode_vec(&format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4))),
        ]
        .into_iter()
        .flatten()
        {
            sequences(&decoded, out);
        }
    }
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, files);
        } else {
            files.push(p);
        }
    }
}

/// The notation vectors vendored in the repository (tests/vectors/notation/README.md).
fn conformance_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/notation")
}

/// Every certificate and CRL in the notation vectors, the repository's fixtures and the
/// generated test PKI (`make pki`, when present).
fn corpus() -> BTreeSet<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        conformance_dir(),
        root.join("tests/data"),
        root.join("tests/.work/pki"),
    ] {
        walk(&dir, &mut files);
    }
    let mut out = BTreeSet::new();
    for f in files {
        if let Ok(bytes) = std::fs::read(&f) {
            scan_file(&bytes, &mut out);
        }
    }
    out
}

#[test]
fn every_corpus_certificate_and_crl_decodes_as_x509_cert_does() {
    let corpus = corpus();
    let (mut certs, mut crls) = (0, 0);
    for der in &corpus {
        certs += usize::from(diff_cert(der));
        crls += usize::from(diff_crl(der));
    }
    // The notation vectors alone hold dozens of certificates and several CRLs; seeing none
    // would mean the corpus was not found, not that the decoders agree.
    eprintln!(
        "corpus: {} sequences, {certs} certificates, {crls} CRLs",
        corpus.len()
    );
    assert!(certs >= 40, "only {certs} certificates found");
    assert!(crls >= 3, "only {crls} CRLs found");
}

/// Truncations and byte substitutions at every position.
fn sweep(der: &[u8], diff: fn(&[u8]) -> bool) {
    for len in 0..der.len() {
        assert!(!diff(&der[..len]), "a truncation decoded");
    }
    let mut longer = der.to_vec();
    longer.push(0);
    assert!(!diff(&longer), "trailing data decoded");
    for i in 0..der.len() {
        for v in [
            der[i] ^ 0xff,
            der[i] ^ 0x01,
            der[i] ^ 0x20,
            der[i].wrapping_add(1),
            0x00,
            0x80,
            0x81,
            0xa0,
            0x30,
            0x05,
        ] {
            let mut m = der.to_vec();
            m[i] = v;
            diff(&m);
        }
    }
}

#[test]
fn mutated_certificates_decode_as_x509_cert_does() {
    use crate::x509::testpki::{self, build_der, key, Spec};
    let mut spec = Spec::ca("CN=Int,O=Acme,C=US", "CN=Root");
    spec.eku = Some((vec![const_oid::db::rfc5280::ID_KP_CODE_SIGNING], false));
    spec.bc = Some((true, Some(1)));
    spec.extra = testpki::revocation_exts("http://ocsp.example", "http://crl.example/x.crl");
    let mut v1 = Spec::leaf("CN=V1", "CN=V1");
    v1.v3 = false;
    for der in [
        build_der(&spec, &key(1), &key(2)),
        build_der(&v1, &key(3), &key(3)),
    ] {
        assert!(diff_cert(&der));
        sweep(&der, diff_cert);
    }
    let rsa = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/keys/rsa2048.crt"
    ))
    .unwrap();
    for c in crate::x509::Certificate::parse_pem_or_der(&rsa).unwrap() {
        assert!(diff_cert(c.der()));
        sweep(c.der(), diff_cert);
    }
}

#[test]
fn mutated_crls_decode_as_x509_cert_does() {
    let corpus = corpus();
    let crls: Vec<&Vec<u8>> = corpus.iter().filter(|d| diff_crl(d)).take(3).collect();
    assert!(!crls.is_empty());
    for der in crls {
        sweep(der, diff_crl);
    }
}

// -----------------------------------------------------------------------------------------
// Hand-built edge cases (no signatures needed: only the structure is decoded)

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn sq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

const ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

fn alg() -> Vec<u8> {
    sq(&[ECDSA_SHA256])
}

fn name(cn: &str) -> Vec<u8> {
    let atv = sq(&[&[0x06, 0x03, 0x55, 0x04, 0x03], &tlv(0x0c, cn.as_bytes())]);
    sq(&[&tlv(0x31, &atv)])
}

fn utc(s: &str) -> Vec<u8> {
    tlv(0x17, s.as_bytes())
}

fn spki() -> Vec<u8> {
    let ec = [
        0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
        0x3d, 0x03, 0x01, 0x07,
    ];
    let mut point = vec![0x00, 0x04];
    point.extend_from_slice(&[7; 64]);
    sq(&[&tlv(0x30, &ec), &tlv(0x03, &point)])
}

fn ext(critical: Option<&[u8]>, value: &[u8]) -> Vec<u8> {
    let id: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x0f];
    match critical {
        Some(c) => sq(&[id, c, &tlv(0x04, value)]),
        None => sq(&[id, &tlv(0x04, value)]),
    }
}

struct Tbs {
    version: Option<Vec<u8>>,
    serial: Vec<u8>,
    validity: Vec<u8>,
    issuer: Vec<u8>,
    tail: Vec<Vec<u8>>,
}

impl Tbs {
    fn base() -> Self {
        Tbs {
            version: Some(tlv(0xa0, &[0x02, 0x01, 0x02])),
            serial: vec![0x02, 0x01, 0x07],
            validity: sq(&[&utc("200101000000Z"), &utc("400101000000Z")]),
            issuer: name("Root"),
            tail: vec![tlv(0xa3, &sq(&[&ext(None, &[0x03, 0x02, 0x07, 0x80])]))],
        }
    }

    fn der(&self) -> Vec<u8> {
        let mut parts: Vec<&[u8]> = Vec::new();
        if let Some(v) = &self.version {
            parts.push(v);
        }
        let (alg, subject, spki) = (alg(), name("Leaf"), spki());
        parts.extend([
            self.serial.as_slice(),
            &alg,
            &self.issuer,
            &self.validity,
            &subject,
            &spki,
        ]);
        parts.extend(self.tail.iter().map(Vec::as_slice));
        let tbs = sq(&parts);
        sq(&[&tbs, &alg, &tlv(0x03, &[0x00, 0x30, 0x00])])
    }
}

/// Runs the differential check on a variant and returns the walk's decision.
fn accepts(f: impl FnOnce(&mut Tbs)) -> bool {
    let mut t = Tbs::base();
    f(&mut t);
    let der = t.der();
    let ok = diff_cert(&der);
    assert_eq!(ok, certificate(&der).is_ok());
    ok
}

#[test]
fn certificate_edge_cases() {
    assert!(accepts(|_| {}));
    // Version: absent (v1), an explicit v1 (DEFAULT encoded), v3; not v4, not primitive.
    assert!(accepts(|t| t.version = None));
    assert!(accepts(|t| t.version = Some(tlv(0xa0, &[0x02, 0x01, 0x00]))));
    assert!(!accepts(
        |t| t.version = Some(tlv(0xa0, &[0x02, 0x01, 0x03]))
    ));
    assert!(!accepts(
        |t| t.version = Some(tlv(0x80, &[0x02, 0x01, 0x02]))
    ));
    assert!(!accepts(
        |t| t.version = Some(tlv(0xa0, &[0x02, 0x01, 0x02, 0x05, 0x00]))
    ));
    // Serial numbers: 20 octets plus a sign octet, negative; not 22 octets, not
    // non-minimal, not empty.
    let mut big = vec![0x00];
    big.extend_from_slice(&[0x80; 20]);
    assert!(accepts(|t| t.serial = tlv(0x02, &big)));
    big.insert(1, 0x01);
    assert!(!accepts(|t| t.serial = tlv(0x02, &big)));
    assert!(accepts(|t| t.serial = vec![0x02, 0x01, 0x80]));
    assert!(!accepts(|t| t.serial = vec![0x02, 0x02, 0x00, 0x01]));
    assert!(!accepts(|t| t.serial = vec![0x02, 0x00]));
    // Validity: GeneralizedTime too; not a time without seconds, not another tag.
    assert!(accepts(|t| {
        t.validity = sq(&[&utc("200101000000Z"), &tlv(0x18, b"20600101000000Z")])
    }));
    assert!(!accepts(|t| {
        t.validity = sq(&[&utc("2001010000Z"), &utc("400101000000Z")])
    }));
    assert!(!accepts(|t| {
        t.validity = sq(&[&utc("200101000000Z"), &tlv(0x04, b"400101000000Z")])
    }));
    // Unique identifiers: primitive BIT STRINGs, in order.
    let uid = tlv(0x81, &[0x00, 0x01]);
    let sid = tlv(0x82, &[0x00, 0x02]);
    assert!(accepts(|t| t.tail = vec![uid.clone(), sid.clone()]));
    assert!(!accepts(|t| t.tail = vec![sid.clone(), uid.clone()]));
    assert!(!accepts(|t| t.tail = vec![tlv(0xa1, &[0x00, 0x01])]));
    assert!(!accepts(|t| t.tail = vec![tlv(0x81, &[])]));
    assert!(!accepts(|t| t.tail = vec![tlv(0x81, &[0x08, 0x01])]));
    // Extensions: critical DEFAULT FALSE may be encoded; BOOLEAN must be DER; [3] must be
    // constructed and hold exactly one SEQUENCE; nothing may follow.
    let e = |c: Option<&[u8]>| ext(c, &[0x03, 0x02, 0x07, 0x80]);
    assert!(accepts(
        |t| t.tail = vec![tlv(0xa3, &sq(&[&e(Some(&[0x01, 0x01, 0x00]))]))]
    ));
    assert!(!accepts(
        |t| t.tail = vec![tlv(0xa3, &sq(&[&e(Some(&[0x01, 0x01, 0x01]))]))]
    ));
    assert!(accepts(|t| t.tail = vec![tlv(0xa3, &sq(&[]))]));
    assert!(!accepts(|t| t.tail = vec![tlv(0x83, &sq(&[&e(None)]))]));
    assert!(!accepts(
        |t| t.tail = vec![tlv(0xa3, &[sq(&[]), sq(&[])].concat())]
    ));
    assert!(!accepts(|t| t.tail.push(vec![0x05, 0x00])));
    // Names: empty, an empty RDN, multi-valued; not an attribute with trailing data.
    assert!(accepts(|t| t.issuer = sq(&[])));
    assert!(accepts(|t| t.issuer = sq(&[&tlv(0x31, &[])])));
    let cn = sq(&[&[0x06, 0x03, 0x55, 0x04, 0x03], &tlv(0x0c, b"a")]);
    let o = sq(&[&[0x06, 0x03, 0x55, 0x04, 0x0a], &tlv(0x0c, b"b")]);
    assert!(accepts(
        |t| t.issuer = sq(&[&tlv(0x31, &[cn.clone(), o.clone()].concat())])
    ));
    let bad = sq(&[
        &[0x06, 0x03, 0x55, 0x04, 0x03],
        &tlv(0x0c, b"a"),
        &[0x05, 0x00],
    ]);
    assert!(!accepts(|t| t.issuer = sq(&[&tlv(0x31, &bad)])));
    assert!(!accepts(|t| t.issuer = tlv(0x31, &[])));
    // Lengths: long form where short would do, indefinite.
    assert!(!accepts(|t| t.serial = vec![0x02, 0x81, 0x01, 0x07]));
    assert!(!accepts(|t| t.serial = vec![0x02, 0x80, 0x07, 0x00, 0x00]));
}

#[test]
fn multi_valued_rdns_keep_their_encoding_order() {
    // An RDN encoded as {O=b, CN=a}: not in DER SET OF order. x509-cert re-sorted it; the
    // walk keeps Go's (encoding) order, and both accept it.
    let cn = sq(&[&[0x06, 0x03, 0x55, 0x04, 0x03], &tlv(0x0c, b"a")]);
    let o = sq(&[&[0x06, 0x03, 0x55, 0x04, 0x0a], &tlv(0x0c, b"b")]);
    let n = sq(&[&tlv(0x31, &[o.clone(), cn.clone()].concat())]);
    let attrs = name_attributes(&n).unwrap();
    assert_eq!(attrs[0].2, b"b");
    assert_eq!(attrs[1].2, b"a");
    let theirs = x509_cert::name::Name::from_der(&n).unwrap();
    assert_eq!(attrs_of(&theirs)[0].2, b"a");
}

fn crl_der(version: Option<&[u8]>, tail: &[Vec<u8>]) -> Vec<u8> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    if let Some(v) = version {
        parts.push(v.to_vec());
    }
    parts.extend([alg(), name("Root"), utc("200101000000Z")]);
    parts.extend(tail.iter().cloned());
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let a = alg();
    sq(&[&sq(&refs), &a, &tlv(0x03, &[0x00, 0x30, 0x00])])
}

#[test]
fn crl_edge_cases() {
    let v2: &[u8] = &[0x02, 0x01, 0x01];
    let next = utc("300101000000Z");
    let entry = sq(&[&[0x02, 0x01, 0x05], &utc("210101000000Z")]);
    let entry_ext = sq(&[
        &[0x02, 0x01, 0x06],
        &utc("210101000000Z"),
        &sq(&[&sq(&[
            &[0x06, 0x03, 0x55, 0x1d, 0x15],
            &tlv(0x04, &[0x0a, 0x01, 0x01]),
        ])]),
    ]);
    let exts = tlv(0xa0, &sq(&[&ext(None, &[0x02, 0x01, 0x01])]));
    // (version, fields after thisUpdate, accepted)
    type Case<'a> = (Option<&'a [u8]>, Vec<Vec<u8>>, bool);
    let cases: Vec<Case<'_>> = vec![
        (Some(v2), vec![], true),
        (Some(v2), vec![next.clone()], true),
        (
            Some(v2),
            vec![next.clone(), sq(&[&entry, &entry_ext]), exts.clone()],
            true,
        ),
        (Some(v2), vec![sq(&[&entry]), exts.clone()], true),
        (Some(v2), vec![sq(&[])], true),
        // The version is required (x509-cert's `TbsCertList`).
        (None, vec![next.clone()], false),
        (Some(&[0x02, 0x01, 0x03]), vec![], false),
        (Some(v2), vec![exts.clone(), next.clone()], false),
        (Some(v2), vec![tlv(0x80, &sq(&[]))], false),
        (Some(v2), vec![sq(&[&[0x02, 0x01, 0x05]])], false),
        (Some(v2), vec![vec![0x05, 0x00]], false),
    ];
    for (i, (version, tail, ok)) in cases.into_iter().enumerate() {
        let der = crl_der(version, &tail);
        assert_eq!(diff_crl(&der), ok, "case {i}");
    }
}
