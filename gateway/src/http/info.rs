//! `GET /info` and `GET /health`.

use super::AppState;
use axum::{extract::State, routing::get, Json, Router};
use serde_json::{json, Value};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/info", get(info)).route("/health", get(health))
}

/// The signer address and policy, for operators and for contract set-up.
async fn info(State(state): State<AppState>) -> Json<Value> {
    let policy = state.lookup.policy();
    Json(json!({
        "signers": [state.lookup.signer().address()],
        "resolvers": policy.resolvers,
        "parents": policy.parents,
        "ttl": policy.ttl.as_secs(),
        "store": state.lookup.store().kind(),
        "signsForAnyResolver": policy.resolvers.is_empty(),
    }))
}

/// Liveness: the process answers.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
