//! Producing a flattened JWS envelope (signature-envelope-jws.md): [`prepare`], then
//! [`PreparedJws::complete`] with the signature. Moved out of `jws.rs`; only paths to the envelope module changed.

use super::*;

/// What [`prepare`] needs to build a JWS envelope (signature-envelope-jws.md); the same options
/// build a COSE envelope ([`crate::envelope::cose::prepare`]).
pub type JwsSigningOptions = EnvelopeSigningOptions;

/// A JWS envelope waiting for its signature: hand [`PreparedJws::signing_input`] to the signer,
/// then call [`PreparedJws::complete`].
#[derive(Clone, Debug)]
pub struct PreparedJws {
    protected: String,
    payload: String,
    signing_input: Vec<u8>,
    algorithm: SignatureAlgorithm,
    key: PublicKey,
    cert_chain: Vec<Vec<u8>>,
    signing_agent: Option<String>,
    has_critical_extension: bool,
}

fn signing_err(s: impl Into<String>) -> EnvelopeError {
    EnvelopeError::Signing(s.into())
}

/// Builds the protected header and signing input for `payload` (signature-envelope-jws.md
/// §Signature Envelope, §Protected Headers). `payload` must be a JSON object (the Notary payload,
/// signature-specification.md §Payload).
pub fn prepare(payload: &[u8], opts: &JwsSigningOptions) -> Result<PreparedJws, EnvelopeError> {
    match encoding::parse_json_strict(payload) {
        Ok(Value::Object(_)) => {}
        _ => return Err(signing_err("the payload must be a strict JSON object")),
    }
    let (key, signing_time, expiry) = crate::envelope::check_signing_options(opts)?;

    let mut header = Map::new();
    // Crit order as notation-core-go writes it: scheme, critical extended attributes,
    // authenticSigningTime, expiry.
    let mut crit = vec![Value::from(HEADER_SIGNING_SCHEME)];
    for attr in &opts.extended_attributes {
        let k = attr.key.as_str();
        if k.is_empty()
            || k.starts_with(crate::oci::RESERVED_ANNOTATION_PREFIX)
            || KNOWN_PROTECTED
                .iter()
                .chain(JWS_REGISTERED.iter())
                .any(|r| r.eq_ignore_ascii_case(k))
        {
            return Err(signing_err(format!(
                "extended attribute name {k:?} is reserved"
            )));
        }
        if header.insert(k.to_string(), attr.value.clone()).is_some() {
            return Err(signing_err(format!("duplicate extended attribute {k:?}")));
        }
        if attr.critical {
            crit.push(Value::from(k));
        }
    }
    header.insert(HEADER_ALG.into(), opts.algorithm.jws_name().into());
    header.insert(HEADER_CTY.into(), MEDIA_TYPE_PAYLOAD.into());
    header.insert(
        HEADER_SIGNING_SCHEME.into(),
        opts.signing_scheme.as_str().into(),
    );
    match opts.signing_scheme {
        SigningScheme::X509 => {
            header.insert(HEADER_SIGNING_TIME.into(), signing_time.to_rfc3339().into());
        }
        SigningScheme::X509SigningAuthority => {
            crit.push(HEADER_AUTHENTIC_SIGNING_TIME.into());
            header.insert(
                HEADER_AUTHENTIC_SIGNING_TIME.into(),
                signing_time.to_rfc3339().into(),
            );
        }
    }
    if let Some(e) = expiry {
        crit.push(HEADER_EXPIRY.into());
        header.insert(HEADER_EXPIRY.into(), e.to_rfc3339().into());
    }
    header.insert(HEADER_CRIT.into(), Value::Array(crit));
    // Keys sorted, whatever serde_json's map flavour (an insertion sort: a dozen keys at most,
    // and no sort or map instantiation in the wasm).
    let mut sorted: Vec<(&String, &Value)> = Vec::with_capacity(header.len());
    for (k, v) in &header {
        let at = sorted
            .iter()
            .position(|(s, _)| *s > k)
            .unwrap_or(sorted.len());
        sorted.insert(at, (k, v));
    }
    let header_json =
        serde_json::to_vec(&SortedMap(&sorted)).map_err(|e| signing_err(e.to_string()))?;

    let protected = encoding::base64url_encode(&header_json);
    let payload_b64 = encoding::base64url_encode(payload);
    let signing_input = format!("{protected}.{payload_b64}").into_bytes();
    Ok(PreparedJws {
        protected,
        payload: payload_b64,
        signing_input,
        algorithm: opts.algorithm,
        key,
        cert_chain: opts.cert_chain.clone(),
        signing_agent: opts.signing_agent.clone(),
        has_critical_extension: opts.extended_attributes.iter().any(|a| a.critical),
    })
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    payload: &'a str,
    protected: &'a str,
    header: HeaderOut<'a>,
    signature: String,
}

/// serde's `rename` takes a literal, not a constant: the two names below are
/// [`HEADER_TIMESTAMP_SIGNATURE`] and [`HEADER_SIGNING_AGENT`] (a test checks they agree).
#[derive(Serialize)]
pub(super) struct HeaderOut<'a> {
    #[serde(
        rename = "io.cncf.notary.timestampSignature",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) timestamp_signature: Option<String>,
    pub(super) x5c: Vec<String>,
    #[serde(
        rename = "io.cncf.notary.signingAgent",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) signing_agent: Option<&'a str>,
}

impl PreparedJws {
    /// The exact bytes to sign: ASCII `protected + "." + payload` (signature-envelope-jws.md
    /// §Signature Envelope).
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// The algorithm the signature must use.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// Emits the envelope with `signature` (PSS, or raw `r || s` ECDSA; signature-envelope-jws.md
    /// §Signature). The signature is first verified under the leaf certificate's key, and the
    /// result is re-parsed and its integrity re-checked: a signer using another key fails here and
    /// nothing is emitted (threat model 3d).
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        self.complete_with_timestamp(signature, None)
    }

    /// As [`PreparedJws::complete`], adding an RFC 3161 timestamp token (DER) as
    /// `io.cncf.notary.timestampSignature` (signature-envelope-jws.md §Unprotected Headers). The
    /// token must stamp `signature`; nv2 does not check that here (the verifier does,
    /// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp").
    pub fn complete_with_timestamp(
        self,
        signature: &[u8],
        timestamp_token: Option<&[u8]>,
    ) -> Result<Vec<u8>, EnvelopeError> {
        self.key
            .verify_notary(self.algorithm, &self.signing_input, signature)
            .map_err(|_| {
                signing_err("the signature does not verify under the signing certificate's key")
            })?;
        let out = EnvelopeOut {
            payload: &self.payload,
            protected: &self.protected,
            header: HeaderOut {
                timestamp_signature: timestamp_token.map(encoding::base64_std_encode),
                x5c: self
                    .cert_chain
                    .iter()
                    .map(|c| encoding::base64_std_encode(c))
                    .collect(),
                signing_agent: self.signing_agent.as_deref(),
            },
            signature: encoding::base64url_encode(signature),
        };
        let bytes = serde_json::to_vec(&out).map_err(|e| signing_err(e.to_string()))?;
        // Self-check: what we emit must pass our own parser and integrity check. An envelope with
        // a critical extended attribute is, by docs/conformance.md §D1, only verifiable through a
        // plugin, so for those the signature check above is the check.
        if !self.has_critical_extension {
            parse(&bytes)
                .and_then(UnverifiedEnvelope::verify_integrity)
                .map_err(|e| signing_err(format!("produced envelope fails verification: {e}")))?;
        }
        Ok(bytes)
    }
}

/// Serializes key/value pairs as a JSON object in their order.
struct SortedMap<'a>(&'a [(&'a String, &'a Value)]);

impl Serialize for SortedMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}
