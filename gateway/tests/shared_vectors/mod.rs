//! The shared signature vectors (`tests/vectors/signatures.json`, generated with
//! ethers v6 and also checked by the Solidity verifier's tests), loaded once for
//! every test file that checks them.

use alloy::primitives::{Address, Bytes, B256};
use serde::Deserialize;

/// One signed answer. Each test file reads its own subset of the fields.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub(crate) struct Vector {
    pub(crate) name: String,
    pub(crate) private_key: String,
    pub(crate) signer: Address,
    pub(crate) target: Address,
    pub(crate) expires: u64,
    pub(crate) request: Bytes,
    pub(crate) result: Bytes,
    pub(crate) digest: B256,
    pub(crate) signature: Bytes,
}

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

/// Every vector in the file (at least five).
pub(crate) fn load() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/signatures.json");
    let vectors: Vectors = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(vectors.vectors.len() >= 5);
    vectors.vectors
}
