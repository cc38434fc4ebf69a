//! TODO: payload
