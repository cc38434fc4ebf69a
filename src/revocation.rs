//! TODO: revocation
