//! The gateway's clients, used by the CLI and the tests — two jobs, one module each:
//! - [`chain`]: resolving names the way a wallet does (ENS registry →
//!   ENSIP-10 → EIP-3668 CCIP-read through alloy → `resolveWithProof`);
//! - [`names_api`]: the names API over HTTP (fetch the EIP-712 domain and
//!   nonce, sign a change with a local key, send it).

pub mod chain;
pub mod names_api;

pub use chain::{FoundResolver, NameResolver};
pub use names_api::{prepare, NamesClient, PreparedWrite, Request};

use crate::profile::ProfileError;
use alloy::transports::TransportError;

/// Result with [`ClientError`].
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

/// Why a client call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The chain's JSON-RPC endpoint failed (transport, or a reverted call).
    #[error("rpc: {0}")]
    Rpc(#[from] TransportError),
    /// A contract call failed (transport, revert, or an undecodable return).
    #[error("contract call: {0}")]
    Contract(#[from] alloy::contract::Error),
    /// A CCIP-read call failed (the call, a gateway, or the callback's verification).
    #[error("ccip-read: {0}")]
    CcipRead(#[from] alloy::providers::CcipReadError),
    /// No resolver is set for the name or any of its parents.
    #[error("no resolver for {0:?}")]
    NoResolver(String),
    /// The name cannot be DNS-encoded.
    #[error("invalid name: {0}")]
    InvalidName(#[from] dm3_protocol::DnsNameError),
    /// A resolver's answer could not be decoded.
    #[error("undecodable resolver answer: {0}")]
    BadAnswer(#[source] alloy::sol_types::Error),
    /// The name's dm3 profile is malformed or not signed by its `addr`.
    #[error("invalid dm3 profile: {0}")]
    InvalidProfile(#[from] ProfileError),
    /// The gateway could not be reached, or its answer was not JSON.
    #[error("gateway: {0}")]
    Http(#[from] reqwest::Error),
    /// The gateway's JSON lacks a field this client needs.
    #[error("unexpected answer from the gateway: {0}")]
    UnexpectedAnswer(&'static str),
    /// The names API answered with an error.
    #[error("gateway answered {status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The error code, e.g. `name_taken`.
        code: String,
        /// The message.
        message: String,
    },
    /// Signing the write with the local key failed.
    #[error("signing failed: {0}")]
    Sign(#[from] alloy::signers::Error),
}
