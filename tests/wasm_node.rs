//! wasm-bindgen-test cases run in Node (`make test-wasm`).
#![cfg(target_arch = "wasm32")]

include!("wasm/cases.rs");
