//! Registry scopes and artifact references (trust-store-trust-policy.md §OCI Trust Policy
//! Constraints and §Selecting a trust policy to verify a signed OCI artifact).
//!
//! A scope is `<domain>/<repository>` exactly as the OCI distribution reference grammar spells
//! them (notation adapts the distribution regular expressions): no scheme, tag or digest, and no
//! `*` except the whole-scope wildcard. Matching is exact string equality (threat model 23:
//! `host:443/app` is not `host/app`).

use super::error::{PolicyError, ReferenceProblem};

/// The wildcard registry scope and trusted identity (trust-store-trust-policy.md §Trust Policy).
pub(crate) const WILDCARD: &str = "*";

/// Why a string is not a registry scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScopeFormatError {
    /// Not `<domain>/<repository>`.
    Invalid,
    /// Contains a `*` (and is not the wildcard itself).
    Wildcard,
}

/// Checks the format of a non-wildcard scope (notation's `validateRegistryScopeFormat`).
pub(crate) fn check_scope_format(scope: &str) -> Result<(), ScopeFormatError> {
    if scope.len() > 1 && scope.contains('*') {
        return Err(ScopeFormatError::Wildcard);
    }
    let Some((domain, repository)) = scope.split_once('/') else {
        return Err(ScopeFormatError::Invalid);
    };
    if is_domain(domain) && is_repository(repository) {
        Ok(())
    } else {
        Err(ScopeFormatError::Invalid)
    }
}

/// The error a scope format failure turns into.
pub(crate) fn scope_error(scope: &str, error: ScopeFormatError) -> PolicyError {
    PolicyError::InvalidRegistryScope {
        scope: scope.to_owned(),
        wildcard: error == ScopeFormatError::Wildcard,
    }
}

/// Splits `<domain>/<repository>@<algorithm>:<encoded>` into its repository path, the string the
/// registry scopes are compared with (trust-store-trust-policy.md §Selecting a trust policy to
/// verify a signed OCI artifact; notation's `getArtifactPathFromReference`). The digest itself is
/// only required to be present and of the `<algorithm>:<encoded>` shape; tags are refused (threat
/// model 23).
pub(crate) fn artifact_repository(reference: &str) -> Result<&str, PolicyError> {
    let invalid = |problem: ReferenceProblem| PolicyError::InvalidArtifactReference {
        reference: reference.to_owned(),
        problem,
    };
    let Some((repository, digest)) = reference.rsplit_once('@') else {
        return Err(invalid(ReferenceProblem::MissingDigest));
    };
    let digest_shaped = digest
        .split_once(':')
        .is_some_and(|(algorithm, encoded)| !algorithm.is_empty() && !encoded.is_empty());
    if !digest_shaped {
        return Err(invalid(ReferenceProblem::MissingDigest));
    }
    check_scope_format(repository).map_err(|error| {
        invalid(ReferenceProblem::InvalidRepository {
            repository: repository.to_owned(),
            wildcard: error == ScopeFormatError::Wildcard,
        })
    })?;
    Ok(repository)
}

/// `^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(same))*(?::[0-9]+)?$`: dot-separated
/// labels of letters, digits and inner hyphens, then an optional numeric port.
fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (domain, None),
    };
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty() && host.split('.').all(is_domain_label)
}

fn is_domain_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$`:
/// slash-separated path components.
fn is_repository(repository: &str) -> bool {
    repository.split('/').all(is_path_component)
}

/// Runs of lower-case letters and digits joined by `.`, `_`, `__` or one or more `-`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(&bytes[i]) {
            i += 1;
            continue;
        }
        let separator_start = i;
        while i < bytes.len() && !alnum(&bytes[i]) {
            i += 1;
        }
        let separator = &bytes[separator_start..i];
        let allowed =
            matches!(separator, b"." | b"_" | b"__") || separator.iter().all(|&b| b == b'-');
        if !allowed {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notation_valid_scopes() {
        // notation-go oci_test.go TestValidRegistryScopes (minus the wildcard, handled by callers).
        for scope in [
            "example.com/rep",
            "example.com:8080/rep/rep2",
            "example.com/rep/subrep/subsub",
            "10.10.10.10:8080/rep/rep2",
            "domain/rep",
            "domain:1234/rep",
            "local/oci-layout",
            "localhost:5000/test-repo",
            "Registry.Example-1.io/a.b_c__d---e/f",
        ] {
            assert_eq!(check_scope_format(scope), Ok(()), "{scope}");
        }
    }

    #[test]
    fn notation_invalid_scopes() {
        // notation-go oci_test.go TestInvalidRegistryScopes.
        for scope in [
            "",
            "1:1",
            "a,b",
            "abcd",
            "1111",
            "1,2",
            "example.com/rep:tag",
            "example.com/rep/subrep/sub:latest",
            "example.com",
            "rep/rep2:latest",
            "repository",
            "10.10.10.10",
            "10.10.10.10:8080/rep/rep2:latest",
            "localhost:5000\\test-repo",
        ] {
            assert_eq!(
                check_scope_format(scope),
                Err(ScopeFormatError::Invalid),
                "{scope}"
            );
        }
        for scope in ["example.com/*", "*/", "example*/", "ex*test"] {
            assert_eq!(
                check_scope_format(scope),
                Err(ScopeFormatError::Wildcard),
                "{scope}"
            );
        }
    }

    #[test]
    fn other_malformed_scopes() {
        for scope in [
            "https://example.com/repo",
            "example.com/Repo",
            "example.com/repo/",
            "example.com//repo",
            "example.com/repo@sha256:abc",
            "-example.com/repo",
            "example-.com/repo",
            "example..com/repo",
            "example.com:/repo",
            "example.com:80:80/repo",
            "[::1]:5000/repo",
            "example.com/a..b",
            "example.com/a._b",
            "example.com/a___b",
            "example.com/-a",
            "example.com/a-",
            "example.com/répo",
            "example.com/repo\n",
            " example.com/repo",
        ] {
            assert_eq!(
                check_scope_format(scope),
                Err(ScopeFormatError::Invalid),
                "{scope:?}"
            );
        }
    }

    #[test]
    fn artifact_references() {
        assert_eq!(
            artifact_repository("example.com/app@sha256:abc"),
            Ok("example.com/app")
        );
        assert_eq!(
            artifact_repository("localhost:5000/net-monitor@sha256:fe7e"),
            Ok("localhost:5000/net-monitor")
        );
        // Threat model 23a: unqualified or tag references are refused with ERR_PARSE.
        for reference in [
            "app",
            "app@sha256:abc",
            "example.com/app",
            "example.com/app:latest",
            "example.com/app:latest@sha256:abc",
            "example.com/app@",
            "example.com/app@sha256",
            "example.com/app@:abc",
            "*@sha256:abc",
            "example.com/*@sha256:abc",
            "https://example.com/app@sha256:abc",
        ] {
            let error = artifact_repository(reference).unwrap_err();
            assert_eq!(error.code(), "ERR_PARSE", "{reference}");
        }
        let error = artifact_repository("example.com/app").unwrap_err();
        assert!(error.to_string().starts_with(
            "artifact URI \"example.com/app\" could not be parsed, make sure it is the fully \
             qualified oci artifact URI"
        ));
    }
}
