#![doc = include_str!("../README.md")]

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
