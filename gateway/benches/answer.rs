//! The CPU cost of one uncached answer beside the cost of its signature:
//! - `answer/decode_sign_encode`: decode the callData, encode the record,
//!   hash, sign, ABI-encode the response and render the JSON body;
//! - `answer/http_uncached`: a whole `GET /{sender}/{data}.json` through the
//!   real axum app (routing, middleware, metrics, the embedded store's read
//!   and record decoding, signing, the response), in process, cache off,
//!   over 1,000 names — everything but the socket;
//! - `answer/secp256k1_sign`: one k256 signature over a 32-byte prehash.
//!
//! `cargo bench -p dm3-gateway --bench answer`

use alloy::{
    primitives::{keccak256, Bytes},
    signers::{local::PrivateKeySigner, SignerSync},
    sol_types::SolCall,
};
use axum::{body::Body, http::Request};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dm3_gateway::{
    cache::CachedResponse,
    signer::AnswerSigner,
    store::{NameRecord, NameWriter},
    test_support::{TestGateway, RESOLVER, SIGNER_KEY as KEY},
};
use dm3_protocol::{decode_request, dns_encode, encode_response, namehash, IResolverService, RecordCalls};
use std::{hint::black_box, time::Duration};
use tower::ServiceExt;

/// The allocator of the `dm3-gateway` binary, so that the path costs what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench(c: &mut Criterion) {
    let name = "alice.dm3.eth";
    let inner = RecordCalls::textCall { node: namehash(name), key: "network.dm3.profile".into() }.abi_encode();
    let calldata =
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }.abi_encode();
    let mut record = NameRecord::default();
    record.set_text(
        "eth.dm3.profile",
        "data:application/json,{\"profile\":{\"deliveryServices\":[\"ds.dm3.eth\"],\"publicEncryptionKey\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"publicSigningKey\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},\"signature\":\"0x00\"}",
    );
    let signer = AnswerSigner::from_hex(KEY).unwrap();

    let mut group = c.benchmark_group("answer");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("decode_sign_encode", |b| {
        b.iter(|| {
            let request = decode_request(black_box(&calldata)).unwrap();
            let result: Bytes = record.value(&request.queries[0]).into();
            let signed = signer.sign_answer(RESOLVER, &calldata, result, 1_700_000_000).unwrap();
            let answer = CachedResponse::new(encode_response(&signed), &signed.signature, "text", Duration::ZERO);
            black_box(answer.body.len())
        });
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Signing inline: this measures the work of the path. The server hands
    // the signature to its signing threads (`--signing-threads`); what that
    // hand-over costs under load shows in the report's whole-server CPU per answer.
    let gateway = TestGateway::new().signer(signer.clone()).resolvers(vec![RESOLVER]);
    let names: Vec<String> = (0..1000).map(|i| format!("user{i}.dm3.eth")).collect();
    runtime.block_on(async {
        for name in &names {
            gateway.embedded().put_record(name, &record).await.unwrap();
        }
    });
    let router = gateway.router();
    let uris: Vec<String> = names
        .iter()
        .map(|name| {
            let inner = RecordCalls::textCall { node: namehash(name), key: "network.dm3.profile".into() }.abi_encode();
            let calldata = IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }
                .abi_encode();
            format!("/{RESOLVER:#x}/0x{}.json", alloy::hex::encode(calldata))
        })
        .collect();
    let mut next = 0;
    group.bench_function("http_uncached", |b| {
        b.iter(|| {
            next = (next + 1) % uris.len();
            let request = Request::get(uris[next].as_str()).body(Body::empty()).unwrap();
            let response = runtime.block_on(router.clone().oneshot(request)).unwrap();
            assert!(response.status().is_success());
            black_box(response)
        });
    });

    let key: PrivateKeySigner = KEY.parse().unwrap();
    let digest = keccak256(b"a 32-byte prehash");
    group.bench_function("secp256k1_sign", |b| b.iter(|| black_box(key.sign_hash_sync(black_box(&digest)).unwrap())));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
