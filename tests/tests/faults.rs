//! Fault tests: the store or the gateway dies under load.
//!
//! - Redis with `appendfsync always` is SIGKILLed while claims and CCIP-read
//!   requests run: meanwhile CCIP-read answers 5xx (clients fail over) and
//!   writes 503; when Redis is back on the same port and directory the same
//!   gateway process recovers by itself; every acknowledged claim survived.
//! - The gateway on the embedded store is SIGKILLed while claims run
//!   concurrently; after a restart on the same data directory every
//!   acknowledged claim is there and complete, and no claim is half-written.
//!
//! Every loop is bounded in count and time and talks to 127.0.0.1 only.

use alloy::{
    primitives::{address, Address},
    signers::local::PrivateKeySigner,
    sol_types::{Eip712Domain, SolCall},
};
use dm3_e2e::{free_port, submit, Gateway, PersistentRedis};
use dm3_gateway::{
    client::{prepare, NamesClient, PreparedWrite, Request},
    names::RecordsInput,
};
use dm3_protocol::{dns_encode, namehash, IResolverService, RecordCalls};
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

const SIGNER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const RESOLVER: Address = address!("1111111111111111111111111111111111111111");

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// One prepared claim: name, owner key, and the `url` text it sets.
struct Claim {
    name: String,
    key: PrivateKeySigner,
    url: String,
    write: PreparedWrite,
}

fn claims(domain: &Eip712Domain, prefix: &str, count: usize) -> Vec<Claim> {
    (0..count)
        .map(|i| {
            let name = format!("{prefix}{i:03}.dm3.eth");
            let key = PrivateKeySigner::random();
            let url = format!("https://{prefix}{i}.example");
            let mut records = RecordsInput::default();
            records.texts.insert("url".into(), url.clone());
            let request = Request::Claim { owner: None, records };
            let write = prepare(domain, &key, &name, request, None, 0, now() + 600).unwrap();
            Claim { name, key, url, write }
        })
        .collect()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap()
}

/// A CCIP-read GET of `text(alice.dm3.eth, "url")`; the status, or `None`.
async fn ccip_status(client: &reqwest::Client, base: &str) -> Option<StatusCode> {
    let name = "alice.dm3.eth";
    let inner = RecordCalls::textCall { node: namehash(name), key: "url".into() }.abi_encode();
    let calldata =
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }.abi_encode();
    let url = format!("{base}/{RESOLVER:#x}/{}.json", alloy::hex::encode_prefixed(calldata));
    client.get(url).send().await.ok().map(|r| r.status())
}

/// Checks what the gateway shows for every claim: acknowledged ones are
/// complete (owner, nonce 1, records) and indexed under their owner; the
/// others are either complete the same way or entirely absent.
async fn check_claims(base: &str, claims: &[Claim], acknowledged: &[usize]) -> (usize, usize) {
    let names = NamesClient::new(base);
    let (mut present, mut absent) = (0, 0);
    for (i, claim) in claims.iter().enumerate() {
        let view: Value = names.name(&claim.name).await.unwrap();
        let owned_by: Vec<String> = names.names_of(claim.key.address()).await.unwrap();
        if view["owner"].is_null() {
            assert!(!acknowledged.contains(&i), "acknowledged claim {} was lost: {view}", claim.name);
            assert_eq!(view["nonce"], 0, "half-written {}: {view}", claim.name);
            assert_eq!(view["texts"], serde_json::json!({}), "half-written {}: {view}", claim.name);
            assert!(owned_by.is_empty(), "index lists {} for a name it does not own", claim.name);
            absent += 1;
            continue;
        }
        let owner: Address = serde_json::from_value(view["owner"].clone()).unwrap();
        assert_eq!(owner, claim.key.address(), "{}: {view}", claim.name);
        assert_eq!(view["nonce"], 1, "{}: {view}", claim.name);
        assert_eq!(view["texts"]["url"], claim.url.as_str(), "{}: {view}", claim.name);
        let ether = format!("{:#x}", claim.key.address());
        assert_eq!(view["addresses"]["60"].as_str().map(str::to_lowercase), Some(ether), "{}: {view}", claim.name);
        assert_eq!(owned_by, std::slice::from_ref(&claim.name), "owner → names index of {}", claim.name);
        present += 1;
    }
    (present, absent)
}

fn gateway_args(store: &[String], key_file: &std::path::Path) -> Vec<String> {
    let mut args = store.to_vec();
    args.extend([
        "--resolver".into(),
        RESOLVER.to_string(),
        "--signer-key-file".into(),
        key_file.display().to_string(),
        "--write-burst".into(),
        "0".into(),
        "--store-timeout".into(),
        "1".into(),
    ]);
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_killed_under_load_recovers_without_losing_acknowledged_claims() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signer.key");
    std::fs::write(&key_file, SIGNER_KEY).unwrap();
    let mut redis = PersistentRedis::start().await.unwrap();
    let args = gateway_args(&["--redis-url".into(), redis.url.clone()], &key_file);
    let gateway = Gateway::start(free_port(), &args).await.unwrap();
    let base = gateway.url.clone();
    let client = http();
    let domain = NamesClient::new(&base).domain().await.unwrap();
    assert_eq!(ccip_status(&client, &base).await, Some(StatusCode::OK));

    // Phase 1: claims and reads from 4 workers; Redis is SIGKILLed after 15
    // acknowledged claims, while the workers keep sending.
    let before = Arc::new(claims(&domain, "before", 40));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, usize>::new()));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (claims, acknowledged, next, statuses) =
                (before.clone(), acknowledged.clone(), next.clone(), statuses.clone());
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(claim) = claims.get(i) else { break };
                    let status = submit(&client, &base, &claim.write).await;
                    if status == Some(StatusCode::CREATED) {
                        acknowledged.lock().unwrap().push(i);
                    }
                    *statuses.lock().unwrap().entry(status.map_or(0, |s| s.as_u16())).or_default() += 1;
                    let _ = ccip_status(&client, &base).await;
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 15 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    redis.kill();
    let killed_at = acknowledged.lock().unwrap().len();
    for worker in workers {
        worker.await.unwrap();
    }
    let phase1 = statuses.lock().unwrap().clone();
    assert!(killed_at >= 15, "only {killed_at} claims before the kill");
    assert!(phase1.get(&503).copied().unwrap_or(0) > 0, "no write failed while Redis was down: {phase1:?}");
    assert!(phase1.keys().all(|s| [201, 503].contains(s)), "unexpected statuses {phase1:?}");

    // While Redis is down: CCIP-read 5xx (so clients fail over), writes 503.
    let down = claims(&domain, "down", 3);
    for claim in &down {
        let status = ccip_status(&client, &base).await.expect("the gateway answers");
        assert!(status.is_server_error(), "CCIP-read answered {status} while Redis is down");
        assert_eq!(submit(&client, &base, &claim.write).await, Some(StatusCode::SERVICE_UNAVAILABLE));
    }
    let health = client.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the process is alive");

    // Redis comes back with its append-only file; the same gateway recovers.
    redis.restart().await.unwrap();
    let restarted = Instant::now();
    while ccip_status(&client, &base).await != Some(StatusCode::OK) {
        assert!(restarted.elapsed() < Duration::from_secs(20), "the gateway did not recover");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovery = restarted.elapsed();
    let after = claims(&domain, "after", 10);
    for claim in &after {
        assert_eq!(submit(&client, &base, &claim.write).await, Some(StatusCode::CREATED), "{}", claim.name);
    }

    let acknowledged = acknowledged.lock().unwrap().clone();
    let (present, absent) = check_claims(&base, &before, &acknowledged).await;
    assert!(present >= acknowledged.len());
    check_claims(&base, &after, &(0..after.len()).collect::<Vec<_>>()).await;
    println!(
        "redis: {} acknowledged before/around the kill (statuses {phase1:?}), {present} present, {absent} absent; \
         recovered {recovery:?} after restart",
        acknowledged.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gateway_killed_mid_write_keeps_every_acknowledged_claim_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signer.key");
    std::fs::write(&key_file, SIGNER_KEY).unwrap();
    let data_dir = dir.path().join("data").display().to_string();
    let args = gateway_args(&["--data-dir".into(), data_dir], &key_file);
    let port = free_port();
    let gateway = Gateway::start(port, &args).await.unwrap();
    let base = gateway.url.clone();
    let client = http();
    let domain = NamesClient::new(&base).domain().await.unwrap();

    // 16 concurrent writers over 150 claims; SIGKILL after 40 acknowledgements.
    let all = Arc::new(claims(&domain, "crash", 150));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (claims, acknowledged, next) = (all.clone(), acknowledged.clone(), next.clone());
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(claim) = claims.get(i) else { break };
                    match submit(&client, &base, &claim.write).await {
                        Some(StatusCode::CREATED) => acknowledged.lock().unwrap().push(i),
                        Some(other) => panic!("{}: {other}", claim.name),
                        None => break, // the gateway is gone
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 40 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    gateway.kill();
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40, "only {} claims before the kill", acknowledged.len());
    let sent = next.load(Ordering::SeqCst).min(all.len());
    assert!(sent < all.len(), "the kill came after every claim was sent: not mid-load");

    // Restart on the same data directory: redb recovers the file.
    let gateway = Gateway::start(port, &args).await.unwrap();
    let (present, absent) = check_claims(&gateway.url, &all, &acknowledged).await;
    // The store still takes writes after the crash.
    let more = claims(&domain, "later", 3);
    for claim in &more {
        assert_eq!(submit(&client, &gateway.url, &claim.write).await, Some(StatusCode::CREATED));
    }
    println!(
        "embedded: {} acknowledged before SIGKILL, {present} present after restart, {absent} absent",
        acknowledged.len()
    );
}
