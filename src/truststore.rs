//! The trust store (trust-store-trust-policy.md §Trust Store): named sets of trusted certificates,
//! keyed by store type (`ca`, `signingAuthority`, `tsa`) and name, held in memory and filled by the
//! caller (sans-IO, docs/conformance.md §D13). The optional [`fs`] adapter reads notation's
//! directory layout on native hosts.
//!
//! Loading follows notation-go's rules and messages (`verifier/truststore`):
//! * the store name matches `^[a-zA-Z0-9_.-]+$`; the type is one of the three;
//! * every file is read with [`Certificate::parse_pem_or_der`] (PEM sequence, else DER);
//! * a certificate that is not a CA is accepted only when self-signed (self-signed signing
//!   certificates may be anchors);
//! * in a `tsa` store every certificate must be a self-signed root CA (Go's
//!   `CheckSignatureFrom(itself)` plus equal raw issuer and subject);
//! * a store without any certificate is an error.
//!
//! Only stores named by the applicable trust policy confer trust; that choice is the policy
//! module's. Nothing here turns envelope data into anchors (threat 6).

use core::fmt;

use crate::error::ErrorCode;
use crate::x509::{CertError, Certificate};

/// The three store types of trust-store-trust-policy.md §Trust Store.
const STORE_TYPES: [&str; 3] = ["ca", "signingAuthority", "tsa"];

/// Why a trust store could not be loaded or looked up. Display is notation-go's message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// A file in the store holds no certificate, or a non-CA certificate that is not
    /// self-signed (trust-store-trust-policy.md §Trust Store).
    CertificateInvalid {
        /// File name (or `certificate #i` for already-parsed input).
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
        /// Why (not part of notation's message, kept for diagnostics).
        reason: String,
    },
    /// A file in the store could not be parsed as certificates (trust-store-trust-policy.md §Trust
    /// Store).
    CertificateUnreadable {
        /// File name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
        /// The parse error.
        source: Box<CertError>,
    },
    /// The store holds no certificate (trust-store-trust-policy.md §Trust Store).
    Empty {
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
    },
    /// The store name does not match `^[a-zA-Z0-9_.-]+$` (trust-store-trust-policy.md §Trust
    /// Store).
    InvalidName {
        /// The name given.
        name: String,
    },
    /// The store directory could not be read (host adapter only).
    Io {
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
        /// The I/O error text.
        detail: String,
    },
    /// No store of this type and name was loaded (or the directory does not exist).
    NotFound {
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
    },
    /// The store path is a symlink or not a directory (trust-store-trust-policy.md §Trust Store;
    /// host adapter only).
    NotRegularDirectory {
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
        /// The path.
        path: String,
    },
    /// A store entry is a directory or a symlink (trust-store-trust-policy.md §Trust Store,
    /// docs/conformance.md §D13: notation-go errors where the SPEC says to ignore sub-directories;
    /// nv2 follows notation-go).
    NotRegularFile {
        /// Entry name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
    },
    /// A certificate in a `tsa` store is not a self-signed root CA (trust-store-trust-policy.md
    /// §Trust Store).
    TsaNotRootCa {
        /// File name.
        file: String,
        /// Store name.
        name: String,
        /// Store type.
        store_type: String,
        /// notation-go's inner message (part of its outer message).
        reason: String,
    },
    /// The store type is not `ca`, `signingAuthority` or `tsa` (trust-store-trust-policy.md §Trust
    /// Store).
    UnsupportedType {
        /// The type given.
        store_type: String,
    },
}

impl TrustStoreError {
    /// Stable error code: always `ERR_TRUST_STORE`.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::TrustStore
    }
}

impl fmt::Display for TrustStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TrustStoreError as E;
        match self {
            E::CertificateInvalid {
                file,
                name,
                store_type,
                ..
            } => write!(
                f,
                "failed to validate the trusted certificate {file} in trust store {name} of type \
                 {store_type}"
            ),
            E::CertificateUnreadable {
                file,
                name,
                store_type,
                ..
            } => write!(
                f,
                "failed to read the trusted certificate {file} in trust store {name} of type \
                 {store_type}"
            ),
            E::Empty { name, store_type } => write!(
                f,
                "no x509 certificates were found in trust store {name:?} of type {store_type:?}"
            ),
            E::InvalidName { name } => write!(
                f,
                "trust store name needs to follow [a-zA-Z0-9_.-]+ format, {name} is invalid"
            ),
            E::Io {
                name, store_type, ..
            } => write!(
                f,
                "failed to access the trust store {name:?} of type {store_type:?}"
            ),
            E::NotFound { name, store_type } => write!(
                f,
                "the trust store {name:?} of type {store_type:?} does not exist"
            ),
            E::NotRegularDirectory {
                name,
                store_type,
                path,
            } => write!(
                f,
                "the trust store {name} of type {store_type} with path {path} is not a regular \
                 directory (symlinks are not supported)"
            ),
            E::NotRegularFile {
                file,
                name,
                store_type,
            } => write!(
                f,
                "trusted certificate {file} in trust store {name} of type {store_type} is not a \
                 regular file (directories or symlinks are not supported)"
            ),
            E::TsaNotRootCa {
                file,
                name,
                store_type,
                reason,
            } => write!(
                f,
                "trusted certificate {file} in trust store {name} of type {store_type} is \
                 invalid: {reason}"
            ),
            E::UnsupportedType { store_type } => {
                write!(f, "unsupported trust store type: {store_type}")
            }
        }
    }
}

impl std::error::Error for TrustStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TrustStoreError::CertificateUnreadable { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// trust-store-trust-policy.md §Trust Store: named-store names match `^[a-zA-Z0-9_.-]+$`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn check_type_and_name(store_type: &str, name: &str) -> Result<(), TrustStoreError> {
    if !STORE_TYPES.contains(&store_type) {
        return Err(TrustStoreError::UnsupportedType {
            store_type: store_type.to_string(),
        });
    }
    if !is_valid_name(name) {
        return Err(TrustStoreError::InvalidName {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Go's `isRootCACertificate`: `CheckSignatureFrom(itself)` (so a CA), then equal raw names.
fn root_ca_check(cert: &Certificate) -> Result<(), String> {
    let subject = crate::x509::go_quote(&cert.subject_rfc4514());
    match cert.is_issued_by(cert) {
        Err(e) => Err(format!(
            "certificate with subject {subject} is not a root CA certificate: {e}"
        )),
        Ok(false) => Err(format!(
            "certificate with subject {subject} is not a root CA certificate: issuer ({}) and \
             subject ({}) are not the same",
            cert.issuer_rfc4514(),
            cert.subject_rfc4514()
        )),
        Ok(true) => Ok(()),
    }
}

/// In-memory trust store: `(type, name) → certificates` (trust-store-trust-policy.md §Trust Store,
/// docs/conformance.md §D13).
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    /// `((type, name), certificates)`; a handful of stores, so a list (smaller wasm than a map).
    stores: Vec<((String, String), Vec<Certificate>)>,
}

impl TrustStore {
    /// An empty trust store (no store confers trust: verification is inconclusive, threat 6).
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads the named store `store_type:name` from files `(file name, bytes)`, in the given
    /// order, with notation-go's validation (see the module docs) and messages. Replaces a store
    /// of the same type and name. Returns the number of certificates.
    pub fn add_named_store(
        &mut self,
        store_type: &str,
        name: &str,
        files: &[(String, Vec<u8>)],
    ) -> Result<usize, TrustStoreError> {
        check_type_and_name(store_type, name)?;
        let mut all = Vec::new();
        for (file, bytes) in files {
            let certs = match Certificate::parse_pem_or_der(bytes) {
                Ok(certs) => certs,
                // notation-go reads an empty file as zero certificates and then fails its
                // validation ("input certs cannot be empty").
                Err(CertError::NoCertificates) => {
                    return Err(TrustStoreError::CertificateInvalid {
                        file: file.clone(),
                        name: name.to_string(),
                        store_type: store_type.to_string(),
                        reason: "input certs cannot be empty".into(),
                    })
                }
                Err(source) => {
                    return Err(TrustStoreError::CertificateUnreadable {
                        file: file.clone(),
                        name: name.to_string(),
                        store_type: store_type.to_string(),
                        source: Box::new(source),
                    })
                }
            };
            validate_file(store_type, name, file, &certs)?;
            all.extend(certs);
        }
        self.insert(store_type, name, all)
    }

    /// Loads the named store `store_type:name` from already-parsed certificates, with the same
    /// validation as [`TrustStore::add_named_store`] (each certificate is reported as
    /// `certificate #i`). Replaces a store of the same type and name. Returns the count.
    pub fn add_certificates(
        &mut self,
        store_type: &str,
        name: &str,
        certs: Vec<Certificate>,
    ) -> Result<usize, TrustStoreError> {
        check_type_and_name(store_type, name)?;
        for (i, cert) in certs.iter().enumerate() {
            validate_file(
                store_type,
                name,
                &format!("certificate #{i}"),
                std::slice::from_ref(cert),
            )?;
        }
        self.insert(store_type, name, certs)
    }

    fn insert(
        &mut self,
        store_type: &str,
        name: &str,
        certs: Vec<Certificate>,
    ) -> Result<usize, TrustStoreError> {
        if certs.is_empty() {
            return Err(TrustStoreError::Empty {
                name: name.to_string(),
                store_type: store_type.to_string(),
            });
        }
        let n = certs.len();
        match self
            .stores
            .iter_mut()
            .find(|((t, n), _)| t == store_type && n == name)
        {
            Some((_, existing)) => *existing = certs,
            None => self
                .stores
                .push(((store_type.to_string(), name.to_string()), certs)),
        }
        Ok(n)
    }

    /// The certificates of store `store_type:name`; an unknown store is notation's
    /// "does not exist" error.
    pub fn certificates(
        &self,
        store_type: &str,
        name: &str,
    ) -> Result<&[Certificate], TrustStoreError> {
        check_type_and_name(store_type, name)?;
        self.stores
            .iter()
            .find(|((t, n), _)| t == store_type && n == name)
            .map(|(_, certs)| certs.as_slice())
            .ok_or_else(|| TrustStoreError::NotFound {
                name: name.to_string(),
                store_type: store_type.to_string(),
            })
    }
}

/// notation-go's per-file checks: `ValidateCertificates`, then the `tsa` root-CA rule.
fn validate_file(
    store_type: &str,
    name: &str,
    file: &str,
    certs: &[Certificate],
) -> Result<(), TrustStoreError> {
    for cert in certs {
        // trust-store-trust-policy.md §Trust Store: a non-CA certificate is accepted only if
        // self-signed. nv2 requires equal raw names as well as the signature (notation-go checks
        // only the signature).
        if !cert.is_ca() && !cert.is_self_signed() {
            return Err(TrustStoreError::CertificateInvalid {
                file: file.to_string(),
                name: name.to_string(),
                store_type: store_type.to_string(),
                reason: format!(
                    "certificate with subject {} is not a CA certificate or self-signed signing \
                     certificate",
                    crate::x509::go_quote(&cert.subject_rfc4514())
                ),
            });
        }
    }
    if store_type == "tsa" {
        for cert in certs {
            root_ca_check(cert).map_err(|reason| TrustStoreError::TsaNotRootCa {
                file: file.to_string(),
                name: name.to_string(),
                store_type: store_type.to_string(),
                reason,
            })?;
        }
    }
    Ok(())
}

/// Reading notation's trust-store directory layout on native hosts (not in the wasm build).
#[cfg(not(target_arch = "wasm32"))]
pub mod fs {
    use std::path::Path;

    use super::{check_type_and_name, TrustStoreError};

    /// Reads `<root>/x509/<store_type>/<name>/*` with notation-go's rules
    /// (trust-store-trust-policy.md §Trust Store): the store must be a real directory (a symlink is
    /// an error), every entry a regular file (a sub-directory or symlink is an error —
    /// notation-go's behaviour, docs/conformance.md §D13), a missing directory is the "does not
    /// exist" error. Returns `(file name, bytes)` sorted by name, for
    /// [`super::TrustStore::add_named_store`].
    pub fn load_named_store(
        root: &Path,
        store_type: &str,
        name: &str,
    ) -> Result<Vec<(String, Vec<u8>)>, TrustStoreError> {
        check_type_and_name(store_type, name)?;
        let io = |e: std::io::Error| TrustStoreError::Io {
            name: name.to_string(),
            store_type: store_type.to_string(),
            detail: e.to_string(),
        };
        let path = root.join("x509").join(store_type).join(name);
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(TrustStoreError::NotFound {
                    name: name.to_string(),
                    store_type: store_type.to_string(),
                })
            }
            Err(e) => return Err(io(e)),
        };
        if !meta.is_dir() || meta.file_type().is_symlink() {
            return Err(TrustStoreError::NotRegularDirectory {
                name: name.to_string(),
                store_type: store_type.to_string(),
                path: path.display().to_string(),
            });
        }
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let file_type = entry.file_type().map_err(io)?;
            entries.push((file_name, entry.path(), file_type));
        }
        // Go's os.ReadDir order: by file name.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut files = Vec::with_capacity(entries.len());
        for (file_name, file_path, file_type) in entries {
            if file_type.is_dir() || file_type.is_symlink() {
                return Err(TrustStoreError::NotRegularFile {
                    file: file_name,
                    name: name.to_string(),
                    store_type: store_type.to_string(),
                });
            }
            let bytes = std::fs::read(&file_path).map_err(io)?;
            files.push((file_name, bytes));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests;
