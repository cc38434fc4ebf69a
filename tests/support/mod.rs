//! The test support of the integration tests, one module for all (each `tests/*.rs` that needs
//! it declares `mod support;`):
//! - [`vectors`]: the vendored notation vectors (`tests/vectors/notation`), their cases and the
//!   reviewed exceptions (`tests/exceptions.json`);
//! - [`fixtures`]: the keys in `tests/data/keys`, a pinned `now`, registry client options,
//!   references, and a strict trust policy and store;
//! - [`envelope`]: fixture key pairs and a crafter for hand-made JWS envelopes;
//! - [`registry`]: a real `docker-registry` launcher, a std HTTP client and request recorders;
//! - [`scripted`]: the subject, answers, policy and store of the scripted-client registry tests.
// Every test binary compiles all of it and uses a part.
#![allow(dead_code)]

pub mod envelope;
pub mod fixtures;
pub mod registry;
pub mod scripted;
pub mod vectors;
