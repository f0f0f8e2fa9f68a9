//! Redis backend: one key per name, shared by many gateway processes.

use super::{
    sentinel::{Role, SentinelConnection},
    ChangeSink, Health, NameRecord, NameWrite, NameWriter, OwnerIndex, RecordReader, StoreError, WriteConflict,
    WriteOutcome,
};
use alloy::primitives::Address;
use async_trait::async_trait;
use futures_util::StreamExt;
use redis::{
    aio::{ConnectionLike, ConnectionManager},
    AsyncCommands, Cmd, IntoConnectionInfo, Pipeline, RedisFuture, Script, Value,
};
use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

/// Prefix of the key holding a name's JSON record: `dm3:record:<name>`.
const KEY_PREFIX: &str = "dm3:record:";
/// Prefix of the set of names an owner holds: `dm3:owner:<lower-case address>`.
const OWNER_PREFIX: &str = "dm3:owner:";
/// Pub/sub channel that carries the name after every write, so that every
/// gateway process sharing this Redis drops its cached answers for it.
pub(crate) const CHANGES_CHANNEL: &str = "dm3:changed";

/// The atomic name write: Redis runs a script without interleaving any other
/// command, so the checks (same rules as `store::check_write`) and the writes
/// are one step for every gateway process sharing this Redis.
///
/// KEYS: record, new owner's set, old (expected) owner's set.
/// ARGV: expected owner (lower-case hex or ""), expected nonce, new record JSON,
/// new owner (lower-case hex or ""), name limit (0 = none), name, change channel,
/// "1" when the name is in the owner index (else the index and limit are skipped).
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
local indexed = ARGV[8] == '1'
local limit = tonumber(ARGV[5])
if indexed and ARGV[4] ~= '' and ARGV[4] ~= owner and limit > 0 and redis.call('SCARD', KEYS[2]) >= limit then
  return {'owner_limit', ''}
end
redis.call('SET', KEYS[1], ARGV[3])
if indexed and owner ~= '' then redis.call('SREM', KEYS[3], ARGV[6]) end
if indexed and ARGV[4] ~= '' then redis.call('SADD', KEYS[2], ARGV[6]) end
redis.call('PUBLISH', ARGV[7], ARGV[6])
return {'ok', ''}
",
    )
});

fn owner_hex(owner: Option<Address>) -> String {
    owner.map(|o| format!("{o:#x}")).unwrap_or_default()
}

/// How to reach the Redis primary through Sentinel (see [`RedisStore::connect_sentinel`]).
#[derive(Debug, Clone, Default)]
pub struct SentinelConfig {
    /// The Sentinels, `host:port` each.
    pub sentinels: Vec<String>,
    /// The Sentinel master (service) name.
    pub service: String,
    /// Database, user and password of the data servers, as a `redis://` URL
    /// whose host is ignored (`None`: database 0, no credentials).
    pub node_url: Option<String>,
}

/// A connection to the primary: a fixed server, or the one Sentinel names.
#[derive(Clone)]
enum Conn {
    Fixed(ConnectionManager),
    Sentinel(SentinelConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Fixed(conn) => conn.req_packed_command(cmd),
            Self::Sentinel(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Fixed(conn) => conn.req_packed_commands(pipeline, offset, count),
            Self::Sentinel(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Fixed(conn) => conn.get_db(),
            Self::Sentinel(conn) => conn.get_db(),
        }
    }
}

/// The server the change channel is subscribed on: a fixed one, or the
/// primary the Sentinels name at the time of subscribing.
#[derive(Clone)]
enum ChangeSource {
    Fixed(redis::Client),
    Sentinel(SentinelConnection),
}

/// Records in Redis: one server through an auto-reconnecting
/// [`ConnectionManager`], or the primary of a Sentinel service, followed
/// across failovers.
///
/// Connects lazily: the gateway starts while Redis is down and answers 5xx
/// until it is back. Every command and every connection attempt (with
/// Sentinel: every discovery) times out after the configured duration, as
/// [`StoreError::Timeout`] (`504`); a refused or broken connection is
/// [`StoreError::Redis`] (`503`).
///
/// With `min_replicas_ack > 0`, a name write is acknowledged only once
/// `WAIT` confirmed that many replicas have it. With Sentinel, writes use a
/// connection of their own, so that `WAIT` (which blocks its connection)
/// never holds reads back; on a single `--redis-url` they share one.
#[derive(Clone)]
pub struct RedisStore {
    /// Where the change listener subscribes.
    changes: ChangeSource,
    conn: Conn,
    writes: Conn,
    /// With Sentinel: replicas answer record reads while the primary is unreachable.
    replicas: Option<Conn>,
    min_replicas_ack: u32,
    wait_timeout: Duration,
    timeout: Duration,
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
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(Self {
            changes: ChangeSource::Fixed(client),
            conn: Conn::Fixed(conn.clone()),
            // One connection: a ConnectionManager reconnects only when a command
            // fails on it, so a second one would fail the first write after
            // every outage that reads had already recovered from.
            writes: Conn::Fixed(conn),
            replicas: None,
            min_replicas_ack: 0,
            wait_timeout: timeout / 2,
            timeout,
        })
    }

    /// Prepares connections to the primary of `config.service` as the
    /// Sentinels name it (and to a replica, for reads while the primary is
    /// unreachable); does not connect yet. After a failover the next command
    /// asks the Sentinels again and goes to the promoted replica.
    pub fn connect_sentinel(config: &SentinelConfig, timeout: Duration) -> Result<Self, StoreError> {
        let sentinels: Vec<String> = config.sentinels.iter().map(|s| format!("redis://{s}")).collect();
        let redis_info = match &config.node_url {
            Some(url) => url.as_str().into_connection_info()?.redis_settings().clone(),
            None => redis::RedisConnectionInfo::default(),
        };
        let db = redis_info.db();
        let node = redis::sentinel::SentinelNodeConnectionInfo::default().set_redis_connection_info(redis_info);
        let open = |role| {
            SentinelConnection::new(&sentinels, &config.service, node.clone(), db, role, timeout).map(Conn::Sentinel)
        };
        let changes = SentinelConnection::new(&sentinels, &config.service, node.clone(), db, Role::Primary, timeout)?;
        Ok(Self {
            changes: ChangeSource::Sentinel(changes),
            conn: open(Role::Primary)?,
            writes: open(Role::Primary)?,
            replicas: Some(open(Role::Replica)?),
            min_replicas_ack: 0,
            wait_timeout: timeout / 2,
            timeout,
        })
    }

    /// The store error of a failed command: its own timeout is the store
    /// timeout (no answer in time), anything else an unavailable store.
    fn failed(&self, error: redis::RedisError) -> StoreError {
        store_error(error, self.timeout)
    }

    /// Acknowledges a name write only once `count` replicas confirmed it
    /// (`WAIT count timeout`, the timeout being half the store timeout); 0
    /// acknowledges what the primary applied.
    #[must_use]
    pub const fn with_min_replicas_ack(mut self, count: u32) -> Self {
        self.min_replicas_ack = count;
        self
    }

    /// What the change listener needs of this store: the server the change
    /// channel is subscribed on (the same client or Sentinel set the store
    /// uses, not a second configuration).
    pub fn change_listener(&self) -> RedisChangeListener {
        RedisChangeListener { changes: self.changes.clone() }
    }

    /// After a write on `self.writes`: `WAIT` for `min_replicas_ack` replicas.
    /// The write is applied on the primary either way; when fewer replicas
    /// confirm it in time it is not acknowledged (a failover may lose it).
    async fn await_replicas(&self) -> Result<(), StoreError> {
        if self.min_replicas_ack == 0 {
            return Ok(());
        }
        let timeout_ms = u64::try_from(self.wait_timeout.as_millis()).unwrap_or(u64::MAX).max(1);
        let acked: u32 = redis::cmd("WAIT")
            .arg(self.min_replicas_ack)
            .arg(timeout_ms)
            .query_async(&mut self.writes.clone())
            .await
            .map_err(|e| self.failed(e))?;
        if acked < self.min_replicas_ack {
            return Err(StoreError::NotReplicated { acked, wanted: self.min_replicas_ack });
        }
        Ok(())
    }

    fn key(name: &str) -> String {
        format!("{KEY_PREFIX}{name}")
    }
}

/// Listens on the Redis change channel ([`CHANGES_CHANNEL`]) that every
/// write of every gateway sharing the Redis publishes to; made by
/// [`RedisStore::change_listener`].
#[derive(Clone)]
pub struct RedisChangeListener {
    changes: ChangeSource,
}

impl std::fmt::Debug for RedisChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: don't print it.
        f.debug_struct("RedisChangeListener").finish_non_exhaustive()
    }
}

impl RedisChangeListener {
    /// A client for the server the change channel lives on, now.
    async fn client(&self) -> Result<redis::Client, redis::RedisError> {
        match &self.changes {
            ChangeSource::Fixed(client) => Ok(client.clone()),
            ChangeSource::Sentinel(conn) => conn.discover().await,
        }
    }

    /// Listens on [`CHANGES_CHANNEL`] in a background task for as long as the
    /// runtime runs: every published name is passed to
    /// [`ChangeSink::name_changed`] (a payload that is not UTF-8 to
    /// [`ChangeSink::all_changed`]); the subscription's state is passed to
    /// [`ChangeSink::subscribed`]: `false` while it is down (Redis
    /// unreachable), when changes may be missed, `true` once it is back.
    ///
    /// With Sentinel the subscription is made on the primary the Sentinels
    /// name at that moment; the failover closes it (the old primary dies or
    /// is demoted, and Sentinel disconnects its clients), and the next round
    /// subscribes on the new primary, reported unsubscribed in between.
    pub fn spawn(self, sink: Arc<dyn ChangeSink>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(100);
            loop {
                let pubsub = match self.client().await {
                    Ok(client) => client.get_async_pubsub().await,
                    Err(e) => Err(e),
                };
                match pubsub {
                    Ok(mut pubsub) => match pubsub.subscribe(CHANGES_CHANNEL).await {
                        Ok(()) => {
                            sink.subscribed(true);
                            delay = Duration::from_millis(100);
                            let mut messages = pubsub.on_message();
                            while let Some(message) = messages.next().await {
                                match std::str::from_utf8(message.get_payload_bytes()) {
                                    Ok(name) => {
                                        tracing::trace!(target: "gateway::store", name, "changed (redis channel)");
                                        sink.name_changed(name);
                                    }
                                    Err(_) => sink.all_changed(),
                                }
                            }
                            sink.subscribed(false);
                            tracing::warn!(target: "gateway::store", "redis change channel lost; cache bypassed until it is back");
                        }
                        Err(e) => {
                            tracing::warn!(target: "gateway::store", error = %e, "cannot subscribe to the redis change channel")
                        }
                    },
                    Err(e) => {
                        tracing::debug!(target: "gateway::store", error = %e, "redis change channel: no connection")
                    }
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        })
    }
}

/// [`RedisStore::failed`].
fn store_error(error: redis::RedisError, timeout: Duration) -> StoreError {
    if error.is_timeout() {
        StoreError::Timeout(timeout)
    } else {
        StoreError::Redis(error)
    }
}

#[async_trait]
impl RecordReader for RedisStore {
    async fn record(&self, name: &str) -> Result<Option<NameRecord>, StoreError> {
        let value: Option<Vec<u8>> = match (self.conn.clone().get(Self::key(name)).await, &self.replicas) {
            (Ok(value), _) => value,
            (Err(e), Some(replicas)) => {
                // No primary now (failing over, or the Sentinels still name the
                // dead one): a replica holds a prefix of its history, see
                // docs/SECURITY.md. When the replica fails too, the primary's
                // error is the one reported.
                tracing::debug!(target: "gateway::store", error = %e, "primary unreachable; reading a replica");
                let key = Self::key(name);
                match replicas.clone().get(&key).await {
                    Ok(value) => value,
                    // Sentinel disconnects the clients of every server it
                    // reconfigures: ask the (new) replica once more.
                    Err(_) => replicas.clone().get(&key).await.map_err(|_| self.failed(e))?,
                }
            }
            (Err(e), _) => return Err(self.failed(e)),
        };
        value
            .map(|bytes| NameRecord::from_json(&bytes))
            .transpose()
            .map_err(|source| StoreError::Corrupt { name: name.to_owned(), source })
    }

    fn backend(&self) -> &'static str {
        "redis"
    }
}

#[async_trait]
impl NameWriter for RedisStore {
    async fn put_record(&self, name: &str, record: &NameRecord) -> Result<(), StoreError> {
        let () = redis::pipe()
            .atomic()
            .set(Self::key(name), record.to_json())
            .ignore()
            .publish(CHANGES_CHANNEL, name)
            .ignore()
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    async fn remove_record(&self, name: &str) -> Result<bool, StoreError> {
        let (removed,): (u64,) = redis::pipe()
            .atomic()
            .del(Self::key(name))
            .publish(CHANGES_CHANNEL, name)
            .ignore()
            .query_async(&mut self.conn.clone())
            .await
            .map_err(|e| self.failed(e))?;
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
            .arg(CHANGES_CHANNEL)
            .arg(if write.indexed { "1" } else { "0" })
            .invoke_async(&mut self.writes.clone())
            .await
            .map_err(|e| self.failed(e))?;
        let conflict = match status.as_str() {
            "ok" => {
                self.await_replicas().await?;
                return Ok(WriteOutcome::Written);
            }
            "name_taken" => WriteConflict::NameTaken,
            "not_claimed" => WriteConflict::NotClaimed,
            "not_owner" => WriteConflict::NotOwner(detail.parse().unwrap_or_default()),
            "nonce_mismatch" => WriteConflict::NonceMismatch(detail.parse().unwrap_or_default()),
            _ => WriteConflict::OwnerLimit,
        };
        Ok(WriteOutcome::Conflict(conflict))
    }
}

#[async_trait]
impl OwnerIndex for RedisStore {
    async fn names_of(&self, owner: Address) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<String> =
            self.conn.clone().smembers(format!("{OWNER_PREFIX}{owner:#x}")).await.map_err(|e| self.failed(e))?;
        names.sort();
        Ok(names)
    }
}

#[async_trait]
impl Health for RedisStore {
    async fn ping(&self) -> Result<(), StoreError> {
        let _: String = redis::cmd("PING").query_async(&mut self.conn.clone()).await.map_err(|e| self.failed(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn a_command_that_timed_out_is_a_store_timeout_and_a_refusal_is_unavailable() {
        let timeout = Duration::from_secs(2);
        let timed_out = redis::RedisError::from(io::Error::new(io::ErrorKind::TimedOut, "no answer"));
        assert!(matches!(store_error(timed_out, timeout), StoreError::Timeout(t) if t == timeout));
        let refused = redis::RedisError::from(io::Error::new(io::ErrorKind::ConnectionRefused, "refused"));
        assert!(matches!(store_error(refused, timeout), StoreError::Redis(_)));
        let reset = redis::RedisError::from(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
        assert!(matches!(store_error(reset, timeout), StoreError::Redis(_)));
    }
}
