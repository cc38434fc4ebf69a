//! PEM block scanning with the semantics of Go's `encoding/pem.Decode`.
//!
//! notation-go reads trust-store and certificate files with `pem.Decode`
//! (trust-store-trust-policy.md §Trust Store: "PEM sequence, else concatenated DER"), which skips
//! text before and between blocks, tolerates `Key: value` headers, spaces, tabs and CRLF line ends,
//! and silently passes over malformed blocks. The same scan is reproduced here so a file is read as
//! the same list of blocks; the base64 body is decoded with [`crate::encoding::base64_std_decode`]
//! (padded, canonical), the decoder `x5c` already uses, rather than a second one from `base64ct`
//! (wasm size).

const PEM_START: &[u8] = b"\n-----BEGIN ";
const PEM_END: &[u8] = b"\n-----END ";
const PEM_END_OF_LINE: &[u8] = b"-----";

/// One decoded PEM block.
pub(crate) struct Block {
    /// The label (`CERTIFICATE`, ...).
    pub label: String,
    /// The decoded body.
    pub bytes: Vec<u8>,
}

/// Go's `getLine`: the line up to `\n` with trailing spaces, tabs and `\r` removed, and the rest.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            data.get(..i).unwrap_or(&[]),
            data.get(i + 1..).unwrap_or(&[]),
        ),
        None => (data, &[][..]),
    };
    let trimmed_len = line.len()
        - line
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t' || b == b'\r')
            .count();
    (line.get(..trimmed_len).unwrap_or(&[]), rest)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Go's `pem.Decode`: the first well-formed block in `data` and the bytes after it, or `None`
/// when there is none.
pub(crate) fn decode(data: &[u8]) -> Option<(Block, &[u8])> {
    let mut rest = data;
    let mut next_end: Option<usize> = None;
    loop {
        if let Some(after) = rest.strip_prefix(PEM_START.get(1..).unwrap_or(&[])) {
            rest = after;
        } else if let Some(i) = find(rest, PEM_START) {
            rest = rest.get(i + PEM_START.len()..).unwrap_or(&[]);
        } else {
            return None;
        }

        let (type_line, after_type) = get_line(rest);
        rest = after_type;
        let Some(label) = type_line.strip_suffix(PEM_END_OF_LINE) else {
            continue;
        };

        // Headers: lines containing ':' right after the BEGIN line.
        let mut has_headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            has_headers = true;
            rest = next;
        }

        let end_prefix = PEM_END.get(1..).unwrap_or(&[]);
        let (end_index, end_trailer_index) = if !has_headers && rest.starts_with(end_prefix) {
            (0, end_prefix.len())
        } else {
            // The next END marker, searched once and reused while it lies ahead (keeps hostile
            // input with many BEGIN lines linear instead of quadratic).
            let offset = data.len() - rest.len();
            let cached = next_end.filter(|&abs| abs >= offset);
            let found = match cached {
                Some(abs) => Some(abs),
                None => find(rest, PEM_END).map(|i| i + offset),
            };
            next_end = found;
            match found {
                Some(abs) => (abs - offset, abs - offset + PEM_END.len()),
                // No END marker anywhere ahead: no later block can be complete either.
                None => return None,
            }
        };

        let Some(end_trailer) = rest.get(end_trailer_index..) else {
            continue;
        };
        let trailer_len = label.len() + PEM_END_OF_LINE.len();
        let (Some(trailer), Some(rest_of_end_line)) = (
            end_trailer.get(..trailer_len),
            end_trailer.get(trailer_len..),
        ) else {
            continue;
        };
        if !trailer.starts_with(label) || !trailer.ends_with(PEM_END_OF_LINE) {
            continue;
        }
        let (tail, _) = get_line(rest_of_end_line);
        if !tail.is_empty() {
            continue;
        }

        let body = rest.get(..end_index).unwrap_or(&[]);
        // A byte outside the base64 alphabet makes Go's decode fail; finding it first stops at
        // the nearest offending byte instead of copying the whole span (linear on hostile input).
        let is_b64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
        let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        if body.iter().any(|b| !is_b64(b) && !is_space(b)) {
            continue;
        }
        let body: Vec<u8> = body.iter().copied().filter(|b| !is_space(b)).collect();
        let Ok(bytes) =
            crate::encoding::base64_std_decode(core::str::from_utf8(&body).unwrap_or("!"))
        else {
            continue;
        };

        // Go: rest = getLine(rest[endIndex+len(pemEnd)-1:]).rest
        let after_end = rest.get(end_index + PEM_END.len() - 1..).unwrap_or(&[]);
        let (_, remaining) = get_line(after_end);
        let label = String::from_utf8_lossy(label).into_owned();
        return Some((Block { label, bytes }, remaining));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_decoding_matches_base64ct() {
        // The strict decoder accepts exactly what base64ct's padded decoder (used before) does.
        use base64ct::{Base64, Encoding};
        let mut inputs: Vec<String> = [
            "",
            "AA==",
            "AB==",
            "AAA=",
            "AAB=",
            "AAAA",
            "AQID",
            "AQI=",
            "AQ==",
            "A===",
            "====",
            "AQ=",
            "AQ",
            "A",
            "AQ==AQ==",
            "AQ=A",
            "-_8=",
            "+/8=",
            "+/+/",
            "AQID\n",
            "AQ\u{e9}=",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for len in 0..40usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let enc = Base64::encode_string(&bytes);
            for i in 0..enc.len() {
                for c in ['A', 'B', 'Q', '=', '/', '+', '-'] {
                    let mut m: Vec<char> = enc.chars().collect();
                    m[i] = c;
                    inputs.push(m.into_iter().collect());
                }
            }
            inputs.push(enc);
        }
        for input in &inputs {
            assert_eq!(
                crate::encoding::base64_std_decode(input).ok(),
                Base64::decode_vec(input).ok(),
                "{input:?}"
            );
        }
    }

    #[test]
    fn scans_like_go() {
        let text = b"junk before\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\nAw==\r\n-----END CERTIFICATE-----  \r\nmiddle\n-----BEGIN X-----\nBAU=\n-----END X-----\n";
        let (b, rest) = decode(text).unwrap();
        assert_eq!(b.label, "CERTIFICATE");
        assert_eq!(b.bytes, vec![0, 1, 2, 3]);
        let (b2, rest2) = decode(rest).unwrap();
        assert_eq!(b2.label, "X");
        assert_eq!(b2.bytes, vec![4, 5]);
        assert!(decode(rest2).is_none());
    }

    #[test]
    fn skips_malformed_blocks() {
        // Mismatched END label, then bad base64, then a good one.
        let text = b"-----BEGIN A-----\nAAAA\n-----END B-----\n-----BEGIN C-----\n!!!!\n-----END C-----\n-----BEGIN D-----\nAAAA\n-----END D-----\n";
        let (b, _) = decode(text).unwrap();
        assert_eq!(b.label, "D");
        assert!(decode(b"no pem here").is_none());
        assert!(decode(b"-----BEGIN A-----\nAAAA\n").is_none());
        assert!(decode(b"").is_none());
    }

    #[test]
    fn many_begin_lines_stay_linear() {
        let mut text = b"-----BEGIN A-----\n".repeat(50_000);
        text.extend_from_slice(b"AAAA\n-----END A-----\n");
        let start = std::time::Instant::now();
        let (b, _) = decode(&text).unwrap();
        assert_eq!(b.bytes, vec![0, 0, 0]);
        let no_end = b"-----BEGIN A-----\nAAAA\n".repeat(50_000);
        assert!(decode(&no_end).is_none());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn headers_and_empty_body() {
        let text = b"-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END A-----\n";
        let (b, _) = decode(text).unwrap();
        assert_eq!(b.bytes, vec![0, 0, 0]);
        let (b, _) = decode(b"-----BEGIN E-----\n-----END E-----\n").unwrap();
        assert!(b.bytes.is_empty());
    }
}
