//! The HTTP edge: accepting TCP connections and serving HTTP/1.1 and HTTP/2
//! on them with every limit a client could otherwise stretch.
//!
//! Connections are served by hyper-util's protocol-detecting builder
//! (`auto::Builder`: HTTP/1.1, or HTTP/2 after its preface) with Tokio's
//! executor and timer. Around each connection this module keeps what hyper
//! does not:
//!
//! - **timeouts while no request is in flight** ([`connection`]): a new
//!   connection must deliver a complete request head within
//!   [`EdgeLimits::header_timeout`]; between requests a keep-alive connection
//!   may sit silent for [`EdgeLimits::idle_timeout`], and once the next
//!   request's first byte arrives its head must be complete within the header
//!   timeout. A partial HTTP/1 head at the deadline is answered `408` and the
//!   connection closed; a silent one is just closed. These run also before
//!   hyper has chosen the protocol, so a client that sends nothing at all is
//!   closed too. (hyper's own `header_read_timeout` is off: it restarts on
//!   every idle keep-alive connection and would cut idle connections at the
//!   header timeout.)
//! - **limits on the request head** (hyper): at most
//!   [`EdgeLimits::max_header_bytes`] for the request line and headers
//!   together, and [`EdgeLimits::max_headers`] header lines; beyond either,
//!   hyper answers `431` and closes.
//! - **refusals before the body is read** ([`request`]): a declared
//!   `Content-Length` over [`EdgeLimits::max_body_bytes`] is answered `413`
//!   at once, without `100 Continue`; an HTTP/1.1 request without exactly one
//!   `Host` header is answered `400` (RFC 9112 §3.2).
//! - **lingering close**, as nginx does: when a connection ends while the
//!   client may still be sending (an answer given before its body was read, a
//!   `408`, a parse error), the gateway half-closes, then reads and discards
//!   for at most [`EdgeLimits::linger_timeout`] and
//!   [`EdgeLimits::linger_bytes`], so that the client's writes do not fail and
//!   it reads the answer, instead of a reset that destroys the answer.
//! - **a cap on open connections** ([`EdgeLimits::max_connections`]): at the
//!   cap, the connection that has waited longest without a request in flight
//!   (idle keep-alive, still sending its head, or lingering) is closed to make
//!   room for the new one, as nginx reuses its idle connections; when every
//!   connection has a request in flight, accepting pauses until one ends (new
//!   clients wait in the kernel's listen backlog). When the process runs out
//!   of file descriptors (`EMFILE`/`ENFILE`) it closes one such connection and
//!   backs off (10 ms, doubling up to 1 s) instead of retrying at once.
//! - **shutdown that always ends**: when the shutdown future completes the
//!   listener is closed, connections without a request in flight are closed,
//!   the others finish their requests (HTTP/1 without keep-alive, HTTP/2 with
//!   `GOAWAY`); whatever is still open after [`EdgeLimits::shutdown_timeout`]
//!   is dropped, and [`serve`] returns.

mod activity;
mod connection;
mod request;

use activity::{CloseReason, Conn};
use axum::Router;
use std::{
    collections::HashMap,
    future::Future,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Duration,
};
use tokio::{net::TcpListener, task::JoinSet};

/// The limits of the HTTP edge (every one a flag: see `config::EdgeConfig`).
#[derive(Debug, Clone)]
pub struct EdgeLimits {
    /// Time a request head may take: from accepting a connection to its first
    /// complete head, and from the first byte of each later request to its
    /// complete head.
    pub header_timeout: Duration,
    /// Time a keep-alive connection may stay silent between requests.
    pub idle_timeout: Duration,
    /// Most bytes of a request line and headers together (`431` beyond).
    pub max_header_bytes: usize,
    /// Most header lines of a request (`431` beyond).
    pub max_headers: usize,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Largest declared `Content-Length` accepted (`413` beyond, before
    /// reading); the gateway sets it to the router's body limit
    /// ([`crate::http::RequestLimits::max_body_bytes`]).
    pub max_body_bytes: u64,
    /// Longest a closing connection keeps reading what the client still sends.
    pub linger_timeout: Duration,
    /// Most bytes a closing connection reads and discards.
    pub linger_bytes: u64,
    /// Longest a shutdown waits for in-flight requests.
    pub shutdown_timeout: Duration,
}

impl Default for EdgeLimits {
    /// The documented defaults (the flags' defaults).
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(30),
            max_header_bytes: 32 * 1024,
            max_headers: 100,
            max_connections: 4096,
            max_body_bytes: crate::http::MAX_BODY_BYTES as u64,
            linger_timeout: Duration::from_secs(5),
            linger_bytes: 8 * 1024 * 1024,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// The open connections, for the cap and for shutdown.
#[derive(Debug, Default)]
struct Registry {
    open: Mutex<HashMap<u64, Arc<Conn>>>,
    next_id: AtomicU64,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn insert(&self, conn: Arc<Conn>) -> usize {
        let mut open = self.lock();
        open.insert(conn.id(), conn);
        open.len()
    }

    fn remove(&self, id: u64) {
        let open = {
            let mut open = self.lock();
            open.remove(&id);
            open.len()
        };
        metrics::gauge!("dm3_gateway_connections_open").set(open as f64);
    }

    /// Asks the connection that has waited longest without a request in
    /// flight to close; `false` when every connection is busy.
    fn evict_one(&self) -> bool {
        let victim = self
            .lock()
            .values()
            .filter_map(|conn| conn.evictable_since().map(|since| (since, Arc::clone(conn))))
            .min_by_key(|(since, _)| *since);
        match victim {
            Some((_, conn)) => {
                conn.close(CloseReason::Evicted);
                true
            }
            None => false,
        }
    }

    fn close_all(&self) {
        for conn in self.lock().values() {
            conn.close(CloseReason::Shutdown);
        }
    }
}

/// Removes its connection from the registry when the connection's task ends
/// (or is aborted).
struct Registered {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

/// Whether an `accept` error means the process is out of file descriptors
/// or socket memory (retrying at once would spin).
fn is_resource_exhaustion(error: &std::io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12 (Linux).
    matches!(error.raw_os_error(), Some(24 | 23 | 105 | 12))
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes,
/// then shuts down as described in the module documentation and returns. The
/// router gets each request with `ConnectInfo<SocketAddr>` of the peer.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: EdgeLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = Arc::new(limits);
    let builder = Arc::new(connection::builder(&limits));
    let registry = Arc::new(Registry::default());
    let mut tasks = JoinSet::new();
    let mut backoff = Duration::ZERO;
    let mut warned: Option<std::time::Instant> = None;
    tokio::pin!(shutdown);
    loop {
        // At the cap: make room, or wait until a connection ends.
        while registry.len() >= limits.max_connections {
            let evicted = registry.evict_one();
            tokio::select! {
                biased;
                () = &mut shutdown => return drain(listener, registry, tasks, &limits).await,
                _ = tasks.join_next() => {}
            }
            if !evicted {
                tracing::debug!(target: "gateway::http", "connection cap reached, every connection busy: accepting paused");
            }
        }
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => return drain(listener, registry, tasks, &limits).await,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            Err(error) if is_resource_exhaustion(&error) => {
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(10)) {
                    // At most one warning every 10 s: this repeats for as long as the flood lasts.
                    tracing::warn!(target: "gateway::http", %error, "cannot accept: out of file descriptors or memory; closing idle connections and backing off");
                    warned = Some(std::time::Instant::now());
                }
                metrics::counter!("dm3_gateway_accept_errors_total", "reason" => "resources").increment(1);
                registry.evict_one();
                tokio::select! {
                    () = &mut shutdown => return drain(listener, registry, tasks, &limits).await,
                    () = tokio::time::sleep(backoff) => {}
                }
                continue;
            }
            Err(error) => {
                // A connection that failed before accept (reset, aborted): nothing to do.
                tracing::debug!(target: "gateway::http", %error, "accept failed");
                continue;
            }
        };
        spawn_connection(&mut tasks, &registry, &builder, &limits, &router, stream, peer);
    }
}

fn spawn_connection(
    tasks: &mut JoinSet<()>,
    registry: &Arc<Registry>,
    builder: &Arc<connection::Builder>,
    limits: &Arc<EdgeLimits>,
    router: &Router,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
) {
    // Answers are written whole; Nagle's algorithm would only hold them back.
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(target: "gateway::http", "TCP_NODELAY: {e}");
    }
    let id = registry.next_id.fetch_add(1, Ordering::Relaxed);
    let conn = Arc::new(Conn::new(id));
    let open = registry.insert(Arc::clone(&conn));
    metrics::gauge!("dm3_gateway_connections_open").set(open as f64);
    let registered = Registered { registry: Arc::clone(registry), id };
    let (builder, limits, router) = (Arc::clone(builder), Arc::clone(limits), router.clone());
    tasks.spawn(async move {
        let _registered = registered;
        connection::run(conn, stream, peer, &builder, router, &limits).await;
    });
}

/// Stops accepting, asks every connection to close, and waits for them for
/// at most the shutdown timeout.
async fn drain(
    listener: TcpListener,
    registry: Arc<Registry>,
    mut tasks: JoinSet<()>,
    limits: &EdgeLimits,
) -> std::io::Result<()> {
    drop(listener);
    registry.close_all();
    let open = tasks.len();
    let finished =
        tokio::time::timeout(limits.shutdown_timeout, async { while tasks.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        tracing::warn!(
            target: "gateway",
            left = tasks.len(),
            "shutdown timeout: dropping connections that are still open"
        );
        tasks.shutdown().await;
    }
    tracing::info!(target: "gateway", connections = open, "every connection closed");
    Ok(())
}
