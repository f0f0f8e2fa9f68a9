//! Several gateway processes over one Redis, as behind a load balancer: a
//! name changed through one gateway is served fresh by another at once (the
//! answer cache is dropped through the Redis change channel), `/ready` turns
//! 503 when Redis stops, and SIGTERM under load loses no accepted request.

use alloy::{
    primitives::{address, Address, Bytes},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolValue},
};
use dm3_e2e::{free_port, gateway_bin, wait_http_ok, write_key_file, ChildGuard, PersistentRedis};
use dm3_gateway::{
    client::{NamesClient, Request},
    names::RecordsInput,
};
use dm3_protocol::{dns_encode, namehash, IResolverService, RecordCalls};
use std::{
    process::{Command, ExitStatus},
    time::{Duration, Instant},
};

const RESOLVER: Address = address!("1111111111111111111111111111111111111111");

/// A gateway process on its own port, killed on drop unless stopped first.
struct Node {
    child: ChildGuard,
    url: String,
}

impl Node {
    async fn start(key_file: &std::path::Path, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(gateway_bin())
            .args(["--listen", &format!("127.0.0.1:{port}"), "--resolver", &RESOLVER.to_string()])
            .arg("--signer-key-file")
            .arg(key_file)
            .args(["--write-burst", "1000"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("start gateway");
        let node = Self { child: ChildGuard(child), url: format!("http://127.0.0.1:{port}") };
        wait_http_ok(&format!("{}/health", node.url), Duration::from_secs(30)).await.expect("gateway up");
        node
    }

    /// Sends SIGTERM and waits for the exit status.
    fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        let pid = self.child.0.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
        assert!(status.success(), "kill -TERM {pid}");
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.0.try_wait().expect("wait") {
                return status;
            }
            assert!(start.elapsed() < timeout, "gateway did not exit within {timeout:?} of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn text_url(&self, name: &str, key: &str) -> String {
        text_url(&self.url, name, key)
    }
}

/// The EIP-3668 GET URL of `text(name, key)` at the gateway `base`.
fn text_url(base: &str, name: &str, key: &str) -> String {
    let inner = RecordCalls::textCall { node: namehash(name), key: key.into() }.abi_encode();
    let calldata =
        IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }.abi_encode();
    format!("{base}/{RESOLVER:#x}/{}.json", alloy::hex::encode_prefixed(calldata))
}

/// The text value inside a signed answer `{"data": abi.encode(result, expires, sig)}`.
async fn text_of(http: &reqwest::Client, url: &str) -> (String, reqwest::header::HeaderMap) {
    let response = http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let body: serde_json::Value = response.json().await.unwrap();
    let data: Bytes = body["data"].as_str().unwrap().parse().unwrap();
    let (result, _, _) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
    (String::abi_decode(&result).unwrap(), headers)
}

fn records(url: &str) -> RecordsInput {
    let mut records = RecordsInput::default();
    records.texts.insert("url".into(), url.into());
    records
}

fn key_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    write_key_file(dir.path(), "signer.key", &PrivateKeySigner::random())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_through_one_gateway_is_served_fresh_by_another() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(&dir);
    let mut redis = PersistentRedis::start().await.unwrap();
    // A long cache lifetime: only invalidation can make B answer fresh.
    let options = ["--redis-url", redis.url.as_str(), "--cache-ttl", "200"];
    let a = Node::start(&key, &options).await;
    let b = Node::start(&key, &options).await;
    let http = reqwest::Client::new();
    let name = "carol.dm3.eth";
    let url = b.text_url(name, "url");

    let (empty, _) = text_of(&http, &url).await;
    assert_eq!(empty, "");
    let owner = PrivateKeySigner::random();
    let names = NamesClient::new(&a.url);
    names.send(&owner, name, Request::Claim { owner: None, records: records("https://one") }).await.unwrap();
    let (first, headers) = text_of(&http, &url).await;
    assert_eq!(first, "https://one", "B served the claim made through A");
    let cache_control = headers["cache-control"].to_str().unwrap();
    assert!(cache_control.starts_with("public, max-age="), "{cache_control}");
    let etag = headers["etag"].clone();
    // Cached: the same signed answer again, and 304 for its ETag.
    let (_, again) = text_of(&http, &url).await;
    assert_eq!(again["etag"], etag);
    let not_modified = http.get(&url).header("if-none-match", etag.clone()).send().await.unwrap();
    assert_eq!(not_modified.status(), 304);

    // The change reaches B over the Redis change channel; A answers the
    // write only once it heard the change back on that channel and gave B
    // (which got it in the same delivery) PROPAGATION_GRACE to apply it.
    for round in 0..10 {
        let value = format!("https://two/{round}");
        names.send(&owner, name, Request::Update(records(&value))).await.unwrap();
        let (fresh, headers) = text_of(&http, &url).await;
        assert_eq!(fresh, value, "B served a stale answer right after the update through A");
        assert_ne!(headers["etag"], etag);
    }

    // B's metrics show the cache at work.
    let metrics = http.get(format!("{}/metrics", b.url)).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("dm3_gateway_cache_lookups_total{result=\"hit\"}"), "{metrics}");
    assert!(metrics.contains("dm3_gateway_requests_total{route=\"ccip_get\",record=\"text\",status=\"200\"}"));
    assert!(metrics.contains("dm3_gateway_sign_duration_seconds_bucket"));

    // Redis stops: B is not ready, and answers 5xx rather than from its cache.
    assert_eq!(http.get(format!("{}/ready", b.url)).send().await.unwrap().status(), 200);
    redis.kill();
    let ready = http.get(format!("{}/ready", b.url)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["code"], "store_unavailable");
    let start = Instant::now();
    loop {
        let status = http.get(&url).send().await.unwrap().status();
        if status.is_server_error() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "B kept answering {status} without Redis");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Back again: ready, and the data is still there.
    redis.restart().await.unwrap();
    wait_http_ok(&format!("{}/ready", b.url), Duration::from_secs(10)).await.unwrap();
    let start = Instant::now();
    loop {
        if http.get(&url).send().await.unwrap().status() == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "B did not recover after Redis came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(text_of(&http, &url).await.0, "https://two/9");
    drop(a);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_under_load_loses_no_accepted_request() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(&dir);
    let data = dir.path().join("data");
    let mut node = Node::start(&key, &["--data-dir", data.to_str().unwrap(), "--cache-ttl", "0"]).await;
    let stop_at = Instant::now() + Duration::from_secs(20);
    let mut workers = Vec::new();
    for worker in 0..8 {
        let base = node.url.clone();
        workers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut ok = 0u32;
            // Distinct names: every answer is read and signed. Bounded in time.
            for i in 0.. {
                if Instant::now() > stop_at {
                    return (ok, false);
                }
                match http.get(text_url(&base, &format!("n{worker}x{i}.dm3.eth"), "url")).send().await {
                    Ok(response) => {
                        assert_eq!(response.status(), 200, "a request that got an answer got {}", response.status());
                        response.bytes().await.expect("a started answer is completed");
                        ok += 1;
                    }
                    // After the signal: the connection is closed or refused, never half-answered.
                    Err(_) => return (ok, true),
                }
            }
            unreachable!()
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let status = tokio::task::spawn_blocking(move || node.terminate(Duration::from_secs(15))).await.unwrap();
    assert!(status.success(), "gateway exited with {status}");
    let (mut ok, mut ended) = (0, 0);
    for worker in workers {
        let (answered, saw_end) = worker.await.expect("no request got a non-200 answer");
        ok += answered;
        ended += u32::from(saw_end);
    }
    assert!(ok > 0, "load ran before the signal");
    assert_eq!(ended, 8, "every worker was still sending when the gateway stopped");
}
