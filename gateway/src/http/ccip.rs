//! EIP-3668 routes: `GET /{sender}/{data}(.json)`, `GET /{origin}/{sender}/{data}(.json)`,
//! `POST /` and `POST /{origin}` with `{"sender", "data"}`.
//!
//! The answer is signed for the *origin* resolver: the first path segment when
//! present (the ENS UniversalResolver sends its own address as `sender`),
//! otherwise the `sender`.

use super::{ApiError, AppState, RecordKind};
use crate::Error;
use alloy::primitives::Address;
use axum::{
    body::{Body, Bytes},
    extract::{FromRequestParts, Path, State},
    http::{
        header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH},
        request::Parts,
        HeaderValue, StatusCode,
    },
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde::Deserialize;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/", post(post_lookup))
        .route("/{origin}", post(post_lookup_for_origin))
        .route("/{sender}/{data}", get(get_lookup))
        .route("/{origin}/{sender}/{data}", get(get_lookup_for_origin))
}

/// The request's `If-None-Match` header, if any: extracted alone, where a
/// `HeaderMap` extractor would copy every header of every request.
struct IfNoneMatch(Option<HeaderValue>);

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.headers.get(IF_NONE_MATCH).cloned()))
    }
}

/// The EIP-3668 `POST` body.
#[derive(Debug, Deserialize)]
struct LookupBody {
    sender: String,
    data: String,
}

async fn get_lookup(
    State(state): State<AppState>,
    Path((sender, data)): Path<(String, String)>,
    if_none_match: IfNoneMatch,
) -> Result<Response, ApiError> {
    let sender = parse_address("sender", &sender)?;
    respond(&state, sender, &data, Some(if_none_match)).await
}

async fn get_lookup_for_origin(
    State(state): State<AppState>,
    Path((origin, sender, data)): Path<(String, String, String)>,
    if_none_match: IfNoneMatch,
) -> Result<Response, ApiError> {
    let origin = parse_address("origin", &origin)?;
    parse_address("sender", &sender)?;
    respond(&state, origin, &data, Some(if_none_match)).await
}

async fn post_lookup(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body = parse_body(&body)?;
    let sender = parse_address("sender", &body.sender)?;
    respond(&state, sender, &body.data, None).await
}

async fn post_lookup_for_origin(
    State(state): State<AppState>,
    Path(origin): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let origin = parse_address("origin", &origin)?;
    let body = parse_body(&body)?;
    parse_address("sender", &body.sender)?;
    respond(&state, origin, &body.data, None).await
}

/// Answers through the cache. `get` is set for a GET, which gets
/// `Cache-Control` and `ETag` (and `304` for a matching `If-None-Match`); a
/// POST answer is never stored by HTTP caches.
async fn respond(
    state: &AppState,
    origin: Address,
    data: &str,
    get: Option<IfNoneMatch>,
) -> Result<Response, ApiError> {
    let calldata = parse_data(data)?;
    let answer = state.lookup.lookup(origin, &calldata).await?;
    let mut response = match get {
        Some(IfNoneMatch(tags)) => {
            let max_age = answer.max_age();
            let etag = HeaderValue::from_maybe_shared(answer.etag.clone()).expect("hex in quotes is a valid header");
            let not_modified = max_age > 0 && tags.is_some_and(|tags| if_none_match(tags.as_bytes(), &answer.etag));
            let mut response =
                if not_modified { StatusCode::NOT_MODIFIED.into_response() } else { json_body(answer.body.clone()) };
            let headers = response.headers_mut();
            headers.insert(CACHE_CONTROL, cache_control(max_age));
            if max_age > 0 {
                headers.insert(ETAG, etag);
            }
            response
        }
        None => json_body(answer.body.clone()),
    };
    response.extensions_mut().insert(RecordKind(answer.kind));
    Ok(response)
}

fn json_body(body: alloy::primitives::Bytes) -> Response {
    let mut response = Response::new(Body::from(body.0));
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `public, max-age=N`; `no-store` when answers are not to be reused.
fn cache_control(max_age: u64) -> HeaderValue {
    if max_age == 0 {
        return HeaderValue::from_static("no-store");
    }
    HeaderValue::try_from(format!("public, max-age={max_age}")).expect("ASCII")
}

/// Whether an `If-None-Match` list names `etag` (or is `*`); weak tags match too.
fn if_none_match(tags: &[u8], etag: &[u8]) -> bool {
    tags.split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .any(|tag| tag == b"*" || tag.strip_prefix(b"W/").unwrap_or(tag) == etag)
}

/// The body is JSON whatever the `Content-Type` says (old clients send none).
fn parse_body(body: &[u8]) -> Result<LookupBody, Error> {
    serde_json::from_slice(body).map_err(Error::InvalidJson)
}

/// A `0x`-prefixed 20-byte address in any letter case (no checksum check).
fn parse_address(field: &'static str, text: &str) -> Result<Address, Error> {
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or_else(|| Error::InvalidHex { field, reason: "missing 0x prefix".into() })?;
    let mut bytes = [0u8; 20];
    alloy::hex::decode_to_slice(hex, &mut bytes)
        .map_err(|e| Error::InvalidHex { field, reason: format!("expected 20 bytes: {e}") })?;
    Ok(Address::from(bytes))
}

/// `0x`-prefixed calldata, optionally followed by `.json` (the GET form).
fn parse_data(text: &str) -> Result<Vec<u8>, Error> {
    let text = text.strip_suffix(".json").unwrap_or(text);
    let hex = text
        .strip_prefix("0x")
        .ok_or_else(|| Error::InvalidHex { field: "data", reason: "missing 0x prefix".into() })?;
    alloy::hex::decode(hex).map_err(|e| Error::InvalidHex { field: "data", reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_in_any_case() {
        let lower = parse_address("s", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8").unwrap();
        let upper = parse_address("s", "0x70997970C51812DC3A010C7D01B50E0D17DC79C8").unwrap();
        assert_eq!(lower, upper);
        for bad in [
            "",
            "0x",
            "70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "0x1234",
            "0xzz997970c51812dc3a010c7d01b50e0d17dc79c8",
        ] {
            assert!(parse_address("s", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn if_none_match_lists() {
        let etag = br#""abc""#;
        for (header, matches) in [
            (&br#""abc""#[..], true),
            (br#""x", "abc""#, true),
            (br#"W/"abc""#, true),
            (b"*", true),
            (br#""abcd""#, false),
            (b"", false),
        ] {
            assert_eq!(if_none_match(header, etag), matches, "{}", String::from_utf8_lossy(header));
        }
    }

    #[test]
    fn parses_data_with_and_without_json_suffix() {
        assert_eq!(parse_data("0x9061b923").unwrap(), [0x90, 0x61, 0xb9, 0x23]);
        assert_eq!(parse_data("0x9061B923.json").unwrap(), [0x90, 0x61, 0xb9, 0x23]);
        for bad in ["9061b923", "0x9061b92", "0xgg", "0x12.json.json"] {
            assert!(parse_data(bad).is_err(), "{bad}");
        }
    }
}
