//! Where records live: narrow traits with one job each, one backend per file.
//!
//! [`RecordReader`] reads records (every backend), [`NameWriter`] writes them
//! and [`OwnerIndex`] lists names by owner (the backends this gateway writes:
//! embedded and Redis), [`Health`] pings the backend. A read-only backend (the
//! L2 registry) implements only reading and the ping. [`Backend`] holds the
//! trait objects of one opened backend; [`ChangeSink`] is where a backend's
//! change feed (the Redis channel, the L2 registry's events) reports changes.
//!
//! "Not found" is `Ok(None)`, never an error; an error always means the store
//! itself failed, which the HTTP layer turns into a 5xx so clients fail over.
//!
//! The Redis backend is behind the `redis` cargo feature and the L2 registry
//! behind `l2` (both on by default).

mod changes;
mod embedded;
#[cfg(feature = "l2")]
mod l2;
#[cfg(feature = "l2")]
mod l2_events;
mod record;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
mod sentinel;

pub use changes::ChangeSink;
pub use embedded::EmbeddedStore;
#[cfg(feature = "l2")]
pub use l2::{L2Store, ProfileCheck};
#[cfg(feature = "l2")]
pub use l2_events::EventFollower;
pub use record::{canonical_text_key, text_key_aliases, NameRecord};
#[cfg(feature = "redis")]
pub use redis::{RedisChangeListener, RedisStore, SentinelConfig};

/// The error of the Redis client (the `redis` crate's).
#[cfg(feature = "redis")]
pub type RedisError = ::redis::RedisError;

/// Without the `redis` feature there is no Redis client, and so no Redis
/// error: this type has no values, and [`StoreError::Redis`] never occurs.
#[cfg(not(feature = "redis"))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisError {}

#[cfg(not(feature = "redis"))]
impl std::fmt::Display for RedisError {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {}
    }
}

#[cfg(not(feature = "redis"))]
impl std::error::Error for RedisError {}

use alloy::primitives::{Address, Bytes, B256};
use async_trait::async_trait;
use dm3_protocol::RecordQuery;
use std::sync::Arc;

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

/// Result of [`NameWriter::write_name`].
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

/// Why the L2 registry could not be read.
#[derive(Debug, thiserror::Error)]
pub enum L2Error {
    /// The JSON-RPC endpoint failed (transport, HTTP status, or a JSON-RPC error).
    #[error("{0}")]
    Rpc(#[from] alloy::transports::TransportError),
    /// The registry's return data is not ABI-encoded as its function returns
    /// (the value names which call).
    #[error("registry returned data that is not ABI-encoded for {0}")]
    NotAbi(String),
}

/// A failure of the storage backend (never "not found").
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The embedded database failed.
    #[error("embedded store: {0}")]
    Embedded(#[from] redb::Error),
    /// Redis failed or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
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
    L2(#[from] L2Error),
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

/// Reads the records of names. Every backend implements it.
///
/// "Not found" is `Ok(None)` (or the spec-exact empty values), never an
/// error: an error always means the backend itself failed.
#[async_trait]
pub trait RecordReader: Send + Sync + std::fmt::Debug + 'static {
    /// The records of `name` (dotted, as decoded from the request), or `None`.
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError>;

    /// The ABI-encoded values of `queries` about `name` (whose namehash is
    /// `node`), one per query, with spec-exact empty values for what is unset
    /// (see [`NameRecord::value`]).
    /// By default the whole record is read once; a backend that reads records
    /// one by one (the L2 registry) batches the queries instead.
    async fn values(&self, name: &str, node: B256, queries: &[RecordQuery]) -> Result<Vec<Bytes>, StoreError> {
        let _ = node;
        let record = self.record(name).await?.unwrap_or_default();
        Ok(queries.iter().map(|q| record.value(q).into()).collect())
    }

    /// Like [`RecordReader::values`], together with the instant after which
    /// the values must not be served again from any cache (`None`: the store
    /// sets no limit). A backend with its own read cache (the L2 registry)
    /// returns the expiry of the oldest read the values came from, so a cache
    /// built on top can never extend their life.
    async fn values_with_expiry(
        &self,
        name: &str,
        node: B256,
        queries: &[RecordQuery],
    ) -> Result<(Vec<Bytes>, Option<std::time::Instant>), StoreError> {
        Ok((self.values(name, node, queries).await?, None))
    }

    /// A short label of the backend for logs, `/info` and `/ready`
    /// (`"embedded"`, `"redis"`, `"l2"`).
    fn backend(&self) -> &'static str;
}

/// Writes the records of names. Implemented by the backends this gateway
/// writes (embedded, Redis), not by the L2 registry, whose names are written
/// on the L2.
#[async_trait]
pub trait NameWriter: Send + Sync + std::fmt::Debug + 'static {
    /// Replaces all records of `name` atomically (operator path: no owner,
    /// nonce or limit checks, and the owner index is not changed).
    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError>;

    /// Removes `name`; returns whether it existed.
    async fn remove_record(&self, name: &str) -> Result<bool, StoreError>;

    /// Applies a signed name write atomically: checks the expected owner and
    /// nonce and the new owner's name limit, then stores the new record and
    /// moves the name in the owner → names index — all or nothing, also
    /// when many writers race.
    async fn write_name(&self, write: &NameWrite) -> Result<WriteOutcome, StoreError>;
}

/// The owner → names index that [`NameWriter::write_name`] keeps. The L2
/// registry keeps none, so its backend does not implement it.
#[async_trait]
pub trait OwnerIndex: Send + Sync + std::fmt::Debug + 'static {
    /// The names `owner` holds (those written with [`NameWrite::indexed`]), sorted.
    async fn names_of(&self, owner: Address) -> Result<Vec<String>, StoreError>;
}

/// The readiness check of a backend.
#[async_trait]
pub trait Health: Send + Sync + std::fmt::Debug + 'static {
    /// Checks that the backend answers (for readiness probes); `Ok` says
    /// nothing about any one record.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// The parts of a writable backend the names API uses: reads, writes and
/// the owner index, all over the same records.
#[derive(Debug, Clone)]
pub struct NameStore {
    /// Reads of the names' records.
    pub records: Arc<dyn RecordReader>,
    /// Writes of the names' records.
    pub writer: Arc<dyn NameWriter>,
    /// Names by owner.
    pub owners: Arc<dyn OwnerIndex>,
}

impl NameStore {
    /// All three parts from one backend.
    pub fn new<S: RecordReader + NameWriter + OwnerIndex>(store: Arc<S>) -> Self {
        Self { records: Arc::clone(&store) as _, writer: Arc::clone(&store) as _, owners: store }
    }
}

/// One opened backend, as the trait objects of what it can do.
#[derive(Debug, Clone)]
pub struct Backend {
    /// Record reads (every backend).
    pub records: Arc<dyn RecordReader>,
    /// The readiness ping (every backend).
    pub health: Arc<dyn Health>,
    /// Writes and the owner index; `None` for a read-only backend.
    pub names: Option<NameStore>,
    /// Why the backend is read-only (the [`StoreError::ReadOnly`] of a write).
    read_only: &'static str,
}

impl Backend {
    /// A backend that reads, writes and indexes names by owner.
    pub fn writable<S: RecordReader + NameWriter + OwnerIndex + Health>(store: S) -> Self {
        let store = Arc::new(store);
        Self {
            records: Arc::clone(&store) as _,
            health: Arc::clone(&store) as _,
            names: Some(NameStore::new(store)),
            read_only: "",
        }
    }

    /// A backend that only reads; `why` says where its names are written.
    pub fn read_only<S: RecordReader + Health>(store: S, why: &'static str) -> Self {
        let store = Arc::new(store);
        Self { records: Arc::clone(&store) as _, health: store, names: None, read_only: why }
    }

    /// The writable parts, or [`StoreError::ReadOnly`].
    pub fn names(&self) -> Result<&NameStore, StoreError> {
        self.names.as_ref().ok_or(StoreError::ReadOnly(self.read_only))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_read_only_backend_has_no_writer_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let read_only = Backend::read_only(EmbeddedStore::open(dir.path()).unwrap(), "written elsewhere");
        assert!(matches!(read_only.names(), Err(StoreError::ReadOnly("written elsewhere"))));
        assert_eq!(read_only.records.backend(), "embedded");
        read_only.health.ping().await.unwrap();
        drop(read_only);
        let writable = Backend::writable(EmbeddedStore::open(dir.path()).unwrap());
        let names = writable.names().unwrap();
        names.writer.put_record("a.dm3.eth", &NameRecord::default()).await.unwrap();
        assert_eq!(writable.records.record("a.dm3.eth").await.unwrap(), Some(NameRecord::default()));
        assert!(names.owners.names_of(Address::ZERO).await.unwrap().is_empty());
    }
}
