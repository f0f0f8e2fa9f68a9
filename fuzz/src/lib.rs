//! The properties the fuzz targets check, one function per target.
//!
//! Each function takes arbitrary bytes, feeds them to a decoder of the gateway
//! that reads untrusted input, and panics when a property breaks: libFuzzer
//! reports the panic as a crash. The same functions run under `proptest` in
//! the normal test run (`gateway/tests/properties.rs` includes this file), so
//! the properties are checked on every `scripts/test` even without libFuzzer.
//!
//! This file is included as a module by that test: no crate-level attributes.

use alloy::{
    primitives::{keccak256, Address, Bytes, B256},
    sol_types::SolCall,
};
use axum::{
    body::Body,
    http::{Method, Request},
    Router,
};
use dm3_gateway::{
    names::{NameRules, RecordsInput, MAX_RECORDS_JSON_BYTES},
    profile::{DeliveryServiceProfile, SignedUserProfile},
    test_support::{names_policy, TestGateway},
};
use dm3_protocol::{
    decode_dm3_request, decode_request, dns_decode, dns_encode, namehash, IDm3ResolverService, IResolverService,
    RecordCalls, RecordQuery, ResolveRequest, MAX_MULTICALL_CALLS,
};
use tower::ServiceExt;

/// The labels of a DNS wire-format name by the ENS `NameCoder` rules, read
/// independently of the gateway's decoder: `None` unless the input is labels
/// of 1–255 bytes, each length-prefixed, ending in one zero byte and nothing
/// after it. Label contents are not checked here.
pub fn reference_labels(wire: &[u8]) -> Option<Vec<&[u8]>> {
    let mut labels = Vec::new();
    let mut at = 0;
    loop {
        let len = usize::from(*wire.get(at)?);
        at += 1;
        if len == 0 {
            return (at == wire.len()).then_some(labels);
        }
        labels.push(wire.get(at..at + len)?);
        at += len;
    }
}

/// EIP-137 namehash over raw label bytes, last label first.
pub fn reference_namehash(labels: &[&[u8]]) -> B256 {
    labels
        .iter()
        .rev()
        .fold(B256::ZERO, |node, label| keccak256([node.as_slice(), keccak256(label).as_slice()].concat()))
}

/// Target `dns_name`: `dns_decode` never panics; it accepts exactly the wire
/// names whose labels are UTF-8 without `.`; an accepted name encodes back to
/// the same bytes; and its namehash equals the namehash over the raw labels.
pub fn dns_name(data: &[u8]) {
    let decoded = dns_decode(data);
    let labels = reference_labels(data);
    let acceptable = labels
        .as_ref()
        .is_some_and(|labels| labels.iter().all(|label| std::str::from_utf8(label).is_ok() && !label.contains(&b'.')));
    assert_eq!(decoded.is_ok(), acceptable, "{data:?}: {decoded:?}");
    if let (Ok(name), Some(labels)) = (decoded, labels) {
        assert_eq!(dns_encode(&name).as_deref(), Ok(data), "round trip of {name:?}");
        assert_eq!(namehash(&name), reference_namehash(&labels), "namehash of {name:?}");
    }
}

/// The calldata a decoded request stands for: `resolve(dns(name), inner)`.
pub fn encode_request(request: &ResolveRequest) -> Vec<u8> {
    let node = request.node;
    let call = |query: &RecordQuery| -> Vec<u8> {
        match query {
            RecordQuery::Addr => RecordCalls::addr_0Call { node }.abi_encode(),
            RecordQuery::AddrCoin(coin_type) => RecordCalls::addr_1Call { node, coinType: *coin_type }.abi_encode(),
            RecordQuery::Text(key) => RecordCalls::textCall { node, key: key.clone() }.abi_encode(),
            RecordQuery::Contenthash => RecordCalls::contenthashCall { node }.abi_encode(),
        }
    };
    let inner = if request.multicall {
        RecordCalls::multicallCall { data: request.queries.iter().map(|q| Bytes::from(call(q))).collect() }.abi_encode()
    } else {
        call(&request.queries[0])
    };
    let name = dns_encode(&request.name).expect("a decoded name encodes");
    IResolverService::resolveCall { name: name.into(), data: inner.into() }.abi_encode()
}

/// Target `resolve_calldata`: `decode_request` never panics; an accepted
/// request is canonical (re-encoding it gives the input back), asks 1 to
/// `MAX_MULTICALL_CALLS` records (exactly one outside a multicall), and its
/// name re-hashes to the node every record call carried.
pub fn resolve_calldata(data: &[u8]) {
    let Ok(request) = decode_request(data) else { return };
    assert_eq!(namehash(&request.name), request.node, "{request:?}");
    assert!(!request.queries.is_empty() && request.queries.len() <= MAX_MULTICALL_CALLS, "{request:?}");
    assert!(request.multicall || request.queries.len() == 1, "{request:?}");
    assert_eq!(encode_request(&request), data, "accepted a non-canonical encoding: {request:?}");
}

/// `dm3_calldata`: dm3's `resolveWithContext` callData. Never panics; what it
/// accepts is canonical ABI (decoding and re-encoding gives the input back),
/// one record call (no `multicall`) about `namehash(name)`.
pub fn dm3_calldata(data: &[u8]) {
    let Ok(request) = decode_dm3_request(data) else { return };
    assert_eq!(namehash(&request.name), request.node, "{request:?}");
    assert!(!request.multicall && request.queries.len() == 1, "{request:?}");
    let call = IDm3ResolverService::resolveWithContextCall::abi_decode(data).expect("accepted calldata decodes");
    assert_eq!(call.abi_encode(), data, "accepted a non-canonical encoding: {request:?}");
}

/// One gateway application over a fresh embedded store, per thread.
struct NamesHarness {
    runtime: tokio::runtime::Runtime,
    app: Router,
    _gateway: TestGateway,
}

impl NamesHarness {
    fn new() -> Self {
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_time().build().expect("a current-thread runtime");
        let gateway = TestGateway::new().names(names_policy());
        Self { runtime, app: gateway.router(), _gateway: gateway }
    }
}

thread_local! {
    static NAMES: NamesHarness = NamesHarness::new();
}

/// Percent-encodes every byte outside the unreserved set, so that any label
/// makes a valid request path.
fn path_segment(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Target `names_request`: the names API, in-process over an embedded store.
///
/// The first byte picks the route (claim, update, transfer, release, read,
/// owner's names), the bytes up to the next zero byte are the path's name, the
/// rest is the body. Properties: nothing panics; the answer is never a 5xx
/// (the store is healthy, so every refusal is the client's fault); every error
/// is a JSON `{"message", "code"}`. The body also goes to
/// `RecordsInput::parse`, the claim rules and the ENSIP-15 normalizer
/// directly: no panic, and accepted records serialize back to records that
/// parse to the same value.
pub fn names_request(data: &[u8]) {
    let Some((&route, rest)) = data.split_first() else { return };
    let (name, body) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&rest[..0], rest),
    };
    let name = path_segment(name);
    let (method, uri) = match route % 6 {
        0 => (Method::POST, "/names".to_owned()),
        1 => (Method::PUT, format!("/names/{name}")),
        2 => (Method::POST, format!("/names/{name}/transfer")),
        3 => (Method::POST, format!("/names/{name}/release")),
        4 => (Method::GET, format!("/names/{name}")),
        _ => (Method::GET, format!("/owners/{name}/names")),
    };

    if let Ok(text) = std::str::from_utf8(body) {
        let rules = NameRules { parents: vec!["dm3.eth".into()], min_label_length: 3, reserved: vec![] };
        let _ = rules.check(text);
        if let Ok(records) = RecordsInput::parse(text) {
            let _ = records.dm3_profile();
            let again = serde_json::to_string(&records).expect("records serialize");
            if again.len() <= MAX_RECORDS_JSON_BYTES {
                assert_eq!(RecordsInput::parse(&again).ok().as_ref(), Some(&records), "{again}");
            }
            let _ = records.into_record(Some(Address::repeat_byte(1)), 1);
        }
    }

    let Ok(request) = Request::builder()
        .method(method)
        .uri(&uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_vec()))
    else {
        return;
    };
    let (status, reply) = NAMES.with(|harness| {
        harness.runtime.block_on(async {
            let response = harness.app.clone().oneshot(request).await.expect("the router is infallible");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a readable body");
            (status, bytes)
        })
    });
    assert!(!status.is_server_error(), "{uri}: {status} {}", String::from_utf8_lossy(&reply));
    if !status.is_success() {
        let json: serde_json::Value = serde_json::from_slice(&reply)
            .unwrap_or_else(|e| panic!("{uri}: {status} with a non-JSON body ({e}): {reply:?}"));
        assert!(json["message"].is_string() && json["code"].is_string(), "{uri}: {status} {json}");
    }
}

/// Target `dm3_profile`: parsing a profile text record never panics; for an
/// accepted record, validation and signature checks never panic and the
/// canonical record (`to_text_record`) parses back to the same value. The
/// bytes are also tried as a delivery-service profile.
pub fn dm3_profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(profile) = SignedUserProfile::from_text_record(text) {
        let _ = profile.profile.validate();
        let _ = profile.verify(Address::repeat_byte(1));
        let record = profile.to_text_record();
        assert_eq!(SignedUserProfile::from_text_record(&record).ok().as_ref(), Some(&profile), "{record}");
    }
    if let Ok(service) = serde_json::from_str::<DeliveryServiceProfile>(text) {
        let _ = service.validate();
        let record = service.to_text_record();
        let json = record.strip_prefix(dm3_gateway::profile::DATA_URI_PREFIX).expect("the data URI prefix");
        assert_eq!(serde_json::from_str::<DeliveryServiceProfile>(json).ok().as_ref(), Some(&service));
    }
}
