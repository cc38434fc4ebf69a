//! Strict encodings: base64url (RFC 4648 §5, unpadded), standard base64 (RFC 4648 §4, padded) and
//! a strict JSON reader.
//!
//! Parser differentials are an attack surface (threat model 11, 12): every decoder here accepts
//! exactly one spelling of a value.
//!
//! - base64url (JWS `protected`, `payload`, `signature`; signature-envelope-jws.md §Signature
//!   Envelope, docs/conformance.md §D3): URL-safe alphabet, no padding, no whitespace, and the
//!   unused trailing bits of the last symbol must be zero.
//! - standard base64 (`x5c`, `io.cncf.notary.timestampSignature`; signature-envelope-jws.md
//!   §Unprotected Headers): standard alphabet, padding required, same canonical-bits rule.
//! - JSON ([`parse_json_strict`]; docs/conformance.md §D2): duplicate member names are rejected at
//!   every depth (serde_json's `Value` silently keeps the last one, as Go does) and nesting is
//!   bounded by [`MAX_JSON_DEPTH`] (threat model 13).

use core::cell::RefCell;
use core::fmt;
use std::collections::BTreeMap;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::error::ErrorCode;

/// Deepest nesting of JSON arrays/objects accepted (threat model 13: depth ≤ 64).
pub const MAX_JSON_DEPTH: usize = 64;

/// A set of keys for duplicate detection (JWS `crit`, COSE map keys and `crit`;
/// signature-envelope-jws.md §Protected Headers, signature-envelope-cose.md, threat model 12a). It
/// stores the keys in a `BTreeMap<String, String>`, the B-tree instance the annotation maps already
/// link, because every other key type would add a B-tree copy of its own to the wasm (about 5 KB
/// each). Lookups stay O(log n) for untrusted, unbounded lists.
#[derive(Default)]
pub(crate) struct SeenKeys(BTreeMap<String, String>);

impl SeenKeys {
    /// Records `key`; false when it was already recorded.
    pub(crate) fn insert(&mut self, key: String) -> bool {
        self.0.insert(key, String::new()).is_none()
    }

    /// Records `key` with a position (a COSE header's index in wire order); false when `key` was
    /// already recorded. The position is kept as decimal text, in the same B-tree instance.
    pub(crate) fn insert_at(&mut self, key: String, position: usize) -> bool {
        self.0.insert(key, position.to_string()).is_none()
    }

    /// Whether `key` was recorded.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// The position recorded with `key` by [`SeenKeys::insert_at`].
    pub(crate) fn position(&self, key: &str) -> Option<usize> {
        self.0.get(key).and_then(|p| p.parse().ok())
    }
}

/// Why an encoded value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingError {
    /// A byte that is not allowed at this position (alphabet, padding, whitespace), or a final
    /// symbol with non-zero unused bits. `offset` is the 0-based byte index in the input, as Go's
    /// `CorruptInputError` reports it.
    Base64 {
        /// Index of the offending input byte.
        offset: usize,
    },
    /// The JSON text is not well-formed (syntax, trailing data, invalid UTF-8).
    Json(String),
    /// An object has the same member name twice (docs/conformance.md §D2).
    DuplicateMember(String),
    /// Arrays/objects are nested deeper than [`MAX_JSON_DEPTH`] (threat model 13).
    TooDeep,
}

impl EncodingError {
    /// Stable error code.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::Parse
    }
}

impl fmt::Display for EncodingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodingError::Base64 { offset } => {
                write!(f, "illegal base64 data at input byte {offset}")
            }
            EncodingError::Json(s) => write!(f, "invalid JSON: {s}"),
            EncodingError::DuplicateMember(name) => {
                write!(f, "duplicate JSON member name {name:?}")
            }
            EncodingError::TooDeep => write!(
                f,
                "JSON nesting exceeds the maximum depth of {MAX_JSON_DEPTH}"
            ),
        }
    }
}

impl std::error::Error for EncodingError {}

const STD_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn sextet(c: u8, url: bool) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' if url => Some(62),
        b'_' if url => Some(63),
        b'+' if !url => Some(62),
        b'/' if !url => Some(63),
        _ => None,
    }
}

/// Decodes `symbols` (no padding) with the alphabet chosen by `url`; `base` is the offset of
/// `symbols` in the caller's input (for error positions).
fn decode_symbols(symbols: &[u8], url: bool, base: usize) -> Result<Vec<u8>, EncodingError> {
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in symbols.iter().enumerate() {
        let v = sextet(c, url).ok_or(EncodingError::Base64 { offset: base + i })?;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    match symbols.len() % 4 {
        // One symbol carries only 6 bits: never a complete byte (RFC 4648 §4).
        1 => {
            return Err(EncodingError::Base64 {
                offset: base + symbols.len() - 1,
            })
        }
        // Canonical form: the unused low bits of the last symbol are zero (docs/conformance.md
        // §D3).
        2 | 3 if acc != 0 => {
            return Err(EncodingError::Base64 {
                offset: base + symbols.len() - 1,
            })
        }
        _ => {}
    }
    Ok(out)
}

/// Strict base64url decoding (RFC 4648 §5 without padding, signature-envelope-jws.md §Signature
/// Envelope, docs/conformance.md §D3): rejects `=`, `+`, `/`, whitespace and non-canonical trailing
/// bits.
pub fn base64url_decode(input: &str) -> Result<Vec<u8>, EncodingError> {
    decode_symbols(input.as_bytes(), true, 0)
}

fn encode(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbols = chunk.len() + 1;
        for i in 0..4 {
            if i < symbols {
                s.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
            } else if pad {
                s.push('=');
            }
        }
    }
    s
}

/// base64url encoding without padding (RFC 4648 §5; signature-envelope-jws.md §Signature Envelope).
pub fn base64url_encode(bytes: &[u8]) -> String {
    encode(bytes, URL_ALPHABET, false)
}

/// Strict standard base64 decoding with padding (RFC 4648 §4; `x5c` and the timestamp token,
/// signature-envelope-jws.md §Unprotected Headers): length a multiple of 4, at most two `=` and
/// only at the end, no whitespace, no URL-safe symbols, canonical trailing bits.
pub(crate) fn base64_std_decode(input: &str) -> Result<Vec<u8>, EncodingError> {
    let b = input.as_bytes();
    if b.len() % 4 != 0 {
        // Go reports the position where the incomplete quantum starts.
        return Err(EncodingError::Base64 {
            offset: b.len() - b.len() % 4,
        });
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return Err(EncodingError::Base64 {
            offset: b.len() - pad,
        });
    }
    let symbols = &b[..b.len() - pad];
    if pad > 0 && symbols.len() % 4 != 4 - pad {
        return Err(EncodingError::Base64 {
            offset: symbols.len(),
        });
    }
    decode_symbols(symbols, false, 0)
}

/// Standard base64 encoding with padding (RFC 4648 §4).
pub fn base64_std_encode(bytes: &[u8]) -> String {
    encode(bytes, STD_ALPHABET, true)
}

/// Parses JSON strictly (docs/conformance.md §D2; threat model 11, 13): rejects duplicate member
/// names at any depth, nesting deeper than [`MAX_JSON_DEPTH`], trailing data and invalid UTF-8.
pub fn parse_json_strict(bytes: &[u8]) -> Result<Value, EncodingError> {
    let violation = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = StrictSeed {
        depth: 0,
        violation: &violation,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    match result {
        Ok(v) => Ok(v),
        Err(e) => Err(violation.into_inner().unwrap_or_else(|| {
            if e.to_string().starts_with("recursion limit exceeded") {
                EncodingError::TooDeep
            } else {
                EncodingError::Json(e.to_string())
            }
        })),
    }
}

/// Parses a JSON document that must be an object (strict, as [`parse_json_strict`]).
pub(crate) fn parse_json_object_strict(bytes: &[u8]) -> Result<Map<String, Value>, EncodingError> {
    match parse_json_strict(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(EncodingError::Json("expected a JSON object".into())),
    }
}

struct StrictSeed<'a> {
    depth: usize,
    violation: &'a RefCell<Option<EncodingError>>,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictVisitor {
            depth: self.depth,
            violation: self.violation,
        })
    }
}

struct StrictVisitor<'a> {
    depth: usize,
    violation: &'a RefCell<Option<EncodingError>>,
}

impl StrictVisitor<'_> {
    fn fail<E: serde::de::Error>(&self, err: EncodingError) -> E {
        let msg = err.to_string();
        *self.violation.borrow_mut() = Some(err);
        E::custom(msg)
    }

    fn enter<E: serde::de::Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > MAX_JSON_DEPTH {
            return Err(self.fail(EncodingError::TooDeep));
        }
        Ok(depth)
    }
}

impl<'de> Visitor<'de> for StrictVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictSeed {
            depth,
            violation: self.violation,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let depth = self.enter()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(self.fail(EncodingError::DuplicateMember(key)));
            }
            let v = map.next_value_seed(StrictSeed {
                depth,
                violation: self.violation,
            })?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trip_and_strictness() {
        for n in 0..40usize {
            let data: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37)).collect();
            let s = base64url_encode(&data);
            assert!(!s.contains('='));
            assert_eq!(base64url_decode(&s).unwrap(), data);
            let std = base64_std_encode(&data);
            assert_eq!(base64_std_decode(&std).unwrap(), data);
        }
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
        // Padding, standard symbols, whitespace.
        assert_eq!(
            base64url_decode("YQ=="),
            Err(EncodingError::Base64 { offset: 2 })
        );
        assert_eq!(
            base64url_decode("+_8"),
            Err(EncodingError::Base64 { offset: 0 })
        );
        assert_eq!(
            base64url_decode("-_/"),
            Err(EncodingError::Base64 { offset: 2 })
        );
        assert_eq!(
            base64url_decode("YWJj\nZGVm"),
            Err(EncodingError::Base64 { offset: 4 })
        );
        assert!(base64url_decode("YWJj ").is_err());
        // Non-canonical trailing bits: "YR" decodes to 'a' with dirty low bits.
        assert_eq!(base64url_decode("YQ").unwrap(), b"a");
        assert_eq!(
            base64url_decode("YR"),
            Err(EncodingError::Base64 { offset: 1 })
        );
        assert_eq!(
            base64url_decode("YWI"),
            Ok(b"ab".to_vec()),
            "3 symbols, clean bits"
        );
        assert!(base64url_decode("YWJ").is_err());
        // A lone symbol cannot encode a byte.
        assert!(base64url_decode("YWJjZ").is_err());
        assert_eq!(base64url_decode("").unwrap(), b"");
    }

    #[test]
    fn base64_std_strictness() {
        assert_eq!(base64_std_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_std_decode("YWI=").unwrap(), b"ab");
        assert!(base64_std_decode("YQ").is_err(), "padding required");
        assert!(base64_std_decode("YQ=").is_err());
        assert!(base64_std_decode("YR==").is_err(), "dirty bits");
        assert!(base64_std_decode("Y===").is_err());
        assert!(base64_std_decode("YQ==YQ==").is_err(), "padding inside");
        assert!(base64_std_decode("-_8A").is_err(), "url-safe symbols");
        assert!(base64_std_decode("YW\nJj").is_err());
        assert!(base64_std_decode("YWJj\n").is_err());
        assert_eq!(base64_std_decode("+/8A").unwrap(), vec![0xfb, 0xff, 0]);
    }

    #[test]
    fn json_duplicates_rejected_at_any_depth() {
        assert_eq!(
            parse_json_strict(br#"{"alg":"PS256","alg":"none"}"#),
            Err(EncodingError::DuplicateMember("alg".into()))
        );
        assert_eq!(
            parse_json_strict(br#"{"a":[{"b":1,"c":{"d":1,"d":2}}]}"#),
            Err(EncodingError::DuplicateMember("d".into()))
        );
        // Escaped spelling of the same name is the same name.
        assert_eq!(
            parse_json_strict(br#"{"alg":1,"\u0061lg":2}"#),
            Err(EncodingError::DuplicateMember("alg".into()))
        );
        // Case differs: distinct names.
        assert!(parse_json_strict(br#"{"alg":1,"Alg":2}"#).is_ok());
        let v = parse_json_strict(br#" {"a": [1, -2, 3.5, "x", null, true]} "#).unwrap();
        assert_eq!(v["a"][1], -2);
    }

    #[test]
    fn json_depth_and_syntax() {
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(parse_json_strict(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert_eq!(
            parse_json_strict(deep.as_bytes()),
            Err(EncodingError::TooDeep)
        );
        let huge = "[".repeat(100_000);
        assert_eq!(
            parse_json_strict(huge.as_bytes()),
            Err(EncodingError::TooDeep)
        );
        let objs = "{\"a\":".repeat(100_000);
        assert_eq!(
            parse_json_strict(objs.as_bytes()),
            Err(EncodingError::TooDeep)
        );
        assert!(matches!(
            parse_json_strict(b"{} {}"),
            Err(EncodingError::Json(_))
        ));
        assert!(matches!(
            parse_json_strict(b"{\"a\":\"\xff\"}"),
            Err(EncodingError::Json(_))
        ));
        assert!(parse_json_object_strict(b"[1]").is_err());
        assert!(parse_json_object_strict(b"{}").is_ok());
    }
}
