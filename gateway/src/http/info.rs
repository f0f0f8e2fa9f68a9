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
