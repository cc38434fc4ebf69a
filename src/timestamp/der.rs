//! The small DER reader and the BER → DER normaliser the timestamp token is decoded with
//! (RFC 3161 tokens are DER, but tspclient-go tolerates BER and re-encodes it first).

use const_oid::ObjectIdentifier as Oid;

use super::MAX_DEPTH;
use crate::time::Instant;

// ---------------------------------------------------------------------------------------------
// DER reading

/// One DER TLV: first identifier octet, contents, whole encoding.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) body: &'a [u8],
    pub(crate) raw: &'a [u8],
}

pub(super) const TRUNCATED: &str = "asn1: syntax error: sequence truncated";
pub(super) const TAGS: &str = "asn1: structure error: tags don't match";

/// Splits one definite-length TLV off `b` (multi-byte tags are skipped over, lengths up to 4
/// octets).
pub(crate) fn split(b: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *b.first()?;
    let mut i = 1;
    if tag & 0x1f == 0x1f {
        while *b.get(i)? & 0x80 != 0 {
            i += 1;
        }
        i += 1;
    }
    let first = *b.get(i)?;
    i += 1;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut v = 0usize;
        for _ in 0..n {
            v = (v << 8) | usize::from(*b.get(i)?);
            i += 1;
        }
        v
    };
    let end = i.checked_add(len).filter(|e| *e <= b.len())?;
    Some((
        Tlv {
            tag,
            body: &b[i..end],
            raw: &b[..end],
        },
        &b[end..],
    ))
}

/// A cursor over the elements of a constructed value.
pub(super) struct Rd<'a>(pub(super) &'a [u8]);

impl<'a> Rd<'a> {
    pub(super) fn any(&mut self) -> Result<Tlv<'a>, String> {
        let (t, rest) = split(self.0).ok_or(TRUNCATED)?;
        self.0 = rest;
        Ok(t)
    }

    pub(super) fn take(&mut self, tag: u8) -> Result<&'a [u8], String> {
        let t = self.any()?;
        if t.tag == tag {
            Ok(t.body)
        } else {
            Err(TAGS.into())
        }
    }

    pub(super) fn opt(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.0.first() == Some(&tag) {
            self.any().ok()
        } else {
            None
        }
    }

    pub(super) fn items(mut self) -> impl Iterator<Item = Result<Tlv<'a>, String>> {
        core::iter::from_fn(move || (!self.0.is_empty()).then(|| self.any()))
    }
}

pub(super) fn oid(b: &[u8]) -> Result<Oid, String> {
    Oid::from_bytes(b).map_err(|_| "asn1: syntax error: invalid object identifier".into())
}

/// A small INTEGER (versions, accuracy fields).
pub(super) fn int(b: &[u8]) -> Result<i64, String> {
    if b.is_empty() || b.len() > 8 {
        return Err("asn1: structure error: integer too large".into());
    }
    let init = if b[0] & 0x80 != 0 { -1i64 } else { 0 };
    Ok(b.iter().fold(init, |v, x| (v << 8) | i64::from(*x)))
}

/// `AlgorithmIdentifier` contents: OID and raw parameters.
pub(super) fn alg(b: &[u8]) -> Result<(Oid, Option<&[u8]>), String> {
    let mut r = Rd(b);
    let id = oid(r.take(0x06)?)?;
    Ok((id, r.any().ok().map(|t| t.raw)))
}

pub(super) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// UTCTime (`0x17`) or GeneralizedTime (`0x18`, optional fraction), UTC (`Z`) only.
pub(super) fn time(tag: u8, b: &[u8]) -> Result<Instant, String> {
    let bad = || String::from("asn1: invalid time");
    let (year_len, frac_ok) = match tag {
        0x17 => (2, false),
        0x18 => (4, true),
        _ => return Err(bad()),
    };
    let n = year_len + 10;
    let (digits, tail) = (b.get(..n).ok_or_else(bad)?, &b[n..]);
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let num = |r: core::ops::Range<usize>| {
        digits[r]
            .iter()
            .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'))
    };
    let mut year = i64::from(num(0..year_len));
    if tag == 0x17 {
        year += if year >= 50 { 1900 } else { 2000 };
    }
    let o = year_len;
    let base = Instant::from_utc(
        year,
        num(o..o + 2),
        num(o + 2..o + 4),
        num(o + 4..o + 6),
        num(o + 6..o + 8),
        num(o + 8..o + 10),
    )
    .ok_or_else(bad)?;
    let mut nanos: i64 = 0;
    match tail {
        [b'Z'] => {}
        [b'.', frac @ .., b'Z']
            if frac_ok && (1..=9).contains(&frac.len()) && frac.iter().all(u8::is_ascii_digit) =>
        {
            for (i, d) in frac.iter().enumerate() {
                nanos += i64::from(d - b'0') * 10i64.pow(8 - i as u32);
            }
        }
        _ => return Err(bad()),
    }
    instant_at(base.unix_seconds(), nanos).ok_or_else(bad)
}

/// `secs` seconds plus `nanos` nanoseconds (any sign) since the Unix epoch, exactly.
pub(super) fn instant_at(secs: i64, nanos: i64) -> Option<Instant> {
    let secs = secs.checked_add(nanos.div_euclid(1_000_000_000))?;
    let nanos = nanos.rem_euclid(1_000_000_000);
    let base = Instant::from_unix_seconds(secs);
    if nanos == 0 {
        return Some(base);
    }
    let (y, mo, d, h, mi, s) = base.to_utc();
    Instant::parse_rfc3339(&format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{nanos:09}Z"
    ))
    .ok()
}

// ---------------------------------------------------------------------------------------------
// BER → DER (tspclient-go `ber.ConvertToDER`: definite lengths re-encoded minimally; indefinite
// lengths are refused, as in Go)

pub(super) fn ber_header(r: &[u8]) -> Result<(usize, usize, usize), String> {
    let syntax = |m: &str| format!("asn1: syntax error: decoding BER {m}");
    let first = *r
        .first()
        .ok_or_else(|| syntax("identifier octets: identifier octets is empty"))?;
    let mut i = 1;
    if first & 0x1f == 0x1f {
        while r.get(i).is_some_and(|b| b & 0x80 != 0) {
            i += 1;
        }
        if i >= r.len() {
            return Err(syntax(
                "identifier octets: high-tag-number form with early EOF",
            ));
        }
        i += 1;
    }
    let tag_len = i;
    let Some(&l0) = r.get(i) else {
        return Err(syntax(
            "identifier octets: early EOF due to missing length and content octets",
        ));
    };
    i += 1;
    let len = if l0 < 0x80 {
        let len = usize::from(l0);
        if len > r.len() - i {
            return Err(syntax("length octets: short form length octets value should be less or equal to the subsequent octets length"));
        }
        len
    } else if l0 == 0x80 {
        return Err(
            "asn1: structure error: decoding BER length octets: indefinite length not supported"
                .into(),
        );
    } else {
        let n = usize::from(l0 & 0x7f);
        if n > 4 {
            return Err(format!("asn1: structure error: decoding BER length octets: length of encoded data ({n} bytes) cannot exceed 4 bytes"));
        }
        if i + n >= r.len() {
            return Err(syntax(
                "length octets: long form length octets with early EOF",
            ));
        }
        let len = r[i..i + n]
            .iter()
            .fold(0usize, |v, b| (v << 8) | usize::from(*b));
        i += n;
        if len > r.len() - i {
            return Err(syntax("length octets: long form length octets value should be less or equal to the subsequent octets length"));
        }
        len
    };
    Ok((tag_len, i, len))
}

pub(super) fn ber_copy(r: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<usize, String> {
    let (tag_len, head, len) = ber_header(r)?;
    let body = &r[head..head + len];
    out.extend_from_slice(&r[..tag_len]);
    if r[0] & 0x20 == 0 {
        push_len(out, len);
        out.extend_from_slice(body);
    } else {
        if depth >= MAX_DEPTH {
            return Err("asn1: structure error: nesting too deep".into());
        }
        let mut inner = Vec::with_capacity(len);
        let mut rest = body;
        while !rest.is_empty() {
            let n = ber_copy(rest, &mut inner, depth + 1)?;
            rest = &rest[n..];
        }
        push_len(out, inner.len());
        out.extend_from_slice(&inner);
    }
    Ok(head + len)
}

pub(crate) fn ber_to_der(ber: &[u8]) -> Result<Vec<u8>, String> {
    if ber.is_empty() {
        return Err("asn1: syntax error: BER-encoded ASN.1 data structures is empty".into());
    }
    let mut out = Vec::with_capacity(ber.len());
    let n = ber_copy(ber, &mut out, 0)?;
    if n != ber.len() {
        return Err(format!("asn1: syntax error: decoding BER: length octets value {} does not match with content length {}", n, ber.len()));
    }
    Ok(out)
}
