//! Trust policy documents: reading (strict JSON → typed values, once) and validation in
//! notation-go's order (trust-store-trust-policy.md §OCI Trust Policy, §Blob Trust Policy), and
//! statement selection.

use serde_json::{Map, Value};

use super::error::{PolicyError, PolicyKind, StatementProblem};
use super::identity::{TrustedIdentities, MAX_TRUSTED_IDENTITIES};
use super::json::parse_strict;
use super::levels::{VerificationLevel, VerificationLevelConfig, VerifyTimestamp};
use super::scope::{artifact_repository, check_scope_format, scope_error, WILDCARD};
use super::stores::{TrustStoreRef, TrustStoreType};

/// The largest trust policy document accepted by `from_json`, in bytes.
pub const MAX_POLICY_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;

/// The most statements one document may have.
pub(crate) const MAX_STATEMENTS: usize = 1024;

/// The most registry scopes one statement may list.
pub(crate) const MAX_REGISTRY_SCOPES: usize = 4096;

/// The most trust stores one statement may list.
pub(crate) const MAX_TRUST_STORES: usize = 256;

/// The policy document versions understood (trust-store-trust-policy.md §Trust Policy Properties).
const SUPPORTED_VERSIONS: [&str; 1] = ["1.0"];

/// Choices about rules on which the specification and notation-go differ (docs/conformance.md §D8).
///
/// The default follows notation-go, which the conformance vectors record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationOptions {
    /// Refuse the `skip` level on the global OCI scope `*` (trust-store-trust-policy.md §Trust
    /// Policy) and on the global blob statement (trust-store-trust-policy.md §Blob Trust Policy),
    /// as the specification requires. notation-go accepts both; default `false`.
    pub reject_skip_on_global: bool,
}

impl ValidationOptions {
    /// notation-go's behaviour (the default).
    pub const fn notation_compatible() -> Self {
        Self {
            reject_skip_on_global: false,
        }
    }

    /// notation-go's checks plus the specification-only ones.
    pub const fn spec_strict() -> Self {
        Self {
            reject_skip_on_global: true,
        }
    }
}

/// One validated trust policy statement (trust-store-trust-policy.md §Trust Policy; blob statements
/// per trust-store-trust-policy.md §Blob Trust Policy have no registry scopes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustPolicyStatement {
    /// The statement's name, unique in its document.
    pub name: String,
    /// The repositories the statement applies to, or `["*"]`; empty for blob statements.
    pub registry_scopes: Vec<String>,
    /// The level and overrides: the action of each check.
    pub signature_verification: VerificationLevelConfig,
    /// When RFC 3161 timestamps are verified.
    pub verify_timestamp: VerifyTimestamp,
    /// The named trust stores; empty exactly when the level is `skip`.
    pub trust_stores: Vec<TrustStoreRef>,
    /// The trusted identities; an empty list exactly when the level is `skip`.
    pub trusted_identities: TrustedIdentities,
}

impl TrustPolicyStatement {
    /// Whether the signing certificate's subject satisfies the statement's trusted identities
    /// (trust-store-trust-policy.md §Trusted Identities Constraints): `*` passes; otherwise some
    /// `x509.subject` identity must be a subset of the subject's attributes. `leaf_subject_rfc4514`
    /// is the leaf subject as Go's `pkix.Name.String()` renders it, e.g.
    /// `CN=SomeCN,OU=SomeOU,O=SomeOrg,L=Seattle,ST=WA,C=US`. A subject lacking C, ST or O, with a
    /// repeated or multi-valued attribute, or with an `OID=#hex` attribute never matches an
    /// explicit identity.
    pub fn identity_matches(&self, leaf_subject_rfc4514: &str) -> bool {
        self.check_identity(leaf_subject_rfc4514).is_ok()
    }

    /// [`TrustPolicyStatement::identity_matches`] with notation's reason when it fails
    /// ([`PolicyError::UntrustedIdentity`], code `ERR_UNTRUSTED_IDENTITY`).
    pub fn check_identity(&self, leaf_subject_rfc4514: &str) -> Result<(), PolicyError> {
        self.trusted_identities
            .check(&self.name, leaf_subject_rfc4514)
    }

    /// The statement's trust stores of one type (trust-store-trust-policy.md §Trust Store: only the
    /// type matching the signing scheme, or `tsa`, is used by a given check).
    pub fn trust_stores_of(
        &self,
        store_type: TrustStoreType,
    ) -> impl Iterator<Item = &TrustStoreRef> {
        self.trust_stores
            .iter()
            .filter(move |store| store.store_type == store_type)
    }

    /// Whether the statement is the OCI wildcard statement (`registryScopes: ["*"]`).
    pub fn is_wildcard_scope(&self) -> bool {
        self.registry_scopes.iter().any(|scope| scope == WILDCARD)
    }
}

/// A validated OCI trust policy document, `trustpolicy.oci.json` (trust-store-trust-policy.md
/// §Trust Policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciTrustPolicy {
    /// The document version (`"1.0"`).
    pub version: String,
    /// The statements, in document order.
    pub statements: Vec<TrustPolicyStatement>,
}

impl OciTrustPolicy {
    /// Reads and validates a document: strict JSON (no duplicate member names anywhere, no
    /// unknown members, members of the right JSON type, at most
    /// [`MAX_POLICY_DOCUMENT_BYTES`]), then every rule of trust-store-trust-policy.md §Trust Policy
    /// in notation-go's order.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        Self::from_json_with(bytes, ValidationOptions::default())
    }

    /// [`OciTrustPolicy::from_json`] with explicit [`ValidationOptions`].
    pub fn from_json_with(bytes: &[u8], options: ValidationOptions) -> Result<Self, PolicyError> {
        Self::from_value_with(&read_json(bytes)?, options)
    }

    /// Validates a document given as a parsed JSON value (the JavaScript layer hands objects
    /// over); same rules as [`OciTrustPolicy::from_json`].
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        Self::from_value_with(value, ValidationOptions::default())
    }

    /// [`OciTrustPolicy::from_value`] with explicit [`ValidationOptions`].
    pub fn from_value_with(value: &Value, options: ValidationOptions) -> Result<Self, PolicyError> {
        let wire = WireDocument::read(value, PolicyKind::Oci)?;
        validate_oci(wire, options)
    }

    /// The statement that applies to `artifact_reference` (`<domain>/<repository>@<digest>`,
    /// trust-store-trust-policy.md §Selecting a trust policy to verify a signed OCI artifact;
    /// notation's `GetApplicableTrustPolicy`): the reference must have a digest and its repository
    /// part must itself be a valid scope (`ERR_PARSE` otherwise); the statement listing exactly
    /// that repository wins, else the `*` statement, else `ERR_NO_APPLICABLE_TRUST_POLICY`. No
    /// prefix, port or case normalisation (threat model 23).
    pub fn applicable_statement(
        &self,
        artifact_reference: &str,
    ) -> Result<&TrustPolicyStatement, PolicyError> {
        let repository = artifact_repository(artifact_reference)?;
        let lists = |statement: &&TrustPolicyStatement, scope: &str| {
            statement.registry_scopes.iter().any(|s| s == scope)
        };
        self.statements
            .iter()
            .find(|statement| lists(statement, repository))
            .or_else(|| {
                self.statements
                    .iter()
                    .find(|statement| lists(statement, WILDCARD))
            })
            .ok_or_else(|| PolicyError::NoApplicableStatement {
                reference: artifact_reference.to_owned(),
            })
    }
}

/// One statement of a blob trust policy (trust-store-trust-policy.md §Blob Trust Policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobTrustPolicyStatement {
    /// Whether this is the global statement, used when no name is given.
    pub global_policy: bool,
    /// The statement (its `registry_scopes` is empty).
    pub statement: TrustPolicyStatement,
}

/// A validated blob trust policy document, `trustpolicy.blob.json` (trust-store-trust-policy.md
/// §Blob Trust Policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobTrustPolicy {
    /// The document version (`"1.0"`).
    pub version: String,
    /// The statements, in document order; at most one is global.
    pub statements: Vec<BlobTrustPolicyStatement>,
}

impl BlobTrustPolicy {
    /// Reads and validates a document; strict JSON as [`OciTrustPolicy::from_json`], then the
    /// rules of trust-store-trust-policy.md §Blob Trust Policy in notation-go's order.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PolicyError> {
        Self::from_json_with(bytes, ValidationOptions::default())
    }

    /// [`BlobTrustPolicy::from_json`] with explicit [`ValidationOptions`].
    pub fn from_json_with(bytes: &[u8], options: ValidationOptions) -> Result<Self, PolicyError> {
        Self::from_value_with(&read_json(bytes)?, options)
    }

    /// Validates a document given as a parsed JSON value.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        Self::from_value_with(value, ValidationOptions::default())
    }

    /// [`BlobTrustPolicy::from_value`] with explicit [`ValidationOptions`].
    pub fn from_value_with(value: &Value, options: ValidationOptions) -> Result<Self, PolicyError> {
        let wire = WireDocument::read(value, PolicyKind::Blob)?;
        validate_blob(wire, options)
    }

    /// The statement to verify a blob with (trust-store-trust-policy.md §Selecting a trust policy
    /// to verify a signed blob): the one named `name` exactly, or with `None` the global statement.
    /// A blank name is an error, as in notation.
    pub fn statement(&self, name: Option<&str>) -> Result<&TrustPolicyStatement, PolicyError> {
        let found = match name {
            Some(name) if name.trim().is_empty() => {
                return Err(PolicyError::EmptyBlobStatementName)
            }
            Some(name) => self.statements.iter().find(|s| s.statement.name == name),
            None => self.statements.iter().find(|s| s.global_policy),
        };
        found
            .map(|s| &s.statement)
            .ok_or_else(|| PolicyError::NoApplicableBlobStatement {
                name: name.map(str::to_owned),
            })
    }
}

/// Size check and strict JSON parse, shared by both document kinds.
fn read_json(bytes: &[u8]) -> Result<Value, PolicyError> {
    if bytes.len() > MAX_POLICY_DOCUMENT_BYTES {
        return Err(PolicyError::malformed(format!(
            "document of {} bytes is larger than the limit of {MAX_POLICY_DOCUMENT_BYTES} bytes",
            bytes.len()
        )));
    }
    parse_strict(bytes).map_err(PolicyError::malformed)
}

// ---------------------------------------------------------------------------------------------
// Wire form: the document's members with their JSON types checked, nothing else yet.

/// A document as written (trust-store-trust-policy.md §Trust Policy Properties), before the rules
/// are applied.
struct WireDocument {
    version: String,
    statements: Vec<WireStatement>,
}

/// A statement as written.
struct WireStatement {
    name: String,
    registry_scopes: Vec<String>,
    level: String,
    overrides: Vec<(String, String)>,
    verify_timestamp: String,
    trust_stores: Vec<String>,
    trusted_identities: Vec<String>,
    global_policy: bool,
}

/// The members each object may have. Unknown members are refused: notation's decoder would
/// ignore them (and match names case-insensitively), silently dropping e.g. a mistyped
/// `Override`.
const DOCUMENT_MEMBERS: [&str; 2] = ["version", "trustPolicies"];
const OCI_STATEMENT_MEMBERS: [&str; 5] = [
    "name",
    "registryScopes",
    "signatureVerification",
    "trustStores",
    "trustedIdentities",
];
const BLOB_STATEMENT_MEMBERS: [&str; 5] = [
    "name",
    "signatureVerification",
    "trustStores",
    "trustedIdentities",
    "globalPolicy",
];
const SIGNATURE_VERIFICATION_MEMBERS: [&str; 3] = ["level", "override", "verifyTimestamp"];

impl WireDocument {
    fn read(value: &Value, kind: PolicyKind) -> Result<Self, PolicyError> {
        let root = object(value, "the document")?;
        known_members(root, &DOCUMENT_MEMBERS, "the document")?;
        let version = string_member(root, "version", "version")?;
        let statements = match member(root, "trustPolicies") {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                bounded(items.len(), MAX_STATEMENTS, "trustPolicies")?;
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        WireStatement::read(item, kind, &format!("trustPolicies[{i}]"))
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => return Err(wrong_type("trustPolicies", "an array")),
        };
        Ok(WireDocument {
            version,
            statements,
        })
    }
}

impl WireStatement {
    fn read(value: &Value, kind: PolicyKind, path: &str) -> Result<Self, PolicyError> {
        let statement = object(value, path)?;
        let allowed: &[&str] = match kind {
            PolicyKind::Oci => &OCI_STATEMENT_MEMBERS,
            PolicyKind::Blob => &BLOB_STATEMENT_MEMBERS,
        };
        known_members(statement, allowed, path)?;
        let at = |name: &str| format!("{path}.{name}");

        let (level, overrides, verify_timestamp) = match member(statement, "signatureVerification")
        {
            None => (String::new(), Vec::new(), String::new()),
            Some(value) => {
                let sv_path = at("signatureVerification");
                let sv = object(value, &sv_path)?;
                known_members(sv, &SIGNATURE_VERIFICATION_MEMBERS, &sv_path)?;
                let level = string_member(sv, "level", &format!("{sv_path}.level"))?;
                let overrides = string_map_member(sv, "override", &format!("{sv_path}.override"))?;
                let verify_timestamp =
                    string_member(sv, "verifyTimestamp", &format!("{sv_path}.verifyTimestamp"))?;
                (level, overrides, verify_timestamp)
            }
        };
        let global_policy = match member(statement, "globalPolicy") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(wrong_type(&at("globalPolicy"), "a boolean")),
        };
        Ok(WireStatement {
            name: string_member(statement, "name", &at("name"))?,
            registry_scopes: string_array_member(
                statement,
                "registryScopes",
                &at("registryScopes"),
                MAX_REGISTRY_SCOPES,
            )?,
            level,
            overrides,
            verify_timestamp,
            trust_stores: string_array_member(
                statement,
                "trustStores",
                &at("trustStores"),
                MAX_TRUST_STORES,
            )?,
            trusted_identities: string_array_member(
                statement,
                "trustedIdentities",
                &at("trustedIdentities"),
                MAX_TRUSTED_IDENTITIES,
            )?,
            global_policy,
        })
    }
}

/// A member's value; `null` counts as absent (as in notation, where it leaves the zero value).
fn member<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).filter(|value| !value.is_null())
}

fn object<'v>(value: &'v Value, path: &str) -> Result<&'v Map<String, Value>, PolicyError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(path, "an object"))
}

fn known_members(
    object: &Map<String, Value>,
    allowed: &[&str],
    path: &str,
) -> Result<(), PolicyError> {
    match object.keys().find(|name| !allowed.contains(&name.as_str())) {
        Some(unknown) => Err(PolicyError::malformed(format!(
            "{path} has unknown member {unknown:?}"
        ))),
        None => Ok(()),
    }
}

fn string_member(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<String, PolicyError> {
    match member(object, name) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(wrong_type(path, "a string")),
    }
}

fn string_array_member(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
    limit: usize,
) -> Result<Vec<String>, PolicyError> {
    match member(object, name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            bounded(items.len(), limit, path)?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(wrong_type(&format!("{path}[{i}]"), "a string")),
                })
                .collect()
        }
        Some(_) => Err(wrong_type(path, "an array of strings")),
    }
}

/// An object of string values (`override`), in the order the value holds its members.
fn string_map_member(
    object: &Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Vec<(String, String)>, PolicyError> {
    match member(object, name) {
        None => Ok(Vec::new()),
        Some(Value::Object(entries)) => entries
            .iter()
            .map(|(key, value)| match value {
                Value::String(s) => Ok((key.clone(), s.clone())),
                _ => Err(wrong_type(&format!("{path}.{key}"), "a string")),
            })
            .collect(),
        Some(_) => Err(wrong_type(path, "an object")),
    }
}

fn bounded(len: usize, limit: usize, path: &str) -> Result<(), PolicyError> {
    if len > limit {
        return Err(PolicyError::malformed(format!(
            "{path} has {len} entries, more than the limit of {limit}"
        )));
    }
    Ok(())
}

fn wrong_type(path: &str, expected: &str) -> PolicyError {
    PolicyError::malformed(format!("{path} must be {expected}"))
}

// ---------------------------------------------------------------------------------------------
// Validation, in notation-go's order.

/// trust-store-trust-policy.md §Trust Policy Properties: `version` present and supported.
fn check_version(kind: PolicyKind, version: &str) -> Result<(), PolicyError> {
    if version.is_empty() {
        return Err(PolicyError::EmptyVersion { kind });
    }
    if !SUPPORTED_VERSIONS.contains(&version) {
        return Err(PolicyError::UnsupportedVersion {
            kind,
            version: version.to_owned(),
        });
    }
    Ok(())
}

/// trust-store-trust-policy.md §Trust Policy Constraints for one statement (notation's
/// `validatePolicyCore`): name, level and overrides, `verifyTimestamp`, then trust stores and
/// identities (none for `skip`, both otherwise). Registry scopes are left to the caller.
fn validate_core(
    kind: PolicyKind,
    wire: &WireStatement,
) -> Result<TrustPolicyStatement, PolicyError> {
    let invalid = |problem: StatementProblem| PolicyError::InvalidStatement {
        kind,
        statement: wire.name.clone(),
        problem,
    };
    if wire.name.is_empty() {
        return Err(invalid(StatementProblem::MissingName));
    }
    let signature_verification =
        VerificationLevelConfig::from_document(&wire.level, &wire.overrides).map_err(invalid)?;
    let verify_timestamp =
        VerifyTimestamp::from_document(&wire.verify_timestamp).map_err(invalid)?;

    let (trust_stores, trusted_identities) =
        if signature_verification.level == VerificationLevel::Skip {
            if !wire.trust_stores.is_empty() || !wire.trusted_identities.is_empty() {
                return Err(invalid(StatementProblem::SkipWithTrustMaterial));
            }
            (Vec::new(), TrustedIdentities::List(Vec::new()))
        } else {
            if wire.trust_stores.is_empty() || wire.trusted_identities.is_empty() {
                return Err(invalid(StatementProblem::MissingTrustMaterial));
            }
            let stores = wire
                .trust_stores
                .iter()
                .map(|store| TrustStoreRef::parse(store))
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid)?;
            let identities = TrustedIdentities::parse(&wire.trusted_identities).map_err(invalid)?;
            (stores, identities)
        };

    Ok(TrustPolicyStatement {
        name: wire.name.clone(),
        registry_scopes: wire.registry_scopes.clone(),
        signature_verification,
        verify_timestamp,
        trust_stores,
        trusted_identities,
    })
}

/// notation's `OCIDocument.Validate` (trust-store-trust-policy.md §Trust Policy): version,
/// statements (unique names, core rules), then registry scopes across the document; then the
/// spec-only rule if asked.
fn validate_oci(
    wire: WireDocument,
    options: ValidationOptions,
) -> Result<OciTrustPolicy, PolicyError> {
    let kind = PolicyKind::Oci;
    check_version(kind, &wire.version)?;
    if wire.statements.is_empty() {
        return Err(PolicyError::NoStatements { kind });
    }
    // Linear lookups: documents hold few statements, and a hash table costs wasm size.
    let mut names: Vec<&str> = Vec::new();
    let mut statements = Vec::with_capacity(wire.statements.len());
    for statement in &wire.statements {
        if names.contains(&statement.name.as_str()) {
            return Err(PolicyError::DuplicateStatementName {
                kind,
                name: statement.name.clone(),
            });
        }
        statements.push(validate_core(kind, statement)?);
        names.push(&statement.name);
    }

    validate_registry_scopes(&statements)?;

    if options.reject_skip_on_global {
        // trust-store-trust-policy.md §Trust Policy: the `skip` level cannot be used with the
        // global scope (not checked by notation-go; docs/conformance.md §D8).
        if let Some(statement) = statements.iter().find(|s| {
            s.is_wildcard_scope() && s.signature_verification.level == VerificationLevel::Skip
        }) {
            return Err(PolicyError::SkipOnGlobal {
                kind,
                statement: statement.name.clone(),
            });
        }
    }
    Ok(OciTrustPolicy {
        version: wire.version,
        statements,
    })
}

/// trust-store-trust-policy.md §OCI Trust Policy Constraints (notation's `validateRegistryScopes`):
/// every statement has a scope, `*` stands alone, every other scope is well formed; then no scope
/// value appears twice in the document. notation reports an arbitrary repeated scope; this reports
/// the first in document order.
fn validate_registry_scopes(statements: &[TrustPolicyStatement]) -> Result<(), PolicyError> {
    // (scope, occurrences) in document order; linear lookups (few scopes, no hash table).
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for statement in statements {
        if statement.registry_scopes.is_empty() {
            return Err(PolicyError::ZeroRegistryScopes {
                statement: statement.name.clone(),
            });
        }
        if statement.registry_scopes.len() > 1 && statement.is_wildcard_scope() {
            return Err(PolicyError::WildcardScopeMixed {
                statement: statement.name.clone(),
            });
        }
        for scope in &statement.registry_scopes {
            if scope != WILDCARD {
                check_scope_format(scope).map_err(|error| scope_error(scope, error))?;
            }
            match counts.iter_mut().find(|(s, _)| *s == scope.as_str()) {
                Some((_, n)) => *n += 1,
                None => counts.push((scope, 1)),
            }
        }
    }
    match counts
        .into_iter()
        .find_map(|(scope, n)| (n > 1).then_some(scope))
    {
        Some(scope) => Err(PolicyError::DuplicateRegistryScope {
            scope: scope.to_owned(),
        }),
        None => Ok(()),
    }
}

/// notation's `BlobDocument.Validate` (trust-store-trust-policy.md §Blob Trust Policy): version,
/// statements (unique names, core rules, at most one global), with the spec-only global `skip` rule
/// if asked.
fn validate_blob(
    wire: WireDocument,
    options: ValidationOptions,
) -> Result<BlobTrustPolicy, PolicyError> {
    let kind = PolicyKind::Blob;
    check_version(kind, &wire.version)?;
    if wire.statements.is_empty() {
        return Err(PolicyError::NoStatements { kind });
    }
    // Linear lookups: documents hold few statements, and a hash table costs wasm size.
    let mut names: Vec<&str> = Vec::new();
    let mut found_global = false;
    let mut statements = Vec::with_capacity(wire.statements.len());
    for wire_statement in &wire.statements {
        if names.contains(&wire_statement.name.as_str()) {
            return Err(PolicyError::DuplicateStatementName {
                kind,
                name: wire_statement.name.clone(),
            });
        }
        let statement = validate_core(kind, wire_statement)?;
        if wire_statement.global_policy {
            if found_global {
                return Err(PolicyError::MultipleGlobalStatements);
            }
            // trust-store-trust-policy.md §Blob Trust Policy: a global statement must not be
            // `skip`. notation-go's check never fires (docs/conformance.md §D8), so it is opt-in.
            if options.reject_skip_on_global
                && statement.signature_verification.level == VerificationLevel::Skip
            {
                return Err(PolicyError::SkipOnGlobal {
                    kind,
                    statement: statement.name.clone(),
                });
            }
            found_global = true;
        }
        names.push(&wire_statement.name);
        statements.push(BlobTrustPolicyStatement {
            global_policy: wire_statement.global_policy,
            statement,
        });
    }
    Ok(BlobTrustPolicy {
        version: wire.version,
        statements,
    })
}
