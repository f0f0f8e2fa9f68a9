//! The crate's one error type.

use crate::protocol::DnsNameError;
use alloy::primitives::{Address, B256};

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the gateway library.
///
/// The HTTP layer maps each variant to a status in one place
/// (`http::error`): request problems are 4xx, store and signing problems 5xx.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A hex string (sender, calldata) could not be decoded.
    #[error("invalid hex in {field}: {reason}")]
    InvalidHex {
        /// Which input was malformed.
        field: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The request body was not the JSON the endpoint expects.
    #[error("invalid JSON body: {0}")]
    InvalidJson(#[source] serde_json::Error),
    /// The calldata is not a well-formed `resolve(bytes,bytes)` call.
    #[error("invalid calldata: {0}")]
    InvalidCalldata(String),
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
    #[error("unsupported resolver function 0x{}", alloy::hex::encode(.0))]
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
    /// The resolver (origin) is not on this gateway's allow-list.
    #[error("this gateway does not sign for resolver {0}")]
    UnknownResolver(Address),
    /// The name is not a served parent nor below one.
    #[error("name {0:?} is not served by this gateway")]
    NameNotServed(String),
    /// A stored record could not be read or written.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Signing the answer failed.
    #[error("signing failed: {0}")]
    Signing(#[from] alloy::signers::Error),
    /// The signing key could not be loaded or created.
    #[error("signing key: {0}")]
    SigningKey(String),
    /// An RPC call of the client failed (transport, revert, or CCIP-read).
    #[error("rpc: {0}")]
    Rpc(String),
    /// No resolver is set for the name or any of its parents.
    #[error("no resolver for {0:?}")]
    NoResolver(String),
    /// A resolver's answer could not be decoded.
    #[error("undecodable resolver answer: {0}")]
    BadAnswer(#[source] alloy::sol_types::Error),
    /// A dm3 profile record is malformed or its signature does not verify.
    #[error("invalid dm3 profile: {0}")]
    InvalidProfile(String),
}
