//! The bad-input catalogue, table-driven against the running gateway binary
//! over HTTP: every hostile or malformed request gets its documented 4xx with
//! a JSON `{"message", "code"}` body; afterwards the process still answers
//! `/health`, a stored record still resolves with a valid signature, and the
//! names written before the catalogue are unchanged (nothing was corrupted).

use alloy::{
    primitives::{address, Address, Bytes, Signature, B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolValue},
};
use dm3_e2e::{free_port, gateway_command, Gateway};
use dm3_gateway::{
    client::{prepare, NamesClient, PreparedWrite, Request},
    names::RecordsInput,
};
use dm3_protocol::{dns_encode, namehash, signature_digest, IResolverService, RecordCalls};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// anvil's account #1, the gateway's signing key here.
const SIGNER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const SIGNER: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
const RESOLVER: Address = address!("1111111111111111111111111111111111111111");
const STRANGER: Address = address!("2222222222222222222222222222222222222222");
const PROFILE: &str = "data:application/json,{\"publicEncryptionKey\":\"x\"}";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn hex(bytes: &[u8]) -> String {
    alloy::hex::encode_prefixed(bytes)
}

fn sender() -> String {
    hex(RESOLVER.as_slice())
}

fn resolve_raw(name: &[u8], inner: Vec<u8>) -> Vec<u8> {
    IResolverService::resolveCall { name: Bytes::copy_from_slice(name), data: inner.into() }.abi_encode()
}

fn resolve(name: &str, inner: Vec<u8>) -> Vec<u8> {
    resolve_raw(&dns_encode(name).unwrap(), inner)
}

fn text(node: B256, key: &str) -> Vec<u8> {
    RecordCalls::textCall { node, key: key.into() }.abi_encode()
}

fn multicall(calls: Vec<Vec<u8>>) -> Vec<u8> {
    RecordCalls::multicallCall { data: calls.into_iter().map(Bytes::from).collect() }.abi_encode()
}

/// `bytes` with the 32-byte ABI word at `offset` replaced by `word`.
fn with_word(bytes: &[u8], offset: usize, word: U256) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[offset..offset + 32].copy_from_slice(&word.to_be_bytes::<32>());
    out
}

/// One request of the catalogue and what the gateway must answer.
struct Case {
    what: String,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
}

fn get(what: &str, path: String, status: StatusCode, code: &'static str) -> Case {
    Case { what: what.into(), method: Method::GET, path, content_type: None, body: Vec::new(), status, code }
}

fn post(
    what: &str,
    path: &str,
    content_type: Option<&'static str>,
    body: impl Into<Vec<u8>>,
    status: StatusCode,
    code: &'static str,
) -> Case {
    Case { what: what.into(), method: Method::POST, path: path.into(), content_type, body: body.into(), status, code }
}

/// A CCIP-read request for `calldata`, as GET and as POST; both must be refused the same way.
fn ccip(what: &str, calldata: &[u8], status: StatusCode, code: &'static str) -> Vec<Case> {
    let data = hex(calldata);
    let body = json!({ "sender": sender(), "data": data }).to_string();
    let mut cases = vec![post(&format!("POST {what}"), "/", Some("application/json"), body, status, code)];
    // Clients send GET only while the URL stays short (the body limit covers POST).
    if data.len() <= 8 * 1024 {
        cases.push(get(&format!("GET {what}"), format!("/{}/{data}.json", sender()), status, code));
    }
    cases
}

fn ccip_catalogue() -> Vec<Case> {
    use StatusCode as S;
    let name = "alice.dm3.eth";
    let node = namehash(name);
    let good = resolve(name, text(node, "network.dm3.profile"));
    let good_hex = hex(&good);
    let data = |d: &str| get("", format!("/{}/{d}", sender()), S::BAD_REQUEST, "invalid_hex");

    let mut cases = vec![
        Case { what: "malformed hex".into(), ..data("0xzz") },
        Case { what: "malformed hex inside".into(), ..data(&format!("{}zz{}", &good_hex[..20], &good_hex[22..])) },
        Case { what: "odd-length hex".into(), ..data(&good_hex[..good_hex.len() - 1]) },
        Case { what: "hex without 0x".into(), ..data(&good_hex[2..]) },
        Case { what: "non-ASCII in data".into(), ..data("0x%C3%A9") },
        get("bad sender", format!("/0x1234/{good_hex}"), S::BAD_REQUEST, "invalid_hex"),
        get("bad origin", format!("/0xzz/{}/{good_hex}", sender()), S::BAD_REQUEST, "invalid_hex"),
        get("unknown resolver", format!("/{}/{good_hex}", hex(STRANGER.as_slice())), S::NOT_FOUND, "unknown_resolver"),
        get("unknown route", "/a/b/c/d/e".into(), S::NOT_FOUND, "no_such_route"),
        post("POST invalid JSON", "/", Some("application/json"), "{\"sender\":", S::BAD_REQUEST, "invalid_json"),
        post("POST JSON array", "/", Some("application/json"), "[1,2]", S::BAD_REQUEST, "invalid_json"),
        post("POST empty body", "/", None, "", S::BAD_REQUEST, "invalid_json"),
        post(
            "POST form-encoded (wrong Content-Type and body)",
            "/",
            Some("application/x-www-form-urlencoded"),
            format!("sender={}&data={good_hex}", sender()),
            S::BAD_REQUEST,
            "invalid_json",
        ),
        post(
            "POST fields of the wrong type",
            "/",
            Some("application/json"),
            json!({ "sender": 1, "data": [good_hex] }).to_string(),
            S::BAD_REQUEST,
            "invalid_json",
        ),
        post(
            "POST oversized body",
            "/",
            Some("application/json"),
            json!({ "sender": sender(), "data": format!("0x{}", "00".repeat(40_000)) }).to_string(),
            S::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        Case {
            what: "PUT on a CCIP-read route".into(),
            method: Method::PUT,
            path: "/".into(),
            content_type: None,
            body: Vec::new(),
            status: S::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
        },
    ];

    let mut trailing_word = good.clone();
    trailing_word.extend([0u8; 32]);
    let mut trailing_byte = good.clone();
    trailing_byte.push(0);
    let mut dirty_padding = good.clone();
    *dirty_padding.last_mut().unwrap() = 1;
    let long_label = "a".repeat(256);
    let mut label_256 = vec![0xff];
    label_256.extend(long_label.as_bytes());
    label_256.extend(b"\x03dm3\x03eth\x00");
    let deep = (0..8).fold(text(node, "k"), |inner, _| multicall(vec![inner]));

    let calldata: Vec<(&str, Vec<u8>, StatusCode, &'static str)> = vec![
        ("empty calldata", vec![], S::BAD_REQUEST, "invalid_calldata"),
        ("selector only", good[..4].to_vec(), S::BAD_REQUEST, "invalid_calldata"),
        (
            "wrong outer selector",
            [&[0xde, 0xad, 0xbe, 0xef][..], &good[4..]].concat(),
            S::BAD_REQUEST,
            "invalid_calldata",
        ),
        (
            "resolveWithContext selector",
            [&[0xf8, 0xc3, 0x0f, 0x63][..], &good[4..]].concat(),
            S::BAD_REQUEST,
            "invalid_calldata",
        ),
        ("truncated ABI (one word short)", good[..good.len() - 32].to_vec(), S::BAD_REQUEST, "invalid_calldata"),
        ("truncated ABI (one byte short)", good[..good.len() - 1].to_vec(), S::BAD_REQUEST, "invalid_calldata"),
        ("trailing word", trailing_word, S::BAD_REQUEST, "invalid_calldata"),
        ("trailing byte", trailing_byte, S::BAD_REQUEST, "invalid_calldata"),
        ("dirty padding", dirty_padding, S::BAD_REQUEST, "invalid_calldata"),
        ("huge name offset (2^256-1)", with_word(&good, 4, U256::MAX), S::BAD_REQUEST, "invalid_calldata"),
        ("huge data offset (2^64)", with_word(&good, 36, U256::from(1u128 << 64)), S::BAD_REQUEST, "invalid_calldata"),
        ("offset past the end", with_word(&good, 4, U256::from(good.len())), S::BAD_REQUEST, "invalid_calldata"),
        ("aliased offsets", with_word(&good, 36, U256::from(0x40)), S::BAD_REQUEST, "invalid_calldata"),
        ("lying name length (huge)", with_word(&good, 4 + 0x40, U256::MAX), S::BAD_REQUEST, "invalid_calldata"),
        (
            "lying name length (too long)",
            with_word(&good, 4 + 0x40, U256::from(40)),
            S::BAD_REQUEST,
            "invalid_calldata",
        ),
        (
            "lying name length (too short)",
            with_word(&good, 4 + 0x40, U256::from(5)),
            S::BAD_REQUEST,
            "invalid_calldata",
        ),
        ("inner call too short for a selector", resolve(name, vec![0x59, 0xd1]), S::BAD_REQUEST, "invalid_calldata"),
        (
            "unsupported inner function name(bytes32)",
            resolve(name, [&[0x69, 0x1f, 0x34, 0x31][..], node.as_slice()].concat()),
            S::BAD_REQUEST,
            "unsupported_function",
        ),
        (
            "truncated inner text call",
            resolve(name, text(node, "k")[..40].to_vec()),
            S::BAD_REQUEST,
            "invalid_calldata",
        ),
        ("wrong namehash", resolve(name, text(namehash("bob.dm3.eth"), "k")), S::BAD_REQUEST, "node_mismatch"),
        ("zero node", resolve(name, text(B256::ZERO, "k")), S::BAD_REQUEST, "node_mismatch"),
        (
            "namehash of the normalized name for another spelling",
            resolve("Alice.dm3.eth", text(node, "k")),
            S::BAD_REQUEST,
            "node_mismatch",
        ),
        (
            "empty label (zero byte inside)",
            resolve_raw(b"\x05alice\x00\x03dm3\x03eth\x00", text(node, "k")),
            S::BAD_REQUEST,
            "invalid_dns_name",
        ),
        (
            "no terminating zero",
            resolve_raw(b"\x05alice\x03dm3\x03eth", text(node, "k")),
            S::BAD_REQUEST,
            "invalid_dns_name",
        ),
        (
            "label length past the end",
            resolve_raw(b"\x05alice\x09dm3\x00", text(node, "k")),
            S::BAD_REQUEST,
            "invalid_dns_name",
        ),
        ("256-byte label", resolve_raw(&label_256, text(node, "k")), S::BAD_REQUEST, "invalid_dns_name"),
        (
            "trailing bytes after the name",
            resolve_raw(b"\x05alice\x03dm3\x03eth\x00\x00", text(node, "k")),
            S::BAD_REQUEST,
            "invalid_dns_name",
        ),
        (
            "dot inside a label",
            resolve_raw(b"\x09alice.dm3\x03eth\x00", text(node, "k")),
            S::BAD_REQUEST,
            "invalid_dns_name",
        ),
        (
            "label not UTF-8",
            resolve_raw(b"\x02\xff\xfe\x03dm3\x03eth\x00", text(node, "k")),
            S::BAD_REQUEST,
            "invalid_dns_name",
        ),
        ("empty name bytes", resolve_raw(b"", text(node, "k")), S::BAD_REQUEST, "invalid_dns_name"),
        ("the root name", resolve_raw(b"\x00", text(B256::ZERO, "k")), S::NOT_FOUND, "name_not_served"),
        (
            "a name outside dm3.eth",
            resolve("alice.evil.eth", text(namehash("alice.evil.eth"), "k")),
            S::NOT_FOUND,
            "name_not_served",
        ),
        ("empty multicall", resolve(name, multicall(vec![])), S::BAD_REQUEST, "invalid_calldata"),
        (
            "nested multicall",
            resolve(name, multicall(vec![multicall(vec![text(node, "k")])])),
            S::BAD_REQUEST,
            "nested_multicall",
        ),
        ("deeply nested multicall", resolve(name, deep), S::BAD_REQUEST, "nested_multicall"),
        (
            "oversized multicall (33 calls)",
            resolve(name, multicall(vec![text(node, "k"); 33])),
            S::BAD_REQUEST,
            "multicall_too_large",
        ),
        (
            "oversized multicall (200 calls)",
            resolve(name, multicall(vec![RecordCalls::addr_0Call { node }.abi_encode(); 200])),
            S::BAD_REQUEST,
            "multicall_too_large",
        ),
        (
            "multicall with one wrong namehash",
            resolve(name, multicall(vec![text(node, "k"), text(namehash("bob.dm3.eth"), "k")])),
            S::BAD_REQUEST,
            "node_mismatch",
        ),
        (
            "multicall with a lying element count",
            {
                let inner = multicall(vec![text(node, "k")]);
                resolve(name, with_word(&inner, 4 + 32, U256::from(1_000_000)))
            },
            S::BAD_REQUEST,
            "invalid_calldata",
        ),
    ];
    for (what, calldata, status, code) in calldata {
        cases.extend(ccip(what, &calldata, status, code));
    }
    cases
}

/// The names-API catalogue. `write` signs a claim of `name` with records
/// `{"texts":{"url":<url>}}`, valid now.
fn names_catalogue(domain: &alloy::sol_types::Eip712Domain, taken: &PreparedWrite) -> Vec<Case> {
    use StatusCode as S;
    let key = PrivateKeySigner::random();
    let records = || {
        let mut r = RecordsInput::default();
        r.texts.insert("url".into(), "https://x".into());
        r
    };
    let claim = |name: &str, deadline: u64| {
        let request = Request::Claim { owner: None, records: records() };
        prepare(domain, &key, name, request, None, 0, deadline).unwrap().body
    };
    let deadline = now() + 600;
    let body = |v: Value| v.to_string();
    let valid: Value = serde_json::from_str(&claim("mallory.dm3.eth", deadline)).unwrap();
    let with = |field: &str, value: Value| {
        let mut v = valid.clone();
        v[field] = value;
        v.to_string()
    };
    let mut other_signer = valid.clone();
    other_signer["signature"] =
        serde_json::from_str::<Value>(&claim("mallory.dm3.eth", deadline + 1)).unwrap()["signature"].clone();
    let records_with = |records: Value| {
        let mut v = valid.clone();
        v["records"] = records;
        v.to_string()
    };
    let names = |what: &str, body: String, status: StatusCode, code: &'static str| {
        post(what, "/names", Some("application/json"), body, status, code)
    };

    let mut cases = vec![
        names("invalid JSON", "{\"name\":".into(), S::BAD_REQUEST, "invalid_json"),
        names("not an object", "\"alice.dm3.eth\"".into(), S::BAD_REQUEST, "invalid_json"),
        names("empty body", String::new(), S::BAD_REQUEST, "invalid_json"),
        names("unknown field", with("admin", json!(true)), S::BAD_REQUEST, "invalid_json"),
        names(
            "missing signature",
            {
                let mut v = valid.clone();
                v.as_object_mut().unwrap().remove("signature");
                body(v)
            },
            S::BAD_REQUEST,
            "invalid_json",
        ),
        names("owner not an address", with("owner", json!("0x1234")), S::BAD_REQUEST, "invalid_json"),
        names("negative nonce", with("nonce", json!(-1)), S::BAD_REQUEST, "invalid_json"),
        names(
            "nonce beyond u64",
            with("nonce", json!(u128::MAX.to_string().parse::<f64>().unwrap())),
            S::BAD_REQUEST,
            "invalid_json",
        ),
        names("signature not hex", with("signature", json!("0xnothex")), S::BAD_REQUEST, "invalid_json"),
        names("records not an object", with("records", json!("texts")), S::BAD_REQUEST, "invalid_records"),
        names("unknown records field", records_with(json!({ "txt": {} })), S::BAD_REQUEST, "invalid_records"),
        names(
            "non-normalized name (upper case)",
            with("name", json!("Mallory.dm3.eth")),
            S::BAD_REQUEST,
            "name_not_normalized",
        ),
        names(
            "non-normalized name (full-width)",
            with("name", json!("ｍａｌｌｏｒｙ.dm3.eth")),
            S::BAD_REQUEST,
            "name_not_normalized",
        ),
        names(
            "emoji with FE0F",
            with("name", json!("\u{2764}\u{fe0f}\u{2764}\u{fe0f}\u{2764}\u{fe0f}.dm3.eth")),
            S::BAD_REQUEST,
            "name_not_normalized",
        ),
        names(
            "confusable (Cyrillic а in Latin)",
            with("name", json!("m\u{0430}llory.dm3.eth")),
            S::BAD_REQUEST,
            "invalid_name",
        ),
        names("zero-width joiner", with("name", json!("mal\u{200d}lory.dm3.eth")), S::BAD_REQUEST, "invalid_name"),
        names("right-to-left override", with("name", json!("mal\u{202e}lory.dm3.eth")), S::BAD_REQUEST, "invalid_name"),
        names("empty label inside", with("name", json!("mallory..dm3.eth")), S::BAD_REQUEST, "invalid_name"),
        names("empty first label", with("name", json!(".dm3.eth")), S::BAD_REQUEST, "invalid_name"),
        names("trailing dot", with("name", json!("mallory.dm3.eth.")), S::BAD_REQUEST, "invalid_name"),
        names("empty name", with("name", json!("")), S::BAD_REQUEST, "invalid_name"),
        names("two labels", with("name", json!("a.mallory.dm3.eth")), S::BAD_REQUEST, "invalid_name"),
        names("other parent", with("name", json!("mallory.evil.eth")), S::BAD_REQUEST, "invalid_name"),
        names("too short", with("name", json!("ab.dm3.eth")), S::BAD_REQUEST, "name_too_short"),
        names("reserved", with("name", json!("admin.dm3.eth")), S::BAD_REQUEST, "name_reserved"),
        names(
            "256-byte label",
            with("name", json!(format!("{}.dm3.eth", "a".repeat(256)))),
            S::BAD_REQUEST,
            "invalid_name",
        ),
        names("expired deadline", claim("mallory.dm3.eth", now() - 10), S::BAD_REQUEST, "expired"),
        names("deadline more than 24 h ahead", claim("mallory.dm3.eth", now() + 25 * 3600), S::BAD_REQUEST, "expired"),
        names("deadline u64::MAX", with("deadline", json!(u64::MAX)), S::BAD_REQUEST, "expired"),
        names("random 65-byte signature", with("signature", json!(hex(&[7u8; 65]))), S::UNAUTHORIZED, "bad_signature"),
        names("64-byte signature", with("signature", json!(hex(&[7u8; 64]))), S::UNAUTHORIZED, "bad_signature"),
        names("empty signature", with("signature", json!("0x")), S::UNAUTHORIZED, "bad_signature"),
        names("signature over other fields", body(other_signer), S::UNAUTHORIZED, "bad_signature"),
        names("signature for another name", with("name", json!("trudy.dm3.eth")), S::UNAUTHORIZED, "bad_signature"),
        names("wrong nonce", with("nonce", json!(5)), S::CONFLICT, "nonce_mismatch"),
        names("replayed claim of a taken name", taken.body.clone(), S::CONFLICT, "name_taken"),
        names(
            "too many texts",
            records_with(
                json!({ "texts": (0..40).map(|i| (format!("k{i}"), json!("v"))).collect::<serde_json::Map<_, _>>() }),
            ),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "oversized text value",
            records_with(json!({ "texts": { "url": "x".repeat(5000) } })),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "oversized text key",
            records_with(json!({ "texts": { "k".repeat(300): "v" } })),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "oversized records JSON",
            records_with(
                json!({ "texts": (0..5).map(|i| (format!("k{i}"), json!("x".repeat(4000)))).collect::<serde_json::Map<_, _>>() }),
            ),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "short EVM address",
            records_with(json!({ "addresses": { "60": "0x1234" } })),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "coin type not a number",
            records_with(json!({ "addresses": { "eth": "0x1234" } })),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "oversized contenthash",
            records_with(json!({ "contenthash": hex(&[1u8; 200]) })),
            S::BAD_REQUEST,
            "invalid_records",
        ),
        names(
            "malformed dm3 profile (signed)",
            {
                let mut r = RecordsInput::default();
                r.texts.insert("eth.dm3.profile".into(), "data:application/json,{".into());
                let request = Request::Claim { owner: None, records: r };
                prepare(domain, &key, "mallory.dm3.eth", request, None, 0, deadline).unwrap().body
            },
            S::BAD_REQUEST,
            "invalid_profile",
        ),
        names(
            "oversized body",
            with("records", json!({ "texts": { "url": "x".repeat(70_000) } })),
            S::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        get("owner not an address", "/owners/0x1234/names".into(), S::BAD_REQUEST, "invalid_hex"),
        Case {
            what: "update of an unclaimed name".into(),
            method: Method::PUT,
            path: "/names/nobody.dm3.eth".into(),
            content_type: Some("application/json"),
            body: json!({ "records": {}, "nonce": 0, "deadline": deadline, "signature": hex(&[1u8; 65]) })
                .to_string()
                .into(),
            status: S::NOT_FOUND,
            code: "name_not_claimed",
        },
        Case {
            what: "release with records".into(),
            method: Method::POST,
            path: "/names/nobody.dm3.eth/release".into(),
            content_type: Some("application/json"),
            body: json!({ "records": {}, "nonce": 0, "deadline": deadline, "signature": "0x" }).to_string().into(),
            status: S::BAD_REQUEST,
            code: "invalid_json",
        },
    ];
    for case in &mut cases {
        case.what = format!("names: {}", case.what);
    }
    cases
}

async fn run(client: &reqwest::Client, base: &str, case: &Case) -> (StatusCode, Value) {
    let mut request = client.request(case.method.clone(), format!("{base}{}", case.path)).body(case.body.clone());
    if let Some(content_type) = case.content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{}: {}", case.what, e.without_url()));
    let status = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
    let text = response.text().await.unwrap();
    assert!(
        content_type.as_deref().is_some_and(|c| c.starts_with("application/json")),
        "{}: {status} with content type {content_type:?}: {text}",
        case.what
    );
    let json =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {status} non-JSON body ({e}): {text}", case.what));
    (status, json)
}

/// Resolves `text(name, key)` over HTTP and checks the signature.
async fn resolve_text(client: &reqwest::Client, base: &str, name: &str, key: &str) -> String {
    let calldata = resolve(name, text(namehash(name), key));
    let url = format!("{base}/{}/{}.json", sender(), hex(&calldata));
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let data: Bytes = body["data"].as_str().unwrap().parse().unwrap();
    let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
    let digest = signature_digest(RESOLVER, expires, &calldata, &result);
    assert_eq!(Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap(), SIGNER);
    String::abi_decode(&result).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_input_gets_its_documented_4xx_and_nothing_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let key_file = dir.path().join("signer.key");
    std::fs::write(&key_file, SIGNER_KEY).unwrap();
    let data_arg = data_dir.display().to_string();
    gateway_command(&[
        "records".into(),
        "set".into(),
        "alice.dm3.eth".into(),
        "--text".into(),
        format!("eth.dm3.profile={PROFILE}"),
        "--data-dir".into(),
        data_arg.clone(),
    ])
    .unwrap();
    let args: Vec<String> = vec![
        "--data-dir".into(),
        data_arg,
        "--resolver".into(),
        RESOLVER.to_string(),
        "--signer-key-file".into(),
        key_file.display().to_string(),
        // The catalogue sends dozens of writes from one IP: no rate limit here
        // (names.rs tests the limiter).
        "--write-burst".into(),
        "0".into(),
    ];
    let gateway = Gateway::start(free_port(), &args).await.unwrap();
    let base = gateway.url.clone();
    // No connection reuse: the server may close a connection after refusing a body.
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();

    // One good claim before the catalogue, to replay and to check afterwards.
    let names = NamesClient::new(&base);
    let domain = names.domain().await.unwrap();
    let owner = PrivateKeySigner::random();
    let mut records = RecordsInput::default();
    records.texts.insert("url".into(), "https://owner".into());
    let taken =
        prepare(&domain, &owner, "owner.dm3.eth", Request::Claim { owner: None, records }, None, 0, now() + 600)
            .unwrap();
    names.submit(&taken).await.unwrap();
    let before = names.name("owner.dm3.eth").await.unwrap();

    let mut cases = ccip_catalogue();
    cases.extend(names_catalogue(&domain, &taken));
    let mut failures = Vec::new();
    for case in &cases {
        let (status, body) = run(&client, &base, case).await;
        let message_ok = body["message"].as_str().is_some_and(|m| !m.is_empty());
        if status != case.status || body["code"] != case.code || !message_ok {
            failures.push(format!("{}: expected {} {}, got {status} {body}", case.what, case.status, case.code));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));

    // A 20 KiB URL is refused, not crashed on.
    let long = client.get(format!("{base}/{}/0x{}", sender(), "00".repeat(10_000))).send().await.unwrap();
    assert!(long.status().is_client_error(), "{}", long.status());

    // Still alive, still answering, store intact.
    let health = client.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(resolve_text(&client, &base, "alice.dm3.eth", "network.dm3.profile").await, PROFILE);
    assert_eq!(resolve_text(&client, &base, "owner.dm3.eth", "url").await, "https://owner");
    assert_eq!(names.name("owner.dm3.eth").await.unwrap(), before);
    assert_eq!(names.names_of(owner.address()).await.unwrap(), ["owner.dm3.eth"]);
    for name in ["mallory.dm3.eth", "trudy.dm3.eth", "admin.dm3.eth", "nobody.dm3.eth"] {
        assert_eq!(names.name(name).await.unwrap()["owner"], Value::Null, "{name} was written");
    }
    // 255-byte labels are valid: a signed empty answer.
    let long_label = format!("{}.dm3.eth", "a".repeat(255));
    assert_eq!(resolve_text(&client, &base, &long_label, "url").await, "");
    println!("{} bad inputs refused as documented", cases.len());
}
