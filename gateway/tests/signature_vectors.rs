//! The shared signature vectors (`tests/vectors/signatures.json`, generated
//! with ethers v6 and also checked by the Solidity verifier's tests) against
//! the Rust digest and signer.

use alloy::primitives::{Address, Bytes, B256};
use dm3_gateway::{protocol::signature_digest, signer::AnswerSigner};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    name: String,
    private_key: String,
    signer: Address,
    target: Address,
    expires: u64,
    request: Bytes,
    result: Bytes,
    digest: B256,
    signature: Bytes,
}

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[test]
fn rust_signer_reproduces_every_shared_vector() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/signatures.json");
    let vectors: Vectors = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(vectors.vectors.len() >= 5);
    for v in vectors.vectors {
        let digest = signature_digest(v.target, v.expires, &v.request, &v.result);
        assert_eq!(digest, v.digest, "{}: digest", v.name);
        let signer = AnswerSigner::from_hex(&v.private_key).unwrap();
        assert_eq!(signer.address(), v.signer, "{}: signer", v.name);
        let answer = signer.sign_answer(v.target, &v.request, v.result.clone(), v.expires).unwrap();
        // RFC 6979 makes signing deterministic: byte-for-byte the same as ethers.
        assert_eq!(answer.signature.as_slice(), v.signature.as_ref(), "{}: signature", v.name);
    }
}
