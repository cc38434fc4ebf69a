//! COSE header maps and labels (RFC 9052 §3), as signature-envelope-cose.md reads them.

use serde_json::Value;

use super::super::cbor::{malformed, Cbor};
use super::super::EnvelopeError;
use crate::encoding::SeenKeys;
use crate::limits::{LimitExceeded, COSE_HEADER_ENTRIES};
use crate::time::Instant;

/// A header label: integer or text (RFC 9052 §3).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Label {
    Int(i64),
    Text(String),
}

impl Label {
    pub(super) fn from_cbor(c: &Cbor) -> Result<Self, EnvelopeError> {
        match c {
            Cbor::Uint(n) => i64::try_from(*n)
                .map(Label::Int)
                .map_err(|_| malformed("header label out of range")),
            Cbor::Nint(n) => i64::try_from(*n)
                .map(|n| Label::Int(-1 - n))
                .map_err(|_| malformed("header label out of range")),
            Cbor::Text(s) => Ok(Label::Text(s.clone())),
            _ => Err(malformed("header labels must be integers or text strings")),
        }
    }

    pub(super) fn name(&self) -> String {
        match self {
            Label::Int(n) => n.to_string(),
            Label::Text(s) => s.clone(),
        }
    }

    /// A key for [`SeenKeys`]: distinct labels never share one (the kind letter comes first).
    pub(super) fn id(&self) -> String {
        match self {
            Label::Int(n) => format!("i{n}"),
            Label::Text(t) => format!("t{t}"),
        }
    }

    pub(super) fn text(s: &str) -> Self {
        Label::Text(s.to_string())
    }
}

/// A COSE header map (RFC 9052 §3): the entries in wire order (extended attributes are reported
/// in that order) and an index by label, so each lookup is a B-tree search, not a scan of every
/// entry (a scan per label of another bucket or of `crit` was quadratic in the header size). The
/// index is a [`SeenKeys`], the one B-tree instance the wasm links for keys.
pub(super) struct Headers {
    entries: Vec<(Label, Cbor)>,
    index: SeenKeys,
}

impl Headers {
    /// The entries in wire order.
    pub(super) fn iter(&self) -> core::slice::Iter<'_, (Label, Cbor)> {
        self.entries.iter()
    }
}

/// Reads a header map, refusing more than [`COSE_HEADER_ENTRIES`] entries.
pub(super) fn header_map(c: Cbor, what: &str) -> Result<Headers, EnvelopeError> {
    let Cbor::Map(raw) = c else {
        return Err(malformed(format!("{what} header is not a map")));
    };
    LimitExceeded::check("cose.header.entries", COSE_HEADER_ENTRIES, raw.len())?;
    let mut entries = Vec::with_capacity(raw.len());
    let mut index = SeenKeys::default();
    for (k, v) in raw {
        let label = Label::from_cbor(&k)?;
        // The CBOR reader already refused equal keys; equal labels from distinct keys cannot
        // occur (unsigned and negative integers never overlap), but a duplicate label is refused
        // here too, as RFC 9052 §3 requires.
        if !index.insert_at(label.id(), entries.len()) {
            return Err(malformed(format!(
                "duplicate {what} header {:?}",
                label.name()
            )));
        }
        entries.push((label, v));
    }
    Ok(Headers { entries, index })
}

pub(super) fn get<'a>(m: &'a Headers, l: &Label) -> Option<&'a Cbor> {
    let i = m.index.position(&l.id())?;
    m.entries.get(i).map(|(_, v)| v)
}

pub(super) fn text_header(m: &Headers, l: &Label) -> Result<Option<String>, EnvelopeError> {
    match get(m, l) {
        None => Ok(None),
        Some(Cbor::Text(s)) => Ok(Some(s.clone())),
        Some(_) => Err(EnvelopeError::invalid(&l.name(), "not a text string")),
    }
}

/// signature-envelope-cose.md: Notary times are CBOR tag 1 (epoch seconds); tag 0 strings and
/// untagged numbers are refused.
pub(super) fn time_header(m: &Headers, l: &Label) -> Result<Option<Instant>, EnvelopeError> {
    let bad =
        || EnvelopeError::invalid(&l.name(), "only Tag `1` Datetime CBOR object is supported");
    match get(m, l) {
        None => Ok(None),
        Some(Cbor::Tag(1, inner)) => match **inner {
            Cbor::Uint(n) => i64::try_from(n)
                .map(|s| Some(Instant::from_unix_seconds(s)))
                .map_err(|_| bad()),
            Cbor::Nint(n) => i64::try_from(n)
                .map(|n| Some(Instant::from_unix_seconds(-1 - n)))
                .map_err(|_| bad()),
            Cbor::Float(f) if f.is_finite() && f.abs() < 1e15 => {
                Ok(Some(Instant::from_unix_millis((f * 1000.0).floor() as i64)))
            }
            _ => Err(bad()),
        },
        Some(_) => Err(bad()),
    }
}

/// Converts a CBOR value to JSON for [`ExtendedAttribute::value`] (byte strings become standard
/// base64 text, tags are dropped).
pub(super) fn to_json(c: &Cbor) -> Value {
    match c {
        Cbor::Uint(n) => Value::from(*n),
        Cbor::Nint(n) => i64::try_from(*n)
            .map(|n| Value::from(-1 - n))
            .unwrap_or(Value::Null),
        Cbor::Bytes(b) => Value::from(crate::encoding::base64_std_encode(b)),
        Cbor::Text(s) => Value::from(s.as_str()),
        Cbor::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Cbor::Map(m) => {
            // Inserted one by one (a later equal key wins, as with `collect`): collecting into
            // the map would link a second B-tree builder and sort (about 6 KB of wasm).
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let key = match Label::from_cbor(k) {
                    Ok(l) => l.name(),
                    Err(_) => format!("{k:?}"),
                };
                out.insert(key, to_json(v));
            }
            Value::Object(out)
        }
        Cbor::Tag(_, inner) => to_json(inner),
        Cbor::Bool(b) => Value::Bool(*b),
        Cbor::Null | Cbor::Undefined => Value::Null,
        Cbor::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
    }
}
