//! Redis backend: one key per name, shared by many gateway processes.

use super::{NameRecord, RecordStore, StoreError};
use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands};
use std::time::Duration;

/// Prefix of the key holding a name's JSON record: `dm3:record:<name>`.
const KEY_PREFIX: &str = "dm3:record:";

/// Records in Redis, through an auto-reconnecting [`ConnectionManager`].
///
/// Connects lazily: the gateway starts while Redis is down and answers 5xx
/// until it is back. Every command times out after the configured duration.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: don't print it.
        f.debug_struct("RedisStore").finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Prepares a connection to `url` (`redis://host:port/db`); does not connect yet.
    pub fn connect_lazy(url: &str, timeout: Duration) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self { conn })
    }

    fn key(name: &str) -> String {
        format!("{KEY_PREFIX}{name}")
    }
}

#[async_trait]
impl RecordStore for RedisStore {
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError> {
        let value: Option<Vec<u8>> = self.conn.clone().get(Self::key(name)).await?;
        value
            .map(|bytes| NameRecord::from_json(&bytes))
            .transpose()
            .map_err(|source| StoreError::Corrupt { name: name.to_owned(), source })
    }

    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError> {
        let () = self.conn.clone().set(Self::key(name), record.to_json()).await?;
        Ok(())
    }

    async fn remove_record(&self, name: &str) -> Result<bool, StoreError> {
        let removed: u64 = self.conn.clone().del(Self::key(name)).await?;
        Ok(removed > 0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let _: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}
