//! The wire protocol of the dm3 names gateway, without I/O: ENSIP-10 /
//! EIP-3668 request decoding, DNS wire-format names and namehash,
//! record-answer encoding, the signed-answer digests (ENS's scheme and dm3's),
//! and the dm3 text-record keys.
//!
//! Everything here is a pure function over bytes, so that it can be tested
//! table-driven and fuzzed; the crate depends on `alloy-primitives`,
//! `alloy-sol-types` and `thiserror` only. Every refusal is a
//! [`ProtocolError`] (a DNS name's is a [`DnsNameError`] inside it).
//!
//! Where to start reading: [`decode_request`] (what a lookup asks),
//! [`signature_digest`] (what the gateway signs), [`encode_response`] (what it
//! answers).
//!
//! # Examples
//!
//! ```
//! use dm3_protocol::{decode_request, dns_encode, namehash, IResolverService, RecordCalls, RecordQuery};
//! use alloy_sol_types::SolCall;
//! let node = namehash("alice.dm3.eth");
//! let calldata = IResolverService::resolveCall {
//!     name: dns_encode("alice.dm3.eth").unwrap().into(),
//!     data: RecordCalls::textCall { node, key: "eth.dm3.profile".into() }.abi_encode().into(),
//! }
//! .abi_encode();
//! let request = decode_request(&calldata).unwrap();
//! assert_eq!(request.queries, [RecordQuery::Text("eth.dm3.profile".into())]);
//! ```

mod abi;
mod answer;
mod dm3;
mod dns;
mod error;
mod request;
pub mod text_keys;

pub use abi::{IResolverService, RecordCalls};
pub use answer::{encode_response, signature_digest, SignedAnswer};
pub use dm3::{decode_dm3_request, digest_for, dm3_result, dm3_signature_digest, IDm3ResolverService, Scheme};
pub use dns::{dns_decode, dns_encode, namehash, DnsNameError};
pub use error::{CalldataError, ProtocolError};
pub use request::{
    decode_request, is_evm_coin_type, RecordQuery, ResolveRequest, COIN_TYPE_DEFAULT_EVM, COIN_TYPE_ETH,
    MAX_MULTICALL_CALLS,
};

/// Result with the protocol's [`ProtocolError`].
pub type Result<T, E = ProtocolError> = std::result::Result<T, E>;
