//! The crate's one error type.

use alloy::primitives::Address;
use dm3_protocol::ProtocolError;

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
    /// A JSON request body could not be read (syntax, missing or unknown fields).
    #[error("invalid request body: {0}")]
    InvalidBody(String),
    /// The request breaks the wire protocol (calldata, DNS name, record call).
    #[error(transparent)]
    Protocol(#[from] dm3_protocol::ProtocolError),
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
    /// The signing threads are gone (the service is shutting down).
    #[error("the signing threads have stopped")]
    SigningPoolStopped,
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
    /// A name to claim is not ENSIP-15 normalized.
    #[error("name {name:?} is not normalized (ENSIP-15){}", .normalized.as_ref().map(|n| format!("; did you mean {n:?}?")).unwrap_or_default())]
    NameNotNormalized {
        /// The name as sent.
        name: String,
        /// Its normalized form.
        normalized: Option<String>,
    },
    /// A name cannot be claimed (not normalizable, not one label under a served parent).
    #[error("invalid name: {0}")]
    InvalidNameForClaim(String),
    /// The label is shorter than allowed.
    #[error("labels must have at least {min} characters")]
    NameTooShort {
        /// The minimum.
        min: usize,
    },
    /// The label is on the reserved list.
    #[error("label {0:?} is reserved")]
    NameReserved(String),
    /// Someone else owns the name.
    #[error("name is already taken")]
    NameTaken,
    /// The name has no owner (never claimed, or released).
    #[error("name is not claimed")]
    NameNotClaimed,
    /// The owner already has as many names as allowed.
    #[error("owner already has {max} name(s), the most allowed")]
    OwnerLimit {
        /// The limit.
        max: u32,
    },
    /// The signature is not the owner's (EOA recovery or ERC-1271).
    #[error("signature is not valid for {0}")]
    BadSignature(Address),
    /// The signed nonce is not the name's current nonce (replayed or re-ordered).
    #[error("nonce {signed} does not match the name's current nonce {current}")]
    NonceMismatch {
        /// Nonce in the signed message.
        signed: u64,
        /// The name's current nonce.
        current: u64,
    },
    /// The signed deadline has passed (or lies too far ahead).
    #[error("signature deadline {deadline} is {reason}")]
    Expired {
        /// The signed deadline (Unix seconds).
        deadline: u64,
        /// "in the past" or "too far in the future".
        reason: &'static str,
    },
    /// The records of a write break a limit or a format rule.
    #[error("invalid records: {0}")]
    InvalidRecords(String),
    /// The names API answered with an error (client side).
    #[error("gateway answered {status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The error code, e.g. `name_taken`.
        code: String,
        /// The message.
        message: String,
    },
    /// The requested feature is not available in this configuration.
    #[error("{0}")]
    ReadOnly(&'static str),
    /// The backend in use cannot answer this read (e.g. names by owner on the
    /// L2 registry, which keeps no such index).
    #[error("{0}")]
    NotAvailable(&'static str),
    /// The configuration is not acceptable (production-mode refusals, conflicting options).
    #[error("configuration: {0}")]
    Config(String),
    /// The name in a request is longer than served names can be.
    #[error("name has {len} bytes, at most {max} are served")]
    NameTooLong {
        /// Bytes in the name.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// One failure delivered to every request that waited on the same
    /// de-duplicated computation (the answer cache).
    #[error(transparent)]
    Shared(std::sync::Arc<Self>),
}

impl Error {
    /// Takes the error out of `shared` when this is its only holder, else wraps it.
    pub fn shared(shared: std::sync::Arc<Self>) -> Self {
        std::sync::Arc::try_unwrap(shared).unwrap_or_else(Self::Shared)
    }

    /// A stable, machine-readable code for API clients (`name_taken`, `bad_signature`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidHex { .. } => "invalid_hex",
            Self::InvalidJson(_) | Self::InvalidBody(_) => "invalid_json",
            Self::Protocol(error) => match error {
                ProtocolError::InvalidCalldata(_) => "invalid_calldata",
                ProtocolError::InvalidName(_) => "invalid_dns_name",
                ProtocolError::NodeMismatch { .. } => "node_mismatch",
                ProtocolError::UnsupportedFunction(_) => "unsupported_function",
                ProtocolError::MulticallTooLarge { .. } => "multicall_too_large",
                ProtocolError::NestedMulticall => "nested_multicall",
            },
            Self::UnknownResolver(_) => "unknown_resolver",
            Self::NameNotServed(_) => "name_not_served",
            Self::Store(crate::store::StoreError::Timeout(_)) => "store_timeout",
            Self::Store(crate::store::StoreError::NotReplicated { .. }) => "write_not_replicated",
            Self::Store(_) => "store_unavailable",
            Self::Signing(_) | Self::SigningPoolStopped | Self::SigningKey(_) => "internal",
            Self::Rpc(_) => "rpc_unavailable",
            Self::NoResolver(_) => "no_resolver",
            Self::BadAnswer(_) => "bad_answer",
            Self::InvalidProfile(_) => "invalid_profile",
            Self::NameNotNormalized { .. } => "name_not_normalized",
            Self::InvalidNameForClaim(_) => "invalid_name",
            Self::NameTooShort { .. } => "name_too_short",
            Self::NameReserved(_) => "name_reserved",
            Self::NameTaken => "name_taken",
            Self::NameNotClaimed => "name_not_claimed",
            Self::OwnerLimit { .. } => "owner_limit",
            Self::BadSignature(_) => "bad_signature",
            Self::NonceMismatch { .. } => "nonce_mismatch",
            Self::Expired { .. } => "expired",
            Self::InvalidRecords(_) => "invalid_records",
            Self::ReadOnly(_) => "read_only",
            Self::NotAvailable(_) => "not_available",
            Self::Api { .. } => "upstream",
            Self::NameTooLong { .. } => "name_too_long",
            Self::Config(_) => "internal",
            Self::Shared(inner) => inner.code(),
        }
    }
}

impl From<dm3_protocol::DnsNameError> for Error {
    fn from(error: dm3_protocol::DnsNameError) -> Self {
        Self::Protocol(error.into())
    }
}
