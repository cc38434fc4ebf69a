//! The COSE_Sign1 envelope (`application/cose`, signature-envelope-cose.md).
//!
//! A small strict CBOR reader (RFC 8949) is used instead of a general library so every rule of
//! signature-envelope-cose.md and threat model 12a is enforced at the byte level: the message must
//! be `COSE_Sign1_Tagged` (tag 18), every item must have a definite length, map keys must be unique
//! at every depth, nesting is bounded, and nothing may follow the message. The protected header is
//! kept exactly as received for the `Sig_structure` (RFC 9052 §4.4).
//!
//! Producing ([`prepare`] then [`PreparedCose::complete`]) writes what notation-go writes
//! (signature-envelope-cose.md): `COSE_Sign1_Tagged`, definite lengths, map keys in RFC 7049
//! canonical order (shorter encoded key first, then bytewise), `alg`/`crit`/content type and the
//! Notary headers in the protected bucket with times as tag 1 epoch seconds, `x5chain` (an array of
//! certificates) and the signing agent in the unprotected bucket. As for JWS, nothing is emitted
//! whose signature does not verify under the leaf certificate's key (threat model 3d).

use serde_json::Value;

mod header;

use header::{get, header_map, text_header, time_header, to_json, Headers, Label};

use super::cbor::{decode_all, malformed, push_head, write, Cbor, Out};
use super::headers::{
    HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_AGENT, HEADER_SIGNING_SCHEME,
    HEADER_SIGNING_TIME, HEADER_TIMESTAMP_SIGNATURE, HEADER_VERIFICATION_PLUGIN,
    HEADER_VERIFICATION_PLUGIN_MIN_VERSION, MEDIA_TYPE_PAYLOAD, NOTARY_PROTECTED,
};
use super::{
    EnvelopeError, EnvelopeFormat, EnvelopeSigningOptions, ExtendedAttribute, SignedAttributes,
    SigningScheme, UnverifiedEnvelope, MAX_CERT_CHAIN_LEN,
};
use crate::crypto::{PublicKey, SignatureAlgorithm};
use crate::encoding::SeenKeys;
use crate::limits::{LimitExceeded, CRIT_ENTRIES};
use crate::time::Instant;

/// CBOR tag of `COSE_Sign1_Tagged` (RFC 9052 §4.2).
pub(crate) const TAG_COSE_SIGN1: u64 = 18;
/// Header label `alg` (RFC 9052 §3.1).
pub(crate) const LABEL_ALG: i64 = 1;
/// Header label `crit`.
pub(crate) const LABEL_CRIT: i64 = 2;
/// Header label `content type`.
pub(crate) const LABEL_CONTENT_TYPE: i64 = 3;
/// Header label `x5chain` (RFC 9360).
pub(crate) const LABEL_X5CHAIN: i64 = 33;

/// Parses a COSE_Sign1 envelope (signature-envelope-cose.md). Use [`UnverifiedEnvelope::parse`] for
/// media-type dispatch.
pub fn parse(bytes: &[u8]) -> Result<UnverifiedEnvelope, EnvelopeError> {
    // signature-envelope-cose.md: COSE_Sign1_Tagged only (the message starts with D2 84).
    let parts = match decode_all(bytes)? {
        Cbor::Tag(TAG_COSE_SIGN1, inner) => match *inner {
            Cbor::Array(a) if a.len() == 4 => a,
            _ => return Err(malformed("COSE_Sign1 must be an array of four items")),
        },
        _ => return Err(malformed("not a COSE_Sign1_Tagged message (tag 18)")),
    };
    let mut parts = parts.into_iter();
    let mut next = || parts.next().ok_or_else(|| malformed("short COSE_Sign1"));
    let protected_raw = match next()? {
        Cbor::Bytes(b) => b,
        _ => return Err(malformed("the protected header must be a byte string")),
    };
    let unprotected = header_map(next()?, "unprotected")?;
    let payload = match next()? {
        Cbor::Bytes(b) => b,
        Cbor::Null => return Err(malformed("detached payloads are not supported")),
        _ => return Err(malformed("the payload must be a byte string")),
    };
    let signature = match next()? {
        Cbor::Bytes(b) if !b.is_empty() => b,
        _ => return Err(malformed("the signature must be a non-empty byte string")),
    };
    let protected = header_map(decode_all(&protected_raw)?, "protected")?;

    // RFC 9052 §3: a label may appear in only one bucket; crit only in the protected bucket.
    for (k, _) in unprotected.iter() {
        if get(&protected, k).is_some() {
            return Err(malformed(format!(
                "header {:?} appears in both the protected and unprotected buckets",
                k.name()
            )));
        }
        if *k == Label::Int(LABEL_CRIT) {
            return Err(malformed("crit must be a protected header"));
        }
    }

    let signed = parse_protected(&protected)?;

    // Unprotected: x5chain (label 33) as an array of byte strings (signature-envelope-cose.md).
    let chain = match get(&unprotected, &Label::Int(LABEL_X5CHAIN)) {
        Some(Cbor::Array(a)) if a.is_empty() => {
            return Err(EnvelopeError::invalid("x5chain", "empty certificate chain"))
        }
        Some(Cbor::Array(a)) => a,
        Some(_) => {
            return Err(EnvelopeError::invalid(
                "x5chain",
                "must be an array of byte strings",
            ))
        }
        None => return Err(EnvelopeError::MissingHeader("x5chain".into())),
    };
    if chain.len() > MAX_CERT_CHAIN_LEN {
        return Err(EnvelopeError::Limit(LimitExceeded {
            limit: "envelope.chain.certificates",
            max: MAX_CERT_CHAIN_LEN,
            found: chain.len(),
        }));
    }
    let cert_chain = chain
        .iter()
        .map(|c| match c {
            Cbor::Bytes(b) => Ok(b.clone()),
            _ => Err(EnvelopeError::invalid(
                "x5chain",
                "must be an array of byte strings",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let timestamp_token = match get(&unprotected, &Label::text(HEADER_TIMESTAMP_SIGNATURE)) {
        None => None,
        Some(Cbor::Bytes(b)) => Some(b.clone()),
        Some(_) => {
            return Err(EnvelopeError::invalid(
                HEADER_TIMESTAMP_SIGNATURE,
                "not a byte string",
            ))
        }
    };
    let signing_agent = text_header(&unprotected, &Label::text(HEADER_SIGNING_AGENT))?;

    let to_be_signed = sig_structure(&protected_raw, &payload);
    Ok(UnverifiedEnvelope {
        format: EnvelopeFormat::Cose,
        signed,
        cert_chain,
        signature,
        to_be_signed,
        payload,
        timestamp_token,
        signing_agent,
    })
}

fn duplicate_crit(c: &Label) -> EnvelopeError {
    EnvelopeError::invalid("crit", format!("duplicate entry {:?}", c.name()))
}

/// The labels signature-envelope-cose.md gives a meaning to in the protected bucket.
fn is_known(l: &Label) -> bool {
    match l {
        Label::Int(n) => matches!(*n, LABEL_ALG | LABEL_CRIT | LABEL_CONTENT_TYPE),
        Label::Text(s) => NOTARY_PROTECTED.contains(&s.as_str()),
    }
}

fn parse_protected(m: &Headers) -> Result<SignedAttributes, EnvelopeError> {
    // Label 1: alg, an integer naming one of the six (signature-envelope-cose.md,
    // signature-specification.md §Signature Algorithm Requirements).
    let algorithm = match get(m, &Label::Int(LABEL_ALG)) {
        None => return Err(EnvelopeError::MissingHeader("alg".into())),
        Some(c) => match Label::from_cbor(c) {
            Ok(Label::Int(id)) => SignatureAlgorithm::from_cose_id(id)
                .ok_or_else(|| EnvelopeError::UnsupportedAlgorithm(id.to_string()))?,
            _ => return Err(EnvelopeError::UnsupportedAlgorithm(format!("{c:?}"))),
        },
    };
    // Label 3: content type, a text string (a uint content type is refused,
    // signature-envelope-cose.md).
    let content_type = match get(m, &Label::Int(LABEL_CONTENT_TYPE)) {
        None => return Err(EnvelopeError::MissingHeader("content type".into())),
        Some(Cbor::Text(s)) => s.clone(),
        Some(_) => {
            return Err(EnvelopeError::invalid(
                "content type",
                "must be a text string",
            ))
        }
    };
    // Label 2: crit, a non-empty array of distinct labels (RFC 9052 §3.1), at most
    // [`CRIT_ENTRIES`]; kept as a set, so the checks below are a lookup per label, not a scan.
    let crit_raw = match get(m, &Label::Int(LABEL_CRIT)) {
        None => return Err(EnvelopeError::MissingCrit),
        Some(Cbor::Array(a)) if a.is_empty() => return Err(EnvelopeError::MissingCrit),
        Some(Cbor::Array(a)) => a,
        Some(_) => return Err(EnvelopeError::invalid("crit", "must be an array")),
    };
    LimitExceeded::check("cose.crit.entries", CRIT_ENTRIES, crit_raw.len())?;
    let mut crit = SeenKeys::default();
    for c in crit_raw {
        let c = Label::from_cbor(c)?;
        // signature-envelope-cose.md: crit must not list the registered labels 0-8 nor the
        // non-critical signing time; every listed label must be present in the protected bucket.
        let registered = matches!(c, Label::Int(0..=8));
        if registered || c == Label::text(HEADER_SIGNING_TIME) || get(m, &c).is_none() {
            return Err(EnvelopeError::CriticalNotPresent(c.name()));
        }
        if !crit.insert(c.id()) {
            return Err(duplicate_crit(&c));
        }
    }
    let is_crit = |name: &str| crit.contains(&Label::text(name).id());

    let scheme_name = text_header(m, &Label::text(HEADER_SIGNING_SCHEME))?
        .ok_or_else(|| EnvelopeError::MissingHeader(HEADER_SIGNING_SCHEME.into()))?;
    let signing_scheme = SigningScheme::parse(&scheme_name)
        .ok_or(EnvelopeError::UnsupportedSigningScheme(scheme_name))?;
    let non_blank = |name: &str| -> Result<Option<String>, EnvelopeError> {
        match text_header(m, &Label::text(name))? {
            Some(s) if s.trim().is_empty() => {
                Err(EnvelopeError::invalid(name, "must be a non-blank string"))
            }
            other => Ok(other),
        }
    };
    let verification_plugin = non_blank(HEADER_VERIFICATION_PLUGIN)?;
    let verification_plugin_min_version = non_blank(HEADER_VERIFICATION_PLUGIN_MIN_VERSION)?;
    let expiry = time_header(m, &Label::text(HEADER_EXPIRY))?;
    let signing_time = time_header(m, &Label::text(HEADER_SIGNING_TIME))?;
    let authentic_signing_time = time_header(m, &Label::text(HEADER_AUTHENTIC_SIGNING_TIME))?;

    // signature-envelope-cose.md (as signature-envelope-jws.md §Protected Headers): headers that
    // must be critical when present.
    super::check_required_critical(
        &super::PresentHeaders {
            signing_scheme,
            authentic_signing_time: authentic_signing_time.is_some(),
            expiry: expiry.is_some(),
            verification_plugin: verification_plugin.is_some(),
            verification_plugin_min_version: verification_plugin_min_version.is_some(),
        },
        is_crit,
    )?;

    // signature-envelope-cose.md §Protected Header (as for JWS): each scheme has its own time
    // header; the other one is refused (stricter than notation-go's COSE codec, consistent with its
    // JWS codec).
    super::headers::effective_signing_time(
        signing_scheme,
        signing_time,
        authentic_signing_time,
        expiry,
    )?;

    let mut extended_attributes = Vec::new();
    for (label, value) in m.iter() {
        if is_known(label) {
            continue;
        }
        let critical = crit.contains(&label.id());
        // docs/conformance.md §D1: unknown critical attributes fail unless a plugin is named.
        if critical && verification_plugin.is_none() {
            return Err(EnvelopeError::UnsupportedCriticalAttribute(label.name()));
        }
        extended_attributes.push(ExtendedAttribute {
            key: label.name(),
            critical,
            value: to_json(value),
        });
    }

    Ok(SignedAttributes {
        algorithm,
        content_type,
        signing_scheme,
        signing_time,
        authentic_signing_time,
        expiry,
        verification_plugin,
        verification_plugin_min_version,
        extended_attributes,
    })
}

/// `Sig_structure` = `["Signature1", protected, external_aad = h'', payload]` (RFC 9052 §4.4),
/// with the protected header bytes exactly as received.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(protected.len() + payload.len() + 32);
    push_head(&mut out, 4, 4);
    push_head(&mut out, 3, 10);
    out.extend_from_slice(b"Signature1");
    push_head(&mut out, 2, protected.len() as u64);
    out.extend_from_slice(protected);
    push_head(&mut out, 2, 0);
    push_head(&mut out, 2, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

// ---------------------------------------------------------------------------------------------
// Producing (signature-envelope-cose.md)

/// The protected header map (signature-envelope-cose.md), encoded: `alg` (1), `crit` (2), content
/// type (3), the signing scheme, the scheme's signing time, the expiry, and the extended
/// attributes. `crit` lists the scheme, the authentic signing time (signingAuthority), the expiry
/// and the critical extended attributes, in that order (notation-core-go's order).
fn protected_header(
    opts: &EnvelopeSigningOptions,
    signing_time: Instant,
    expiry: Option<Instant>,
) -> Result<Vec<u8>, EnvelopeError> {
    let mut crit = vec![Out::Text(HEADER_SIGNING_SCHEME)];
    let time_label = match opts.signing_scheme {
        SigningScheme::X509 => HEADER_SIGNING_TIME,
        SigningScheme::X509SigningAuthority => {
            crit.push(Out::Text(HEADER_AUTHENTIC_SIGNING_TIME));
            HEADER_AUTHENTIC_SIGNING_TIME
        }
    };
    let mut map = vec![
        (Out::Int(LABEL_ALG), Out::Int(opts.algorithm.cose_id())),
        (Out::Int(LABEL_CONTENT_TYPE), Out::Text(MEDIA_TYPE_PAYLOAD)),
        (
            Out::Text(HEADER_SIGNING_SCHEME),
            Out::Text(opts.signing_scheme.as_str()),
        ),
        (
            Out::Text(time_label),
            Out::Time(signing_time.unix_seconds()),
        ),
    ];
    if let Some(e) = expiry {
        crit.push(Out::Text(HEADER_EXPIRY));
        map.push((Out::Text(HEADER_EXPIRY), Out::Time(e.unix_seconds())));
    }
    for attr in &opts.extended_attributes {
        let k = attr.key.as_str();
        if k.is_empty() || k.starts_with(crate::oci::RESERVED_ANNOTATION_PREFIX) {
            return Err(EnvelopeError::Signing(format!(
                "extended attribute name {k:?} is reserved"
            )));
        }
        if attr.critical {
            crit.push(Out::Text(k));
        }
        map.push((Out::Text(k), Out::Json(&attr.value)));
    }
    map.push((Out::Int(LABEL_CRIT), Out::Array(crit)));
    let mut out = Vec::new();
    write(&mut out, &Out::Map(map), 0)?;
    Ok(out)
}

/// A COSE_Sign1 envelope waiting for its signature: hand [`PreparedCose::to_be_signed`] to the
/// signer, then call [`PreparedCose::complete`].
#[derive(Clone, Debug)]
pub struct PreparedCose {
    protected: Vec<u8>,
    payload: Vec<u8>,
    to_be_signed: Vec<u8>,
    algorithm: SignatureAlgorithm,
    key: PublicKey,
    cert_chain: Vec<Vec<u8>>,
    signing_agent: Option<String>,
    has_critical_extension: bool,
}

/// Builds the protected header and the `Sig_structure` for `payload` (signature-envelope-cose.md,
/// RFC 9052 §4.4). `payload` must be a JSON object (the Notary payload, signature-specification.md
/// §Payload); it is carried unchanged.
pub fn prepare(
    payload: &[u8],
    opts: &EnvelopeSigningOptions,
) -> Result<PreparedCose, EnvelopeError> {
    match crate::encoding::parse_json_strict(payload) {
        Ok(Value::Object(_)) => {}
        _ => {
            return Err(EnvelopeError::Signing(
                "the payload must be a strict JSON object".into(),
            ))
        }
    }
    let (key, signing_time, expiry) = super::check_signing_options(opts)?;
    let protected = protected_header(opts, signing_time, expiry)?;
    let to_be_signed = sig_structure(&protected, payload);
    Ok(PreparedCose {
        protected,
        payload: payload.to_vec(),
        to_be_signed,
        algorithm: opts.algorithm,
        key,
        cert_chain: opts.cert_chain.clone(),
        signing_agent: opts.signing_agent.clone(),
        has_critical_extension: opts.extended_attributes.iter().any(|a| a.critical),
    })
}

impl PreparedCose {
    /// The exact bytes to sign: the CBOR `Sig_structure` (RFC 9052 §4.4,
    /// signature-envelope-cose.md).
    pub fn to_be_signed(&self) -> &[u8] {
        &self.to_be_signed
    }

    /// The encoded protected header (the bstr content of the envelope's first item).
    pub fn protected_header(&self) -> &[u8] {
        &self.protected
    }

    /// The algorithm the signature must use.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// Emits `COSE_Sign1_Tagged` with `signature` (RSASSA-PSS, or raw fixed-length `r || s`
    /// ECDSA; signature-envelope-cose.md, signature-specification.md §Signature Algorithm
    /// Requirements). The signature is first verified under the leaf certificate's key and the
    /// result is re-parsed and its integrity re-checked (threat model 3d).
    pub fn complete(self, signature: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
        self.complete_with_timestamp(signature, None)
    }

    /// As [`PreparedCose::complete`], adding an RFC 3161 timestamp token (DER) as the
    /// unprotected `io.cncf.notary.timestampSignature` byte string (signature-envelope-cose.md).
    /// The token must stamp `signature`; the verifier checks that (trust-store-trust-policy.md
    /// §Signature Verification step "Validate Authentic Timestamp").
    pub fn complete_with_timestamp(
        self,
        signature: &[u8],
        timestamp_token: Option<&[u8]>,
    ) -> Result<Vec<u8>, EnvelopeError> {
        self.key
            .verify_notary(self.algorithm, &self.to_be_signed, signature)
            .map_err(|_| {
                EnvelopeError::Signing(
                    "the signature does not verify under the signing certificate's key".into(),
                )
            })?;
        // signature-envelope-cose.md: x5chain (33) is an array of certificates even for one
        // certificate.
        let chain = self.cert_chain.iter().map(|c| Out::Bytes(c)).collect();
        let mut unprotected = vec![(Out::Int(LABEL_X5CHAIN), Out::Array(chain))];
        if let Some(agent) = self.signing_agent.as_deref().filter(|a| !a.is_empty()) {
            unprotected.push((Out::Text(HEADER_SIGNING_AGENT), Out::Text(agent)));
        }
        if let Some(t) = timestamp_token {
            unprotected.push((Out::Text(HEADER_TIMESTAMP_SIGNATURE), Out::Bytes(t)));
        }
        let mut out =
            Vec::with_capacity(self.protected.len() + self.payload.len() + signature.len() + 2048);
        // COSE_Sign1_Tagged: tag 18 around a four-item array (RFC 9052 §4.2).
        push_head(&mut out, 6, TAG_COSE_SIGN1);
        write(
            &mut out,
            &Out::Array(vec![
                Out::Bytes(&self.protected),
                Out::Map(unprotected),
                Out::Bytes(&self.payload),
                Out::Bytes(signature),
            ]),
            0,
        )?;
        // Self-check, as for JWS: a critical extended attribute makes the envelope verifiable
        // only through a plugin (docs/conformance.md §D1), so for those the signature check above
        // is the check.
        if !self.has_critical_extension {
            parse(&out)
                .and_then(UnverifiedEnvelope::verify_integrity)
                .map_err(|e| {
                    EnvelopeError::Signing(format!("produced envelope fails verification: {e}"))
                })?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
