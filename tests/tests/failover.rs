//! No single point of failure: a Redis primary with two replicas watched by
//! three Sentinels, two gateway processes both listed in the resolver, and a
//! real client (alloy's CCIP-read through anvil) resolving while signed
//! claims arrive. Then, one at a time:
//!
//! - the Redis primary is SIGKILLed: Sentinel promotes a replica, the
//!   gateways follow by themselves; resolutions are counted, the write
//!   outage is measured, and every acknowledged claim is there afterwards
//!   with its owner index (claims are acknowledged only after `WAIT 1`, and a
//!   sample is checked on a replica right at the acknowledgement);
//! - after the failover an update through one gateway is served by the
//!   other at once (the change channel resubscribed on the new primary);
//! - one gateway is SIGKILLed: resolutions go on through the other URL;
//! - the old primary restarts and rejoins as a replica, the killed gateway
//!   restarts, and everything is healthy again.
//!
//! The figures printed (`FAILOVER …` lines) are the ones in docs/OPERATIONS.md.
//! Every loop is bounded in count and time and talks to 127.0.0.1 only.

use alloy::{signers::local::PrivateKeySigner, sol_types::Eip712Domain};
use dm3_e2e::{free_port, write_key_file, Chain, ChildGuard, Gateway};
use dm3_gateway::{
    client::{prepare, NameResolver, NamesClient, PreparedWrite, Request},
    names::RecordsInput,
};
use redis::AsyncCommands;
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

const SERVICE: &str = "dm3";

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// One `redis-server` (data node or Sentinel) that can be killed and started
/// again on the same port and directory.
struct Node {
    child: Option<ChildGuard>,
    dir: PathBuf,
    port: u16,
    args: Vec<String>,
}

impl Node {
    fn start(dir: &Path, name: &str, args: Vec<String>) -> Self {
        let dir = dir.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut node = Self { child: None, dir, port: free_port(), args };
        node.restart();
        node
    }

    /// A data node: append-only file, optionally replicating `primary`.
    fn data(dir: &Path, name: &str, primary: Option<u16>) -> Self {
        let mut args: Vec<String> =
            ["--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"].iter().map(|s| s.to_string()).collect();
        if let Some(primary) = primary {
            args.extend(["--replicaof".into(), "127.0.0.1".into(), primary.to_string()]);
        }
        Self::start(dir, name, args)
    }

    /// A Sentinel watching `primary` (quorum 2, fast timings). `redis-server
    /// FILE --sentinel` is what the `redis-sentinel` command runs.
    fn sentinel(dir: &Path, name: &str, primary: u16) -> Self {
        let mut node = Self { child: None, dir: dir.join(name), port: free_port(), args: Vec::new() };
        std::fs::create_dir_all(&node.dir).unwrap();
        let conf = node.dir.join("sentinel.conf");
        std::fs::write(
            &conf,
            format!(
                "port {}\nbind 127.0.0.1\ndir {}\nsentinel monitor {SERVICE} 127.0.0.1 {primary} 2\n\
                 sentinel down-after-milliseconds {SERVICE} 1000\nsentinel failover-timeout {SERVICE} 3000\n\
                 sentinel parallel-syncs {SERVICE} 1\n",
                node.port,
                node.dir.display()
            ),
        )
        .unwrap();
        node.args = vec![conf.display().to_string(), "--sentinel".into()];
        node.restart();
        node
    }

    fn restart(&mut self) {
        self.kill();
        let mut command = Command::new("redis-server");
        if self.args.first().is_some_and(|a| a.ends_with(".conf")) {
            command.args(&self.args);
        } else {
            command.args(["--port", &self.port.to_string(), "--dir"]).arg(&self.dir).args(&self.args);
        }
        let child = command
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server (scripts/test installs it)");
        self.child = Some(ChildGuard(child));
    }

    /// SIGKILL: no shutdown, no final write.
    fn kill(&mut self) {
        drop(self.child.take());
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    async fn conn(&self) -> redis::aio::MultiplexedConnection {
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(2)));
        redis::Client::open(self.url()).unwrap().get_multiplexed_async_connection_with_config(&config).await.unwrap()
    }

    /// `ROLE`'s first element (`master`, `slave`, `sentinel`), or `None` while unreachable.
    async fn role(&self) -> Option<String> {
        let client = redis::Client::open(self.url()).ok()?;
        let config = redis::AsyncConnectionConfig::new().set_connection_timeout(Some(Duration::from_millis(500)));
        let mut conn = client.get_multiplexed_async_connection_with_config(&config).await.ok()?;
        let role: Vec<redis::Value> = redis::cmd("ROLE").query_async(&mut conn).await.ok()?;
        match role.first()? {
            redis::Value::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            redis::Value::SimpleString(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// Polls `check` every 50 ms until it is true, failing after `limit`.
async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, limit: Duration, mut check: impl FnMut() -> F) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A claim signed in advance, with the `url` text it sets.
struct Claim {
    name: String,
    key: PrivateKeySigner,
    url: String,
    write: PreparedWrite,
}

fn claim(domain: &Eip712Domain, name: &str) -> Claim {
    let key = PrivateKeySigner::random();
    let url = format!("https://{}.example", name.replace('.', "-"));
    let mut records = RecordsInput::default();
    records.texts.insert("url".into(), url.clone());
    let write = prepare(domain, &key, name, Request::Claim { owner: None, records }, None, 0, now() + 600).unwrap();
    Claim { name: name.to_owned(), key, url, write }
}

/// Sends a prepared write ([`dm3_e2e::submit`]); the status as a number (what
/// the claim log keeps), or `None` when the connection failed.
async fn submit(http: &reqwest::Client, base: &str, write: &PreparedWrite) -> Option<u16> {
    dm3_e2e::submit(http, base, write).await.map(|status| status.as_u16())
}

/// Sends a claim the way the docs tell a client to (docs/SECURITY.md): the
/// same signed body again on a 5xx or no answer, at most 20 times; a `409`
/// after such a retry means "read the name": it is acknowledged when the name
/// is ours. Returns whether the claim is acknowledged.
async fn claim_with_retries(http: &reqwest::Client, base: &str, claim: &Claim) -> bool {
    for attempt in 0..20 {
        match submit(http, base, &claim.write).await {
            Some(201) => return true,
            Some(409) if attempt > 0 => {
                let view = NamesClient::new(base).name(&claim.name).await.unwrap();
                let ours = format!("{:#x}", claim.key.address());
                return view["owner"].as_str().map(str::to_lowercase) == Some(ours);
            }
            Some(status) if status < 500 => return false,
            other => eprintln!("claim of {} through {base}: {other:?}, retrying", claim.name),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// One claim sent: (sent, answered, status or `None` for no answer, claim index).
type Sent = (Instant, Instant, Option<u16>, usize);

/// Outcomes of the resolution stream: (when, succeeded).
type Log = Arc<Mutex<Vec<(Instant, bool)>>>;

/// Resolves `names` round-robin through the chain (alloy CCIP-read, both
/// gateway URLs) until `stop`, at most 3000 times; records every outcome.
fn spawn_resolutions(
    chain: &Chain,
    names: Vec<(String, String)>,
    stop: Arc<AtomicBool>,
) -> (Log, tokio::task::JoinHandle<()>) {
    let log: Log = Arc::default();
    let resolver = NameResolver::new(chain.reader(), chain.registry);
    let out = Arc::clone(&log);
    let task = tokio::spawn(async move {
        for i in 0..3000 {
            if stop.load(Ordering::Acquire) {
                break;
            }
            let (name, url) = &names[i % names.len()];
            let answer = tokio::time::timeout(Duration::from_secs(5), resolver.text(name, "url")).await;
            let ok = matches!(&answer, Ok(Ok(text)) if text == url);
            if !ok {
                eprintln!("resolution of {name} failed: {answer:?}");
            }
            out.lock().unwrap().push((Instant::now(), ok));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    (log, task)
}

/// (succeeded, total) of the outcomes in `from..to`.
fn ratio(log: &Log, from: Instant, to: Instant) -> (usize, usize) {
    let log = log.lock().unwrap();
    let window: Vec<bool> = log.iter().filter(|(t, _)| *t >= from && *t <= to).map(|(_, ok)| *ok).collect();
    (window.iter().filter(|ok| **ok).count(), window.len())
}

#[tokio::test(flavor = "multi_thread")]
async fn any_one_process_can_die_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let test_start = Instant::now();

    // Redis: a primary, two replicas, three Sentinels.
    let mut primary = Node::data(dir.path(), "primary", None);
    let replicas = [
        Node::data(dir.path(), "replica1", Some(primary.port)),
        Node::data(dir.path(), "replica2", Some(primary.port)),
    ];
    wait_until("primary up", Duration::from_secs(10), || async { primary.role().await.as_deref() == Some("master") })
        .await;
    wait_until("both replicas in sync", Duration::from_secs(15), || async {
        let Ok(client) = redis::Client::open(primary.url()) else { return false };
        let Ok(mut conn) = client.get_multiplexed_async_connection().await else { return false };
        let info: String = redis::cmd("INFO").arg("replication").query_async(&mut conn).await.unwrap_or_default();
        info.matches("state=online").count() == 2
    })
    .await;
    let sentinels: Vec<Node> =
        (0..3).map(|i| Node::sentinel(dir.path(), &format!("sentinel{i}"), primary.port)).collect();
    for sentinel in &sentinels {
        wait_until("sentinels know each other and both replicas", Duration::from_secs(20), || async {
            let Ok(client) = redis::Client::open(sentinel.url()) else { return false };
            let Ok(mut conn) = client.get_multiplexed_async_connection().await else { return false };
            let master: Vec<String> =
                redis::cmd("SENTINEL").arg("MASTER").arg(SERVICE).query_async(&mut conn).await.unwrap_or_default();
            let field = |name: &str| master.iter().position(|f| f == name).and_then(|i| master.get(i + 1)).cloned();
            field("num-other-sentinels").as_deref() == Some("2") && field("num-slaves").as_deref() == Some("2")
        })
        .await;
    }

    // Anvil with the resolver listing both gateways; two gateway processes.
    let signer = PrivateKeySigner::random();
    let key_file = write_key_file(dir.path(), "signer.key", &signer);
    let ports = [free_port(), free_port()];
    let urls: Vec<String> = ports.iter().map(|p| format!("http://127.0.0.1:{p}")).collect();
    let chain = Chain::start(urls.clone(), vec![signer.address()]).await.unwrap();
    let sentinel_list = sentinels.iter().map(|s| format!("127.0.0.1:{}", s.port)).collect::<Vec<_>>().join(",");
    let args: Vec<String> = [
        "--redis-sentinel",
        &sentinel_list,
        "--redis-service",
        SERVICE,
        "--redis-min-replicas-ack",
        "1",
        "--resolver",
        &chain.resolver.to_string(),
        "--signer-key-file",
        &key_file.display().to_string(),
        "--chain-id",
        "31337",
        "--write-burst",
        "0",
        "--store-timeout",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut gateway1 = Some(Gateway::start(ports[0], &args).await.unwrap());
    let gateway2 = Gateway::start(ports[1], &args).await.unwrap();
    let bases = [format!("http://127.0.0.1:{}", ports[0]), format!("http://127.0.0.1:{}", ports[1])];
    for base in &bases {
        dm3_e2e::wait_http_ok(&format!("{base}/ready"), Duration::from_secs(10)).await.unwrap();
    }
    let domain = NamesClient::new(&bases[0]).domain().await.unwrap();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();

    // Names the resolution stream reads.
    let mut resolvable = Vec::new();
    for i in 0..3 {
        let claim = claim(&domain, &format!("res{i}.dm3.eth"));
        assert_eq!(submit(&http, &bases[i % 2], &claim.write).await, Some(201));
        resolvable.push((claim.name, claim.url));
    }

    // Steady load: resolutions through the chain, claims alternating between the gateways.
    let stop = Arc::new(AtomicBool::new(false));
    let (resolutions, resolving) = spawn_resolutions(&chain, resolvable.clone(), Arc::clone(&stop));
    let killed = Arc::new(AtomicBool::new(false));
    let replica_conns = [replicas[0].conn().await, replicas[1].conn().await];
    // (sent, answered, status, claim index)
    let claim_log: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let all_claims: Arc<Vec<Claim>> =
        Arc::new((0..1500).map(|i| claim(&domain, &format!("c{i:04}.dm3.eth"))).collect());
    let on_replica_at_ack = Arc::new(Mutex::new((0usize, 0usize)));
    let claiming = {
        let (stop, killed, log, claims, bases, http) = (
            Arc::clone(&stop),
            Arc::clone(&killed),
            Arc::clone(&claim_log),
            Arc::clone(&all_claims),
            bases.clone(),
            http.clone(),
        );
        let sample = Arc::clone(&on_replica_at_ack);
        tokio::spawn(async move {
            let mut replica_conns = replica_conns;
            for (i, claim) in claims.iter().enumerate() {
                if stop.load(Ordering::Acquire) {
                    break;
                }
                let sent = Instant::now();
                let status = submit(&http, &bases[i % 2], &claim.write).await;
                let answered = Instant::now();
                if status == Some(201) && i % 3 == 0 && !killed.load(Ordering::Acquire) {
                    // At the moment of the ack (before any failover), one replica has it.
                    let key = format!("dm3:record:{}", claim.name);
                    let mut found = false;
                    for conn in &mut replica_conns {
                        let value: Option<String> = conn.get(&key).await.unwrap_or(None);
                        found |= value.is_some();
                    }
                    if !killed.load(Ordering::Acquire) {
                        let mut sample = sample.lock().unwrap();
                        sample.0 += 1;
                        sample.1 += usize::from(found);
                    }
                }
                log.lock().unwrap().push((sent, answered, status, i));
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };

    // Fault 1: SIGKILL the Redis primary.
    tokio::time::sleep(Duration::from_secs(3)).await;
    killed.store(true, Ordering::Release);
    let kill_at = Instant::now();
    primary.kill();
    // Resumed: a claim sent after the kill is acknowledged.
    let resumed = |log: &[Sent]| {
        log.iter().find(|(sent, _, status, _)| *sent > kill_at && *status == Some(201)).map(|(_, at, _, _)| *at)
    };
    wait_until("claims resume on the promoted replica", Duration::from_secs(30), || async {
        resumed(&claim_log.lock().unwrap()).is_some()
    })
    .await;
    let resumed_at = resumed(&claim_log.lock().unwrap()).unwrap();
    let last_ack_before = claim_log
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, at, s, _)| *at <= kill_at && *s == Some(201))
        .map(|(_, at, _, _)| *at)
        .max();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Release);
    claiming.await.unwrap();
    resolving.await.unwrap();
    let (res_ok, res_all) = ratio(&resolutions, kill_at, resumed_at);
    let outage = resumed_at - kill_at;
    let mut promoted = None;
    for (i, replica) in replicas.iter().enumerate() {
        if replica.role().await.as_deref() == Some("master") {
            promoted = Some(i);
        }
    }
    let promoted = promoted.expect("a replica was promoted");

    // Zero acknowledged claims lost; unacknowledged ones are whole or absent.
    let log = claim_log.lock().unwrap().clone();
    let acknowledged: Vec<usize> = log.iter().filter(|(_, _, s, _)| *s == Some(201)).map(|(_, _, _, i)| *i).collect();
    let refused = log.iter().filter(|(_, _, s, _)| *s != Some(201)).count();
    let names = NamesClient::new(&bases[1]);
    let mut lost = 0;
    for (_, _, status, i) in &log {
        let claim = &all_claims[*i];
        let view = names.name(&claim.name).await.unwrap();
        let owned: Vec<String> = names.names_of(claim.key.address()).await.unwrap();
        if view["owner"].is_null() {
            lost += usize::from(*status == Some(201));
            assert!(owned.is_empty(), "index lists {} for a name it does not own", claim.name);
            continue;
        }
        let owner: alloy::primitives::Address = serde_json::from_value(view["owner"].clone()).unwrap();
        assert_eq!(owner, claim.key.address(), "{}: {view}", claim.name);
        assert_eq!(view["texts"]["url"], claim.url.as_str(), "{}: {view}", claim.name);
        assert_eq!(owned, std::slice::from_ref(&claim.name), "owner → names index of {}", claim.name);
    }
    let sample = *on_replica_at_ack.lock().unwrap();
    println!(
        "FAILOVER primary kill: resolutions {res_ok}/{res_all} succeeded until writes resumed; write outage {:.2} s \
         (last ack {:.2} s before the kill); claims {} acknowledged, {refused} refused, {lost} acknowledged lost; \
         {}/{} sampled acks on a replica at the ack",
        outage.as_secs_f64(),
        last_ack_before.map_or(0.0, |t| (kill_at - t).as_secs_f64()),
        acknowledged.len(),
        sample.1,
        sample.0
    );
    assert_eq!(lost, 0, "acknowledged claims lost");
    assert!(acknowledged.len() > 20, "too few claims acknowledged to say anything: {}", acknowledged.len());
    assert!(sample.0 >= 5 && sample.1 == sample.0, "acknowledged claims not on a replica at the ack: {sample:?}");
    assert!(res_all >= 5, "too few resolutions during the failover: {res_all}");
    // Reads fall back to a replica while there is no primary; Sentinel's
    // reconfiguration cuts client connections, so a rare failure is possible.
    assert!(res_ok * 10 >= res_all * 9, "resolutions during the primary failover: {res_ok}/{res_all}");
    assert!(outage < Duration::from_secs(15), "write outage {outage:?}");

    // After the failover: an update through gateway 1 is served by gateway 2 at once.
    chain.set_urls(vec![urls[1].clone()]).await.unwrap();
    let resolver = NameResolver::new(chain.reader(), chain.registry);
    let (name, url) = &resolvable[0];
    assert_eq!(&resolver.text(name, "url").await.unwrap(), url);
    assert_eq!(&resolver.text(name, "url").await.unwrap(), url, "served again (from gateway 2's cache)");
    // res0 was claimed with a key we no longer hold: update a fresh claim instead.
    let fresh = claim(&domain, "fresh.dm3.eth");
    assert!(claim_with_retries(&http, &bases[0], &fresh).await, "claim through gateway 1 after the failover");
    assert_eq!(resolver.text("fresh.dm3.eth", "url").await.unwrap(), fresh.url);
    let mut records = RecordsInput::default();
    records.texts.insert("url".into(), "https://updated.example".into());
    let mut updated = false;
    for _ in 0..20 {
        // `send` reads the nonce and signs anew: retrying it is safe.
        match NamesClient::new(&bases[0]).send(&fresh.key, "fresh.dm3.eth", Request::Update(records.clone())).await {
            Ok(_) => {
                updated = true;
                break;
            }
            Err(e) => eprintln!("update through gateway 1: {e}, retrying"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(updated, "update through gateway 1 after the failover");
    assert_eq!(resolver.text("fresh.dm3.eth", "url").await.unwrap(), "https://updated.example");
    chain.set_urls(urls.clone()).await.unwrap();

    // Fault 2: SIGKILL gateway 1 while resolving: the client uses the other URL.
    let stop = Arc::new(AtomicBool::new(false));
    let (resolutions, resolving) = spawn_resolutions(&chain, resolvable.clone(), Arc::clone(&stop));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let gateway_kill_at = Instant::now();
    gateway1.take().unwrap().kill();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Release);
    resolving.await.unwrap();
    let (gw_ok, gw_all) = ratio(&resolutions, gateway_kill_at, Instant::now());
    println!("FAILOVER gateway kill: resolutions {gw_ok}/{gw_all} succeeded through the other URL");
    assert!(gw_all >= 5, "too few resolutions after the gateway kill: {gw_all}");
    assert_eq!(gw_ok, gw_all, "resolutions failed after a gateway was killed");

    // Recovery: the old primary rejoins as a replica, the gateway restarts.
    primary.restart();
    wait_until("old primary rejoins as a replica", Duration::from_secs(20), || async {
        primary.role().await.as_deref() == Some("slave")
    })
    .await;
    let _gateway1 = Gateway::start(ports[0], &args).await.unwrap();
    for base in &bases {
        dm3_e2e::wait_http_ok(&format!("{base}/ready"), Duration::from_secs(10)).await.unwrap();
    }
    let late = claim(&domain, "late.dm3.eth");
    assert!(claim_with_retries(&http, &bases[0], &late).await, "claims work through the restarted gateway");
    assert_eq!(resolver.text("late.dm3.eth", "url").await.unwrap(), late.url);
    wait_until("the rejoined replica has the newest claim", Duration::from_secs(10), || async {
        let value: Option<String> = primary.conn().await.get("dm3:record:late.dm3.eth").await.unwrap_or(None);
        value.is_some()
    })
    .await;
    assert_eq!(replicas[promoted].role().await.as_deref(), Some("master"), "no second failover happened");
    drop(gateway2);
    println!("FAILOVER whole test {:.1} s", test_start.elapsed().as_secs_f64());
}
