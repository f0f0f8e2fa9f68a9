//! A Redis connection that finds its server through Redis Sentinel and
//! follows a failover by itself.
//!
//! Discovery is the `redis` crate's: [`Sentinel::async_master_for`] asks the
//! Sentinels (several at once) for the primary of the service and checks with
//! `ROLE` that the server it names really is a primary, as Redis's guidelines
//! for Sentinel clients ask. The connection is kept until it fails; a failure
//! that says the server is gone or no longer the primary (I/O error, dropped
//! connection, timeout, `READONLY`) forgets it, so the next command asks the
//! Sentinels again and lands on the promoted replica. Sentinel also closes
//! every client connection of a demoted primary (`CLIENT KILL`), which this
//! turns into a new discovery as well.

use redis::{
    aio::{ConnectionLike, MultiplexedConnection},
    sentinel::{Sentinel, SentinelNodeConnectionInfo},
    AsyncConnectionConfig, Cmd, Pipeline, RedisError, RedisFuture, Value,
};
use std::{sync::Arc, time::Duration};

/// Which server of the service a [`SentinelConnection`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The primary (reads and writes).
    Primary,
    /// A replica chosen at random (reads that may lag the primary).
    Replica,
}

struct Inner {
    sentinel: tokio::sync::Mutex<Sentinel>,
    service: String,
    node: SentinelNodeConnectionInfo,
    role: Role,
    config: AsyncConnectionConfig,
    timeout: Duration,
    current: std::sync::Mutex<Option<MultiplexedConnection>>,
    db: i64,
}

/// A multiplexed connection to the primary (or a replica) of a Sentinel
/// service; cheap to clone, all clones share one connection.
#[derive(Clone)]
pub(crate) struct SentinelConnection(Arc<Inner>);

impl std::fmt::Debug for SentinelConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentinelConnection")
            .field("service", &self.0.service)
            .field("role", &self.0.role)
            .finish_non_exhaustive()
    }
}

/// Whether `error` means the server is gone or is not the primary any more,
/// so the next command must ask the Sentinels again.
pub(crate) fn means_switch(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
        || error.is_unrecoverable_error()
        || error.code() == Some("READONLY")
        || error.code() == Some("MASTERDOWN")
        || error.to_string().contains("READONLY")
}

impl SentinelConnection {
    /// Prepares a connection to the `role` server of `service` known to
    /// `sentinels` (`redis://host:port` each); does not connect yet. `node`
    /// holds the database and credentials of the data servers. Discovery and
    /// every command time out after `timeout`.
    pub(crate) fn new(
        sentinels: &[String],
        service: &str,
        node: SentinelNodeConnectionInfo,
        db: i64,
        role: Role,
        timeout: Duration,
    ) -> Result<Self, RedisError> {
        let sentinel = Sentinel::build(sentinels.to_vec())?;
        let config =
            AsyncConnectionConfig::new().set_connection_timeout(Some(timeout)).set_response_timeout(Some(timeout));
        Ok(Self(Arc::new(Inner {
            sentinel: tokio::sync::Mutex::new(sentinel),
            service: service.to_owned(),
            node,
            role,
            config,
            timeout,
            current: std::sync::Mutex::new(None),
            db,
        })))
    }

    /// A client for the current `role` server, asked of the Sentinels now.
    pub(crate) async fn discover(&self) -> Result<redis::Client, RedisError> {
        let inner = &self.0;
        let lookup = async {
            let mut sentinel = inner.sentinel.lock().await;
            match inner.role {
                Role::Primary => sentinel.async_master_for(&inner.service, Some(&inner.node)).await,
                Role::Replica => sentinel.async_replica_for(&inner.service, Some(&inner.node)).await,
            }
        };
        tokio::time::timeout(inner.timeout, lookup).await.map_err(|_| {
            RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, "sentinel lookup timed out"))
        })?
    }

    async fn connection(&self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(conn) = self.0.current.lock().expect("not poisoned").clone() {
            return Ok(conn);
        }
        let client = self.discover().await?;
        let conn = client.get_multiplexed_async_connection_with_config(&self.0.config).await?;
        tracing::info!(target: "gateway::store", service = %self.0.service, role = ?self.0.role, "connected through sentinel");
        let mut current = self.0.current.lock().expect("not poisoned");
        Ok(current.get_or_insert(conn).clone())
    }

    fn forget(&self, error: &RedisError) {
        if means_switch(error) {
            tracing::debug!(target: "gateway::store", %error, "redis connection lost; asking the sentinels again");
            *self.0.current.lock().expect("not poisoned") = None;
        }
    }
}

impl ConnectionLike for SentinelConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            let result = conn.req_packed_command(cmd).await;
            match result {
                Err(e) if e.code() == Some("READONLY") => {
                    // Nothing ran: the server was demoted; run it once on the new primary.
                    self.forget(&e);
                    self.connection().await?.req_packed_command(cmd).await.inspect_err(|e| self.forget(e))
                }
                other => other.inspect_err(|e| self.forget(e)),
            }
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let mut conn = self.connection().await?;
            conn.req_packed_commands(pipeline, offset, count).await.inspect_err(|e| self.forget(e))
        })
    }

    fn get_db(&self) -> i64 {
        self.0.db
    }
}
