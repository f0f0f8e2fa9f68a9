//! dm3's profile API under `/profile` (the app's `REACT_APP_RESOLVER_BACKEND`):
//! bodies and statuses as dm3's offchain-resolver answers them — `200` with an
//! empty body for writes, `400 {"error": …}` for every refusal, `404` for a
//! missing profile or name — and `5xx {"error": …}` for store or RPC failures.

use super::{
    error::{names_outcome, FailureCause},
    AppState,
};
use crate::{
    names::dm3::{parse_address, Dm3Error, Dm3Profiles},
    profile::SignedUserProfile,
};
use axum::{
    body::Bytes as Body,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};
use std::sync::Arc;

/// Routes that only read.
pub(super) fn read_router() -> Router<AppState> {
    Router::new().route("/profile/{address}", get(profile)).route("/profile/name/{address}", get(alias))
}

/// Routes that write (rate-limited by the caller, with the names API).
pub(super) fn write_router() -> Router<AppState> {
    Router::new()
        .route("/profile/address", post(set_address))
        .route("/profile/name", post(claim_alias))
        .route("/profile/deleteName", post(delete_alias))
}

/// A [`Dm3Error`], or a bare status with a message, as dm3's server answers them.
enum Dm3Response {
    Failed(Dm3Error),
    Status(StatusCode, &'static str),
}

impl From<Dm3Error> for Dm3Response {
    fn from(error: Dm3Error) -> Self {
        Self::Failed(error)
    }
}

impl IntoResponse for Dm3Response {
    fn into_response(self) -> Response {
        let (status, message, cause) = match self {
            Self::Status(status, message) => (status, message.to_owned(), None),
            Self::Failed(Dm3Error::Names(inner)) => {
                let outcome = names_outcome(&inner);
                if outcome.shown.is_some() {
                    // The cause (hosts, files) goes to the log, not to the client.
                    (
                        outcome.status,
                        "internal error: try again".to_owned(),
                        Some(FailureCause(inner.to_string().into())),
                    )
                } else {
                    (StatusCode::BAD_REQUEST, inner.to_string(), None)
                }
            }
            Self::Failed(refusal) => (StatusCode::BAD_REQUEST, refusal.to_string(), None),
        };
        let mut response = (status, Json(json!({ "error": message }))).into_response();
        if let Some(cause) = cause {
            response.extensions_mut().insert(cause);
        }
        response
    }
}

fn service(state: &AppState) -> Result<&Arc<Dm3Profiles>, Dm3Response> {
    state.dm3.as_ref().ok_or(Dm3Response::Status(
        StatusCode::METHOD_NOT_ALLOWED,
        "the dm3 profile API is not available on this gateway",
    ))
}

/// Any JSON object; fields are checked one by one so that a wrong one is
/// dm3's "invalid schema", not a parse error.
fn body_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Dm3Response> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Dm3Error::InvalidSchema.into()),
    }
}

fn string_field<'a>(body: &'a serde_json::Map<String, Value>, key: &str) -> Result<&'a str, Dm3Response> {
    body.get(key).and_then(Value::as_str).ok_or(Dm3Response::Failed(Dm3Error::InvalidSchema))
}

async fn set_address(State(state): State<AppState>, body: Body) -> Result<StatusCode, Dm3Response> {
    let dm3 = service(&state)?;
    let body = body_object(&body)?;
    let profile: SignedUserProfile = body
        .get("signedUserProfile")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or(Dm3Error::InvalidSchema)?;
    let address = body.get("address").and_then(Value::as_str).and_then(parse_address);
    let subdomain = body.get("subdomain").and_then(Value::as_str).filter(|s| !s.is_empty());
    let (Some(address), Some(subdomain)) = (address, subdomain) else { return Err(Dm3Error::InvalidSchema.into()) };
    let name = dm3.set_address_profile(profile, address, subdomain).await?;
    tracing::info!(target: "gateway::names", %name, "dm3 address name registered");
    Ok(StatusCode::OK)
}

async fn claim_alias(State(state): State<AppState>, body: Body) -> Result<StatusCode, Dm3Response> {
    let dm3 = service(&state)?;
    let body = body_object(&body)?;
    let (name, address_name, signature) =
        (string_field(&body, "dm3Name")?, string_field(&body, "addressName")?, string_field(&body, "signature")?);
    dm3.claim_alias(name, address_name, signature).await?;
    tracing::info!(target: "gateway::names", name, "dm3 alias claimed");
    Ok(StatusCode::OK)
}

async fn delete_alias(State(state): State<AppState>, body: Body) -> Result<StatusCode, Dm3Response> {
    let dm3 = service(&state)?;
    let body = body_object(&body)?;
    let (name, signature) = (string_field(&body, "dm3Name")?, string_field(&body, "signature")?);
    dm3.delete_alias(name, signature).await?;
    tracing::info!(target: "gateway::names", name, "dm3 alias removed");
    Ok(StatusCode::OK)
}

fn address_of(text: &str) -> Result<alloy::primitives::Address, Dm3Response> {
    parse_address(text).ok_or(Dm3Response::Status(StatusCode::BAD_REQUEST, "invalid address"))
}

async fn profile(State(state): State<AppState>, Path(address): Path<String>) -> Result<Response, Dm3Response> {
    let dm3 = service(&state)?;
    match dm3.profile_of_address(address_of(&address)?).await? {
        Some(profile) => Ok(Json(profile).into_response()),
        None => Err(Dm3Response::Status(StatusCode::NOT_FOUND, "no profile for this address")),
    }
}

async fn alias(State(state): State<AppState>, Path(address): Path<String>) -> Result<Response, Dm3Response> {
    let dm3 = service(&state)?;
    match dm3.alias_of(address_of(&address)?).await? {
        Some(name) => Ok(Json(json!({ "name": name })).into_response()),
        None => Err(Dm3Response::Status(StatusCode::NOT_FOUND, "no name for this address")),
    }
}
