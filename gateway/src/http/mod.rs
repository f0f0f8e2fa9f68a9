//! Thin HTTP layer: parse, call [`LookupService`], map errors (in `error.rs`).

mod ccip;
mod error;
mod info;

pub use error::ApiError;

use crate::lookup::LookupService;
use axum::{extract::DefaultBodyLimit, http::Method, Router};
use std::{sync::Arc, time::Duration};
use tower::ServiceBuilder;
use tower_http::{
    cors::{Any, CorsLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

/// Largest request body accepted (a `POST` of calldata), in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Time after which a request is answered `408`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The domain core.
    pub lookup: Arc<LookupService>,
}

/// The whole HTTP application: CCIP-read routes, `/info`, `/health`, CORS,
/// body limit, timeout and request tracing.
pub fn app(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(Any)
        .max_age(Duration::from_secs(86_400));
    Router::new()
        .merge(info::router())
        .merge(ccip::router())
        .fallback(error::not_found)
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
                .layer(cors)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .with_state(state)
}
