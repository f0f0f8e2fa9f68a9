//! Why a request was refused by the protocol layer.

use crate::DnsNameError;
use alloy_primitives::B256;

/// Why calldata is not a well-formed call of the expected function.
#[derive(Debug, thiserror::Error)]
pub enum CalldataError {
    /// The bytes do not decode as the expected call.
    #[error("expected {signature}: {source}")]
    Undecodable {
        /// The function expected, e.g. `resolve(bytes,bytes)`.
        signature: &'static str,
        /// The ABI decoder's reason.
        #[source]
        source: alloy_sol_types::Error,
    },
    /// The call decodes, but re-encoding it gives other bytes (trailing bytes,
    /// dirty padding, aliased offsets).
    #[error("{signature} is not canonically ABI-encoded")]
    NotCanonical {
        /// The function expected.
        signature: &'static str,
    },
    /// A `multicall` with no calls.
    #[error("empty multicall")]
    EmptyMulticall,
    /// A record call shorter than its 4-byte selector.
    #[error("record call shorter than a selector")]
    ShortRecordCall,
}

/// Why the protocol layer refused a request. Every variant is the client's
/// doing: a gateway answers each with a 4xx.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    /// The calldata is not a well-formed `resolve` (or `resolveWithContext`) call.
    #[error("invalid calldata: {0}")]
    InvalidCalldata(#[from] CalldataError),
    /// The DNS wire-format name inside the request is malformed.
    #[error("invalid DNS-encoded name: {0}")]
    InvalidName(#[from] DnsNameError),
    /// An inner record call asks about another node than `namehash(name)`.
    #[error("node {found} of the record call does not match namehash of the name ({expected})")]
    NodeMismatch {
        /// `namehash(name)` of the decoded name.
        expected: B256,
        /// The node the record call carried.
        found: B256,
    },
    /// The inner call is not a record function this gateway answers.
    #[error("unsupported resolver function 0x{}", alloy_primitives::hex::encode(.0))]
    UnsupportedFunction([u8; 4]),
    /// A `multicall` carries more record calls than allowed.
    #[error("multicall has {calls} calls, at most {max} are allowed")]
    MulticallTooLarge {
        /// Calls in the request.
        calls: usize,
        /// The limit.
        max: usize,
    },
    /// A `multicall` nested inside a `multicall`.
    #[error("nested multicall is not supported")]
    NestedMulticall,
}
