//! TODO: crypto
