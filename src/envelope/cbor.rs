//! A small strict CBOR reader and a canonical CBOR writer (RFC 8949), for the COSE_Sign1
//! envelope (signature-envelope-cose.md).
//!
//! The reader is used instead of a general library so every rule of signature-envelope-cose.md and
//! threat model 12a is enforced at the byte level: every item must have a definite length, map keys
//! must be unique at every depth, nesting is bounded, and nothing may follow the item. The writer
//! emits definite lengths and map keys in RFC 7049 §3.9 canonical order, as go-cose does.

use core::fmt;

use serde_json::Value;

use super::EnvelopeError;
use crate::encoding::SeenKeys;

use crate::limits::{self, LimitExceeded, CBOR_DEPTH, CBOR_ITEMS};

/// A decoded CBOR data item.
#[derive(Clone, PartialEq)]
pub(crate) enum Cbor {
    /// Major type 0.
    Uint(u64),
    /// Major type 1: the value is `-1 - n`.
    Nint(u64),
    /// Major type 2.
    Bytes(Vec<u8>),
    /// Major type 3.
    Text(String),
    /// Major type 4.
    Array(Vec<Cbor>),
    /// Major type 5, in wire order.
    Map(Vec<(Cbor, Cbor)>),
    /// Major type 6.
    Tag(u64, Box<Cbor>),
    /// `false` / `true`.
    Bool(bool),
    /// `null`.
    Null,
    /// `undefined`.
    Undefined,
    /// Half/single/double float.
    Float(f64),
}

/// The derived `Debug` layout (error messages name offending items with `{:?}`), except that a
/// float is written by serde_json's shortest-round-trip formatter, which the JSON output already
/// links: `f64`'s own `Debug` pulls in core's exponential float formatter (about 1 KB of wasm)
/// for nothing else.
impl fmt::Debug for Cbor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cbor::Uint(n) => f.debug_tuple("Uint").field(n).finish(),
            Cbor::Nint(n) => f.debug_tuple("Nint").field(n).finish(),
            Cbor::Bytes(b) => f.debug_tuple("Bytes").field(b).finish(),
            Cbor::Text(s) => f.debug_tuple("Text").field(s).finish(),
            Cbor::Array(a) => f.debug_tuple("Array").field(a).finish(),
            Cbor::Map(m) => f.debug_tuple("Map").field(m).finish(),
            Cbor::Tag(t, c) => f.debug_tuple("Tag").field(t).field(c).finish(),
            Cbor::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Cbor::Null => f.write_str("Null"),
            Cbor::Undefined => f.write_str("Undefined"),
            Cbor::Float(x) => {
                let text = match serde_json::Number::from_f64(*x) {
                    Some(n) => n.to_string(),
                    None if x.is_nan() => "NaN".into(),
                    None if *x > 0.0 => "inf".into(),
                    None => "-inf".into(),
                };
                f.debug_tuple("Float")
                    .field(&format_args!("{text}"))
                    .finish()
            }
        }
    }
}

/// An [`EnvelopeError::Malformed`] saying `s`.
pub(super) fn malformed(s: impl Into<String>) -> EnvelopeError {
    EnvelopeError::Malformed(s.into())
}

/// A map key, for duplicate detection: one string per decoded key, distinct variants never
/// colliding (the tag letter comes first; byte strings are hex).
fn key_id(k: &Cbor) -> Option<String> {
    Some(match k {
        Cbor::Uint(n) => format!("u{n}"),
        Cbor::Nint(n) => format!("n{n}"),
        Cbor::Text(t) => format!("t{t}"),
        Cbor::Bytes(b) => format!("b{}", crate::crypto::hex(b)),
        _ => return None,
    })
}

/// [`CBOR_ITEMS`]: entries of one array or map, refused from the declared count before any is
/// read.
fn items_budget(declared: u64) -> Result<(), EnvelopeError> {
    let found = usize::try_from(declared).unwrap_or(usize::MAX);
    Ok(LimitExceeded::check("cbor.items", CBOR_ITEMS, found)?)
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, EnvelopeError> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or_else(|| malformed("truncated CBOR"))?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], EnvelopeError> {
        let remaining = (self.data.len() - self.pos) as u64;
        if n > remaining {
            return Err(malformed("truncated CBOR"));
        }
        let n = n as usize;
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads an item head: (major type, argument). Indefinite lengths are refused
    /// (signature-envelope-cose.md).
    fn head(&mut self) -> Result<(u8, u64, u8), EnvelopeError> {
        let b = self.byte()?;
        let major = b >> 5;
        let info = b & 0x1f;
        let arg = match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes([self.byte()?, self.byte()?])),
            26 => {
                let s = self.take(4)?;
                u64::from(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
            }
            27 => {
                let s = self.take(8)?;
                u64::from_be_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
            }
            31 => return Err(malformed("indefinite-length CBOR items are not allowed")),
            _ => return Err(malformed("reserved CBOR additional information")),
        };
        Ok((major, arg, info))
    }

    fn item(&mut self, depth: usize) -> Result<Cbor, EnvelopeError> {
        // Threat model 13: recursion is bounded, so a deep item is refused, not a stack overflow.
        if depth > CBOR_DEPTH {
            return Err(EnvelopeError::Limit(LimitExceeded {
                limit: "cbor.depth",
                max: CBOR_DEPTH,
                found: depth,
            }));
        }
        let (major, arg, info) = self.head()?;
        Ok(match major {
            0 => Cbor::Uint(arg),
            1 => Cbor::Nint(arg),
            2 => Cbor::Bytes(self.take(arg)?.to_vec()),
            3 => Cbor::Text(
                String::from_utf8(self.take(arg)?.to_vec())
                    .map_err(|_| malformed("CBOR text string is not UTF-8"))?,
            ),
            4 => {
                // Every item takes at least one byte, so a count above what remains is a
                // truncation; a count within it is still only a claim: the reservation is capped
                // (threat model 13; a declared count once reserved gigabytes and trapped the wasm
                // module), and the count is budgeted.
                let remaining = self.data.len() - self.pos;
                if arg > remaining as u64 {
                    return Err(malformed("truncated CBOR"));
                }
                items_budget(arg)?;
                let mut v = Vec::with_capacity(limits::prealloc(arg, remaining, 1));
                for _ in 0..arg {
                    v.push(self.item(depth + 1)?);
                }
                Cbor::Array(v)
            }
            5 => {
                let remaining = self.data.len() - self.pos;
                if arg > remaining as u64 / 2 {
                    return Err(malformed("truncated CBOR"));
                }
                items_budget(arg)?;
                let mut v: Vec<(Cbor, Cbor)> =
                    Vec::with_capacity(limits::prealloc(arg, remaining, 2));
                let mut keys = SeenKeys::default();
                for _ in 0..arg {
                    let k = self.item(depth + 1)?;
                    // Keys are compared as decoded values (threat model 12a: unique labels);
                    // only integer, text and byte-string keys are accepted.
                    let id = key_id(&k).ok_or_else(|| {
                        malformed("CBOR map keys must be integers, text or byte strings")
                    })?;
                    if !keys.insert(id) {
                        return Err(malformed(format!("duplicate CBOR map key {k:?}")));
                    }
                    let val = self.item(depth + 1)?;
                    v.push((k, val));
                }
                Cbor::Map(v)
            }
            6 => Cbor::Tag(arg, Box::new(self.item(depth + 1)?)),
            _ => match info {
                20 => Cbor::Bool(false),
                21 => Cbor::Bool(true),
                22 => Cbor::Null,
                23 => Cbor::Undefined,
                25 => Cbor::Float(f16_to_f64(arg as u16)),
                26 => Cbor::Float(f64::from(f32::from_bits(arg as u32))),
                27 => Cbor::Float(f64::from_bits(arg)),
                _ => return Err(malformed("unsupported CBOR simple value")),
            },
        })
    }
}

fn f16_to_f64(h: u16) -> f64 {
    let exp = (h >> 10) & 0x1f;
    let mant = f64::from(h & 0x3ff);
    let v = match exp {
        0 => mant * 2f64.powi(-24),
        31 => {
            if mant == 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        e => (mant + 1024.0) * 2f64.powi(i32::from(e) - 25),
    };
    if h & 0x8000 != 0 {
        -v
    } else {
        v
    }
}

/// Decodes exactly one CBOR item filling `data`.
pub(crate) fn decode_all(data: &[u8]) -> Result<Cbor, EnvelopeError> {
    let mut r = Reader { data, pos: 0 };
    let item = r.item(0)?;
    if r.pos != data.len() {
        return Err(malformed("trailing data after the CBOR item"));
    }
    Ok(item)
}

/// Writes an item head: major type `major` with argument `n` in its shortest form (RFC 8949
/// §3, §4.2.1).
pub(super) fn push_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if n <= 0xff {
        out.push(m | 24);
        out.push(n as u8);
    } else if n <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn put_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        push_head(out, 0, n as u64);
    } else {
        // Major type 1 carries -1 - n (RFC 8949 §3.1); never overflows for i64.
        push_head(out, 1, (-1 - n) as u64);
    }
}

/// A CBOR item to write (RFC 8949 §3), borrowing what it encodes.
pub(super) enum Out<'a> {
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
    /// signature-envelope-cose.md: Notary times are tag 1 (epoch-based date/time, RFC 8949 §3.4.2)
    /// around integer seconds, as notation-go writes them.
    Time(i64),
    Array(Vec<Out<'a>>),
    /// Written with its keys in RFC 7049 §3.9 canonical order (shorter encoded key first, then
    /// bytewise), as go-cose does (signature-envelope-cose.md); a duplicate key is refused
    /// (RFC 9052 §3).
    Map(Vec<(Out<'a>, Out<'a>)>),
    /// An extended attribute's JSON value (integers stay integers, other numbers are float64).
    Json(&'a Value),
}

/// Writes `item` (at nesting `depth`, bounded as for reading) to `out`.
pub(super) fn write(out: &mut Vec<u8>, item: &Out, depth: usize) -> Result<(), EnvelopeError> {
    if depth > CBOR_DEPTH {
        return Err(EnvelopeError::Signing(
            "an extended attribute value is nested too deeply".into(),
        ));
    }
    match item {
        Out::Int(n) => put_int(out, *n),
        Out::Text(s) => {
            push_head(out, 3, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Out::Bytes(b) => {
            push_head(out, 2, b.len() as u64);
            out.extend_from_slice(b);
        }
        Out::Time(t) => {
            push_head(out, 6, 1);
            put_int(out, *t);
        }
        Out::Array(a) => {
            push_head(out, 4, a.len() as u64);
            for x in a {
                write(out, x, depth + 1)?;
            }
        }
        Out::Map(m) => {
            // An insertion sort: a dozen keys at most, and no slice-sort instantiation in the
            // wasm.
            let mut sorted: Vec<(Vec<u8>, &Out)> = Vec::with_capacity(m.len());
            for (k, v) in m {
                let mut key = Vec::new();
                write(&mut key, k, depth + 1)?;
                let mut at = sorted.len();
                for (i, (s, _)) in sorted.iter().enumerate() {
                    let order = s.len().cmp(&key.len()).then_with(|| s.cmp(&key));
                    if order.is_eq() {
                        return Err(EnvelopeError::Signing(
                            "duplicate label in a COSE header map".into(),
                        ));
                    }
                    if order.is_gt() {
                        at = i;
                        break;
                    }
                }
                sorted.insert(at, (key, v));
            }
            push_head(out, 5, sorted.len() as u64);
            for (k, v) in sorted {
                out.extend_from_slice(&k);
                write(out, v, depth + 1)?;
            }
        }
        Out::Json(v) => match v {
            Value::Null => out.push(0xf6),
            Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    push_head(out, 0, u);
                } else if let Some(i) = n.as_i64() {
                    put_int(out, i);
                } else {
                    out.push(0xfb);
                    out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_be_bytes());
                }
            }
            Value::String(s) => write(out, &Out::Text(s), depth)?,
            Value::Array(a) => write(out, &Out::Array(a.iter().map(Out::Json).collect()), depth)?,
            Value::Object(m) => write(
                out,
                &Out::Map(
                    m.iter()
                        .map(|(k, v)| (Out::Text(k), Out::Json(v)))
                        .collect(),
                ),
                depth,
            )?,
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_debug_keeps_the_derived_layout() {
        let item = Cbor::Map(vec![
            (Cbor::Uint(1), Cbor::Nint(6)),
            (Cbor::Text("a".into()), Cbor::Bytes(vec![1, 2])),
            (
                Cbor::Uint(2),
                Cbor::Array(vec![Cbor::Bool(true), Cbor::Null, Cbor::Undefined]),
            ),
            (Cbor::Uint(3), Cbor::Tag(1, Box::new(Cbor::Float(1.5)))),
        ]);
        assert_eq!(
            format!("{item:?}"),
            "Map([(Uint(1), Nint(6)), (Text(\"a\"), Bytes([1, 2])), \
             (Uint(2), Array([Bool(true), Null, Undefined])), (Uint(3), Tag(1, Float(1.5)))])"
        );
        // Floats read as `f64`'s `Debug` writes them, non-finite ones included.
        for (x, text) in [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (-2.5e-7, "-2.5e-7"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(format!("{:?}", Cbor::Float(x)), format!("Float({text})"));
            assert_eq!(format!("{x:?}"), text);
        }
    }

    #[test]
    fn cbor_reader_strictness() {
        // Indefinite-length array, map and byte string.
        assert!(decode_all(&[0x9f, 0x01, 0xff]).is_err());
        assert!(decode_all(&[0xbf, 0x01, 0x02, 0xff]).is_err());
        assert!(decode_all(&[0x5f, 0x41, 0x00, 0xff]).is_err());
        // Duplicate map keys, also nested.
        assert!(decode_all(&[0xa2, 0x01, 0x00, 0x01, 0x00]).is_err());
        assert!(decode_all(&[0x81, 0xa2, 0x61, b'a', 0x00, 0x61, b'a', 0x01]).is_err());
        assert_eq!(
            decode_all(&[0xa2, 0x01, 0x00, 0x20, 0x00]).unwrap(),
            Cbor::Map(vec![
                (Cbor::Uint(1), Cbor::Uint(0)),
                (Cbor::Nint(0), Cbor::Uint(0))
            ])
        );
        // Trailing data, truncation, huge counts.
        assert!(decode_all(&[0x01, 0x02]).is_err());
        assert!(decode_all(&[0x42, 0x00]).is_err());
        assert!(decode_all(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode_all(&[0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        // Deep nesting fails cleanly.
        let deep = vec![0x81u8; 100_000];
        assert!(matches!(decode_all(&deep), Err(EnvelopeError::Limit(_))));
        // Invalid UTF-8 text.
        assert!(decode_all(&[0x61, 0xff]).is_err());
        assert_eq!(decode_all(&[0xf9, 0x3c, 0x00]).unwrap(), Cbor::Float(1.0));
    }

    fn limit_of(r: Result<Cbor, EnvelopeError>) -> LimitExceeded {
        match r {
            Err(EnvelopeError::Limit(l)) => l,
            other => panic!("expected a limit, got {other:?}"),
        }
    }

    #[test]
    fn declared_counts_are_claims_not_reservations() {
        // 4 MiB of nested arrays each declaring the most items the budget allows: once every
        // level reserved its declared count (a trap in wasm); now the depth budget answers.
        let mut nested = Vec::new();
        while nested.len() < 4 << 20 {
            nested.extend_from_slice(&[0x99, 0xff, 0xf0]);
        }
        let l = limit_of(decode_all(&nested));
        assert_eq!(
            (l.limit, l.max, l.found),
            ("cbor.depth", CBOR_DEPTH, CBOR_DEPTH + 1)
        );

        // Many real items: an array of 100 000 zeros (and a map of 50 000 entries) are refused by
        // the item budget from the declared count.
        let mut many = vec![0x9a, 0x00, 0x01, 0x86, 0xa0];
        many.resize(many.len() + 100_000, 0x00);
        let l = limit_of(decode_all(&many));
        assert_eq!(
            (l.limit, l.max, l.found),
            ("cbor.items", CBOR_ITEMS, 100_000)
        );

        // Within the budget, a large array still decodes (linear, nothing quadratic).
        let mut ok = vec![0x99, 0xff, 0xff];
        ok.resize(ok.len() + 65_535, 0x00);
        assert!(matches!(decode_all(&ok), Ok(Cbor::Array(a)) if a.len() == 65_535));

        // A map of the maximum size with distinct keys decodes in n log n.
        let mut map = vec![0xb9, 0xff, 0xff];
        for i in 0..65_535u32 {
            map.push(0x1a);
            map.extend_from_slice(&i.to_be_bytes());
            map.push(0x00);
        }
        assert!(matches!(decode_all(&map), Ok(Cbor::Map(m)) if m.len() == 65_535));
    }
}
