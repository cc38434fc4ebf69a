//! Trust store references in a statement's `trustStores` member (trust-store-trust-policy.md §Trust
//! Store, §Trust Policy Constraints).

use core::fmt;

use super::error::StatementProblem;

/// The type of a named trust store (trust-store-trust-policy.md §Trust Store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrustStoreType {
    /// Roots for `notary.x509` signatures.
    Ca,
    /// Roots for `notary.x509.signingAuthority` signatures.
    SigningAuthority,
    /// Roots of timestamping authorities (RFC 3161).
    Tsa,
}

impl TrustStoreType {
    /// Every type, in the order notation lists them.
    pub const ALL: [TrustStoreType; 3] = [
        TrustStoreType::Ca,
        TrustStoreType::SigningAuthority,
        TrustStoreType::Tsa,
    ];

    /// The name used in documents and store layouts: `ca`, `signingAuthority` or `tsa`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TrustStoreType::Ca => "ca",
            TrustStoreType::SigningAuthority => "signingAuthority",
            TrustStoreType::Tsa => "tsa",
        }
    }

    /// The type with this name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for TrustStoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `trustStores`: `<type>:<name>` (trust-store-trust-policy.md §Trust Policy), e.g.
/// `ca:acme-rockets`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrustStoreRef {
    /// The store type.
    pub store_type: TrustStoreType,
    /// The named store; matches `^[a-zA-Z0-9_.-]+$` (trust-store-trust-policy.md §Trust Store).
    pub name: String,
}

impl TrustStoreRef {
    /// Parses `<type>:<name>` with notation's checks in order (`validateTrustStore`): a `:`
    /// separator, a known type, a valid name (trust-store-trust-policy.md §Trust Policy
    /// Constraints).
    pub(crate) fn parse(value: &str) -> Result<Self, StatementProblem> {
        let Some((store_type, name)) = value.split_once(':') else {
            return Err(StatementProblem::MalformedTrustStore(value.to_owned()));
        };
        let Some(store_type) = TrustStoreType::from_name(store_type) else {
            return Err(StatementProblem::UnknownTrustStoreType {
                store_type: store_type.to_owned(),
                value: value.to_owned(),
            });
        };
        if !is_store_name(name) {
            return Err(StatementProblem::InvalidTrustStoreName {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
        Ok(TrustStoreRef {
            store_type,
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for TrustStoreRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.store_type, self.name)
    }
}

/// Whether `name` is a valid named store: `^[a-zA-Z0-9_.-]+$` (trust-store-trust-policy.md §Trust
/// Store), and not `.` or `..`, which the pattern allows but which name directories other than a
/// store in a host's `<type>/<name>/` layout (stricter than notation).
pub(crate) fn is_store_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = TrustStoreRef::parse("signingAuthority:acme_rockets-1.0").unwrap();
        assert_eq!(r.store_type, TrustStoreType::SigningAuthority);
        assert_eq!(r.name, "acme_rockets-1.0");
        assert_eq!(r.to_string(), "signingAuthority:acme_rockets-1.0");
        assert_eq!(
            TrustStoreRef::parse("tsa:t").unwrap().store_type.as_str(),
            "tsa"
        );
    }

    #[test]
    fn refuses_bad_references() {
        assert_eq!(
            TrustStoreRef::parse("ca"),
            Err(StatementProblem::MalformedTrustStore("ca".into()))
        );
        assert_eq!(
            TrustStoreRef::parse("*"),
            Err(StatementProblem::MalformedTrustStore("*".into()))
        );
        assert!(matches!(
            TrustStoreRef::parse("CA:x"),
            Err(StatementProblem::UnknownTrustStoreType { .. })
        ));
        for bad in [
            "ca:", "ca:a/b", "ca:a:b", "ca:..\\x", "ca:a b", "ca:é", "ca:.", "ca:..",
        ] {
            assert!(
                matches!(
                    TrustStoreRef::parse(bad),
                    Err(StatementProblem::InvalidTrustStoreName { .. })
                ),
                "{bad}"
            );
        }
    }
}
