//! The HTTP edge against the real binary on loopback: slow and silent
//! clients, oversized heads and bodies, a connection flood, shutdown with
//! clients that never finish, a hung and a dead Redis, requests without
//! `Host`, and a weak Ed25519 profile key. Every loop is bounded in count
//! and time; the gateway runs with short timeouts so that each test takes
//! seconds.

use alloy::{
    primitives::{address, Address, Bytes, Signature},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolValue},
};
use dm3_e2e::{free_port, repo_root, send_signal, Gateway, RedisServer};
use dm3_gateway::{
    client::{prepare, NamesClient, Request},
    names::RecordsInput,
    profile::{SignedUserProfile, UserProfile},
};
use dm3_protocol::{dns_encode, namehash, signature_digest, IResolverService, RecordCalls};
use reqwest::StatusCode;
use serde_json::Value;
use std::{
    process::Command,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// anvil's account #1, the gateway's signing key here.
const SIGNER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const SIGNER: Address = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
const RESOLVER: Address = address!("1111111111111111111111111111111111111111");
/// The header timeout of these tests' gateways.
const HEADER_TIMEOUT: Duration = Duration::from_millis(1000);

/// Held by the tests that load the machine or measure time (a header flood, a
/// connection flood, SIGTERM with 64 requests in flight, the request timeout),
/// so that one does not skew another's latency or CPU figures.
static TIMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A gateway on the embedded store (or `store` flags) with the edge flags
/// of these tests plus `extra`.
async fn start(store: Option<&str>, extra: &[&str]) -> (Gateway, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signer.key");
    std::fs::write(&key_file, SIGNER_KEY).unwrap();
    let mut args: Vec<String> = match store {
        Some(url) => vec!["--redis-url".into(), url.into()],
        None => vec!["--data-dir".into(), dir.path().join("data").display().to_string()],
    };
    args.extend([
        "--resolver".into(),
        RESOLVER.to_string(),
        "--signer-key-file".into(),
        key_file.display().to_string(),
    ]);
    args.extend(["--header-timeout-ms".into(), HEADER_TIMEOUT.as_millis().to_string()]);
    args.extend(["--idle-timeout".into(), "2".into(), "--linger-timeout-ms".into(), "2000".into()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let gateway = Gateway::start(free_port(), &args).await.unwrap();
    (gateway, dir)
}

fn addr(gateway: &Gateway) -> String {
    gateway.url.trim_start_matches("http://").to_owned()
}

/// The callData of `text(name, "url")`.
fn text_calldata(name: &str) -> Vec<u8> {
    let inner = RecordCalls::textCall { node: namehash(name), key: "url".into() }.abi_encode();
    IResolverService::resolveCall { name: dns_encode(name).unwrap().into(), data: inner.into() }.abi_encode()
}

/// Checks a CCIP-read answer body: signed by the gateway's key for this
/// resolver and request, not expired; returns the decoded text.
fn verify_answer(body: &[u8], calldata: &[u8]) -> String {
    let json: Value = serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)));
    let data: Bytes = json["data"].as_str().expect("data").parse().unwrap();
    let (result, expires, sig) = <(Bytes, u64, Bytes)>::abi_decode_params(&data).unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert!(expires > now, "expired answer");
    let digest = signature_digest(RESOLVER, expires, calldata, &result);
    assert_eq!(Signature::from_raw(&sig).unwrap().recover_address_from_prehash(&digest).unwrap(), SIGNER);
    String::abi_decode(&result).unwrap()
}

/// One CCIP-read GET; the status, the body and how long it took.
async fn lookup(client: &reqwest::Client, base: &str, name: &str) -> (StatusCode, Vec<u8>, Duration) {
    let calldata = text_calldata(name);
    let url = format!("{base}/{RESOLVER:#x}/{}.json", alloy::hex::encode_prefixed(&calldata));
    let started = Instant::now();
    let response = client.get(url).send().await.expect("lookup sent");
    let status = response.status();
    let body = response.bytes().await.expect("lookup body").to_vec();
    (status, body, started.elapsed())
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}

/// Writes `request` on a new connection and reads until the gateway closes
/// it (or `timeout`); what was read and when the close came.
async fn exchange(addr: &str, request: &[u8], timeout: Duration) -> (Vec<u8>, Option<Duration>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(timeout, async {
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .ok()
    .map(|()| started.elapsed());
    (answer, closed)
}

fn status_of(answer: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(answer);
    let line = text.lines().next().unwrap_or_default();
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status line in {text:?}"))
}

fn json_body(answer: &[u8]) -> Value {
    let text = String::from_utf8_lossy(answer);
    let (_, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no body in {text:?}"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
}

/// Resident memory of `pid` in KiB (`VmRSS` of `/proc/<pid>/status`).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// CPU time of `pid` (user + system), from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesized command: state is field 3, utime 14, stime 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    let hz: u64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100);
    Duration::from_millis(ticks * 1000 / hz)
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_headers_are_closed_by_the_header_timeout_while_lookups_stay_fast() {
    let _timing = TIMING.lock().await;
    let (gateway, _dir) = start(None, &[]).await;
    let (addr, pid) = (addr(&gateway), gateway.pid());
    let client = http();
    let rss_before = rss_kib(pid);

    // 200 clients send 16 KiB of an unfinished header at once, then one byte every 100 ms.
    let trickles: Vec<_> = (0..200)
        .map(|_| {
            let addr = addr.clone();
            tokio::spawn(async move {
                let mut stream = TcpStream::connect(&addr).await.unwrap();
                let started = Instant::now();
                let mut head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ".to_vec();
                head.extend(std::iter::repeat_n(b'a', 16 * 1024));
                let _ = stream.write_all(&head).await;
                let mut answer = Vec::new();
                let mut buf = [0u8; 1024];
                // At most 10 s: far beyond the 1 s header timeout.
                while started.elapsed() < Duration::from_secs(10) {
                    tokio::select! {
                        read = stream.read(&mut buf) => match read {
                            Ok(0) | Err(_) => return (started.elapsed(), answer),
                            Ok(n) => answer.extend_from_slice(&buf[..n]),
                        },
                        () = tokio::time::sleep(Duration::from_millis(100)) => {
                            let _ = stream.write_all(b"a").await;
                        }
                    }
                }
                (started.elapsed(), answer)
            })
        })
        .collect();

    // Meanwhile, normal lookups are answered, and fast.
    let mut slowest = Duration::ZERO;
    let mut peak_rss = rss_before;
    for i in 0..40 {
        let (status, body, took) = lookup(&client, &gateway.url, &format!("user{i}.dm3.eth")).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(verify_answer(&body, &text_calldata(&format!("user{i}.dm3.eth"))), "");
        slowest = slowest.max(took);
        peak_rss = peak_rss.max(rss_kib(pid));
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let mut closed_after = Vec::new();
    for trickle in trickles {
        let (after, answer) = trickle.await.unwrap();
        assert!(after < Duration::from_secs(4), "a slow header was held for {after:?}");
        assert_eq!(status_of(&answer), 408, "{}", String::from_utf8_lossy(&answer));
        assert_eq!(json_body(&answer)["code"], "request_timeout");
        closed_after.push(after);
    }
    closed_after.sort();
    let rss_after = rss_kib(pid);
    println!(
        "200 slow headers closed after {:?}..{:?}; slowest of 40 lookups {slowest:?}; RSS {rss_before} → peak {peak_rss} → {rss_after} KiB",
        closed_after[0], closed_after[199]
    );
    // (Measured from the client's side of a busy test runtime: a little early is scheduling.)
    assert!(closed_after[0] >= HEADER_TIMEOUT / 2, "closed long before the header timeout: {:?}", closed_after[0]);
    assert!(slowest < Duration::from_secs(1), "a lookup took {slowest:?} during the slow-header flood");
    assert!(peak_rss < rss_before + 32 * 1024, "RSS grew from {rss_before} to {peak_rss} KiB");
    // The gateway serves on as before.
    assert_eq!(lookup(&client, &gateway.url, "after.dm3.eth").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_finishes_requests_in_flight_and_exits_within_the_shutdown_timeout() {
    let _timing = TIMING.lock().await;
    let shutdown_timeout = Duration::from_secs(3);
    let (mut gateway, _dir) = start(None, &["--shutdown-timeout", "3"]).await;
    let addr = addr(&gateway);

    // An idle keep-alive connection (one request answered), a trickling head, a trickling body.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 4096];
    assert!(idle.read(&mut buf).await.unwrap() > 0);
    let mut head = TcpStream::connect(&addr).await.unwrap();
    head.write_all(b"GET /health HTTP/1.1\r\nHo").await.unwrap();
    let mut body = TcpStream::connect(&addr).await.unwrap();
    body.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{").await.unwrap();

    // 64 POST lookups in flight: head and half the body sent, the rest after SIGTERM.
    let mut in_flight = Vec::new();
    for i in 0..64 {
        let name = format!("term{i}.dm3.eth");
        let calldata = text_calldata(&name);
        let json = serde_json::json!({
            "sender": format!("{RESOLVER:#x}"),
            "data": alloy::hex::encode_prefixed(&calldata),
        })
        .to_string();
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let request = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            json.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let (first, rest) = json.split_at(json.len() / 2);
        stream.write_all(first.as_bytes()).await.unwrap();
        in_flight.push((stream, rest.to_owned(), calldata));
    }
    // The heads are parsed by the time a later request on another connection is answered.
    assert_eq!(lookup(&http(), &gateway.url, "before.dm3.eth").await.0, StatusCode::OK);

    let signalled = Instant::now();
    send_signal(gateway.pid(), "TERM").unwrap();
    // Idle and half-received heads are closed at once.
    for (what, stream) in [("idle keep-alive", &mut idle), ("trickling head", &mut head)] {
        let read = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{what} connection not closed at once: {read:?}");
    }
    // New connections are refused.
    let refused = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            if TcpStream::connect(&addr).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(refused.is_ok(), "still accepting after SIGTERM");

    // The requests in flight get complete, verifiable answers.
    let answers: Vec<_> = in_flight
        .into_iter()
        .map(|(mut stream, rest, calldata)| {
            tokio::spawn(async move {
                stream.write_all(rest.as_bytes()).await.unwrap();
                let mut answer = Vec::new();
                let _ = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut answer)).await;
                (answer, calldata)
            })
        })
        .collect();
    for answer in answers {
        let (answer, calldata) = answer.await.unwrap();
        assert_eq!(status_of(&answer), 200, "{}", String::from_utf8_lossy(&answer));
        let text = String::from_utf8_lossy(&answer);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.to_ascii_lowercase().contains("connection: close"), "{head}");
        assert_eq!(verify_answer(body.as_bytes(), &calldata), "");
    }
    // The trickling body keeps the process until the shutdown timeout, not longer.
    let _ = body.write_all(b"\"").await;
    let status = gateway.wait_exit(shutdown_timeout + Duration::from_secs(2)).await.unwrap();
    let took = signalled.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running {took:?} after SIGTERM"));
    assert!(status.success(), "exit status {status}");
    assert!(took < shutdown_timeout + Duration::from_millis(1500), "exit took {took:?}");
    println!("SIGTERM: 64 in-flight requests answered; exit 0 after {took:?} (shutdown timeout {shutdown_timeout:?})");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_heads_and_declared_bodies_are_refused_up_front() {
    let (gateway, _dir) = start(None, &[]).await;
    let addr = addr(&gateway);
    let quick = Duration::from_secs(1);

    // 64 KiB of headers, and 10,000 header lines: 431.
    let mut big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 64 * 1024));
    big.extend(b"\r\n\r\n");
    let (answer, closed) = exchange(&addr, &big, Duration::from_secs(5)).await;
    assert_eq!(status_of(&answer), 431, "{}", String::from_utf8_lossy(&answer));
    assert!(closed.is_some(), "not closed after 431");
    let mut many = b"GET /health HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..10_000 {
        many.extend(format!("X-{i}: 1\r\n").as_bytes());
    }
    many.extend(b"\r\n");
    let (answer, _) = exchange(&addr, &many, Duration::from_secs(5)).await;
    assert_eq!(status_of(&answer), 431, "{}", String::from_utf8_lossy(&answer));
    // Below the limits, a large header block is fine.
    let mut fine = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ".to_vec();
    fine.extend(std::iter::repeat_n(b'a', 16 * 1024));
    fine.extend(b"\r\n\r\n");
    assert_eq!(status_of(&exchange(&addr, &fine, Duration::from_secs(5)).await.0), 200);

    // A declared body over 64 KiB: 413 at once, with and without Expect, and no 100 Continue.
    for (what, request) in [
        (
            "expect",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n".to_owned(),
        ),
        (
            "1 TB, 1 KiB sent",
            format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n{}", "a".repeat(1024)),
        ),
    ] {
        let started = Instant::now();
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 4096];
        let n = tokio::time::timeout(quick, stream.read(&mut answer)).await.expect("answered at once").unwrap();
        let answer = &answer[..n];
        assert!(started.elapsed() < quick, "{what}: {:?}", started.elapsed());
        assert!(answer.starts_with(b"HTTP/1.1 413 "), "{what}: {}", String::from_utf8_lossy(answer));
        assert!(!String::from_utf8_lossy(answer).contains("100 Continue"), "{what}");
        assert_eq!(json_body(answer)["code"], "payload_too_large", "{what}");
    }

    // Real clients streaming 4 MiB read the 413 (the gateway lingers instead of resetting).
    let script = r#"
        const url = process.argv[1];
        const data = new Uint8Array(4 * 1024 * 1024);
        const results = [];
        for (const chunked of [false, true]) {
          const body = chunked
            ? new ReadableStream({ start(c) { for (let i = 0; i < 64; i++) c.enqueue(data.subarray(i * 65536, (i + 1) * 65536)); c.close(); } })
            : data;
          try {
            const r = await fetch(url, { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } });
            results.push({ chunked, status: r.status, body: await r.json() });
          } catch (e) { results.push({ chunked, error: `${e.message} ${e.cause?.code}` }); }
        }
        console.log(JSON.stringify(results));
    "#;
    let output = Command::new("node")
        .args(["--input-type=module", "-e", script, &format!("{}/", gateway.url)])
        .current_dir(repo_root())
        .output()
        .expect("run node");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    for result in &results {
        assert_eq!(result["status"], 413, "node fetch: {result}");
        assert_eq!(result["body"]["code"], "payload_too_large", "node fetch: {result}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_flood_beyond_the_cap_neither_stops_service_nor_spins() {
    let _timing = TIMING.lock().await;
    let (gateway, _dir) = start(None, &["--max-connections", "32"]).await;
    let (addr, pid) = (addr(&gateway), gateway.pid());
    let client = http();

    // 400 connections that send nothing, held open for the whole test.
    let mut flood = Vec::new();
    for _ in 0..400 {
        flood.push(TcpStream::connect(&addr).await.unwrap());
    }
    let cpu_before = cpu_time(pid);
    let flood_started = Instant::now();
    // Lookups go on during the flood.
    let mut slowest = Duration::ZERO;
    for i in 0..20 {
        let (status, body, took) = lookup(&client, &gateway.url, &format!("flood{i}.dm3.eth")).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        slowest = slowest.max(took);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let window = flood_started.elapsed();
    let cpu = cpu_time(pid) - cpu_before;
    // Flood connections were closed (evicted or timed out), none answered anything.
    let mut closed = 0;
    for stream in &mut flood {
        let mut buf = [0u8; 64];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(5), stream.read(&mut buf)).await {
            closed += 1;
        }
    }
    println!("flood of 400 at cap 32: slowest lookup {slowest:?}, CPU {cpu:?} over {window:?}, {closed} closed");
    assert!(slowest < Duration::from_secs(2), "a lookup took {slowest:?} during the flood");
    assert!(cpu < window / 4, "the gateway used {cpu:?} of CPU in {window:?}: busy loop?");
    assert!(closed >= 400 - 32, "only {closed} of 400 flood connections closed");
    drop(flood);
    assert_eq!(lookup(&client, &gateway.url, "after.dm3.eth").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_redis_is_504_store_timeout_and_a_dead_one_503_store_unavailable() {
    let redis = RedisServer::start().await.unwrap();
    let (gateway, _dir) = start(Some(&redis.url), &["--store-timeout", "1", "--cache-ttl", "0"]).await;
    let client = http();
    assert_eq!(lookup(&client, &gateway.url, "hung.dm3.eth").await.0, StatusCode::OK);

    send_signal(redis.pid(), "STOP").unwrap();
    let (status, body, hung_took) = lookup(&client, &gateway.url, "hung.dm3.eth").await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, json["code"].as_str()), (StatusCode::GATEWAY_TIMEOUT, Some("store_timeout")), "{json}");
    assert!(hung_took < Duration::from_millis(1800), "504 after {hung_took:?} (store timeout 1 s)");
    let ready = client.get(format!("{}/ready", gateway.url)).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    // A names-API read hangs the same way.
    let view = client.get(format!("{}/names/hung.dm3.eth", gateway.url)).send().await.unwrap();
    assert_eq!(view.status(), StatusCode::GATEWAY_TIMEOUT);

    send_signal(redis.pid(), "CONT").unwrap();
    let resumed = Instant::now();
    while lookup(&client, &gateway.url, "hung.dm3.eth").await.0 != StatusCode::OK {
        assert!(resumed.elapsed() < Duration::from_secs(10), "no recovery after SIGCONT");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let healed = resumed.elapsed();
    assert_eq!(client.get(format!("{}/ready", gateway.url)).send().await.unwrap().status(), StatusCode::OK);

    drop(redis); // SIGKILL
    let (status, body, dead_took) = lookup(&client, &gateway.url, "dead.dm3.eth").await;
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, json["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("store_unavailable")), "{json}");
    println!(
        "hung redis: 504 after {hung_took:?}, healed {healed:?} after SIGCONT; dead redis: 503 after {dead_took:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_host_is_400_and_a_weak_ed25519_profile_key_is_invalid_profile() {
    let (gateway, _dir) = start(None, &["--write-burst", "0"]).await;
    let addr = addr(&gateway);
    for request in [
        "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    ] {
        let (answer, _) = exchange(&addr, request.as_bytes(), Duration::from_secs(5)).await;
        assert_eq!(status_of(&answer), 400, "{}", String::from_utf8_lossy(&answer));
        let code = json_body(&answer)["code"].as_str().unwrap().to_owned();
        assert!(code == "missing_host" || code == "invalid_host", "{code}");
    }
    let (answer, _) = exchange(&addr, b"GET /health HTTP/1.0\r\n\r\n", Duration::from_secs(5)).await;
    assert_eq!(status_of(&answer), 200, "HTTP/1.0 needs no Host");

    let domain = NamesClient::new(&gateway.url).domain().await.unwrap();
    let claim = |signing_key: [u8; 32], name: &str| {
        use base64::{engine::general_purpose::STANDARD, Engine};
        let key = PrivateKeySigner::random();
        let profile = UserProfile {
            delivery_services: vec!["ds.dm3.eth".into()],
            public_encryption_key: STANDARD.encode([7u8; 32]),
            public_signing_key: STANDARD.encode(signing_key),
        };
        let mut records = RecordsInput::default();
        records
            .texts
            .insert("eth.dm3.profile".into(), SignedUserProfile::sign(profile, &key).unwrap().to_text_record());
        let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 600;
        prepare(&domain, &key, name, Request::Claim { owner: None, records }, None, 0, deadline).unwrap()
    };
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let good = *ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]).verifying_key().as_bytes();
    let client = http();
    for (key, name, status, code) in [
        (identity, "weakkey.dm3.eth", StatusCode::BAD_REQUEST, Some("invalid_profile")),
        (good, "goodkey.dm3.eth", StatusCode::CREATED, None),
    ] {
        let write = claim(key, name);
        let response = client
            .request(write.method.clone(), format!("{}{}", gateway.url, write.path))
            .header("content-type", "application/json")
            .body(write.body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{name}");
        let json: Value = response.json().await.unwrap();
        if let Some(code) = code {
            assert_eq!(json["code"], code, "{json}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pipelining_and_the_http2_preface_still_work() {
    let (gateway, _dir) = start(None, &[]).await;
    let addr = addr(&gateway);
    let two = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let (answer, closed) = exchange(&addr, two, Duration::from_secs(5)).await;
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert!(closed.is_some(), "Connection: close was not honoured");

    // HTTP/2 with prior knowledge: the preface and an empty SETTINGS frame get
    // the server's SETTINGS frame (type 4 on stream 0).
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0").await.unwrap();
    let mut frame = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut frame))
        .await
        .expect("SETTINGS in time")
        .unwrap();
    assert_eq!(frame[3], 4, "first frame is SETTINGS: {frame:?}");
    assert_eq!(&frame[5..9], &[0, 0, 0, 0], "on stream 0");
}

/// Reads the first bytes the gateway answers on `stream` (within `timeout`).
async fn first_answer(stream: &mut TcpStream, timeout: Duration) -> Vec<u8> {
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(timeout, stream.read(&mut answer)).await.expect("an answer in time").unwrap();
    answer.truncate(n);
    answer
}

#[tokio::test(flavor = "multi_thread")]
async fn max_body_bytes_and_request_timeout_flags_bound_bodies_and_slow_requests() {
    let _timing = TIMING.lock().await;
    let timeout = Duration::from_millis(800);
    let (gateway, _dir) =
        start(None, &["--max-body-bytes", "4096", "--request-timeout-ms", &timeout.as_millis().to_string()]).await;
    let addr = addr(&gateway);

    // Declared bodies: over 4096 is 413 at once (far below the 64 KiB default); at 4096 it reaches the handler.
    let started = Instant::now();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4097\r\nExpect: 100-continue\r\n\r\n")
        .await
        .unwrap();
    let answer = first_answer(&mut stream, Duration::from_secs(1)).await;
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    // No `100 Continue`: the listener refused it from the head, before the router asked for the body.
    assert!(answer.starts_with(b"HTTP/1.1 413 "), "{}", String::from_utf8_lossy(&answer));
    assert_eq!(json_body(&answer)["code"], "payload_too_large");
    let at_limit =
        format!("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4096\r\n\r\n{}", "a".repeat(4096));
    let (answer, _) = exchange(&addr, at_limit.as_bytes(), Duration::from_secs(5)).await;
    assert_eq!(status_of(&answer), 400, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(json_body(&answer)["code"], "invalid_json");

    // Streamed (chunked, no Content-Length) bodies: 8 KiB is cut off with 413, 3 KiB reaches the handler.
    let chunked = |chunks: usize| {
        let mut request =
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..chunks {
            request.extend(b"400\r\n");
            request.extend(std::iter::repeat_n(b'a', 1024));
            request.extend(b"\r\n");
        }
        request.extend(b"0\r\n\r\n");
        request
    };
    let (answer, _) = exchange(&addr, &chunked(8), Duration::from_secs(5)).await;
    assert_eq!(status_of(&answer), 413, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(json_body(&answer)["code"], "payload_too_large");
    let (answer, _) = exchange(&addr, &chunked(3), Duration::from_secs(5)).await;
    assert_eq!(status_of(&answer), 400, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(json_body(&answer)["code"], "invalid_json");

    // A body that stalls after its head: 408 after the request timeout (not the 10 s default).
    let started = Instant::now();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"data\":").await.unwrap();
    let answer = first_answer(&mut stream, Duration::from_secs(5)).await;
    let took = started.elapsed();
    assert_eq!(status_of(&answer), 408, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(json_body(&answer)["code"], "request_timeout");
    assert!(took >= timeout - Duration::from_millis(50) && took < timeout * 3, "408 after {took:?}");

    // The gateway still answers normally.
    assert_eq!(http().get(format!("{}/health", gateway.url)).send().await.unwrap().status(), 200);
}
