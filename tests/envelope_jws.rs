//! JWS envelope: conformance vectors (tests/vectors/notation/README.md) and every parse/integrity
//! rule of signature-envelope-jws.md, signature-specification.md §Signature Algorithm Requirements,
//! docs/conformance.md §Divergences from notation-go and threat-model rows 7a, 7b, 11a, 11b, 12a,
//! 13a.

mod support;

use nv2::crypto::SignatureAlgorithm::{self, *};
use nv2::encoding::{base64_std_encode, base64url_encode, EncodingError};
use nv2::envelope::{
    EnvelopeError, EnvelopeFormat, SigningScheme, UnverifiedEnvelope, MEDIA_TYPE_JWS,
};
use nv2::payload::Payload;
use support::envelope::*;

fn parse(bytes: &[u8]) -> Result<UnverifiedEnvelope, EnvelopeError> {
    UnverifiedEnvelope::parse(MEDIA_TYPE_JWS, bytes)
}

fn check(bytes: &[u8]) -> Result<(), EnvelopeError> {
    parse(bytes)?.verify_integrity().map(|_| ())
}

fn p256() -> Fixture {
    fixture("p256")
}

/// A valid ES256 envelope with protected header `protected_json`.
fn es256(protected_json: &str) -> Vec<u8> {
    let f = p256();
    Parts::signed(protected_json, PAYLOAD, &f.key, Es256, &f.chain).to_json()
}

fn with_header(f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&header("ES256")).unwrap();
    f(v.as_object_mut().unwrap());
    serde_json::to_string(&v).unwrap()
}

#[test]
fn crafted_baseline_verifies() {
    let env = es256(&header("ES256"));
    let parsed = parse(&env).unwrap();
    assert_eq!(parsed.format(), EnvelopeFormat::Jws);
    let s = parsed.signed_attributes();
    assert_eq!(s.algorithm, Es256);
    assert_eq!(s.signing_scheme, SigningScheme::X509);
    assert_eq!(s.expiry.unwrap().to_rfc3339(), "2120-11-09T07:00:00Z");
    assert_eq!(parsed.signing_agent(), Some("nv2-test"));
    let v = parsed.verify_integrity().unwrap();
    assert_eq!(v.payload(), PAYLOAD);
    let p = Payload::from_verified(&v).unwrap();
    assert_eq!(p.target_artifact.size, 528);
}

#[test]
fn unsupported_media_type() {
    let e = UnverifiedEnvelope::parse("application/unsupported+json", b"{}").unwrap_err();
    assert_eq!(e.code(), "ERR_UNSUPPORTED_ENVELOPE");
    assert_eq!(
        e.to_string(),
        "signature envelope format with media type \"application/unsupported+json\" is not supported"
    );
}

// ---- Threat model 12a: base64 --------------------------------------------------------------

#[test]
fn base64url_fields_are_strict() {
    let f = p256();
    let base = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    type Mutation = fn(&mut Parts);
    let cases: [(&str, Mutation); 8] = [
        ("padded protected", |p| p.protected.push('=')),
        ("padded payload", |p| p.payload.push('=')),
        ("padded signature", |p| p.signature.push('=')),
        ("plus in payload", |p| p.payload.insert(0, '+')),
        ("slash in signature", |p| p.signature.insert(3, '/')),
        ("newline in payload", |p| p.payload.insert(8, '\n')),
        ("escaped newline in payload", |p| {
            p.payload.insert_str(8, "\\n")
        }),
        ("space in protected", |p| p.protected.insert(4, ' ')),
    ];
    for (name, m) in cases {
        let mut p = Parts {
            ..clone_parts(&base)
        };
        m(&mut p);
        let err = check(&p.to_json()).unwrap_err();
        assert!(
            matches!(
                err,
                EnvelopeError::Base64 { .. } | EnvelopeError::Json { .. }
            ),
            "{name}: {err:?}"
        );
        assert_eq!(err.code(), "ERR_SIGNATURE_INTEGRITY", "{name}");
    }
    // Non-canonical trailing bits: a 64-byte signature is 86 symbols with 4 unused bits.
    let mut p = clone_parts(&base);
    assert_eq!(p.signature.len(), 86);
    let last = p.signature.pop().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    p.signature.push(alphabet.as_bytes()[idx ^ 1] as char);
    let err = check(&p.to_json()).unwrap_err();
    assert_eq!(
        err,
        EnvelopeError::Base64 {
            field: "signature",
            error: EncodingError::Base64 { offset: 85 }
        }
    );
}

fn clone_parts(p: &Parts) -> Parts {
    Parts {
        protected: p.protected.clone(),
        payload: p.payload.clone(),
        signature: p.signature.clone(),
        header: p.header.clone(),
    }
}

#[test]
fn x5c_must_be_padded_standard_base64() {
    let f = p256();
    let mut p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    let std = base64_std_encode(&f.chain[0]);
    // URL-safe spelling of the certificate.
    let url = std.replace('+', "-").replace('/', "_");
    assert_ne!(url, std, "fixture certificate should contain + or /");
    p.header = format!(r#"{{"x5c":["{url}"]}}"#);
    assert!(matches!(
        check(&p.to_json()),
        Err(EnvelopeError::Base64 { field: "x5c", .. })
    ));
    // Unpadded.
    let unpadded = base64url_encode(&f.chain[0])
        .replace('-', "+")
        .replace('_', "/");
    if unpadded.len() % 4 != 0 {
        p.header = format!(r#"{{"x5c":["{unpadded}"]}}"#);
        assert!(matches!(
            check(&p.to_json()),
            Err(EnvelopeError::Base64 { field: "x5c", .. })
        ));
    }
    // With a line break (PEM-style).
    p.header = format!(r#"{{"x5c":["{}\n{}"]}}"#, &std[..64], &std[64..]);
    assert!(matches!(
        check(&p.to_json()),
        Err(EnvelopeError::Base64 { field: "x5c", .. })
    ));
    // Not an array / empty / missing.
    for h in [
        r#"{"x5c":"abc="}"#,
        r#"{"x5c":[]}"#,
        r#"{"x5c":[1]}"#,
        r#"{}"#,
    ] {
        p.header = h.to_string();
        let e = check(&p.to_json()).unwrap_err();
        assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY", "{h}: {e}");
    }
    // Garbage DER.
    p.header = r#"{"x5c":["AAAA"]}"#.into();
    assert!(matches!(
        check(&p.to_json()),
        Err(EnvelopeError::Certificate(_))
    ));
    // A bad timestamp token encoding.
    p.header = format!(r#"{{"x5c":["{std}"],"io.cncf.notary.timestampSignature":"-_-_"}}"#);
    assert!(matches!(
        check(&p.to_json()),
        Err(EnvelopeError::Base64 {
            field: "io.cncf.notary.timestampSignature",
            ..
        })
    ));
    // Protected names may not be repeated unprotected; crit is protected only.
    for extra in [
        r#""alg":"ES256""#,
        r#""crit":["x"]"#,
        r#""io.cncf.notary.expiry":"2999-01-01T00:00:00Z""#,
    ] {
        p.header = format!(r#"{{"x5c":["{std}"],{extra}}}"#);
        assert!(
            matches!(check(&p.to_json()), Err(EnvelopeError::ForbiddenHeader(_))),
            "{extra}"
        );
    }
    // Unknown unprotected members are ignored (signature-envelope-jws.md §Unprotected Headers),
    // including notation-go's "io.cncf.notary.SigningAgent" spelling.
    p.header = format!(
        r#"{{"x5c":["{std}"],"io.cncf.notary.SigningAgent":"x","other":{{"a":1}},"io.cncf.notary.timestampSignature":"AAAA"}}"#
    );
    let parsed = parse(&p.to_json()).unwrap();
    assert_eq!(parsed.timestamp_token(), Some(&[0u8, 0, 0][..]));
    assert_eq!(parsed.signing_agent(), None);
    parsed.verify_integrity().unwrap();
}

// ---- Threat model 11a: duplicates, case, extra members ---------------------------------------

#[test]
fn duplicate_and_case_variant_members_are_refused() {
    let h = header("ES256");
    let dup_alg = h.replacen(
        "{\"alg\":\"ES256\"",
        "{\"alg\":\"ES256\",\"alg\":\"ES256\"",
        1,
    );
    let e = check(&es256(&dup_alg)).unwrap_err();
    assert_eq!(
        e,
        EnvelopeError::Json {
            what: "protected header",
            error: EncodingError::DuplicateMember("alg".into())
        }
    );
    assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY");
    // Duplicate crit inside the header, duplicate entries inside crit.
    let dup_crit = h.replacen("\"crit\"", "\"crit\":[],\"crit\"", 1);
    assert!(matches!(
        check(&es256(&dup_crit)),
        Err(EnvelopeError::Json { .. })
    ));
    let dup_entry = h.replacen(
        "\"crit\":[",
        "\"crit\":[\"io.cncf.notary.signingScheme\",",
        1,
    );
    assert!(matches!(
        check(&es256(&dup_entry)),
        Err(EnvelopeError::InvalidHeader { .. })
    ));
    // `Alg` next to `alg`, and `Alg` alone.
    let both = h.replacen(
        "{\"alg\":\"ES256\"",
        "{\"Alg\":\"none\",\"alg\":\"ES256\"",
        1,
    );
    assert!(matches!(
        check(&es256(&both)),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
    let alone = h.replacen("\"alg\"", "\"Alg\"", 1);
    assert!(matches!(
        check(&es256(&alone)),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
    let cty = h.replacen("\"cty\"", "\"CTY\"", 1);
    assert!(check(&es256(&cty)).is_err());
    let scheme = h.replacen(
        "\"io.cncf.notary.signingScheme\":",
        "\"io.cncf.notary.SigningScheme\":",
        1,
    );
    assert!(matches!(
        check(&es256(&scheme)),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
    // Duplicate payload in the digest (payload JSON duplicate members).
    let f = p256();
    let dup_digest = br#"{"targetArtifact":{"mediaType":"a/b","digest":"sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e","digest":"sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e","size":1}}"#;
    let env = Parts::signed(&h, dup_digest, &f.key, Es256, &f.chain).to_json();
    assert!(matches!(
        check(&env),
        Err(EnvelopeError::Json {
            what: "payload",
            ..
        })
    ));
}

#[test]
fn top_level_members_are_exact() {
    let f = p256();
    let p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    let good = String::from_utf8(p.to_json()).unwrap();
    let extra = good.replacen('{', "{\"signatures\":[],", 1);
    assert!(matches!(
        check(extra.as_bytes()),
        Err(EnvelopeError::Malformed(_))
    ));
    let extra2 = good.replacen('{', "{\"Payload\":\"x\",", 1);
    assert!(matches!(
        check(extra2.as_bytes()),
        Err(EnvelopeError::Malformed(_))
    ));
    let dup = good.replacen('{', &format!("{{\"payload\":\"{}\",", p.payload), 1);
    assert!(matches!(
        check(dup.as_bytes()),
        Err(EnvelopeError::Json {
            what: "envelope",
            ..
        })
    ));
    let no_header = format!(
        r#"{{"payload":"{}","protected":"{}","signature":"{}"}}"#,
        p.payload, p.protected, p.signature
    );
    assert!(matches!(
        check(no_header.as_bytes()),
        Err(EnvelopeError::Malformed(_))
    ));
    let numeric = good.replacen(
        &format!("\"signature\":\"{}\"", p.signature),
        "\"signature\":1",
        1,
    );
    assert!(matches!(
        check(numeric.as_bytes()),
        Err(EnvelopeError::Malformed(_))
    ));
    for junk in [&b"[]"[..], b"", b"null", b"{", b"\xff"] {
        assert_eq!(check(junk).unwrap_err().code(), "ERR_SIGNATURE_INTEGRITY");
    }
    // A compact serialization is not accepted.
    let compact = format!("{}.{}.{}", p.protected, p.payload, p.signature);
    assert!(check(compact.as_bytes()).is_err());
}

// ---- Threat model 11b: crit -----------------------------------------------------------------

#[test]
fn crit_rules() {
    // Missing / empty / wrong type.
    let missing = with_header(|m| {
        m.remove("crit");
        m.remove("io.cncf.notary.expiry");
    });
    let e = check(&es256(&missing)).unwrap_err();
    assert_eq!(e, EnvelopeError::MissingCrit);
    assert_eq!(e.to_string(), "missing \"crit\" header");
    let empty = with_header(|m| {
        m.insert("crit".into(), serde_json::json!([]));
    });
    assert_eq!(
        check(&es256(&empty)).unwrap_err(),
        EnvelopeError::MissingCrit
    );
    let wrong = with_header(|m| {
        m.insert("crit".into(), "io.cncf.notary.signingScheme".into());
    });
    assert!(matches!(
        check(&es256(&wrong)),
        Err(EnvelopeError::InvalidHeader { .. })
    ));
    // Listed but absent.
    let absent = with_header(|m| {
        m["crit"].as_array_mut().unwrap().push("foo".into());
    });
    let e = check(&es256(&absent)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "\"foo\" header is marked critical but not present"
    );
    // Registered names and the non-critical signingTime may not be listed.
    for name in ["alg", "cty", "crit", "io.cncf.notary.signingTime"] {
        let h = with_header(|m| {
            m["crit"].as_array_mut().unwrap().push(name.into());
        });
        assert_eq!(
            check(&es256(&h)).unwrap_err(),
            EnvelopeError::CriticalNotPresent(name.into()),
            "{name}"
        );
    }
    // Required critical headers.
    let scheme_not_crit = with_header(|m| {
        m.insert("crit".into(), serde_json::json!(["io.cncf.notary.expiry"]));
    });
    let e = check(&es256(&scheme_not_crit)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "these required headers are not marked as critical: [io.cncf.notary.signingScheme]"
    );
    let expiry_not_crit = with_header(|m| {
        m.insert(
            "crit".into(),
            serde_json::json!(["io.cncf.notary.signingScheme"]),
        );
    });
    assert_eq!(
        check(&es256(&expiry_not_crit)).unwrap_err(),
        EnvelopeError::NotMarkedCritical(vec!["io.cncf.notary.expiry".into()])
    );
    // Unknown critical extended attribute: refused (docs/conformance.md §D1); non-critical is fine.
    let unknown_crit = with_header(|m| {
        m.insert("SomeKey".into(), "SomeValue".into());
        m["crit"].as_array_mut().unwrap().push("SomeKey".into());
    });
    assert_eq!(
        check(&es256(&unknown_crit)).unwrap_err(),
        EnvelopeError::UnsupportedCriticalAttribute("SomeKey".into())
    );
    let unknown = with_header(|m| {
        m.insert("SomeKey".into(), serde_json::json!({"nested": [1, 2]}));
        m.insert("kid".into(), "k".into());
    });
    let parsed = parse(&es256(&unknown)).unwrap();
    let attrs = &parsed.signed_attributes().extended_attributes;
    assert_eq!(attrs.len(), 2);
    assert!(attrs.iter().all(|a| !a.critical));
    parsed.verify_integrity().unwrap();
    // A registered name made critical.
    let kid_crit = with_header(|m| {
        m.insert("kid".into(), "k".into());
        m["crit"].as_array_mut().unwrap().push("kid".into());
    });
    assert!(check(&es256(&kid_crit)).is_err());
    // b64 (RFC 7797) is refused.
    let b64 = with_header(|m| {
        m.insert("b64".into(), false.into());
    });
    assert!(matches!(
        check(&es256(&b64)),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
}

#[test]
fn verification_plugin_rules() {
    // Critical plugin: parses, and a critical extended attribute is then left to the plugin.
    let plugin = with_header(|m| {
        m.insert(
            "io.cncf.notary.verificationPlugin".into(),
            "plugin-name".into(),
        );
        m.insert("SomeKey".into(), "SomeValue".into());
        let c = m["crit"].as_array_mut().unwrap();
        c.push("io.cncf.notary.verificationPlugin".into());
        c.push("SomeKey".into());
    });
    let parsed = parse(&es256(&plugin)).unwrap();
    let s = parsed.signed_attributes();
    assert_eq!(s.verification_plugin.as_deref(), Some("plugin-name"));
    assert!(s.extended_attributes[0].critical);
    // Not critical.
    let not_crit = with_header(|m| {
        m.insert(
            "io.cncf.notary.verificationPlugin".into(),
            "plugin-name".into(),
        );
    });
    assert_eq!(
        check(&es256(&not_crit)).unwrap_err(),
        EnvelopeError::NotMarkedCritical(vec!["io.cncf.notary.verificationPlugin".into()])
    );
    // Blank or not a string.
    for v in [
        serde_json::json!("  "),
        serde_json::json!(""),
        serde_json::json!(7),
    ] {
        let h = with_header(|m| {
            m.insert("io.cncf.notary.verificationPlugin".into(), v.clone());
            m["crit"]
                .as_array_mut()
                .unwrap()
                .push("io.cncf.notary.verificationPlugin".into());
        });
        assert!(
            matches!(check(&es256(&h)), Err(EnvelopeError::InvalidHeader { .. })),
            "{v}"
        );
    }
    // Min version must be critical too.
    let min = with_header(|m| {
        m.insert("io.cncf.notary.verificationPlugin".into(), "p".into());
        m.insert(
            "io.cncf.notary.verificationPluginMinVersion".into(),
            "1.0.0".into(),
        );
        m["crit"]
            .as_array_mut()
            .unwrap()
            .push("io.cncf.notary.verificationPlugin".into());
    });
    assert_eq!(
        check(&es256(&min)).unwrap_err(),
        EnvelopeError::NotMarkedCritical(
            vec!["io.cncf.notary.verificationPluginMinVersion".into()]
        )
    );
}

// ---- signature-envelope-jws.md §Protected Headers times and schemes
// ------------------------------------------------------------

#[test]
fn scheme_and_time_rules() {
    let equal = with_header(|m| {
        m.insert(
            "io.cncf.notary.expiry".into(),
            "2020-11-09T07:00:00Z".into(),
        );
    });
    let e = check(&es256(&equal)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expiry cannot be equal or before the signing time"
    );
    let before = with_header(|m| {
        m.insert(
            "io.cncf.notary.expiry".into(),
            "2020-11-09T14:59:59+08:00".into(),
        );
    });
    assert_eq!(
        check(&es256(&before)).unwrap_err(),
        EnvelopeError::ExpiryNotAfterSigningTime
    );
    let no_time = with_header(|m| {
        m.remove("io.cncf.notary.signingTime");
    });
    let e = check(&es256(&no_time)).unwrap_err();
    assert_eq!(e.to_string(), "signing-time not present");
    let bad_time = with_header(|m| {
        m.insert(
            "io.cncf.notary.signingTime".into(),
            "2020-11-09 07:00:00Z".into(),
        );
    });
    assert!(matches!(
        check(&es256(&bad_time)),
        Err(EnvelopeError::InvalidHeader { .. })
    ));
    let numeric_time = with_header(|m| {
        m.insert("io.cncf.notary.signingTime".into(), 1_600_000_000.into());
    });
    assert!(check(&es256(&numeric_time)).is_err());
    // Other scheme's time.
    let ast_in_x509 = with_header(|m| {
        m.insert(
            "io.cncf.notary.authenticSigningTime".into(),
            "2020-11-09T07:00:00Z".into(),
        );
    });
    assert!(matches!(
        check(&es256(&ast_in_x509)),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
    let sa = |f: &dyn Fn(&mut serde_json::Map<String, serde_json::Value>)| {
        with_header(|m| {
            m.remove("io.cncf.notary.signingTime");
            m.insert(
                "io.cncf.notary.signingScheme".into(),
                "notary.x509.signingAuthority".into(),
            );
            m.insert(
                "io.cncf.notary.authenticSigningTime".into(),
                "2020-11-09T07:00:00Z".into(),
            );
            m["crit"]
                .as_array_mut()
                .unwrap()
                .push("io.cncf.notary.authenticSigningTime".into());
            f(m);
        })
    };
    let ok = parse(&es256(&sa(&|_| {}))).unwrap();
    assert_eq!(
        ok.signed_attributes().signing_scheme,
        SigningScheme::X509SigningAuthority
    );
    assert!(ok.signed_attributes().authentic_signing_time.is_some());
    ok.verify_integrity().unwrap();
    let st_in_sa = sa(&|m| {
        m.insert(
            "io.cncf.notary.signingTime".into(),
            "2020-11-09T07:00:00Z".into(),
        );
    });
    assert!(matches!(
        check(&es256(&st_in_sa)),
        Err(EnvelopeError::ForbiddenHeader(_))
    ));
    let ast_not_crit = sa(&|m| {
        m["crit"].as_array_mut().unwrap().pop();
    });
    assert_eq!(
        check(&es256(&ast_not_crit)).unwrap_err(),
        EnvelopeError::NotMarkedCritical(vec!["io.cncf.notary.authenticSigningTime".into()])
    );
    let sa_no_time = sa(&|m| {
        m.remove("io.cncf.notary.authenticSigningTime");
        m["crit"].as_array_mut().unwrap().pop();
    });
    assert_eq!(
        check(&es256(&sa_no_time)).unwrap_err(),
        EnvelopeError::SigningTimeMissing
    );
    // Unknown scheme, missing scheme.
    let other = with_header(|m| {
        m.insert(
            "io.cncf.notary.signingScheme".into(),
            "notary.default.x509".into(),
        );
    });
    assert!(matches!(
        check(&es256(&other)),
        Err(EnvelopeError::UnsupportedSigningScheme(_))
    ));
    // cty must be the Notary payload type (checked at integrity).
    let cty = with_header(|m| {
        m.insert("cty".into(), "application/json".into());
    });
    assert_eq!(
        check(&es256(&cty)).unwrap_err().to_string(),
        "payload content type \"application/json\" not supported"
    );
    let no_cty = with_header(|m| {
        m.remove("cty");
    });
    assert!(matches!(
        check(&es256(&no_cty)),
        Err(EnvelopeError::MissingHeader(_))
    ));
}

// ---- Threat model 7a / 7b: algorithms -------------------------------------------------------

#[test]
fn algorithm_confusion_is_refused() {
    for alg in ["none", "HS256", "RS256", "ps256", "EdDSA", ""] {
        let e = check(&es256(&header(alg))).unwrap_err();
        assert_eq!(e, EnvelopeError::UnsupportedAlgorithm(alg.into()), "{alg}");
        assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY");
    }
    let no_alg = with_header(|m| {
        m.remove("alg");
    });
    assert!(matches!(
        check(&es256(&no_alg)),
        Err(EnvelopeError::MissingHeader(_))
    ));

    // ES256 header over an RSA-2048 key (signature made correctly with PS256).
    let rsa = fixture("rsa2048");
    let env = Parts::signed(&header("ES256"), PAYLOAD, &rsa.key, Ps256, &rsa.chain).to_json();
    let e = check(&env).unwrap_err();
    assert_eq!(
        e.to_string(),
        "mismatch between signature algorithm derived from signing certificate (PS256) and signing algorithm specified (ES256)"
    );
    // PS256 header with an RSA-3072 key.
    let rsa3072 = fixture("rsa3072");
    let env = Parts::signed(
        &header("PS256"),
        PAYLOAD,
        &rsa3072.key,
        Ps384,
        &rsa3072.chain,
    )
    .to_json();
    assert_eq!(
        check(&env).unwrap_err(),
        EnvelopeError::AlgorithmMismatch {
            derived: Ps384,
            declared: Ps256
        }
    );
    // ES384 header with a P-256 key.
    let f = p256();
    let env = Parts::signed(&header("ES384"), PAYLOAD, &f.key, Es256, &f.chain).to_json();
    assert!(matches!(
        check(&env),
        Err(EnvelopeError::AlgorithmMismatch { .. })
    ));
    // DER-encoded ECDSA signature over the right bytes.
    let mut p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    let raw = nv2::encoding::base64url_decode(&p.signature).unwrap();
    let der = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
    p.signature = base64url_encode(der.as_bytes());
    assert_eq!(
        check(&p.to_json()).unwrap_err(),
        EnvelopeError::SignatureInvalid
    );
    // RSA-1024 and secp256k1 signing certificates.
    let weak_chain = vec![cert_der("rsa1024.crt")];
    let mut p = Parts::signed(&header("PS256"), PAYLOAD, &f.key, Es256, &f.chain);
    p.header = x5c_header(&weak_chain);
    assert_eq!(
        check(&p.to_json()).unwrap_err().to_string(),
        "rsa key size 1024 bits is not supported"
    );
    p.header = x5c_header(&[cert_der("secp256k1.crt")]);
    assert!(matches!(
        check(&p.to_json()),
        Err(EnvelopeError::Certificate(_))
    ));
}

#[test]
fn pss_salt_must_equal_hash_length() {
    use sha2::Digest;
    let rsa = fixture("rsa2048");
    let mut p = Parts::signed(&header("PS256"), PAYLOAD, &rsa.key, Ps256, &rsa.chain);
    check(&p.to_json()).unwrap();
    let nv2::crypto::PrivateKey::Rsa(k) = &rsa.key else {
        panic!("RSA fixture")
    };
    let prehash = sha2::Sha256::digest(format!("{}.{}", p.protected, p.payload).as_bytes());
    let mut rng = getrandom::SysRng;
    for salt in [0usize, 20, 64] {
        let sig = k
            .sign_with_rng(
                &mut rng,
                rsa::Pss::<sha2::Sha256>::new_with_salt(salt),
                &prehash,
            )
            .unwrap();
        p.signature = base64url_encode(&sig);
        assert_eq!(
            check(&p.to_json()).unwrap_err(),
            EnvelopeError::SignatureInvalid,
            "salt {salt}"
        );
    }
}

#[test]
fn tampering_breaks_the_signature() {
    let f = p256();
    let mut p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    let other = base64url_encode(
        &PAYLOAD
            .iter()
            .map(|b| if *b == b'5' { b'6' } else { *b })
            .collect::<Vec<_>>(),
    );
    p.payload = other;
    assert_eq!(
        check(&p.to_json()).unwrap_err(),
        EnvelopeError::SignatureInvalid
    );
    // Another leaf key than the one that signed.
    let mut p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    p.header = x5c_header(&fixture_with_chain("chainleaf.key", &["chainleaf.crt"]).chain);
    assert_eq!(
        check(&p.to_json()).unwrap_err(),
        EnvelopeError::SignatureInvalid
    );
    // Empty signature.
    let mut p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    p.signature.clear();
    assert!(check(&p.to_json()).is_err());
    // Payload must be a JSON object.
    for payload in [&b"[]"[..], b"\"x\"", b"not json", b""] {
        let env = Parts::signed(&header("ES256"), payload, &f.key, Es256, &f.chain).to_json();
        let e = check(&env).unwrap_err();
        assert!(
            matches!(
                e,
                EnvelopeError::PayloadNotObject | EnvelopeError::Json { .. }
            ),
            "{e:?}"
        );
    }
}

// ---- Threat model 13a: huge and deep input --------------------------------------------------

#[test]
fn deep_and_huge_input_fails_cleanly() {
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let f = p256();
    let h = with_header(|_| {});
    let env = Parts::signed(
        &h.replacen('{', &format!("{{\"x\":{},", &deep[5..deep.len() - 1]), 1),
        PAYLOAD,
        &f.key,
        Es256,
        &f.chain,
    )
    .to_json();
    let e = check(&env).unwrap_err();
    assert_eq!(
        e,
        EnvelopeError::Json {
            what: "protected header",
            error: EncodingError::TooDeep
        }
    );
    assert_eq!(e.code(), "ERR_LIMIT");
    assert_eq!(e.details().unwrap()["limit"], "json.depth");
    // Deep envelope JSON itself.
    let e = check(deep.as_bytes()).unwrap_err();
    assert_eq!(e.code(), "ERR_LIMIT");
    // 1000-certificate x5c.
    let mut p = Parts::signed(&header("ES256"), PAYLOAD, &f.key, Es256, &f.chain);
    let cert = format!("\"{}\"", base64_std_encode(&f.chain[0]));
    p.header = format!(r#"{{"x5c":[{}]}}"#, vec![cert; 1000].join(","));
    let e = check(&p.to_json()).unwrap_err();
    assert!(
        matches!(e, EnvelopeError::Limit(l) if l.limit == "envelope.chain.certificates" && l.found == 1000)
    );
    assert_eq!(e.code(), "ERR_LIMIT");
    // Over 32 MiB.
    let big = vec![b' '; 32 * 1024 * 1024 + 1];
    let e = parse(&big).unwrap_err();
    assert!(matches!(e, EnvelopeError::TooLarge(_)));
    assert_eq!(e.code(), "ERR_LIMIT");
}

// ---- Conformance vectors (tests/vectors/notation/README.md)
// ---------------------------------------------------------

#[derive(serde::Deserialize)]
struct Case {
    id: String,
    #[serde(default)]
    envelope: Option<String>,
    #[serde(default)]
    envelope_media_type: Option<String>,
    expect: serde_json::Value,
}

#[test]
fn conformance_envelopes() {
    let Some(dir) = conformance_dir() else { return };
    let cases: Vec<Case> =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut checked = 0;
    for c in cases {
        let (Some(env), Some(mt)) = (&c.envelope, &c.envelope_media_type) else {
            continue;
        };
        if mt == nv2::envelope::MEDIA_TYPE_COSE {
            continue; // tests/envelope_cose.rs
        }
        let bytes = std::fs::read(dir.join(env)).unwrap();
        let result = UnverifiedEnvelope::parse(mt, &bytes).and_then(|e| e.verify_integrity());
        let integrity_fails = c.expect["fail_at"] == "integrity";
        match (&result, integrity_fails) {
            (Ok(_), false) | (Err(_), true) => {}
            (Ok(_), true) => panic!("{}: expected an integrity failure", c.id),
            (Err(e), false) => panic!("{}: unexpected failure: {e}", c.id),
        }
        if let Err(e) = &result {
            assert!(
                matches!(
                    e.code().as_str(),
                    "ERR_SIGNATURE_INTEGRITY" | "ERR_UNSUPPORTED_ENVELOPE"
                ),
                "{}",
                c.id
            );
        }
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} cases");
}

#[test]
fn notation_go_mock_vectors() {
    let Some(dir) = conformance_dir() else { return };
    let mock = dir.join("notation-go/internal/mock/testdata");
    let read = |n: &str| std::fs::read(mock.join(n)).unwrap();
    for name in [
        "ca_valid_sig_env.json",
        "sa_valid_sig_env.json",
        "ca_expired_sig_env.json",
        "sa_expired_sig_env.json",
    ] {
        let env = parse(&read(name)).unwrap();
        assert_eq!(env.signed_attributes().algorithm, Ps384, "{name}");
        assert_eq!(env.cert_chain().len(), 2, "{name}");
        let v = env.verify_integrity().unwrap();
        let p = Payload::from_verified(&v).unwrap();
        assert_eq!(
            p.target_artifact.digest.to_string(),
            "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e"
        );
        assert_eq!(p.target_artifact.size, 528);
    }
    let sa = parse(&read("sa_valid_sig_env.json")).unwrap();
    assert_eq!(
        sa.signed_attributes().signing_scheme,
        SigningScheme::X509SigningAuthority
    );
    for name in ["ca_invalid_sig_env.json", "sa_invalid_sig_env.json"] {
        let e = parse(&read(name)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "illegal base64 data at input byte 242",
            "{name}"
        );
        assert!(matches!(
            e,
            EnvelopeError::Base64 {
                field: "payload",
                ..
            }
        ));
        assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY");
    }
    // The plugin vectors parse (plugin named, critical) and their signatures verify; nv2 has no
    // plugin support, so the verifier fails them at the plugin step (plugin-extensibility.md
    // §Verification extensibility).
    let plugin = parse(&read("ca_plugin_sig_env.json")).unwrap();
    assert_eq!(
        plugin.signed_attributes().verification_plugin.as_deref(),
        Some("plugin-name")
    );
    plugin.verify_integrity().unwrap();
    let min = parse(&read("ca_incompatible_pluginver_sig_env_1.2.3.json")).unwrap();
    assert_eq!(
        min.signed_attributes()
            .verification_plugin_min_version
            .as_deref(),
        Some("1.2.3")
    );
    // Metadata vector.
    let meta = parse(&read("sig_env_with_metadata.json"))
        .unwrap()
        .verify_integrity()
        .unwrap();
    assert!(!Payload::from_verified(&meta)
        .unwrap()
        .annotations()
        .is_empty());
}

#[test]
fn notation_malformed_signature_file() {
    let Some(dir) = conformance_dir() else { return };
    let bytes =
        std::fs::read(dir.join("notation/test/e2e/testdata/signatures/malformed.jws.sig")).unwrap();
    let e = parse(&bytes).unwrap_err();
    assert_eq!(e.code(), "ERR_SIGNATURE_INTEGRITY");
}

#[test]
fn timestamped_vectors_expose_the_token() {
    let Some(dir) = conformance_dir() else { return };
    let bytes = std::fs::read(
        dir.join("notation-go/verifier/testdata/timestamp/sigEnv/jwsWithTimestamp.sig"),
    )
    .unwrap();
    let env = parse(&bytes).unwrap();
    let token = env.timestamp_token().unwrap();
    assert_eq!(token[0], 0x30, "DER SEQUENCE");
    assert!(!env.signature().is_empty());
    env.verify_integrity().unwrap();
}

#[test]
fn core_go_jws_conformance_header() {
    let Some(dir) = conformance_dir() else { return };
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("notation-core-go/signature/jws/testdata/conformance.json"))
            .unwrap(),
    )
    .unwrap();
    // Decode-only vector: its critical "signedCritKey1" is unknown to nv2 (docs/conformance.md §D1)
    // and it carries no x5c.
    let e = parse(serde_json::to_string(&v).unwrap().as_bytes()).unwrap_err();
    assert_eq!(
        e,
        EnvelopeError::UnsupportedCriticalAttribute("signedCritKey1".into())
    );
    // nv2 produces the same protected header bytes for the same inputs.
    let f = p256();
    let attr = |k: &str, v: &str, critical| nv2::envelope::ExtendedAttribute {
        key: k.into(),
        critical,
        value: v.into(),
    };
    let prepared = nv2::envelope::jws::prepare(
        b"{\"key\":\"hello JWS\"}",
        &nv2::envelope::jws::JwsSigningOptions {
            algorithm: Es256,
            signing_scheme: SigningScheme::X509,
            signing_time: nv2::time::Instant::parse_rfc3339("2022-08-29T13:50:00Z").unwrap(),
            expiry: Some(nv2::time::Instant::parse_rfc3339("2099-08-30T13:50:00Z").unwrap()),
            signing_agent: Some("NotationConformanceTest/1.0.0".into()),
            extended_attributes: vec![
                attr("signedCritKey1", "signedCritValue1", true),
                attr("signedKey1", "signedValue1", false),
                attr("signedKey2", "signedValue1", false),
                attr("signedKey3", "signedValue1", false),
                attr("signedKey4", "signedValue1", false),
            ],
            cert_chain: f.chain.clone(),
        },
    )
    .unwrap();
    let input = String::from_utf8(prepared.signing_input().to_vec()).unwrap();
    let (protected, payload) = input.split_once('.').unwrap();
    assert_eq!(protected, v["protected"].as_str().unwrap());
    assert_eq!(payload, v["payload"].as_str().unwrap());
}

#[test]
fn all_six_algorithms_verify_when_crafted() {
    for (name, alg) in [
        ("rsa2048", Ps256),
        ("rsa3072", Ps384),
        ("rsa4096", Ps512),
        ("p256", Es256),
        ("p384", Es384),
        ("p521", Es512),
    ] {
        let f = fixture(name);
        let env = Parts::signed(&header(alg.jws_name()), PAYLOAD, &f.key, alg, &f.chain).to_json();
        let v = parse(&env).unwrap().verify_integrity().unwrap();
        assert_eq!(v.envelope().signed_attributes().algorithm, alg, "{name}");
        let sig_len = v.envelope().signature().len();
        let expected: usize = match alg {
            Es256 => 64,
            Es384 => 96,
            Es512 => 132,
            Ps256 => 256,
            Ps384 => 384,
            Ps512 => 512,
        };
        assert_eq!(sig_len, expected, "{name}");
        let _: SignatureAlgorithm = alg;
    }
}
