//! EIP-3668 routes: `GET /{resolver}/{sender}/{data}(.json)` (what
//! `OffchainResolver` emits), `GET /{sender}/{data}(.json)`, `POST /{resolver}`
//! and `POST /` with `{"sender", "data"}`.
//!
//! Which resolver an answer is signed for is decided in one place,
//! [`resolver_to_sign_for`]: the resolver named in the path when there is one,
//! otherwise the `sender`.

use super::{
    error::{parse_json, HexProblem},
    ApiError, AppState, RecordFunction,
};
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
        .route("/{resolver}", post(post_lookup_for_resolver))
        .route("/{sender}/{data}", get(get_lookup))
        .route("/{resolver}/{sender}/{data}", get(get_lookup_for_resolver))
}

/// The resolver a lookup is answered and signed for, from the two places a
/// request can name it:
///
/// - `path`: the resolver segment of `/{resolver}/{sender}/{data}` or
///   `POST /{resolver}`. `OffchainResolver` writes its own address there, so it
///   is right on the ENS UniversalResolver's direct path (ENSIP-22/23), where
///   the client's `sender` is the UniversalResolver that re-raised the lookup.
///   It wins whenever present; `sender` must still be a well-formed address.
/// - `sender`: the EIP-3668 `sender` of `/{sender}/{data}` and `POST /`, which
///   is the resolver when the client called it directly (the ENSIP-21 batch
///   path, and resolvers deployed with `…/{sender}/{data}.json` templates).
///
/// This only parses: whether the gateway signs for that resolver at all (the
/// `--resolver` allow-list, `404 unknown_resolver` otherwise) is checked by
/// [`LookupService::check`](crate::lookup::LookupService::check).
pub(crate) fn resolver_to_sign_for(path: Option<&str>, sender: &str) -> Result<Address, ApiError> {
    let sender = parse_address("sender", sender)?;
    match path {
        Some(resolver) => parse_address("resolver", resolver),
        None => Ok(sender),
    }
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
    let resolver = resolver_to_sign_for(None, &sender)?;
    respond(&state, resolver, &data, Some(if_none_match)).await
}

async fn get_lookup_for_resolver(
    State(state): State<AppState>,
    Path((resolver, sender, data)): Path<(String, String, String)>,
    if_none_match: IfNoneMatch,
) -> Result<Response, ApiError> {
    let resolver = resolver_to_sign_for(Some(&resolver), &sender)?;
    respond(&state, resolver, &data, Some(if_none_match)).await
}

async fn post_lookup(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body = parse_json::<LookupBody>(&body)?;
    let resolver = resolver_to_sign_for(None, &body.sender)?;
    respond(&state, resolver, &body.data, None).await
}

async fn post_lookup_for_resolver(
    State(state): State<AppState>,
    Path(resolver): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = parse_json::<LookupBody>(&body)?;
    let resolver = resolver_to_sign_for(Some(&resolver), &body.sender)?;
    respond(&state, resolver, &body.data, None).await
}

/// Answers through the cache. `get` is set for a GET, which gets
/// `Cache-Control` and `ETag` (and `304` for a matching `If-None-Match`); a
/// POST answer is never stored by HTTP caches.
async fn respond(
    state: &AppState,
    resolver: Address,
    data: &str,
    get: Option<IfNoneMatch>,
) -> Result<Response, ApiError> {
    let calldata = parse_data(data)?;
    let answer = state.lookup.lookup(resolver, &calldata).await?;
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
    response.extensions_mut().insert(RecordFunction(answer.record_function));
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

/// A `0x`-prefixed 20-byte address in any letter case (no checksum check).
fn parse_address(field: &'static str, text: &str) -> Result<Address, ApiError> {
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .ok_or(ApiError::InvalidHex { field, reason: HexProblem::MissingPrefix })?;
    let mut bytes = [0u8; 20];
    alloy::hex::decode_to_slice(hex, &mut bytes)
        .map_err(|_| ApiError::InvalidHex { field, reason: HexProblem::NotAnAddress })?;
    Ok(Address::from(bytes))
}

/// `0x`-prefixed calldata, optionally followed by `.json` (the GET form).
fn parse_data(text: &str) -> Result<Vec<u8>, ApiError> {
    let text = text.strip_suffix(".json").unwrap_or(text);
    let hex =
        text.strip_prefix("0x").ok_or(ApiError::InvalidHex { field: "data", reason: HexProblem::MissingPrefix })?;
    alloy::hex::decode(hex).map_err(|e| ApiError::InvalidHex { field: "data", reason: e.into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{TestGateway, RESOLVER, SIGNER};
    use alloy::{
        primitives::{address, Signature},
        sol_types::{SolCall, SolValue},
    };
    use axum::http::Request;
    use dm3_protocol::{dns_encode, namehash, signature_digest, IResolverService, RecordCalls};
    use tower::ServiceExt;

    /// Stands for the ENS UniversalResolver, the `sender` on the direct path.
    const UNIVERSAL_RESOLVER: Address = address!("eeeeeeee14d718c2b47d9923deab1335e144eeee");

    #[test]
    fn the_path_resolver_wins_over_sender() {
        let resolver = "0x1111111111111111111111111111111111111111";
        let ur = "0xEEEEEEEE14D718C2B47D9923DEAB1335E144EEEE";
        for (path, sender, expected) in [
            (Some(resolver), ur, Some(RESOLVER)),
            (Some(resolver), resolver, Some(RESOLVER)),
            (None, resolver, Some(RESOLVER)),
            (None, ur, Some(UNIVERSAL_RESOLVER)),
            (Some("0x1234"), ur, None),
            (Some(resolver), "not an address", None),
            (None, "0x", None),
        ] {
            assert_eq!(resolver_to_sign_for(path, sender).ok(), expected, "{path:?} {sender}");
        }
    }

    /// The real router over an embedded store, signing for `RESOLVER` only;
    /// keep the builder alive as long as the router.
    fn router() -> (Router, TestGateway) {
        let gateway = TestGateway::new().resolvers(vec![RESOLVER]);
        (gateway.router(), gateway)
    }

    fn calldata() -> Vec<u8> {
        let inner = RecordCalls::textCall { node: namehash("alice.dm3.eth"), key: "url".into() };
        IResolverService::resolveCall {
            name: dns_encode("alice.dm3.eth").unwrap().into(),
            data: inner.abi_encode().into(),
        }
        .abi_encode()
    }

    async fn call(router: &Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// The address the answer in `body` is signed for: recovers the signer
    /// against `target` and checks it is the gateway's key.
    fn signed_for(body: &serde_json::Value, target: Address, calldata: &[u8]) -> bool {
        let data: alloy::primitives::Bytes = body["data"].as_str().unwrap().parse().unwrap();
        let (result, expires, sig) =
            <(alloy::primitives::Bytes, u64, alloy::primitives::Bytes)>::abi_decode_params(&data).unwrap();
        let digest = signature_digest(target, expires, calldata, &result);
        let signer = Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap();
        signer == SIGNER
    }

    #[tokio::test]
    async fn direct_path_url_is_signed_for_the_resolver_in_the_path() {
        let (router, _gateway) = router();
        let calldata = calldata();
        let hex = alloy::hex::encode_prefixed(&calldata);
        let ur = UNIVERSAL_RESOLVER.to_string().to_lowercase();
        let resolver = RESOLVER.to_string().to_lowercase();

        // What OffchainResolver emits, with sender = the UniversalResolver.
        let get = Request::get(format!("/{resolver}/{ur}/{hex}.json")).body(Body::empty()).unwrap();
        let (status, body) = call(&router, get).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(signed_for(&body, RESOLVER, &calldata));
        assert!(!signed_for(&body, UNIVERSAL_RESOLVER, &calldata));

        // The same through POST /{resolver}.
        let post = Request::post(format!("/{resolver}"))
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::json!({ "sender": ur, "data": hex }).to_string()))
            .unwrap();
        let (status, body) = call(&router, post).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(signed_for(&body, RESOLVER, &calldata));

        // The batch path / old template: sender = resolver.
        let get = Request::get(format!("/{resolver}/{hex}.json")).body(Body::empty()).unwrap();
        let (status, body) = call(&router, get).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(signed_for(&body, RESOLVER, &calldata));

        // Without the resolver in the path the UniversalResolver is not signed for.
        for uri in [format!("/{ur}/{hex}.json"), format!("/{ur}/{resolver}/{hex}.json")] {
            let (status, body) = call(&router, Request::get(uri).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            assert_eq!(body["code"], "unknown_resolver");
        }
        let bad = Request::get(format!("/{resolver}/0x12/{hex}.json")).body(Body::empty()).unwrap();
        let (status, body) = call(&router, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], "invalid_hex");
    }

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
