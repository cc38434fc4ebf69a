use super::*;

#[test]
fn children_of_index_and_manifest() {
    let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}]}"#;
    let (m, b) = children(index).unwrap();
    assert_eq!((m.len(), b.len()), (1, 0));
    let manifest = br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}]}"#;
    let (m, b) = children(manifest).unwrap();
    assert_eq!((m.len(), b.len()), (0, 2));
    assert!(children(br#"{"layers":{}}"#).is_err());
    assert!(children(br#"{"layers":[{"digest":"sha256:00"}]}"#).is_err());
}

#[test]
fn non_distributable_layers() {
    assert!(non_distributable(
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    ));
    assert!(non_distributable(
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    ));
    assert!(!non_distributable(
        "application/vnd.oci.image.layer.v1.tar+gzip"
    ));
}
