//! TODO: sign
