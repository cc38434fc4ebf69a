//! The JWS envelope (`application/jose+json`, signature-envelope-jws.md): flattened JWS JSON
//! serialization with one signature.
//!
//! Parsing is strict (docs/conformance.md §Divergences from notation-go; threat model 11, 12): the
//! envelope and the protected header are read with the strict JSON reader (duplicate member names
//! rejected at any depth), member names are case-sensitive and a case-variant of a registered name
//! is refused, unknown top-level members are refused, base64url fields must be canonical and
//! unpadded, `x5c` and the timestamp token must be canonical padded standard base64, and an unknown
//! critical extended attribute fails unless a verification plugin is named (docs/conformance.md
//! §D1). The signing input is the ASCII text `protected + "." + payload` exactly as received
//! (signature-envelope-jws.md §Signature Envelope).
//!
//! Producing ([`prepare`] then [`PreparedJws::complete`]) writes the protected header with keys
//! sorted (as notation does), times in RFC 3339 UTC whole seconds (signature-envelope-jws.md
//! §Protected Headers), and refuses to emit an envelope whose signature does not verify under the
//! leaf certificate's key (threat model 3d).

use serde::Serialize;
use serde_json::{Map, Value};

use super::headers::{
    HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_AGENT, HEADER_SIGNING_SCHEME,
    HEADER_SIGNING_TIME, HEADER_TIMESTAMP_SIGNATURE, HEADER_VERIFICATION_PLUGIN,
    HEADER_VERIFICATION_PLUGIN_MIN_VERSION, MEDIA_TYPE_PAYLOAD,
};
use super::{
    EnvelopeError, EnvelopeFormat, EnvelopeSigningOptions, ExtendedAttribute, SignedAttributes,
    SigningScheme, UnverifiedEnvelope, MAX_CERT_CHAIN_LEN,
};
use crate::crypto::{PublicKey, SignatureAlgorithm};
use crate::encoding::{self, SeenKeys};
use crate::limits::{LimitExceeded, CRIT_ENTRIES, JWS_HEADER_ENTRIES};
use crate::time::Instant;

/// `alg` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_ALG: &str = "alg";
/// `cty` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_CTY: &str = "cty";
/// `crit` (signature-envelope-jws.md §Protected Headers).
pub(crate) const HEADER_CRIT: &str = "crit";
/// Unprotected `x5c` (signature-envelope-jws.md §Unprotected Headers).
pub(crate) const HEADER_X5C: &str = "x5c";

/// The protected header names nv2 interprets; everything else is an extended attribute.
const KNOWN_PROTECTED: [&str; 9] = [
    HEADER_ALG,
    HEADER_CTY,
    HEADER_CRIT,
    HEADER_SIGNING_SCHEME,
    HEADER_SIGNING_TIME,
    HEADER_AUTHENTIC_SIGNING_TIME,
    HEADER_EXPIRY,
    HEADER_VERIFICATION_PLUGIN,
    HEADER_VERIFICATION_PLUGIN_MIN_VERSION,
];

/// Header parameter names registered by RFC 7515 / 7797 (JWS); `crit` must not list them
/// (RFC 7515 §4.1.11, signature-envelope-jws.md §Protected Headers).
const JWS_REGISTERED: [&str; 12] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64",
];

/// The members of a flattened JWS JSON serialization (signature-envelope-jws.md §Signature
/// Envelope); nothing else is allowed.
const TOP_LEVEL: [&str; 4] = ["payload", "protected", "header", "signature"];

fn str_member<'a>(m: &'a Map<String, Value>, name: &str) -> Result<&'a str, EnvelopeError> {
    match m.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(EnvelopeError::Malformed(format!(
            "member {name:?} is not a string"
        ))),
        None => Err(EnvelopeError::Malformed(format!("missing member {name:?}"))),
    }
}

fn b64url(field: &'static str, s: &str) -> Result<Vec<u8>, EnvelopeError> {
    encoding::base64url_decode(s).map_err(|error| EnvelopeError::Base64 { field, error })
}

/// Parses a JWS envelope (signature-envelope-jws.md). Use [`UnverifiedEnvelope::parse`] for
/// media-type dispatch.
pub fn parse(bytes: &[u8]) -> Result<UnverifiedEnvelope, EnvelopeError> {
    let top = match encoding::parse_json_strict(bytes) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(EnvelopeError::Malformed(
                "the envelope is not a JSON object".into(),
            ))
        }
        Err(error) => {
            return Err(EnvelopeError::Json {
                what: "envelope",
                error,
            })
        }
    };
    // signature-envelope-jws.md §Signature Envelope: flattened serialization only, no other
    // top-level members (threat model 11).
    if let Some(k) = top.keys().find(|k| !TOP_LEVEL.contains(&k.as_str())) {
        return Err(EnvelopeError::Malformed(format!(
            "unknown top-level member {k:?}"
        )));
    }
    let protected_b64 = str_member(&top, "protected")?;
    let payload_b64 = str_member(&top, "payload")?;
    let signature_b64 = str_member(&top, "signature")?;
    let header = match top.get("header") {
        Some(Value::Object(h)) => h,
        Some(_) => {
            return Err(EnvelopeError::Malformed(
                "member \"header\" is not an object".into(),
            ))
        }
        None => return Err(EnvelopeError::Malformed("missing member \"header\"".into())),
    };

    let protected_json = b64url("protected", protected_b64)?;
    let protected = match encoding::parse_json_strict(&protected_json) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(EnvelopeError::Malformed(
                "the protected header is not a JSON object".into(),
            ))
        }
        Err(error) => {
            return Err(EnvelopeError::Json {
                what: "protected header",
                error,
            })
        }
    };
    let payload = b64url("payload", payload_b64)?;
    let signature = b64url("signature", signature_b64)?;
    if signature.is_empty() {
        return Err(EnvelopeError::Malformed("empty signature".into()));
    }
    let signed = parse_protected(&protected)?;
    // RFC 7515 §7.2.1: protected and unprotected names are disjoint; §4.1.11: `crit` is always
    // protected. A name in both buckets invites a reader to take the unsigned one.
    if let Some(k) = header
        .keys()
        .find(|k| protected.contains_key(*k) || *k == HEADER_CRIT)
    {
        return Err(EnvelopeError::ForbiddenHeader(format!(
            "header {k:?} must not appear in the unprotected header"
        )));
    }
    let unprotected = parse_unprotected(header)?;

    let mut to_be_signed = Vec::with_capacity(protected_b64.len() + 1 + payload_b64.len());
    to_be_signed.extend_from_slice(protected_b64.as_bytes());
    to_be_signed.push(b'.');
    to_be_signed.extend_from_slice(payload_b64.as_bytes());

    Ok(UnverifiedEnvelope {
        format: EnvelopeFormat::Jws,
        signed,
        cert_chain: unprotected.cert_chain,
        signature,
        to_be_signed,
        payload,
        timestamp_token: unprotected.timestamp_token,
        signing_agent: unprotected.signing_agent,
    })
}

fn header_str<'a>(m: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, EnvelopeError> {
    match m.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(EnvelopeError::invalid(name, "not a string")),
    }
}

fn header_time(m: &Map<String, Value>, name: &str) -> Result<Option<Instant>, EnvelopeError> {
    header_str(m, name)?
        .map(|s| Instant::parse_rfc3339(s).map_err(|e| EnvelopeError::invalid(name, e.to_string())))
        .transpose()
}

fn non_blank(m: &Map<String, Value>, name: &str) -> Result<Option<String>, EnvelopeError> {
    match header_str(m, name)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => {
            Err(EnvelopeError::invalid(name, "must be a non-blank string"))
        }
        Some(s) => Ok(Some(s.to_string())),
    }
}

/// Applies the protected-header rules of signature-envelope-jws.md §Protected Headers (and
/// docs/conformance.md §D1, §D2).
fn parse_protected(m: &Map<String, Value>) -> Result<SignedAttributes, EnvelopeError> {
    LimitExceeded::check("jws.header.entries", JWS_HEADER_ENTRIES, m.len())?;
    // docs/conformance.md §D2, threat model 11a: a case-variant of a registered or Notary name
    // (`Alg`) would be read as that name by a case-insensitive decoder (Go), so it is refused.
    for key in m.keys() {
        if let Some(known) = KNOWN_PROTECTED
            .iter()
            .chain(JWS_REGISTERED.iter())
            .find(|k| k.eq_ignore_ascii_case(key) && *k != key)
        {
            return Err(EnvelopeError::ForbiddenHeader(format!(
                "header {key:?} differs from {known:?} only by case"
            )));
        }
    }
    // RFC 7797 `b64` changes what the signature covers; Notary signatures never use it.
    if m.contains_key("b64") {
        return Err(EnvelopeError::ForbiddenHeader(
            "the \"b64\" header is not supported".into(),
        ));
    }

    // signature-envelope-jws.md §Protected Headers `alg`: required, one of the six (none/HMAC/RS*
    // refused; threat model 7a).
    let alg = header_str(m, HEADER_ALG)?
        .ok_or_else(|| EnvelopeError::MissingHeader(HEADER_ALG.into()))?;
    let algorithm = SignatureAlgorithm::from_jws_name(alg)
        .ok_or_else(|| EnvelopeError::UnsupportedAlgorithm(alg.to_string()))?;
    // signature-envelope-jws.md §Protected Headers `cty`: required (its value is checked by
    // verify_integrity, signature-specification.md §Payload).
    let content_type = header_str(m, HEADER_CTY)?
        .ok_or_else(|| EnvelopeError::MissingHeader(HEADER_CTY.into()))?
        .to_string();

    // signature-envelope-jws.md §Protected Headers `crit`: required, non-empty array of distinct
    // strings, at most [`CRIT_ENTRIES`]; kept as a set, so each header below is one lookup, not a
    // scan of `crit` (RFC 7515 §4.1.11).
    let crit_raw = match m.get(HEADER_CRIT) {
        None => return Err(EnvelopeError::MissingCrit),
        Some(Value::Array(a)) if a.is_empty() => return Err(EnvelopeError::MissingCrit),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(EnvelopeError::invalid(
                HEADER_CRIT,
                "must be an array of strings",
            ))
        }
    };
    LimitExceeded::check("jws.crit.entries", CRIT_ENTRIES, crit_raw.len())?;
    let entries: Vec<&str> = crit_raw
        .iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| EnvelopeError::invalid(HEADER_CRIT, "entries must be strings"))
        })
        .collect::<Result<_, _>>()?;
    let mut crit = SeenKeys::default();
    for c in &entries {
        if !crit.insert((*c).to_string()) {
            return Err(EnvelopeError::invalid(
                HEADER_CRIT,
                format!("duplicate entry {c:?}"),
            ));
        }
    }

    // signature-envelope-jws.md §Protected Headers `crit` entries: registered names and the
    // non-critical signingTime may not be listed; every other entry must name a header that is
    // present.
    for c in &entries {
        if JWS_REGISTERED.contains(c) || *c == HEADER_SIGNING_TIME || !m.contains_key(*c) {
            return Err(EnvelopeError::CriticalNotPresent((*c).to_string()));
        }
    }

    let scheme_name = header_str(m, HEADER_SIGNING_SCHEME)?
        .ok_or_else(|| EnvelopeError::MissingHeader(HEADER_SIGNING_SCHEME.into()))?;
    let signing_scheme = SigningScheme::parse(scheme_name)
        .ok_or_else(|| EnvelopeError::UnsupportedSigningScheme(scheme_name.to_string()))?;
    let verification_plugin = non_blank(m, HEADER_VERIFICATION_PLUGIN)?;
    let verification_plugin_min_version = non_blank(m, HEADER_VERIFICATION_PLUGIN_MIN_VERSION)?;
    let expiry = header_time(m, HEADER_EXPIRY)?;

    // signature-envelope-jws.md §Protected Headers: headers that must be critical when present.
    super::check_required_critical(
        &super::PresentHeaders {
            signing_scheme,
            authentic_signing_time: m.contains_key(HEADER_AUTHENTIC_SIGNING_TIME),
            expiry: expiry.is_some(),
            verification_plugin: verification_plugin.is_some(),
            verification_plugin_min_version: verification_plugin_min_version.is_some(),
        },
        |name| crit.contains(name),
    )?;

    // signature-envelope-jws.md §Protected Headers: each scheme has its own time header; the other
    // one is forbidden.
    let signing_time = header_time(m, HEADER_SIGNING_TIME)?;
    let authentic_signing_time = header_time(m, HEADER_AUTHENTIC_SIGNING_TIME)?;
    super::headers::effective_signing_time(
        signing_scheme,
        signing_time,
        authentic_signing_time,
        expiry,
    )?;

    // Everything else is an extended attribute; docs/conformance.md §D1: an unknown critical one
    // fails unless a verification plugin is named (the plugin must then process it,
    // plugin-extensibility.md §Verification extensibility).
    let mut extended_attributes = Vec::new();
    for (key, value) in m {
        if KNOWN_PROTECTED.contains(&key.as_str()) {
            continue;
        }
        let critical = crit.contains(key);
        if critical && verification_plugin.is_none() {
            return Err(EnvelopeError::UnsupportedCriticalAttribute(key.clone()));
        }
        extended_attributes.push(ExtendedAttribute {
            key: key.clone(),
            critical,
            value: value.clone(),
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

struct Unprotected {
    cert_chain: Vec<Vec<u8>>,
    timestamp_token: Option<Vec<u8>>,
    signing_agent: Option<String>,
}

/// Applies the unprotected-header rules of signature-envelope-jws.md §Unprotected Headers. Unknown
/// members are ignored.
fn parse_unprotected(h: &Map<String, Value>) -> Result<Unprotected, EnvelopeError> {
    let x5c = match h.get(HEADER_X5C) {
        Some(Value::Array(a)) if a.is_empty() => {
            return Err(EnvelopeError::invalid(
                HEADER_X5C,
                "empty certificate chain",
            ))
        }
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(EnvelopeError::invalid(
                HEADER_X5C,
                "must be an array of strings",
            ))
        }
        None => return Err(EnvelopeError::MissingHeader(HEADER_X5C.into())),
    };
    // Threat model 9, 13: bounded chain length, checked before decoding anything.
    if x5c.len() > MAX_CERT_CHAIN_LEN {
        return Err(EnvelopeError::Limit(LimitExceeded {
            limit: "envelope.chain.certificates",
            max: MAX_CERT_CHAIN_LEN,
            found: x5c.len(),
        }));
    }
    let cert_chain = x5c
        .iter()
        .map(|v| match v {
            // signature-envelope-jws.md §Unprotected Headers: standard base64 with padding, not
            // base64url (threat model 12a).
            Value::String(s) => {
                encoding::base64_std_decode(s).map_err(|error| EnvelopeError::Base64 {
                    field: HEADER_X5C,
                    error,
                })
            }
            _ => Err(EnvelopeError::invalid(
                HEADER_X5C,
                "must be an array of strings",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let timestamp_token = match h.get(HEADER_TIMESTAMP_SIGNATURE) {
        None => None,
        Some(Value::String(s)) => {
            Some(
                encoding::base64_std_decode(s).map_err(|error| EnvelopeError::Base64 {
                    field: HEADER_TIMESTAMP_SIGNATURE,
                    error,
                })?,
            )
        }
        Some(_) => {
            return Err(EnvelopeError::invalid(
                HEADER_TIMESTAMP_SIGNATURE,
                "not a string",
            ))
        }
    };
    let signing_agent = header_str(h, HEADER_SIGNING_AGENT)?.map(str::to_string);
    Ok(Unprotected {
        cert_chain,
        timestamp_token,
        signing_agent,
    })
}

mod build;

#[cfg(test)]
use build::HeaderOut;
pub use build::{prepare, JwsSigningOptions, PreparedJws};

#[cfg(test)]
mod tests;
