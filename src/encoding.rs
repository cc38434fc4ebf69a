//! TODO: encoding
