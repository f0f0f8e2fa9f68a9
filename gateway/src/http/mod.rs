//! Thin HTTP layer: parse, call the domain core, map errors (in `error.rs`).

mod ccip;
mod dm3;
mod error;
mod info;
mod names;
mod page;

pub(crate) use error::error_response;
pub use error::{ApiError, HexProblem};
pub use page::{content_security_policy, PageConfig};

use crate::{
    lookup::LookupService,
    names::{dm3::Dm3Profiles, NamesService},
    store::Health,
};
use axum::{
    body::Body,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{header::CONTENT_TYPE, Method, Response, StatusCode},
    middleware::{from_fn, Next},
    Router,
};
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tower::ServiceBuilder;
use tower_governor::{governor::GovernorConfigBuilder, GovernorLayer};
use tower_http::{
    cors::{Any, CorsLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// Default of [`RequestLimits::max_body_bytes`] (`--max-body-bytes`).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest request URI (path and query) accepted, in bytes; longer ones get `414`.
/// A GET lookup's callData is at most half of it (hex).
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Default of [`RequestLimits::timeout`] (`--request-timeout-ms`).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Per-request limits the router enforces. The listener
/// ([`crate::server::serve`]) refuses a declared `Content-Length` over the
/// same `max_body_bytes` before reading, so both checks always agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Largest request body accepted, in bytes; a streamed (chunked) body is
    /// cut off and answered `413` once it grows past it.
    pub max_body_bytes: usize,
    /// Time from the request head to the complete answer (body reading
    /// included) after which a request is answered `408`.
    pub timeout: Duration,
}

impl Default for RequestLimits {
    /// The documented defaults (the flags' defaults).
    fn default() -> Self {
        Self { max_body_bytes: MAX_BODY_BYTES, timeout: REQUEST_TIMEOUT }
    }
}

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The CCIP-read core.
    pub lookup: Arc<LookupService>,
    /// The readiness ping of the record store the lookup reads (`/ready`).
    pub health: Arc<dyn Health>,
    /// The names API core; `None` where names are read-only.
    pub names: Option<Arc<NamesService>>,
    /// dm3's profile API (`/profile/…`) over the same store; `None` where names are read-only.
    pub dm3: Option<Arc<Dm3Profiles>>,
    /// The claim page's options; `None`: the page is off (`GET /` is a 405, its assets 404).
    pub page: Option<Arc<PageConfig>>,
    /// Body size and time limits of every request.
    pub limits: RequestLimits,
}

/// The record function a response answered (`text`, `multicall`, …), set by
/// the CCIP-read handlers as a response extension for the request metrics.
#[derive(Debug, Clone, Copy)]
pub struct RecordFunction(pub &'static str);

/// Per-client-IP limit on names-API writes.
#[derive(Debug, Clone, Copy)]
pub struct WriteRateLimit {
    /// Writes one IP may make at once before waiting.
    pub burst: u32,
    /// Milliseconds after which one more write is allowed.
    pub replenish_ms: u64,
}

/// The whole HTTP application: CCIP-read routes, the names API, the claim
/// page (`GET /`, `/assets/…`, `/page/config.json`, when on), `/info`,
/// `/health`, `/ready`, `/metrics`, CORS, URI and body limits, timeout
/// (the last two from [`AppState::limits`]),
/// request metrics, request tracing (method and route only: no client
/// address, no callData), JSON errors.
///
/// With a `rate_limit` every request needs the `ConnectInfo<SocketAddr>`
/// extension (the peer IP is the key): [`crate::listener::serve`] inserts it;
/// another server must too (`into_make_service_with_connect_info`).
pub fn app(state: AppState, rate_limit: Option<WriteRateLimit>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        .allow_headers(Any)
        .max_age(Duration::from_secs(86_400))
        // Every origin gets the same `*` answer: nothing varies by request header.
        .vary([]);
    let limits = state.limits;
    let mut writes = names::write_router().merge(dm3::write_router());
    if let Some(limit) = rate_limit {
        let config = GovernorConfigBuilder::default()
            .per_millisecond(limit.replenish_ms.max(1))
            .burst_size(limit.burst.max(1))
            .finish()
            .expect("burst and period are non-zero");
        writes = writes.layer(GovernorLayer::new(Arc::new(config)));
    }
    Router::new()
        .merge(page::router(state.page.as_deref()))
        .merge(info::router())
        .merge(names::read_router())
        .merge(dm3::read_router())
        .merge(writes)
        .merge(ccip::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request| {
                            tracing::info_span!("request", method = %request.method(), route = route_label(request))
                        })
                        .on_response(error::log_failures),
                )
                .layer(from_fn(edge))
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, limits.timeout))
                .layer(cors)
                .layer(DefaultBodyLimit::max(limits.max_body_bytes)),
        )
        .with_state(state)
}

/// A fixed label for the route a request matched (never the raw path, which
/// holds callData and addresses).
fn route_label(request: &Request) -> &'static str {
    let Some(path) = request.extensions().get::<MatchedPath>() else { return "unmatched" };
    match path.as_str() {
        "/" if request.method() == Method::GET => "page",
        "/assets/{file}" | "/page/config.json" => "page",
        "/" | "/{resolver}" => "ccip_post",
        "/{sender}/{data}" | "/{resolver}/{sender}/{data}" => "ccip_get",
        "/info" => "info",
        "/health" => "health",
        "/ready" => "ready",
        "/metrics" => "metrics",
        p if p.starts_with("/names") || p.starts_with("/owners") => "names",
        p if p.starts_with("/profile") => "dm3_profile",
        _ => "other",
    }
}

/// What every request passes through, in one middleware (each layer costs
/// a boxed future and a service clone per request): `414` for a URI longer
/// than [`MAX_URI_BYTES`], the JSON body for errors made outside the
/// handlers, and the request metrics.
async fn edge(request: Request, next: Next) -> Response<Body> {
    let route = route_label(&request);
    let started = Instant::now();
    let length = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let response = if length > MAX_URI_BYTES {
        error::error_response(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("request URI has {length} bytes, at most {MAX_URI_BYTES} are accepted"),
        )
    } else {
        json_errors(next.run(request).await)
    };
    track(route, started, &response);
    response
}

/// Counts the request and records its duration.
fn track(route: &'static str, started: Instant, response: &Response<Body>) {
    let record = response.extensions().get::<RecordFunction>().map_or("-", |function| function.0);
    let status = response.status();
    metrics::counter!("dm3_gateway_requests_total", "route" => route, "record" => record, "status" => status_label(status))
        .increment(1);
    metrics::histogram!("dm3_gateway_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
}

/// A static label for common statuses (no allocation per request).
fn status_label(status: StatusCode) -> metrics::SharedString {
    let label = match status.as_u16() {
        200 => "200",
        201 => "201",
        204 => "204",
        304 => "304",
        400 => "400",
        401 => "401",
        404 => "404",
        405 => "405",
        408 => "408",
        409 => "409",
        413 => "413",
        414 => "414",
        429 => "429",
        500 => "500",
        503 => "503",
        504 => "504",
        other => return other.to_string().into(),
    };
    label.into()
}

/// Gives error responses made by middleware (413, 408, 429 …) the same
/// `{"message", "code"}` JSON body as the handlers' errors.
fn json_errors(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    let is_json = response.headers().get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let message = status.canonical_reason().unwrap_or("error").to_lowercase();
    let code = message.replace(' ', "_");
    let body = serde_json::json!({ "message": message, "code": code }).to_string();
    parts.headers.insert(CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
