//! Why a names-API read or write was refused or failed.

use crate::{profile::ProfileError, store::StoreError};
use alloy::{primitives::Address, transports::TransportError};

/// Result with [`NamesError`].
pub type Result<T, E = NamesError> = std::result::Result<T, E>;

/// Why a names-API request was refused (the client can fix it) or failed
/// (the store or the ERC-1271 RPC endpoint did).
#[derive(Debug, thiserror::Error)]
pub enum NamesError {
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
    InvalidNameForClaim(#[from] NameRuleError),
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
    InvalidRecords(#[from] RecordsError),
    /// The dm3 profile among the records is malformed or not the owner's.
    #[error("invalid dm3 profile: {0}")]
    InvalidProfile(#[from] ProfileError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The JSON-RPC endpoint that checks ERC-1271 signatures (or balances) failed.
    #[error("rpc: {0}")]
    Rpc(#[from] TransportError),
}

/// Why a name is not one claimable label under a served parent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameRuleError {
    /// The ENSIP-15 normalizer refuses the name.
    #[error("{0}")]
    Unnormalizable(String),
    /// The name is a single label.
    #[error("a name needs a parent")]
    NoParent,
    /// The name is not directly under a served parent.
    #[error("names are claimed directly under {0:?}")]
    NotUnderAParent(Vec<String>),
    /// The label cannot be DNS-encoded (ENSIP-10: one-byte length).
    #[error("labels have at most 255 bytes")]
    LabelTooLong,
}

/// Why the `records` of a write were refused.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The JSON text is longer than allowed.
    #[error("records exceed {0} bytes")]
    TooLarge(usize),
    /// The JSON text is not the records object.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// More text records than allowed.
    #[error("at most {0} text records")]
    TooManyTexts(usize),
    /// A text key is empty or too long.
    #[error("text keys have 1 to {0} bytes")]
    TextKeyLength(usize),
    /// A text value is too long.
    #[error("text {key:?} exceeds {max} bytes")]
    TextTooLong {
        /// The key.
        key: String,
        /// The limit.
        max: usize,
    },
    /// More addresses than allowed.
    #[error("at most {0} addresses")]
    TooManyAddresses(usize),
    /// A coin type is not a decimal number.
    #[error("coin type {0:?} is not a number")]
    CoinTypeNotNumber(String),
    /// An EVM address is not 20 bytes.
    #[error("EVM address for coin type {0} must be 20 bytes")]
    EvmAddressLength(u64),
    /// An address is longer than allowed.
    #[error("address for coin type {coin} exceeds {max} bytes")]
    AddressTooLong {
        /// The coin type.
        coin: u64,
        /// The limit.
        max: usize,
    },
    /// The contenthash is longer than allowed.
    #[error("contenthash exceeds {0} bytes")]
    ContenthashTooLong(usize),
    /// The dm3 profile is given under more than one of its keys.
    #[error("give the dm3 profile under one key only")]
    ProfileUnderManyKeys,
    /// A release carries records.
    #[error("a release carries no records")]
    ReleaseWithRecords,
    /// A claim or update carries none.
    #[error("records are required")]
    Missing,
}
