//! What one connection is doing — accepted when, requests in flight, served,
//! idle since when, which protocol its first bytes name, whether it is asked
//! to close — shared by its task (timers), the registry (cap, shutdown), its
//! I/O (reads) and its requests (start, end). No I/O here.

use super::EdgeLimits;
use std::sync::{Mutex, MutexGuard, PoisonError};
use tokio::{sync::Notify, time::Instant};

/// The HTTP/2 connection preface (RFC 9113 §3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Which protocol the connection speaks, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    /// Fewer bytes than the HTTP/2 preface so far, all matching it.
    Unknown(u8),
    Http1,
    Http2,
}

/// Why a connection is asked to close from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CloseReason {
    /// To make room under the connection cap.
    Evicted,
    /// The server is shutting down.
    Shutdown,
}

impl CloseReason {
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Evicted => "evicted",
            Self::Shutdown => "shutdown",
        }
    }
}

/// What the timers and the cap need to know about a connection, updated by
/// its I/O (reads) and by its requests (start, end).
#[derive(Debug)]
pub(super) struct Activity {
    pub(super) accepted: Instant,
    /// Requests handed to the router and not answered yet.
    pub(super) in_flight: usize,
    /// Requests answered.
    pub(super) served: u64,
    /// When `in_flight` last fell to zero (or the connection was accepted).
    pub(super) idle_since: Instant,
    /// The first byte read while no request was in flight, since `idle_since`.
    pub(super) head_started: Option<Instant>,
    pub(super) protocol: Protocol,
    /// A request body was dropped before its end: the client may still be sending.
    pub(super) body_unread: bool,
    /// Asked to close from outside.
    pub(super) close: Option<CloseReason>,
    /// The connection is lingering (nothing more will be answered).
    pub(super) lingering: bool,
}

/// A connection's shared state: read by its task, the registry (cap,
/// shutdown), its I/O and its requests.
#[derive(Debug)]
pub(super) struct Conn {
    id: u64,
    activity: Mutex<Activity>,
    /// Wakes the connection's task: a request ended, a head started, or a close was asked.
    pub(super) wake: Notify,
}

impl Conn {
    pub(super) fn new(id: u64) -> Self {
        let now = Instant::now();
        Self {
            id,
            activity: Mutex::new(Activity {
                accepted: now,
                in_flight: 0,
                served: 0,
                idle_since: now,
                head_started: None,
                protocol: Protocol::Unknown(0),
                body_unread: false,
                close: None,
                lingering: false,
            }),
            wake: Notify::new(),
        }
    }

    pub(super) fn id(&self) -> u64 {
        self.id
    }

    pub(super) fn activity(&self) -> MutexGuard<'_, Activity> {
        self.activity.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Since when the connection has had no request in flight, if it has
    /// none and is not closing already (the cap closes the oldest such).
    pub(super) fn evictable_since(&self) -> Option<Instant> {
        let activity = self.activity();
        (activity.in_flight == 0 && activity.close.is_none()).then_some(activity.idle_since)
    }

    /// Asks the connection to close (see [`CloseReason`]).
    pub(super) fn close(&self, reason: CloseReason) {
        self.activity().close.get_or_insert(reason);
        self.wake.notify_one();
    }

    /// A request was handed to the router.
    pub(super) fn request_started(&self) {
        let mut activity = self.activity();
        activity.in_flight += 1;
        activity.head_started = None;
    }

    /// A request was answered (its response head is ready).
    pub(super) fn request_ended(&self) {
        {
            let mut activity = self.activity();
            activity.in_flight -= 1;
            activity.served += 1;
            if activity.in_flight == 0 {
                activity.idle_since = Instant::now();
                activity.head_started = None;
            }
        }
        self.wake.notify_one();
    }

    /// A request body was dropped before its end.
    pub(super) fn body_left_unread(&self) {
        self.activity().body_unread = true;
    }

    /// Bytes were read from the client.
    pub(super) fn read(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let mut activity = self.activity();
        if let Protocol::Unknown(matched) = activity.protocol {
            let matched = usize::from(matched);
            let take = bytes.len().min(H2_PREFACE.len() - matched);
            activity.protocol = if bytes[..take] != H2_PREFACE[matched..matched + take] {
                Protocol::Http1
            } else if matched + take == H2_PREFACE.len() {
                Protocol::Http2
            } else {
                Protocol::Unknown(u8::try_from(matched + take).unwrap_or(u8::MAX))
            };
        }
        if activity.in_flight == 0 && activity.head_started.is_none() && !activity.lingering {
            activity.head_started = Some(Instant::now());
            drop(activity);
            self.wake.notify_one();
        }
    }

    /// When the connection must have made progress by, and what it is
    /// waiting for then; `None` while a request is in flight (the request
    /// timeout bounds it).
    pub(super) fn deadline(&self, limits: &EdgeLimits) -> Option<(Instant, Waiting)> {
        let activity = self.activity();
        if activity.in_flight > 0 {
            return None;
        }
        Some(match (activity.protocol, activity.served, activity.head_started) {
            // HTTP/2 frames between requests (pings, settings) are not request heads.
            (Protocol::Http2, _, _) => (activity.idle_since + limits.idle_timeout, Waiting::Idle),
            (_, 0, started) => (activity.accepted + limits.header_timeout, Waiting::head(started.is_some())),
            (_, _, Some(started)) => (started + limits.header_timeout, Waiting::Head),
            (_, _, None) => (activity.idle_since + limits.idle_timeout, Waiting::Idle),
        })
    }
}

/// What a connection without a request in flight waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Waiting {
    /// The rest of a request head whose first bytes arrived.
    Head,
    /// Nothing has arrived.
    Idle,
}

impl Waiting {
    fn head(started: bool) -> Self {
        if started {
            Self::Head
        } else {
            Self::Idle
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits() -> EdgeLimits {
        EdgeLimits {
            header_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(30),
            ..EdgeLimits::default()
        }
    }

    #[test]
    fn detects_the_http2_preface_across_reads() {
        let conn = Conn::new(0);
        conn.read(b"PRI * HTTP");
        assert_eq!(conn.activity().protocol, Protocol::Unknown(10));
        conn.read(b"/2.0\r\n\r\nSM\r\n\r\n\0\0\x12");
        assert_eq!(conn.activity().protocol, Protocol::Http2);
        let conn = Conn::new(1);
        conn.read(b"POST / HTTP/1.1\r\n");
        assert_eq!(conn.activity().protocol, Protocol::Http1);
    }

    #[test]
    fn deadlines_follow_the_connection_state() {
        let limits = limits();
        let conn = Conn::new(0);
        let accepted = conn.activity().accepted;
        // New and silent: the header timeout from accept.
        assert_eq!(conn.deadline(&limits), Some((accepted + limits.header_timeout, Waiting::Idle)));
        conn.read(b"GET / HT");
        assert_eq!(conn.deadline(&limits), Some((accepted + limits.header_timeout, Waiting::Head)));
        conn.request_started();
        assert_eq!(conn.deadline(&limits), None, "in flight: the request timeout applies");
        assert_eq!(conn.evictable_since(), None);
        conn.request_ended();
        let idle = conn.activity().idle_since;
        assert_eq!(conn.deadline(&limits), Some((idle + limits.idle_timeout, Waiting::Idle)));
        assert_eq!(conn.evictable_since(), Some(idle));
        conn.read(b"G");
        let started = conn.activity().head_started.expect("the first byte starts a head");
        assert!(started >= idle);
        assert_eq!(conn.deadline(&limits), Some((started + limits.header_timeout, Waiting::Head)));
        conn.close(CloseReason::Evicted);
        assert_eq!(conn.evictable_since(), None, "already closing");
    }
}
