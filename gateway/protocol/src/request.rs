//! Decoding the `callData` of an `OffchainLookup`: `resolve(bytes name, bytes data)`
//! whose `data` is one record call or a `multicall` of record calls.

use super::{
    abi::{IResolverService, RecordCalls},
    dns::{dns_decode, namehash},
};
use crate::{CalldataError, ProtocolError, Result};
use alloy_primitives::{B256, U256};
use alloy_sol_types::SolCall;

/// SLIP-44 coin type of Ether (ENSIP-9); `addr(bytes32)` answers this one.
pub const COIN_TYPE_ETH: u64 = 60;
/// ENSIP-19 coin type of the default EVM address, used for any EVM chain that
/// has no address of its own.
pub const COIN_TYPE_DEFAULT_EVM: u64 = 0x8000_0000;
/// Whether `coin_type` names an EVM chain whose address falls back to the
/// ENSIP-19 default EVM address ([`COIN_TYPE_DEFAULT_EVM`]) when it has none of
/// its own: Ether (60) and ENSIP-11 `0x80000000 | chainId` (below 2^32). The
/// default coin type itself is not included: it has nothing to fall back to.
///
/// # Examples
/// ```
/// use dm3_protocol::is_evm_coin_type;
/// assert!(is_evm_coin_type(60) && is_evm_coin_type(0x8000_000a)); // Ether, Optimism
/// assert!(!is_evm_coin_type(0) && !is_evm_coin_type(0x8000_0000)); // Bitcoin, the default itself
/// ```
pub const fn is_evm_coin_type(coin_type: u64) -> bool {
    coin_type == COIN_TYPE_ETH
        || (coin_type & COIN_TYPE_DEFAULT_EVM != 0 && coin_type >> 32 == 0 && coin_type != COIN_TYPE_DEFAULT_EVM)
}

/// Most record calls one `multicall` may carry.
pub const MAX_MULTICALL_CALLS: usize = 32;

/// One record a client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordQuery {
    /// `addr(bytes32)`: the Ether address (EIP-137).
    Addr,
    /// `addr(bytes32,uint256)`: the address for a coin type (ENSIP-9/11).
    AddrCoin(U256),
    /// `text(bytes32,string)`: a text record (EIP-634).
    Text(String),
    /// `contenthash(bytes32)` (EIP-1577).
    Contenthash,
}

/// A decoded, checked `resolve(name, data)` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveRequest {
    /// The decoded dotted name, exactly as the client encoded it (not normalized).
    pub name: String,
    /// `namehash(name)`; every inner call was checked to carry this node.
    pub node: B256,
    /// The records asked for, in order.
    pub queries: Vec<RecordQuery>,
    /// Whether the inner call was a `multicall`, so that the answer is `bytes[]`.
    pub multicall: bool,
}

/// Decodes and checks the calldata of an `OffchainLookup` for this gateway.
///
/// Strict: the outer call must be `resolve(bytes,bytes)` with canonical ABI
/// encoding, the name a valid DNS wire-format name, each inner call a supported
/// record function whose `node` equals `namehash(name)`; a `multicall` holds
/// 1..=[`MAX_MULTICALL_CALLS`] record calls and no nested `multicall`. Never panics.
pub fn decode_request(calldata: &[u8]) -> Result<ResolveRequest> {
    let call = decode_canonical::<IResolverService::resolveCall>(calldata, "resolve(bytes,bytes)")?;
    decode_resolve(&call.name, &call.data)
}

/// Decodes and checks the `name` and `data` arguments of a resolve call (see
/// [`decode_request`] for the rules).
pub(super) fn decode_resolve(name: &[u8], data: &[u8]) -> Result<ResolveRequest> {
    let name = dns_decode(name)?;
    let node = namehash(&name);

    if data.starts_with(&RecordCalls::multicallCall::SELECTOR) {
        let inner = decode_canonical::<RecordCalls::multicallCall>(data, "multicall(bytes[])")?;
        if inner.data.is_empty() {
            return Err(CalldataError::EmptyMulticall.into());
        }
        if inner.data.len() > MAX_MULTICALL_CALLS {
            return Err(ProtocolError::MulticallTooLarge { calls: inner.data.len(), max: MAX_MULTICALL_CALLS });
        }
        let queries = inner
            .data
            .iter()
            .map(|call| {
                if call.starts_with(&RecordCalls::multicallCall::SELECTOR) {
                    return Err(ProtocolError::NestedMulticall);
                }
                decode_record_call(call, node)
            })
            .collect::<Result<_>>()?;
        return Ok(ResolveRequest { name, node, queries, multicall: true });
    }
    let query = decode_record_call(data, node)?;
    Ok(ResolveRequest { name, node, queries: vec![query], multicall: false })
}

/// Decodes one record call and checks that it asks about `expected_node`.
fn decode_record_call(data: &[u8], expected_node: B256) -> Result<RecordQuery> {
    let selector: [u8; 4] = data.get(..4).and_then(|s| s.try_into().ok()).ok_or(CalldataError::ShortRecordCall)?;
    let (node, query) = match selector {
        RecordCalls::addr_0Call::SELECTOR => {
            let c = decode_canonical::<RecordCalls::addr_0Call>(data, "addr(bytes32)")?;
            (c.node, RecordQuery::Addr)
        }
        RecordCalls::addr_1Call::SELECTOR => {
            let c = decode_canonical::<RecordCalls::addr_1Call>(data, "addr(bytes32,uint256)")?;
            (c.node, RecordQuery::AddrCoin(c.coinType))
        }
        RecordCalls::textCall::SELECTOR => {
            let c = decode_canonical::<RecordCalls::textCall>(data, "text(bytes32,string)")?;
            (c.node, RecordQuery::Text(c.key))
        }
        RecordCalls::contenthashCall::SELECTOR => {
            let c = decode_canonical::<RecordCalls::contenthashCall>(data, "contenthash(bytes32)")?;
            (c.node, RecordQuery::Contenthash)
        }
        other => return Err(ProtocolError::UnsupportedFunction(other)),
    };
    if node != expected_node {
        return Err(ProtocolError::NodeMismatch { expected: expected_node, found: node });
    }
    Ok(query)
}

/// Decodes `data` as call `C` and accepts it only if it is the canonical
/// encoding (re-encoding gives the same bytes): no trailing bytes, no
/// truncated or dirty padding, no aliased offsets.
pub(super) fn decode_canonical<C: SolCall>(data: &[u8], signature: &'static str) -> Result<C> {
    let call = C::abi_decode_validate(data).map_err(|source| CalldataError::Undecodable { signature, source })?;
    if call.abi_encode() != data {
        return Err(CalldataError::NotCanonical { signature }.into());
    }
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns_encode;
    use alloy_primitives::Bytes;

    fn resolve(name: &str, data: Vec<u8>) -> Vec<u8> {
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: data.into() }.abi_encode()
    }

    fn text(node: B256, key: &str) -> Vec<u8> {
        RecordCalls::textCall { node, key: key.into() }.abi_encode()
    }

    #[test]
    fn decodes_the_reference_request() {
        let node = namehash("alice.dm3.eth");
        let calldata = resolve("alice.dm3.eth", text(node, "network.dm3.profile"));
        assert_eq!(
            alloy_primitives::keccak256(&calldata).to_string(),
            "0x305feddfedd03dfed7a82d50a3b7b232e47bcfc05d76b4fc062fd1bf647ea319"
        );
        let req = decode_request(&calldata).unwrap();
        assert_eq!(req.name, "alice.dm3.eth");
        assert_eq!(req.queries, vec![RecordQuery::Text("network.dm3.profile".into())]);
        assert!(!req.multicall);
    }

    #[test]
    fn decodes_every_record_function_and_multicall() {
        let node = namehash("bob.dm3.eth");
        let calls = vec![
            Bytes::from(RecordCalls::addr_0Call { node }.abi_encode()),
            Bytes::from(RecordCalls::addr_1Call { node, coinType: U256::from(0x8000_0000u64) }.abi_encode()),
            Bytes::from(text(node, "avatar")),
            Bytes::from(RecordCalls::contenthashCall { node }.abi_encode()),
        ];
        let calldata = resolve("bob.dm3.eth", RecordCalls::multicallCall { data: calls }.abi_encode());
        let req = decode_request(&calldata).unwrap();
        assert!(req.multicall);
        assert_eq!(
            req.queries,
            vec![
                RecordQuery::Addr,
                RecordQuery::AddrCoin(U256::from(0x8000_0000u64)),
                RecordQuery::Text("avatar".into()),
                RecordQuery::Contenthash
            ]
        );
    }

    #[test]
    fn rejects_bad_requests() {
        let node = namehash("alice.dm3.eth");
        let good = resolve("alice.dm3.eth", text(node, "k"));
        let nested =
            RecordCalls::multicallCall { data: vec![RecordCalls::multicallCall { data: vec![] }.abi_encode().into()] }
                .abi_encode();
        let too_many =
            RecordCalls::multicallCall { data: vec![text(node, "k").into(); MAX_MULTICALL_CALLS + 1] }.abi_encode();
        let mut trailing = good.clone();
        trailing.extend([0u8; 32]);
        let mut dirty_padding = good.clone();
        *dirty_padding.last_mut().unwrap() = 1;
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("wrong selector", [&[0xde, 0xad, 0xbe, 0xef][..], &good[4..]].concat()),
            ("truncated", good[..good.len() - 1].to_vec()),
            ("trailing word", trailing),
            ("dirty padding", dirty_padding),
            ("wrong node", resolve("alice.dm3.eth", text(namehash("bob.dm3.eth"), "k"))),
            ("unsupported inner", resolve("alice.dm3.eth", vec![1, 2, 3, 4, 5])),
            ("short inner", resolve("alice.dm3.eth", vec![1, 2])),
            ("nested multicall", resolve("alice.dm3.eth", nested)),
            ("fan-out", resolve("alice.dm3.eth", too_many)),
            ("empty multicall", resolve("alice.dm3.eth", RecordCalls::multicallCall { data: vec![] }.abi_encode())),
        ];
        for (what, calldata) in cases {
            assert!(decode_request(&calldata).is_err(), "{what} was accepted");
        }
    }

    #[test]
    fn rejects_bad_dns_names_inside_valid_abi() {
        let calldata = IResolverService::resolveCall {
            name: Bytes::from_static(b"\x05alice\x00junk"),
            data: text(namehash("alice"), "k").into(),
        }
        .abi_encode();
        assert!(matches!(decode_request(&calldata), Err(ProtocolError::InvalidName(_))));
    }
}
