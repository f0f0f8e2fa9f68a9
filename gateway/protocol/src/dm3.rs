//! dm3's own CCIP-read scheme (dm3-org/Ccip-Resolver, npm `ccip-resolver@0.2.8`):
//! `ERC3668Resolver` sends `resolveWithContext(bytes name, bytes data, bytes context)`
//! and its `SignatureCcipVerifier` checks an EIP-191-prefixed signature and
//! decodes the result per record function.

use super::{
    abi::RecordCalls,
    answer::signature_digest,
    request::{decode_canonical, decode_resolve},
    RecordQuery, ResolveRequest,
};
use crate::{ProtocolError, Result};
use alloy_primitives::{eip191_hash_message, Address, Bytes, B256};
use alloy_sol_types::{sol, SolCall};

sol! {
    /// The callData of `ERC3668Resolver`'s `OffchainLookup` (`IResolverService`
    /// in dm3-org/Ccip-Resolver); `context` is the packed owner address.
    interface IDm3ResolverService {
        function resolveWithContext(bytes name, bytes data, bytes context) external view returns (bytes result, uint64 expires, bytes sig);
    }
}

/// Which answer scheme a resolver contract verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// ENS's offchain resolver (this repository's `OffchainResolver`): callData
    /// `resolve(bytes,bytes)`, digest signed as is, result the ABI return value.
    Ens,
    /// dm3's `ERC3668Resolver` + `SignatureCcipVerifier` (see [`dm3_result`] and
    /// [`dm3_signature_digest`]).
    Dm3,
}

/// Decodes the callData of a dm3 `ERC3668Resolver` lookup,
/// `resolveWithContext(bytes name, bytes data, bytes context)`, as strictly as
/// [`super::decode_request`] decodes `resolve`. `context` (the name owner,
/// packed) is not used for the answer but is part of the signed request.
/// `multicall` is refused: `SignatureCcipVerifier` decodes every non-`addr`
/// result as one `bytes`, which a `bytes[]` answer is not.
pub fn decode_dm3_request(calldata: &[u8]) -> Result<ResolveRequest> {
    let call = decode_canonical::<IDm3ResolverService::resolveWithContextCall>(
        calldata,
        "resolveWithContext(bytes,bytes,bytes)",
    )?;
    if call.data.starts_with(&RecordCalls::multicallCall::SELECTOR) {
        return Err(ProtocolError::UnsupportedFunction(RecordCalls::multicallCall::SELECTOR));
    }
    decode_resolve(&call.name, &call.data)
}

/// The result `SignatureCcipVerifier` expects for `query`, from the ABI return
/// value `abi_answer` the ENS scheme signs: for `addr(bytes32)` the 20 raw
/// address bytes (`resolveWithAddress` reads `address(bytes20(result))`); for
/// every other record the ABI value itself, which `resolveWithProof` decodes as
/// one `bytes` — the same encoding as the `string` or `bytes` these records return.
pub fn dm3_result(query: &RecordQuery, abi_answer: Bytes) -> Bytes {
    match query {
        RecordQuery::Addr if abi_answer.len() == 32 => Bytes::copy_from_slice(&abi_answer[12..]),
        _ => abi_answer,
    }
}

/// The digest dm3's gateway signs and `SignatureVerifier.verify` recovers:
/// the ENS digest [`signature_digest`] (`keccak256(0x1900 ‖ resolver ‖ expires
/// ‖ keccak256(request) ‖ keccak256(result))`) wrapped as an EIP-191 personal
/// message (`toEthSignedMessageHash`), i.e. what `signMessage(digest)` signs.
///
/// # Examples
///
/// ```
/// use dm3_protocol::{dm3_signature_digest, signature_digest};
/// use alloy_primitives::{address, eip191_hash_message};
/// let resolver = address!("1111111111111111111111111111111111111111");
/// let ens = signature_digest(resolver, 1, b"req", b"res");
/// assert_eq!(dm3_signature_digest(resolver, 1, b"req", b"res"), eip191_hash_message(ens));
/// ```
pub fn dm3_signature_digest(target: Address, expires: u64, request: &[u8], result: &[u8]) -> B256 {
    eip191_hash_message(signature_digest(target, expires, request, result))
}

/// The digest to sign for `scheme`.
pub fn digest_for(scheme: Scheme, target: Address, expires: u64, request: &[u8], result: &[u8]) -> B256 {
    match scheme {
        Scheme::Ens => signature_digest(target, expires, request, result),
        Scheme::Dm3 => dm3_signature_digest(target, expires, request, result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{dns_encode, namehash, IResolverService};
    use alloy_primitives::{address, keccak256};
    use alloy_sol_types::SolValue;

    fn dm3_call(name: &str, data: Vec<u8>, context: &[u8]) -> Vec<u8> {
        IDm3ResolverService::resolveWithContextCall {
            name: dns_encode(name).unwrap().into(),
            data: data.into(),
            context: Bytes::copy_from_slice(context),
        }
        .abi_encode()
    }

    #[test]
    fn selector_is_resolve_with_context() {
        assert_eq!(
            IDm3ResolverService::resolveWithContextCall::SELECTOR,
            keccak256("resolveWithContext(bytes,bytes,bytes)")[..4]
        );
    }

    #[test]
    fn decodes_dm3_requests_strictly() {
        let node = namehash("alice.dm3.eth");
        let text = RecordCalls::textCall { node, key: "network.dm3.profile".into() }.abi_encode();
        let owner = [0x11; 20];
        let request = decode_dm3_request(&dm3_call("alice.dm3.eth", text.clone(), &owner)).unwrap();
        assert_eq!(request.name, "alice.dm3.eth");
        assert_eq!(request.queries, [RecordQuery::Text("network.dm3.profile".into())]);
        let addr = RecordCalls::addr_0Call { node }.abi_encode();
        assert_eq!(decode_dm3_request(&dm3_call("alice.dm3.eth", addr, &owner)).unwrap().queries, [RecordQuery::Addr]);

        let mut trailing = dm3_call("alice.dm3.eth", text.clone(), &owner);
        trailing.push(0);
        let other_node = RecordCalls::textCall { node: namehash("bob.dm3.eth"), key: "x".into() }.abi_encode();
        let multicall = RecordCalls::multicallCall { data: vec![text.clone().into()] }.abi_encode();
        let ens_form =
            IResolverService::resolveCall { name: dns_encode("alice.dm3.eth").unwrap().into(), data: text.into() }
                .abi_encode();
        let cases = [
            (trailing, "invalid_calldata"),
            (dm3_call("alice.dm3.eth", other_node, &owner), "node_mismatch"),
            (dm3_call("alice.dm3.eth", multicall, &owner), "unsupported_function"),
            (ens_form, "invalid_calldata"),
            (vec![1, 2, 3], "invalid_calldata"),
        ];
        for (calldata, code) in cases {
            let error = decode_dm3_request(&calldata).unwrap_err();
            let found = match error {
                ProtocolError::InvalidCalldata(_) => "invalid_calldata",
                ProtocolError::NodeMismatch { .. } => "node_mismatch",
                ProtocolError::UnsupportedFunction(_) => "unsupported_function",
                other => panic!("unexpected refusal {other:?}"),
            };
            assert_eq!(found, code);
        }
    }

    /// The fuzz seeds were encoded independently with ethers v6.
    #[test]
    fn decodes_the_fuzz_seeds_made_with_ethers() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/dm3_calldata");
        let mut decoded = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let calldata = std::fs::read(entry.unwrap().path()).unwrap();
            let request = decode_dm3_request(&calldata).unwrap();
            assert!(request.name.ends_with(".dm3.eth"), "{request:?}");
            decoded += 1;
        }
        assert!(decoded >= 2);
    }

    #[test]
    fn results_are_what_the_signature_verifier_decodes() {
        let owner = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
        let raw = dm3_result(&RecordQuery::Addr, owner.abi_encode().into());
        assert_eq!(raw.as_ref(), owner.as_slice());
        // resolveWithProof: abi.decode(result, (bytes)) must give the record's value.
        let text = "data:application/json,{}".to_string().abi_encode();
        let result = dm3_result(&RecordQuery::Text("x".into()), text.clone().into());
        assert_eq!(Bytes::abi_decode(&result).unwrap().as_ref(), b"data:application/json,{}");
        assert_eq!(result.as_ref(), text.as_slice());
    }

    #[test]
    fn digest_is_the_personal_message_of_the_ens_digest() {
        let resolver = address!("1111111111111111111111111111111111111111");
        let ens = signature_digest(resolver, 7, b"request", b"result");
        let mut prefixed = b"\x19Ethereum Signed Message:\n32".to_vec();
        prefixed.extend_from_slice(ens.as_slice());
        assert_eq!(dm3_signature_digest(resolver, 7, b"request", b"result"), keccak256(prefixed));
        assert_eq!(digest_for(Scheme::Ens, resolver, 7, b"request", b"result"), ens);
        assert_ne!(
            dm3_signature_digest(resolver, 8, b"request", b"result"),
            dm3_signature_digest(resolver, 7, b"request", b"result")
        );
    }
}
