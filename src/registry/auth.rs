//! Registry authentication: `WWW-Authenticate` parsing, credentials, and the rules about where
//! credentials may go (threat model 16).
//!
//! - Credentials are looked up by the exact registry name `host[:port]` of the reference
//!   (checklist 16c: credentials for `reg.example` are never used for `reg.example.evil.com`).
//! - `Authorization` is only attached to requests whose origin is the registry's origin; a
//!   redirect elsewhere drops it (16a).
//! - Basic credentials go to a Bearer token `realm` only when the realm is on the registry's own
//!   host (or an allow-listed host) and over https, or plain http where the registry itself is
//!   allowed plain HTTP (16b). Otherwise the token is requested anonymously.

use crate::encoding::base64_std_encode;

/// Supplies Basic credentials per registry.
pub trait Credentials {
    /// `(username, password)` for `registry` (`host[:port]` exactly as in the reference), or
    /// `None` for anonymous access.
    fn basic(&self, registry: &str) -> Option<(String, String)>;
}

/// Credentials from a fixed list, matched by exact registry name.
#[derive(Clone, Default)]
pub struct StaticCredentials {
    entries: Vec<(String, String, String)>,
}

impl StaticCredentials {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds credentials for `registry` (`host[:port]`, compared exactly, ASCII case-insensitive).
    pub fn with(mut self, registry: &str, username: &str, password: &str) -> Self {
        self.entries.push((
            registry.to_ascii_lowercase(),
            username.to_string(),
            password.to_string(),
        ));
        self
    }
}

impl core::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let names: Vec<&str> = self.entries.iter().map(|e| e.0.as_str()).collect();
        f.debug_struct("StaticCredentials")
            .field("registries", &names)
            .finish()
    }
}

impl Credentials for StaticCredentials {
    fn basic(&self, registry: &str) -> Option<(String, String)> {
        let registry = registry.to_ascii_lowercase();
        self.entries
            .iter()
            .find(|(r, _, _)| *r == registry)
            .map(|(_, u, p)| (u.clone(), p.clone()))
    }
}

/// `Authorization: Basic ...` value.
pub(crate) fn basic_header(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64_std_encode(format!("{user}:{pass}").as_bytes())
    )
}

/// One challenge of a `WWW-Authenticate` header (RFC 7235).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// Auth scheme, lower-cased (`basic`, `bearer`).
    pub scheme: String,
    /// Parameters (names lower-cased, values unquoted).
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `WWW-Authenticate` values: several challenges per value, `key=value` or
/// `key="quoted, with \"escapes\""` parameters, commas inside quotes (bounded: 8 KiB per value).
pub(crate) fn parse_challenges<'a>(values: impl Iterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    for value in values {
        if value.len() > 8192 {
            continue;
        }
        let b = value.as_bytes();
        let mut i = 0;
        let skip_ws = |i: &mut usize| {
            while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t' || b[*i] == b',') {
                *i += 1;
            }
        };
        let token = |i: &mut usize| {
            let s = *i;
            while *i < b.len() && !matches!(b[*i], b' ' | b'\t' | b',' | b'=') {
                *i += 1;
            }
            value[s..*i].to_string()
        };
        loop {
            skip_ws(&mut i);
            if i >= b.len() {
                break;
            }
            let t = token(&mut i);
            // Look ahead: `t=` (a parameter of the current challenge) or a new scheme.
            let mut j = i;
            while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                j += 1;
            }
            if j < b.len() && b[j] == b'=' && !out.is_empty() && !t.is_empty() {
                i = j + 1;
                while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                    i += 1;
                }
                let v = if i < b.len() && b[i] == b'"' {
                    i += 1;
                    let mut v = Vec::new();
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' && i + 1 < b.len() {
                            i += 1;
                        }
                        v.push(b[i]);
                        i += 1;
                    }
                    i += 1;
                    String::from_utf8_lossy(&v).into_owned()
                } else {
                    let s = i;
                    while i < b.len() && b[i] != b',' {
                        i += 1;
                    }
                    value[s..i].trim().to_string()
                };
                if let Some(c) = out.last_mut() {
                    c.params.push((t.to_ascii_lowercase(), v));
                }
            } else if !t.is_empty() {
                // A token68 (`Basic abc==`) after a scheme would also land here; treat any
                // bare token as a new scheme, which is harmless for Basic/Bearer.
                out.push(Challenge {
                    scheme: t.to_ascii_lowercase(),
                    params: Vec::new(),
                });
            } else {
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let c = parse_challenges(
            [r#"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push""#]
                .into_iter(),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "bearer");
        assert_eq!(c[0].param("realm"), Some("https://auth.example/token"));
        assert_eq!(c[0].param("scope"), Some("repository:a/b:pull,push"));
        let c =
            parse_challenges([r#"Basic realm="x, \"y\"", Bearer realm=z , service=s"#].into_iter());
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].param("realm"), Some("x, \"y\""));
        assert_eq!(c[1].param("realm"), Some("z"));
        assert_eq!(c[1].param("service"), Some("s"));
        assert!(parse_challenges(["".into()].iter().map(|s: &String| s.as_str())).is_empty());
    }

    #[test]
    fn static_credentials_match_exactly() {
        let c = StaticCredentials::new().with("reg.example", "u", "p");
        assert!(c.basic("reg.example").is_some());
        assert!(c.basic("REG.example").is_some());
        assert!(c.basic("reg.example.evil.com").is_none());
        assert!(c.basic("reg.example:443").is_none());
        assert_eq!(basic_header("u", "p"), "Basic dTpw");
    }
}
