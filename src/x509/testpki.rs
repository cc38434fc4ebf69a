//! Test PKI.
