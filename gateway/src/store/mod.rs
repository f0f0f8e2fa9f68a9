//! Where records live: one trait, one backend per file.
//!
//! "Not found" is `Ok(None)`, never an error; an error always means the store
//! itself failed, which the HTTP layer turns into a 5xx so clients fail over.

mod embedded;
mod l2;
mod l2_events;
mod record;
mod redis;
mod sentinel;

pub use embedded::EmbeddedStore;
pub use l2::L2Store;
pub use l2_events::{ChangeSink, EventFollower};
pub use record::{canonical_text_key, text_key_aliases, NameRecord};
pub use redis::{RedisStore, SentinelConfig};

use alloy::primitives::{Address, Bytes, B256};
use async_trait::async_trait;
use dm3_protocol::RecordQuery;

/// A conditional write of one name (claim, update, transfer or release).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameWrite {
    /// The name, e.g. `alice.dm3.eth`.
    pub name: String,
    /// The owner the name must have now (`None`: it must be unclaimed).
    pub expected_owner: Option<Address>,
    /// The nonce the name must have now.
    pub expected_nonce: u64,
    /// The record to store; its `owner` is the new owner (`None` releases)
    /// and its `nonce` must be `expected_nonce + 1`.
    pub record: NameRecord,
    /// Most names the new owner may hold (0: no limit). Not checked when the owner stays.
    pub max_names_per_owner: u32,
    /// Whether the name is kept in the owner → names index (and so counts
    /// toward `max_names_per_owner`). `false` for names derived from their
    /// owner, such as dm3's address names `<address>.addr.dm3.eth`: the
    /// index is then neither read nor changed, and the limit not checked.
    pub indexed: bool,
}

/// Why a [`NameWrite`] was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteConflict {
    /// The name is owned by someone else (while expected unclaimed).
    NameTaken,
    /// The name is not claimed (while an owner was expected).
    NotClaimed,
    /// The name is owned by another account than expected.
    NotOwner(Address),
    /// The name's nonce is not the expected one.
    NonceMismatch(u64),
    /// The new owner already holds the most names allowed.
    OwnerLimit,
}

/// Result of [`RecordStore::write_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Stored.
    Written,
    /// Not stored, and nothing changed.
    Conflict(WriteConflict),
}

/// The checks of a [`NameWrite`] against the current record, shared by the
/// backends that run them in Rust inside a transaction (Redis runs the same
/// rules in its Lua script).
pub(crate) fn check_write(
    current: Option<&NameRecord>,
    write: &NameWrite,
    new_owner_names: usize,
) -> Option<WriteConflict> {
    let owner = current.and_then(|r| r.owner);
    let nonce = current.map_or(0, |r| r.nonce);
    if owner != write.expected_owner {
        return Some(match (write.expected_owner, owner) {
            (None, _) => WriteConflict::NameTaken,
            (Some(_), None) => WriteConflict::NotClaimed,
            (Some(_), Some(actual)) => WriteConflict::NotOwner(actual),
        });
    }
    if nonce != write.expected_nonce {
        return Some(WriteConflict::NonceMismatch(nonce));
    }
    let changes_owner = write.record.owner.is_some() && write.record.owner != owner;
    if write.indexed
        && changes_owner
        && write.max_names_per_owner > 0
        && new_owner_names >= write.max_names_per_owner as usize
    {
        return Some(WriteConflict::OwnerLimit);
    }
    None
}

/// A failure of the storage backend (never "not found").
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The embedded database failed.
    #[error("embedded store: {0}")]
    Embedded(#[from] redb::Error),
    /// Redis failed or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// A stored value could not be decoded.
    #[error("stored record for {name:?} is corrupt: {source}")]
    Corrupt {
        /// The name whose record is unreadable.
        name: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// A write was applied on the Redis primary but fewer replicas than
    /// required confirmed it in time: it is not acknowledged, and a failover
    /// may lose it (or it may survive: the client must read the name again).
    #[error("write reached {acked} of {wanted} required replicas in time")]
    NotReplicated {
        /// Replicas that confirmed it.
        acked: u32,
        /// Replicas required (`--redis-min-replicas-ack`).
        wanted: u32,
    },
    /// The backend did not answer in time.
    #[error("store did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The L2 JSON-RPC endpoint failed or answered nonsense.
    #[error("l2: {0}")]
    L2(String),
    /// The backend does not support this operation.
    #[error("read-only store: {0}")]
    ReadOnly(&'static str),
    /// A blocking store task was cancelled or panicked.
    #[error("store task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The data directory could not be prepared.
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Records by name. Implemented by every backend; later backends (an L2
/// registry, name claims) add their own write paths beside these.
#[async_trait]
pub trait RecordStore: Send + Sync + std::fmt::Debug + 'static {
    /// The records of `name` (dotted, as decoded from the request), or `None`.
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError>;

    /// The ABI-encoded answers to `queries` about `name` (whose namehash is
    /// `node`), one per query, with spec-exact empty values for what is unset.
    /// By default the whole record is read once; a backend that reads records
    /// one by one (the L2 registry) batches the queries instead.
    async fn answer(&self, name: &str, node: B256, queries: &[RecordQuery]) -> Result<Vec<Bytes>, StoreError> {
        let _ = node;
        let record = self.record(name).await?.unwrap_or_default();
        Ok(queries.iter().map(|q| record.answer(q).into()).collect())
    }

    /// Like [`RecordStore::answer`], together with the instant after which
    /// the values must not be served again from any cache (`None`: the store
    /// sets no limit). A backend with its own read cache (the L2 registry)
    /// returns the expiry of the oldest read the values came from, so a cache
    /// built on top can never extend their life.
    async fn answer_with_expiry(
        &self,
        name: &str,
        node: B256,
        queries: &[RecordQuery],
    ) -> Result<(Vec<Bytes>, Option<std::time::Instant>), StoreError> {
        Ok((self.answer(name, node, queries).await?, None))
    }

    /// Replaces all records of `name` atomically.
    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError>;

    /// Removes `name`; returns whether it existed.
    async fn remove_record(&self, name: &str) -> Result<bool, StoreError>;

    /// Applies a signed name write atomically: checks the expected owner and
    /// nonce and the new owner's name limit, then stores the new record and
    /// moves the name in the owner → names index — all or nothing, also
    /// when many writers race.
    async fn write_name(&self, write: &NameWrite) -> Result<WriteOutcome, StoreError>;

    /// The names `owner` holds, sorted.
    async fn names_of(&self, owner: Address) -> Result<Vec<String>, StoreError>;

    /// Checks that the backend answers (for readiness probes).
    async fn ping(&self) -> Result<(), StoreError>;

    /// A short label for logs and `/info` (`"embedded"`, `"redis"`).
    fn kind(&self) -> &'static str;
}
