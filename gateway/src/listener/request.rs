//! The hyper service of a connection: refuses what can be refused from the
//! request head alone, then hands the request to the router, keeping the
//! connection's books (requests in flight, bodies left unread).

use super::activity::Conn;
use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{
        header::{CONTENT_LENGTH, HOST},
        Request, Response, StatusCode, Version,
    },
    Router,
};
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use std::{
    convert::Infallible,
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
};
use tower::Service;

/// Serves one connection's requests with the router.
#[derive(Debug, Clone)]
pub(super) struct EdgeService {
    router: Router,
    conn: Arc<Conn>,
    peer: SocketAddr,
    max_body_bytes: u64,
}

impl EdgeService {
    pub(super) fn new(router: Router, conn: Arc<Conn>, peer: SocketAddr, max_body_bytes: u64) -> Self {
        Self { router, conn, peer, max_body_bytes }
    }
}

/// Counts a request as in flight for as long as it lives.
struct InFlight(Arc<Conn>);

impl InFlight {
    fn enter(conn: &Arc<Conn>) -> Self {
        conn.request_started();
        Self(Arc::clone(conn))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// The answer to a request that its head alone disqualifies, if any:
/// `400` for an HTTP/1.1 request without exactly one `Host` header (RFC 9112
/// §3.2), `413` for a declared body over `max_body_bytes`.
fn refusal<B>(request: &Request<B>, max_body_bytes: u64) -> Option<Response<Body>> {
    if request.version() == Version::HTTP_11 {
        match request.headers().get_all(HOST).iter().count() {
            1 => {}
            0 => {
                return Some(crate::http::error_response(
                    StatusCode::BAD_REQUEST,
                    "missing_host",
                    "an HTTP/1.1 request needs a Host header".into(),
                ))
            }
            _ => {
                return Some(crate::http::error_response(
                    StatusCode::BAD_REQUEST,
                    "invalid_host",
                    "more than one Host header".into(),
                ))
            }
        }
    }
    // hyper has already refused a malformed or repeated Content-Length.
    let declared = request.headers().get(CONTENT_LENGTH)?.to_str().ok()?.parse::<u64>().ok()?;
    (declared > max_body_bytes).then(|| {
        crate::http::error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body of {declared} bytes declared, at most {max_body_bytes} are accepted"),
        )
    })
}

impl hyper::service::Service<Request<Incoming>> for EdgeService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let in_flight = InFlight::enter(&self.conn);
        if let Some(response) = refusal(&request, self.max_body_bytes) {
            if !request.body().is_end_stream() {
                self.conn.body_left_unread();
            }
            // The body is dropped unread: hyper sends no `100 Continue` and
            // closes the connection after the answer.
            drop(request);
            drop(in_flight);
            return Box::pin(std::future::ready(Ok(response)));
        }
        let mut request =
            request.map(|body| Body::new(TrackedBody { inner: body, conn: Arc::clone(&self.conn), finished: false }));
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let mut router = self.router.clone();
        Box::pin(async move {
            let response = router.call(request).await;
            drop(in_flight);
            response
        })
    }
}

/// A request body that tells its connection when it is dropped before its end.
struct TrackedBody {
    inner: Incoming,
    conn: Arc<Conn>,
    finished: bool,
}

impl HttpBody for TrackedBody {
    type Data = axum::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(None) = frame {
            self.finished = true;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        if !self.finished && !self.inner.is_end_stream() {
            self.conn.body_left_unread();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(version: Version, headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::builder().uri("/").version(version);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn refuses_from_the_head() {
        let status = |version, headers: &[(&str, &str)]| refusal(&request(version, headers), 1000).map(|r| r.status());
        assert_eq!(status(Version::HTTP_11, &[("host", "a")]), None);
        assert_eq!(status(Version::HTTP_11, &[]), Some(StatusCode::BAD_REQUEST));
        assert_eq!(status(Version::HTTP_11, &[("host", "a"), ("host", "b")]), Some(StatusCode::BAD_REQUEST));
        // HTTP/1.0 and HTTP/2 (`:authority`) need no Host header.
        assert_eq!(status(Version::HTTP_10, &[]), None);
        assert_eq!(status(Version::HTTP_2, &[]), None);
        assert_eq!(status(Version::HTTP_11, &[("host", "a"), ("content-length", "1000")]), None);
        assert_eq!(
            status(Version::HTTP_11, &[("host", "a"), ("content-length", "1001")]),
            Some(StatusCode::PAYLOAD_TOO_LARGE)
        );
        assert_eq!(
            status(Version::HTTP_2, &[("content-length", "1000000000000")]),
            Some(StatusCode::PAYLOAD_TOO_LARGE)
        );
    }
}
