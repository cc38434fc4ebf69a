//! Strict JSON reading for trust policy documents: duplicate member names anywhere are an error
//! (docs/conformance.md §D2; threat model 11c), nesting is bounded (threat model 13), and nothing
//! may follow the document.

use core::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The deepest nesting of arrays and objects accepted (threat model 13). A trust policy nests
/// four levels deep.
pub(crate) const MAX_JSON_DEPTH: usize = 64;

/// Parses `bytes` as one JSON value, refusing duplicate member names, nesting deeper than
/// [`MAX_JSON_DEPTH`] and trailing content. The error text names the line and column.
pub(crate) fn parse_strict(bytes: &[u8]) -> Result<Value, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue { depth: 0 }
        .deserialize(&mut deserializer)
        .map_err(|e| e.to_string())?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Seed producing a [`Value`] at a given nesting depth.
struct StrictValue {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictValue {
    fn enter<E: de::Error>(&self) -> Result<StrictValue, E> {
        if self.depth >= MAX_JSON_DEPTH {
            return Err(E::custom(format_args!(
                "JSON nesting deeper than {MAX_JSON_DEPTH} levels"
            )));
        }
        Ok(StrictValue {
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue { depth: inner.depth })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.enter()?;
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(de::Error::custom(format_args!(
                    "duplicate member name {name:?}"
                )));
            }
            let value = map.next_value_seed(StrictValue { depth: inner.depth })?;
            members.insert(name, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_json() {
        let value = parse_strict(br#"{"a": [1, -2, 3.5, "x", true, null, {}]}"#).unwrap();
        assert_eq!(value["a"][3], "x");
        assert_eq!(value["a"][1], -2);
    }

    #[test]
    fn duplicates_are_refused_at_any_depth() {
        for doc in [
            r#"{"a": 1, "a": 1}"#,
            r#"{"x": {"level": "strict", "level": "skip"}}"#,
            r#"[{"b": [{"c": 1, "c": 2}]}]"#,
        ] {
            let error = parse_strict(doc.as_bytes()).unwrap_err();
            assert!(error.contains("duplicate member name"), "{doc}: {error}");
        }
        // Names differing in case or escapes spelling the same name.
        assert!(parse_strict(br#"{"a": 1, "A": 1}"#).is_ok());
        assert!(parse_strict(br#"{"a": 1, "\u0061": 1}"#).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        let ok = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        assert!(parse_strict(ok.as_bytes()).is_ok());
        let deep = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH + 1),
            "]".repeat(MAX_JSON_DEPTH + 1)
        );
        assert!(parse_strict(deep.as_bytes())
            .unwrap_err()
            .contains("nesting"));
        let hostile = "[{\"a\":".repeat(100_000);
        assert!(parse_strict(hostile.as_bytes()).is_err());
    }

    #[test]
    fn trailing_content_is_refused() {
        assert!(parse_strict(b"{} {}").is_err());
        assert!(parse_strict(b"{} x").is_err());
        assert!(parse_strict(b" {} \n").is_ok());
        assert!(parse_strict(b"").is_err());
        assert!(parse_strict(b"\xEF\xBB\xBF{}").is_err());
    }
}
