use super::*;

const D256: &str = "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e";

#[test]
fn digest_parsing() {
    let d = Digest::parse(D256).unwrap();
    assert_eq!(d.algorithm(), HashAlgorithm::Sha256);
    assert_eq!(d.to_string(), D256);
    assert_eq!(
        Digest::of(HashAlgorithm::Sha256, b"{}").to_string(),
        EMPTY_DIGEST
    );
    for bad in [
        "sha256:60043CF45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74",
        "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e0",
        "sha384:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        "SHA256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        "sha256:",
        "",
    ] {
        assert!(Digest::parse(bad).is_err(), "{bad}");
    }
    let d512 = Digest::of(HashAlgorithm::Sha512, b"x");
    assert_eq!(Digest::parse(&d512.to_string()).unwrap(), d512);
    assert!(d512.matches(b"x") && !d512.matches(b"y"));
}

#[test]
fn descriptor_members_and_messages() {
    let full = format!(
        r#"{{"annotations":{{"k":"v"}},"artifactType":"t/x","data":"e30=","digest":"{D256}",
                "mediaType":"a/b","platform":{{"os":"linux"}},"size":2,"urls":["https://x"],"z":[1]}}"#
    );
    let d = Descriptor::from_json(full.as_bytes()).unwrap();
    assert_eq!((d.media_type.as_str(), d.size), ("a/b", 2));
    assert_eq!(d.digest.to_string(), D256);
    assert_eq!(d.urls, Some(vec!["https://x".to_string()]));
    assert_eq!(d.annotations.unwrap()["k"], "v");
    assert_eq!(d.data.as_deref(), Some("e30="));
    assert_eq!(d.platform.unwrap()["os"], "linux");
    assert_eq!(d.artifact_type.as_deref(), Some("t/x"));
    // Optional members may be null; the serialised form round-trips.
    let nulls = format!(
        r#"{{"mediaType":"a/b","digest":"{D256}","size":1,"urls":null,"annotations":null,"data":null,"platform":null,"artifactType":null}}"#
    );
    let d = Descriptor::from_json(nulls.as_bytes()).unwrap();
    assert_eq!(d, Descriptor::new("a/b", Digest::parse(D256).unwrap(), 1));
    let again: Descriptor = serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
    assert_eq!(again, d);
    // serde's messages, checked in member order.
    let err = |j: &str| match Descriptor::from_json(j.as_bytes()) {
        Err(OciError::InvalidDescriptor(m)) => m,
        other => panic!("{j}: {other:?}"),
    };
    assert_eq!(
        err(r#"{"mediaType":"a/b","size":1}"#),
        "missing field `digest`"
    );
    assert_eq!(
        err(&format!(r#"{{"digest":"{D256}","size":1}}"#)),
        "missing field `mediaType`"
    );
    assert_eq!(
        err(&format!(r#"{{"mediaType":3,"digest":"{D256}","size":1}}"#)),
        "invalid type: integer `3`, expected a string"
    );
    assert_eq!(
        err(&format!(
            r#"{{"mediaType":"a/b","digest":"{D256}","size":1,"annotations":{{"k":1}}}}"#
        )),
        "invalid type: integer `1`, expected a string"
    );
    assert_eq!(
        err(&format!(
            r#"{{"mediaType":"a/b","digest":"{D256}","size":-1}}"#
        )),
        "negative size -1"
    );
    assert!(err(r#"{"digest":"sha256:00","mediaType":"a/b","size":1}"#).contains("digest"));
    // Arrays are not descriptors (the derive used to read them positionally).
    let array = format!(r#"["a/b","{D256}",1]"#);
    let v: serde_json::Value = serde_json::from_str(&array).unwrap();
    let e = serde_json::from_value::<Descriptor>(v)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "invalid type: sequence, expected struct Descriptor");
    let e = serde_json::from_str::<Descriptor>("\"x\"")
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid type: string \"x\", expected struct Descriptor"),
        "{e}"
    );
}

#[test]
fn descriptor_sizes_are_integers() {
    let ok = format!(r#"{{"mediaType":"a/b","digest":"{D256}","size":528,"x":1}}"#);
    assert_eq!(Descriptor::from_json(ok.as_bytes()).unwrap().size, 528);
    for size in [
        "528.0",
        "5.28e2",
        "1e3",
        "-1",
        "9007199254740993",
        "18446744073709551616",
        "\"528\"",
        "null",
    ] {
        let j = format!(r#"{{"mediaType":"a/b","digest":"{D256}","size":{size}}}"#);
        assert!(Descriptor::from_json(j.as_bytes()).is_err(), "{size}");
    }
    let max = format!(r#"{{"mediaType":"a/b","digest":"{D256}","size":9007199254740992}}"#);
    assert!(Descriptor::from_json(max.as_bytes()).is_ok());
    let dup = format!(r#"{{"mediaType":"a/b","digest":"{D256}","digest":"{D256}","size":1}}"#);
    assert!(matches!(
        Descriptor::from_json(dup.as_bytes()),
        Err(OciError::Json(EncodingError::DuplicateMember(_)))
    ));
    let case = format!(r#"{{"MediaType":"a/b","digest":"{D256}","size":1}}"#);
    assert!(Descriptor::from_json(case.as_bytes()).is_err());
    let missing = r#"{"mediaType":"a/b","size":1}"#;
    assert!(Descriptor::from_json(missing.as_bytes()).is_err());
}

#[test]
fn matches_target_ignores_annotations() {
    let a = Descriptor::new("a/b", Digest::parse(D256).unwrap(), 528);
    let mut b = a.clone();
    b.annotations = Some([("k".to_string(), "v".to_string())].into());
    b.artifact_type = Some("x".into());
    assert!(a.matches_target(&b));
    b.size = 529;
    assert!(!a.matches_target(&b));
    let mut c = a.clone();
    c.media_type = "a/c".into();
    assert!(!a.matches_target(&c));
}

fn signed_manifest() -> EncodedManifest {
    let env = Descriptor::for_content("application/jose+json", HashAlgorithm::Sha256, b"env");
    let subject = Descriptor::new(MEDIA_TYPE_OCI_MANIFEST, Digest::parse(D256).unwrap(), 528);
    let m = SignatureManifest::new(
        env,
        &subject,
        &[b"leaf".to_vec(), b"root".to_vec()],
        Instant::from_unix_seconds(1_700_000_000),
    )
    .unwrap();
    m.encode().unwrap()
}

#[test]
fn manifest_round_trip() {
    let enc = signed_manifest();
    let text = String::from_utf8(enc.bytes.clone()).unwrap();
    assert!(text.starts_with(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/jose+json""#
        ));
    assert!(enc.descriptor.matches_content(&enc.bytes));
    let parsed = SignatureManifest::parse(&enc.bytes).unwrap();
    assert!(!parsed.legacy);
    assert_eq!(parsed.envelope.media_type, "application/jose+json");
    assert_eq!(
        parsed.thumbprints().unwrap(),
        vec![
            crate::crypto::sha256_hex(b"leaf"),
            crate::crypto::sha256_hex(b"root")
        ]
    );
    assert_eq!(
        parsed.annotations[ANNOTATION_CREATED],
        "2023-11-14T22:13:20Z"
    );
}

fn mutate(f: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let enc = signed_manifest();
    let mut v: serde_json::Value = serde_json::from_slice(&enc.bytes).unwrap();
    f(v.as_object_mut().unwrap());
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn manifest_rejections() {
    // Threat model 2b: layers + manifests polyglot; two layers; none.
    let poly = mutate(|m| {
        m.insert("manifests".into(), serde_json::json!([]));
    });
    assert!(SignatureManifest::parse(&poly).is_err());
    let two = mutate(|m| {
        let l = m["layers"][0].clone();
        m.insert("layers".into(), serde_json::json!([l.clone(), l]));
    });
    assert!(SignatureManifest::parse(&two).is_err());
    let none = mutate(|m| {
        m.insert("layers".into(), serde_json::json!([]));
    });
    assert!(SignatureManifest::parse(&none).is_err());
    let no_mt = mutate(|m| {
        m.remove("mediaType");
    });
    assert!(SignatureManifest::parse(&no_mt).is_err());
    let index_mt = mutate(|m| {
        m.insert("mediaType".into(), MEDIA_TYPE_OCI_INDEX.into());
    });
    assert!(SignatureManifest::parse(&index_mt).is_err());
    let other_type = mutate(|m| {
        m.insert("artifactType".into(), "application/spdx+json".into());
    });
    assert!(SignatureManifest::parse(&other_type).is_err());
    let no_subject = mutate(|m| {
        m.remove("subject");
    });
    assert!(SignatureManifest::parse(&no_subject).is_err());
    let bad_data = mutate(|m| {
        m["config"]["data"] = "e31=".into();
    });
    assert!(SignatureManifest::parse(&bad_data).is_err());
    let good_data = mutate(|m| {
        m["config"]["data"] = "e30=".into();
    });
    assert!(SignatureManifest::parse(&good_data).is_ok());
    // Legacy form.
    let legacy = mutate(|m| {
        m.remove("artifactType");
        m["config"]["mediaType"] = ARTIFACT_TYPE_NOTARY_SIGNATURE.into();
    });
    assert!(SignatureManifest::parse(&legacy).unwrap().legacy);
    // Current form requires artifactType with an empty config.
    let empty_no_at = mutate(|m| {
        m.remove("artifactType");
    });
    assert!(SignatureManifest::parse(&empty_no_at).is_err());
}

#[test]
fn references() {
    let r = Reference::parse("alpine").unwrap();
    assert_eq!(
        (r.registry.as_str(), r.repository.as_str()),
        ("docker.io", "library/alpine")
    );
    assert_eq!(r.tag, None);
    let r = Reference::parse("user/app:1.0").unwrap();
    assert_eq!(r.scope(), "docker.io/user/app");
    assert_eq!(r.tag.as_deref(), Some("1.0"));
    let r = Reference::parse(&format!("localhost:5000/net-monitor:v1@{D256}")).unwrap();
    assert_eq!(r.registry, "localhost:5000");
    assert_eq!(r.repository, "net-monitor");
    assert_eq!(r.tag.as_deref(), Some("v1"));
    assert_eq!(r.digest.as_ref().unwrap().to_string(), D256);
    assert_eq!(
        r.to_string(),
        format!("localhost:5000/net-monitor:v1@{D256}")
    );
    let r = Reference::parse_qualified(&format!("ghcr.io/a/b/c@{D256}")).unwrap();
    assert_eq!(r.repository, "a/b/c");
    assert!(matches!(
        Reference::parse_qualified("app"),
        Err(OciError::InvalidReference(_))
    ));
    assert!(Reference::parse_qualified("user/app").is_err());
    for bad in [
        "",
        "ghcr.io/",
        "ghcr.io/App",
        "ghcr.io/a//b",
        "ghcr.io/a:",
        "ghcr.io/a:-x",
        "ghcr.io/a@sha256:abc",
        "ghcr.io/a_.b",
        "ghcr.io/-a",
    ] {
        assert!(Reference::parse(bad).is_err(), "{bad}");
    }
}
