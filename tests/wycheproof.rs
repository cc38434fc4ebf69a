//! Project Wycheproof ECDSA and RSA-PSS vectors through nv2's own signature layer
//! (`PublicKey::verify_notary`, the path JWS and COSE envelopes take, including the raw `r‖s`
//! conversion; and `PublicKey::verify_x509`, the path certificates, CRLs and CMS timestamp
//! countersignatures take: DER `ECDSA-Sig-Value`, `RSASSA-PSS-params`).
//!
//! Every `valid` vector must be accepted and every `invalid` one refused. `acceptable` vectors
//! (Wycheproof: "technically valid but might still be rejected", e.g. weak hashes or unusual
//! encodings) are run and counted, never asserted: nv2 may decide either way, and the counts of
//! each decision are printed.
//!
//! A group outside nv2's algorithm set is skipped with its reason printed and counted (curves
//! other than P-256/384/521, hashes other than SHA-256/384/512, SHAKE MGFs, an MGF1 hash that
//! differs from the PSS hash, keys whose SPKI names id-RSASSA-PSS). For each supported
//! algorithm the number of vectors run must be nonzero, so a vector-set rename cannot silently
//! turn the test into a no-op.

use std::collections::BTreeMap;

use nv2::crypto::PublicKey;
use nv2::SignatureAlgorithm;
use wycheproof::{EllipticCurve, HashFunction, Mgf, TestResult};

#[derive(Default)]
struct Tally {
    /// Vectors run per path/algorithm.
    run: BTreeMap<String, usize>,
    /// `acceptable` vectors per (path/algorithm, nv2 accepted).
    acceptable: BTreeMap<(String, bool), usize>,
    /// Skipped groups per reason, with their vector counts.
    skipped: BTreeMap<String, (usize, usize)>,
    /// Verdicts that disagree with Wycheproof.
    mismatches: Vec<String>,
}

impl Tally {
    fn skip(&mut self, set: &str, reason: &str, vectors: usize) {
        let e = self.skipped.entry(format!("{set}: {reason}")).or_default();
        e.0 += 1;
        e.1 += vectors;
    }

    fn record(&mut self, key: &str, set: &str, tc: usize, result: TestResult, accepted: bool) {
        *self.run.entry(key.to_string()).or_default() += 1;
        match result {
            TestResult::Valid if !accepted => self
                .mismatches
                .push(format!("{set} tcId {tc} ({key}): valid vector refused")),
            TestResult::Invalid if accepted => self
                .mismatches
                .push(format!("{set} tcId {tc} ({key}): invalid vector accepted")),
            TestResult::Acceptable => {
                *self
                    .acceptable
                    .entry((key.to_string(), accepted))
                    .or_default() += 1
            }
            _ => {}
        }
    }

    fn report(&self, required: &[&str]) {
        for (k, n) in &self.run {
            println!("run {k}: {n} vectors");
        }
        for ((k, accepted), n) in &self.acceptable {
            let verdict = if *accepted { "accepted" } else { "refused" };
            println!("acceptable {k}: {n} {verdict}");
        }
        for (reason, (groups, vectors)) in &self.skipped {
            println!("skipped {groups} group(s), {vectors} vectors — {reason}");
        }
        assert!(
            self.mismatches.is_empty(),
            "{} verdict(s) disagree with Wycheproof:\n{}",
            self.mismatches.len(),
            self.mismatches.join("\n")
        );
        for k in required {
            assert!(
                self.run.get(*k).copied().unwrap_or(0) > 0,
                "no Wycheproof vector ran for {k}"
            );
        }
    }
}

/// Hash OIDs as nv2 names them, for the X.509 path.
fn sha2(hash: HashFunction) -> Option<(&'static str, u8)> {
    match hash {
        HashFunction::Sha2_256 => Some(("256", 1)),
        HashFunction::Sha2_384 => Some(("384", 2)),
        HashFunction::Sha2_512 => Some(("512", 3)),
        _ => None,
    }
}

#[test]
fn wycheproof_ecdsa() {
    use const_oid::db::rfc5912 as oids;
    use wycheproof::ecdsa::{TestGroupTypeId, TestName, TestSet};
    let mut t = Tally::default();
    for name in TestName::all() {
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).expect("vector set loads");
        for group in &set.test_groups {
            let n = group.tests.len();
            let curve = match group.key.curve {
                EllipticCurve::Secp256r1 => "P-256",
                EllipticCurve::Secp384r1 => "P-384",
                EllipticCurve::Secp521r1 => "P-521",
                _ => {
                    t.skip(&set_name, "curve outside Notary's P-256/384/521", n);
                    continue;
                }
            };
            let Some((bits, _)) = sha2(group.hash) else {
                t.skip(&set_name, "hash outside SHA-256/384/512", n);
                continue;
            };
            // A key the SPKI reader refuses refuses every signature under it.
            let key = PublicKey::from_spki_der(&group.der).ok();
            match group.test_type {
                TestGroupTypeId::EcdsaP1363 => {
                    // Notary binds the hash to the curve (signature-specification.md §Signature
                    // Algorithm Requirements): ES256 = P-256 + SHA-256, and so on.
                    let alg = match (curve, bits) {
                        ("P-256", "256") => SignatureAlgorithm::Es256,
                        ("P-384", "384") => SignatureAlgorithm::Es384,
                        ("P-521", "512") => SignatureAlgorithm::Es512,
                        _ => {
                            t.skip(
                                &set_name,
                                "raw r‖s with a hash Notary does not pair with this curve",
                                n,
                            );
                            continue;
                        }
                    };
                    let k = format!("notary/{alg}");
                    for tc in &group.tests {
                        let ok = key
                            .as_ref()
                            .is_some_and(|key| key.verify_notary(alg, &tc.msg, &tc.sig).is_ok());
                        t.record(&k, &set_name, tc.tc_id, tc.result, ok);
                    }
                }
                TestGroupTypeId::Ecdsa => {
                    let oid = match bits {
                        "256" => oids::ECDSA_WITH_SHA_256,
                        "384" => oids::ECDSA_WITH_SHA_384,
                        _ => oids::ECDSA_WITH_SHA_512,
                    };
                    let k = format!("x509/{curve}+ecdsa-with-SHA{bits}");
                    for tc in &group.tests {
                        let ok = key.as_ref().is_some_and(|key| {
                            key.verify_x509(&oid, None, &tc.msg, &tc.sig).is_ok()
                        });
                        t.record(&k, &set_name, tc.tc_id, tc.result, ok);
                    }
                }
                TestGroupTypeId::EcdsaBitcoin => {
                    t.skip(&set_name, "Bitcoin low-s rule: not an X.509/Notary rule", n);
                }
            }
        }
    }
    t.report(&[
        "notary/ES256",
        "notary/ES384",
        "notary/ES512",
        "x509/P-256+ecdsa-with-SHA256",
        "x509/P-384+ecdsa-with-SHA384",
        "x509/P-521+ecdsa-with-SHA512",
    ]);
}

/// DER `RSASSA-PSS-params` (RFC 4055 §3.1) for SHA-2 `hash` (OID arc 2.16.840.1.101.3.4.2.n),
/// MGF1 with the same hash, and `salt`: what a certificate or CMS signer carries.
fn pss_params(hash_arc: u8, salt: usize) -> Vec<u8> {
    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = parts.concat();
        assert!(body.len() < 128);
        [&[tag, body.len() as u8][..], &body].concat()
    }
    let sha = tlv(
        0x30,
        &[
            &[
                0x06, 9, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, hash_arc,
            ],
            &[0x05, 0],
        ],
    );
    let mgf1_oid = [
        0x06, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
    ];
    let mgf1 = tlv(0x30, &[&mgf1_oid, &sha]);
    let salt = u8::try_from(salt).expect("salt fits a byte");
    // INTEGER, minimally encoded: a leading zero byte when the high bit is set.
    let salt_int = if salt >= 0x80 {
        vec![0x02, 2, 0, salt]
    } else {
        vec![0x02, 1, salt]
    };
    tlv(
        0x30,
        &[
            &tlv(0xa0, &[&sha]),
            &tlv(0xa1, &[&mgf1]),
            &tlv(0xa2, &[&salt_int]),
        ],
    )
}

#[test]
fn wycheproof_rsa_pss() {
    use const_oid::db::rfc5912::ID_RSASSA_PSS;
    use wycheproof::rsa_pss_verify::{TestGroupTypeId, TestName, TestSet};
    let mut t = Tally::default();
    for name in TestName::all() {
        let set_name = format!("{name:?}");
        let set = TestSet::load(name).expect("vector set loads");
        for group in &set.test_groups {
            let n = group.tests.len();
            if group.test_type == TestGroupTypeId::RsaPssVerifyWithParam {
                // These keys' SPKI names id-RSASSA-PSS (RFC 4055 §1.2); Notary certificates carry
                // rsaEncryption keys and nv2's SPKI reader refuses any other RSA key algorithm.
                t.skip(&set_name, "SPKI with id-RSASSA-PSS key algorithm", n);
                continue;
            }
            if group.mgf != Mgf::Mgf1 {
                t.skip(&set_name, "SHAKE mask generation", n);
                continue;
            }
            let Some((bits, arc)) = sha2(group.hash) else {
                t.skip(&set_name, "hash outside SHA-256/384/512", n);
                continue;
            };
            if group.mgf_hash != Some(group.hash) {
                t.skip(&set_name, "MGF1 hash differs from the PSS hash", n);
                continue;
            }
            let key = PublicKey::from_spki_der(&group.der).ok();
            let salt = group.salt_size;
            // The X.509 / CMS path: any SHA-2 hash with its own MGF1 and an explicit salt.
            let params = pss_params(arc, salt);
            let k = format!("x509/RSASSA-PSS-{}+SHA{bits}+salt{salt}", group.key_size);
            for tc in &group.tests {
                let ok = key.as_ref().is_some_and(|key| {
                    key.verify_x509(&ID_RSASSA_PSS, Some(&params), &tc.msg, &tc.sig)
                        .is_ok()
                });
                t.record(&k, &set_name, tc.tc_id, tc.result, ok);
            }
            // The envelope path: Notary's PS256/384/512 fix the key size, the hash and the
            // salt length = hash length (signature-specification.md §Signature Algorithm
            // Requirements).
            let alg = match (group.key_size, bits, salt) {
                (2048, "256", 32) => SignatureAlgorithm::Ps256,
                (3072, "384", 48) => SignatureAlgorithm::Ps384,
                (4096, "512", 64) => SignatureAlgorithm::Ps512,
                _ => {
                    t.skip(
                        &set_name,
                        "envelope path: key size/hash/salt outside PS256/384/512 (x509 path ran)",
                        n,
                    );
                    continue;
                }
            };
            let k = format!("notary/{alg}");
            for tc in &group.tests {
                let ok = key
                    .as_ref()
                    .is_some_and(|key| key.verify_notary(alg, &tc.msg, &tc.sig).is_ok());
                t.record(&k, &set_name, tc.tc_id, tc.result, ok);
            }
        }
    }
    // Wycheproof has no 3072-bit SHA-384 / salt-48 group, so PS384 is not required here; its
    // code path is the same `verify_pss` as PS256/PS512 with the SHA-384 arm, which the x509
    // SHA-384 groups (2048- and 4096-bit) exercise.
    t.report(&[
        "notary/PS256",
        "notary/PS512",
        "x509/RSASSA-PSS-2048+SHA256+salt32",
        "x509/RSASSA-PSS-4096+SHA384+salt48",
    ]);
}
