//! Distinguished names for `x509.subject` trusted identities (trust-store-trust-policy.md §Trust
//! Policy; threat model 10).
//!
//! [`parse_dn`] reproduces what notation does with a DN string: the RFC 4514 parser of go-ldap
//! v3.4.11 (`ParseDN`) followed by notation's rules (`ParseDistinguishedName`):
//!
//! - RDNs are separated by `,` or `;`; `+` joins attributes into a multi-valued RDN, which is
//!   refused;
//! - unescaped spaces around attribute types and values are dropped (only U+0020; an escaped
//!   trailing space is kept);
//! - escapes are `\` followed by one of `` "#+,;<=>\`` or a space, or two hex digits giving one
//!   byte (bytes may combine into UTF-8);
//! - attribute types are kept as written (case-sensitive), except that `S` becomes `ST`;
//! - a DN containing `=#` (a hex-encoded BER value) is refused up front, as notation does since
//!   GHSA-87x9-7grx-m28v;
//! - an attribute type may appear once; `C`, `ST` and `O` must be present with non-empty values.
//!
//! The same function parses the signing certificate's subject as Go renders it (RFC 4514 via
//! `pkix.Name.String()`), so a subject that breaks these rules can never match an identity.
//!
//! Stricter than notation, and bounded: input longer than [`MAX_DN_BYTES`] or with more than
//! [`MAX_DN_ATTRIBUTES`] attributes is refused; a NUL in a type or value, an empty attribute type,
//! escaped bytes that are not UTF-8 and a type appearing twice with an empty first value are all
//! refused (go-ldap / notation accept them). The parser is a single pass without recursion.

use std::collections::BTreeMap;

use super::error::{DnProblem, PolicyError};

/// The longest DN accepted, in bytes. Real subjects are a few hundred bytes; X.509 upper bounds
/// keep each attribute value under a few hundred characters.
pub const MAX_DN_BYTES: usize = 16 * 1024;

/// The most attributes accepted in one DN.
pub const MAX_DN_ATTRIBUTES: usize = 64;

/// The attributes notation requires in every x509 trusted identity (trust-store-trust-policy.md
/// §Trust Policy), in the order it checks them.
const MANDATORY_ATTRIBUTES: [&str; 3] = ["C", "ST", "O"];

/// A distinguished name reduced to what notation compares: a map from attribute type to value
/// (trust-store-trust-policy.md §Trust Policy). Built only by [`parse_dn`], so it never has a
/// multi-valued RDN or a repeated type, and always has `C`, `ST` and `O`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DistinguishedName {
    attributes: BTreeMap<String, String>,
}

impl DistinguishedName {
    /// The value of an attribute type (exact, case-sensitive type; `S` is stored as `ST`).
    pub fn get(&self, attribute: &str) -> Option<&str> {
        self.attributes.get(attribute).map(String::as_str)
    }

    /// The attributes, ordered by type name (byte order, as Go prints maps).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.attributes
            .iter()
            .map(|(attribute, value)| (attribute.as_str(), value.as_str()))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.attributes.len()
    }

    /// Whether there are no attributes (never true for a parsed DN).
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }

    /// Whether every attribute of `self` has the same value in `other` (notation's `IsSubsetDN`,
    /// trust-store-trust-policy.md §Trust Policy): types compare exactly, values byte for byte. As
    /// in notation, an attribute absent from `other` counts as the empty value.
    pub fn is_subset_of(&self, other: &DistinguishedName) -> bool {
        self.attributes
            .iter()
            .all(|(attribute, value)| other.get(attribute).unwrap_or("") == value)
    }
}

/// Parses a DN with notation's rules (see the module documentation; trust-store-trust-policy.md
/// §Trust Policy). Never panics; linear in the input length.
pub fn parse_dn(dn: &str) -> Result<DistinguishedName, PolicyError> {
    let refuse = |problem: DnProblem| PolicyError::InvalidDistinguishedName {
        dn: dn.to_owned(),
        problem,
    };
    if dn.len() > MAX_DN_BYTES {
        return Err(PolicyError::InvalidDistinguishedName {
            dn: String::new(),
            problem: DnProblem::TooLong(dn.len()),
        });
    }
    // notation refuses hex-encoded values before parsing (GHSA-87x9-7grx-m28v).
    if dn.contains("=#") {
        return Err(refuse(DnProblem::HexValue));
    }
    let rdns = parse_rdn_sequence(dn).map_err(refuse)?;

    let mut attributes = BTreeMap::new();
    for rdn in rdns {
        if rdn.len() > 1 {
            return Err(refuse(DnProblem::MultiValued));
        }
        for (mut attribute, value) in rdn {
            // trust-store-trust-policy.md §Trust Policy: `S` is an alias of `ST`
            // (stateOrProvinceName).
            if attribute == "S" {
                attribute = "ST".to_owned();
            }
            if attributes.contains_key(&attribute) {
                return Err(refuse(DnProblem::DuplicateAttribute(attribute)));
            }
            attributes.insert(attribute, value);
        }
    }
    for mandatory in MANDATORY_ATTRIBUTES {
        if attributes.get(mandatory).is_none_or(String::is_empty) {
            return Err(refuse(DnProblem::MissingMandatory(mandatory)));
        }
    }
    Ok(DistinguishedName { attributes })
}

/// One RDN: its attributes as (type, value), decoded.
type Rdn = Vec<(String, String)>;

/// The RFC 4514 layer (go-ldap v3.4.11 `ParseDN`): splits on unescaped `=`, `,`, `;` and `+` and
/// decodes types and values. A blank string is the empty DN.
fn parse_rdn_sequence(dn: &str) -> Result<Vec<Rdn>, DnProblem> {
    let mut rdns: Vec<Rdn> = Vec::new();
    if dn.trim().is_empty() {
        return Ok(rdns);
    }
    let bytes = dn.as_bytes();
    let mut rdn: Rdn = Vec::new();
    let mut attribute_type: Option<String> = None;
    let mut start = 0;
    let mut escaping = false;
    let mut count = 0usize;
    let syntax = |reason: &str| DnProblem::Syntax(reason.to_owned());

    // Every position where a slice starts or ends holds an ASCII byte (or is the end), so the
    // slices below fall on character boundaries.
    for (i, &byte) in bytes.iter().enumerate() {
        if escaping {
            escaping = false;
            continue;
        }
        match byte {
            b'\\' => escaping = true,
            b'=' if attribute_type.is_none() => {
                let decoded = decode(&dn[start..i])?;
                if decoded.is_empty() {
                    return Err(syntax("incomplete type, value pair"));
                }
                attribute_type = Some(decoded);
                start = i + 1;
            }
            b',' | b'+' | b';' => {
                let Some(attribute) = attribute_type.take() else {
                    return Err(syntax("incomplete type, value pair"));
                };
                count += 1;
                if count > MAX_DN_ATTRIBUTES {
                    return Err(DnProblem::TooManyAttributes);
                }
                rdn.push((attribute, decode_value(&dn[start..i])?));
                start = i + 1;
                if byte != b'+' {
                    rdns.push(core::mem::take(&mut rdn));
                }
            }
            _ => {}
        }
    }
    let Some(attribute) = attribute_type else {
        return Err(syntax("DN ended with incomplete type, value pair"));
    };
    count += 1;
    if count > MAX_DN_ATTRIBUTES {
        return Err(DnProblem::TooManyAttributes);
    }
    rdn.push((attribute, decode_value(&dn[start..])?));
    rdns.push(rdn);
    Ok(rdns)
}

/// Decodes an attribute value. A value starting with `#` is RFC 4514's hex form, which notation
/// refuses (the `=#` check normally catches it first).
fn decode_value(raw: &str) -> Result<String, DnProblem> {
    if raw.starts_with('#') {
        return Err(DnProblem::HexValue);
    }
    decode(raw)
}

/// Drops unescaped leading and trailing spaces, then resolves escapes (RFC 4514 §3, go-ldap
/// `decodeString`).
fn decode(raw: &str) -> Result<String, DnProblem> {
    let text = trim_unescaped_spaces(raw);
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let Some((_, first)) = chars.next() else {
            return Err(DnProblem::Syntax(format!(
                "got corrupted escaped character: '{text}'"
            )));
        };
        if matches!(
            first,
            ' ' | '"' | '#' | '+' | ',' | ';' | '<' | '=' | '>' | '\\'
        ) {
            out.push(first as u8);
            continue;
        }
        let second = chars.next().map(|(_, c)| c);
        match (hex_digit(first), second.and_then(hex_digit)) {
            (Some(high), Some(low)) => out.push(high << 4 | low),
            _ => {
                return Err(DnProblem::Syntax(format!(
                    "failed to decode escaped character: invalid hex escape '\\{first}{}'",
                    second.map(String::from).unwrap_or_default()
                )))
            }
        }
    }
    if out.contains(&0) {
        return Err(DnProblem::Nul);
    }
    String::from_utf8(out)
        .map_err(|_| DnProblem::Syntax("escaped bytes are not valid UTF-8".to_owned()))
}

/// Removes leading spaces and unescaped trailing spaces: when the text left ends in an odd run of
/// backslashes, the last of them escapes one space, which stays.
fn trim_unescaped_spaces(raw: &str) -> &str {
    let start = raw.trim_start_matches(' ');
    let trimmed = start.trim_end_matches(' ');
    if trimmed.len() == start.len() {
        return trimmed;
    }
    let backslashes = trimmed.bytes().rev().take_while(|&b| b == b'\\').count();
    if backslashes % 2 == 1 {
        // Keep the escaped space: one byte past the trimmed text, which is a space.
        &start[..trimmed.len() + 1]
    } else {
        trimmed
    }
}

fn hex_digit(c: char) -> Option<u8> {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(dn: &str) -> Vec<(String, String)> {
        parse_dn(dn)
            .unwrap_or_else(|e| panic!("{dn}: {e}"))
            .iter()
            .map(|(a, v)| (a.to_owned(), v.to_owned()))
            .collect()
    }

    fn problem(dn: &str) -> DnProblem {
        match parse_dn(dn) {
            Err(PolicyError::InvalidDistinguishedName { problem, .. }) => problem,
            other => panic!("{dn}: unexpected {other:?}"),
        }
    }

    fn value(dn: &str, attribute: &str) -> String {
        parse_dn(dn).unwrap().get(attribute).unwrap().to_owned()
    }

    const BASE: &str = "C=US,ST=WA";

    #[test]
    fn parses_go_rendered_subjects() {
        let dn = parse_dn("CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US").unwrap();
        assert_eq!(dn.len(), 6);
        assert_eq!(dn.get("CN"), Some("SomeCN"));
        assert_eq!(dn.get("ST"), Some("WA"));
        assert_eq!(dn.get("st"), None);
    }

    #[test]
    fn escapes() {
        assert_eq!(value(&format!("{BASE},O=acme\\, Inc"), "O"), "acme, Inc");
        assert_eq!(value(&format!("{BASE},O=a\\+b"), "O"), "a+b");
        assert_eq!(value(&format!("{BASE},O=\\\"q\\\""), "O"), "\"q\"");
        assert_eq!(value(&format!("{BASE},O=\\4F\\4b"), "O"), "OK");
        assert_eq!(
            value(&format!("{BASE},O=Lu\\C4\\8Di\\C4\\87"), "O"),
            "Lučić"
        );
        assert_eq!(
            value(&format!("{BASE},O=x\\;y\\<\\>\\=\\#\\\\"), "O"),
            "x;y<>=#\\"
        );
        assert_eq!(value(&format!("{BASE},O=\\#lead"), "O"), "#lead");
        // `=` inside a value needs no escape; `#` after the first character neither.
        assert_eq!(value(&format!("{BASE},O=a=b # c"), "O"), "a=b # c");
        // Escapes in a type are decoded too.
        assert_eq!(value(&format!("{BASE},O=x,\\4F\\55=u"), "OU"), "u");
    }

    #[test]
    fn bad_escapes() {
        for dn in [
            "C=US,ST=WA,O=x\\",
            "C=US,ST=WA,O=x\\4",
            "C=US,ST=WA,O=x\\zz",
            "C=US,ST=WA,O=\\4é",
        ] {
            assert!(matches!(problem(dn), DnProblem::Syntax(_)), "{dn}");
        }
        // Escaped bytes must form UTF-8.
        assert!(matches!(problem("C=US,ST=WA,O=\\FF"), DnProblem::Syntax(_)));
    }

    #[test]
    fn spaces() {
        let dn = parse_dn("  C = US ,  ST=  WA  ;O=  My Org  ").unwrap();
        assert_eq!(dn.get("C"), Some("US"));
        assert_eq!(dn.get("ST"), Some("WA"));
        assert_eq!(dn.get("O"), Some("My Org"));
        // Escaped leading and trailing spaces stay.
        assert_eq!(value(&format!("{BASE},O=\\ x\\ "), "O"), " x ");
        assert_eq!(value(&format!("{BASE},O=  \\ x\\   "), "O"), " x ");
        // An escaped backslash before trailing spaces does not escape them.
        assert_eq!(value(&format!("{BASE},O=x\\\\  "), "O"), "x\\");
        // Only U+0020 is trimmed, not tabs.
        assert_eq!(value(&format!("{BASE},O=x\t"), "O"), "x\t");
        // A space-separated DN as written in policies (`x509.subject: C=US, ST=WA, O=acme`).
        assert_eq!(attrs(" C=US, ST=WA, O=acme").len(), 3);
    }

    #[test]
    fn s_alias() {
        assert_eq!(value("C=US,S=WA,O=x", "ST"), "WA");
        assert_eq!(
            problem("C=US,S=WA,ST=WA,O=x"),
            DnProblem::DuplicateAttribute("ST".into())
        );
        // The alias is exact: lower-case `s` is another attribute.
        assert_eq!(problem("C=US,s=WA,O=x"), DnProblem::MissingMandatory("ST"));
    }

    #[test]
    fn multi_valued_rdns_are_refused() {
        assert_eq!(problem("C=US+ST=WA,O=MyOrg"), DnProblem::MultiValued);
        assert_eq!(problem("O=a+OU=b,C=US,ST=WA"), DnProblem::MultiValued);
        // An escaped `+` is not a separator.
        assert_eq!(value("C=US,ST=WA,O=a\\+OU=b", "O"), "a+OU=b");
    }

    #[test]
    fn hex_values_are_refused() {
        assert_eq!(problem("C=US,ST=WA,O=#04024869"), DnProblem::HexValue);
        assert_eq!(
            problem("C=US,ST=California,O=Notary Project=#"),
            DnProblem::HexValue
        );
        assert_eq!(
            problem("CN=Bad=#CN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US"),
            DnProblem::HexValue
        );
        assert_eq!(
            problem("1.2.840.113549.1.9.1=#160161,C=US,ST=WA,O=x"),
            DnProblem::HexValue
        );
    }

    #[test]
    fn duplicates_are_refused() {
        assert_eq!(
            problem("C=US,C=IN"),
            DnProblem::DuplicateAttribute("C".into())
        );
        // Even when the first value is empty (notation would overwrite it).
        assert_eq!(
            problem("C=US,ST=WA,O=,O=x"),
            DnProblem::DuplicateAttribute("O".into())
        );
        // Types are case-sensitive, as in notation: `o` and `O` are different attributes.
        assert_eq!(attrs("C=US,ST=WA,O=x,o=y").len(), 4);
    }

    #[test]
    fn mandatory_attributes() {
        assert_eq!(problem("C=US,ST=WA"), DnProblem::MissingMandatory("O"));
        assert_eq!(problem("C=US,O=x"), DnProblem::MissingMandatory("ST"));
        assert_eq!(problem("ST=WA,O=x"), DnProblem::MissingMandatory("C"));
        assert_eq!(problem("C=,ST=WA,O=x"), DnProblem::MissingMandatory("C"));
        assert_eq!(problem(""), DnProblem::MissingMandatory("C"));
        assert_eq!(problem("   "), DnProblem::MissingMandatory("C"));
    }

    #[test]
    fn syntax_errors() {
        for dn in [
            "invalid",
            "*",
            "C=US,,ST=WA,O=x",
            "C=US,ST=WA,O=x,",
            "C=US,ST=WA,O=x+",
            "=US,ST=WA,O=x",
            " =US,ST=WA,O=x",
            "C=US,ST=WA,=x",
        ] {
            assert!(
                matches!(problem(dn), DnProblem::Syntax(_)),
                "{dn}: {:?}",
                problem(dn)
            );
        }
    }

    #[test]
    fn nul_is_refused() {
        assert_eq!(problem("C=US,ST=WA,O=acme\0evil"), DnProblem::Nul);
        assert_eq!(problem("C=US,ST=WA,O=acme\\00"), DnProblem::Nul);
        assert_eq!(problem("C=US,ST=WA,O=x,C\0N=y"), DnProblem::Nul);
    }

    #[test]
    fn bounded() {
        let long = format!("C=US,ST=WA,O={}", "a".repeat(MAX_DN_BYTES));
        assert_eq!(problem(&long), DnProblem::TooLong(long.len()));
        let many: Vec<String> = (0..=MAX_DN_ATTRIBUTES).map(|i| format!("A{i}=v")).collect();
        assert_eq!(problem(&many.join(",")), DnProblem::TooManyAttributes);
        // Deep or repetitive input just runs through the single pass.
        let separators = ",".repeat(MAX_DN_BYTES - 1);
        assert!(matches!(problem(&separators), DnProblem::Syntax(_)));
        let escapes = "\\\\".repeat(MAX_DN_BYTES / 2 - 16);
        assert_eq!(
            value(&format!("C=US,ST=WA,O={escapes}"), "O").len(),
            MAX_DN_BYTES / 2 - 16
        );
        let pluses = format!("C=US,ST=WA,O=x{}", "+A=b".repeat(MAX_DN_ATTRIBUTES));
        assert_eq!(problem(&pluses), DnProblem::TooManyAttributes);
    }

    #[test]
    fn subset() {
        let identity = parse_dn("C=US,ST=WA,O=acme").unwrap();
        let leaf = parse_dn("CN=signer,O=acme,L=Seattle,ST=WA,C=US").unwrap();
        assert!(identity.is_subset_of(&leaf));
        assert!(!leaf.is_subset_of(&identity));
        assert!(identity.is_subset_of(&identity));
        let other = parse_dn("C=US,ST=WA,O=ACME").unwrap();
        assert!(!other.is_subset_of(&leaf));
        // An empty value matches an absent attribute, as in notation.
        let empty_ou = parse_dn("C=US,ST=WA,O=acme,OU=").unwrap();
        assert!(empty_ou.is_subset_of(&leaf));
    }

    #[test]
    fn never_panics_on_random_input() {
        // A small deterministic generator (64-bit LCG) over characters that matter to the parser,
        // including multi-byte ones right after a backslash.
        let alphabet = [
            'C', 'S', 'T', 'O', '=', ',', '+', ';', '\\', ' ', '#', 'a', 'F', '0', 'é', '⭐', '\0',
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = next() % 24;
            // Half the inputs start with the mandatory attributes, so some of them parse.
            let mut input = String::from(if next() % 2 == 0 { "C=US,S=WA,O=" } else { "" });
            input.extend((0..len).map(|_| alphabet[next() % alphabet.len()]));
            if let Ok(dn) = parse_dn(&input) {
                parsed += 1;
                // Whatever parses satisfies the notation rules.
                for mandatory in MANDATORY_ATTRIBUTES {
                    assert!(!dn.get(mandatory).unwrap_or("").is_empty(), "{input:?}");
                }
                assert!(dn
                    .iter()
                    .all(|(a, v)| !a.contains('\0') && !v.contains('\0')));
            }
        }
        assert!(parsed > 100, "only {parsed} inputs parsed");
    }

    #[test]
    fn never_panics_on_awkward_input() {
        let inputs = [
            "\\",
            "=",
            ",",
            "+",
            ";",
            "#",
            "=#",
            "\\é",
            "é=é",
            "C=\\é",
            "C=US,ST=WA,O=\\\u{10FFFF}",
            "C=US,ST=WA,O=\u{10FFFF}\\",
            "\\\\\\",
            "a\\=b=c,C=US,ST=WA,O=x",
        ];
        for input in inputs {
            let _ = parse_dn(input);
        }
        // Exhaustive over short strings of the interesting characters.
        let alphabet = ['C', '=', ',', '+', ';', '\\', ' ', '#', '4', 'é'];
        let mut buf = String::new();
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        buf.clear();
                        buf.extend([a, b, c, d]);
                        let _ = parse_dn(&buf);
                        let _ = parse_dn(&format!("C=US,ST=WA,O={buf}"));
                    }
                }
            }
        }
    }
}
