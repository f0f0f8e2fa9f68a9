//! The names API: claim, read, update, transfer and release dm3 subnames.
//!
//! Bodies are JSON whatever the `Content-Type`. `records` is hashed exactly as
//! sent (its JSON text) for the signature, so clients sign
//! `keccak256(JSON.stringify(records))` and send that same text.

use super::{
    error::{parse_json, HexProblem},
    ApiError, AppState,
};
use crate::names::{Change, NameView, NamesService, SignedWrite};
use alloy::primitives::{Address, Bytes};
use axum::{
    body::Bytes as Body,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, value::RawValue, Value};
use std::sync::Arc;

/// Routes that only read.
pub(super) fn read_router() -> Router<AppState> {
    Router::new().route("/names/{name}", get(get_name)).route("/owners/{owner}/names", get(names_of_owner))
}

/// Routes that write (rate-limited by the caller).
pub(super) fn write_router() -> Router<AppState> {
    Router::new()
        .route("/names", post(claim))
        .route("/names/{name}", axum::routing::put(update))
        .route("/names/{name}/transfer", post(transfer))
        .route("/names/{name}/release", post(release))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClaimBody {
    name: String,
    owner: Address,
    records: Box<RawValue>,
    nonce: u64,
    deadline: u64,
    signature: Bytes,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateBody {
    records: Box<RawValue>,
    nonce: u64,
    deadline: u64,
    signature: Bytes,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TransferBody {
    new_owner: Address,
    #[serde(default)]
    records: Option<Box<RawValue>>,
    nonce: u64,
    deadline: u64,
    signature: Bytes,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReleaseBody {
    nonce: u64,
    deadline: u64,
    signature: Bytes,
}

fn service(state: &AppState) -> Result<&Arc<NamesService>, ApiError> {
    state.names.as_ref().ok_or(ApiError::NamesReadOnly)
}

/// The name as the names service sees it or, where names are read-only
/// (the L2 registry), as the record store holds it.
async fn get_name(State(state): State<AppState>, Path(name): Path<String>) -> Result<Json<NameView>, ApiError> {
    if let Some(names) = &state.names {
        return Ok(Json(names.get(&name).await?));
    }
    let record = state.lookup.store().record(&name).await?.unwrap_or_default();
    Ok(Json(NameView::new(&name, record)))
}

async fn names_of_owner(State(state): State<AppState>, Path(owner): Path<String>) -> Result<Json<Value>, ApiError> {
    let owner: Address =
        owner.parse().map_err(|_| ApiError::InvalidHex { field: "owner", reason: HexProblem::NotAnAddress })?;
    let Some(names) = &state.names else {
        return Err(ApiError::NotAvailable(
            "names by owner are not available: the record store (the L2 registry) keeps no index of names by owner",
        ));
    };
    let names = names.names_of(owner).await?;
    Ok(Json(json!({ "owner": owner, "names": names })))
}

/// Applies one signed write and answers with the name after it.
async fn apply(
    names: &NamesService,
    name: &str,
    change: Change,
    records: Option<&RawValue>,
    (nonce, deadline, signature): (u64, u64, &[u8]),
) -> Result<NameView, ApiError> {
    let write = SignedWrite { name, change, records_json: records.map(RawValue::get), nonce, deadline, signature };
    Ok(names.apply(write).await?)
}

async fn claim(State(state): State<AppState>, body: Body) -> Result<(StatusCode, Json<NameView>), ApiError> {
    let names = service(&state)?;
    let b: ClaimBody = parse_json(&body)?;
    let change = Change::Claim { owner: b.owner };
    let view = apply(names, &b.name, change, Some(&b.records), (b.nonce, b.deadline, &b.signature)).await?;
    tracing::info!(target: "gateway::names", name = %view.name, "claimed");
    Ok((StatusCode::CREATED, Json(view)))
}

async fn update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Json<NameView>, ApiError> {
    let names = service(&state)?;
    let b: UpdateBody = parse_json(&body)?;
    Ok(Json(apply(names, &name, Change::Update, Some(&b.records), (b.nonce, b.deadline, &b.signature)).await?))
}

async fn transfer(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Json<NameView>, ApiError> {
    let names = service(&state)?;
    let b: TransferBody = parse_json(&body)?;
    let change = Change::Transfer { new_owner: b.new_owner };
    Ok(Json(apply(names, &name, change, b.records.as_deref(), (b.nonce, b.deadline, &b.signature)).await?))
}

async fn release(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Json<NameView>, ApiError> {
    let names = service(&state)?;
    let b: ReleaseBody = parse_json(&body)?;
    Ok(Json(apply(names, &name, Change::Release, None, (b.nonce, b.deadline, &b.signature)).await?))
}
