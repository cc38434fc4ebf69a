//! nv2: the Notary Project signature system (Notary v2) for OCI artifacts, as a sans-IO Rust core
//! compiled to WebAssembly.
//!
//! The core takes bytes, trust material and `now` as arguments: it never fetches and never reads
//! a clock. I/O lives in the `wasm` bindings and the JavaScript layer. The formats and rules
//! implemented here are summarised in the Notary Project specification digest; every rule cites
//! its section (`spec §N`).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod blob;
pub mod crypto;
pub mod encoding;
pub mod envelope;
pub mod error;
pub mod oci;
pub mod payload;
pub mod policy;
pub mod registry;
pub mod revocation;
pub mod sign;
pub mod time;
pub mod timestamp;
pub mod truststore;
pub mod verify;
pub mod x509;

#[cfg(feature = "wasm")]
pub mod wasm;
