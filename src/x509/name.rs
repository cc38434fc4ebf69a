//! Distinguished names rendered exactly as Go's `pkix.Name.String()`.
//!
//! notation-go matches trusted identities (trust-store-trust-policy.md §Trust Policy) against
//! `cert.Subject.String()` and prints it in every certificate error, so nv2 reproduces that
//! function, quirks included:
//!
//! * Go first decodes the name into `pkix.Name` (`FillFromRDNSequence`): the nine attributes it
//!   knows (C, O, OU, CN, SERIALNUMBER, L, ST, STREET, POSTALCODE) go into fields — the last CN
//!   and SERIALNUMBER win, the others accumulate — and every attribute is also kept in `Names`.
//! * `String()` then emits, in this order, one RDN per *unknown* attribute (from `Names`), then
//!   C, ST, L, STREET, POSTALCODE, O, OU (all values of one attribute form one multi-valued RDN),
//!   CN and SERIALNUMBER (when non-empty) — and prints that sequence **reversed**, RDNs joined by
//!   `,`, multi-valued RDN members by `+`.
//! * Values are escaped per RFC 4514 as Go does: `, + " \ < > ;` always, a leading or trailing
//!   space, a leading `#`.
//! * Unknown attribute types print as `<dotted OID>=#<hex>` where the hex is Go's
//!   `asn1.Marshal` of the decoded *string* (PrintableString when the characters allow, else
//!   UTF8String) — not the original encoding.
//!
//! Attribute values must be one of the string types Go's parser accepts (PrintableString,
//! UTF8String, IA5String, NumericString, T61String, BMPString); anything else fails the
//! certificate parse, as in Go (`x509: invalid RDNSequence: invalid attribute value`).

use const_oid::ObjectIdentifier;
use der::Tag;

use super::asn1::Attribute;
use super::CertError;

/// Go's `pkix.Name` fields that matter for `String()`.
#[derive(Default)]
struct GoName {
    /// Every attribute, in encoding order (Go's `Names`).
    names: Vec<(ObjectIdentifier, String)>,
    common_name: String,
    serial_number: String,
    country: Vec<String>,
    locality: Vec<String>,
    province: Vec<String>,
    street_address: Vec<String>,
    organization: Vec<String>,
    organizational_unit: Vec<String>,
    postal_code: Vec<String>,
}

/// The `2.5.4.n` arc number when `oid` is one of Go's known name attributes' arc.
fn x520_arc(oid: &ObjectIdentifier) -> Option<u32> {
    let mut arcs = oid.arcs();
    match (
        arcs.next(),
        arcs.next(),
        arcs.next(),
        arcs.next(),
        arcs.next(),
    ) {
        (Some(2), Some(5), Some(4), Some(n), None) => Some(n),
        _ => None,
    }
}

/// Short name Go prints for a known attribute (`attributeTypeNames`).
fn short_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    match x520_arc(oid)? {
        3 => Some("CN"),
        5 => Some("SERIALNUMBER"),
        6 => Some("C"),
        7 => Some("L"),
        8 => Some("ST"),
        9 => Some("STREET"),
        10 => Some("O"),
        11 => Some("OU"),
        17 => Some("POSTALCODE"),
        _ => None,
    }
}

/// Decodes an attribute value as Go's `parseASN1String` does.
fn decode_string(tag: Tag, value: &[u8]) -> Result<String, CertError> {
    let bad = |what: &str| CertError::Parse(format!("invalid attribute value: {what}"));
    match tag {
        Tag::PrintableString => {
            if value.iter().all(|&b| is_printable(b, true, true)) {
                Ok(value.iter().map(|&b| char::from(b)).collect())
            } else {
                Err(bad("invalid PrintableString"))
            }
        }
        Tag::Utf8String => String::from_utf8(value.to_vec()).map_err(|_| bad("invalid UTF-8")),
        Tag::Ia5String => {
            if value.is_ascii() {
                Ok(value.iter().map(|&b| char::from(b)).collect())
            } else {
                Err(bad("invalid IA5String"))
            }
        }
        Tag::NumericString => {
            if value.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                Ok(value.iter().map(|&b| char::from(b)).collect())
            } else {
                Err(bad("invalid NumericString"))
            }
        }
        // Go keeps T61String bytes as they are; a Rust string must be UTF-8, so bytes that are
        // not are replaced (the name is still rendered, never trusted more than Go would).
        Tag::TeletexString => Ok(String::from_utf8_lossy(value).into_owned()),
        Tag::BmpString => {
            if value.len() % 2 != 0 {
                return Err(bad("invalid BMPString"));
            }
            let mut units: Vec<u16> = value
                .chunks_exact(2)
                .map(|c| match c {
                    [hi, lo] => u16::from_be_bytes([*hi, *lo]),
                    _ => 0,
                })
                .collect();
            // Go strips one terminating NUL.
            if units.last() == Some(&0) {
                units.pop();
            }
            Ok(char::decode_utf16(units)
                .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect())
        }
        other => Err(bad(&format!("unsupported string type: {other}"))),
    }
}

/// Go's `asn1` `isPrintable` (PrintableString alphabet, optionally with `*` and `&`).
fn is_printable(b: u8, allow_asterisk: bool, allow_ampersand: bool) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
        )
        || (allow_asterisk && b == b'*')
        || (allow_ampersand && b == b'&')
}

/// Go's `asn1.Marshal(string)`: PrintableString when every character is in the PrintableString
/// alphabet (without `*` and `&`), otherwise UTF8String.
fn go_marshal_string(s: &str) -> Vec<u8> {
    let printable = s
        .bytes()
        .all(|b| b.is_ascii() && is_printable(b, false, false));
    let tag: u8 = if printable { 0x13 } else { 0x0c };
    let body = s.as_bytes();
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(body);
    out
}

/// RFC 4514 value escaping as Go's `RDNSequence.String()` does it.
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.len().saturating_sub(1);
    for (k, c) in value.char_indices() {
        let escape = match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
            ' ' => k == 0 || k == last,
            '#' => k == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn fill(name: &[Attribute<'_>]) -> Result<GoName, CertError> {
    let mut n = GoName::default();
    for (oid, tag, bytes) in name {
        let value = decode_string(*tag, bytes)?;
        match x520_arc(oid) {
            Some(3) => n.common_name = value.clone(),
            Some(5) => n.serial_number = value.clone(),
            Some(6) => n.country.push(value.clone()),
            Some(7) => n.locality.push(value.clone()),
            Some(8) => n.province.push(value.clone()),
            Some(9) => n.street_address.push(value.clone()),
            Some(10) => n.organization.push(value.clone()),
            Some(11) => n.organizational_unit.push(value.clone()),
            Some(17) => n.postal_code.push(value.clone()),
            _ => {}
        }
        n.names.push((*oid, value));
    }
    Ok(n)
}

/// Renders a name (its attributes in encoding order, [`super::asn1::name_attributes`]) exactly
/// as Go's `pkix.Name.String()` would after `x509.ParseCertificate`.
///
/// Fails (as Go's parser does) when an attribute value is not a supported string type.
pub(crate) fn go_name_string(name: &[Attribute<'_>]) -> Result<String, CertError> {
    let n = fill(name)?;
    let mut rdns: Vec<Vec<(ObjectIdentifier, String)>> = Vec::new();
    for (t, v) in &n.names {
        if matches!(x520_arc(t), Some(3 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 17)) {
            continue;
        }
        rdns.push(vec![(*t, v.clone())]);
    }
    let mut append = |values: &[String], arc: u32| {
        if !values.is_empty() {
            rdns.push(values.iter().map(|v| (x520_oid(arc), v.clone())).collect());
        }
    };
    append(&n.country, 6);
    append(&n.province, 8);
    append(&n.locality, 7);
    append(&n.street_address, 9);
    append(&n.postal_code, 17);
    append(&n.organization, 10);
    append(&n.organizational_unit, 11);
    if !n.common_name.is_empty() {
        append(std::slice::from_ref(&n.common_name), 3);
    }
    if !n.serial_number.is_empty() {
        append(std::slice::from_ref(&n.serial_number), 5);
    }

    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, (t, v)) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            match short_name(t) {
                Some(short) => {
                    out.push_str(short);
                    out.push('=');
                    out.push_str(&escape_value(v));
                }
                None => {
                    out.push_str(&t.to_string());
                    out.push_str("=#");
                    out.push_str(&crate::crypto::hex(&go_marshal_string(v)));
                }
            }
        }
    }
    Ok(out)
}

/// The OID `2.5.4.<arc>` for the nine attributes Go knows.
fn x520_oid(arc: u32) -> ObjectIdentifier {
    use const_oid::db::rfc4519 as a;
    match arc {
        3 => a::CN,
        5 => a::SERIAL_NUMBER,
        6 => a::C,
        7 => a::L,
        8 => a::ST,
        9 => a::STREET,
        10 => a::O,
        11 => a::OU,
        _ => a::POSTAL_CODE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{asn1::Any, Encode};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    fn atv(oid: &str, tag: Tag, value: &[u8]) -> AttributeTypeAndValue {
        AttributeTypeAndValue {
            oid: ObjectIdentifier::new_unwrap(oid),
            value: Any::new(tag, value.to_vec()).unwrap(),
        }
    }

    fn name_of(rdns: Vec<Vec<AttributeTypeAndValue>>) -> Vec<u8> {
        let mut seq = RdnSequence::default();
        for rdn in rdns {
            let mut r = RelativeDistinguishedName::default();
            for a in rdn {
                r.insert(a).unwrap();
            }
            seq.push(r);
        }
        seq.to_der().unwrap()
    }

    fn render(der: &[u8]) -> Result<String, CertError> {
        go_name_string(&super::super::asn1::name_attributes(der).unwrap())
    }

    #[test]
    fn go_reorders_and_escapes() {
        // Encoding order: CN, O, C (unusual); Go prints C, O, CN reversed => CN,O,C.
        let n = name_of(vec![
            vec![atv("2.5.4.3", Tag::Utf8String, b" lead#,x ")],
            vec![atv("2.5.4.10", Tag::PrintableString, b"DigiCert, Inc.")],
            vec![atv("2.5.4.6", Tag::PrintableString, b"US")],
        ]);
        assert_eq!(
            render(&n).unwrap(),
            "CN=\\ lead#\\,x\\ ,O=DigiCert\\, Inc.,C=US"
        );
    }

    #[test]
    fn unknown_attributes_last_and_hex() {
        // emailAddress (IA5String with '@') re-marshalled by Go as UTF8String.
        let n = name_of(vec![
            vec![atv("2.5.4.6", Tag::PrintableString, b"US")],
            vec![atv("1.2.840.113549.1.9.1", Tag::Ia5String, b"a@b.c")],
            vec![atv("2.5.4.3", Tag::Utf8String, b"#x")],
        ]);
        assert_eq!(
            render(&n).unwrap(),
            "CN=\\#x,C=US,1.2.840.113549.1.9.1=#0c056140622e63"
        );
    }

    #[test]
    fn multi_valued_and_duplicates() {
        // Two OUs collapse into one multi-valued RDN; the last CN wins.
        let n = name_of(vec![
            vec![atv("2.5.4.3", Tag::Utf8String, b"first")],
            vec![atv("2.5.4.11", Tag::Utf8String, b"a")],
            vec![atv("2.5.4.11", Tag::Utf8String, b"b")],
            vec![atv("2.5.4.3", Tag::Utf8String, b"second")],
        ]);
        assert_eq!(render(&n).unwrap(), "CN=second,OU=a+OU=b");
    }

    #[test]
    fn rejects_non_string_values() {
        let n = name_of(vec![vec![atv("2.5.4.3", Tag::Integer, &[1])]]);
        assert!(render(&n).is_err());
        let n = name_of(vec![vec![atv("2.5.4.3", Tag::Utf8String, &[0xff])]]);
        assert!(render(&n).is_err());
        let n = name_of(vec![vec![atv("2.5.4.3", Tag::PrintableString, b"a*b")]]);
        // Go's parser allows '*' and '&' in PrintableString.
        assert_eq!(render(&n).unwrap(), "CN=a*b");
        let n = name_of(vec![vec![atv("2.5.4.3", Tag::PrintableString, b"a@b")]]);
        assert!(render(&n).is_err());
    }

    #[test]
    fn bmp_string() {
        let n = name_of(vec![vec![atv(
            "2.5.4.3",
            Tag::BmpString,
            &[0, b'h', 0, b'i', 0, 0],
        )]]);
        assert_eq!(render(&n).unwrap(), "CN=hi");
    }

    #[test]
    fn marshal_printable_vs_utf8() {
        assert_eq!(go_marshal_string("ab"), vec![0x13, 2, b'a', b'b']);
        assert_eq!(go_marshal_string("a&"), vec![0x0c, 2, b'a', b'&']);
        let long = "a".repeat(200);
        let m = go_marshal_string(&long);
        assert_eq!(&m[..3], &[0x13, 0x81, 200]);
    }
}
