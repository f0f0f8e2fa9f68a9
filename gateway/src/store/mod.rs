//! Where records live: one trait, one backend per file.
//!
//! "Not found" is `Ok(None)`, never an error; an error always means the store
//! itself failed, which the HTTP layer turns into a 5xx so clients fail over.

mod embedded;
mod record;
mod redis;

pub use embedded::EmbeddedStore;
pub use record::{canonical_text_key, NameRecord};
pub use redis::RedisStore;

use async_trait::async_trait;

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
    /// The backend did not answer in time.
    #[error("store did not answer within {0:?}")]
    Timeout(std::time::Duration),
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

    /// Replaces all records of `name` atomically.
    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError>;

    /// Removes `name`; returns whether it existed.
    async fn remove_record(&self, name: &str) -> Result<bool, StoreError>;

    /// Checks that the backend answers (for readiness probes).
    async fn ping(&self) -> Result<(), StoreError>;

    /// A short label for logs and `/info` (`"embedded"`, `"redis"`).
    fn kind(&self) -> &'static str;
}
