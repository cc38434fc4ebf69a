//! The countersignature verification of a parsed token (RFC 3161 §2.4.2, RFC 5652 §5.4-5.6):
//! the SignerInfo's TSA certificate, its chain to a trusted TSA root, the signature over the
//! signed attributes and the attribute checks.

use super::der::*;
use super::token::SignerInfo;
use super::*;
use crate::limits::{LimitExceeded, SIGNATURE_CHECKS};

impl SignedToken {
    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp": the
    /// first SignerInfo that verifies wins (else the last error): its `signingCertificateV2`
    /// selects the TSA certificate, which must chain through the token's certificates to one of
    /// `roots` (byte-equal) with every certificate valid at `at` (the genTime) and EKU compatible
    /// with timeStamping; then the signature over the DER signed attributes, the content-type and
    /// message-digest attributes, the signing-time attribute if any, and the TSA certificate's EKU
    /// (exactly timeStamping, critical). Returns the chain, TSA certificate first.
    pub fn verify(
        &self,
        roots: &[Certificate],
        at: Instant,
    ) -> Result<Vec<Certificate>, TimestampError> {
        let mut last = String::from("signerInfo not found");
        // One signature-check budget for the whole token (crate::limits::SIGNATURE_CHECKS), shared
        // by its SignerInfos: a budget per SignerInfo multiplied with their count.
        let mut budget = SIGNATURE_CHECKS;
        for si in &self.signers {
            match self.verify_signer(si, roots, at, &mut budget) {
                Ok(chain) => return Ok(chain),
                Err(e) => last = e,
            }
        }
        if budget == 0 {
            return Err(TimestampError::Limit(LimitExceeded {
                limit: "timestamp.signatureChecks",
                max: SIGNATURE_CHECKS,
                found: SIGNATURE_CHECKS + 1,
            }));
        }
        Err(TimestampError::Verify(last))
    }

    fn verify_signer(
        &self,
        si: &SignerInfo,
        roots: &[Certificate],
        at: Instant,
        budget: &mut usize,
    ) -> Result<Vec<Certificate>, String> {
        let cert = self.signing_certificate(si)?;
        let cms = |e: String| format!("cms verification failure: {e}");
        if si.version != 1 {
            return Err(cms(format!(
                "invalid signer info version: only version 1 is supported; got {}",
                si.version
            )));
        }
        let chain = build_chain(cert, &self.certs, roots, at, budget).map_err(cms)?;
        if *budget == 0 {
            return Err(cms("signature check budget exhausted".into()));
        }
        *budget -= 1;
        self.verify_signature(si, cert).map_err(cms)?;
        self.verify_signed_attrs(si, &chain).map_err(cms)?;
        // RFC 3161 §2.3: the TSA certificate has exactly one EKU, timeStamping, critical.
        match cert.ext_key_usage() {
            Some(e) if e.purposes.as_slice() == [ID_KP_TIME_STAMPING] => {
                if e.critical {
                    Ok(chain)
                } else {
                    Err("signing certificate extended key usage extension must be set as critical".into())
                }
            }
            _ => Err("signing certificate must have and only have ExtKeyUsageTimeStamping as extended key usage".into()),
        }
    }

    /// RFC 5035 / RFC 3161 §2.4.1: the certificate named by `signingCertificateV2` (its
    /// IssuerSerial, else the SignerInfo sid), whose hash must match. v1 `signingCertificate`
    /// is not accepted.
    fn signing_certificate(&self, si: &SignerInfo) -> Result<&Certificate, String> {
        let attr = si.attr(&SIGNING_CERT_V2).and_then(|t| {
            let mut ids = Rd(Rd(t.raw).take(0x30)?);
            let first = Rd(ids.take(0x30)?).opt(0x30);
            let Some(first) = first else { return Ok(None) };
            let mut r = Rd(first.body);
            let hash = r.opt(0x30).map(|t| alg(t.body)).transpose()?;
            let cert_hash = r.take(0x04)?;
            let issuer_serial = r.opt(0x30);
            Ok(Some((hash, cert_hash, issuer_serial)))
        });
        let (hash, cert_hash, issuer_serial) = attr
            .map_err(|e| format!("failed to get SigningCertificateV2 from signed attributes: {e}"))?
            .ok_or("signingCertificateV2 does not contain any certificate")?;
        let candidate = match issuer_serial {
            Some(is) => {
                let mut r = Rd(is.body);
                let names = r.take(0x30)?;
                let serial = r.take(0x02)?;
                // GeneralNames: the first entry must be a directoryName ([4] EXPLICIT Name).
                let name = Rd(names)
                    .opt(0xa4)
                    .ok_or("issuer name is missing in IssuerSerial")?;
                let issuer = Rd(name.body)
                    .any()
                    .map_err(|e| format!("failed to unmarshal issuer name: {e}"))?;
                self.find(issuer.raw, serial)
            }
            None => self.find(&si.sid_issuer, &si.sid_serial),
        }
        .ok_or("signing certificate not found in the timestamp token")?;
        let h = match hash {
            None => HashAlgorithm::Sha256,
            Some((id, _)) => HashAlgorithm::from_oid(&id).ok_or(
                "unsupported certificate hash algorithm in SigningCertificateV2 attribute",
            )?,
        };
        if h.digest(candidate.der()) != cert_hash {
            return Err(
                "signing certificate hash does not match CertHash in signed attribute".into(),
            );
        }
        Ok(candidate)
    }

    /// The token certificate with this raw issuer name and serial number.
    fn find(&self, issuer: &[u8], serial: &[u8]) -> Option<&Certificate> {
        let trim = |b: &[u8]| -> Vec<u8> { b.iter().skip_while(|x| **x == 0).copied().collect() };
        let serial = trim(serial);
        self.certs
            .iter()
            .find(|c| c.raw_issuer() == issuer && trim(c.serial()) == serial)
    }

    /// RFC 5652 §5.6: the signature over the DER signed attributes with the TSA key.
    fn verify_signature(&self, si: &SignerInfo, cert: &Certificate) -> Result<(), String> {
        // Go's `oid.ToSignatureAlgorithm`: rsaEncryption takes its hash from digestAlgorithm.
        let algorithm = match (si.sig_alg, HashAlgorithm::from_oid(&si.digest_alg)) {
            (algs::RSA_ENCRYPTION, Some(HashAlgorithm::Sha256)) => {
                algs::SHA_256_WITH_RSA_ENCRYPTION
            }
            (algs::RSA_ENCRYPTION, Some(HashAlgorithm::Sha384)) => {
                algs::SHA_384_WITH_RSA_ENCRYPTION
            }
            (algs::RSA_ENCRYPTION, Some(HashAlgorithm::Sha512)) => {
                algs::SHA_512_WITH_RSA_ENCRYPTION
            }
            (algs::RSA_ENCRYPTION, None) => return Err("unknown signature algorithm".into()),
            (other, _) => other,
        };
        let msg = si.signed_attrs.as_deref().unwrap_or(&self.content);
        let key: PublicKey = cert.public_key().map_err(|e| e.to_string())?;
        let rsa = matches!(key, PublicKey::Rsa(_));
        key.verify_x509(&algorithm, si.sig_params.as_deref(), msg, &si.signature)
            .map_err(|e| match e {
                CryptoError::BadSignature if rsa => "crypto/rsa: verification error".into(),
                CryptoError::BadSignature => "x509: ECDSA verification failure".into(),
                CryptoError::UnsupportedAlgorithm(_) => "unknown signature algorithm".into(),
                other => other.to_string(),
            })
    }

    /// RFC 5652 §5.3, §11: content-type = id-ct-TSTInfo, message-digest = hash of the TSTInfo,
    /// signing-time (if any) within the chain's validity.
    fn verify_signed_attrs(&self, si: &SignerInfo, chain: &[Certificate]) -> Result<(), String> {
        if si.signed_attrs.is_none() {
            return Err("missing signed attributes".into());
        }
        let ct = si
            .attr(&CONTENT_TYPE)
            .and_then(|t| Rd(t.raw).take(0x06).and_then(oid))
            .map_err(|e| format!("invalid content type: {e}"))?;
        if ct != TST_INFO {
            return Err(format!(
                "mismatch content type: found \"{ct}\" in signer info, and \"{TST_INFO}\" in signed data"
            ));
        }
        let md = si
            .attr(&MESSAGE_DIGEST)
            .and_then(|t| Rd(t.raw).take(0x04))
            .map_err(|e| format!("invalid message digest: {e}"))?;
        let hash = HashAlgorithm::from_oid(&si.digest_alg).ok_or("unsupported digest algorithm")?;
        if hash.digest(&self.content) != md {
            return Err("mismatch message digest".into());
        }
        if let Ok(t) = si.attr(&SIGNING_TIME) {
            let t = time(t.tag, t.body).map_err(|e| format!("invalid signing time: {e}"))?;
            if chain.iter().any(|c| !c.is_valid_at(t)) {
                return Err(format!(
                    "signing time, {}, is outside certificate's validity period",
                    t.to_rfc3339()
                ));
            }
        }
        Ok(())
    }
}

/// Whether `cert` may appear in a timestamping chain (Go's `checkChainForKeyUsage`: no EKU,
/// anyExtendedKeyUsage, or timeStamping).
fn eku_allows_timestamping(cert: &Certificate) -> bool {
    cert.ext_key_usage().is_none_or(|e| {
        e.purposes
            .iter()
            .any(|p| *p == ID_KP_TIME_STAMPING || *p == ANY_EXTENDED_KEY_USAGE)
    })
}

/// Go's `x509.Certificate.Verify` with the token's certificates as intermediates, `roots` as the
/// trust anchors (byte-equal), `at` as the current time and the timeStamping EKU: a path from
/// `leaf` to a root, every certificate valid at `at`, each issued by the next (signature, CA
/// status, raw names: [`Certificate::verify_issued_by`]). Bounded depth and signature checks.
fn build_chain(
    leaf: &Certificate,
    pool: &[Certificate],
    roots: &[Certificate],
    at: Instant,
    budget: &mut usize,
) -> Result<Vec<Certificate>, String> {
    if !leaf.is_valid_at(at) {
        let (rel, bound) = if at < leaf.not_before() {
            ("before", leaf.not_before())
        } else {
            ("after", leaf.not_after())
        };
        return Err(format!(
            "x509: certificate has expired or is not yet valid: current time {} is {rel} {}",
            at.to_rfc3339(),
            bound.to_rfc3339()
        ));
    }
    if !eku_allows_timestamping(leaf) {
        return Err("x509: certificate specifies an incompatible key usage".into());
    }
    let mut chain = vec![leaf.clone()];
    if extend(&mut chain, pool, roots, at, budget) {
        Ok(chain)
    } else {
        Err("x509: certificate signed by unknown authority".into())
    }
}

fn extend(
    chain: &mut Vec<Certificate>,
    pool: &[Certificate],
    roots: &[Certificate],
    at: Instant,
    budget: &mut usize,
) -> bool {
    let Some(cur) = chain.last().cloned() else {
        return false;
    };
    if roots.iter().any(|r| r == &cur) {
        return true;
    }
    if chain.len() >= MAX_CHAIN_LEN {
        return false;
    }
    for (is_root, cand) in roots
        .iter()
        .map(|c| (true, c))
        .chain(pool.iter().map(|c| (false, c)))
    {
        if (!is_root && chain.contains(cand))
            // Raw name bytes, as Go's chain building compares them (`verify_issued_by` below
            // requires the same).
            || cand.raw_subject() != cur.raw_issuer()
            || !cand.is_valid_at(at)
            || !eku_allows_timestamping(cand)
            || *budget == 0
        {
            continue;
        }
        *budget -= 1;
        if cur.verify_issued_by(cand).is_err() {
            continue;
        }
        chain.push(cand.clone());
        if is_root || extend(chain, pool, roots, at, budget) {
            return true;
        }
        chain.pop();
    }
    false
}
