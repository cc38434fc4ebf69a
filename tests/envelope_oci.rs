//! Signature manifests from the notation e2e OCI layouts (legacy form, signature-specification.md
//! §OCI Signatures) and the envelopes they reference.

mod support;

use nv2::envelope::UnverifiedEnvelope;
use nv2::oci::SignatureManifest;
use support::envelope::conformance_dir;

#[test]
fn e2e_layout_signature_manifests() {
    let Some(dir) = conformance_dir() else { return };
    let layouts = dir.join("notation/test/e2e/testdata/registry/oci_layout");
    let mut manifests = 0;
    for layout in std::fs::read_dir(&layouts).unwrap() {
        let layout = layout.unwrap().path();
        let blobs = layout.join("blobs/sha256");
        let Ok(entries) = std::fs::read_dir(&blobs) else {
            continue;
        };
        for blob in entries {
            let path = blob.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let is_sig = bytes.len() < 4 * 1024 * 1024
                && serde_json::from_slice::<serde_json::Value>(&bytes)
                    .map(|v| v["config"]["mediaType"] == "application/vnd.cncf.notary.signature")
                    .unwrap_or(false);
            if !is_sig {
                continue;
            }
            let m = SignatureManifest::parse(&bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(m.legacy);
            manifests += 1;
            let env_path = blobs.join(m.envelope.digest.hex());
            let env = std::fs::read(&env_path).unwrap();
            assert!(m.envelope.matches_content(&env), "{}", env_path.display());
            let result = UnverifiedEnvelope::parse(&m.envelope.media_type, &env)
                .and_then(|e| e.verify_integrity());
            let name = layout.file_name().unwrap().to_string_lossy().to_string();
            if name == "e2e-invalid-signature" {
                // Its single layer is a text file, not an envelope.
                assert_eq!(result.unwrap_err().code(), "ERR_UNSUPPORTED_ENVELOPE");
            } else {
                result.unwrap_or_else(|e| panic!("{name}: {e}"));
                let thumbprints = m.thumbprints().unwrap();
                assert_eq!(thumbprints.len(), 1, "{name}");
            }
        }
    }
    assert!(manifests >= 7, "found {manifests}");
}
