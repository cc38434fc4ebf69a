//! The individual checks: integrity, authenticity, and the authentic timestamp with its
//! RFC 3161 countersignature (trust-store-trust-policy.md §Signature Verification).

use std::sync::Arc;

use super::{Inputs, VerifyError};
use crate::envelope::{SigningScheme, UnverifiedEnvelope, VerifiedEnvelope};
use crate::error::{CertValidity, CertValidityFailure, TimestampFailure};
use crate::policy::{TrustPolicyStatement, TrustStoreType, VerifyTimestamp};
use crate::revocation::RevocationChecker;
use crate::time::Instant;
use crate::timestamp::{self, SignedToken, TimestampError};
use crate::truststore::TrustStore;
use crate::x509::{self, CertError, Certificate};

/// trust-store-trust-policy.md §Signature Verification step "Validate Integrity": parse, verify the
/// signature with the leaf key and the algorithm it dictates, then apply the certificate rules of
/// signature-specification.md §Certificate Requirements to the chain.
pub(super) fn integrity(
    req: &Inputs<'_>,
) -> Result<(VerifiedEnvelope, Vec<Certificate>), VerifyError> {
    let envelope =
        UnverifiedEnvelope::parse(req.media_type, req.envelope).map_err(VerifyError::Envelope)?;
    if envelope.cert_chain().len() > x509::MAX_CHAIN_LEN {
        return Err(VerifyError::Certificate(CertError::ChainTooLong {
            len: envelope.cert_chain().len(),
        }));
    }
    let chain = envelope
        .cert_chain()
        .iter()
        .map(|der| Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(VerifyError::Certificate)?;
    let verified = envelope.verify_integrity().map_err(VerifyError::Envelope)?;
    x509::validate_code_signing_chain(&chain, None).map_err(VerifyError::Certificate)?;
    Ok((verified, chain))
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authenticity": some chain
/// certificate is byte-identical to a certificate in one of the policy's stores of the scheme's
/// type (no path building, docs/conformance.md §D5), then the leaf subject matches a trusted
/// identity.
pub(super) fn authenticity(
    statement: &TrustPolicyStatement,
    store: &TrustStore,
    scheme: SigningScheme,
    chain: &[Certificate],
) -> Result<(), VerifyError> {
    let wanted = match scheme {
        SigningScheme::X509 => TrustStoreType::Ca,
        SigningScheme::X509SigningAuthority => TrustStoreType::SigningAuthority,
    };
    let mut trusted: Vec<&Certificate> = Vec::new();
    for r in statement
        .trust_stores
        .iter()
        .filter(|r| r.store_type == wanted)
    {
        let certs = store
            .certificates(r.store_type.as_str(), &r.name)
            .map_err(|e| VerifyError::Untrusted(e.to_string()))?;
        trusted.extend(certs.iter());
    }
    if trusted.is_empty() {
        return Err(VerifyError::Untrusted(
            "no trusted certificates are found to verify authenticity".into(),
        ));
    }
    let anchored = chain
        .iter()
        .any(|c| trusted.iter().any(|t| t.der() == c.der()));
    if !anchored {
        return Err(VerifyError::Untrusted(
            "the signature's certificate chain does not contain any trusted certificate".into(),
        ));
    }
    let leaf = chain
        .first()
        .ok_or_else(|| VerifyError::Untrusted("the signature carries no certificate".into()))?;
    let subject = leaf.subject_rfc4514();
    statement
        .check_identity(&subject)
        .map_err(|reason| VerifyError::UntrustedIdentity { subject, reason })?;
    Ok(())
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp" (the
/// authenticTimestamp check on its own): which time the signing `chain` must be valid at — the
/// authentic signing time (`notary.x509.signingAuthority`), the range of a verified RFC 3161
/// countersignature (when the policy asks for one, trust-store-trust-policy.md §Signature
/// Verification step "Validate Authentic Timestamp"), or `now`. TSA roots come from the statement's
/// `tsa:` stores in `store`; the TSA chain's revocation is checked through `checker`.
pub fn authentic_timestamp(
    statement: &TrustPolicyStatement,
    envelope: &UnverifiedEnvelope,
    chain: &[Certificate],
    store: &TrustStore,
    checker: &dyn RevocationChecker,
    now: Instant,
) -> Result<(), VerifyError> {
    let attrs = envelope.signed_attributes();
    if attrs.signing_scheme == SigningScheme::X509SigningAuthority {
        let at = attrs.authentic_signing_time.ok_or(VerifyError::Timestamp(
            TimestampFailure::MissingAuthenticSigningTime,
        ))?;
        for (index, cert) in chain.iter().enumerate() {
            if !cert.is_valid_at(at) {
                return Err(not_valid(index, cert, at, CertValidity::AtSigningTime));
            }
        }
        return Ok(());
    }
    let has_tsa_store = statement
        .trust_stores
        .iter()
        .any(|r| r.store_type == TrustStoreType::Tsa);
    let perform = has_tsa_store
        && match statement.verify_timestamp {
            VerifyTimestamp::Always => true,
            VerifyTimestamp::AfterCertExpiry => chain.iter().any(|c| c.not_after() < now),
        };
    if perform {
        let Some(token) = envelope.timestamp_token() else {
            return Err(VerifyError::Timestamp(TimestampFailure::NoCountersignature));
        };
        return verify_countersignature(
            statement,
            store,
            token,
            envelope.signature(),
            chain,
            checker,
        );
    }
    // Without a verified timestamp every chain certificate must be valid now
    // (trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp"; the
    // unsigned signing time is never used, docs/conformance.md §D6).
    for (index, cert) in chain.iter().enumerate() {
        if now < cert.not_before() {
            return Err(not_valid(index, cert, now, CertValidity::NotYetValid));
        }
        if now > cert.not_after() {
            return Err(not_valid(index, cert, now, CertValidity::Expired));
        }
    }
    Ok(())
}

fn not_valid(index: usize, cert: &Certificate, at: Instant, rule: CertValidity) -> VerifyError {
    VerifyError::CertificateNotValid(CertValidityFailure {
        index,
        subject: cert.subject_rfc4514(),
        not_before: cert.not_before(),
        not_after: cert.not_after(),
        checked_at: at,
        rule,
    })
}

/// trust-store-trust-policy.md §Signature Verification step "Validate Authentic Timestamp" for
/// `notary.x509`, in notation-go's order: parse the token, check it stamps the primitive
/// `signature`, load the `tsa:` stores, verify the token at its genTime, validate the TSA chain
/// (signature-specification.md §Certificate Requirements), bound the signing chain by the timestamp
/// range, then check the TSA chain's revocation.
fn verify_countersignature(
    statement: &TrustPolicyStatement,
    store: &TrustStore,
    token: &[u8],
    signature: &[u8],
    chain: &[Certificate],
    checker: &dyn RevocationChecker,
) -> Result<(), VerifyError> {
    let fail = |e: TimestampError| match e {
        TimestampError::RevocationUnknown {
            ref subject,
            ref detail,
        } => VerifyError::RevocationUnknown {
            subject: subject.clone(),
            detail: detail.clone(),
            message: e.notation_message(),
        },
        e => VerifyError::Timestamp(TimestampFailure::Token(Arc::new(e))),
    };
    let token = SignedToken::parse(token).map_err(fail)?;
    let ts = token
        .info()
        .and_then(|info| info.validate(signature))
        .map_err(fail)?;
    let mut roots: Vec<Certificate> = Vec::new();
    for r in statement
        .trust_stores
        .iter()
        .filter(|r| r.store_type == TrustStoreType::Tsa)
    {
        let certs = store
            .certificates(r.store_type.as_str(), &r.name)
            .map_err(|e| VerifyError::Timestamp(TimestampFailure::TrustStore(Arc::new(e))))?;
        roots.extend(certs.iter().cloned());
    }
    if roots.is_empty() {
        return Err(VerifyError::Timestamp(TimestampFailure::NoTrustedTsa));
    }
    let tsa_chain = token.verify(&roots, ts.gen_time).map_err(fail)?;
    x509::validate_timestamping_chain(&tsa_chain, None)
        .map_err(|e| fail(TimestampError::Chain(e)))?;
    for (index, cert) in chain.iter().enumerate() {
        if ts.lower < cert.not_before() {
            return Err(VerifyError::Timestamp(
                TimestampFailure::BeforeCertificateValidity {
                    index,
                    subject: cert.subject_rfc4514(),
                    not_before: cert.not_before(),
                },
            ));
        }
        if ts.upper > cert.not_after() {
            return Err(VerifyError::Timestamp(
                TimestampFailure::AfterCertificateValidity {
                    index,
                    subject: cert.subject_rfc4514(),
                    not_after: cert.not_after(),
                },
            ));
        }
    }
    timestamp::check_tsa_revocation(checker, &tsa_chain).map_err(fail)
}
