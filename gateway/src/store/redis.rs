//! Redis backend: one key per name, shared by many gateway processes.

use super::{NameRecord, NameWrite, RecordStore, StoreError, WriteConflict, WriteOutcome};
use alloy::primitives::Address;
use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands, Script};
use std::{sync::LazyLock, time::Duration};

/// Prefix of the key holding a name's JSON record: `dm3:record:<name>`.
const KEY_PREFIX: &str = "dm3:record:";
/// Prefix of the set of names an owner holds: `dm3:owner:<lower-case address>`.
const OWNER_PREFIX: &str = "dm3:owner:";

/// The atomic name write: Redis runs a script without interleaving any other
/// command, so the checks (same rules as `store::check_write`) and the writes
/// are one step for every gateway process sharing this Redis.
///
/// KEYS: record, new owner's set, old (expected) owner's set.
/// ARGV: expected owner (lower-case hex or ""), expected nonce, new record JSON,
/// new owner (lower-case hex or ""), name limit (0 = none), name.
static WRITE_NAME: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('GET', KEYS[1])
local owner, nonce = '', 0
if current then
  local record = cjson.decode(current)
  if type(record.owner) == 'string' then owner = string.lower(record.owner) end
  if type(record.nonce) == 'number' then nonce = record.nonce end
end
if owner ~= ARGV[1] then
  if ARGV[1] == '' then return {'name_taken', owner} end
  if owner == '' then return {'not_claimed', ''} end
  return {'not_owner', owner}
end
if nonce ~= tonumber(ARGV[2]) then return {'nonce_mismatch', tostring(nonce)} end
local limit = tonumber(ARGV[5])
if ARGV[4] ~= '' and ARGV[4] ~= owner and limit > 0 and redis.call('SCARD', KEYS[2]) >= limit then
  return {'owner_limit', ''}
end
redis.call('SET', KEYS[1], ARGV[3])
if owner ~= '' then redis.call('SREM', KEYS[3], ARGV[6]) end
if ARGV[4] ~= '' then redis.call('SADD', KEYS[2], ARGV[6]) end
return {'ok', ''}
",
    )
});

fn owner_hex(owner: Option<Address>) -> String {
    owner.map(|o| format!("{o:#x}")).unwrap_or_default()
}

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

    async fn write_name(&self, write: &NameWrite) -> Result<WriteOutcome, StoreError> {
        let (new_owner, old_owner) = (owner_hex(write.record.owner), owner_hex(write.expected_owner));
        let (status, detail): (String, String) = WRITE_NAME
            .key(Self::key(&write.name))
            .key(format!("{OWNER_PREFIX}{new_owner}"))
            .key(format!("{OWNER_PREFIX}{old_owner}"))
            .arg(&old_owner)
            .arg(write.expected_nonce)
            .arg(write.record.to_json())
            .arg(&new_owner)
            .arg(write.max_names_per_owner)
            .arg(&write.name)
            .invoke_async(&mut self.conn.clone())
            .await?;
        let conflict = match status.as_str() {
            "ok" => return Ok(WriteOutcome::Written),
            "name_taken" => WriteConflict::NameTaken,
            "not_claimed" => WriteConflict::NotClaimed,
            "not_owner" => WriteConflict::NotOwner(detail.parse().unwrap_or_default()),
            "nonce_mismatch" => WriteConflict::NonceMismatch(detail.parse().unwrap_or_default()),
            _ => WriteConflict::OwnerLimit,
        };
        Ok(WriteOutcome::Conflict(conflict))
    }

    async fn names_of(&self, owner: Address) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<String> = self.conn.clone().smembers(format!("{OWNER_PREFIX}{owner:#x}")).await?;
        names.sort();
        Ok(names)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let _: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}
