//! HTTP tests of the whole gateway application, driven in-process through the
//! real router (`app(state).oneshot(request)`): the EIP-3668 GET and POST
//! forms, origin-path signing, the resolver allow-list, error statuses and
//! their `{"message": …}` bodies, the body limit, CORS, store failures and
//! `/info` / `/health`.

use alloy::{
    primitives::{address, keccak256, Address, Bytes, Signature, B256},
    sol_types::{SolCall, SolValue},
};
use async_trait::async_trait;
use axum::{
    body::Body,
    http::{header, HeaderMap, Method, Request, StatusCode},
    Router,
};
use dm3_gateway::{
    signer::AnswerSigner,
    store::{NameRecord, NameWriter, RecordReader, StoreError},
    test_support::{TestGateway, RESOLVER, SIGNER, SIGNER_KEY},
};
use dm3_protocol::{dns_encode, namehash, signature_digest, IResolverService, RecordCalls};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::{
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tower::ServiceExt;

// The test key (anvil's account #1, address `SIGNER`) and the resolver
// contract on the allow-list (`RESOLVER`) are test_support's.
/// The ENS UniversalResolver, which sends its own address as `sender`.
const UNIVERSAL_RESOLVER: Address = address!("ce01f8eee7E479C928F8919abD53E553a36CeF67");
/// A resolver that is not on the allow-list.
const STRANGER: Address = address!("2222222222222222222222222222222222222222");
const PROFILE: &str = "data:application/json,{\"publicEncryptionKey\":\"x\"}";
const TTL: Duration = Duration::from_secs(300);

// ---------------------------------------------------------------------------
// Set-up

/// The app over `store`, signing for `resolvers` with [`SIGNER_KEY`].
fn app_with(store: Arc<dyn RecordReader>, resolvers: Vec<Address>, store_timeout: Duration) -> (Router, TestGateway) {
    let gateway = TestGateway::new().store(store).resolvers(resolvers).store_timeout(store_timeout);
    (gateway.router(), gateway)
}

/// The app over an embedded store in a temporary directory that holds the
/// profile of `alice.dm3.eth`; keep the builder (which owns the directory)
/// alive as long as the app.
async fn gateway(resolvers: Vec<Address>) -> (Router, TestGateway) {
    let gateway = TestGateway::new().resolvers(resolvers);
    assert_eq!(AnswerSigner::from_hex(SIGNER_KEY).unwrap().address(), SIGNER);
    let mut record = NameRecord::default();
    record.set_text("eth.dm3.profile", PROFILE);
    gateway.embedded().put_record("alice.dm3.eth", &record).await.unwrap();
    (gateway.router(), gateway)
}

/// A store whose reads fail with an I/O error carrying internal detail.
#[derive(Debug)]
struct FailingStore;

#[async_trait]
impl RecordReader for FailingStore {
    async fn record(&self, _name: &str) -> Result<Option<NameRecord>, StoreError> {
        Err(StoreError::Io(std::io::Error::other("/srv/secret/records.redb: disk on fire at 10.0.0.7")))
    }

    fn backend(&self) -> &'static str {
        "failing"
    }
}

/// A store that answers far later than any store timeout used here.
#[derive(Debug)]
struct SlowStore;

#[async_trait]
impl RecordReader for SlowStore {
    async fn record(&self, _name: &str) -> Result<Option<NameRecord>, StoreError> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(None)
    }

    fn backend(&self) -> &'static str {
        "slow"
    }
}

// ---------------------------------------------------------------------------
// Requests and responses

/// `resolve(dns(name), inner)`: the `callData` of an `OffchainLookup`.
fn resolve(name: &str, inner: Vec<u8>) -> Vec<u8> {
    IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }.abi_encode()
}

fn text_call(node: B256, key: &str) -> Vec<u8> {
    RecordCalls::textCall { node, key: key.into() }.abi_encode()
}

/// The reference request: the dm3 profile of `name` under the key today's
/// dm3 clients read.
fn profile_request(name: &str) -> Vec<u8> {
    resolve(name, text_call(namehash(name), "network.dm3.profile"))
}

fn hex(bytes: &[u8]) -> String {
    alloy::hex::encode_prefixed(bytes)
}

/// `0x` followed by upper-case hex digits.
fn hex_upper(bytes: &[u8]) -> String {
    format!("0x{}", alloy::hex::encode_upper(bytes))
}

/// `0x` followed by lower-case hex digits.
fn lower(address: Address) -> String {
    hex(address.as_slice())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post(uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut builder = Request::post(uri);
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(body.into()).unwrap()
}

fn post_json(uri: &str, body: &Value) -> Request<Body> {
    post(uri, Some("application/json"), body.to_string())
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(&name).unwrap_or_else(|| panic!("no {name} header")).to_str().unwrap()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, checking that it is announced as JSON.
    fn json(&self) -> Value {
        assert!(self.header(header::CONTENT_TYPE).starts_with("application/json"), "content type of {}", self.text());
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    /// The non-empty `message` of a JSON error body.
    fn message(&self) -> String {
        let body = self.json();
        let message = body["message"].as_str().unwrap_or_else(|| panic!("no message string in {body}"));
        assert!(!message.is_empty(), "empty message");
        message.to_owned()
    }
}

async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: body.to_vec() }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Opens a `{"data": "0x…"}` answer as a resolver would: decodes
/// `(bytes result, uint64 expires, bytes sig)`, checks the expiry and that
/// the signature over `signature_digest(origin, expires, calldata, result)`
/// recovers to the gateway's signer, and returns `result`.
fn open(reply: &Reply, origin: Address, calldata: &[u8]) -> Bytes {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    let data: Bytes = body["data"].as_str().unwrap_or_else(|| panic!("no data string in {body}")).parse().unwrap();
    let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
    let now = unix_now();
    assert!(expires > now + TTL.as_secs() - 60 && expires <= now + TTL.as_secs() + 1, "expires {expires}, now {now}");
    assert_eq!(sig.len(), 65, "signature length");
    let digest = signature_digest(origin, expires, calldata, &result);
    let recovered = Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap();
    assert_eq!(recovered, SIGNER, "signature is not over origin {origin}");
    result
}

/// [`open`] for a `text` answer: the decoded string.
fn open_text(reply: &Reply, origin: Address, calldata: &[u8]) -> String {
    String::abi_decode(&open(reply, origin, calldata)).unwrap()
}

// ---------------------------------------------------------------------------
// Answers

#[tokio::test]
async fn answers_every_request_form_with_a_signed_record() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let calldata = profile_request("alice.dm3.eth");
    let data = hex(&calldata);
    let sender = lower(RESOLVER);
    let body = json!({ "sender": sender, "data": data });
    let checksummed = RESOLVER.to_checksum(None);
    let cases: Vec<(&str, Request<Body>)> = vec![
        ("GET", get(&format!("/{sender}/{data}"))),
        ("GET .json", get(&format!("/{sender}/{data}.json"))),
        ("GET upper-case sender", get(&format!("/{}/{data}", hex_upper(RESOLVER.as_slice())))),
        (
            "GET upper-case sender and 0X prefix",
            get(&format!("/0X{}/{data}", alloy::hex::encode_upper(RESOLVER.as_slice()))),
        ),
        ("GET checksummed sender", get(&format!("/{checksummed}/{data}"))),
        ("GET upper-case data", get(&format!("/{sender}/{}", hex_upper(&calldata)))),
        ("GET upper-case data .json", get(&format!("/{sender}/{}.json", hex_upper(&calldata)))),
        ("POST application/json", post("/", Some("application/json"), body.to_string())),
        ("POST application/json; charset", post("/", Some("application/json; charset=utf-8"), body.to_string())),
        ("POST text/plain", post("/", Some("text/plain"), body.to_string())),
        ("POST without content type", post("/", None, body.to_string())),
        (
            "POST upper-case sender and data",
            post_json("/", &json!({ "sender": hex_upper(RESOLVER.as_slice()), "data": hex_upper(&calldata) })),
        ),
    ];
    for (what, request) in cases {
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.text());
        assert_eq!(reply.header(header::CONTENT_TYPE), "application/json", "{what}");
        assert_eq!(open_text(&reply, RESOLVER, &calldata), PROFILE, "{what}");
    }
}

#[tokio::test]
async fn signs_for_the_origin_in_the_path_not_for_the_sender() {
    // With the allow-list, only the origin is checked: the UniversalResolver is
    // not on it. Without it (development), the origin still decides the digest.
    for resolvers in [vec![RESOLVER], vec![]] {
        let (app, _dir) = gateway(resolvers.clone()).await;
        let calldata = profile_request("alice.dm3.eth");
        let (origin, sender, data) = (lower(RESOLVER), lower(UNIVERSAL_RESOLVER), hex(&calldata));
        let body = json!({ "sender": sender, "data": data });
        let cases: Vec<(&str, Request<Body>)> = vec![
            ("GET", get(&format!("/{origin}/{sender}/{data}"))),
            ("GET .json", get(&format!("/{origin}/{sender}/{data}.json"))),
            ("GET upper-case origin", get(&format!("/{}/{sender}/{data}", hex_upper(RESOLVER.as_slice())))),
            ("POST", post_json(&format!("/{origin}"), &body)),
            ("POST without content type", post(&format!("/{origin}"), None, body.to_string())),
        ];
        for (what, request) in cases {
            let what = format!("{what} (allow-list {resolvers:?})");
            let reply = send(&app, request).await;
            assert_eq!(open_text(&reply, RESOLVER, &calldata), PROFILE, "{what}");

            // The same answer does not verify for the sender.
            let body = reply.json();
            let data: Bytes = body["data"].as_str().unwrap().parse().unwrap();
            let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
            let digest = signature_digest(UNIVERSAL_RESOLVER, expires, &calldata, &result);
            let recovered = Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap();
            assert_ne!(recovered, SIGNER, "{what}: signed for the sender");
        }
    }
}

#[tokio::test]
async fn unknown_names_get_a_signed_empty_value_and_other_parents_404() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let sender = lower(RESOLVER);

    let calldata = profile_request("nobody.dm3.eth");
    let reply = send(&app, get(&format!("/{sender}/{}", hex(&calldata)))).await;
    assert_eq!(open_text(&reply, RESOLVER, &calldata), "");

    // A known name, an unknown key: also a signed "".
    let calldata = resolve("alice.dm3.eth", text_call(namehash("alice.dm3.eth"), "avatar"));
    let reply = send(&app, get(&format!("/{sender}/{}", hex(&calldata)))).await;
    assert_eq!(open_text(&reply, RESOLVER, &calldata), "");

    for name in ["alice.other.eth", "xdm3.eth", "eth"] {
        let calldata = profile_request(name);
        let reply = send(&app, get(&format!("/{sender}/{}", hex(&calldata)))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{name}: {}", reply.text());
        let message = reply.message();
        assert!(message.contains(name), "{name}: {message}");
    }
}

#[tokio::test]
async fn allow_list_refuses_unknown_resolvers_with_404() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let calldata = profile_request("alice.dm3.eth");
    let data = hex(&calldata);
    let stranger = lower(STRANGER);
    let cases: Vec<(&str, Request<Body>)> = vec![
        ("GET sender", get(&format!("/{stranger}/{data}"))),
        ("GET origin", get(&format!("/{stranger}/{}/{data}", lower(RESOLVER)))),
        ("POST sender", post_json("/", &json!({ "sender": stranger, "data": data }))),
        ("POST origin", post_json(&format!("/{stranger}"), &json!({ "sender": lower(RESOLVER), "data": data }))),
    ];
    for (what, request) in cases {
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}: {}", reply.text());
        let message = reply.message().to_lowercase();
        assert!(message.contains("resolver") && message.contains(&stranger), "{what}: {message}");
    }

    // The allowed resolver is answered by the same app.
    let reply = send(&app, get(&format!("/{}/{data}", lower(RESOLVER)))).await;
    assert_eq!(open_text(&reply, RESOLVER, &calldata), PROFILE);
}

#[tokio::test]
async fn unknown_routes_are_404_json() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let data = hex(&profile_request("alice.dm3.eth"));
    for uri in ["/no/such/route/here".to_owned(), format!("/{}/{}/{data}/extra", lower(RESOLVER), lower(RESOLVER))] {
        let reply = send(&app, get(&uri)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}: {}", reply.text());
        reply.message();
    }
}

// ---------------------------------------------------------------------------
// Bad requests

#[tokio::test]
async fn malformed_requests_are_400_with_a_json_message() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let sender = lower(RESOLVER);
    let node = namehash("alice.dm3.eth");
    let good = profile_request("alice.dm3.eth");
    let good_hex = hex(&good);
    let wrong_selector = [&[0xde, 0xad, 0xbe, 0xef][..], &good[4..]].concat();
    let truncated = good[..good.len() - 32].to_vec();
    let wrong_node = resolve("alice.dm3.eth", text_call(namehash("bob.dm3.eth"), "network.dm3.profile"));
    // `name(bytes32)` (0x691f3431): a real resolver function this gateway does not answer.
    let unsupported = resolve("alice.dm3.eth", [&[0x69, 0x1f, 0x34, 0x31][..], node.as_slice()].concat());
    let bad_dns = IResolverService::resolveCall {
        name: Bytes::from_static(b"\x05alice\x00junk"),
        data: text_call(node, "k").into(),
    }
    .abi_encode();

    let get_data = |data: &str| get(&format!("/{sender}/{data}"));
    let cases: Vec<(&str, Request<Body>, &str)> = vec![
        ("malformed hex", get_data("0xzz"), "invalid hex in data"),
        (
            "malformed hex in the middle",
            get_data(&format!("{}zz{}", &good_hex[..10], &good_hex[12..])),
            "invalid hex in data",
        ),
        ("odd-length hex", get_data(&good_hex[..good_hex.len() - 1]), "invalid hex in data"),
        ("missing 0x", get_data(&good_hex[2..]), "invalid hex in data"),
        ("empty data", get_data("0x"), "invalid calldata"),
        ("sender too short", get(&format!("/0x1234/{good_hex}")), "invalid hex in sender"),
        ("sender too long", get(&format!("/{sender}00/{good_hex}")), "invalid hex in sender"),
        ("sender without 0x", get(&format!("/{}/{good_hex}", &sender[2..])), "invalid hex in sender"),
        ("resolver too short", get(&format!("/0x1234/{sender}/{good_hex}")), "invalid hex in resolver"),
        ("sender too short behind a resolver", get(&format!("/{sender}/0x1234/{good_hex}")), "invalid hex in sender"),
        ("wrong outer selector", get_data(&hex(&wrong_selector)), "invalid calldata"),
        ("truncated ABI", get_data(&hex(&truncated)), "invalid calldata"),
        ("namehash mismatch", get_data(&hex(&wrong_node)), "does not match namehash"),
        ("unsupported inner selector", get_data(&hex(&unsupported)), "unsupported resolver function 0x691f3431"),
        ("malformed DNS name", get_data(&hex(&bad_dns)), "invalid dns-encoded name"),
        ("POST malformed hex", post_json("/", &json!({ "sender": sender, "data": "0xzz" })), "invalid hex in data"),
        ("POST bad sender", post_json("/", &json!({ "sender": "0x1234", "data": good_hex })), "invalid hex in sender"),
        (
            "POST bad resolver",
            post_json("/0x1234", &json!({ "sender": sender, "data": good_hex })),
            "invalid hex in resolver",
        ),
        ("POST invalid JSON", post("/", Some("application/json"), "{\"sender\": "), "invalid json body"),
        ("POST invalid JSON without content type", post("/", None, "not json"), "invalid json body"),
        ("POST empty body", post("/", Some("application/json"), ""), "invalid json body"),
        ("POST JSON missing data", post_json("/", &json!({ "sender": sender })), "invalid json body"),
        ("POST JSON missing sender", post_json("/", &json!({ "data": good_hex })), "invalid json body"),
        ("POST JSON with numbers", post_json("/", &json!({ "sender": 1, "data": 2 })), "invalid json body"),
        ("POST resolver, JSON missing fields", post_json(&format!("/{sender}"), &json!({})), "invalid json body"),
    ];
    for (what, request, expected) in cases {
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{what}: {}", reply.text());
        let message = reply.message();
        assert!(message.to_lowercase().contains(expected), "{what}: {message:?} does not say {expected:?}");
    }
}

#[tokio::test]
async fn bodies_over_64_kib_are_413() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let padding = "00".repeat(64 * 1024);
    let body = json!({ "sender": lower(RESOLVER), "data": format!("0x{padding}") }).to_string();
    assert!(body.len() > 64 * 1024);
    for request in
        [post("/", Some("application/json"), body.clone()), post(&format!("/{}", lower(RESOLVER)), None, body)]
    {
        let reply = send(&app, request).await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.text());
    }
}

// ---------------------------------------------------------------------------
// CORS

#[tokio::test]
async fn cors_preflight_and_responses_allow_any_origin() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    for uri in ["/".to_owned(), format!("/{}", lower(RESOLVER))] {
        let preflight = Request::builder()
            .method(Method::OPTIONS)
            .uri(&uri)
            .header(header::ORIGIN, "https://app.dm3.chat")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, preflight).await;
        assert!(reply.status.is_success(), "{uri}: {}", reply.status);
        assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*", "{uri}");
        assert!(reply.header(header::ACCESS_CONTROL_ALLOW_METHODS).contains("POST"), "{uri}");
        let allowed = reply.header(header::ACCESS_CONTROL_ALLOW_HEADERS).to_lowercase();
        assert!(allowed == "*" || allowed.contains("content-type"), "{uri}: {allowed}");
    }

    // Answers and errors alike carry the header, so browsers can read both.
    let calldata = hex(&profile_request("alice.dm3.eth"));
    let with_origin =
        |uri: String| Request::get(uri).header(header::ORIGIN, "https://app.dm3.chat").body(Body::empty()).unwrap();
    for (uri, status) in [
        (format!("/{}/{calldata}", lower(RESOLVER)), StatusCode::OK),
        (format!("/{}/0xzz", lower(RESOLVER)), StatusCode::BAD_REQUEST),
        ("/info".to_owned(), StatusCode::OK),
        ("/no/such/route/here".to_owned(), StatusCode::NOT_FOUND),
    ] {
        let reply = send(&app, with_origin(uri.clone())).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.text());
        assert_eq!(reply.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*", "{uri}");
    }
}

// ---------------------------------------------------------------------------
// Store failures

#[tokio::test]
async fn store_failures_are_5xx_without_internal_detail() {
    let calldata = hex(&profile_request("alice.dm3.eth"));
    let uri = format!("/{}/{calldata}", lower(RESOLVER));
    let body = json!({ "sender": lower(RESOLVER), "data": calldata });
    let cases: Vec<(&str, Arc<dyn RecordReader>, StatusCode, &str)> = vec![
        ("failing", Arc::new(FailingStore), StatusCode::SERVICE_UNAVAILABLE, "record store unavailable"),
        ("slow", Arc::new(SlowStore), StatusCode::GATEWAY_TIMEOUT, "record store timed out"),
    ];
    for (what, store, status, message) in cases {
        let (app, _gateway) = app_with(store, vec![RESOLVER], Duration::from_millis(100));
        for request in [get(&uri), post_json("/", &body)] {
            let started = std::time::Instant::now();
            let reply = send(&app, request).await;
            assert!(started.elapsed() < Duration::from_secs(5), "{what}: too slow");
            assert_eq!(reply.status, status, "{what}: {}", reply.text());
            assert_eq!(reply.message(), message, "{what}");
            let text = reply.text();
            for secret in ["secret", "disk", "10.0.0.7", "redb", "100ms"] {
                assert!(!text.contains(secret), "{what}: leaks {secret}: {text}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Operator endpoints

#[tokio::test]
async fn info_and_health() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let reply = send(&app, get("/info")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let info = reply.json();
    let addresses = |value: &Value| -> Vec<Address> {
        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
    };
    assert_eq!(addresses(&info["signers"]), [SIGNER], "{info}");
    assert_eq!(addresses(&info["resolvers"]), [RESOLVER], "{info}");
    assert_eq!(info["parents"], json!(["dm3.eth"]), "{info}");
    assert_eq!(info["ttl"], json!(TTL.as_secs()), "{info}");
    assert_eq!(info["store"], json!("embedded"), "{info}");
    assert_eq!(info["signsForAnyResolver"], json!(false), "{info}");

    let (open_app, _dir) = gateway(vec![]).await;
    let info = send(&open_app, get("/info")).await.json();
    assert_eq!(info["resolvers"], json!([]), "{info}");
    assert_eq!(info["signsForAnyResolver"], json!(true), "{info}");

    let reply = send(&app, get("/health")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json(), json!({ "status": "ok" }));
}

/// The request of the shared reference vector reaches the gateway unchanged:
/// the digest is over exactly the bytes of `{data}`.
#[tokio::test]
async fn signs_exactly_the_reference_request_bytes() {
    let (app, _dir) = gateway(vec![RESOLVER]).await;
    let calldata = profile_request("alice.dm3.eth");
    assert_eq!(keccak256(&calldata).to_string(), "0x305feddfedd03dfed7a82d50a3b7b232e47bcfc05d76b4fc062fd1bf647ea319");
    let reply = send(&app, get(&format!("/{}/{}", lower(RESOLVER), hex_upper(&calldata)))).await;
    assert_eq!(open_text(&reply, RESOLVER, &calldata), PROFILE);
}
