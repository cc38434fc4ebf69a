//! Errors of the trust policy module. Messages follow notation-go's wording (quoted values use
//! Go's `%q` form) so logs read the same; the stable codes are what callers should branch on.

use core::fmt;

use super::dn::DistinguishedName;
use super::levels::CheckType;
use crate::error::ErrorCode;

/// Which trust policy document an error is about (trust-store-trust-policy.md §OCI Trust Policy,
/// §Blob Trust Policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// `trustpolicy.oci.json`.
    Oci,
    /// `trustpolicy.blob.json`.
    Blob,
}

impl PolicyKind {
    /// `oci` or `blob`, as the messages say it.
    pub const fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Oci => "oci",
            PolicyKind::Blob => "blob",
        }
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a trust policy could not be loaded, selected or satisfied.
///
/// Codes: [`PolicyError::code`]. Document problems are `ERR_POLICY_INVALID`, a failed selection
/// is `ERR_NO_APPLICABLE_TRUST_POLICY`, a malformed artifact reference is `ERR_PARSE` and a
/// signer outside the trusted identities is `ERR_UNTRUSTED_IDENTITY`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The document is not JSON of the trust policy shape: a syntax error, a member of the wrong
    /// type, a duplicate or unknown member name, or a size bound exceeded
    /// (trust-store-trust-policy.md §Trust Policy Properties; duplicates rejected per
    /// docs/conformance.md §D2).
    Malformed {
        /// What is wrong, with its JSON location.
        reason: String,
    },
    /// `version` is empty (trust-store-trust-policy.md §Trust Policy Properties).
    EmptyVersion {
        /// The document kind.
        kind: PolicyKind,
    },
    /// `version` is not `"1.0"` (trust-store-trust-policy.md §Trust Policy Properties).
    UnsupportedVersion {
        /// The document kind.
        kind: PolicyKind,
        /// The version found.
        version: String,
    },
    /// `trustPolicies` is empty or absent (trust-store-trust-policy.md §Trust Policy Properties).
    NoStatements {
        /// The document kind.
        kind: PolicyKind,
    },
    /// Two statements have the same name (trust-store-trust-policy.md §Trust Policy Constraints).
    DuplicateStatementName {
        /// The document kind.
        kind: PolicyKind,
        /// The repeated name.
        name: String,
    },
    /// A statement breaks a rule of trust-store-trust-policy.md §Trust Policy Constraints.
    InvalidStatement {
        /// The document kind.
        kind: PolicyKind,
        /// The statement's name (empty when the name is what is missing).
        statement: String,
        /// The rule broken.
        problem: StatementProblem,
    },
    /// An OCI statement has no registry scope (trust-store-trust-policy.md §OCI Trust Policy
    /// Constraints).
    ZeroRegistryScopes {
        /// The statement's name.
        statement: String,
    },
    /// An OCI statement combines the wildcard scope `*` with other scopes
    /// (trust-store-trust-policy.md §OCI Trust Policy Constraints).
    WildcardScopeMixed {
        /// The statement's name.
        statement: String,
    },
    /// A registry scope is not `<domain>/<repository>` (trust-store-trust-policy.md §OCI Trust
    /// Policy Constraints).
    InvalidRegistryScope {
        /// The scope as written.
        scope: String,
        /// Whether the scope contains a `*` (notation words that case differently).
        wildcard: bool,
    },
    /// A registry scope appears more than once in the document (trust-store-trust-policy.md §OCI
    /// Trust Policy Constraints).
    DuplicateRegistryScope {
        /// The repeated scope.
        scope: String,
    },
    /// More than one blob statement has `globalPolicy: true` (trust-store-trust-policy.md §Blob
    /// Trust Policy).
    MultipleGlobalStatements,
    /// Spec-only rule, enforced when [`ValidationOptions::reject_skip_on_global`] is set: the
    /// `skip` level on the global OCI scope `*` (trust-store-trust-policy.md §Trust Policy) or on
    /// the global blob statement (trust-store-trust-policy.md §Blob Trust Policy). notation-go
    /// accepts both (docs/conformance.md §D8).
    ///
    /// [`ValidationOptions::reject_skip_on_global`]: super::ValidationOptions::reject_skip_on_global
    SkipOnGlobal {
        /// The document kind.
        kind: PolicyKind,
        /// The statement's name.
        statement: String,
    },
    /// A distinguished name breaks the rules for trusted identities (trust-store-trust-policy.md
    /// §Trust Policy Constraints).
    InvalidDistinguishedName {
        /// The DN as written (empty when it was too long to repeat).
        dn: String,
        /// The rule broken.
        problem: DnProblem,
    },
    /// The artifact reference is not `<domain>/<repository>@<digest>` (trust-store-trust-policy.md
    /// §Selecting a trust policy to verify a signed OCI artifact).
    InvalidArtifactReference {
        /// The reference as given.
        reference: String,
        /// What is wrong.
        problem: ReferenceProblem,
    },
    /// No OCI statement lists the artifact's repository and there is no `*` statement
    /// (trust-store-trust-policy.md §Selecting a trust policy to verify a signed OCI artifact).
    NoApplicableStatement {
        /// The artifact reference.
        reference: String,
    },
    /// No blob statement has the requested name, or none is global when no name is given
    /// (trust-store-trust-policy.md §Selecting a trust policy to verify a signed blob).
    NoApplicableBlobStatement {
        /// The requested name; `None` asked for the global statement.
        name: Option<String>,
    },
    /// A blob statement was requested by a blank name (trust-store-trust-policy.md §Selecting a
    /// trust policy to verify a signed blob).
    EmptyBlobStatementName,
    /// The signing certificate's subject matches none of the statement's trusted identities
    /// (trust-store-trust-policy.md §Trusted Identities Constraints, §Signature Verification step
    /// "Validate Authenticity").
    UntrustedIdentity {
        /// The statement's name.
        statement: String,
        /// Why no identity matched.
        problem: IdentityProblem,
    },
}

impl PolicyError {
    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        match self {
            PolicyError::InvalidArtifactReference { .. } => ErrorCode::Parse,
            PolicyError::NoApplicableStatement { .. }
            | PolicyError::NoApplicableBlobStatement { .. }
            | PolicyError::EmptyBlobStatementName => ErrorCode::NoApplicableTrustPolicy,
            PolicyError::UntrustedIdentity { .. } => ErrorCode::UntrustedIdentity,
            PolicyError::Malformed { .. }
            | PolicyError::EmptyVersion { .. }
            | PolicyError::UnsupportedVersion { .. }
            | PolicyError::NoStatements { .. }
            | PolicyError::DuplicateStatementName { .. }
            | PolicyError::InvalidStatement { .. }
            | PolicyError::ZeroRegistryScopes { .. }
            | PolicyError::WildcardScopeMixed { .. }
            | PolicyError::InvalidRegistryScope { .. }
            | PolicyError::DuplicateRegistryScope { .. }
            | PolicyError::MultipleGlobalStatements
            | PolicyError::SkipOnGlobal { .. }
            | PolicyError::InvalidDistinguishedName { .. } => ErrorCode::PolicyInvalid,
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        PolicyError::Malformed {
            reason: reason.into(),
        }
    }
}

/// The advice notation appends to registry scope errors.
const SCOPE_ADVICE: &str = "make sure it is a fully qualified repository without the scheme, \
protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout";

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Malformed { reason } => write!(f, "malformed trust policy: {reason}"),
            PolicyError::EmptyVersion { kind } => write!(
                f,
                "{kind} trust policy document has empty version, version must be specified"
            ),
            PolicyError::UnsupportedVersion { kind, version } => write!(
                f,
                "{kind} trust policy document uses unsupported version {}",
                Quoted(version)
            ),
            PolicyError::NoStatements { kind } => write!(
                f,
                "{kind} trust policy document can not have zero trust policy statements"
            ),
            PolicyError::DuplicateStatementName { kind, name } => write!(
                f,
                "multiple {kind} trust policy statements use the same name {}, statement names \
                 must be unique",
                Quoted(name)
            ),
            PolicyError::InvalidStatement {
                kind,
                statement,
                problem,
            } => {
                write!(f, "{kind} trust policy: ")?;
                problem.fmt_for(statement, f)
            }
            PolicyError::ZeroRegistryScopes { statement } => write!(
                f,
                "oci trust policy statement {} has zero registry scopes, it must specify \
                 registry scopes with at least one value",
                Quoted(statement)
            ),
            PolicyError::WildcardScopeMixed { statement } => write!(
                f,
                "oci trust policy statement {} uses wildcard registry scope '*', a wildcard \
                 scope cannot be used in conjunction with other scope values",
                Quoted(statement)
            ),
            PolicyError::InvalidRegistryScope { scope, wildcard } => {
                fmt_scope_error(f, scope, *wildcard)
            }
            PolicyError::DuplicateRegistryScope { scope } => write!(
                f,
                "registry scope {} is present in multiple oci trust policy statements, one \
                 registry scope value can only be associated with one statement",
                Quoted(scope)
            ),
            PolicyError::MultipleGlobalStatements => f.write_str(
                "multiple blob trust policy statements have globalPolicy set to true. Only one \
                 trust policy statement can be marked as global policy",
            ),
            PolicyError::SkipOnGlobal {
                kind: PolicyKind::Blob,
                ..
            } => f.write_str(
                "global blob trust policy statement cannot have verification level set to skip",
            ),
            PolicyError::SkipOnGlobal {
                kind: PolicyKind::Oci,
                statement,
            } => write!(
                f,
                "oci trust policy: trust policy statement {} uses verification level \"skip\" \
                 with the wildcard registry scope '*', skip cannot be used with the global scope",
                Quoted(statement)
            ),
            PolicyError::InvalidDistinguishedName { dn, problem } => problem.fmt_for(dn, f),
            PolicyError::InvalidArtifactReference { reference, problem } => match problem {
                ReferenceProblem::MissingDigest => write!(
                    f,
                    "artifact URI {} could not be parsed, make sure it is the fully qualified \
                     oci artifact URI without the scheme/protocol. e.g \
                     domain.com:80/my/repository@sha256:digest",
                    Quoted(reference)
                ),
                ReferenceProblem::InvalidRepository {
                    repository,
                    wildcard,
                } => fmt_scope_error(f, repository, *wildcard),
            },
            PolicyError::NoApplicableStatement { reference } => write!(
                f,
                "artifact {} has no applicable oci trust policy statement. Trust policy \
                 applicability for a given artifact is determined by registryScopes",
                Quoted(reference)
            ),
            PolicyError::NoApplicableBlobStatement { name: Some(name) } => write!(
                f,
                "no applicable blob trust policy with name {}",
                Quoted(name)
            ),
            PolicyError::NoApplicableBlobStatement { name: None } => {
                f.write_str("no global blob trust policy")
            }
            PolicyError::EmptyBlobStatementName => f.write_str("policy name cannot be empty"),
            PolicyError::UntrustedIdentity { statement, problem } => problem.fmt_for(statement, f),
        }
    }
}

impl std::error::Error for PolicyError {}

fn fmt_scope_error(f: &mut fmt::Formatter<'_>, scope: &str, wildcard: bool) -> fmt::Result {
    let with = if wildcard { " with wild card(s)" } else { "" };
    write!(
        f,
        "registry scope {}{with} is not valid, {SCOPE_ADVICE}",
        Quoted(scope)
    )
}

/// A rule of trust-store-trust-policy.md §Trust Policy Constraints that a statement breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatementProblem {
    /// The statement has no `name`.
    MissingName,
    /// `signatureVerification` is invalid.
    SignatureVerification(LevelProblem),
    /// A `skip` statement lists trust stores or trusted identities.
    SkipWithTrustMaterial,
    /// A statement other than `skip` lacks trust stores or trusted identities.
    MissingTrustMaterial,
    /// A trust store reference has no `:` (the value as written).
    MalformedTrustStore(String),
    /// A trust store type is not `ca`, `signingAuthority` or `tsa`.
    UnknownTrustStoreType {
        /// The type found.
        store_type: String,
        /// The whole reference.
        value: String,
    },
    /// A trust store name does not match `^[a-zA-Z0-9_.-]+$`.
    InvalidTrustStoreName {
        /// The name found.
        name: String,
        /// The whole reference.
        value: String,
    },
    /// The wildcard identity `*` is combined with other identities.
    WildcardIdentityMixed,
    /// A trusted identity is the empty string.
    EmptyIdentity,
    /// A trusted identity has no `:` between prefix and value (the identity as written).
    IdentityMissingSeparator(String),
    /// An `x509.subject:` identity has an empty value (the identity as written).
    IdentityWithoutValue(String),
    /// An `x509.subject:` identity is not an acceptable distinguished name.
    InvalidIdentityValue {
        /// The identity as written.
        identity: String,
        /// Why its DN was refused.
        error: Box<PolicyError>,
    },
    /// One x509 identity's attributes are a subset of another's.
    OverlappingIdentities {
        /// The identity that is a subset.
        identity: String,
        /// The identity it overlaps with.
        other: String,
    },
    /// A list in the statement is longer than the bounds of this implementation.
    TooMany {
        /// The member, e.g. `trustedIdentities`.
        member: &'static str,
        /// The bound.
        limit: usize,
    },
}

impl StatementProblem {
    fn fmt_for(&self, statement: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let StatementProblem::MissingName = self {
            return f.write_str(
                "a trust policy statement is missing a name, every statement requires a name",
            );
        }
        write!(f, "trust policy statement {} ", Quoted(statement))?;
        match self {
            StatementProblem::MissingName => Ok(()),
            StatementProblem::SignatureVerification(problem) => {
                write!(f, "has invalid signatureVerification: {problem}")
            }
            StatementProblem::SkipWithTrustMaterial => f.write_str(
                "is set to skip signature verification but configured with trust stores and/or \
                 trusted identities, remove them if signature verification needs to be skipped",
            ),
            StatementProblem::MissingTrustMaterial => f.write_str(
                "is either missing trust stores or trusted identities, both must be specified",
            ),
            StatementProblem::MalformedTrustStore(value) => write!(
                f,
                "has malformed trust store value {}. The required format is \
                 <TrustStoreType>:<TrustStoreName>",
                Quoted(value)
            ),
            StatementProblem::UnknownTrustStoreType { store_type, value } => write!(
                f,
                "uses an unsupported trust store type {} in trust store value {}",
                Quoted(store_type),
                Quoted(value)
            ),
            StatementProblem::InvalidTrustStoreName { name, value } => write!(
                f,
                "uses an unsupported trust store name {} in trust store value {}. Named store \
                 name needs to follow [a-zA-Z0-9_.-]+ format",
                Quoted(name),
                Quoted(value)
            ),
            StatementProblem::WildcardIdentityMixed => f.write_str(
                "uses a wildcard trusted identity '*', a wildcard identity cannot be used in \
                 conjunction with other values",
            ),
            StatementProblem::EmptyIdentity => f.write_str("has an empty trusted identity"),
            StatementProblem::IdentityMissingSeparator(identity) => {
                write!(
                    f,
                    "has trusted identity {} missing separator",
                    Quoted(identity)
                )
            }
            StatementProblem::IdentityWithoutValue(identity) => write!(
                f,
                "has trusted identity {} without an identity value",
                Quoted(identity)
            ),
            StatementProblem::InvalidIdentityValue { identity, error } => write!(
                f,
                "has trusted identity {} with invalid identity value: {error}",
                Quoted(identity)
            ),
            StatementProblem::OverlappingIdentities { identity, other } => write!(
                f,
                "has overlapping x509 trustedIdentities, {} overlaps with {}",
                Quoted(identity),
                Quoted(other)
            ),
            StatementProblem::TooMany { member, limit } => {
                write!(f, "has more than {limit} {member}")
            }
        }
    }
}

/// Why a statement's `signatureVerification` is invalid (trust-store-trust-policy.md §Custom
/// Verification Level).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LevelProblem {
    /// `level` is empty or absent.
    EmptyLevel,
    /// `level` is not `strict`, `permissive`, `audit` or `skip`.
    UnknownLevel(String),
    /// The `skip` level has overrides.
    OverrideOnSkip,
    /// An override names an unknown check.
    UnknownCheck(String),
    /// An override names an unknown action.
    UnknownAction(String),
    /// An override names `integrity`, which can never be overridden.
    IntegrityOverridden,
    /// An override sets `skip` on a check other than `revocation`.
    CheckNotSkippable(CheckType),
    /// `verifyTimestamp` is neither `always` nor `afterCertExpiry`.
    InvalidVerifyTimestamp(String),
}

impl fmt::Display for LevelProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LevelProblem::EmptyLevel => f.write_str(
                "signature verification level is empty or missing in the trust policy statement",
            ),
            LevelProblem::UnknownLevel(level) => {
                write!(f, "invalid signature verification level {}", Quoted(level))
            }
            LevelProblem::OverrideOnSkip => f.write_str(
                "signature verification level \"skip\" can't be used to customize signature \
                 verification",
            ),
            LevelProblem::UnknownCheck(check) => write!(
                f,
                "verification type {} in custom signature verification is not supported, \
                 supported values are [\"integrity\" \"authenticity\" \"authenticTimestamp\" \
                 \"expiry\" \"revocation\"]",
                Quoted(check)
            ),
            LevelProblem::UnknownAction(action) => write!(
                f,
                "verification action {} in custom signature verification is not supported, \
                 supported values are [\"enforce\" \"log\" \"skip\"]",
                Quoted(action)
            ),
            LevelProblem::IntegrityOverridden => f.write_str(
                "\"integrity\" verification can not be overridden in custom signature \
                 verification",
            ),
            LevelProblem::CheckNotSkippable(check) => write!(
                f,
                "{} verification can not be skipped in custom signature verification",
                Quoted(check.name())
            ),
            LevelProblem::InvalidVerifyTimestamp(value) => write!(
                f,
                "verifyTimestamp must be \"always\" or \"afterCertExpiry\", but got {}",
                Quoted(value)
            ),
        }
    }
}

/// Why a distinguished name was refused (trust-store-trust-policy.md §Trusted Identities
/// Constraints; threat model 10).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DnProblem {
    /// The DN contains `=#`: a hex-encoded BER value (refused by notation since
    /// GHSA-87x9-7grx-m28v).
    HexValue,
    /// Not RFC 4514 syntax (the parser's reason).
    Syntax(String),
    /// An RDN has several attributes joined by `+`.
    MultiValued,
    /// An attribute type appears twice (`S` counts as `ST`).
    DuplicateAttribute(String),
    /// `C`, `ST` or `O` is absent or empty.
    MissingMandatory(&'static str),
    /// An attribute type or value contains a NUL character.
    Nul,
    /// The DN is longer than [`MAX_DN_BYTES`](super::dn::MAX_DN_BYTES).
    TooLong(usize),
    /// The DN has more attributes than [`MAX_DN_ATTRIBUTES`](super::dn::MAX_DN_ATTRIBUTES).
    TooManyAttributes,
}

impl DnProblem {
    fn fmt_for(&self, dn: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dn = Quoted(dn);
        match self {
            DnProblem::HexValue => write!(
                f,
                "unsupported distinguished name (DN) {dn}: x509.subject identities containing \
                 \"=#\" are not supported"
            ),
            DnProblem::Syntax(reason) => write!(
                f,
                "parsing distinguished name (DN) {dn} failed with err: {reason}. A valid DN must \
                 contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum, and follow RFC \
                 4514 standard"
            ),
            DnProblem::MultiValued => write!(
                f,
                "distinguished name (DN) {dn} has multi-valued RDN attributes, remove \
                 multi-valued RDN attributes as they are not supported"
            ),
            DnProblem::DuplicateAttribute(attribute) => write!(
                f,
                "distinguished name (DN) {dn} has duplicate RDN attribute for {}, DN can only \
                 have unique RDN attributes",
                Quoted(attribute)
            ),
            DnProblem::MissingMandatory(attribute) => write!(
                f,
                "distinguished name (DN) {dn} has no mandatory RDN attribute for {}, it must \
                 contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum",
                Quoted(attribute)
            ),
            DnProblem::Nul => write!(f, "distinguished name (DN) {dn} contains a NUL character"),
            DnProblem::TooLong(len) => write!(
                f,
                "distinguished name (DN) of {len} bytes is longer than the limit of {} bytes",
                super::dn::MAX_DN_BYTES
            ),
            DnProblem::TooManyAttributes => write!(
                f,
                "distinguished name (DN) {dn} has more than {} attributes",
                super::dn::MAX_DN_ATTRIBUTES
            ),
        }
    }
}

/// Why an artifact reference cannot select a policy (trust-store-trust-policy.md §Selecting a trust
/// policy to verify a signed OCI artifact).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReferenceProblem {
    /// No `@<algorithm>:<digest>` part (tags are not accepted: threat model 23).
    MissingDigest,
    /// The part before `@` is not a valid registry scope.
    InvalidRepository {
        /// The part before `@`.
        repository: String,
        /// Whether it contains a `*`.
        wildcard: bool,
    },
}

/// Why a signing certificate is not a trusted identity (trust-store-trust-policy.md §Trusted
/// Identities Constraints, §Signature Verification step "Validate Authenticity").
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityProblem {
    /// The statement lists no `x509.subject:` identity (only unknown prefixes).
    NoX509Identities,
    /// The certificate subject, as rendered, is not an acceptable DN (missing C/ST/O, multi-valued
    /// or duplicate attributes, `=#` hex values, NUL, ...).
    InvalidSubject(Box<PolicyError>),
    /// The subject parsed, but no identity is a subset of it.
    NoMatch {
        /// The statement's x509 identities, parsed.
        identities: Vec<DistinguishedName>,
    },
}

impl IdentityProblem {
    fn fmt_for(&self, statement: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityProblem::NoX509Identities => write!(
                f,
                "no x509 trusted identities are configured in the trust policy {}",
                Quoted(statement)
            ),
            IdentityProblem::InvalidSubject(error) => write!(
                f,
                "error while parsing the certificate subject from the digital signature. error \
                 : {}",
                Quoted(&error.to_string())
            ),
            IdentityProblem::NoMatch { identities } => {
                // notation prints the parsed identities with Go's `%q` of a []map[string]string.
                f.write_str(
                    "signing certificate from the digital signature does not match the X.509 \
                     trusted identities [",
                )?;
                for (i, dn) in identities.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str("map[")?;
                    for (j, (attribute, value)) in dn.iter().enumerate() {
                        if j > 0 {
                            f.write_str(" ")?;
                        }
                        write!(f, "{}:{}", Quoted(attribute), Quoted(value))?;
                    }
                    f.write_str("]")?;
                }
                write!(f, "] defined in the trust policy {}", Quoted(statement))
            }
        }
    }
}

/// A string rendered like Go's `%q` (`strconv.Quote`): double quotes, `\"` and `\\`, C escapes
/// for control characters, `\u`/`\U` for other non-printable characters.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\u{7}' => f.write_str("\\a")?,
                '\u{8}' => f.write_str("\\b")?,
                '\u{c}' => f.write_str("\\f")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\u{b}' => f.write_str("\\v")?,
                c if c < ' ' || c == '\u{7f}' => write!(f, "\\x{:02x}", c as u32)?,
                c if is_printable(c) => f.write_char(c)?,
                c if (c as u32) < 0x10000 => write!(f, "\\u{:04x}", c as u32)?,
                c => write!(f, "\\U{:08x}", c as u32)?,
            }
        }
        f.write_char('"')
    }
}

/// An approximation of Go's `unicode.IsPrint`: the ASCII space and every character that is not
/// a control, a separator other than the space, or a format character.
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE0001 | 0xE0020..=0xE007F | 0xD800..=0xDFFF | 0xE000..=0xF8FF
        | 0xF0000..=0x10FFFF)
}

#[cfg(test)]
mod tests;
