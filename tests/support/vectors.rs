//! For the conformance harnesses: where the notation vectors live, the cases, and the reviewed
//! exceptions file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// The notation vectors vendored in the repository (tests/vectors/notation/README.md).
pub fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/notation")
}

/// Reads a file or fails the test with its path.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every case of `cases.json`.
pub fn load_cases(dir: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_slice(&read(&dir.join("cases.json"))).expect("cases.json");
    v.as_array().expect("cases.json is an array").clone()
}

/// The reviewed exceptions: case id → reason (`tests/exceptions.json`).
pub fn exceptions() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exceptions.json");
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).expect("tests/exceptions.json is an object of strings")
        }
        Err(_) => BTreeMap::new(),
    }
}
