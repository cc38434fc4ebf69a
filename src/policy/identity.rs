//! Trusted identities: the `trustedIdentities` member and the matching of a signing certificate
//! against it (trust-store-trust-policy.md §Trust Policy Constraints and §Trusted Identities
//! Constraints, §Signature Verification step "Validate Authenticity"; threat model 10).

use super::dn::{parse_dn, DistinguishedName};
use super::error::{IdentityProblem, PolicyError, StatementProblem};
use super::scope::WILDCARD;

/// The identity prefix notation implements natively: an X.509 subject DN
/// (trust-store-trust-policy.md §Trust Policy).
pub(crate) const X509_SUBJECT: &str = "x509.subject";

/// The most trusted identities one statement may list. The overlap rule compares every pair, so
/// the bound keeps validation fast whatever the input.
pub(crate) const MAX_TRUSTED_IDENTITIES: usize = 256;

/// One entry of `trustedIdentities`: `<prefix>:<value>` (trust-store-trust-policy.md §Trust
/// Policy).
///
/// Identities with an unknown prefix are kept (notation accepts them) but never match; an
/// `x509.subject` identity carries its parsed DN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedIdentity {
    raw: String,
    prefix_len: usize,
    subject: Option<DistinguishedName>,
}

impl TrustedIdentity {
    /// The identity as written in the document.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The part before the first `:`, e.g. `x509.subject`.
    pub fn prefix(&self) -> &str {
        &self.raw[..self.prefix_len]
    }

    /// The part after the first `:`, as written.
    pub fn value(&self) -> &str {
        &self.raw[self.prefix_len + 1..]
    }

    /// The parsed DN of an `x509.subject` identity; `None` for other prefixes.
    pub fn subject(&self) -> Option<&DistinguishedName> {
        self.subject.as_ref()
    }

    /// Parses one identity that is not the wildcard (trust-store-trust-policy.md §Trust Policy
    /// Constraints, notation's per-identity checks in order: empty, separator, then for
    /// `x509.subject` a non-empty value that is an acceptable DN).
    pub(crate) fn parse(identity: &str) -> Result<Self, StatementProblem> {
        if identity.is_empty() {
            return Err(StatementProblem::EmptyIdentity);
        }
        let Some((prefix, value)) = identity.split_once(':') else {
            return Err(StatementProblem::IdentityMissingSeparator(
                identity.to_owned(),
            ));
        };
        let subject = if prefix == X509_SUBJECT {
            if value.is_empty() {
                return Err(StatementProblem::IdentityWithoutValue(identity.to_owned()));
            }
            let dn = parse_dn(value).map_err(|error| StatementProblem::InvalidIdentityValue {
                identity: identity.to_owned(),
                error: Box::new(error),
            })?;
            Some(dn)
        } else {
            None
        };
        Ok(TrustedIdentity {
            raw: identity.to_owned(),
            prefix_len: prefix.len(),
            subject,
        })
    }
}

/// A statement's `trustedIdentities` (trust-store-trust-policy.md §Trust Policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedIdentities {
    /// `["*"]`: any signer whose chain reaches the statement's trust stores.
    Any,
    /// Explicit identities; empty only on `skip` statements.
    List(Vec<TrustedIdentity>),
}

impl TrustedIdentities {
    /// Parses the member with notation's rules (`validateTrustedIdentities`,
    /// trust-store-trust-policy.md §Trust Policy Constraints): `*` only alone; each identity valid;
    /// no x509 identity a subset of another.
    pub(crate) fn parse(identities: &[String]) -> Result<Self, StatementProblem> {
        if identities.len() > MAX_TRUSTED_IDENTITIES {
            return Err(StatementProblem::TooMany {
                member: "trustedIdentities",
                limit: MAX_TRUSTED_IDENTITIES,
            });
        }
        let has_wildcard = identities.iter().any(|identity| identity == WILDCARD);
        if has_wildcard && identities.len() > 1 {
            return Err(StatementProblem::WildcardIdentityMixed);
        }
        if has_wildcard {
            return Ok(TrustedIdentities::Any);
        }
        let parsed = identities
            .iter()
            .map(|identity| TrustedIdentity::parse(identity))
            .collect::<Result<Vec<_>, _>>()?;
        // trust-store-trust-policy.md §Trust Policy: no two x509 identities where one's attributes
        // are a subset of the other's.
        let subjects: Vec<(&str, &DistinguishedName)> = parsed
            .iter()
            .filter_map(|identity| identity.subject().map(|dn| (identity.raw(), dn)))
            .collect();
        for (i, (raw, dn)) in subjects.iter().enumerate() {
            for (j, (other_raw, other)) in subjects.iter().enumerate() {
                if i != j && dn.is_subset_of(other) {
                    return Err(StatementProblem::OverlappingIdentities {
                        identity: (*raw).to_owned(),
                        other: (*other_raw).to_owned(),
                    });
                }
            }
        }
        Ok(TrustedIdentities::List(parsed))
    }

    /// Whether the list is `*`.
    pub fn is_any(&self) -> bool {
        matches!(self, TrustedIdentities::Any)
    }

    /// Whether there are no identities (a `skip` statement).
    pub fn is_empty(&self) -> bool {
        matches!(self, TrustedIdentities::List(list) if list.is_empty())
    }

    /// The parsed DNs of the `x509.subject` identities.
    pub fn x509_subjects(&self) -> impl Iterator<Item = &DistinguishedName> {
        let list: &[TrustedIdentity] = match self {
            TrustedIdentities::Any => &[],
            TrustedIdentities::List(list) => list,
        };
        list.iter().filter_map(TrustedIdentity::subject)
    }

    /// Checks a signing certificate's subject against the identities (trust-store-trust-policy.md
    /// §Trusted Identities Constraints, §Signature Verification step "Validate Authenticity";
    /// notation's `verifyX509TrustedIdentities`). `leaf_subject_rfc4514` is the leaf's subject as
    /// Go's `pkix.Name.String()` renders it: the `*` list accepts anything; otherwise the subject
    /// must parse under the same rules as identities (so a subject without C, ST or O, with a
    /// repeated or multi-valued attribute, or with an `OID=#hex` attribute never matches) and some
    /// x509 identity must be a subset of it.
    pub(crate) fn check(
        &self,
        statement: &str,
        leaf_subject_rfc4514: &str,
    ) -> Result<(), PolicyError> {
        if self.is_any() {
            return Ok(());
        }
        let untrusted = |problem: IdentityProblem| PolicyError::UntrustedIdentity {
            statement: statement.to_owned(),
            problem,
        };
        let identities: Vec<&DistinguishedName> = self.x509_subjects().collect();
        if identities.is_empty() {
            return Err(untrusted(IdentityProblem::NoX509Identities));
        }
        let leaf = parse_dn(leaf_subject_rfc4514)
            .map_err(|error| untrusted(IdentityProblem::InvalidSubject(Box::new(error))))?;
        if identities
            .iter()
            .any(|identity| identity.is_subset_of(&leaf))
        {
            return Ok(());
        }
        Err(untrusted(IdentityProblem::NoMatch {
            identities: identities.into_iter().cloned().collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identities(list: &[&str]) -> Result<TrustedIdentities, StatementProblem> {
        TrustedIdentities::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn matches(list: &[&str], leaf: &str) -> bool {
        identities(list).unwrap().check("s", leaf).is_ok()
    }

    const LEAF: &str = "CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US";

    #[test]
    fn parts() {
        let identity = TrustedIdentity::parse("x509.subject:C=US,ST=WA,O=a:b").unwrap();
        assert_eq!(identity.prefix(), "x509.subject");
        assert_eq!(identity.value(), "C=US,ST=WA,O=a:b");
        assert_eq!(identity.subject().unwrap().get("O"), Some("a:b"));
        let other = TrustedIdentity::parse("nonX509Prefix:my-custom-identity").unwrap();
        assert_eq!(other.prefix(), "nonX509Prefix");
        assert_eq!(other.value(), "my-custom-identity");
        assert!(other.subject().is_none());
        // The prefix is case-sensitive: this is an unknown prefix, kept but never matching.
        let upper = TrustedIdentity::parse("X509.Subject:C=US").unwrap();
        assert!(upper.subject().is_none());
    }

    #[test]
    fn list_rules() {
        assert_eq!(identities(&["*"]), Ok(TrustedIdentities::Any));
        assert_eq!(
            identities(&["*", "x509.subject:C=US,ST=WA,O=x"]),
            Err(StatementProblem::WildcardIdentityMixed)
        );
        assert_eq!(
            identities(&["x509.subject:C=US,ST=WA,O=x", ""]),
            Err(StatementProblem::EmptyIdentity)
        );
        assert_eq!(
            identities(&["x509.subject"]),
            Err(StatementProblem::IdentityMissingSeparator(
                "x509.subject".into()
            ))
        );
        assert_eq!(
            identities(&["x509.subject:"]),
            Err(StatementProblem::IdentityWithoutValue(
                "x509.subject:".into()
            ))
        );
        // An empty value under an unknown prefix is fine.
        assert!(identities(&["other:"]).is_ok());
        let too_many: Vec<String> = (0..=MAX_TRUSTED_IDENTITIES)
            .map(|i| format!("other:{i}"))
            .collect();
        assert!(matches!(
            TrustedIdentities::parse(&too_many),
            Err(StatementProblem::TooMany { .. })
        ));
    }

    #[test]
    fn overlaps() {
        // Threat model 10c: overlapping identities are invalid, in either order.
        let small = "x509.subject:C=US,ST=WA,O=MyOrg";
        let big = "x509.subject:C=US,ST=WA,O=MyOrg,X=Y";
        assert_eq!(
            identities(&[small, big]),
            Err(StatementProblem::OverlappingIdentities {
                identity: small.into(),
                other: big.into()
            })
        );
        assert_eq!(
            identities(&[big, small]),
            Err(StatementProblem::OverlappingIdentities {
                identity: small.into(),
                other: big.into()
            })
        );
        // Identical identities overlap too; so do `S` and `ST` spellings.
        assert!(identities(&[small, small]).is_err());
        assert!(identities(&[small, "x509.subject:C=US,S=WA,O=MyOrg"]).is_err());
        // Disjoint values do not overlap.
        assert!(identities(&[small, "x509.subject:C=US,ST=WA,O=Other"]).is_ok());
    }

    #[test]
    fn matching() {
        assert!(matches(&["x509.subject:C=US,O=SomeOrg,ST=WA"], LEAF));
        assert!(matches(&["x509.subject:C=US,O=SomeOrg,S=WA"], LEAF));
        assert!(matches(&["*"], "anything, even not a DN"));
        assert!(!matches(&["x509.subject:C=IND,O=SomeOrg,ST=TS"], LEAF));
        assert!(!matches(&["nonX509Prefix:my-custom-identity"], LEAF));
        assert!(matches(
            &["nonX509Prefix:x", "x509.subject:C=US,ST=WA,O=SomeOrg"],
            LEAF
        ));
    }

    #[test]
    fn threat_model_10a_case_matters() {
        let leaf = "CN=signer,O=ACME,ST=WA,C=US";
        let error = identities(&["x509.subject:C=US,ST=WA,O=acme"])
            .unwrap()
            .check("s", leaf)
            .unwrap_err();
        assert_eq!(error.code(), "ERR_UNTRUSTED_IDENTITY");
        // Attribute types are case-sensitive too: `o=` is not `O=`.
        assert!(!matches(
            &["x509.subject:C=US,ST=WA,O=ACME,cn=signer"],
            leaf
        ));
    }

    #[test]
    fn threat_model_10b_escapes_and_alias() {
        // Go renders the organisation `acme, Inc` as `O=acme\, Inc`.
        let leaf = "CN=signer,O=acme\\, Inc,ST=WA,C=US";
        assert!(matches(&["x509.subject:C=US,S=WA,O=acme\\, Inc"], leaf));
        assert!(matches(&["x509.subject:C=US, ST=WA, O=acme\\2C Inc"], leaf));
        assert!(!matches(&["x509.subject:C=US,S=WA,O=acme"], leaf));
    }

    #[test]
    fn threat_model_10d_hostile_subjects() {
        let list = ["x509.subject:C=US,ST=WA,O=acme"];
        // Multi-valued RDN (Go joins repeated or multi-valued attributes with `+`).
        assert!(!matches(&list, "CN=a+OU=b,O=acme,ST=WA,C=US"));
        assert!(!matches(&list, "OU=a+OU=b,O=acme,ST=WA,C=US"));
        // NUL inside the organisation, or anywhere.
        assert!(!matches(&list, "O=acme\0evil,ST=WA,C=US"));
        assert!(!matches(&list, "CN=x\0,O=acme,ST=WA,C=US"));
        // Attributes Go renders as `OID=#hex` (e.g. emailAddress).
        assert!(!matches(
            &list,
            "1.2.840.113549.1.9.1=#1607612d6d61696c,O=acme,ST=WA,C=US"
        ));
        assert!(!matches(&list, "CN=Bad=#CN,O=acme,ST=WA,C=US"));
        // Subjects without C, ST or O; repeated attributes.
        assert!(!matches(&list, "O=acme,C=US"));
        assert!(!matches(&list, "O=acme,O=acme,ST=WA,C=US"));
        let error = identities(&list)
            .unwrap()
            .check("s", "O=acme,C=US")
            .unwrap_err();
        assert!(error.to_string().starts_with(
            "error while parsing the certificate subject from the digital signature. error : "
        ));
    }

    #[test]
    fn mismatch_message_matches_notation() {
        let list = ["x509.subject:C=IN,ST=TG,L=Hyderabad,O=DummyOrg,CN=LOL"];
        let error = identities(&list)
            .unwrap()
            .check(
                "test-statement-name",
                "CN=Notation Test Leaf Cert,O=Notary,L=Seattle,ST=WA,C=US",
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "signing certificate from the digital signature does not match the X.509 trusted \
             identities [map[\"C\":\"IN\" \"CN\":\"LOL\" \"L\":\"Hyderabad\" \"O\":\"DummyOrg\" \
             \"ST\":\"TG\"]] defined in the trust policy \"test-statement-name\""
        );
        let none = identities(&["other:x"])
            .unwrap()
            .check("p", "O=x")
            .unwrap_err();
        assert_eq!(
            none.to_string(),
            "no x509 trusted identities are configured in the trust policy \"p\""
        );
    }
}
