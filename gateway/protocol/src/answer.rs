//! The signed answer: the ENS offchain-resolver digest and the response encoding.

use super::abi::IResolverService;
use alloy_primitives::{keccak256, Address, Bytes, B256};
use alloy_sol_types::SolCall;

/// A record answer with its expiry and the gateway's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAnswer {
    /// ABI-encoded return value of the inner call (for example `abi.encode(string)`).
    pub result: Bytes,
    /// Unix time in seconds after which the resolver refuses the answer.
    pub expires: u64,
    /// 65-byte `r ‖ s ‖ v` signature over [`signature_digest`], `v` ∈ {27, 28}, low `s`.
    pub signature: [u8; 65],
}

/// The digest the gateway signs and `OffchainResolver.resolveWithProof` recovers:
/// `keccak256(0x1900 ‖ target ‖ uint64 expires ‖ keccak256(request) ‖ keccak256(result))`.
///
/// This is the ENS offchain-resolver scheme (EIP-191 version 0, "data with
/// intended validator"): it is signed as is, with no `personal_sign` prefix.
/// `target` (the resolver contract) is the only domain separator; no chain id is bound.
///
/// # Examples
///
/// ```
/// use dm3_protocol::signature_digest;
/// use alloy_primitives::address;
/// let d = signature_digest(address!("1111111111111111111111111111111111111111"), 1, b"req", b"res");
/// assert_eq!(d.len(), 32);
/// ```
pub fn signature_digest(target: Address, expires: u64, request: &[u8], result: &[u8]) -> B256 {
    let mut packed = [0u8; 2 + 20 + 8 + 32 + 32];
    packed[..2].copy_from_slice(&[0x19, 0x00]);
    packed[2..22].copy_from_slice(target.as_slice());
    packed[22..30].copy_from_slice(&expires.to_be_bytes());
    packed[30..62].copy_from_slice(keccak256(request).as_slice());
    packed[62..94].copy_from_slice(keccak256(result).as_slice());
    keccak256(packed)
}

/// Encodes the gateway's HTTP answer: `abi.encode(bytes result, uint64 expires, bytes sig)`.
pub fn encode_response(answer: &SignedAnswer) -> Vec<u8> {
    IResolverService::resolveCall::abi_encode_returns_tuple(&(
        answer.result.clone(),
        answer.expires,
        Bytes::copy_from_slice(&answer.signature),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;
    use alloy_sol_types::SolValue;

    #[test]
    fn digest_matches_the_reference_vector() {
        let result = "data:application/json,{\"publicEncryptionKey\":\"x\"}".to_string().abi_encode();
        let request_hash = "0x305feddfedd03dfed7a82d50a3b7b232e47bcfc05d76b4fc062fd1bf647ea319";
        // The request itself is rebuilt in request.rs tests; here check the packing with its hash.
        let node = crate::namehash("alice.dm3.eth");
        let request = crate::IResolverService::resolveCall {
            name: crate::dns_encode("alice.dm3.eth").unwrap().into(),
            data: crate::RecordCalls::textCall { node, key: "network.dm3.profile".into() }.abi_encode().into(),
        }
        .abi_encode();
        assert_eq!(keccak256(&request).to_string(), request_hash);
        let digest =
            signature_digest(address!("1111111111111111111111111111111111111111"), 1_700_000_000, &request, &result);
        assert_eq!(digest.to_string(), "0x8abd30a3d51287ac4506b8eb1d437ec80e3a618fb24b08d9ca8706be05378174");
    }

    #[test]
    fn response_decodes_as_bytes_uint64_bytes() {
        let answer = SignedAnswer { result: Bytes::from_static(b"abc"), expires: 42, signature: [7; 65] };
        let encoded = encode_response(&answer);
        let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&encoded).unwrap();
        assert_eq!((result.as_ref(), expires, sig.as_ref()), (&b"abc"[..], 42, &[7u8; 65][..]));
    }
}
