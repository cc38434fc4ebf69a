//! The Notary certificate profiles (signature-specification.md §Certificate Requirements):
//! code-signing and timestamping leaves, and CAs.
//!
//! Each rule is checked in notation-core-go's order so the first violation reported matches
//! notation's. Only basicConstraints, keyUsage and extendedKeyUsage are interpreted
//! (signature-specification.md §Certificate Requirements).

use const_oid::db::rfc5280 as oids;
use const_oid::ObjectIdentifier;
use der::Decode;

use super::cert::{ku, Certificate};
use super::CertError;
use crate::crypto::PublicKey;

/// signature-specification.md §Leaf Certificates, code signing: basicConstraints `cA` false if
/// present; keyUsage present, critical, with digitalSignature and none of keyEncipherment,
/// dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly; EKU (optional)
/// without serverAuth, clientAuth, emailProtection, timeStamping, OCSPSigning or
/// anyExtendedKeyUsage (docs/conformance.md §D9); key RSA 2048/3072/4096 or EC P-256/384/521
/// (signature-specification.md §Signature Algorithm Requirements, docs/conformance.md §D10). Threat
/// 8.
pub fn validate_code_signing_leaf(cert: &Certificate) -> Result<(), CertError> {
    leaf_basic_constraints(cert)?;
    key_usage_present(cert, true)?;
    leaf_key_usage(cert)?;
    code_signing_eku(cert)?;
    leaf_key(cert)
}

/// signature-specification.md §Leaf Certificates (timestamping): basicConstraints `cA` false if
/// present; keyUsage present (criticality not required) with digitalSignature and none of the
/// forbidden bits; EKU present, critical, and exactly `id-kp-timeStamping` (RFC 3161 §2.3); key per
/// signature-specification.md §Signature Algorithm Requirements.
pub fn validate_timestamping_leaf(cert: &Certificate) -> Result<(), CertError> {
    leaf_basic_constraints(cert)?;
    key_usage_present(cert, false)?;
    leaf_key_usage(cert)?;
    timestamping_eku(cert)?;
    leaf_key(cert)
}

/// signature-specification.md §Root and Intermediate CA Certificates for code-signing chains:
/// basicConstraints present with `cA` true; `pathLenConstraint`, when encoded (an explicit 0
/// included), at least `expected_path_len` (the number of intermediate CAs below this certificate);
/// keyUsage present, critical, with keyCertSign.
pub fn validate_ca(cert: &Certificate, expected_path_len: usize) -> Result<(), CertError> {
    ca_basic_constraints(cert, expected_path_len)?;
    key_usage_present(cert, true)?;
    ca_key_usage(cert)
}

/// signature-specification.md §Root and Intermediate CA Certificates for timestamping chains: as
/// [`validate_ca`] but keyUsage need not be critical.
pub(crate) fn validate_timestamping_ca(
    cert: &Certificate,
    expected_path_len: usize,
) -> Result<(), CertError> {
    ca_basic_constraints(cert, expected_path_len)?;
    key_usage_present(cert, false)?;
    ca_key_usage(cert)
}

fn subject(cert: &Certificate) -> String {
    cert.subject_rfc4514()
}

/// signature-specification.md §Certificate Requirements: basicConstraints present with `cA` true,
/// and the path length check (GO: a negative or absent `pathLenConstraint` is "not present").
fn ca_basic_constraints(cert: &Certificate, expected: usize) -> Result<(), CertError> {
    let Some(bc) = cert.basic_constraints().filter(|bc| bc.ca) else {
        return Err(CertError::CaBasicConstraints {
            subject: subject(cert),
        });
    };
    if let Some(path_len) = bc.path_len.filter(|p| *p >= 0) {
        let too_short = usize::try_from(path_len).is_ok_and(|p| p < expected);
        if too_short {
            return Err(CertError::PathLen {
                subject: subject(cert),
                expected,
                actual: path_len,
            });
        }
    }
    Ok(())
}

/// signature-specification.md §Leaf Certificates: basicConstraints optional, `cA` must be false
/// when present (threat 8).
fn leaf_basic_constraints(cert: &Certificate) -> Result<(), CertError> {
    if cert.basic_constraints().is_some_and(|bc| bc.ca) {
        return Err(CertError::LeafIsCa {
            subject: subject(cert),
        });
    }
    Ok(())
}

/// signature-specification.md §Certificate Requirements: keyUsage must be present; for code signing
/// (leaf and CA) also critical.
fn key_usage_present(cert: &Certificate, must_be_critical: bool) -> Result<(), CertError> {
    match cert.key_usage() {
        None => Err(CertError::KeyUsageMissing {
            subject: subject(cert),
        }),
        Some(k) if must_be_critical && !k.critical => Err(CertError::KeyUsageNotCritical {
            subject: subject(cert),
        }),
        Some(_) => Ok(()),
    }
}

/// signature-specification.md §Root and Intermediate CA Certificates: keyUsage has keyCertSign.
fn ca_key_usage(cert: &Certificate) -> Result<(), CertError> {
    let bits = cert.key_usage().map_or(0, |k| k.bits);
    if bits & ku::KEY_CERT_SIGN == 0 {
        return Err(CertError::KeyUsageMissingCertSign {
            subject: subject(cert),
        });
    }
    Ok(())
}

/// signature-specification.md §Leaf Certificates: digitalSignature set; nonRepudiation allowed; the
/// other bits forbidden.
fn leaf_key_usage(cert: &Certificate) -> Result<(), CertError> {
    let bits = cert.key_usage().map_or(0, |k| k.bits);
    if bits & ku::DIGITAL_SIGNATURE == 0 {
        return Err(CertError::KeyUsageMissingDigitalSignature {
            subject: subject(cert),
        });
    }
    let forbidden = [
        (ku::KEY_ENCIPHERMENT, "KeyEncipherment"),
        (ku::DATA_ENCIPHERMENT, "DataEncipherment"),
        (ku::KEY_AGREEMENT, "KeyAgreement"),
        (ku::KEY_CERT_SIGN, "CertSign"),
        (ku::CRL_SIGN, "CRLSign"),
        (ku::ENCIPHER_ONLY, "EncipherOnly"),
        (ku::DECIPHER_ONLY, "DecipherOnly"),
    ];
    let usages: Vec<&'static str> = forbidden
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    if !usages.is_empty() {
        return Err(CertError::ForbiddenKeyUsage {
            subject: subject(cert),
            usages,
        });
    }
    Ok(())
}

/// Go's name for an EKU purpose it knows, as notation-core-go's `ekuToString`.
fn forbidden_code_signing_eku(oid: &ObjectIdentifier) -> Option<&'static str> {
    // GO forbids these five; SPEC (docs/conformance.md §D9) also forbids anyExtendedKeyUsage: nv2
    // forbids the union.
    let list = [
        (oids::ID_KP_SERVER_AUTH, "ServerAuth"),
        (oids::ID_KP_CLIENT_AUTH, "ClientAuth"),
        (oids::ID_KP_EMAIL_PROTECTION, "EmailProtection"),
        (oids::ID_KP_TIME_STAMPING, "Timestamping"),
        (oids::ID_KP_OCSP_SIGNING, "OCSPSigning"),
        (oids::ANY_EXTENDED_KEY_USAGE, "Any"),
    ];
    list.iter().find(|(o, _)| o == oid).map(|(_, name)| *name)
}

/// signature-specification.md §Leaf Certificates (code-signing EKU): optional; the first forbidden
/// purpose (in encoding order) is reported, as Go does.
fn code_signing_eku(cert: &Certificate) -> Result<(), CertError> {
    let Some(eku) = cert.ext_key_usage() else {
        return Ok(());
    };
    if let Some(name) = eku.purposes.iter().find_map(forbidden_code_signing_eku) {
        return Err(CertError::ForbiddenExtKeyUsage {
            subject: subject(cert),
            eku: name,
        });
    }
    Ok(())
}

/// signature-specification.md §Leaf Certificates (timestamping EKU): exactly one purpose,
/// `id-kp-timeStamping`, extension critical (RFC 3161 §2.3).
fn timestamping_eku(cert: &Certificate) -> Result<(), CertError> {
    let Some(eku) = cert.ext_key_usage() else {
        return Err(CertError::TimestampingEku {
            subject: subject(cert),
        });
    };
    if eku.purposes.as_slice() != [oids::ID_KP_TIME_STAMPING] {
        return Err(CertError::TimestampingEku {
            subject: subject(cert),
        });
    }
    if !eku.critical {
        return Err(CertError::TimestampingEkuNotCritical {
            subject: subject(cert),
        });
    }
    Ok(())
}

/// signature-specification.md §Signature Algorithm Requirements / docs/conformance.md §D10: the
/// leaf key must be one of the six Notary key types. Messages follow notation-core-go's
/// `ExtractKeySpec`.
fn leaf_key(cert: &Certificate) -> Result<(), CertError> {
    let fail = |reason: String| CertError::UnsupportedKey {
        subject: subject(cert),
        reason,
    };
    let (alg, params) = cert.spki_algorithm();
    if alg == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
        // Curves Go parses but Notary refuses get Go's size message.
        let curve = params.and_then(|p| ObjectIdentifier::from_der(p).ok());
        const P192: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.1");
        const P224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.33");
        match curve {
            Some(c) if c == P224 => {
                return Err(fail("ecdsa key size 224 bits is not supported".into()))
            }
            Some(c) if c == P192 => {
                return Err(fail("ecdsa key size 192 bits is not supported".into()))
            }
            _ => {}
        }
    } else if alg != const_oid::db::rfc5912::RSA_ENCRYPTION {
        return Err(fail("unsupported public key type".into()));
    }
    let key = PublicKey::from_spki_der(cert.spki_der()).map_err(|e| fail(e.to_string()))?;
    key.notary_algorithm().map_err(|e| match e {
        crate::crypto::CryptoError::UnsupportedKey(msg) => fail(msg),
        other => fail(other.to_string()),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x509::testpki::{build, key, Spec};

    fn leaf_with(f: impl FnOnce(&mut Spec)) -> Certificate {
        let k = key(1);
        let mut spec = Spec::leaf("CN=Leaf", "CN=Leaf");
        f(&mut spec);
        build(&spec, &k, &k)
    }

    #[test]
    fn code_signing_leaf_rules() {
        validate_code_signing_leaf(&leaf_with(|_| {})).unwrap();
        // nonRepudiation is allowed; BC with cA false is allowed.
        validate_code_signing_leaf(&leaf_with(|s| {
            s.ku = Some((ku::DIGITAL_SIGNATURE | 2, true));
            s.bc = Some((false, None));
        }))
        .unwrap();
        let err = validate_code_signing_leaf(&leaf_with(|s| s.ku = None)).unwrap_err();
        assert_eq!(
            err,
            CertError::KeyUsageMissing {
                subject: "CN=Leaf".into()
            }
        );
        let err = validate_code_signing_leaf(&leaf_with(|s| {
            s.ku = Some((ku::KEY_ENCIPHERMENT, true));
        }))
        .unwrap_err();
        assert!(matches!(
            err,
            CertError::KeyUsageMissingDigitalSignature { .. }
        ));
        let err = validate_code_signing_leaf(&leaf_with(|s| {
            s.ku = Some((
                ku::DIGITAL_SIGNATURE | ku::KEY_ENCIPHERMENT | ku::DECIPHER_ONLY,
                true,
            ));
        }))
        .unwrap_err();
        assert_eq!(
            err,
            CertError::ForbiddenKeyUsage {
                subject: "CN=Leaf".into(),
                usages: vec!["KeyEncipherment", "DecipherOnly"]
            }
        );
    }

    #[test]
    fn code_signing_eku_union_of_go_and_spec() {
        for (oid, name) in [
            (oids::ID_KP_SERVER_AUTH, "ServerAuth"),
            (oids::ID_KP_CLIENT_AUTH, "ClientAuth"),
            (oids::ID_KP_EMAIL_PROTECTION, "EmailProtection"),
            (oids::ID_KP_TIME_STAMPING, "Timestamping"),
            (oids::ID_KP_OCSP_SIGNING, "OCSPSigning"),
            (oids::ANY_EXTENDED_KEY_USAGE, "Any"),
        ] {
            let cert = leaf_with(|s| s.eku = Some((vec![oids::ID_KP_CODE_SIGNING, oid], false)));
            assert_eq!(
                validate_code_signing_leaf(&cert).unwrap_err(),
                CertError::ForbiddenExtKeyUsage {
                    subject: "CN=Leaf".into(),
                    eku: name
                }
            );
        }
        // Unknown purposes and an empty list are fine (codeSigning is not required).
        let other = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.10.3.13");
        validate_code_signing_leaf(&leaf_with(|s| s.eku = Some((vec![other], true)))).unwrap();
        validate_code_signing_leaf(&leaf_with(|s| s.eku = Some((vec![], false)))).unwrap();
    }

    #[test]
    fn timestamping_leaf_rules() {
        let tsa = |f: &dyn Fn(&mut Spec)| {
            let k = key(1);
            let mut spec = Spec::tsa("CN=TSA", "CN=TSA");
            f(&mut spec);
            build(&spec, &k, &k)
        };
        validate_timestamping_leaf(&tsa(&|_| {})).unwrap();
        // keyUsage criticality is not required for TSA leaves.
        validate_timestamping_leaf(&tsa(&|s| s.ku = Some((ku::DIGITAL_SIGNATURE, false)))).unwrap();
        let err = validate_timestamping_leaf(&tsa(&|s| {
            s.eku = Some((vec![oids::ID_KP_TIME_STAMPING], false));
        }))
        .unwrap_err();
        assert!(matches!(err, CertError::TimestampingEkuNotCritical { .. }));
        for eku in [
            None,
            Some((vec![], true)),
            Some((
                vec![oids::ID_KP_TIME_STAMPING, oids::ID_KP_CODE_SIGNING],
                true,
            )),
            Some((
                vec![oids::ID_KP_TIME_STAMPING, oids::ID_KP_TIME_STAMPING],
                true,
            )),
            Some((vec![oids::ANY_EXTENDED_KEY_USAGE], true)),
        ] {
            let err = validate_timestamping_leaf(&tsa(&|s| s.eku = eku.clone())).unwrap_err();
            assert!(matches!(err, CertError::TimestampingEku { .. }), "{err}");
        }
        assert!(matches!(
            validate_timestamping_leaf(&tsa(&|s| s.bc = Some((true, None)))).unwrap_err(),
            CertError::LeafIsCa { .. }
        ));
    }

    #[test]
    fn ca_rules() {
        let k = key(3);
        let ca = |f: &dyn Fn(&mut Spec)| {
            let mut spec = Spec::ca("CN=CA", "CN=CA");
            f(&mut spec);
            build(&spec, &k, &k)
        };
        validate_ca(&ca(&|_| {}), 5).unwrap();
        validate_ca(&ca(&|s| s.bc = Some((true, Some(2)))), 2).unwrap();
        assert_eq!(
            validate_ca(&ca(&|s| s.bc = Some((true, Some(2)))), 3).unwrap_err(),
            CertError::PathLen {
                subject: "CN=CA".into(),
                expected: 3,
                actual: 2
            }
        );
        // An explicit pathLen 0 counts.
        validate_ca(&ca(&|s| s.bc = Some((true, Some(0)))), 0).unwrap();
        assert!(validate_ca(&ca(&|s| s.bc = Some((true, Some(0)))), 1).is_err());
        assert!(matches!(
            validate_ca(&ca(&|s| s.bc = None), 0).unwrap_err(),
            CertError::CaBasicConstraints { .. }
        ));
        assert!(matches!(
            validate_ca(&ca(&|s| s.bc = Some((false, None))), 0).unwrap_err(),
            CertError::CaBasicConstraints { .. }
        ));
        assert!(matches!(
            validate_ca(&ca(&|s| s.ku = Some((ku::CRL_SIGN, true))), 0).unwrap_err(),
            CertError::KeyUsageMissingCertSign { .. }
        ));
        // Timestamping CAs accept a non-critical keyUsage.
        let relaxed = ca(&|s| s.ku = Some((ku::KEY_CERT_SIGN, false)));
        assert!(validate_ca(&relaxed, 0).is_err());
        validate_timestamping_ca(&relaxed, 0).unwrap();
    }

    #[test]
    fn leaf_key_is_p256() {
        // Every test key is P-256 (ES256): accepted.
        leaf_key(&leaf_with(|_| {})).unwrap();
    }
}
