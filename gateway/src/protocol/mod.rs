//! The wire protocol, without I/O: ENSIP-10 / EIP-3668 request decoding, DNS
//! wire-format names, record-answer encoding and the signed-answer digest.
//!
//! Everything here is a pure function over bytes so that it can be tested
//! table-driven and fuzzed.

mod abi;
mod answer;
mod dm3;
mod dns;
mod request;

pub use abi::{IExtendedResolver, IL2NameRegistry, IOffchainResolver, IResolverService, RecordCalls};
pub use answer::{encode_response, signature_digest, SignedAnswer};
pub use dm3::{decode_dm3_request, digest_for, dm3_result, dm3_signature_digest, IDm3ResolverService, Scheme};
pub use dns::{dns_decode, dns_encode, namehash, DnsNameError};
pub use request::{
    decode_request, is_evm_coin_type, RecordQuery, ResolveRequest, COIN_TYPE_DEFAULT_EVM, COIN_TYPE_ETH,
    MAX_MULTICALL_CALLS,
};
