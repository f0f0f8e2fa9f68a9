//! One connection's life: hyper serves it, this module times it, answers a
//! request head that never completes with `408`, and lingers on close.

use super::{
    activity::{CloseReason, Conn, Protocol, Waiting},
    request::EdgeService,
    EdgeLimits,
};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll},
    time::Duration,
};
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::TcpStream,
    time::Instant,
};

/// hyper-util's protocol-detecting connection builder.
pub(super) type Builder = hyper_util::server::conn::auto::Builder<TokioExecutor>;

/// hyper's smallest read buffer limit.
const MIN_BUF_SIZE: usize = 8192;

/// How long an HTTP/2 connection closed by a timeout may take to send its `GOAWAY`.
const GOAWAY_GRACE: Duration = Duration::from_secs(1);
/// How long writing the `408` may take.
const WRITE_408_TIMEOUT: Duration = Duration::from_secs(1);

/// The connection builder for `limits`: HTTP/1.1 with the head limits, and
/// HTTP/2 with the same header-list limit.
pub(super) fn builder(limits: &EdgeLimits) -> Builder {
    let mut builder = Builder::new(TokioExecutor::new());
    let mut http1 = builder.http1();
    http1
        .timer(TokioTimer::new())
        // The header and idle deadlines are kept by `run` (see the module
        // documentation of `listener`); hyper's would restart on every idle
        // keep-alive connection.
        .header_read_timeout(None)
        // The read buffer may not grow past this: a head that does not fit
        // is answered `431` (hyper-util's builder does not expose hyper's
        // `max_header_size`; body bytes are handed on as they arrive, so this
        // does not limit bodies).
        .max_buf_size(limits.max_header_bytes.max(MIN_BUF_SIZE))
        .keep_alive(true);
    if limits.max_headers != 100 {
        // 100 is hyper's default, parsed on the stack; any other count is a heap allocation per request.
        http1.max_headers(limits.max_headers);
    }
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
    builder
}

/// The connection's socket as hyper sees it: shared with [`run`], which
/// takes it back when hyper is done (to answer `408` or to linger), and
/// reporting every read to the connection's [`Conn`].
#[derive(Debug)]
struct EdgeIo {
    stream: Arc<Mutex<TcpStream>>,
    conn: Arc<Conn>,
}

impl EdgeIo {
    fn stream(&self) -> MutexGuard<'_, TcpStream> {
        self.stream.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl AsyncRead for EdgeIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut *self.stream()).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            self.conn.read(&buf.filled()[before..]);
        }
        result
    }
}

impl AsyncWrite for EdgeIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.stream()).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.stream()).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.stream()).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.stream()).poll_shutdown(cx)
    }
}

/// How the hyper side of a connection ended.
enum Ended {
    /// hyper finished (`true`: with an error, e.g. a head it refused with `431`/`400`).
    Served(bool),
    /// No complete head within the header timeout.
    HeadTimeout,
    /// Silent for the idle (or, before the first byte, the header) timeout.
    IdleTimeout,
    /// Closed from outside with nothing in flight.
    Closed(CloseReason),
}

/// Serves one connection until it ends, then answers `408` or lingers as
/// described in the `listener` module documentation.
pub(super) async fn run(
    conn: Arc<Conn>,
    stream: TcpStream,
    peer: SocketAddr,
    builder: &Builder,
    router: Router,
    limits: &EdgeLimits,
) {
    let stream = Arc::new(Mutex::new(stream));
    let io = TokioIo::new(EdgeIo { stream: Arc::clone(&stream), conn: Arc::clone(&conn) });
    let service = EdgeService::new(router, Arc::clone(&conn), peer, limits.max_body_bytes);
    // Boxed so that it can be dropped (and give the socket back) before the task ends.
    let mut connection = Box::pin(builder.serve_connection(io, service));
    let mut graceful = false;
    let ended = loop {
        let deadline = if graceful { None } else { conn.deadline(limits) };
        tokio::select! {
            result = connection.as_mut() => break Ended::Served(result.is_err()),
            () = sleep_until(deadline.map(|(at, _)| at)) => {
                // Re-checked: a request may have started since the deadline was taken.
                if let Some((at, waiting)) = conn.deadline(limits) {
                    if at <= Instant::now() {
                        break match waiting {
                            Waiting::Head => Ended::HeadTimeout,
                            Waiting::Idle => Ended::IdleTimeout,
                        };
                    }
                }
            }
            () = conn.wake.notified(), if !graceful => {
                let (close, in_flight) = {
                    let activity = conn.activity();
                    (activity.close, activity.in_flight)
                };
                if let Some(reason) = close {
                    if in_flight == 0 {
                        break Ended::Closed(reason);
                    }
                    // Let the requests in flight finish; no more on this connection.
                    connection.as_mut().graceful_shutdown();
                    graceful = true;
                }
            }
        }
    };
    let http2 = conn.activity().protocol == Protocol::Http2;
    let reason = match ended {
        Ended::Served(_) => None,
        Ended::HeadTimeout => Some("header_timeout"),
        Ended::IdleTimeout => Some("idle_timeout"),
        Ended::Closed(reason) => Some(reason.label()),
    };
    if let Some(reason) = reason {
        metrics::counter!("dm3_gateway_connections_closed_total", "reason" => reason).increment(1);
    }
    if http2 && matches!(ended, Ended::HeadTimeout | Ended::IdleTimeout) {
        // HTTP/2 says goodbye with GOAWAY.
        connection.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(GOAWAY_GRACE, connection.as_mut()).await;
    }
    let body_unread = conn.activity().body_unread;
    // hyper's side (and with it the other handle on the socket) goes first.
    drop(connection);
    let Some(stream) = Arc::into_inner(stream) else { return };
    let mut stream = stream.into_inner().unwrap_or_else(PoisonError::into_inner);
    let linger = match ended {
        Ended::Served(failed) => failed || body_unread,
        Ended::HeadTimeout if !http2 => {
            let answer = request_timeout_answer(limits.header_timeout);
            let _ = tokio::time::timeout(WRITE_408_TIMEOUT, stream.write_all(answer.as_bytes())).await;
            true
        }
        _ => false,
    };
    if linger {
        conn.activity().lingering = true;
        linger_close(&conn, stream, limits).await;
    }
}

/// The raw `408` for a request head that did not arrive in time, with the
/// JSON error body of `http::error`.
fn request_timeout_answer(timeout: Duration) -> String {
    let body = serde_json::json!({
        "message": format!("request head not received within {timeout:?}"),
        "code": "request_timeout",
    })
    .to_string();
    format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Half-closes and reads what the client still sends, bounded by the linger
/// limits (and ended early by a close from outside), so that the client reads
/// the answer before the connection is gone.
async fn linger_close(conn: &Conn, mut stream: TcpStream, limits: &EdgeLimits) {
    // The FIN after the answer tells the client that nothing more comes.
    let _ = stream.shutdown().await;
    let deadline = Instant::now() + limits.linger_timeout;
    let mut discarded = 0u64;
    let mut buf = vec![0u8; 16 * 1024];
    while discarded < limits.linger_bytes {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => discarded += n as u64,
            },
            () = tokio::time::sleep_until(deadline) => return,
            () = conn.wake.notified() => {
                if conn.activity().close.is_some() {
                    return;
                }
            }
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_408_is_a_complete_http_answer_with_a_json_body() {
        let answer = request_timeout_answer(Duration::from_secs(5));
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 408 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["code"], "request_timeout");
    }
}
