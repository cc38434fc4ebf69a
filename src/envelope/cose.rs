//! The COSE_Sign1 envelope (`application/cose`, spec §4).

use super::{EnvelopeError, UnverifiedEnvelope, MEDIA_TYPE_COSE};

/// Parses a COSE_Sign1 envelope (spec §4).
pub fn parse(_bytes: &[u8]) -> Result<UnverifiedEnvelope, EnvelopeError> {
    Err(EnvelopeError::UnsupportedMediaType(MEDIA_TYPE_COSE.into()))
}
