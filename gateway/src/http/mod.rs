//! Thin HTTP layer: parse, call the domain core, map errors (in `error.rs`).

mod ccip;
mod error;
mod info;
mod names;

pub use error::ApiError;

use crate::{lookup::LookupService, names::NamesService};
use axum::{
    body::Body,
    extract::DefaultBodyLimit,
    http::{header::CONTENT_TYPE, Method, Response},
    middleware::map_response,
    Router,
};
use std::{sync::Arc, time::Duration};
use tower::ServiceBuilder;
use tower_governor::{governor::GovernorConfigBuilder, GovernorLayer};
use tower_http::{
    cors::{Any, CorsLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Time after which a request is answered `408`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The CCIP-read core.
    pub lookup: Arc<LookupService>,
    /// The names API core; `None` where names are read-only.
    pub names: Option<Arc<NamesService>>,
}

/// Per-client-IP limit on names-API writes.
#[derive(Debug, Clone, Copy)]
pub struct WriteRateLimit {
    /// Writes one IP may make at once before waiting.
    pub burst: u32,
    /// Milliseconds after which one more write is allowed.
    pub replenish_ms: u64,
}

/// The whole HTTP application: CCIP-read routes, the names API, `/info`,
/// `/health`, CORS, body limit, timeout, request tracing, JSON errors.
///
/// With a `rate_limit` the server must be run with
/// `into_make_service_with_connect_info::<SocketAddr>()` (peer IP is the key).
pub fn app(state: AppState, rate_limit: Option<WriteRateLimit>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        .allow_headers(Any)
        .max_age(Duration::from_secs(86_400));
    let mut writes = names::write_router();
    if let Some(limit) = rate_limit {
        let config = GovernorConfigBuilder::default()
            .per_millisecond(limit.replenish_ms.max(1))
            .burst_size(limit.burst.max(1))
            .finish()
            .expect("burst and period are non-zero");
        writes = writes.layer(GovernorLayer::new(Arc::new(config)));
    }
    Router::new()
        .merge(info::router())
        .merge(names::read_router())
        .merge(writes)
        .merge(ccip::router())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(map_response(json_errors))
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
                .layer(cors)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .with_state(state)
}

/// Gives error responses made by middleware (413, 408, 429 …) the same
/// `{"message", "code"}` JSON body as the handlers' errors.
async fn json_errors(response: Response<Body>) -> Response<Body> {
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
