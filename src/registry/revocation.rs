//! Revocation data that travels with the artifact (docs/revocation.md §Air-gapped networks): CRLs
//! pushed as a referrer of the artifact, so `copy` carries them across registries and air gaps
//! like signatures, and `verify` finds them where no revocation server can be reached.
//!
//! The artifact is an OCI image manifest (OCI image-spec manifest.md §Guidelines for Artifact
//! Usage) with `artifactType` [`ARTIFACT_TYPE_REVOCATION`], the empty config, one
//! `application/pkix-crl` layer per CRL (DER, RFC 2585 §4.2's media type) and the artifact as
//! `subject`. CRLs are signed by their CA, so the channel needs no trust of its own: a CRL from
//! the registry is checked like any other (signature, issuer, freshness), and a stale or forged
//! one never makes a certificate good.

use super::client::{PushedManifest, RegistryClient, Resolved};
use super::error::RegistryError;
use super::http::HttpClient;
use crate::crypto::HashAlgorithm;
use crate::oci::{Descriptor, Reference, EMPTY_CONTENT, MEDIA_TYPE_OCI_MANIFEST};
use crate::revocation::crl::{Crl, MAX_CRLS, MAX_CRL_BYTES};

/// The `artifactType` of nv2's revocation-data artifact.
pub const ARTIFACT_TYPE_REVOCATION: &str = "application/vnd.nv2.revocation.v1";
/// The media type of a DER CRL layer (RFC 2585 §4.2).
pub const MEDIA_TYPE_CRL: &str = "application/pkix-crl";
/// Revocation artifacts read per verification (newest listed first is not guaranteed by the
/// registry, so the first ones listed; each holds up to [`MAX_CRLS`] CRLs).
pub const MAX_REVOCATION_ARTIFACTS: usize = 8;

/// The DER of a CRL given as DER or PEM, once it parses as a CRL.
fn crl_der(input: &[u8]) -> Result<Vec<u8>, RegistryError> {
    Crl::from_pem_or_der(input).map_err(|e| RegistryError::Parse(format!("CRL: {e}")))?;
    Ok(match crate::x509::pem::decode(input) {
        Some((block, _)) => block.bytes,
        None => input.to_vec(),
    })
}

/// Pushes `crls` (DER or PEM; each must parse as a CRL) as a revocation-data referrer of
/// `target` (from [`RegistryClient::resolve`]), maintaining the referrers tag index where the
/// registry has no Referrers API. `created` is the manifest's `org.opencontainers.image.created`
/// annotation (RFC 3339), so several attachments can be told apart.
pub async fn attach_revocation<C: HttpClient>(
    client: &RegistryClient<C>,
    target: &Resolved,
    crls: &[Vec<u8>],
    created: &str,
) -> Result<PushedManifest, RegistryError> {
    if crls.is_empty() {
        return Err(RegistryError::Parse("no CRL to attach".into()));
    }
    if crls.len() > MAX_CRLS {
        return Err(RegistryError::Limit(format!(
            "more than {MAX_CRLS} CRLs in one attachment"
        )));
    }
    let ders = crls
        .iter()
        .map(|c| crl_der(c))
        .collect::<Result<Vec<_>, _>>()?;
    let repo = &target.pinned;
    let mut blobs: Vec<&[u8]> = ders.iter().map(Vec::as_slice).collect();
    blobs.push(EMPTY_CONTENT);
    let layers: Vec<Descriptor> = ders
        .iter()
        .map(|d| Descriptor::for_content(MEDIA_TYPE_CRL, HashAlgorithm::Sha256, d))
        .collect();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE_REVOCATION,
        "config": Descriptor::empty(),
        "layers": layers,
        "subject": Descriptor::new(
            target.descriptor.media_type.clone(),
            target.descriptor.digest.clone(),
            target.descriptor.size,
        ),
        "annotations": { "org.opencontainers.image.created": created },
    });
    let bytes = serde_json::to_vec(&manifest).map_err(|e| RegistryError::Parse(e.to_string()))?;
    let (pushed, _) = client
        .push_referrer(
            repo,
            &blobs,
            MEDIA_TYPE_OCI_MANIFEST,
            &bytes,
            &target.descriptor.digest,
            None,
        )
        .await?;
    Ok(pushed)
}

/// The CRLs attached to `target` (at most `MAX_REVOCATION_ARTIFACTS` artifacts and
/// [`MAX_CRLS`] CRLs, each fetched by digest and size), with notes on what was skipped. A
/// listing or fetch failure is a note, not an error: attached data only ever adds material, and
/// without it a certificate's status stays unknown (fail closed).
pub async fn attached_crls<C: HttpClient>(
    client: &RegistryClient<C>,
    repo: &Reference,
    target: &Descriptor,
) -> (Vec<Vec<u8>>, Vec<String>) {
    let mut notes = Vec::new();
    let list = match client
        .referrers(repo, &target.digest, Some(ARTIFACT_TYPE_REVOCATION))
        .await
    {
        Ok(l) => l,
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("attached revocation data not listed: {e}")],
            )
        }
    };
    let mut crls = Vec::new();
    for desc in list.descriptors.iter().take(MAX_REVOCATION_ARTIFACTS) {
        let layers = match client
            .fetch_manifest(repo, desc)
            .await
            .map(|b| crl_layers(&b))
        {
            Ok(Ok(layers)) => layers,
            Ok(Err(why)) | Err(RegistryError::Parse(why)) => {
                notes.push(format!("revocation data {}: {why}", desc.digest));
                continue;
            }
            Err(e) => {
                notes.push(format!("revocation data {}: {e}", desc.digest));
                continue;
            }
        };
        for layer in layers {
            if crls.len() >= MAX_CRLS {
                notes.push(format!(
                    "more than {MAX_CRLS} attached CRLs; the rest are not read"
                ));
                return (crls, notes);
            }
            match client.fetch_blob(repo, &layer, MAX_CRL_BYTES as u64).await {
                Ok(b) => crls.push(b),
                Err(e) => notes.push(format!("attached CRL {}: {e}", layer.digest)),
            }
        }
    }
    (crls, notes)
}

/// The CRL layers of a revocation-data manifest.
fn crl_layers(bytes: &[u8]) -> Result<Vec<Descriptor>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("manifest: {e}"))?;
    if v.get("artifactType").and_then(|t| t.as_str()) != Some(ARTIFACT_TYPE_REVOCATION) {
        return Err("not a revocation-data manifest".into());
    }
    let layers = v
        .get("layers")
        .and_then(|l| l.as_array())
        .ok_or("manifest without layers")?;
    Ok(layers
        .iter()
        .filter_map(|l| Descriptor::from_json_value(l.clone()).ok())
        .filter(|d| d.media_type == MEDIA_TYPE_CRL)
        .take(MAX_CRLS)
        .collect())
}
