//! The WebAssembly bindings: the only module that imports wasm-bindgen / js-sys.
//!
//! Exports take plain JS objects (deserialised with serde-wasm-bindgen) and return plain objects;
//! failures are thrown as JS `Error`s whose `code` property is the stable error code, whose `name`
//! is the error class and whose `details` carries structured context.

use wasm_bindgen::prelude::*;

/// The nv2 version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
