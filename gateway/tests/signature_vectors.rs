//! The shared signature vectors against the Rust digest and signer.

mod shared_vectors;

use dm3_gateway::signer::AnswerSigner;
use dm3_protocol::signature_digest;

#[test]
fn rust_signer_reproduces_every_shared_vector() {
    for v in shared_vectors::load() {
        let digest = signature_digest(v.target, v.expires, &v.request, &v.result);
        assert_eq!(digest, v.digest, "{}: digest", v.name);
        let signer = AnswerSigner::from_hex(&v.private_key).unwrap();
        assert_eq!(signer.address(), v.signer, "{}: signer", v.name);
        let answer = signer.sign_answer(v.target, &v.request, v.result.clone(), v.expires).unwrap();
        // RFC 6979 makes signing deterministic: byte-for-byte the same as ethers.
        assert_eq!(answer.signature.as_slice(), v.signature.as_ref(), "{}: signature", v.name);
    }
}
