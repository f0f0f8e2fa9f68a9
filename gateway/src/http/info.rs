//! `GET /info`, `GET /health`, `GET /ready` and `GET /metrics`.

use super::AppState;
use axum::{
    extract::State,
    http::{header::CONTENT_TYPE, StatusCode},
    response::IntoResponse,
    routing::get,
    Json, Router,
};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/info", get(info))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// The signer address and policy, for operators and for contract set-up.
async fn info(State(state): State<AppState>) -> Json<Value> {
    let policy = state.lookup.policy();
    let names = state.names.as_ref().map(|names| {
        let config = names.config();
        json!({
            "parents": config.rules.parents,
            "minLabelLength": config.rules.min_label_length,
            "reserved": config.rules.reserved,
            "maxNamesPerOwner": config.max_names_per_owner,
            "eip712Domain": {
                "name": names.domain().name,
                "version": names.domain().version,
                "chainId": config.chain_id,
                "verifyingContract": config.resolver,
            },
        })
    });
    Json(json!({
        "names": names,
        "signers": state.lookup.signers(),
        "activeSigner": state.lookup.signer().address(),
        "cache": state.lookup.cache().map(|cache| json!({
            "freshFor": cache.config().fresh_for.as_secs(),
            "maxBytes": cache.config().max_bytes,
        })),
        "resolvers": policy.resolvers,
        "dm3Resolvers": state.lookup.dm3_resolvers(),
        "parents": policy.parents,
        "ttl": policy.ttl.as_secs(),
        "store": state.lookup.store().backend(),
        "signsForAnyResolver": policy.resolvers.is_empty(),
    }))
}

/// Liveness: the process answers.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the store answers a ping within the store timeout; else `503`
/// so a load balancer takes this gateway out of rotation.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let store = state.lookup.store().backend();
    let timeout = state.lookup.policy().store_timeout;
    let result = match tokio::time::timeout(timeout, state.health.ping()).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {timeout:?}")),
    };
    match result {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready", "store": store }))),
        Err(error) => {
            tracing::warn!(target: "gateway::http", store, %error, "not ready: store unreachable");
            let body = json!({
                "status": "unavailable",
                "store": store,
                "message": "record store unavailable",
                "code": "store_unavailable",
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

/// Prometheus text format.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let text = crate::telemetry::render(state.lookup.cache().map(crate::cache::ResponseCache::entry_count));
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text)
}
