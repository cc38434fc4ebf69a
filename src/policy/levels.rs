//! Verification levels, checks and actions (trust-store-trust-policy.md §Signature Verification
//! details).
//!
//! The preset levels are the literal [`LEVEL_TABLE`]; a statement's `override` member changes the
//! action of individual checks under the rules of [`VerificationLevelConfig::new`].

use core::fmt;

use super::error::{LevelProblem, StatementProblem};

/// A preset verification level: the `signatureVerification.level` member
/// (trust-store-trust-policy.md §Trust Policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerificationLevel {
    /// Every check is enforced.
    Strict,
    /// Integrity and authenticity are enforced; the other checks are logged.
    Permissive,
    /// Only integrity is enforced; the other checks are logged.
    Audit,
    /// Nothing is verified.
    Skip,
}

impl VerificationLevel {
    /// Every level, in the order of [`LEVEL_TABLE`].
    pub const ALL: [VerificationLevel; 4] = [
        VerificationLevel::Strict,
        VerificationLevel::Permissive,
        VerificationLevel::Audit,
        VerificationLevel::Skip,
    ];

    /// The name used in trust policy documents: `strict`, `permissive`, `audit` or `skip`.
    pub const fn name(self) -> &'static str {
        match self {
            VerificationLevel::Strict => "strict",
            VerificationLevel::Permissive => "permissive",
            VerificationLevel::Audit => "audit",
            VerificationLevel::Skip => "skip",
        }
    }

    /// The level with this document name (case-sensitive, as notation matches it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|level| level.name() == name)
    }

    /// The preset action for every check, in [`CheckType::ALL`] order (trust-store-trust-policy.md
    /// §Signature Verification details).
    pub const fn actions(self) -> [Action; 5] {
        // LEVEL_TABLE lists the levels in declaration order; the unit tests check it.
        LEVEL_TABLE[self as usize].1
    }
}

impl fmt::Display for VerificationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One of the five checks of signature verification (trust-store-trust-policy.md §Trust Policy,
/// §Signature Verification).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckType {
    /// The signature verifies and the envelope and certificate rules hold.
    Integrity,
    /// The chain reaches a trusted certificate and the signer is a trusted identity.
    Authenticity,
    /// The signing certificates were valid at an authentic signing time.
    AuthenticTimestamp,
    /// The signature has not expired.
    Expiry,
    /// No certificate of the chain is revoked.
    Revocation,
}

impl CheckType {
    /// Every check, in the order notation lists them (and the columns of [`LEVEL_TABLE`]).
    pub const ALL: [CheckType; 5] = [
        CheckType::Integrity,
        CheckType::Authenticity,
        CheckType::AuthenticTimestamp,
        CheckType::Expiry,
        CheckType::Revocation,
    ];

    /// The name used in trust policy documents: `integrity`, `authenticity`,
    /// `authenticTimestamp`, `expiry` or `revocation`.
    pub const fn name(self) -> &'static str {
        match self {
            CheckType::Integrity => "integrity",
            CheckType::Authenticity => "authenticity",
            CheckType::AuthenticTimestamp => "authenticTimestamp",
            CheckType::Expiry => "expiry",
            CheckType::Revocation => "revocation",
        }
    }

    /// The check with this document name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|check| check.name() == name)
    }

    /// Position of the check in [`CheckType::ALL`].
    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CheckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What verification does with the result of a check (trust-store-trust-policy.md §Trust Policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A failure stops verification.
    Enforce,
    /// A failure is recorded and verification goes on.
    Log,
    /// The check is not performed.
    Skip,
}

impl Action {
    /// Every action, in the order notation lists them.
    pub const ALL: [Action; 3] = [Action::Enforce, Action::Log, Action::Skip];

    /// The name used in trust policy documents: `enforce`, `log` or `skip`.
    pub const fn name(self) -> &'static str {
        match self {
            Action::Enforce => "enforce",
            Action::Log => "log",
            Action::Skip => "skip",
        }
    }

    /// The action with this document name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.name() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

use Action::{Enforce, Log, Skip};

/// The preset levels, one row per level, with the action for each check in [`CheckType::ALL`]
/// order: integrity, authenticity, authenticTimestamp, expiry, revocation
/// (trust-store-trust-policy.md §Trust Policy).
pub const LEVEL_TABLE: [(VerificationLevel, [Action; 5]); 4] = [
    (
        VerificationLevel::Strict,
        [Enforce, Enforce, Enforce, Enforce, Enforce],
    ),
    (
        VerificationLevel::Permissive,
        [Enforce, Enforce, Log, Log, Log],
    ),
    (VerificationLevel::Audit, [Enforce, Log, Log, Log, Log]),
    (VerificationLevel::Skip, [Skip, Skip, Skip, Skip, Skip]),
];

/// A statement's `signatureVerification`: a preset level and the checks it overrides.
///
/// Built only through [`VerificationLevelConfig::new`], which applies the override rules of
/// trust-store-trust-policy.md §Trust Policy, so every value describes a permitted combination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationLevelConfig {
    /// The preset level the statement names.
    pub level: VerificationLevel,
    /// The overridden action per check, indexed like [`CheckType::ALL`].
    overrides: [Option<Action>; 5],
}

impl VerificationLevelConfig {
    /// A level with overrides, checked against the rules of trust-store-trust-policy.md §Trust
    /// Policy (notation's `GetVerificationLevel`), in the order given:
    ///
    /// - the `skip` level cannot be customised;
    /// - `integrity` can never be overridden;
    /// - only `revocation` may be set to `skip`.
    ///
    /// A check listed twice keeps its last action (documents cannot do this: duplicate JSON
    /// members are rejected before).
    pub fn new(
        level: VerificationLevel,
        overrides: &[(CheckType, Action)],
    ) -> Result<Self, LevelProblem> {
        let mut config = Self::preset(level);
        if overrides.is_empty() {
            return Ok(config);
        }
        if level == VerificationLevel::Skip {
            return Err(LevelProblem::OverrideOnSkip);
        }
        for &(check, action) in overrides {
            config.set_override(check, action)?;
        }
        Ok(config)
    }

    /// A preset level without overrides.
    pub const fn preset(level: VerificationLevel) -> Self {
        Self {
            level,
            overrides: [None; 5],
        }
    }

    /// The action verification takes for `check`: the override if there is one, else the level
    /// table's (trust-store-trust-policy.md §Trust Policy).
    pub fn action(&self, check: CheckType) -> Action {
        self.overrides[check.index()].unwrap_or(self.level.actions()[check.index()])
    }

    /// The overridden checks and their actions, in [`CheckType::ALL`] order.
    pub fn overrides(&self) -> impl Iterator<Item = (CheckType, Action)> + '_ {
        CheckType::ALL
            .into_iter()
            .filter_map(|check| self.overrides[check.index()].map(|action| (check, action)))
    }

    /// Whether any check is overridden (notation then names the level "custom").
    pub fn is_custom(&self) -> bool {
        self.overrides.iter().any(Option::is_some)
    }

    /// Applies one override after the per-entry rules of trust-store-trust-policy.md §Trust Policy.
    fn set_override(&mut self, check: CheckType, action: Action) -> Result<(), LevelProblem> {
        if check == CheckType::Integrity {
            return Err(LevelProblem::IntegrityOverridden);
        }
        if action == Action::Skip && check != CheckType::Revocation {
            return Err(LevelProblem::CheckNotSkippable(check));
        }
        self.overrides[check.index()] = Some(action);
        Ok(())
    }

    /// Parses the document form: `level` and the `override` entries as written
    /// (trust-store-trust-policy.md §Trust Policy). The checks run in notation's order: level
    /// present, level known, then per entry: check known, action known, then the rules of
    /// [`VerificationLevelConfig::new`].
    pub(crate) fn from_document(
        level: &str,
        overrides: &[(String, String)],
    ) -> Result<Self, StatementProblem> {
        let invalid = StatementProblem::SignatureVerification;
        if level.is_empty() {
            return Err(invalid(LevelProblem::EmptyLevel));
        }
        let level = VerificationLevel::from_name(level)
            .ok_or_else(|| invalid(LevelProblem::UnknownLevel(level.to_owned())))?;
        let mut config = Self::preset(level);
        if overrides.is_empty() {
            return Ok(config);
        }
        if level == VerificationLevel::Skip {
            return Err(invalid(LevelProblem::OverrideOnSkip));
        }
        for (check, action) in overrides {
            let check = CheckType::from_name(check)
                .ok_or_else(|| invalid(LevelProblem::UnknownCheck(check.clone())))?;
            let action = Action::from_name(action)
                .ok_or_else(|| invalid(LevelProblem::UnknownAction(action.clone())))?;
            config.set_override(check, action).map_err(invalid)?;
        }
        Ok(config)
    }
}

/// When a `notary.x509` signature's RFC 3161 timestamp is verified: the statement's
/// `signatureVerification.verifyTimestamp` (trust-store-trust-policy.md §Trust Policy, §Signature
/// Verification step "Validate Authentic Timestamp").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VerifyTimestamp {
    /// Always (the default when the member is absent or empty).
    #[default]
    Always,
    /// Only when a certificate of the signing chain has expired.
    AfterCertExpiry,
}

impl VerifyTimestamp {
    /// The name used in trust policy documents: `always` or `afterCertExpiry`.
    pub const fn name(self) -> &'static str {
        match self {
            VerifyTimestamp::Always => "always",
            VerifyTimestamp::AfterCertExpiry => "afterCertExpiry",
        }
    }

    /// Parses the document member; empty means absent, hence `always` (trust-store-trust-policy.md
    /// §Trust Policy).
    pub(crate) fn from_document(value: &str) -> Result<Self, StatementProblem> {
        match value {
            "" | "always" => Ok(VerifyTimestamp::Always),
            "afterCertExpiry" => Ok(VerifyTimestamp::AfterCertExpiry),
            other => Err(StatementProblem::SignatureVerification(
                LevelProblem::InvalidVerifyTimestamp(other.to_owned()),
            )),
        }
    }
}

impl fmt::Display for VerifyTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_follow_the_enum_order() {
        for (i, (level, _)) in LEVEL_TABLE.iter().enumerate() {
            assert_eq!(VerificationLevel::ALL[i], *level);
            assert_eq!(*level as usize, i);
        }
        for (i, check) in CheckType::ALL.iter().enumerate() {
            assert_eq!(check.index(), i);
        }
    }

    #[test]
    fn table_matches_the_spec() {
        let row = |level: VerificationLevel| {
            CheckType::ALL.map(|c| VerificationLevelConfig::preset(level).action(c).name())
        };
        assert_eq!(row(VerificationLevel::Strict), ["enforce"; 5]);
        assert_eq!(
            row(VerificationLevel::Permissive),
            ["enforce", "enforce", "log", "log", "log"]
        );
        assert_eq!(
            row(VerificationLevel::Audit),
            ["enforce", "log", "log", "log", "log"]
        );
        assert_eq!(row(VerificationLevel::Skip), ["skip"; 5]);
    }

    #[test]
    fn names_round_trip() {
        for level in VerificationLevel::ALL {
            assert_eq!(VerificationLevel::from_name(level.name()), Some(level));
        }
        for check in CheckType::ALL {
            assert_eq!(CheckType::from_name(check.name()), Some(check));
        }
        for action in Action::ALL {
            assert_eq!(Action::from_name(action.name()), Some(action));
        }
        assert_eq!(VerificationLevel::from_name("Strict"), None);
        assert_eq!(CheckType::from_name("authentictimestamp"), None);
        assert_eq!(
            CheckType::ALL.map(CheckType::name),
            [
                "integrity",
                "authenticity",
                "authenticTimestamp",
                "expiry",
                "revocation"
            ]
        );
    }

    #[test]
    fn overrides_apply_on_top_of_the_level() {
        let config = VerificationLevelConfig::new(
            VerificationLevel::Strict,
            &[
                (CheckType::Expiry, Action::Log),
                (CheckType::Revocation, Action::Skip),
            ],
        )
        .unwrap();
        assert_eq!(
            CheckType::ALL.map(|c| config.action(c)),
            [Enforce, Enforce, Enforce, Log, Skip]
        );
        assert!(config.is_custom());
        assert_eq!(
            config.overrides().collect::<Vec<_>>(),
            [(CheckType::Expiry, Log), (CheckType::Revocation, Skip)]
        );
        let audit = VerificationLevelConfig::new(
            VerificationLevel::Audit,
            &[(CheckType::Authenticity, Enforce)],
        )
        .unwrap();
        assert_eq!(audit.action(CheckType::Authenticity), Enforce);
        assert_eq!(audit.action(CheckType::Expiry), Log);
    }

    #[test]
    fn override_rules() {
        use VerificationLevel as L;
        assert_eq!(
            VerificationLevelConfig::new(L::Strict, &[(CheckType::Integrity, Enforce)]),
            Err(LevelProblem::IntegrityOverridden)
        );
        for check in [
            CheckType::Authenticity,
            CheckType::AuthenticTimestamp,
            CheckType::Expiry,
        ] {
            assert_eq!(
                VerificationLevelConfig::new(L::Permissive, &[(check, Skip)]),
                Err(LevelProblem::CheckNotSkippable(check))
            );
        }
        assert_eq!(
            VerificationLevelConfig::new(L::Skip, &[(CheckType::Revocation, Log)]),
            Err(LevelProblem::OverrideOnSkip)
        );
        // An empty override list is allowed on every level, `skip` included.
        assert!(VerificationLevelConfig::new(L::Skip, &[]).is_ok());
    }

    #[test]
    fn document_form_reports_in_notation_order() {
        let entry = |c: &str, a: &str| vec![(c.to_owned(), a.to_owned())];
        let problem =
            |level: &str, o: Vec<(String, String)>| match VerificationLevelConfig::from_document(
                level, &o,
            ) {
                Err(StatementProblem::SignatureVerification(p)) => p,
                other => panic!("unexpected {other:?}"),
            };
        assert_eq!(problem("", vec![]), LevelProblem::EmptyLevel);
        assert_eq!(
            problem("STRICT", vec![]),
            LevelProblem::UnknownLevel("STRICT".into())
        );
        assert_eq!(
            problem("skip", entry("bogus", "bogus")),
            LevelProblem::OverrideOnSkip
        );
        assert_eq!(
            problem("strict", entry("bogus", "bogus")),
            LevelProblem::UnknownCheck("bogus".into())
        );
        assert_eq!(
            problem("strict", entry("integrity", "bogus")),
            LevelProblem::UnknownAction("bogus".into())
        );
        assert_eq!(
            problem("strict", entry("integrity", "log")),
            LevelProblem::IntegrityOverridden
        );
        assert!(
            VerificationLevelConfig::from_document("audit", &entry("revocation", "skip")).is_ok()
        );
    }

    #[test]
    fn verify_timestamp_defaults_to_always() {
        assert_eq!(VerifyTimestamp::default(), VerifyTimestamp::Always);
        assert_eq!(
            VerifyTimestamp::from_document(""),
            Ok(VerifyTimestamp::Always)
        );
        assert_eq!(
            VerifyTimestamp::from_document("afterCertExpiry"),
            Ok(VerifyTimestamp::AfterCertExpiry)
        );
        assert!(VerifyTimestamp::from_document("AfterCertExpiry").is_err());
    }
}
